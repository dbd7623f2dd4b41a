package importer_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"convive/core"
	"convive/core/importer"
	"convive/core/sheet"
	"convive/core/sqlite"
)

func store(t *testing.T) *sqlite.Store {
	t.Helper()
	s, err := sqlite.Open(filepath.Join(t.TempDir(), "convive.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func fixture(name string) string { return filepath.Join("..", "..", "testdata", "sheets", name) }

func TestRead(t *testing.T) {
	ctx := context.Background()

	t.Run("the example workbook is read, mapped and judged, with its sheet warnings", func(t *testing.T) {
		s := store(t)
		var stages []importer.Stage
		pv, err := importer.Read(ctx, s, importer.Request{Source: importer.Source{Path: fixture("import-exemple.xlsx")},
			Progress: func(p importer.Progress) {
				if len(stages) == 0 || stages[len(stages)-1] != p.Stage {
					stages = append(stages, p.Stage)
				}
			}})
		if err != nil {
			t.Fatal(err)
		}
		if pv.File != "import-exemple.xlsx" || pv.Sheet != "Personnes" || !pv.Mapping.HasHeader || pv.Plan.New != 4 || pv.Plan.Blank != 1 {
			t.Errorf("preview: file %q sheet %q new %d blank %d", pv.File, pv.Sheet, pv.Plan.New, pv.Plan.Blank)
		}
		if len(pv.Mapping.Unknown()) != 1 {
			t.Errorf("unknown columns: %+v", pv.Mapping.Unknown())
		}
		if len(pv.Warnings) != 1 || pv.Warnings[0].Code != "import.merged" {
			t.Errorf("warnings: %+v", pv.Warnings)
		}
		if strings.Join(func() []string {
			var out []string
			for _, s := range stages {
				out = append(out, string(s))
			}
			return out
		}(), ",") != "read,lookup" {
			t.Errorf("stages: %v", stages)
		}
		typo := false
		for _, r := range pv.Plan.Rows {
			for _, w := range r.Warnings {
				typo = typo || w.Code == "import.domain_typo"
			}
		}
		if !typo {
			t.Error("the gmial.com typo is not flagged")
		}
	})

	t.Run("pasted cells without a header are data, and the columns are named by letter", func(t *testing.T) {
		s := store(t)
		pv, err := importer.Read(ctx, s, importer.Request{Source: importer.Source{Paste: "anne@exemple.fr\tAnne\r\npas-une-adresse\tPaul\r\n"}})
		if err != nil {
			t.Fatal(err)
		}
		if pv.Mapping.HasHeader || pv.Plan.New != 1 || pv.Plan.Invalid != 1 {
			t.Fatalf("new %d invalid %d header %v", pv.Plan.New, pv.Plan.Invalid, pv.Mapping.HasHeader)
		}
		if msg := pv.Plan.Rows[1].Problems[0].Message; !strings.HasPrefix(msg, "Ligne 2, colonne A\u00a0:") {
			t.Errorf("message: %q", msg)
		}
	})

	t.Run("without an e-mail column the preview stays, and re-mapping by hand goes on", func(t *testing.T) {
		s := store(t)
		pv, err := importer.Read(ctx, s, importer.Request{Source: importer.Source{Paste: "Adresse\tNom\nanne@exemple.fr\tMartin\npaul@exemple.fr\tDurand\n"}})
		if core.ErrorCode(err) != core.EInvalid || pv == nil || pv.Plan != nil {
			t.Fatalf("err %v, preview %+v", err, pv)
		}
		if !strings.Contains(err.Error(), "«\u00a0Adresse\u00a0»") {
			t.Errorf("the message does not list the columns: %v", err)
		}
		remapped, err := importer.Remap(ctx, s, pv, pv.Mapping.Set(0, sheet.FieldEmail), core.ImportOptions{}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if remapped.Plan.New != 2 || remapped.Plan.Rows[0].LastName != "Martin" {
			t.Errorf("after re-mapping: new %d, %+v", remapped.Plan.New, remapped.Plan.Rows)
		}
		m := remapped.Mapping
		m.HasHeader = false
		again, err := importer.Remap(ctx, s, remapped, m, core.ImportOptions{}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if again.Plan.Invalid != 1 || again.Plan.Rows[0].Line != 1 {
			t.Errorf("the title row taken as data should be refused: %+v", again.Plan.Rows[0])
		}
	})

	t.Run("the template's example row is refused and pointed out", func(t *testing.T) {
		s := store(t)
		path := filepath.Join(t.TempDir(), "modele.xlsx")
		if err := sheet.WriteTemplate(path); err != nil {
			t.Fatal(err)
		}
		pv, err := importer.Read(ctx, s, importer.Request{Source: importer.Source{Path: path}})
		if err != nil {
			t.Fatal(err)
		}
		if pv.Plan.Invalid != 1 || pv.Plan.New != 0 || pv.Plan.Writable() != 0 {
			t.Errorf("counts: %+v", pv.Plan)
		}
		if len(pv.Warnings) != 1 || !strings.Contains(pv.Warnings[0].Message, sheet.ExampleEmail) {
			t.Errorf("warnings: %+v", pv.Warnings)
		}
	})

	t.Run("a cancelled read stops with a French message", func(t *testing.T) {
		s := store(t)
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		var b strings.Builder
		b.WriteString("E-mail\n")
		for i := 0; i < 20000; i++ {
			b.WriteString("a@exemple.fr\n")
		}
		_, err := importer.Read(cctx, s, importer.Request{Source: importer.Source{Paste: b.String()}})
		if core.ErrorCode(err) != core.ECancelled {
			t.Fatalf("err = %v", err)
		}
	})

	t.Run("an encrypted workbook asks for its password, then opens with it", func(t *testing.T) {
		s := store(t)
		_, err := importer.Read(ctx, s, importer.Request{Source: importer.Source{Path: fixture("protege.xlsx")}})
		if !sheet.NeedsPassword(err) {
			t.Fatalf("err = %v", err)
		}
		if _, err := importer.Read(ctx, s, importer.Request{Source: importer.Source{Path: fixture("protege.xlsx"), Password: "Convive-2026"}}); err != nil {
			t.Fatal(err)
		}
	})
}

func TestCommitAndExport(t *testing.T) {
	ctx := context.Background()

	t.Run("commit reports its progress, and a cancel writes nothing", func(t *testing.T) {
		s := store(t)
		var b strings.Builder
		b.WriteString("E-mail\tGroupe\n")
		for i := 0; i < 3000; i++ {
			b.WriteString("p" + strings.Repeat("x", i%7) + string(rune('a'+i%26)) + "-" + itoa(i) + "@exemple.fr\tVentes\n")
		}
		pv, err := importer.Read(ctx, s, importer.Request{Source: importer.Source{Paste: b.String()}})
		if err != nil {
			t.Fatal(err)
		}
		cctx, cancel := context.WithCancel(ctx)
		_, err = importer.Commit(cctx, s, pv, core.ImportMeta{}, func(p importer.Progress) {
			if p.Rows >= 1000 {
				cancel()
			}
		})
		cancel()
		if core.ErrorCode(err) != core.ECancelled {
			t.Fatalf("err = %v", err)
		}
		if n, _ := s.CountUsers(ctx, core.UserFilter{}); n != 0 {
			t.Fatalf("%d users after a cancel", n)
		}
		if _, err := s.GroupByPath(ctx, "Ventes"); core.ErrorCode(err) != core.ENotFound {
			t.Errorf("the group was created: %v", err)
		}
		var last importer.Progress
		batch, err := importer.Commit(ctx, s, pv, core.ImportMeta{}, func(p importer.Progress) { last = p })
		if err != nil {
			t.Fatal(err)
		}
		if batch.NewUsers != 3000 || batch.File != "cellules collées" || last.Fraction != 1 || last.Stage != importer.StageCommit {
			t.Errorf("batch %+v, last progress %+v", batch, last)
		}
	})

	t.Run("the rejected rows keep their cells, get their reason, and formulas are inert", func(t *testing.T) {
		s := store(t)
		pv, err := importer.Read(ctx, s, importer.Request{Source: importer.Source{Paste: "E-mail\tNom\tNote\n=1+1\tMartin\t@SUM(A1)\nok@exemple.fr\tDurand\t\nok@exemple.fr\tBis\t-3\n"}})
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(t.TempDir(), "rejets.xlsx")
		n, err := pv.WriteRejected(path)
		if err != nil || n != 2 {
			t.Fatalf("%d rows, %v", n, err)
		}
		f, err := excelize.OpenFile(path)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		rows, _ := f.GetRows(f.GetSheetName(0))
		want := [][]string{
			{"E-mail", "Nom", "Note", importer.RejectedHeader},
			{"'=1+1", "Martin", "'@SUM(A1)"},
			{"ok@exemple.fr", "Bis", "'-3"},
		}
		if len(rows) != 3 {
			t.Fatalf("rows = %q", rows)
		}
		for i, w := range want {
			for j, c := range w {
				if rows[i][j] != c {
					t.Errorf("cell %d,%d = %q, want %q", i, j, rows[i][j], c)
				}
			}
		}
		if !strings.Contains(rows[1][3], "Ligne 2, colonne E-mail") || !strings.Contains(rows[2][3], "ligne 3") {
			t.Errorf("reasons: %q / %q", rows[1][3], rows[2][3])
		}
	})
}

func itoa(i int) string {
	if i == 0 {
		return "0"
	}
	var b []byte
	for ; i > 0; i /= 10 {
		b = append([]byte{byte('0' + i%10)}, b...)
	}
	return string(b)
}
