package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"unicode/utf8"

	"convive/core"
)

// maxPersonName bounds a first or last name, in characters.
const maxPersonName = 100

// userCols are the columns scanUser reads, in order.
const userCols = `u.id, u.login, u.email, u.first_name, u.last_name, u.language, u.role, u.status, u.created, u.updated`

func scanUser(sc interface{ Scan(...any) error }) (core.User, error) {
	var u core.User
	var created, updated sql.NullInt64
	err := sc.Scan(&u.ID, &u.Login, &u.Email, &u.FirstName, &u.LastName, &u.Language, &u.Role, &u.Status, &created, &updated)
	u.Created, u.Updated = fromMillis(created), fromMillis(updated)
	return u, err
}

func userNotFound(id int64) *core.Error {
	return core.Errorf(core.ENotFound, "user.not_found",
		"L'utilisateur n° {{.ID}} n'existe pas (il a peut-être été supprimé entre-temps). Actualisez la liste.",
		map[string]any{"ID": id})
}

// searchKeys are the derived columns that make searching and sorting work in SQL.
type searchKeys struct {
	fold                string
	sortLast, sortFirst []byte
}

// keysOf derives the search and sort columns of a user. A user with no name at all
// sorts by login, among the others, rather than all at the top.
func keysOf(login, first, last string) searchKeys {
	byLast := core.CleanName(last + " " + first)
	byFirst := core.CleanName(first + " " + last)
	if byLast == "" {
		byLast, byFirst = login, login
	}
	return searchKeys{
		fold:      core.Fold(login + " " + first + " " + last),
		sortLast:  core.SortKey(byLast),
		sortFirst: core.SortKey(byFirst),
	}
}

// keyMaker derives the keys of many users, as keysOf does, folding each distinct name
// once: an import repeats the same first and last names over thousands of rows. The
// names must be clean (core.CleanName), as the import planner leaves them.
type keyMaker struct {
	folds map[string]string
}

func (m *keyMaker) fold(s string) string {
	f, ok := m.folds[s]
	if !ok {
		if m.folds == nil {
			m.folds = map[string]string{}
		}
		f = core.Fold(s)
		m.folds[s] = f
	}
	return f
}

func (m *keyMaker) keys(login, first, last string) searchKeys {
	byLast, byFirst := login, login
	switch {
	case first != "" && last != "":
		byLast, byFirst = last+" "+first, first+" "+last
	case first != "":
		byLast, byFirst = first, first
	case last != "":
		byLast, byFirst = last, last
	}
	return searchKeys{
		fold:      core.Fold(login) + " " + m.fold(first) + " " + m.fold(last),
		sortLast:  core.SortKey(byLast),
		sortFirst: core.SortKey(byFirst),
	}
}

func checkPersonName(field, value string) (string, error) {
	clean := core.CleanName(value)
	if utf8.RuneCountInString(clean) > maxPersonName {
		return "", core.Errorf(core.EInvalid, "user.name_long",
			"Le {{.Field}} « {{.Name}} » dépasse {{.Max}} caractères : raccourcissez-le.",
			map[string]any{"Field": field, "Name": clean, "Max": maxPersonName})
	}
	return clean, nil
}

func checkLanguage(l core.Language) (core.Language, error) {
	if l == "" {
		return core.LangFR, nil
	}
	if slices.Contains(core.Languages, l) {
		return l, nil
	}
	return "", core.Errorf(core.EInvalid, "user.language",
		"La langue « {{.Value}} » n'est pas proposée : choisissez le français (fr) ou l'anglais (en).",
		map[string]any{"Value": string(l)})
}

func checkRole(r core.Role) (core.Role, error) {
	if r == "" {
		return core.RoleLearner, nil
	}
	if slices.Contains(core.Roles, r) {
		return r, nil
	}
	return "", core.Errorf(core.EInvalid, "user.role",
		"Le rôle « {{.Value}} » n'existe pas : choisissez apprenant (learner), formateur (coach) ou administrateur (admin).",
		map[string]any{"Value": string(r)})
}

