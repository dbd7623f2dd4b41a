package sqlite_test

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"convive/core"
	"convive/core/sqlite"
)

// open returns a store on a new file in a temporary folder, closed with the test.
func open(t testing.TB) *sqlite.Store {
	t.Helper()
	s, err := sqlite.Open(filepath.Join(t.TempDir(), "data", "convive.db"))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// wantCode fails unless err is a *core.Error with the given code.
func wantCode(t *testing.T, err error, code string) *core.Error {
	t.Helper()
	var ce *core.Error
	if !errors.As(err, &ce) {
		t.Fatalf("got error %v, want a *core.Error with code %q", err, code)
	}
	if ce.Code != code {
		t.Fatalf("got code %q (%v), want %q", ce.Code, err, code)
	}
	return ce
}

func rawExec(t *testing.T, path string, query string) {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(query); err != nil {
		t.Fatal(err)
	}
}

func TestOpen(t *testing.T) {
	ctx := context.Background()

	t.Run("creates the folder and a file only its owner can read", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "a", "b")
		path := filepath.Join(dir, "convive.db")
		s, err := sqlite.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if m := fi.Mode().Perm(); m != 0o600 {
			t.Errorf("file mode %o, want 600", m)
		}
		di, err := os.Stat(dir)
		if err != nil {
			t.Fatal(err)
		}
		if m := di.Mode().Perm(); m != 0o700 {
			t.Errorf("folder mode %o, want 700", m)
		}
		if s.Path() != path {
			t.Errorf("Path() = %q, want %q", s.Path(), path)
		}
		// The journal beside the data holds the same data; SQLite gives it the same mode.
		if _, err := s.EnsureGroupPath(ctx, "Ventes"); err != nil {
			t.Fatal(err)
		}
		if wi, err := os.Stat(path + "-wal"); err != nil || wi.Mode().Perm() != 0o600 {
			t.Errorf("journal file: %v, %v; want mode 600", wi, err)
		}
	})

	t.Run("accepts any character in the path", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "Données de l'équipe #1 ?", "convive 100%.db")
		s, err := sqlite.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.EnsureGroupPath(ctx, "Ventes"); err != nil {
			t.Fatal(err)
		}
		s.Close()
		if fi, err := os.Stat(path); err != nil || fi.Size() == 0 {
			t.Errorf("the data did not go to %q: %v", path, err)
		}
		entries, _ := os.ReadDir(filepath.Dir(path))
		for _, e := range entries {
			if e.Name() != "convive 100%.db" {
				t.Errorf("stray file %q beside the data", e.Name())
			}
		}
	})

	t.Run("tightens an existing file readable by others", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "convive.db")
		if err := os.WriteFile(path, nil, 0o644); err != nil {
			t.Fatal(err)
		}
		s, err := sqlite.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		s.Close()
		fi, _ := os.Stat(path)
		if m := fi.Mode().Perm(); m != 0o600 {
			t.Errorf("file mode %o, want 600", m)
		}
	})

	t.Run("migrates an empty file to a working schema with the root group", func(t *testing.T) {
		s := open(t)
		root, err := s.RootGroup(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if root.Name != core.RootGroupName || !root.IsRoot() || root.Path != "" || root.Depth != 0 {
			t.Errorf("root group = %+v", root)
		}
		db, err := sql.Open("sqlite", s.Path())
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		var version int
		if err := db.QueryRow(`PRAGMA user_version`).Scan(&version); err != nil || version < 1 {
			t.Errorf("user_version = %d (%v), want at least 1", version, err)
		}
		var mode string
		if err := db.QueryRow(`PRAGMA journal_mode`).Scan(&mode); err != nil || mode != "wal" {
			t.Errorf("journal_mode = %q (%v), want wal", mode, err)
		}
		for _, table := range []string{"settings", "groups", "users", "memberships", "courses", "sessions",
			"session_members", "invitations", "tokens", "outbox", "batches", "audit"} {
			var n int
			if err := db.QueryRow(`SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = ?`, table).Scan(&n); err != nil || n != 1 {
				t.Errorf("table %s missing", table)
			}
		}
	})

	t.Run("keeps the data when the file is opened again", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "convive.db")
		s, err := sqlite.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		g, err := s.EnsureGroupPath(ctx, "Ventes/Région Sud")
		if err != nil {
			t.Fatal(err)
		}
		u, err := s.CreateUser(ctx, core.NewUser{Login: "lea@example.com", FirstName: "Léa", LastName: "Martin", GroupIDs: []int64{g.ID}})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.SetSetting(ctx, "ui.language", "en"); err != nil {
			t.Fatal(err)
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}

		s, err = sqlite.Open(path)
		if err != nil {
			t.Fatalf("reopen: %v", err)
		}
		defer s.Close()
		got, err := s.User(ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.FirstName != "Léa" || len(got.Groups) != 1 || got.Groups[0] != "Ventes/Région Sud" {
			t.Errorf("user after reopening = %+v", got)
		}
		if v, _ := s.Setting(ctx, "ui.language"); v != "en" {
			t.Errorf("setting after reopening = %q, want en", v)
		}
		groups, _ := s.Groups(ctx)
		if len(groups) != 3 {
			t.Errorf("%d groups after reopening, want 3", len(groups))
		}
	})

	t.Run("refuses a database from a newer Convive and leaves it untouched", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "convive.db")
		s, err := sqlite.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		s.Close()
		rawExec(t, path, `PRAGMA user_version = 999`)
		before, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}

		_, err = sqlite.Open(path)
		ce := wantCode(t, err, core.ESchema)
		msg := ce.Error()
		if !strings.Contains(msg, "version plus récente de Convive (schéma 999, cette version connaît ") || !strings.Contains(msg, "Mettez Convive à jour.") {
			t.Errorf("message = %q", msg)
		}
		after, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(before, after) {
			t.Error("the refused file was modified")
		}
	})

	t.Run("refuses a file that is not a SQLite database and leaves it untouched", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "notes.db")
		content := []byte("Liste des stagiaires\nJean Dupont\n")
		if err := os.WriteFile(path, content, 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := sqlite.Open(path)
		ce := wantCode(t, err, core.ESchema)
		if !strings.Contains(ce.Error(), "n'est pas un fichier de données Convive") {
			t.Errorf("message = %q", ce.Error())
		}
		if got, _ := os.ReadFile(path); !bytes.Equal(got, content) {
			t.Error("the refused file was modified")
		}
	})

	t.Run("refuses a folder given as the data file and leaves its mode", func(t *testing.T) {
		dir := t.TempDir()
		_, err := sqlite.Open(dir)
		wantCode(t, err, core.EInvalid)
		if fi, _ := os.Stat(dir); fi.Mode().Perm()&0o100 == 0 {
			t.Errorf("the folder lost its search permission: %v", fi.Mode())
		}
	})

	t.Run("refuses the SQLite database of another program", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "other.db")
		rawExec(t, path, `CREATE TABLE songs (title TEXT)`)
		_, err := sqlite.Open(path)
		wantCode(t, err, core.ESchema)
	})
}

