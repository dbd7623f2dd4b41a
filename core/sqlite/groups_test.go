package sqlite_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"convive/core"
)

func TestGroupTree(t *testing.T) {
	ctx := context.Background()
	s := open(t)
	root, err := s.RootGroup(ctx)
	if err != nil {
		t.Fatal(err)
	}

	t.Run("creates a subgroup under the root with a cleaned name", func(t *testing.T) {
		g, err := s.CreateGroup(ctx, root.ID, "  Ventes  ")
		if err != nil {
			t.Fatal(err)
		}
		if g.Name != "Ventes" || g.ParentID != root.ID || g.Path != "Ventes" || g.Depth != 1 {
			t.Errorf("group = %+v", g)
		}
	})

	t.Run("ensures a path by creating only what is missing", func(t *testing.T) {
		g, err := s.EnsureGroupPath(ctx, "ventes / Région Sud/Marseille")
		if err != nil {
			t.Fatal(err)
		}
		if g.Path != "Ventes/Région Sud/Marseille" || g.Depth != 3 {
			t.Errorf("group = %+v", g)
		}
		again, err := s.EnsureGroupPath(ctx, "VENTES/region sud/marseille")
		if err != nil || again.ID != g.ID {
			t.Errorf("second EnsureGroupPath = %+v, %v; want the same group", again, err)
		}
		byPath, err := s.GroupByPath(ctx, "Ventes/REGION SUD")
		if err != nil || byPath.Name != "Région Sud" {
			t.Errorf("GroupByPath = %+v, %v", byPath, err)
		}
		if r, err := s.GroupByPath(ctx, ""); err != nil || !r.IsRoot() {
			t.Errorf("GroupByPath(\"\") = %+v, %v; want the root", r, err)
		}
		_, err = s.GroupByPath(ctx, "Ventes/Région Ouest")
		wantCode(t, err, core.ENotFound)
	})

	t.Run("refuses a sibling with the same name whatever the case and accents", func(t *testing.T) {
		ventes, _ := s.GroupByPath(ctx, "Ventes")
		_, err := s.CreateGroup(ctx, ventes.ID, "REGION SUD")
		ce := wantCode(t, err, core.EConflict)
		if !strings.Contains(ce.Error(), "« Ventes » contient déjà un sous-groupe « REGION SUD »") {
			t.Errorf("message = %q", ce.Error())
		}
	})

	t.Run("refuses empty names and names with a slash", func(t *testing.T) {
		_, err := s.CreateGroup(ctx, root.ID, "   ")
		wantCode(t, err, core.EInvalid)
		_, err = s.CreateGroup(ctx, root.ID, "A/B")
		wantCode(t, err, core.EInvalid)
		_, err = s.CreateGroup(ctx, 999, "Orphelin")
		wantCode(t, err, core.ENotFound)
	})

	t.Run("lists the tree depth-first with siblings in French order", func(t *testing.T) {
		for _, p := range []string{"Zèbre", "Achats", "Écoles", "Ventes/Région Nord", "Ecole"} {
			if _, err := s.EnsureGroupPath(ctx, p); err != nil {
				t.Fatal(err)
			}
		}
		gs, err := s.Groups(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, g := range gs {
			got = append(got, strings.Repeat(".", g.Depth)+g.Name)
		}
		want := []string{"Groupe général", ".Achats", ".Ecole", ".Écoles", ".Ventes",
			"..Région Nord", "..Région Sud", "...Marseille", ".Zèbre"}
		if !slices.Equal(got, want) {
			t.Errorf("tree = %q\nwant   %q", got, want)
		}
	})

	t.Run("renames a group and keeps the root name fixed", func(t *testing.T) {
		g, _ := s.GroupByPath(ctx, "Zèbre")
		if err := s.RenameGroup(ctx, g.ID, "Zébu"); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.Group(ctx, g.ID); got.Name != "Zébu" {
			t.Errorf("name after rename = %q", got.Name)
		}
		if err := s.RenameGroup(ctx, g.ID, "zebu"); err != nil {
			t.Errorf("changing only the case of a name: %v", err)
		}
		err := s.RenameGroup(ctx, g.ID, "Achats")
		wantCode(t, err, core.EConflict)
		err = s.RenameGroup(ctx, root.ID, "Tout le monde")
		wantCode(t, err, core.EInvalid)
		a, _ := s.Audit(ctx, "group", g.ID)
		if len(a) != 3 || a[1].Action != "group.rename" || !strings.Contains(a[1].Detail, `"Zèbre"`) {
			t.Errorf("audit = %+v", a)
		}
	})

	t.Run("moves a group with its subtree and refuses cycles", func(t *testing.T) {
		sud, _ := s.GroupByPath(ctx, "Ventes/Région Sud")
		marseille, _ := s.GroupByPath(ctx, "Ventes/Région Sud/Marseille")
		achats, _ := s.GroupByPath(ctx, "Achats")
		err := s.MoveGroup(ctx, sud.ID, marseille.ID)
		ce := wantCode(t, err, core.EConflict)
		if !strings.Contains(ce.Error(), "« Ventes/Région Sud »") {
			t.Errorf("message = %q", ce.Error())
		}
		wantCode(t, s.MoveGroup(ctx, sud.ID, sud.ID), core.EConflict)
		wantCode(t, s.MoveGroup(ctx, root.ID, achats.ID), core.EInvalid)

		if err := s.MoveGroup(ctx, sud.ID, achats.ID); err != nil {
			t.Fatal(err)
		}
		if g, _ := s.Group(ctx, marseille.ID); g.Path != "Achats/Région Sud/Marseille" || g.Depth != 3 {
			t.Errorf("after move: %+v", g)
		}
		a, _ := s.Audit(ctx, "group", sud.ID)
		if last := a[len(a)-1]; last.Action != "group.move" || !strings.Contains(last.Detail, "Achats/Région Sud") {
			t.Errorf("audit = %+v", last)
		}
	})

	t.Run("refuses to move a group next to a sibling of the same name", func(t *testing.T) {
		nord, _ := s.GroupByPath(ctx, "Ventes/Région Nord")
		if _, err := s.EnsureGroupPath(ctx, "Achats/Région Nord"); err != nil {
			t.Fatal(err)
		}
		achats, _ := s.GroupByPath(ctx, "Achats")
		wantCode(t, s.MoveGroup(ctx, nord.ID, achats.ID), core.EConflict)
	})

	t.Run("deletes a subtree and its memberships but never the users", func(t *testing.T) {
		achats, _ := s.GroupByPath(ctx, "Achats")
		marseille, _ := s.GroupByPath(ctx, "Achats/Région Sud/Marseille")
		ecole, _ := s.GroupByPath(ctx, "Ecole")
		a := mustUser(t, s, "a@example.com", "Anne", "A", achats.ID, marseille.ID)
		b := mustUser(t, s, "b@example.com", "Bruno", "B", marseille.ID, ecole.ID)
		mustUser(t, s, "c@example.com", "Chloé", "C", ecole.ID)

		sub, members, err := s.GroupDeletionImpact(ctx, achats.ID)
		if err != nil {
			t.Fatal(err)
		}
		if sub != 3 || members != 2 {
			t.Errorf("impact = %d subgroups, %d members; want 3, 2", sub, members)
		}
		if err := s.DeleteGroup(ctx, achats.ID); err != nil {
			t.Fatal(err)
		}
		for _, id := range []int64{achats.ID, marseille.ID} {
			_, err := s.Group(ctx, id)
			wantCode(t, err, core.ENotFound)
		}
		if n, _ := s.CountUsers(ctx, core.UserFilter{}); n != 3 {
			t.Errorf("%d users after deleting a group, want 3", n)
		}
		if got, _ := s.User(ctx, a.ID); len(got.Groups) != 0 {
			t.Errorf("groups of a = %v", got.Groups)
		}
		if got, _ := s.User(ctx, b.ID); !slices.Equal(got.Groups, []string{"Ecole"}) {
			t.Errorf("groups of b = %v", got.Groups)
		}
		audit, _ := s.Audit(ctx, "group", achats.ID)
		if last := audit[len(audit)-1]; last.Action != "group.delete" || !strings.Contains(last.Detail, `"subgroups":3`) {
			t.Errorf("audit = %+v", last)
		}
		wantCode(t, s.DeleteGroup(ctx, root.ID), core.EInvalid)
		_, _, err = s.GroupDeletionImpact(ctx, achats.ID)
		wantCode(t, err, core.ENotFound)
	})

	t.Run("counts direct members, and every user in the root", func(t *testing.T) {
		gs, _ := s.Groups(ctx)
		counts := map[string]int{}
		for _, g := range gs {
			counts[g.Path] = g.Members
		}
		if counts[""] != 3 || counts["Ecole"] != 2 || counts["Ventes"] != 0 {
			t.Errorf("counts = %v", counts)
		}
		ecole, _ := s.GroupByPath(ctx, "ecole")
		if ecole.Members != 2 {
			t.Errorf("GroupByPath members = %d", ecole.Members)
		}
	})
}

func TestMembers(t *testing.T) {
	ctx := context.Background()
	s := open(t)
	root, _ := s.RootGroup(ctx)
	g, _ := s.EnsureGroupPath(ctx, "Ventes")
	a := mustUser(t, s, "a@example.com", "Anne", "A")
	b := mustUser(t, s, "b@example.com", "Bruno", "B")

	t.Run("adds users once and audits each addition on the user", func(t *testing.T) {
		if err := s.AddMembers(ctx, g.ID, []int64{a.ID, b.ID, a.ID}); err != nil {
			t.Fatal(err)
		}
		if err := s.AddMembers(ctx, g.ID, []int64{a.ID}); err != nil {
			t.Fatal(err)
		}
		if n, _ := s.CountUsers(ctx, core.UserFilter{GroupID: g.ID}); n != 2 {
			t.Errorf("%d members, want 2", n)
		}
		audit, _ := s.Audit(ctx, "user", a.ID)
		var adds int
		for _, e := range audit {
			if e.Action == "membership.add" {
				adds++
			}
		}
		if adds != 1 {
			t.Errorf("%d membership.add rows for a, want 1", adds)
		}
		if ids, _ := s.UserGroupIDs(ctx, a.ID); !slices.Equal(ids, []int64{g.ID}) {
			t.Errorf("UserGroupIDs = %v", ids)
		}
	})

	t.Run("refuses unknown users and adds nobody then", func(t *testing.T) {
		other, _ := s.EnsureGroupPath(ctx, "Achats")
		wantCode(t, s.AddMembers(ctx, other.ID, []int64{a.ID, 777}), core.ENotFound)
		if n, _ := s.CountUsers(ctx, core.UserFilter{GroupID: other.ID}); n != 0 {
			t.Errorf("%d members after a refused addition", n)
		}
	})

	t.Run("adding to the root changes nothing and removing from it is refused", func(t *testing.T) {
		if err := s.AddMembers(ctx, root.ID, []int64{a.ID}); err != nil {
			t.Fatal(err)
		}
		wantCode(t, s.RemoveMembers(ctx, root.ID, []int64{a.ID}), core.EInvalid)
	})

	t.Run("removes users from a group and audits it", func(t *testing.T) {
		if err := s.RemoveMembers(ctx, g.ID, []int64{a.ID}); err != nil {
			t.Fatal(err)
		}
		us, _ := s.Users(ctx, core.UserFilter{GroupID: g.ID})
		if got := logins(us); !slices.Equal(got, []string{"b@example.com"}) {
			t.Errorf("members = %v", got)
		}
		audit, _ := s.Audit(ctx, "user", a.ID)
		if last := audit[len(audit)-1]; last.Action != "membership.remove" || !strings.Contains(last.Detail, `"Ventes"`) {
			t.Errorf("audit = %+v", last)
		}
	})
}
