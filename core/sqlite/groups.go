package sqlite

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"sort"
	"strings"
	"unicode/utf8"

	"convive/core"
)

// maxGroupName bounds a group name, in characters.
const maxGroupName = 100

// node is one group of the tree as loaded from the database.
type node struct {
	id, parent int64
	name, fold string
	key        []byte
	children   []*node
	up         *node
}

// tree is the whole group tree; organisations have hundreds of groups, not millions,
// so rules that walk the tree load it whole.
type tree struct {
	root *node
	byID map[int64]*node
}

func loadTree(ctx context.Context, q querier) (*tree, error) {
	// The siblings are ordered by NameKey of their names, made here rather than read
	// from sort_key: the files of older versions hold SortKey there, which put
	// « Agence 10 » before « Agence 2 ».
	rows, err := q.QueryContext(ctx, `SELECT id, coalesce(parent_id, 0), name, fold FROM groups`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	t := &tree{byID: map[int64]*node{}}
	for rows.Next() {
		n := &node{}
		if err := rows.Scan(&n.id, &n.parent, &n.name, &n.fold); err != nil {
			return nil, err
		}
		n.key = core.NameKey(n.name)
		t.byID[n.id] = n
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, n := range t.byID {
		if n.parent == 0 {
			t.root = n
			continue
		}
		if p := t.byID[n.parent]; p != nil {
			n.up = p
			p.children = append(p.children, n)
		}
	}
	if t.root == nil {
		return nil, errors.New("the group tree has no root")
	}
	for _, n := range t.byID {
		sort.Slice(n.children, func(i, j int) bool {
			if c := bytes.Compare(n.children[i].key, n.children[j].key); c != 0 {
				return c < 0
			}
			return n.children[i].id < n.children[j].id
		})
	}
	return t, nil
}

// path returns the names from below the root to n, joined by "/".
func (n *node) path() string {
	var names []string
	for m := n; m != nil && m.up != nil; m = m.up {
		names = append(names, m.name)
	}
	for i, j := 0, len(names)-1; i < j; i, j = i+1, j-1 {
		names[i], names[j] = names[j], names[i]
	}
	return strings.Join(names, "/")
}

func (n *node) depth() int {
	d := 0
	for m := n; m.up != nil; m = m.up {
		d++
	}
	return d
}

// child returns n's child with the given folded name, or nil.
func (n *node) child(fold string) *node {
	for _, c := range n.children {
		if c.fold == fold {
			return c
		}
	}
	return nil
}

// within reports whether n is a or one of a's descendants.
func (n *node) within(a *node) bool {
	for m := n; m != nil; m = m.up {
		if m == a {
			return true
		}
	}
	return false
}

func (n *node) group() core.Group {
	return core.Group{ID: n.id, ParentID: n.parent, Name: n.name, Path: n.path(), Depth: n.depth()}
}

// find returns the node with id, or an ENotFound error.
func (t *tree) find(id int64) (*node, error) {
	if n := t.byID[id]; n != nil {
		return n, nil
	}
	return nil, groupNotFound(id)
}

func groupNotFound(id int64) *core.Error {
	return core.Errorf(core.ENotFound, "group.not_found",
		"Le groupe n° {{.ID}} n'existe pas (il a peut-être été supprimé entre-temps). Actualisez la liste des groupes.",
		map[string]any{"ID": id})
}

// label names a group in messages: its path, or "Groupe général" for the root.
func (n *node) label() string {
	if n.up == nil {
		return n.name
	}
	return n.path()
}

// splitPath cuts "Ventes / Région Sud" into cleaned names; empty parts are dropped so
// that "Ventes/" and "/Ventes" mean "Ventes". A leading "Groupe général" names the root.
func splitPath(path string) []string {
	var names []string
	for _, p := range strings.Split(path, "/") {
		if p = core.CleanName(p); p != "" {
			names = append(names, p)
		}
	}
	if len(names) > 0 && core.Fold(names[0]) == core.Fold(core.RootGroupName) {
		names = names[1:]
	}
	return names
}

// checkGroupName cleans a group name and applies the naming rules.
func checkGroupName(name string) (string, error) {
	clean := core.CleanName(name)
	switch {
	case clean == "":
		return "", core.Errorf(core.EInvalid, "group.name_empty", "Le nom du groupe est vide : donnez-lui un nom.", nil)
	case strings.Contains(clean, "/"):
		return "", core.Errorf(core.EInvalid, "group.name_slash",
			"Le nom « {{.Name}} » contient « / », qui sépare les niveaux d'un chemin (Ventes/Région Sud) : choisissez un nom sans « / », ou créez le chemin niveau par niveau.",
			map[string]any{"Name": clean})
	case utf8.RuneCountInString(clean) > maxGroupName:
		return "", core.Errorf(core.EInvalid, "group.name_long",
			"Le nom « {{.Name}} » dépasse {{.Max}} caractères : raccourcissez-le.",
			map[string]any{"Name": clean, "Max": maxGroupName})
	case core.Fold(clean) == core.Fold(core.RootGroupName):
		return "", core.Errorf(core.EInvalid, "group.name_root",
			"« {{.Name}} » est le nom du groupe qui contient tout le monde : choisissez un autre nom pour ce sous-groupe.",
			map[string]any{"Name": clean})
	}
	return clean, nil
}

func siblingConflict(parent *node, name string) *core.Error {
	return core.Errorf(core.EConflict, "group.exists",
		"Le groupe « {{.Parent}} » contient déjà un sous-groupe « {{.Name}} » (les majuscules et les accents ne comptent pas) : choisissez un autre nom.",
		map[string]any{"Parent": parent.label(), "Name": name})
}

func rootRefused(key, message string) *core.Error {
	return core.Errorf(core.EInvalid, key, message, map[string]any{"Name": core.RootGroupName})
}

// RootGroup returns the Groupe général, with every user counted as a member.
func (s *Store) RootGroup(ctx context.Context) (core.Group, error) {
	return s.Group(ctx, s.rootID)
}

// Groups returns the whole tree depth-first, siblings in French order, with the
// number of direct members of each group (the root counts every user).
func (s *Store) Groups(ctx context.Context) ([]core.Group, error) {
	t, err := loadTree(ctx, s.r)
	if err != nil {
		return nil, s.dbError(err)
	}
	counts := map[int64]int{}
	rows, err := s.r.QueryContext(ctx, `SELECT group_id, count(*) FROM memberships GROUP BY group_id`)
	if err != nil {
		return nil, s.dbError(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			return nil, s.dbError(err)
		}
		counts[id] = n
	}
	if err := rows.Err(); err != nil {
		return nil, s.dbError(err)
	}
	var all int
	if err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM users`).Scan(&all); err != nil {
		return nil, s.dbError(err)
	}
	counts[t.root.id] = all
	out := make([]core.Group, 0, len(t.byID))
	var walk func(n *node, path string, depth int)
	walk = func(n *node, path string, depth int) {
		out = append(out, core.Group{ID: n.id, ParentID: n.parent, Name: n.name, Path: path, Depth: depth, Members: counts[n.id]})
		for _, c := range n.children {
			p := c.name
			if path != "" {
				p = path + "/" + c.name
			}
			walk(c, p, depth+1)
		}
	}
	walk(t.root, "", 0)
	return out, nil
}

// Group returns one group with its path and number of direct members.
func (s *Store) Group(ctx context.Context, id int64) (core.Group, error) {
	t, err := loadTree(ctx, s.r)
	if err != nil {
		return core.Group{}, s.dbError(err)
	}
	n, err := t.find(id)
	if err != nil {
		return core.Group{}, err
	}
	return s.withMembers(ctx, s.r, n.group())
}

// withMembers fills g.Members.
func (s *Store) withMembers(ctx context.Context, q querier, g core.Group) (core.Group, error) {
	var err error
	if g.IsRoot() {
		err = q.QueryRowContext(ctx, `SELECT count(*) FROM users`).Scan(&g.Members)
	} else {
		err = q.QueryRowContext(ctx, `SELECT count(*) FROM memberships WHERE group_id = ?`, g.ID).Scan(&g.Members)
	}
	return g, s.dbError(err)
}

// GroupByPath finds a group by its path ("Ventes/Région Sud"), ignoring case and
// accents; "" and "Groupe général" name the root.
func (s *Store) GroupByPath(ctx context.Context, path string) (core.Group, error) {
	t, err := loadTree(ctx, s.r)
	if err != nil {
		return core.Group{}, s.dbError(err)
	}
	n := t.root
	for _, name := range splitPath(path) {
		if n = n.child(core.Fold(name)); n == nil {
			return core.Group{}, core.Errorf(core.ENotFound, "group.path_not_found",
				"Le groupe « {{.Path}} » n'existe pas : vérifiez l'orthographe ou créez-le dans Groupes.",
				map[string]any{"Path": strings.TrimSpace(path)})
		}
	}
	return s.withMembers(ctx, s.r, n.group())
}

// CreateGroup creates a subgroup of parentID.
func (s *Store) CreateGroup(ctx context.Context, parentID int64, name string) (core.Group, error) {
	clean, err := checkGroupName(name)
	if err != nil {
		return core.Group{}, err
	}
	var g core.Group
	err = s.write(ctx, func(tx *sql.Tx) error {
		t, err := loadTree(ctx, tx)
		if err != nil {
			return err
		}
		parent, err := t.find(parentID)
		if err != nil {
			return err
		}
		n, err := s.insertGroup(ctx, tx, parent, clean)
		if err != nil {
			return err
		}
		g = n.group()
		return nil
	})
	return g, err
}

// insertGroup adds a child named name (already checked) under parent, in the tree too.
func (s *Store) insertGroup(ctx context.Context, tx *sql.Tx, parent *node, name string) (*node, error) {
	fold := core.Fold(name)
	if parent.child(fold) != nil {
		return nil, siblingConflict(parent, name)
	}
	at := now()
	n := &node{parent: parent.id, name: name, fold: fold, key: core.NameKey(name), up: parent}
	res, err := tx.ExecContext(ctx,
		`INSERT INTO groups (parent_id, name, fold, sort_key, created, updated) VALUES (?, ?, ?, ?, ?, ?)`,
		parent.id, name, fold, n.key, at, at)
	if err != nil {
		return nil, err
	}
	if n.id, err = res.LastInsertId(); err != nil {
		return nil, err
	}
	parent.children = append(parent.children, n)
	err = s.audit(ctx, tx, at, "group.create", "group", n.id, change{After: map[string]any{
		"name": name, "parent_id": parent.id, "path": n.path(),
	}})
	return n, err
}

// EnsureGroupPath returns the group at path ("Ventes/Région Sud"), creating the
// missing groups along it in one transaction. Existing groups keep their spelling.
func (s *Store) EnsureGroupPath(ctx context.Context, path string) (core.Group, error) {
	names := splitPath(path)
	for i, name := range names {
		clean, err := checkGroupName(name)
		if err != nil {
			return core.Group{}, err
		}
		names[i] = clean
	}
	var g core.Group
	err := s.write(ctx, func(tx *sql.Tx) error {
		t, err := loadTree(ctx, tx)
		if err != nil {
			return err
		}
		n := t.root
		for _, name := range names {
			c := n.child(core.Fold(name))
			if c == nil {
				if c, err = s.insertGroup(ctx, tx, n, name); err != nil {
					return err
				}
			}
			n = c
		}
		g, err = s.withMembers(ctx, tx, n.group())
		return err
	})
	return g, err
}

// RenameGroup renames a subgroup; the root keeps its name.
func (s *Store) RenameGroup(ctx context.Context, id int64, name string) error {
	clean, err := checkGroupName(name)
	if err != nil {
		return err
	}
	return s.write(ctx, func(tx *sql.Tx) error {
		t, err := loadTree(ctx, tx)
		if err != nil {
			return err
		}
		n, err := t.find(id)
		if err != nil {
			return err
		}
		if n.up == nil {
			return rootRefused("group.root_rename", "Le {{.Name}} représente toute l'organisation : il ne peut pas être renommé.")
		}
		if n.name == clean {
			return nil
		}
		fold := core.Fold(clean)
		if c := n.up.child(fold); c != nil && c != n {
			return siblingConflict(n.up, clean)
		}
		before := n.path()
		at := now()
		if _, err := tx.ExecContext(ctx, `UPDATE groups SET name = ?, fold = ?, sort_key = ?, updated = ? WHERE id = ?`,
			clean, fold, core.NameKey(clean), at, id); err != nil {
			return err
		}
		oldName := n.name
		n.name, n.key = clean, core.NameKey(clean)
		return s.audit(ctx, tx, at, "group.rename", "group", id, change{
			Before: map[string]any{"name": oldName, "path": before},
			After:  map[string]any{"name": clean, "path": n.path()},
		})
	})
}

// MoveGroup moves a subgroup, with its own subgroups and members, under newParentID.
// Moving a group under itself or one of its subgroups is refused, as is moving the root.
func (s *Store) MoveGroup(ctx context.Context, id, newParentID int64) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		t, err := loadTree(ctx, tx)
		if err != nil {
			return err
		}
		n, err := t.find(id)
		if err != nil {
			return err
		}
		if n.up == nil {
			return rootRefused("group.root_move", "Le {{.Name}} contient tous les autres groupes : il ne peut pas être déplacé.")
		}
		p, err := t.find(newParentID)
		if err != nil {
			return err
		}
		if p == n.up {
			return nil
		}
		if p.within(n) {
			return core.Errorf(core.EConflict, "group.move_cycle",
				"Le groupe « {{.Group}} » ne peut pas être déplacé dans « {{.Target}} », qui est lui-même ou l'un de ses sous-groupes : choisissez un groupe situé ailleurs dans l'arbre.",
				map[string]any{"Group": n.label(), "Target": p.label()})
		}
		if p.child(n.fold) != nil {
			return siblingConflict(p, n.name)
		}
		before, oldParent := n.path(), n.parent
		at := now()
		if _, err := tx.ExecContext(ctx, `UPDATE groups SET parent_id = ?, updated = ? WHERE id = ?`, p.id, at, id); err != nil {
			return err
		}
		n.up, n.parent = p, p.id
		return s.audit(ctx, tx, at, "group.move", "group", id, change{
			Before: map[string]any{"parent_id": oldParent, "path": before},
			After:  map[string]any{"parent_id": p.id, "path": n.path()},
		})
	})
}

// subtreeSQL lists the id of group ?1 and of every group below it.
const subtreeSQL = `WITH RECURSIVE sub(id) AS (
	SELECT id FROM groups WHERE id = ?1
	UNION ALL
	SELECT g.id FROM groups g JOIN sub ON g.parent_id = sub.id)`

// GroupDeletionImpact tells what deleting a group would remove: the number of groups
// below it, and the number of distinct users who are members of it or of one of them
// (they stay in Convive, in the Groupe général).
func (s *Store) GroupDeletionImpact(ctx context.Context, id int64) (subgroups, members int, err error) {
	return s.deletionImpact(ctx, s.r, id)
}

func (s *Store) deletionImpact(ctx context.Context, q querier, id int64) (subgroups, members int, err error) {
	var exists, root bool
	err = q.QueryRowContext(ctx, `SELECT count(*) > 0, coalesce(max(parent_id IS NULL), 0) FROM groups WHERE id = ?`, id).Scan(&exists, &root)
	if err != nil {
		return 0, 0, s.dbError(err)
	}
	if !exists {
		return 0, 0, groupNotFound(id)
	}
	if root {
		return 0, 0, rootRefused("group.root_delete", "Le {{.Name}} représente toute l'organisation : il ne peut pas être supprimé.")
	}
	err = q.QueryRowContext(ctx, subtreeSQL+`
		SELECT (SELECT count(*) - 1 FROM sub),
		       (SELECT count(DISTINCT user_id) FROM memberships WHERE group_id IN (SELECT id FROM sub))`, id).
		Scan(&subgroups, &members)
	return subgroups, members, s.dbError(err)
}

// DeleteGroup deletes a subgroup, the groups below it and their memberships. Users
// are never deleted: they stay members of the Groupe général. The root is refused.
func (s *Store) DeleteGroup(ctx context.Context, id int64) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		subgroups, members, err := s.deletionImpact(ctx, tx, id)
		if err != nil {
			return err
		}
		t, err := loadTree(ctx, tx)
		if err != nil {
			return err
		}
		n, err := t.find(id)
		if err != nil {
			return err
		}
		at := now()
		if _, err := tx.ExecContext(ctx, `DELETE FROM groups WHERE id = ?`, id); err != nil {
			return err
		}
		return s.audit(ctx, tx, at, "group.delete", "group", id, change{Before: map[string]any{
			"name": n.name, "parent_id": n.parent, "path": n.path(), "subgroups": subgroups, "members": members,
		}})
	})
}

// AddMembers makes users direct members of a group; those already members are left
// as they are. Adding to the root group does nothing: everyone is in it.
func (s *Store) AddMembers(ctx context.Context, groupID int64, userIDs []int64) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		t, err := loadTree(ctx, tx)
		if err != nil {
			return err
		}
		g, err := t.find(groupID)
		if err != nil {
			return err
		}
		ids, err := existingUsers(ctx, tx, userIDs)
		if err != nil {
			return err
		}
		if g.up == nil {
			return nil
		}
		at := now()
		for _, uid := range ids {
			res, err := tx.ExecContext(ctx,
				`INSERT INTO memberships (group_id, user_id, added) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`, groupID, uid, at)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n == 0 {
				continue
			}
			if err := s.audit(ctx, tx, at, "membership.add", "user", uid, map[string]any{
				"group_id": groupID, "group": g.path(),
			}); err != nil {
				return err
			}
		}
		return nil
	})
}

// RemoveMembers takes users out of a group (not of its subgroups). Nobody can leave
// the root group.
func (s *Store) RemoveMembers(ctx context.Context, groupID int64, userIDs []int64) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		t, err := loadTree(ctx, tx)
		if err != nil {
			return err
		}
		g, err := t.find(groupID)
		if err != nil {
			return err
		}
		if g.up == nil {
			return rootRefused("group.root_leave", "Tout utilisateur fait partie du {{.Name}} : on ne peut pas l'en retirer. Désactivez plutôt son compte.")
		}
		at := now()
		for _, uid := range dedupe(userIDs) {
			res, err := tx.ExecContext(ctx, `DELETE FROM memberships WHERE group_id = ? AND user_id = ?`, groupID, uid)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n == 0 {
				continue
			}
			if err := s.audit(ctx, tx, at, "membership.remove", "user", uid, map[string]any{
				"group_id": groupID, "group": g.path(),
			}); err != nil {
				return err
			}
		}
		return nil
	})
}

// existingUsers returns ids without duplicates, or ENotFound naming the first unknown one.
func existingUsers(ctx context.Context, tx *sql.Tx, ids []int64) ([]int64, error) {
	ids = dedupe(ids)
	stmt, err := tx.PrepareContext(ctx, `SELECT count(*) FROM users WHERE id = ?`)
	if err != nil {
		return nil, err
	}
	defer stmt.Close()
	for _, id := range ids {
		var n int
		if err := stmt.QueryRowContext(ctx, id).Scan(&n); err != nil {
			return nil, err
		}
		if n == 0 {
			return nil, userNotFound(id)
		}
	}
	return ids, nil
}

func dedupe(ids []int64) []int64 {
	seen := make(map[int64]bool, len(ids))
	out := make([]int64, 0, len(ids))
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}