func TestDefaultPathIsInTheUserConfigFolder(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", "/tmp/cfg")
	p, err := sqlite.DefaultPath()
	if err != nil {
		t.Fatal(err)
	}
	if p != "/tmp/cfg/convive/convive.db" {
		t.Errorf("DefaultPath() = %q", p)
	}
}

func TestSettings(t *testing.T) {
	ctx := context.Background()
	s := open(t)

	t.Run("an unset key reads as empty", func(t *testing.T) {
		if v, err := s.Setting(ctx, "ui.window"); err != nil || v != "" {
			t.Errorf("Setting = %q, %v", v, err)
		}
	})
	t.Run("a value is replaced by the next one", func(t *testing.T) {
		for _, v := range []string{"800x600", "1024x768"} {
			if err := s.SetSetting(ctx, "ui.window", v); err != nil {
				t.Fatal(err)
			}
		}
		if v, _ := s.Setting(ctx, "ui.window"); v != "1024x768" {
			t.Errorf("Setting = %q", v)
		}
	})
	t.Run("the organisation is stored cleaned and audited", func(t *testing.T) {
		if err := s.SetOrganisation(ctx, core.Organisation{Name: "  Acme   Formation ", URL: " https://formation.acme.fr "}); err != nil {
			t.Fatal(err)
		}
		o, err := s.Organisation(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if o.Name != "Acme Formation" || o.URL != "https://formation.acme.fr" {
			t.Errorf("Organisation = %+v", o)
		}
		a, _ := s.Audit(ctx, "organisation", 0)
		if len(a) != 1 || a[0].Action != "organisation.update" || !strings.Contains(a[0].Detail, "Acme Formation") {
			t.Errorf("audit = %+v", a)
		}
	})
	t.Run("an organisation URL that is not a web address is refused", func(t *testing.T) {
		err := s.SetOrganisation(ctx, core.Organisation{Name: "Acme", URL: "formation.acme.fr"})
		wantCode(t, err, core.EInvalid)
	})
}

func TestStatsCountWhatTheDashboardShows(t *testing.T) {
	ctx := context.Background()
	s := open(t)
	st, err := s.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st != (core.Stats{}) {
		t.Errorf("Stats of a new file = %+v, want zeros", st)
	}
	if _, err := s.EnsureGroupPath(ctx, "Ventes/Région Sud"); err != nil {
		t.Fatal(err)
	}
	for _, l := range []string{"a@example.com", "b@example.com", "c@example.com"} {
		if _, err := s.CreateUser(ctx, core.NewUser{Login: l}); err != nil {
			t.Fatal(err)
		}
	}
	// Invitations and mail are written by later parts; the counts read the tables.
	rawExec(t, s.Path(), `
		INSERT INTO invitations (login, login_key, email, state, created) VALUES ('a@example.com', 'a@example.com', 'a@example.com', 'pending', 1);
		INSERT INTO invitations (login, login_key, email, state, created, cancelled_at) VALUES ('b@example.com', 'b@example.com', 'b@example.com', 'cancelled', 1, 2);
		INSERT INTO outbox (kind, to_addr, subject, text_body, message_id, due, state, created, updated) VALUES
			('invitation', 'a@example.com', 's', 't', '<1@x>', 1, 'queued', 1, 1),
			('invitation', 'a@example.com', 's', 't', '<2@x>', 1, 'sending', 1, 1),
			('invitation', 'a@example.com', 's', 't', '<3@x>', 1, 'unknown', 1, 1),
			('invitation', 'a@example.com', 's', 't', '<4@x>', 1, 'failed', 1, 1);`)
	st, err = s.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := core.Stats{Users: 3, Groups: 2, PendingInvitations: 1, OutboxWaiting: 3}
	if st != want {
		t.Errorf("Stats = %+v, want %+v", st, want)
	}
}

func TestAnotherProgramWriting(t *testing.T) {
	ctx := context.Background()
	s := open(t)
	mustUser(t, s, "lea@example.com", "Léa", "Martin")

	// Another Convive (the command line, say) holds the write lock for a while.
	other, err := sql.Open("sqlite", s.Path()+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	conn, err := other.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `BEGIN IMMEDIATE`); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES ('other', 'x')`); err != nil {
		t.Fatal(err)
	}

	t.Run("reads go on while another program writes", func(t *testing.T) {
		start := time.Now()
		us, err := s.Users(ctx, core.UserFilter{Search: "martin"})
		if err != nil || len(us) != 1 {
			t.Fatalf("Users = %v, %v", us, err)
		}
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("a read waited %v behind the other program's write", d)
		}
	})

	t.Run("a write waits for the other program, then succeeds", func(t *testing.T) {
		release := time.AfterFunc(300*time.Millisecond, func() { conn.ExecContext(ctx, `COMMIT`) })
		defer release.Stop()
		start := time.Now()
		if _, err := s.CreateUser(ctx, core.NewUser{Login: "tom@example.com"}); err != nil {
			t.Fatal(err)
		}
		if d := time.Since(start); d < 250*time.Millisecond {
			t.Errorf("the write did not wait for the lock (%v)", d)
		}
		if v, _ := s.Setting(ctx, "other"); v != "x" {
			t.Errorf("the other program's write is lost: %q", v)
		}
	})
}
