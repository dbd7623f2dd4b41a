package sqlite_test

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"convive/core"
	"convive/core/sqlite"
)

func mustUser(t *testing.T, s *sqlite.Store, login, first, last string, groups ...int64) core.User {
	t.Helper()
	u, err := s.CreateUser(context.Background(), core.NewUser{Login: login, FirstName: first, LastName: last, GroupIDs: groups})
	if err != nil {
		t.Fatalf("CreateUser(%s): %v", login, err)
	}
	return u
}

func logins(us []core.User) []string {
	out := make([]string, len(us))
	for i, u := range us {
		out[i] = u.Login
	}
	return out
}

func lastNames(us []core.User) []string {
	out := make([]string, len(us))
	for i, u := range us {
		out[i] = u.LastName
	}
	return out
}

func TestCreateUser(t *testing.T) {
	ctx := context.Background()
	s := open(t)

	t.Run("stores the user with defaults and normalised fields", func(t *testing.T) {
		u, err := s.CreateUser(ctx, core.NewUser{Login: " Jean@Example.COM ", FirstName: "  Jean ", LastName: "Le\u0301ger  Dupont"})
		if err != nil {
			t.Fatal(err)
		}
		if u.ID == 0 || u.Login != "Jean@example.com" || u.Email != "Jean@example.com" {
			t.Errorf("login/email = %q/%q", u.Login, u.Email)
		}
		if u.FirstName != "Jean" || u.LastName != "L\u00e9ger Dupont" {
			t.Errorf("names = %q %q, want cleaned NFC", u.FirstName, u.LastName)
		}
		if u.Language != core.LangFR || u.Role != core.RoleLearner || u.Status != core.StatusActive {
			t.Errorf("defaults = %s/%s/%s", u.Language, u.Role, u.Status)
		}
		if u.Created.IsZero() || u.Created.Location().String() != "UTC" || !u.Created.Equal(u.Updated) {
			t.Errorf("created/updated = %v/%v", u.Created, u.Updated)
		}
		if len(u.Groups) != 0 {
			t.Errorf("groups = %v, want none", u.Groups)
		}
	})

	t.Run("refuses a login already used whatever its case", func(t *testing.T) {
		_, err := s.CreateUser(ctx, core.NewUser{Login: "jean@example.COM"})
		ce := wantCode(t, err, core.EConflict)
		if msg := ce.Error(); !strings.Contains(msg, "« jean@example.com »") || !strings.Contains(msg, "déjà utilisée") {
			t.Errorf("message = %q", msg)
		}
		if n, _ := s.CountUsers(ctx, core.UserFilter{}); n != 1 {
			t.Errorf("%d users after the refusal, want 1", n)
		}
	})

	t.Run("accepts an alias of a used address as a new login", func(t *testing.T) {
		u, err := s.CreateUser(ctx, core.NewUser{Login: "jean#formation@example.com"})
		if err != nil {
			t.Fatal(err)
		}
		if u.Login != "jean#formation@example.com" || u.Email != "jean@example.com" {
			t.Errorf("login/email = %q/%q", u.Login, u.Email)
		}
	})

	t.Run("refuses an invalid address with the validator's message", func(t *testing.T) {
		_, err := s.CreateUser(ctx, core.NewUser{Login: "jean.example.com"})
		ce := wantCode(t, err, core.EInvalid)
		if !strings.Contains(ce.Error(), "@") {
			t.Errorf("message = %q", ce.Error())
		}
	})

	t.Run("refuses an unknown role, language or status", func(t *testing.T) {
		for _, n := range []core.NewUser{
			{Login: "x1@example.com", Role: "boss"},
			{Login: "x2@example.com", Language: "de"},
			{Login: "x3@example.com", Status: "gone"},
		} {
			_, err := s.CreateUser(ctx, n)
			wantCode(t, err, core.EInvalid)
		}
	})

	t.Run("refuses an unknown group and creates nothing", func(t *testing.T) {
		_, err := s.CreateUser(ctx, core.NewUser{Login: "y@example.com", GroupIDs: []int64{999}})
		wantCode(t, err, core.ENotFound)
		_, err = s.UserByLogin(ctx, "y@example.com")
		wantCode(t, err, core.ENotFound)
	})

	t.Run("writes an audit row with the new fields", func(t *testing.T) {
		u, err := s.UserByLogin(ctx, "JEAN@example.com")
		if err != nil {
			t.Fatal(err)
		}
		a, err := s.Audit(ctx, "user", u.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(a) != 1 || a[0].Action != "user.create" || a[0].Who == "" || a[0].At.IsZero() {
			t.Fatalf("audit = %+v", a)
		}
		var d struct{ After map[string]any }
		if err := json.Unmarshal([]byte(a[0].Detail), &d); err != nil || d.After["last_name"] != "Léger Dupont" {
			t.Errorf("detail = %s (%v)", a[0].Detail, err)
		}
	})
}

func TestUpdateUser(t *testing.T) {
	ctx := context.Background()
	s := open(t)
	sud, _ := s.EnsureGroupPath(ctx, "Ventes/Région Sud")
	nord, _ := s.EnsureGroupPath(ctx, "Ventes/Région Nord")
	u := mustUser(t, s, "lea@example.com", "Léa", "Martin", sud.ID)

	t.Run("changes only the given fields and audits them", func(t *testing.T) {
		last, role := "Martin-Lefèvre", core.RoleCoach
		groups := []int64{nord.ID, sud.ID, nord.ID}
		got, err := s.UpdateUser(ctx, u.ID, core.UserUpdate{LastName: &last, Role: &role, GroupIDs: &groups})
		if err != nil {
			t.Fatal(err)
		}
		if got.FirstName != "Léa" || got.LastName != "Martin-Lefèvre" || got.Role != core.RoleCoach || got.Language != core.LangFR {
			t.Errorf("after update: %+v", got)
		}
		if !slices.Equal(got.Groups, []string{"Ventes/Région Nord", "Ventes/Région Sud"}) {
			t.Errorf("groups = %v", got.Groups)
		}
		a, _ := s.Audit(ctx, "user", u.ID)
		if len(a) != 2 || a[1].Action != "user.update" {
			t.Fatalf("audit = %+v", a)
		}
		var d struct{ Before, After map[string]any }
		_ = json.Unmarshal([]byte(a[1].Detail), &d)
		if d.Before["last_name"] != "Martin" || d.After["last_name"] != "Martin-Lefèvre" || d.After["role"] != "coach" {
			t.Errorf("detail = %s", a[1].Detail)
		}
		if _, ok := d.After["first_name"]; ok {
			t.Errorf("unchanged first name recorded: %s", a[1].Detail)
		}
		if n, _ := s.CountUsers(ctx, core.UserFilter{Search: "lefevre"}); n != 1 {
			t.Error("the new last name is not searchable")
		}
	})

	t.Run("an empty group list leaves only the Groupe général", func(t *testing.T) {
		none := []int64{}
		got, err := s.UpdateUser(ctx, u.ID, core.UserUpdate{GroupIDs: &none})
		if err != nil {
			t.Fatal(err)
		}
		if len(got.Groups) != 0 {
			t.Errorf("groups = %v", got.Groups)
		}
		ids, _ := s.UserGroupIDs(ctx, u.ID)
		if len(ids) != 0 {
			t.Errorf("UserGroupIDs = %v", ids)
		}
	})

	t.Run("an update that changes nothing writes nothing", func(t *testing.T) {
		first := "Léa"
		before, _ := s.Audit(ctx, "user", u.ID)
		if _, err := s.UpdateUser(ctx, u.ID, core.UserUpdate{FirstName: &first}); err != nil {
			t.Fatal(err)
		}
		after, _ := s.Audit(ctx, "user", u.ID)
		if len(after) != len(before) {
			t.Errorf("%d audit rows, want %d", len(after), len(before))
		}
	})

	t.Run("an unknown user is reported", func(t *testing.T) {
		first := "X"
		_, err := s.UpdateUser(ctx, 4242, core.UserUpdate{FirstName: &first})
		wantCode(t, err, core.ENotFound)
		_, err = s.User(ctx, 4242)
		wantCode(t, err, core.ENotFound)
	})
}

func TestSearchUsers(t *testing.T) {
	ctx := context.Background()
	s := open(t)
	ventes, _ := s.EnsureGroupPath(ctx, "Ventes")
	mustUser(t, s, "p.lefevre@example.com", "Pierre", "Lefèvre", ventes.ID)
	mustUser(t, s, "a.lefebvre@example.com", "Anne", "LEFEBVRE")
	mustUser(t, s, "c.coeur@example.com", "Cécile", "Cœur", ventes.ID)
	mustUser(t, s, "jean.dupont@example.com", "Jean", "Dupont")
	mustUser(t, s, "jeanne.martin@example.com", "Jeanne", "Martin")
	mustUser(t, s, "pct@example.com", "Cent", "100% Sûr")

	cases := []struct {
		name, search string
		want         []string
	}{
		{"ignores accents", "lefevre", []string{"p.lefevre@example.com"}},
		{"ignores case", "LEFEB", []string{"a.lefebvre@example.com"}},
		{"spells out ligatures", "coeur", []string{"c.coeur@example.com"}},
		{"folds accents typed in the search", "CÉCILE", []string{"c.coeur@example.com"}},
		{"needs every word somewhere", "jean dupont", []string{"jean.dupont@example.com"}},
		{"takes words in any order and place", "martin jean", []string{"jeanne.martin@example.com"}},
		{"matches the login too", "jeanne.martin@", []string{"jeanne.martin@example.com"}},
		{"treats % as a character", "100%", []string{"pct@example.com"}},
		{"treats _ as a character", "jean_", nil},
		{"finds nobody for an unknown word", "zorglub", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			us, err := s.Users(ctx, core.UserFilter{Search: c.search})
			if err != nil {
				t.Fatal(err)
			}
			if got := logins(us); !slices.Equal(got, c.want) && !(len(got) == 0 && len(c.want) == 0) {
				t.Errorf("search %q found %v, want %v", c.search, got, c.want)
			}
			n, err := s.CountUsers(ctx, core.UserFilter{Search: c.search})
			if err != nil || n != len(c.want) {
				t.Errorf("CountUsers(%q) = %d, %v; want %d", c.search, n, err, len(c.want))
			}
		})
	}

	t.Run("an empty search lists everyone", func(t *testing.T) {
		if n, _ := s.CountUsers(ctx, core.UserFilter{Search: "   "}); n != 6 {
			t.Errorf("CountUsers = %d, want 6", n)
		}
	})

	t.Run("a group lists its direct members and the root everyone", func(t *testing.T) {
		us, err := s.Users(ctx, core.UserFilter{GroupID: ventes.ID})
		if err != nil {
			t.Fatal(err)
		}
		if got := lastNames(us); !slices.Equal(got, []string{"Cœur", "Lefèvre"}) {
			t.Errorf("members of Ventes = %v", got)
		}
		if us[0].Groups[0] != "Ventes" {
			t.Errorf("groups of a member = %v", us[0].Groups)
		}
		root, _ := s.RootGroup(ctx)
		if n, _ := s.CountUsers(ctx, core.UserFilter{GroupID: root.ID}); n != 6 {
			t.Errorf("members of the root = %d, want 6", n)
		}
		if n, _ := s.CountUsers(ctx, core.UserFilter{GroupID: ventes.ID, Search: "pierre"}); n != 1 {
			t.Errorf("search within a group = %d, want 1", n)
		}
	})

	t.Run("a status filter keeps only that status", func(t *testing.T) {
		u, _ := s.UserByLogin(ctx, "jean.dupont@example.com")
		off := core.StatusDisabled
		if _, err := s.UpdateUser(ctx, u.ID, core.UserUpdate{Status: &off}); err != nil {
			t.Fatal(err)
		}
		us, _ := s.Users(ctx, core.UserFilter{Status: core.StatusDisabled})
		if got := logins(us); !slices.Equal(got, []string{"jean.dupont@example.com"}) {
			t.Errorf("disabled users = %v", got)
		}
	})
}

