package sqlite_test

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"testing"

	"convive/core"
	"convive/core/sqlite"
)

var importColumns = []core.Column{
	{Index: 0, Header: "E-mail", Field: core.FieldEmail}, {Index: 1, Header: "Prénom", Field: core.FieldFirstName},
	{Index: 2, Header: "Nom", Field: core.FieldLastName}, {Index: 3, Header: "Groupe", Field: core.FieldGroup},
	{Index: 4, Header: "Langue", Field: core.FieldLanguage}, {Index: 5, Header: "Rôle", Field: core.FieldRole},
}

// importPlan judges rows (from line 2) against the store, as the import service does.
func importPlan(t testing.TB, s *sqlite.Store, opts core.ImportOptions, rows ...[]string) *core.ImportPlan {
	t.Helper()
	p, err := core.NewPlanner(importColumns, opts, "Académie")
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range rows {
		p.Add(i+2, r)
	}
	plan, err := p.Finish(context.Background(), s)
	if err != nil {
		t.Fatal(err)
	}
	return plan
}

// testMail renders a short mail that names the token, as the real templates do.
func testMail(kind core.MessageKind, u core.User, token string) (core.Message, error) {
	return core.Message{To: u.Email, Subject: "Bienvenue " + u.FirstName, Text: "Lien : https://formation.exemple.fr/invitation/" + token}, nil
}

