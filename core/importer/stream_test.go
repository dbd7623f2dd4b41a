package importer_test

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"convive/core"
	"convive/core/importer"
	"convive/core/sheet"
	"convive/core/sqlite"
)

// streamFile writes a CSV of n people with, among them, a bad address every 1 000
// rows, a repeated address and the template's example row.
func streamFile(t *testing.T, n int) string {
	t.Helper()
	var b strings.Builder
	b.WriteString("E-mail;Prénom;Nom;Groupe\r\n")
	for i := 1; i <= n; i++ {
		addr := fmt.Sprintf("personne%05d@exemple.fr", i)
		switch {
		case i%1000 == 0:
			addr = "pas-une-adresse"
		case i == 3001:
			addr = "personne00010@exemple.fr"
		case i == 4001:
			addr = sheet.ExampleEmail
		}
		fmt.Fprintf(&b, "%s;Prénom%d;Nom%d;Agence %d\r\n", addr, i, i%97, i%7)
	}
	path := filepath.Join(t.TempDir(), "personnes.csv")
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func hashFile(t *testing.T, path string) [32]byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return sha256.Sum256(b)
}

func TestImportWritesWhileReading(t *testing.T) {
	ctx := context.Background()
	path := streamFile(t, 6500)

	t.Run("the counts are those of a preview, and only the rows to explain are kept", func(t *testing.T) {
		want, err := importer.Read(ctx, store(t), importer.Request{Source: importer.Source{Path: path}})
		if err != nil {
			t.Fatal(err)
		}
		s := store(t)
		pv, b, err := importer.Import(ctx, s, importer.Request{Source: importer.Source{Path: path}}, core.ImportMeta{})
		if err != nil {
			t.Fatal(err)
		}
		w, got := want.Plan, pv.Plan
		if got.New != w.New || got.Invalid != w.Invalid || got.Duplicate != w.Duplicate || got.Count() != w.Count() || got.LastLine != w.LastLine {
			t.Errorf("counts new %d invalid %d dup %d rows %d last %d; the preview says %d %d %d %d %d",
				got.New, got.Invalid, got.Duplicate, got.Count(), got.LastLine, w.New, w.Invalid, w.Duplicate, w.Count(), w.LastLine)
		}
		if w.New != 6500-6-1-1 || w.Invalid != 7 || w.Duplicate != 1 {
			t.Errorf("the preview itself: new %d invalid %d dup %d", w.New, w.Invalid, w.Duplicate)
		}
		if len(got.Rows) != 8 || len(got.Problems()) != 8 {
			t.Errorf("%d rows kept with %d problems, want the 8 refused", len(got.Rows), len(got.Problems()))
		}
		if b.ID == 0 || b.NewUsers != w.New || b.File != "personnes.csv" || b.Rows != w.Count() {
			t.Errorf("batch %+v", b)
		}
		if n, _ := s.CountUsers(ctx, core.UserFilter{}); n != w.New {
			t.Errorf("%d users, want %d", n, w.New)
		}
		found, err := s.Users(ctx, core.UserFilter{Search: "personne06499"})
		if err != nil || len(found) != 1 || found[0].FirstName != "Prénom6499" || len(found[0].Groups) != 1 {
			t.Errorf("search after the import: %+v, %v", found, err)
		}
		h, err := s.Audit(ctx, "user", found[0].ID)
		if err != nil || len(h) != 1 || h[0].Detail != `{"line":6500}` {
			t.Errorf("history %+v, %v", h, err)
		}
	})

	t.Run("a file that cannot be read to its end writes nothing", func(t *testing.T) {
		f := excelize.NewFile()
		f.SetSheetRow("Sheet1", "A1", &[]any{"E-mail", "Prénom"})
		for i := 2; i <= 7001; i++ {
			f.SetSheetRow("Sheet1", fmt.Sprintf("A%d", i), &[]any{fmt.Sprintf("p%d@exemple.fr", i), "P"})
		}
		if err := f.SetSheetDimension("Sheet1", "A1:B9000"); err != nil {
			t.Fatal(err)
		}
		xlsx := filepath.Join(t.TempDir(), "coupe.xlsx")
		if err := f.SaveAs(xlsx); err != nil {
			t.Fatal(err)
		}
		f.Close()
		db := filepath.Join(t.TempDir(), "convive.db")
		s, err := sqlite.Open(db)
		if err != nil {
			t.Fatal(err)
		}
		s.Close()
		before := hashFile(t, db)
		s, err = sqlite.Open(db)
		if err != nil {
			t.Fatal(err)
		}
		_, _, err = importer.Import(ctx, s, importer.Request{Source: importer.Source{Path: xlsx}}, core.ImportMeta{})
		var ce *core.Error
		if !asCore(err, &ce) || ce.Key != "sheet.truncated" {
			t.Errorf("err = %v, want the truncated sheet", err)
		}
		s.Close()
		if hashFile(t, db) != before {
			t.Error("the database changed")
		}
	})

	t.Run("rows with nothing to write make no batch", func(t *testing.T) {
		s := store(t)
		pv, b, err := importer.Import(ctx, s, importer.Request{Source: importer.Source{Paste: "E-mail\npas-une-adresse\n"}}, core.ImportMeta{})
		if err != nil || b.ID != 0 || pv.Plan.Invalid != 1 {
			t.Fatalf("batch %+v, plan %+v, %v", b, pv.Plan, err)
		}
		if list, _ := s.Batches(ctx); len(list) != 0 {
			t.Errorf("batches %+v", list)
		}
	})

	t.Run("a cancel while reading writes nothing", func(t *testing.T) {
		s := store(t)
		cctx, cancel := context.WithCancel(ctx)
		defer cancel()
		_, _, err := importer.Import(cctx, s, importer.Request{Source: importer.Source{Path: path}, Progress: func(p importer.Progress) {
			if p.Rows > 4000 {
				cancel()
			}
		}}, core.ImportMeta{})
		if core.ErrorCode(err) != core.ECancelled {
			t.Fatalf("err = %v", err)
		}
		if n, _ := s.CountUsers(ctx, core.UserFilter{}); n != 0 {
			t.Errorf("%d users after a cancel", n)
		}
	})
}