func TestSortUsers(t *testing.T) {
	ctx := context.Background()
	s := open(t)
	for i, n := range [][2]string{
		{"Zoé", "Zola"}, {"Marc", "Eckert"}, {"Émile", "Ébert"}, {"Anne", "de la Tour"},
		{"Paul", "Delatour"}, {"Luc", "Dupont"}, {"Ève", "Dupont"}, {"Bob", "ebert"}, {"Émile", "Dupont"},
	} {
		mustUser(t, s, "u"+string(rune('a'+i))+"@example.com", n[0], n[1])
	}

	t.Run("last names sort in French order, then first names", func(t *testing.T) {
		us, err := s.Users(ctx, core.UserFilter{Sort: core.SortLastName})
		if err != nil {
			t.Fatal(err)
		}
		got := make([]string, len(us))
		for i, u := range us {
			got[i] = u.LastName + " " + u.FirstName
		}
		want := []string{"de la Tour Anne", "Delatour Paul", "Dupont Émile", "Dupont Ève", "Dupont Luc",
			"ebert Bob", "Ébert Émile", "Eckert Marc", "Zola Zoé"}
		// "de la Tour" against "Delatour" is whatever the French collation says.
		if core.CompareFrench("de la Tour Anne", "Delatour Paul") > 0 {
			want[0], want[1] = want[1], want[0]
		}
		if !slices.Equal(got, want) {
			t.Errorf("order = %q\nwant    %q", got, want)
		}
	})

	t.Run("descending order is the exact reverse", func(t *testing.T) {
		asc, _ := s.Users(ctx, core.UserFilter{})
		desc, _ := s.Users(ctx, core.UserFilter{Desc: true})
		slices.Reverse(desc)
		if !slices.Equal(logins(asc), logins(desc)) {
			t.Errorf("asc %v\ndesc reversed %v", logins(asc), logins(desc))
		}
	})

	t.Run("first names sort with É among the E", func(t *testing.T) {
		us, _ := s.Users(ctx, core.UserFilter{Sort: core.SortFirstName, Limit: 5})
		got := make([]string, len(us))
		for i, u := range us {
			got[i] = u.FirstName
		}
		if want := []string{"Anne", "Bob", "Émile", "Émile", "Ève"}; !slices.Equal(got, want) {
			t.Errorf("first names = %v, want %v", got, want)
		}
	})

	t.Run("an unknown sort column is refused", func(t *testing.T) {
		_, err := s.Users(ctx, core.UserFilter{Sort: "password"})
		wantCode(t, err, core.EInvalid)
	})

	t.Run("other columns sort too", func(t *testing.T) {
		for _, col := range []core.UserSort{core.SortLogin, core.SortStatus, core.SortCreated} {
			us, err := s.Users(ctx, core.UserFilter{Sort: col})
			if err != nil || len(us) != 9 {
				t.Errorf("sort by %s: %d users, %v", col, len(us), err)
			}
		}
		us, _ := s.Users(ctx, core.UserFilter{Sort: core.SortLogin})
		if us[0].Login != "ua@example.com" || us[8].Login != "ui@example.com" {
			t.Errorf("by login: %v", logins(us))
		}
	})
}