func checkStatus(st core.UserStatus) (core.UserStatus, error) {
	switch st {
	case "":
		return core.StatusActive, nil
	case core.StatusInvited, core.StatusActive, core.StatusDisabled:
		return st, nil
	}
	return "", core.Errorf(core.EInvalid, "user.status",
		"Le statut « {{.Value}} » n'existe pas : choisissez invité (invited), actif (active) ou désactivé (disabled).",
		map[string]any{"Value": string(st)})
}

// loginTaken says that key is already somebody's login.
func loginTaken(ctx context.Context, q querier, addr core.Address) error {
	var owner string
	err := q.QueryRowContext(ctx, `SELECT login FROM users WHERE login_key = ?`, addr.Key).Scan(&owner)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return err
	}
	return core.Errorf(core.EConflict, "user.login_taken",
		"L'adresse « {{.Address}} » est déjà utilisée comme identifiant (par « {{.Owner}} », les majuscules ne comptent pas) : choisissez une autre adresse, ou un alias avec # (par exemple prenom.nom#formation@…).",
		map[string]any{"Address": addr.Login, "Owner": owner})
}

// newUserFields are the checked fields of a core.NewUser.
type newUserFields struct {
	addr        core.Address
	first, last string
	lang        core.Language
	role        core.Role
	status      core.UserStatus
}

// checkNewUser validates every field of n, the same way for every path that creates
// an account (CreateUser, Provision).
func checkNewUser(n core.NewUser) (newUserFields, error) {
	var f newUserFields
	var err error
	if f.addr, err = core.ParseAddress(n.Login); err != nil {
		return f, err
	}
	if f.first, err = checkPersonName("prénom", n.FirstName); err != nil {
		return f, err
	}
	if f.last, err = checkPersonName("nom", n.LastName); err != nil {
		return f, err
	}
	if f.lang, err = checkLanguage(n.Language); err != nil {
		return f, err
	}
	if f.role, err = checkRole(n.Role); err != nil {
		return f, err
	}
	if f.status, err = checkStatus(n.Status); err != nil {
		return f, err
	}
	return f, nil
}

// CreateUser creates a user: the login is validated by core.ParseAddress and must not
// be taken (case-insensitively), names are cleaned and stored NFC, and the user joins
// the given subgroups besides the Groupe général. The creation is audited.
func (s *Store) CreateUser(ctx context.Context, n core.NewUser) (core.User, error) {
	f, err := checkNewUser(n)
	if err != nil {
		return core.User{}, err
	}
	addr, first, last, lang, role, status := f.addr, f.first, f.last, f.lang, f.role, f.status
	var u core.User
	err = s.write(ctx, func(tx *sql.Tx) error {
		if err := loginTaken(ctx, tx, addr); err != nil {
			return err
		}
		t, err := loadTree(ctx, tx)
		if err != nil {
			return err
		}
		groups, err := subgroupSet(t, n.GroupIDs)
		if err != nil {
			return err
		}
		at := now()
		ins, err := newUserInserter(ctx, tx)
		if err != nil {
			return err
		}
		defer ins.Close()
		id, err := ins.insert(ctx, userRow{addr: addr, first: first, last: last, language: lang, role: role, status: status, created: at})
		if err != nil {
			return err
		}
		for _, g := range groups {
			if _, err := tx.ExecContext(ctx, `INSERT INTO memberships (group_id, user_id, added) VALUES (?, ?, ?)`, g.id, id, at); err != nil {
				return err
			}
		}
		if err := s.audit(ctx, tx, at, "user.create", "user", id, change{After: map[string]any{
			"login": addr.Login, "email": addr.Email, "first_name": first, "last_name": last,
			"language": lang, "role": role, "status": status, "groups": paths(groups),
		}}); err != nil {
			return err
		}
		u, err = s.user(ctx, tx, `u.id = ?`, id)
		return err
	})
	return u, err
}