func asCore(err error, ce **core.Error) bool {
	e, ok := err.(*core.Error)
	if ok {
		*ce = e
	}
	return ok
}

// A delivery address already used by another account is flagged, whether that account
// is the plain address or an alias of it.
func TestImportFlagsAddressesAlreadyUsed(t *testing.T) {
	ctx := context.Background()
	s := store(t)
	for _, login := range []string{"jean.dupont#formation@exemple.fr", "anne@exemple.fr"} {
		if _, err := s.CreateUser(ctx, core.NewUser{Login: login}); err != nil {
			t.Fatal(err)
		}
	}
	pv, err := importer.Read(ctx, s, importer.Request{Source: importer.Source{Paste: "E-mail\njean.dupont@exemple.fr\nanne#2@exemple.fr\npaul@exemple.fr\n"}})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"jean.dupont@exemple.fr": "jean.dupont#formation@exemple.fr", "anne#2@exemple.fr": "anne@exemple.fr", "paul@exemple.fr": ""}
	for _, r := range pv.Plan.Rows {
		other, ok := want[r.Address.Login]
		if !ok || r.Status != core.RowNew {
			t.Errorf("row %+v", r)
			continue
		}
		var got string
		for _, w := range r.Warnings {
			if w.Code == "import.address_used" {
				got = w.Message
			}
		}
		if (other == "") != (got == "") || (other != "" && !strings.Contains(got, other)) {
			t.Errorf("%s: warning %q, want one naming %q", r.Address.Login, got, other)
		}
	}
}

// When the writing fails half-way, its reason is what Import says, not the stop of the
// reading it caused, and nothing is written.
func TestImportSaysWhyTheWritingFailed(t *testing.T) {
	ctx := context.Background()
	path := streamFile(t, 40000) // the reading is still going when the writing fails
	s := store(t)
	db, err := sql.Open("sqlite", s.Path())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`CREATE TRIGGER refuse AFTER INSERT ON users WHEN new.login = 'personne06100@exemple.fr' BEGIN SELECT RAISE(ABORT, 'disque en panne'); END`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	_, _, err = importer.Import(ctx, s, importer.Request{Source: importer.Source{Path: path}}, core.ImportMeta{})
	if err == nil || !strings.Contains(err.Error(), "Ligne 6101") || !strings.Contains(err.Error(), "disque en panne") {
		t.Fatalf("err = %v", err)
	}
	if n, _ := s.CountUsers(ctx, core.UserFilter{}); n != 0 {
		t.Errorf("%d users after a failed import", n)
	}
}