// count runs a count query on the file, outside the store.
func count(t *testing.T, s *sqlite.Store, query string, args ...any) int {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+s.Path()+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRow(query, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

// fileHash closes the store (which folds the WAL into the file) and hashes the file.
func fileHash(t *testing.T, path string) [32]byte {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path + "-wal"); err == nil {
		if fi, _ := os.Stat(path + "-wal"); fi.Size() > 0 {
			t.Fatalf("the WAL of %s was not folded in", path)
		}
	}
	var out [32]byte
	copy(out[:], h.Sum(nil))
	return out
}

func reopen(t *testing.T, path string) *sqlite.Store {
	t.Helper()
	s, err := sqlite.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestCommitImport(t *testing.T) {
	ctx := context.Background()

	t.Run("the progress reaches every row before the commit's last work, and again at its end", func(t *testing.T) {
		s := open(t)
		plan := importPlan(t, s, core.ImportOptions{Mode: core.ModeUpsert},
			[]string{"zoe@exemple.fr", "Zoé", "Lefèvre", "", "", ""},
			[]string{"paul@exemple.fr", "Paul", "Durand", "", "", ""},
		)
		var calls [][2]int
		if _, err := s.CommitImport(ctx, plan, core.ImportMeta{File: "f.xlsx", Progress: func(done, total int) {
			calls = append(calls, [2]int{done, total})
		}}); err != nil {
			t.Fatal(err)
		}
		if want := [][2]int{{0, 2}, {2, 2}, {2, 2}}; !slices.Equal(calls, want) {
			t.Errorf("progress %v, want %v", calls, want)
		}
	})

	t.Run("provisioning creates active accounts, their groups and one batch", func(t *testing.T) {
		s := open(t)
		plan := importPlan(t, s, core.ImportOptions{Mode: core.ModeUpsert, DefaultGroups: []string{"Nouveaux"}},
			[]string{"zoe@exemple.fr", "Zoé", "Lefèvre", "Ventes/Région Sud", "anglais", "formateur"},
			[]string{"paul@exemple.fr", "Paul", "Durand", "", "", ""},
			[]string{"pas-une-adresse", "X", "", "", "", ""},
		)
		b, err := s.CommitImport(ctx, plan, core.ImportMeta{File: "personnes.xlsx", Sheet: "Personnes"})
		if err != nil {
			t.Fatal(err)
		}
		if b.ID == 0 || b.NewUsers != 2 || b.Updated != 0 || b.Invited != 0 || b.Rows != 3 || b.File != "personnes.xlsx" || b.Sheet != "Personnes" {
			t.Errorf("batch = %+v", b)
		}
		zoe, err := s.UserByLogin(ctx, "ZOE@exemple.fr")
		if err != nil {
			t.Fatal(err)
		}
		if zoe.Status != core.StatusActive || zoe.Language != core.LangEN || zoe.Role != core.RoleCoach || zoe.LastName != "Lefèvre" {
			t.Errorf("zoé = %+v", zoe)
		}
		if !slices.Equal(zoe.Groups, []string{"Nouveaux", "Ventes/Région Sud"}) {
			t.Errorf("zoé's groups = %q", zoe.Groups)
		}
		if _, err := s.GroupByPath(ctx, "Ventes"); err != nil {
			t.Errorf("the parent group was not created: %v", err)
		}
		if n := count(t, s, `SELECT count(*) FROM audit WHERE entity = 'user'`); n != 0 {
			t.Errorf("%d audit rows for users: an import records its creations once, in the batch's row", n)
		}
		paul, err := s.UserByLogin(ctx, "paul@exemple.fr")
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			id   int64
			line string
		}{{zoe.ID, `{"line":2}`}, {paul.ID, `{"line":3}`}} {
			h, err := s.Audit(ctx, "user", c.id)
			if err != nil || len(h) != 1 || h[0].Action != "user.create" || h[0].BatchID != b.ID || h[0].Detail != c.line || h[0].At.IsZero() || h[0].Who == "" {
				t.Errorf("history of user %d = %+v, %v; want its creation by batch %d from %s", c.id, h, err, b.ID, c.line)
			}
		}
		if n := count(t, s, `SELECT count(*) FROM audit WHERE action = 'group.create' AND batch_id = ?`, b.ID); n != 3 {
			t.Errorf("%d group creations audited with the batch, want 3 (Nouveaux, Ventes, Région Sud)", n)
		}
		if n := count(t, s, `SELECT count(*) FROM outbox`); n != 0 {
			t.Errorf("provisioning queued %d mails", n)
		}
		list, err := s.Batches(ctx)
		if err != nil || len(list) != 1 || list[0].ID != b.ID {
			t.Errorf("Batches = %+v, %v", list, err)
		}
	})

	t.Run("inviting creates invited accounts, one invitation and one queued mail each", func(t *testing.T) {
		s := open(t)
		plan := importPlan(t, s, core.ImportOptions{Action: core.ActionInvite},
			[]string{"zoe@exemple.fr", "Zoé", "", "Ventes", "", ""},
			[]string{"paul@exemple.fr", "Paul", "", "", "en", ""},
		)
		b, err := s.CommitImport(ctx, plan, core.ImportMeta{File: "f.csv", Mail: testMail})
		if err != nil {
			t.Fatal(err)
		}
		if b.NewUsers != 2 || b.Invited != 2 {
			t.Errorf("batch = %+v", b)
		}
		if n := count(t, s, `SELECT count(*) FROM users WHERE status = 'invited' AND batch_id = ?`, b.ID); n != 2 {
			t.Errorf("%d invited users", n)
		}
		if n := count(t, s, `SELECT count(*) FROM invitations WHERE state = 'pending' AND batch_id = ?`, b.ID); n != 2 {
			t.Errorf("%d pending invitations", n)
		}
		ventes, _ := s.GroupByPath(ctx, "Ventes")
		if n := count(t, s, `SELECT count(*) FROM invitations WHERE login = 'zoe@exemple.fr' AND group_id = ?`, ventes.ID); n != 1 {
			t.Error("zoé's invitation is not into her group")
		}
		root, _ := s.RootGroup(ctx)
		if n := count(t, s, `SELECT count(*) FROM invitations WHERE login = 'paul@exemple.fr' AND group_id = ?`, root.ID); n != 1 {
			t.Error("paul's invitation is not into the Groupe général")
		}
		if n := count(t, s, `SELECT count(*) FROM outbox WHERE state = 'queued' AND kind = 'invitation' AND invitation_id IS NOT NULL AND user_id IS NOT NULL`); n != 2 {
			t.Errorf("%d queued invitation mails", n)
		}
		if n := count(t, s, `SELECT count(*) FROM tokens WHERE purpose = 'invitation' AND length(hash) = 32`); n != 2 {
			t.Errorf("%d token hashes", n)
		}
		if n := count(t, s, `SELECT count(*) FROM outbox WHERE instr(text_body, '/invitation/') > 0`); n != 2 {
			t.Errorf("the mails lack their link")
		}
	})

	t.Run("an update writes only the non-empty cells that differ and only adds groups", func(t *testing.T) {
		s := open(t)
		sud, _ := s.EnsureGroupPath(ctx, "Sud")
		anne, err := s.CreateUser(ctx, core.NewUser{Login: "anne@exemple.fr", FirstName: "Anne", LastName: "Martin", GroupIDs: []int64{sud.ID}})
		if err != nil {
			t.Fatal(err)
		}
		plan := importPlan(t, s, core.ImportOptions{Mode: core.ModeUpdate},
			[]string{"ANNE@exemple.fr", "", "Martin-Roux", "Nord", "", "administrateur"},
			[]string{"inconnu@exemple.fr", "I", "", "", "", ""},
		)
		if plan.Updated != 1 || plan.Invalid != 1 {
			t.Fatalf("plan: %d updated, %d invalid", plan.Updated, plan.Invalid)
		}
		b, err := s.CommitImport(ctx, plan, core.ImportMeta{File: "maj.xlsx"})
		if err != nil {
			t.Fatal(err)
		}
		if b.Updated != 1 || b.NewUsers != 0 {
			t.Errorf("batch = %+v", b)
		}
		got, _ := s.User(ctx, anne.ID)
		if got.FirstName != "Anne" || got.LastName != "Martin-Roux" || got.Role != core.RoleAdmin || !slices.Equal(got.Groups, []string{"Nord", "Sud"}) {
			t.Errorf("anne = %+v", got)
		}
		if _, err := s.UserByLogin(ctx, "inconnu@exemple.fr"); core.ErrorCode(err) != core.ENotFound {
			t.Errorf("update only created an account: %v", err)
		}
	})

	t.Run("create only leaves existing accounts as they are", func(t *testing.T) {
		s := open(t)
		if _, err := s.CreateUser(ctx, core.NewUser{Login: "anne@exemple.fr", FirstName: "Anne"}); err != nil {
			t.Fatal(err)
		}
		plan := importPlan(t, s, core.ImportOptions{Mode: core.ModeCreate},
			[]string{"anne@exemple.fr", "Annie", "", "", "", ""},
			[]string{"new@exemple.fr", "Nouveau", "", "", "", ""},
		)
		b, err := s.CommitImport(ctx, plan, core.ImportMeta{File: "c.csv"})
		if err != nil {
			t.Fatal(err)
		}
		if b.NewUsers != 1 || b.Updated != 0 {
			t.Errorf("batch = %+v", b)
		}
		if u, _ := s.UserByLogin(ctx, "anne@exemple.fr"); u.FirstName != "Anne" {
			t.Errorf("anne became %q", u.FirstName)
		}
	})

	t.Run("the bulk lookup finds accounts by login and by delivery address, with groups", func(t *testing.T) {
		s := open(t)
		g, _ := s.EnsureGroupPath(ctx, "Ventes")
		u, _ := s.CreateUser(ctx, core.NewUser{Login: "jean.dupont#autre@gmail.com", GroupIDs: []int64{g.ID}})
		a, _ := core.ParseAddress("jean.dupont#autre@gmail.com")
		b, _ := core.ParseAddress("jean.dupont@gmail.com")
		byLogin, byEmail, err := s.UsersByKeys(ctx, []string{a.Key, b.Key}, []string{b.EmailKey()})
		if err != nil {
			t.Fatal(err)
		}
		if byLogin[a.Key].ID != u.ID || len(byLogin) != 1 || !slices.Equal(byLogin[a.Key].Groups, []string{"Ventes"}) {
			t.Errorf("byLogin = %+v", byLogin)
		}
		if byEmail[b.EmailKey()].ID != u.ID {
			t.Errorf("byEmail = %+v", byEmail)
		}
	})
}

func TestCommitImportIsAllOrNothing(t *testing.T) {
	ctx := context.Background()
	rows := make([][]string, 6000) // above the bulk threshold: indexes dropped, then rebuilt
	for i := range rows {
		rows[i] = []string{fmt.Sprintf("p%04d@exemple.fr", i), "Prénom", "Nom", fmt.Sprintf("Région %d", i%7), "", ""}
	}

	t.Run("a cancel half-way leaves the file byte-identical", func(t *testing.T) {
		s := open(t)
		path := s.Path()
		if _, err := s.CreateUser(ctx, core.NewUser{Login: "deja@exemple.fr", FirstName: "Déjà"}); err != nil {
			t.Fatal(err)
		}
		plan := importPlan(t, s, core.ImportOptions{Action: core.ActionInvite}, rows...)
		s.Close()
		before := fileHash(t, path)
		s = reopen(t, path)
		cctx, cancel := context.WithCancel(ctx)
		_, err := s.CommitImport(cctx, plan, core.ImportMeta{File: "f.xlsx", Mail: testMail, Progress: func(done, total int) {
			if done >= 5000 {
				cancel()
			}
		}})
		cancel()
		wantCode(t, err, core.ECancelled)
		s.Close()
		if fileHash(t, path) != before {
			t.Fatal("the file changed")
		}
	})

	t.Run("a failure on row 1 500 leaves the file byte-identical and names the row", func(t *testing.T) {
		s := open(t)
		path := s.Path()
		plan := importPlan(t, s, core.ImportOptions{}, rows...)
		s.Close()
		rawExec(t, path, `CREATE TRIGGER refuse AFTER INSERT ON users WHEN new.login = 'p1500@exemple.fr' BEGIN SELECT RAISE(ABORT, 'disque en panne'); END`)
		before := fileHash(t, path)
		s = reopen(t, path)
		_, err := s.CommitImport(ctx, plan, core.ImportMeta{File: "f.xlsx"})
		if err == nil {
			t.Fatal("the import went through")
		}
		if msg := err.Error(); !strings.Contains(msg, "aucune ligne n'a été écrite") || !strings.Contains(msg, "Ligne 1502") || !strings.Contains(msg, "p1500@exemple.fr") {
			t.Errorf("message = %q", err)
		}
		s.Close()
		if fileHash(t, path) != before {
			t.Fatal("the file changed")
		}
	})
}

func TestUndoBatch(t *testing.T) {
	ctx := context.Background()

	t.Run("undo removes the users, reverts the fields and memberships, cancels invitations and mail", func(t *testing.T) {
		s := open(t)
		sud, _ := s.EnsureGroupPath(ctx, "Sud")
		anne, _ := s.CreateUser(ctx, core.NewUser{Login: "anne@exemple.fr", FirstName: "Anne", LastName: "Martin", GroupIDs: []int64{sud.ID}})
		plan := importPlan(t, s, core.ImportOptions{Action: core.ActionInvite},
			[]string{"anne@exemple.fr", "Annie", "", "Nord", "en", ""},
			[]string{"zoe@exemple.fr", "Zoé", "", "Nord", "", ""},
		)
		b, err := s.CommitImport(ctx, plan, core.ImportMeta{File: "f.xlsx", Mail: testMail})
		if err != nil {
			t.Fatal(err)
		}
		undone, err := s.UndoBatch(ctx, b.ID)
		if err != nil {
			t.Fatal(err)
		}
		if undone.Undone.IsZero() {
			t.Error("the batch is not marked undone")
		}
		got, _ := s.User(ctx, anne.ID)
		if got.FirstName != "Anne" || got.Language != core.LangFR || !slices.Equal(got.Groups, []string{"Sud"}) {
			t.Errorf("anne after undo = %+v", got)
		}
		if _, err := s.UserByLogin(ctx, "zoe@exemple.fr"); core.ErrorCode(err) != core.ENotFound {
			t.Errorf("zoé is still there: %v", err)
		}
		if n := count(t, s, `SELECT count(*) FROM invitations WHERE state = 'cancelled' AND batch_id = ?`, b.ID); n != 1 {
			t.Errorf("%d cancelled invitations", n)
		}
		if n := count(t, s, `SELECT count(*) FROM outbox WHERE state = 'queued'`); n != 0 {
			t.Errorf("%d mails still queued", n)
		}
		if n := count(t, s, `SELECT count(*) FROM users_search WHERE users_search MATCH 'zoe'`); n != 0 {
			t.Errorf("zoé is still in the search index")
		}
		_, err = s.UndoBatch(ctx, b.ID)
		wantCode(t, err, core.EConflict)
	})

	t.Run("an address taken since the preview is refused at its row, and nothing is written", func(t *testing.T) {
		s := open(t)
		var rows [][]string
		for i := range 100 {
			rows = append(rows, []string{fmt.Sprintf("p%d@exemple.fr", i), "", "", "", "", ""})
		}
		plan := importPlan(t, s, core.ImportOptions{}, rows...)
		if _, err := s.CreateUser(ctx, core.NewUser{Login: "P70@exemple.fr"}); err != nil {
			t.Fatal(err)
		}
		_, err := s.CommitImport(ctx, plan, core.ImportMeta{File: "f.xlsx"})
		ce := wantCode(t, err, core.EConflict)
		if msg := ce.Error(); !strings.Contains(msg, "Ligne 72") || !strings.Contains(msg, "pris par un autre compte") {
			t.Errorf("message = %q", msg)
		}
		if n := count(t, s, `SELECT count(*) FROM users`); n != 1 {
			t.Errorf("%d users after a refused import", n)
		}
	})

	t.Run("undo is refused, naming the row, when a user was edited after the import", func(t *testing.T) {
		s := open(t)
		plan := importPlan(t, s, core.ImportOptions{},
			[]string{"zoe@exemple.fr", "Zoé", "", "", "", ""},
			[]string{"paul@exemple.fr", "Paul", "", "", "", ""},
		)
		b, err := s.CommitImport(ctx, plan, core.ImportMeta{File: "f.xlsx"})
		if err != nil {
			t.Fatal(err)
		}
		paul, _ := s.UserByLogin(ctx, "paul@exemple.fr")
		name := "Paulo"
		if _, err := s.UpdateUser(ctx, paul.ID, core.UserUpdate{FirstName: &name}); err != nil {
			t.Fatal(err)
		}
		_, err = s.UndoBatch(ctx, b.ID)
		ce := wantCode(t, err, core.EConflict)
		if msg := ce.Error(); !strings.Contains(msg, "ligne 3") || !strings.Contains(msg, "paul@exemple.fr") || strings.Contains(msg, "zoe@") {
			t.Errorf("message = %q", msg)
		}
		if n := count(t, s, `SELECT count(*) FROM users`); n != 2 {
			t.Errorf("%d users left after a refused undo", n)
		}
		list, _ := s.Batches(ctx)
		if !list[0].Undone.IsZero() {
			t.Error("a refused undo marked the batch undone")
		}
	})

	t.Run("two imports are undone newest first; the older one is refused while the newer stands", func(t *testing.T) {
		s := open(t)
		first, err := s.CommitImport(ctx, importPlan(t, s, core.ImportOptions{}, []string{"zoe@exemple.fr", "Zoé", "", "", "", ""}), core.ImportMeta{File: "1.xlsx"})
		if err != nil {
			t.Fatal(err)
		}
		second, err := s.CommitImport(ctx, importPlan(t, s, core.ImportOptions{}, []string{"zoe@exemple.fr", "Zoé", "Lefèvre", "Sud", "", ""}), core.ImportMeta{File: "2.xlsx"})
		if err != nil || second.Updated != 1 {
			t.Fatalf("second import: %+v, %v", second, err)
		}
		_, err = s.UndoBatch(ctx, first.ID)
		wantCode(t, err, core.EConflict)
		if _, err := s.UndoBatch(ctx, second.ID); err != nil {
			t.Fatal(err)
		}
		zoe, _ := s.UserByLogin(ctx, "zoe@exemple.fr")
		if zoe.LastName != "" || len(zoe.Groups) != 0 {
			t.Errorf("zoé after undoing the second import = %+v", zoe)
		}
		if _, err := s.UndoBatch(ctx, first.ID); err != nil {
			t.Fatalf("the first import cannot be undone once the second is: %v", err)
		}
		if _, err := s.UserByLogin(ctx, "zoe@exemple.fr"); core.ErrorCode(err) != core.ENotFound {
			t.Errorf("zoé is still there: %v", err)
		}
	})

	t.Run("an unknown batch is not found", func(t *testing.T) {
		s := open(t)
		_, err := s.UndoBatch(ctx, 42)
		wantCode(t, err, core.ENotFound)
	})
}

// schemaOf returns the schema of the file, as SQLite keeps it.
func schemaOf(t *testing.T, s *sqlite.Store) string {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+s.Path()+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT type, name, coalesce(sql, '') FROM sqlite_schema ORDER BY type, name`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var b strings.Builder
	for rows.Next() {
		var typ, name, q string
		if err := rows.Scan(&typ, &name, &q); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "%s %s %s\n", typ, name, q)
	}
	return b.String()
}

func TestBulkImport(t *testing.T) {
	ctx := context.Background()
	t.Run("a big import leaves the same schema, and its users are searchable and sorted", func(t *testing.T) {
		s := open(t)
		if _, err := s.CreateUser(ctx, core.NewUser{Login: "avant@exemple.fr", FirstName: "Avant", LastName: "Zorro"}); err != nil {
			t.Fatal(err)
		}
		schema := schemaOf(t, s)
		rows := make([][]string, 8000)
		for i := range rows {
			rows[i] = []string{fmt.Sprintf("p%04d@exemple.fr", i), fmt.Sprintf("Prénom%d", i), fmt.Sprintf("Nom%04d", 7999-i), "", "", ""}
		}
		rows[4321] = []string{"helene.lefevre@exemple.fr", "Hélène", "Lefèvre", "", "", ""}
		b, err := s.CommitImport(ctx, importPlan(t, s, core.ImportOptions{}, rows...), core.ImportMeta{File: "gros.xlsx"})
		if err != nil {
			t.Fatal(err)
		}
		if b.NewUsers != 8000 {
			t.Fatalf("%d created", b.NewUsers)
		}
		if got := schemaOf(t, s); got != schema {
			t.Errorf("schema changed:\n%s\nwant:\n%s", got, schema)
		}
		found, err := s.Users(ctx, core.UserFilter{Search: "lefevre", Limit: 10})
		if err != nil || len(found) != 1 || found[0].Login != "helene.lefevre@exemple.fr" {
			t.Errorf("search: %v, %v", found, err)
		}
		page, err := s.Users(ctx, core.UserFilter{Limit: 2})
		if err != nil || len(page) != 2 || page[0].LastName != "Lefèvre" || page[1].LastName != "Nom0000" {
			t.Errorf("first page by name: %+v, %v", page, err)
		}
		if n, _ := s.CountUsers(ctx, core.UserFilter{Search: "exemple"}); n != 8001 {
			t.Errorf("%d users match exemple", n)
		}
		if _, err := s.UndoBatch(ctx, b.ID); err != nil {
			t.Fatal(err)
		}
		if n, _ := s.CountUsers(ctx, core.UserFilter{Search: "exemple"}); n != 1 {
			t.Errorf("%d users match exemple after undo", n)
		}
	})

	t.Run("a big invitation import queues one invitation and one mail per person", func(t *testing.T) {
		s := open(t)
		rows := make([][]string, 6000)
		for i := range rows {
			rows[i] = []string{fmt.Sprintf("p%04d@exemple.fr", i), "P", "N", fmt.Sprintf("Région %d", i%5), "", ""}
		}
		b, err := s.CommitImport(ctx, importPlan(t, s, core.ImportOptions{Action: core.ActionInvite}, rows...), core.ImportMeta{File: "gros.csv", Mail: testMail})
		if err != nil {
			t.Fatal(err)
		}
		if b.NewUsers != 6000 || b.Invited != 6000 {
			t.Errorf("batch = %+v", b)
		}
		if n := count(t, s, `SELECT count(*) FROM invitations i JOIN outbox o ON o.invitation_id = i.id WHERE i.batch_id = ? AND o.state = 'queued'`, b.ID); n != 6000 {
			t.Errorf("%d invitations with their queued mail", n)
		}
		if n := count(t, s, `SELECT count(*) FROM memberships`); n != 6000 {
			t.Errorf("%d memberships", n)
		}
	})
}