// userRow is a checked user about to be inserted.
type userRow struct {
	addr        core.Address
	first, last string
	language    core.Language
	role        core.Role
	status      core.UserStatus
	created     int64
	batchID     int64 // 0 when not from an import
}

// userInserter writes new users with their search entry. Every creation of a user
// goes through it: users_search has no insert trigger, because a trigger makes SQLite
// flush the trigram index after each row, which made filling 100 000 users four
// times slower. Updates and deletions keep their triggers.
type userInserter struct {
	user, search *sql.Stmt
}

func newUserInserter(ctx context.Context, tx *sql.Tx) (*userInserter, error) {
	user, err := tx.PrepareContext(ctx, `INSERT INTO users
		(login, login_key, first_name, last_name, language, role, status, fold, sort_last, sort_first, created, updated, batch_id)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return nil, err
	}
	search, err := tx.PrepareContext(ctx, `INSERT INTO users_search (rowid, fold) VALUES (?, ?)`)
	if err != nil {
		user.Close()
		return nil, err
	}
	return &userInserter{user: user, search: search}, nil
}

// insert adds one user and returns its id.
func (in *userInserter) insert(ctx context.Context, r userRow) (int64, error) {
	k := keysOf(r.addr.Login, r.first, r.last)
	var batch any
	if r.batchID != 0 {
		batch = r.batchID
	}
	res, err := in.user.ExecContext(ctx, r.addr.Login, r.addr.Key, r.first, r.last,
		string(r.language), string(r.role), string(r.status), k.fold, k.sortLast, k.sortFirst, r.created, r.created, batch)
	if err != nil {
		return 0, err
	}
	id, err := res.LastInsertId()
	if err != nil {
		return 0, err
	}
	_, err = in.search.ExecContext(ctx, id, k.fold)
	return id, err
}

// Close releases the prepared statements.
func (in *userInserter) Close() error {
	return errors.Join(in.user.Close(), in.search.Close())
}

// subgroupSet resolves group ids to nodes, without the root and without duplicates.
func subgroupSet(t *tree, ids []int64) ([]*node, error) {
	var out []*node
	for _, id := range dedupe(ids) {
		n, err := t.find(id)
		if err != nil {
			return nil, err
		}
		if n.up != nil {
			out = append(out, n)
		}
	}
	return out, nil
}

// paths returns the groups' paths in French order.
func paths(ns []*node) []string {
	out := make([]string, 0, len(ns))
	for _, n := range ns {
		out = append(out, n.path())
	}
	slices.SortFunc(out, core.CompareFrench)
	return out
}

// UpdateUser changes the fields of upd that are not nil and returns the user as
// stored. Only actual changes are written and audited, with their before and after.
func (s *Store) UpdateUser(ctx context.Context, id int64, upd core.UserUpdate) (core.User, error) {
	var u core.User
	err := s.write(ctx, func(tx *sql.Tx) error {
		old, err := s.user(ctx, tx, `u.id = ?`, id)
		if errors.Is(err, sql.ErrNoRows) {
			return userNotFound(id)
		}
		if err != nil {
			return err
		}
		next := old
		c := change{Before: map[string]any{}, After: map[string]any{}}
		if upd.FirstName != nil {
			if next.FirstName, err = checkPersonName("prénom", *upd.FirstName); err != nil {
				return err
			}
		}
		if upd.LastName != nil {
			if next.LastName, err = checkPersonName("nom", *upd.LastName); err != nil {
				return err
			}
		}
		if upd.Language != nil {
			if next.Language, err = checkLanguage(*upd.Language); err != nil {
				return err
			}
		}
		if upd.Role != nil {
			if next.Role, err = checkRole(*upd.Role); err != nil {
				return err
			}
		}
		if upd.Status != nil {
			if next.Status, err = checkStatus(*upd.Status); err != nil {
				return err
			}
		}
		diff := func(field string, before, after any) {
			if before != after {
				c.Before[field], c.After[field] = before, after
			}
		}
		diff("first_name", old.FirstName, next.FirstName)
		diff("last_name", old.LastName, next.LastName)
		diff("language", old.Language, next.Language)
		diff("role", old.Role, next.Role)
		diff("status", old.Status, next.Status)
		at := now()
		if upd.GroupIDs != nil {
			t, err := loadTree(ctx, tx)
			if err != nil {
				return err
			}
			want, err := subgroupSet(t, *upd.GroupIDs)
			if err != nil {
				return err
			}
			have, err := userGroupIDs(ctx, tx, id)
			if err != nil {
				return err
			}
			wantIDs := make([]int64, 0, len(want))
			for _, g := range want {
				wantIDs = append(wantIDs, g.id)
				if !slices.Contains(have, g.id) {
					if _, err := tx.ExecContext(ctx, `INSERT INTO memberships (group_id, user_id, added) VALUES (?, ?, ?)`, g.id, id, at); err != nil {
						return err
					}
				}
			}
			for _, gid := range have {
				if !slices.Contains(wantIDs, gid) {
					if _, err := tx.ExecContext(ctx, `DELETE FROM memberships WHERE group_id = ? AND user_id = ?`, gid, id); err != nil {
						return err
					}
				}
			}
			if after := paths(want); !slices.Equal(old.Groups, after) {
				c.Before["groups"], c.After["groups"] = old.Groups, after
			}
		}
		if len(c.After) == 0 {
			u = old
			return nil
		}
		k := keysOf(next.Login, next.FirstName, next.LastName)
		if _, err := tx.ExecContext(ctx, `UPDATE users SET first_name = ?, last_name = ?, language = ?, role = ?, status = ?,
			fold = ?, sort_last = ?, sort_first = ?, updated = ? WHERE id = ?`,
			next.FirstName, next.LastName, next.Language, next.Role, next.Status,
			k.fold, k.sortLast, k.sortFirst, at, id); err != nil {
			return err
		}
		if err := s.audit(ctx, tx, at, "user.update", "user", id, c); err != nil {
			return err
		}
		u, err = s.user(ctx, tx, `u.id = ?`, id)
		return err
	})
	return u, err
}

// User returns one user with the paths of their subgroups.
func (s *Store) User(ctx context.Context, id int64) (core.User, error) {
	u, err := s.user(ctx, s.r, `u.id = ?`, id)
	if errors.Is(err, sql.ErrNoRows) {
		return u, userNotFound(id)
	}
	return u, s.dbError(err)
}

// UserByLogin finds a user by login, ignoring the case of the address.
func (s *Store) UserByLogin(ctx context.Context, login string) (core.User, error) {
	addr, err := core.ParseAddress(login)
	if err != nil {
		return core.User{}, err
	}
	u, err := s.user(ctx, s.r, `u.login_key = ?`, addr.Key)
	if errors.Is(err, sql.ErrNoRows) {
		return u, core.Errorf(core.ENotFound, "user.login_not_found",
			"Aucun utilisateur n'a l'identifiant « {{.Address}} ».", map[string]any{"Address": addr.Login})
	}
	return u, s.dbError(err)
}

// user reads the one user matching where (with its argument), Groups filled.
func (s *Store) user(ctx context.Context, q querier, where string, arg any) (core.User, error) {
	u, err := scanUser(q.QueryRowContext(ctx, `SELECT `+userCols+` FROM users u WHERE `+where, arg))
	if err != nil {
		return u, err
	}
	us := []core.User{u}
	err = fillGroups(ctx, q, us)
	return us[0], err
}

// UserGroupIDs returns the ids of the subgroups a user is a direct member of (the
// root group, implicit, is not listed).
func (s *Store) UserGroupIDs(ctx context.Context, id int64) ([]int64, error) {
	var n int
	if err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM users WHERE id = ?`, id).Scan(&n); err != nil {
		return nil, s.dbError(err)
	}
	if n == 0 {
		return nil, userNotFound(id)
	}
	ids, err := userGroupIDs(ctx, s.r, id)
	return ids, s.dbError(err)
}