func TestUsersPaging(t *testing.T) {
	ctx := context.Background()
	s := open(t)
	for i := range 25 {
		mustUser(t, s, "user"+string(rune('a'+i))+"@example.com", "Prénom", "Nom "+string(rune('A'+i)))
	}
	var all []string
	for off := 0; off < 30; off += 10 {
		page, err := s.Users(ctx, core.UserFilter{Offset: off, Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		if want := min(10, 25-off); len(page) != want {
			t.Errorf("page at %d has %d users, want %d", off, len(page), want)
		}
		all = append(all, lastNames(page)...)
	}
	if len(all) != 25 || all[0] != "Nom A" || all[24] != "Nom Y" {
		t.Errorf("pages joined = %v", all)
	}
	if n, _ := s.CountUsers(ctx, core.UserFilter{Offset: 10, Limit: 10}); n != 25 {
		t.Errorf("CountUsers ignores paging: got %d", n)
	}
	if page, _ := s.Users(ctx, core.UserFilter{Offset: 100, Limit: 10}); len(page) != 0 {
		t.Errorf("a page past the end has %d users", len(page))
	}
}

func TestSearchPagesAgreeWithFilteringTheWholeList(t *testing.T) {
	ctx := context.Background()
	s := open(t)
	// Enough users for common words to take the sort-index walk, rare ones the id list.
	if err := sqlite.FillUsers(s, 4000); err != nil {
		t.Fatal(err)
	}
	nord, err := s.GroupByPath(ctx, "Ventes/Région Nord")
	if err != nil {
		t.Fatal(err)
	}
	filters := []struct {
		name string
		f    core.UserFilter
		keep func(core.User) bool
	}{
		{"everyone", core.UserFilter{}, func(core.User) bool { return true }},
		{"invited", core.UserFilter{Status: core.StatusInvited}, func(u core.User) bool { return u.Status == core.StatusInvited }},
		{"in a group", core.UserFilter{GroupID: nord.ID}, func(u core.User) bool { return slices.Contains(u.Groups, "Ventes/Région Nord") }},
	}
	for _, sort := range []core.UserSort{core.SortLastName, core.SortFirstName, core.SortLogin, core.SortStatus, core.SortCreated} {
		for _, desc := range []bool{false, true} {
			all, err := s.Users(ctx, core.UserFilter{Sort: sort, Desc: desc})
			if err != nil {
				t.Fatal(err)
			}
			if len(all) != 4000 {
				t.Fatalf("%d users listed, want 4000", len(all))
			}
			for _, fl := range filters {
				for _, search := range []string{"", "e", "le", "gmail", "ma rie", "lefevre", "zo", "orange jean", "xyz"} {
					var want []string
					for _, u := range all {
						hay := core.Fold(u.Login + " " + u.FirstName + " " + u.LastName)
						ok := fl.keep(u)
						for _, w := range strings.Fields(search) {
							ok = ok && strings.Contains(hay, w)
						}
						if ok {
							want = append(want, u.Login)
						}
					}
					f := fl.f
					f.Search, f.Sort, f.Desc = search, sort, desc
					n, err := s.CountUsers(ctx, f)
					if err != nil || n != len(want) {
						t.Errorf("CountUsers(%s, %q) = %d, %v; want %d", fl.name, search, n, err, len(want))
					}
					for _, off := range []int{0, 150} {
						f.Offset, f.Limit = off, 100
						page, err := s.Users(ctx, f)
						if err != nil {
							t.Fatal(err)
						}
						w := want[min(off, len(want)):min(off+100, len(want))]
						if got := logins(page); !slices.Equal(got, w) && len(got)+len(w) > 0 {
							t.Errorf("%s, search %q sorted by %s (desc %v) at %d: %d users, want %d; first %v, want %v",
								fl.name, search, sort, desc, off, len(got), len(w), got[:min(3, len(got))], w[:min(3, len(w))])
						}
					}
				}
			}
		}
	}
}

func TestTheSearchIndexStaysInStepWithTheUsers(t *testing.T) {
	ctx := context.Background()
	s := open(t)
	u := mustUser(t, s, "p.lefevre@example.com", "Pierre", "Lefèvre")
	if err := sqlite.FillUsers(s, 300); err != nil {
		t.Fatal(err)
	}
	last := "Durandal"
	if _, err := s.UpdateUser(ctx, u.ID, core.UserUpdate{LastName: &last}); err != nil {
		t.Fatal(err)
	}
	if n, _ := s.CountUsers(ctx, core.UserFilter{Search: "pierre durandal"}); n != 1 {
		t.Errorf("the new name finds %d users, want 1", n)
	}
	if us, _ := s.Users(ctx, core.UserFilter{Search: "p.lefevre@"}); len(us) != 1 || us[0].LastName != "Durandal" {
		t.Errorf("search by login after the update = %v", us)
	}
	// FTS5 compares its index with the users table and fails on any difference.
	rawExec(t, s.Path(), `INSERT INTO users_search (users_search, rank) VALUES ('integrity-check', 1)`)
}