func userGroupIDs(ctx context.Context, q querier, id int64) ([]int64, error) {
	rows, err := q.QueryContext(ctx, `SELECT group_id FROM memberships WHERE user_id = ? ORDER BY group_id`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	ids := []int64{}
	for rows.Next() {
		var g int64
		if err := rows.Scan(&g); err != nil {
			return nil, err
		}
		ids = append(ids, g)
	}
	return ids, rows.Err()
}

// groupPathsSQL lists (user, group path) for the users whose ids are in the JSON array
// ?1, computing every path in the same query.
const groupPathsSQL = `WITH RECURSIVE tree(id, path) AS (
	SELECT id, '' FROM groups WHERE parent_id IS NULL
	UNION ALL
	SELECT g.id, CASE WHEN t.path = '' THEN g.name ELSE t.path || '/' || g.name END
	FROM groups g JOIN tree t ON g.parent_id = t.id)
SELECT m.user_id, t.path FROM memberships m JOIN tree t ON t.id = m.group_id
WHERE m.user_id IN (SELECT value FROM json_each(?1))`

// fillGroups sets the Groups of every user in us with one query, whatever their number.
func fillGroups(ctx context.Context, q querier, us []core.User) error {
	if len(us) == 0 {
		return nil
	}
	ids := make([]int64, len(us))
	at := make(map[int64]int, len(us))
	for i, u := range us {
		ids[i] = u.ID
		at[u.ID] = i
	}
	b, err := json.Marshal(ids)
	if err != nil {
		return err
	}
	rows, err := q.QueryContext(ctx, groupPathsSQL, string(b))
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var p string
		if err := rows.Scan(&id, &p); err != nil {
			return err
		}
		if i, ok := at[id]; ok {
			us[i].Groups = append(us[i].Groups, p)
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	for i := range us {
		if us[i].Groups == nil {
			us[i].Groups = []string{}
		}
		slices.SortFunc(us[i].Groups, core.CompareFrench)
	}
	return nil
}

// sortOrder is how SQL orders users for one sortable column: by cols, then by id.
// index holds that order; byStatus, when set, holds it within one status.
type sortOrder struct {
	cols            []string
	index, byStatus string
}

// sortColumns maps the sortable columns to their order. Namesakes (equal sort keys)
// go by status then id, the order of the indexes, which carry the status so that a
// status filter is checked without reading the users rows.
var sortColumns = map[core.UserSort]sortOrder{
	"":                 {[]string{"u.sort_last", "u.status"}, "users_sort_last", "users_status"},
	core.SortLastName:  {[]string{"u.sort_last", "u.status"}, "users_sort_last", "users_status"},
	core.SortFirstName: {[]string{"u.sort_first", "u.status"}, "users_sort_first", "users_sort_first"},
	core.SortLogin:     {[]string{"u.login_key", "u.status"}, "users_sort_login", "users_sort_login"},
	core.SortStatus:    {[]string{"u.status", "u.sort_last"}, "users_status", "users_status"},
	core.SortCreated:   {[]string{"u.created", "u.status"}, "users_created", "users_created"},
}

// orderBy returns the ORDER BY clause of o.
func (o sortOrder) orderBy(desc bool) string {
	dir := " ASC"
	if desc {
		dir = " DESC"
	}
	var b strings.Builder
	b.WriteString(` ORDER BY `)
	for _, c := range o.cols {
		b.WriteString(c + dir + `, `)
	}
	b.WriteString(`u.id` + dir)
	return b.String()
}

// likeEscaper protects the LIKE wildcards a person may type.
var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

// userQuery is a user filter turned into SQL.
type userQuery struct {
	join     string // the membership join of a group filter, with joinArgs
	joinArgs []any
	status   string   // "" for every status
	fts      []string // LIKE patterns of the words of three letters or more, for the trigram index
	likes    []string // LIKE patterns of the shorter words
}

// buildQuery turns f into SQL. A search word of three letters or more is looked up in
// the trigram index users_search, which matches exactly what LIKE '%word%' on the
// fold would, in milliseconds; shorter words are checked with LIKE on the narrow
// index users_fold rather than on the wide users rows.
func (s *Store) buildQuery(f core.UserFilter) (userQuery, error) {
	var q userQuery
	if f.GroupID != 0 && f.GroupID != s.rootID {
		q.join = ` JOIN memberships m ON m.user_id = u.id AND m.group_id = ?`
		q.joinArgs = []any{f.GroupID}
	}
	if f.Status != "" {
		if _, err := checkStatus(f.Status); err != nil {
			return q, err
		}
		q.status = string(f.Status)
	}
	for _, w := range strings.Fields(core.Fold(f.Search)) {
		if utf8.RuneCountInString(w) >= 3 {
			q.fts = append(q.fts, "%"+w+"%")
			if !strings.ContainsAny(w, `%_`) {
				continue
			}
			// the index reads % and _ as wildcards: it finds more, and the fold
			// itself is checked for the word as written
		}
		q.likes = append(q.likes, "%"+likeEscaper.Replace(w)+"%")
	}
	return q, nil
}

// match returns the query of the ids the long words find in the trigram index, and
// its arguments.
func (q userQuery) match() (string, []any) {
	args := make([]any, len(q.fts))
	for i, p := range q.fts {
		args[i] = p
	}
	return `SELECT rowid FROM users_search WHERE fold LIKE ?` + strings.Repeat(` AND fold LIKE ?`, len(q.fts)-1), args
}

// usersMatching returns a query of the ids of the users whose search text holds word
// (three letters or more), through the trigram index, and its arguments.
func usersMatching(word string) (string, []any) {
	if !strings.ContainsAny(word, `%_`) {
		return `SELECT rowid FROM users_search WHERE fold LIKE ?`, []any{"%" + word + "%"}
	}
	return `SELECT id FROM users WHERE id IN (SELECT rowid FROM users_search WHERE fold LIKE ?) AND fold LIKE ? ESCAPE '\'`,
		[]any{"%" + word + "%", "%" + likeEscaper.Replace(word) + "%"}
}

// from returns "FROM … WHERE …" and its arguments. indexed, when set, forces the index
// that walks the rows in sort order, picking the matches as they come. ids, when set,
// is a JSON array of the ids the search words match, found beforehand.
func (q userQuery) from(indexed, ids string) (string, []any) {
	var b strings.Builder
	args := slices.Clone(q.joinArgs)
	b.WriteString(` FROM users u`)
	if indexed != "" {
		b.WriteString(` INDEXED BY ` + indexed)
	}
	b.WriteString(q.join)
	b.WriteString(` WHERE 1`)
	if q.status != "" {
		b.WriteString(` AND u.status = ?`)
		args = append(args, q.status)
	}
	for _, l := range q.likes {
		b.WriteString(` AND u.fold LIKE ? ESCAPE '\'`)
		args = append(args, l)
	}
	switch {
	case ids != "":
		b.WriteString(` AND u.id IN (SELECT value FROM json_each(?))`)
		args = append(args, ids)
	case len(q.fts) > 0:
		m, margs := q.match()
		b.WriteString(` AND u.id IN (` + m + `)`)
		args = append(args, margs...)
	}
	return b.String(), args
}

// walkThreshold is the number of search matches above which a page is read by walking
// the sort index and picking the matches, rather than fetching every match and
// sorting them: "gmail" matches most users and a page of them is found at once.
const walkThreshold = 3000

// candidates returns the ids of the users the search words match, as a JSON array,
// or "" when there are more than walkThreshold of them. It reads the trigram index
// for long words, the narrow users_fold index for short ones, and stops early when
// the words are common.
func (s *Store) candidates(ctx context.Context, q userQuery) (string, error) {
	var rows *sql.Rows
	var err error
	if len(q.fts) > 0 {
		m, args := q.match()
		rows, err = s.r.QueryContext(ctx, m+` LIMIT ?`, append(args, walkThreshold+1)...)
	} else {
		conds := strings.Repeat(` AND fold LIKE ? ESCAPE '\'`, len(q.likes))
		args := make([]any, 0, len(q.likes)+1)
		for _, l := range q.likes {
			args = append(args, l)
		}
		rows, err = s.r.QueryContext(ctx, `SELECT id FROM users INDEXED BY users_fold WHERE 1`+conds+` LIMIT ?`, append(args, walkThreshold+1)...)
	}
	if err != nil {
		return "", err
	}
	defer rows.Close()
	ids := make([]int64, 0, 64)
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return "", err
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil || len(ids) > walkThreshold {
		return "", err
	}
	b, err := json.Marshal(ids)
	return string(b), err
}

// Users returns one page of users, filtered, sorted and paged in SQL, each with the
// paths of their subgroups.
func (s *Store) Users(ctx context.Context, f core.UserFilter) ([]core.User, error) {
	sc, ok := sortColumns[f.Sort]
	if !ok {
		return nil, core.Errorf(core.EInvalid, "user.sort", "La liste des utilisateurs ne peut pas être triée par « {{.Sort}} ».",
			map[string]any{"Sort": string(f.Sort)})
	}
	q, err := s.buildQuery(f)
	if err != nil {
		return nil, err
	}
	// SQLite cannot tell how many rows a search gives. Few: fetch them by id and sort
	// them. Many: walk the sort index and pick them as they come, a page is soon full.
	// Without a search the sort index is walked too, where SQLite would rather fetch
	// every user of a status and sort them all. A group's members are few enough to
	// start from in any case.
	indexed, ids := "", ""
	if q.join == "" {
		if len(q.fts) > 0 || len(q.likes) > 0 {
			if ids, err = s.candidates(ctx, q); err != nil {
				return nil, s.dbError(err)
			}
		}
		if ids == "" {
			indexed = sc.index
			if q.status != "" {
				indexed = sc.byStatus
			}
		}
	}
	from, args := q.from(indexed, ids)
	limit := f.Limit
	if limit <= 0 {
		limit = -1
	}
	query := `SELECT ` + userCols + from + sc.orderBy(f.Desc) + ` LIMIT ? OFFSET ?`
	args = append(args, limit, max(f.Offset, 0))
	rows, err := s.r.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, s.dbError(err)
	}
	defer rows.Close()
	us := []core.User{}
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, s.dbError(err)
		}
		us = append(us, u)
	}
	if err := rows.Err(); err != nil {
		return nil, s.dbError(err)
	}
	rows.Close()
	return us, s.dbError(fillGroups(ctx, s.r, us))
}

// CountUsers returns how many users match f (its paging and sorting aside).
func (s *Store) CountUsers(ctx context.Context, f core.UserFilter) (int, error) {
	q, err := s.buildQuery(f)
	if err != nil {
		return 0, err
	}
	var n int
	if len(q.fts) > 0 && q.join == "" && q.status == "" && len(q.likes) == 0 {
		// The index alone knows the answer; the users table need not be read.
		m, args := q.match()
		err = s.r.QueryRowContext(ctx, `SELECT count(*) FROM (`+m+`)`, args...).Scan(&n)
		return n, s.dbError(err)
	}
	indexed := ""
	if len(q.fts) == 0 && q.join == "" && len(q.likes) > 0 {
		// Short words, and maybe a status: users_fold holds both.
		indexed = "users_fold"
	}
	from, args := q.from(indexed, "")
	err = s.r.QueryRowContext(ctx, `SELECT count(*)`+from, args...).Scan(&n)
	return n, s.dbError(err)
}
