package gui

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
	"github.com/xuri/excelize/v2"

	"convive/core"
	"convive/core/sheet"
	"convive/core/sqlite"
)

// The real store is all the Importer screen needs.
var _ ImportService = (*sqlite.Store)(nil)

// fakePicker answers the file dialogs with fixed paths, never opening one.
type fakePicker struct {
	open, save string
}

func (p *fakePicker) Open(string, FileFilter) (string, error)         { return p.open, nil }
func (p *fakePicker) Save(string, string, FileFilter) (string, error) { return p.save, nil }

// writeXLSX writes rows to a real workbook at path, in a sheet named sheetName.
func writeXLSX(t *testing.T, path, sheetName string, rows [][]string) {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", sheetName); err != nil {
		t.Fatal(err)
	}
	sw, err := f.NewStreamWriter(sheetName)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range rows {
		cells := make([]any, len(r))
		for j, c := range r {
			cells[j] = c
		}
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := sw.SetRow(cell, cells); err != nil {
			t.Fatal(err)
		}
	}
	if err := sw.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
}

type importFixture struct {
	*fixture
	s      *ImporterScreen
	picker *fakePicker
	dir    string
}

func newImportFixture(t *testing.T) *importFixture {
	t.Helper()
	f := newFixture(t)
	p := &fakePicker{}
	f.mw.SetFilePicker(p)
	f.mw.ShowScreen(ScreenImport)
	settle()
	return &importFixture{fixture: f, s: f.mw.Importer, picker: p, dir: t.TempDir()}
}

// choose picks path through the Choisir un fichier… button.
func (f *importFixture) choose(t *testing.T, path string) {
	t.Helper()
	f.picker.open = path
	test.Tap(f.s.ChooseFile)
}

func (f *importFixture) waitView(t *testing.T, view string) {
	t.Helper()
	waitFor(t, "the "+view+" view", func() bool { return f.s.current() == view && f.s.cancel == nil })
}

// statusColumn returns the status word of each row the table shows, as laid out.
func (f *importFixture) statusColumn() []string {
	var out []string
	for i := range f.s.visible {
		l := f.s.createCell().(*widget.Label)
		f.s.updateCell(widget.TableCellID{Row: i, Col: colStatus}, l)
		out = append(out, l.Text)
	}
	return out
}

func (f *importFixture) count(t *testing.T) int {
	t.Helper()
	n, err := f.st.CountUsers(f.ctx, core.UserFilter{})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// people is a sheet with every kind of row: lines 2–4 new, 5 an invalid address,
// 6 blank, 7 a duplicate of line 2, 8 an existing account unchanged, 9 an existing
// account whose last name changes.
var people = [][]string{
	{"E-mail", "Prénom", "Nom", "Groupe", "Service"},
	{"anne.martin@exemple.fr", "Anne", "Martin", "Ventes", "Paris"},
	{"paul.durand@exemple.fr", "Paul", "Durand", "Ventes/Région Sud", "Lyon"},
	{"lea.petit@exemple.fr", "Léa", "Petit", "", ""},
	{"jean.dupont@gmail", "Jean", "Dupont", "", ""},
	{"", "", "", "", ""},
	{"Anne.Martin@exemple.fr", "Anne", "Martin", "", ""},
	{"marc.leroy@exemple.fr", "Marc", "Leroy", "", ""},
	{"sophie.bernard@exemple.fr", "Sophie", "Bernard-Roy", "", ""},
}

func (f *importFixture) peopleFile(t *testing.T) string {
	t.Helper()
	f.addUser(t, "marc.leroy@exemple.fr", "Marc", "Leroy")
	f.addUser(t, "sophie.bernard@exemple.fr", "Sophie", "Bernard")
	path := filepath.Join(f.dir, "équipe.xlsx")
	writeXLSX(t, path, "Personnes", people)
	return path
}

func TestImporterPreview(t *testing.T) {
	f := newImportFixture(t)
	s := f.s
	path := f.peopleFile(t)

	t.Run("the screen starts with its three ways in and the file chooser as main action", func(t *testing.T) {
		if f.mw.Title.Text != "Importer" || s.current() != importViewStart {
			t.Fatalf("title %q, view %q", f.mw.Title.Text, s.current())
		}
		if got := f.mw.Action.Objects[0].(*fyne.Container).Objects[0]; got != s.ChooseFile {
			t.Errorf("main action %v", got)
		}
		shown := strings.Join(texts(s.view()), "\n")
		if !strings.Contains(shown, "Déposez un fichier .xlsx ou .csv") || s.Paste.Text != "Coller depuis le presse-papiers" || s.Template.Text != "Télécharger le modèle" {
			t.Errorf("start view says %q", shown)
		}
	})

	f.choose(t, path)
	f.waitView(t, importViewPreview)

	t.Run("a chosen file shows its rows with their statuses and the counts", func(t *testing.T) {
		p := s.Plan()
		if p == nil {
			t.Fatalf("no plan; warnings %q", s.Warnings.Text)
		}
		if p.New != 3 || p.Updated != 1 || p.Unchanged != 1 || p.Duplicate != 1 || p.Invalid != 1 {
			t.Errorf("counts new %d, updated %d, unchanged %d, duplicate %d, invalid %d", p.New, p.Updated, p.Unchanged, p.Duplicate, p.Invalid)
		}
		want := []string{"Nouveau", "Nouveau", "Nouveau", "Invalide", "Doublon", "Inchangé", "Mise à jour"}
		if got := f.statusColumn(); !reflect.DeepEqual(got, want) {
			t.Errorf("statuses %q, want %q", got, want)
		}
		if got, want := s.ReadInfo.Text, "7 lignes lues (dernière ligne\u00a0: 9) · 1 ligne vide ignorée"; got != want {
			t.Errorf("read info %q, want %q", got, want)
		}
		if s.Import.Text != "Importer 4 lignes" || s.Import.Disabled() {
			t.Errorf("import button %q (disabled %v)", s.Import.Text, s.Import.Disabled())
		}
		if got := f.mw.Action.Objects[0].(*fyne.Container).Objects[0]; got != s.Import {
			t.Error("the import button is not the main action")
		}
		if s.Source.Text != "équipe.xlsx" {
			t.Errorf("source %q", s.Source.Text)
		}
	})

	t.Run("the header shows each column with its mapping, the unknown one as ignored", func(t *testing.T) {
		var got []string
		for i := 0; i < s.tableColumns(); i++ {
			box := s.createHeader()
			s.updateHeader(widget.TableCellID{Row: -1, Col: i}, box)
			h := box.(*headerCell)
			cell := h.title.Text
			if h.field.Visible() {
				cell = h.field.Text
			}
			got = append(got, cell)
		}
		want := []string{"Ligne", "Statut", "E-mail → E-mail", "Prénom → Prénom", "Nom → Nom", "Groupe → Groupe", "Service → Ignorée", "Motif ou remarque"}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("header %q, want %q", got, want)
		}
		drawn := map[string]bool{}
		for _, o := range test.LaidOutObjects(s.Table) {
			if b, ok := o.(*widget.Button); ok && b.Visible() {
				drawn[b.Text] = true
			}
		}
		if !drawn["E-mail → E-mail"] || !drawn["Prénom → Prénom"] {
			t.Errorf("the table draws the header buttons %v", drawn)
		}
	})

	t.Run("the reason of an invalid row says the line and the column", func(t *testing.T) {
		l := s.createCell().(*widget.Label)
		s.updateCell(widget.TableCellID{Row: 3, Col: s.tableColumns() - 1}, l)
		if !strings.Contains(l.Text, "Ligne 5, colonne E-mail") || l.Importance != widget.DangerImportance {
			t.Errorf("reason %q", l.Text)
		}
		s.Table.Select(widget.TableCellID{Row: 3, Col: 2})
		if !s.RowDetail.Visible() || !strings.Contains(s.RowDetail.Text, "« jean.dupont@gmail »") {
			t.Errorf("the selected row's detail says %q", s.RowDetail.Text)
		}
		s.Table.UnselectAll()
	})

	t.Run("a text is cut only when too long for its column, the notes with an ellipsis", func(t *testing.T) {
		cases := []struct {
			col   int
			width float32
			want  fyne.TextTruncation
		}{
			{s.tableColumns() - 1, 2000, fyne.TextTruncateOff},
			{s.tableColumns() - 1, 120, fyne.TextTruncateEllipsis},
			{colSheet, widthEmail, fyne.TextTruncateOff},
			{colSheet, 60, fyne.TextTruncateClip},
		}
		for _, c := range cases {
			l := s.createCell().(*widget.Label)
			l.Resize(fyne.NewSize(c.width, 36))
			s.updateCell(widget.TableCellID{Row: 3, Col: c.col}, l)
			if l.Truncation != c.want {
				t.Errorf("%q in %v px: truncation %v, want %v", l.Text, c.width, l.Truncation, c.want)
			}
		}
	})

	t.Run("the filter shows the rows of one status, with the counts in its choices", func(t *testing.T) {
		want := []string{"Toutes les lignes (7)", "Nouveaux (3)", "Mises à jour (1)", "Inchangés (1)", "Doublons (1)", "Invalides (1)"}
		if !reflect.DeepEqual(s.Filter.Options, want) {
			t.Errorf("filter %q", s.Filter.Options)
		}
		s.Filter.SetSelected("Invalides (1)")
		if got := s.VisibleLines(); !reflect.DeepEqual(got, []int{5}) {
			t.Errorf("invalid rows shown: %v", got)
		}
		s.Filter.SetSelected("Nouveaux (3)")
		if got := s.VisibleLines(); !reflect.DeepEqual(got, []int{2, 3, 4}) {
			t.Errorf("new rows shown: %v", got)
		}
		s.Filter.SetSelected("Toutes les lignes (7)")
		if len(s.VisibleLines()) != 7 {
			t.Error("every row is not back")
		}
	})

	t.Run("mapping the last name column to ignored by hand makes the update unchanged", func(t *testing.T) {
		menu := s.fieldMenu(2)
		var ignore *fyne.MenuItem
		for _, it := range menu.Items {
			if it.Checked && it.Label != "Nom" {
				t.Errorf("%q ticked for the Nom column", it.Label)
			}
			if it.Label == "Ignorée" {
				ignore = it
			}
		}
		ignore.Action()
		waitFor(t, "the new plan", func() bool { return s.Plan() != nil && s.Plan().Updated == 0 })
		if p := s.Plan(); p.Unchanged != 2 || p.New != 3 {
			t.Errorf("after re-mapping: new %d, unchanged %d", p.New, p.Unchanged)
		}
		if s.Import.Text != "Importer 3 lignes" {
			t.Errorf("import button %q", s.Import.Text)
		}
		s.Remap(2, core.FieldLastName)
		waitFor(t, "the plan back", func() bool { return s.Plan() != nil && s.Plan().Updated == 1 })
	})

	t.Run("ignoring the e-mail column says so and disables the import", func(t *testing.T) {
		s.Remap(0, core.FieldIgnore)
		waitFor(t, "the refusal", func() bool { return s.Plan() == nil })
		if !strings.Contains(s.Warnings.Text, "e-mail") || !s.Import.Disabled() || !s.ImportNote.Visible() {
			t.Errorf("warnings %q, note %q", s.Warnings.Text, s.ImportNote.Text)
		}
		if len(s.VisibleLines()) != 7 {
			t.Error("the rows are no longer shown")
		}
		s.Remap(0, core.FieldEmail)
		waitFor(t, "the plan back", func() bool { return s.Plan() != nil })
	})

	t.Run("an option changes the verdict without reading the file again", func(t *testing.T) {
		os.Remove(path)
		s.Mode.SetSelected("Créer seulement")
		waitFor(t, "the create-only plan", func() bool { return s.Plan() != nil && s.Plan().Options.Mode == core.ModeCreate })
		if p := s.Plan(); p.Updated != 0 || p.Unchanged != 2 || p.New != 3 {
			t.Errorf("create only: new %d, updated %d, unchanged %d", p.New, p.Updated, p.Unchanged)
		}
		s.Mode.SetSelected("Mettre à jour seulement")
		waitFor(t, "the update-only plan", func() bool { return s.Plan() != nil && s.Plan().Options.Mode == core.ModeUpdate })
		if p := s.Plan(); p.New != 0 || p.Updated != 1 || s.Import.Text != "Importer 1 ligne" {
			t.Errorf("update only: new %d, updated %d, button %q", p.New, p.Updated, s.Import.Text)
		}
		f.group(t, "Support")
		s.refreshGroupsAsync()
		waitFor(t, "the groups offered", func() bool { return len(s.groupPaths) == 1 && s.groupPaths[0] == "Support" })
		s.Groups.SetText("Nouveaux arrivants")
		// picking a group in the list adds it to the one typed
		s.Groups.SetText("Support")
		if s.Groups.Text != "Nouveaux arrivants ; Support" {
			t.Errorf("groups field %q", s.Groups.Text)
		}
		s.Groups.OnSubmitted(s.Groups.Text)
		waitFor(t, "the default groups", func() bool {
			p := s.Plan()
			return p != nil && len(p.Options.DefaultGroups) == 2
		})
	})
}

func TestImporterCommitAndUndo(t *testing.T) {
	f := newImportFixture(t)
	s := f.s
	f.choose(t, f.peopleFile(t))
	f.waitView(t, importViewPreview)
	before := f.count(t)

	t.Run("importing writes the rows and shows the summary", func(t *testing.T) {
		test.Tap(s.Import)
		f.waitView(t, importViewDone)
		if got := f.count(t); got != before+3 {
			t.Errorf("%d users, want %d", got, before+3)
		}
		u, err := f.st.UserByLogin(f.ctx, "sophie.bernard@exemple.fr")
		if err != nil || u.LastName != "Bernard-Roy" {
			t.Errorf("update not written: %+v %v", u, err)
		}
		for _, want := range []string{"3 comptes créés", "1 compte mis à jour", "1 ligne sans changement", "2 lignes refusées"} {
			if !strings.Contains(s.Summary.Text, want) {
				t.Errorf("summary %q lacks %q", s.Summary.Text, want)
			}
		}
		if s.ExportRejected.Disabled() || s.Undo.Disabled() {
			t.Error("export or undo disabled")
		}
	})

	t.Run("the rejected rows are exported with their reason", func(t *testing.T) {
		f.picker.save = filepath.Join(f.dir, "refus.xlsx")
		test.Tap(s.ExportRejected)
		waitFor(t, "the saved dialog", func() bool { return strings.Contains(overlayText(f.mw.Window), "refus.xlsx") })
		press(f.mw.Window, fyne.KeyEscape)
		x, err := excelize.OpenFile(f.picker.save)
		if err != nil {
			t.Fatal(err)
		}
		defer x.Close()
		rows, _ := x.GetRows(x.GetSheetList()[0])
		if len(rows) != 3 || rows[0][len(rows[0])-1] != "Motif du rejet" || rows[1][0] != "jean.dupont@gmail" {
			t.Errorf("export %q", rows)
		}
	})

	t.Run("undoing asks with the count, then removes what the import did", func(t *testing.T) {
		test.Tap(s.Undo)
		if q := overlayText(f.mw.Window); !strings.Contains(q, "Annuler l'import de 4 comptes\u00a0?") {
			t.Fatalf("question %q", q)
		}
		press(f.mw.Window, fyne.KeyReturn)
		waitFor(t, "the undo", func() bool { return strings.Contains(overlayText(f.mw.Window), "est annulé") })
		press(f.mw.Window, fyne.KeyEscape)
		if got := f.count(t); got != before {
			t.Errorf("%d users after undo, want %d", got, before)
		}
		if u, _ := f.st.UserByLogin(f.ctx, "sophie.bernard@exemple.fr"); u.LastName != "Bernard" {
			t.Errorf("last name %q after undo", u.LastName)
		}
		if !s.Undo.Disabled() {
			t.Error("undo still offered")
		}
	})

	t.Run("the recent imports list the batch as undone", func(t *testing.T) {
		test.Tap(s.Another)
		waitFor(t, "the list", func() bool {
			return strings.Contains(strings.Join(texts(s.Recent), "\n"), "équipe.xlsx")
		})
		if shown := strings.Join(texts(s.Recent), "\n"); !strings.Contains(shown, "annulé le") {
			t.Errorf("recent imports %q", shown)
		}
	})
}

// stallingStore holds a commit at its first progress report (with atEnd, at the first
// that says every row is written) until the screen cancels it, so that the test stops
// an import that is surely half-way.
type stallingStore struct {
	*sqlite.Store
	started chan struct{}
	atEnd   bool
}

func (s stallingStore) CommitImport(ctx context.Context, plan *core.ImportPlan, meta core.ImportMeta) (core.Batch, error) {
	report := meta.Progress
	once := false
	meta.Progress = func(done, total int) {
		if report != nil {
			report(done, total)
		}
		if !once && (!s.atEnd || done == total) {
			once = true
			close(s.started)
			<-ctx.Done()
		}
	}
	return s.Store.CommitImport(ctx, plan, meta)
}

// stallingReader holds the reading of a file (at its look-up of the organisation) until
// the screen cancels it.
type stallingReader struct {
	*sqlite.Store
	started chan struct{}
	once    *sync.Once
}

func (s stallingReader) Organisation(ctx context.Context) (core.Organisation, error) {
	s.once.Do(func() { close(s.started) })
	<-ctx.Done()
	return core.Organisation{}, ctx.Err()
}

func TestImporterStopWhileReading(t *testing.T) {
	a := test.NewTempApp(t)
	st, err := sqlite.Open(filepath.Join(t.TempDir(), "convive.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { settle(); st.Close() })
	stall := stallingReader{Store: st, started: make(chan struct{}), once: &sync.Once{}}
	mw := NewMainWindow(a, stall)
	mw.Window.Show()
	p := &fakePicker{}
	p.open, _ = filepath.Abs(filepath.Join("..", "testdata", "sheets", "import-exemple.xlsx"))
	mw.SetFilePicker(p)
	mw.ShowScreen(ScreenImport)
	s := mw.Importer

	t.Run("Arrêter while reading goes back to the start and says nothing more", func(t *testing.T) {
		test.Tap(s.ChooseFile)
		waitFor(t, "the reading to start", func() bool {
			select {
			case <-stall.started:
				return true
			default:
				return false
			}
		})
		if s.current() != importViewBusy || s.ProgressFile.Text != "import-exemple.xlsx" || !strings.HasPrefix(s.ProgressText.Text, "Lecture") {
			t.Errorf("view %q, file %q, progress %q", s.current(), s.ProgressFile.Text, s.ProgressText.Text)
		}
		test.Tap(s.Stop)
		waitFor(t, "the start view", func() bool { return s.current() == importViewStart })
		settle()
		if msg := overlayText(mw.Window); msg != "" {
			t.Errorf("a dialog says %q", msg)
		}
		if s.Plan() != nil {
			t.Error("a preview was kept")
		}
	})
}

func TestImporterStop(t *testing.T) {
	for _, c := range []struct {
		name  string
		atEnd bool
		says  string
	}{
		{"Arrêter while the rows are written leaves the database as it was", false, "Enregistrement : 0 sur 3 000"},
		{"Arrêter while the commit finishes leaves the database as it was", true, "Finalisation de l'import…"},
	} {
		t.Run(c.name, func(t *testing.T) {
			a := test.NewTempApp(t)
			st, err := sqlite.Open(filepath.Join(t.TempDir(), "convive.db"))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { settle(); st.Close() })
			stall := stallingStore{Store: st, started: make(chan struct{}), atEnd: c.atEnd}
			mw := NewMainWindow(a, stall)
			mw.Window.Resize(fyne.NewSize(1100, 720))
			mw.Window.Show()
			p := &fakePicker{}
			mw.SetFilePicker(p)
			mw.ShowScreen(ScreenImport)
			s := mw.Importer

			rows := [][]string{{"E-mail", "Prénom", "Nom"}}
			for i := 0; i < 3000; i++ {
				rows = append(rows, []string{fmt.Sprintf("personne%04d@exemple.fr", i), "Prénom", fmt.Sprintf("Nom %d", i)})
			}
			p.open = filepath.Join(t.TempDir(), "gros.xlsx")
			writeXLSX(t, p.open, "Feuil1", rows)
			test.Tap(s.ChooseFile)
			waitFor(t, "the preview", func() bool { return s.current() == importViewPreview && s.Plan() != nil })
			if s.Plan().New != 3000 {
				t.Fatalf("%d new rows", s.Plan().New)
			}

			test.Tap(s.Import)
			<-stall.started
			waitFor(t, "the progress", func() bool { return s.current() == importViewBusy && s.ProgressText.Text == c.says })
			test.Tap(s.Stop)
			waitFor(t, "the preview again", func() bool { return s.current() == importViewPreview })
			if n, _ := st.CountUsers(context.Background(), core.UserFilter{}); n != 0 {
				t.Errorf("%d users written", n)
			}
			if b, _ := st.Batches(context.Background()); len(b) != 0 {
				t.Errorf("batches %+v", b)
			}
			if msg := overlayText(mw.Window); !strings.Contains(msg, "rien n'a été enregistré") {
				t.Errorf("message %q", msg)
			}
		})
	}
}

func TestImporterBadFiles(t *testing.T) {
	f := newImportFixture(t)
	for _, c := range []struct{ file, says string }{
		{"ancien.xls", "Excel 97-2003"},
		{"coupe.xlsx", "coupe.xlsx"},
		{"empty.csv", "est vide"},
		{"classeur.ods", "classeur.ods"},
		{"tronque.xlsx", "tronque.xlsx"},
	} {
		t.Run(c.file+" shows the French reason with the file name and changes nothing", func(t *testing.T) {
			path, _ := filepath.Abs(filepath.Join("..", "testdata", "sheets", c.file))
			f.choose(t, path)
			waitFor(t, "the error", func() bool { return overlayText(f.mw.Window) != "" })
			msg := overlayText(f.mw.Window)
			if !strings.Contains(msg, c.file) || !strings.Contains(msg, c.says) {
				t.Errorf("message %q", msg)
			}
			press(f.mw.Window, fyne.KeyEscape)
			settle()
			if f.s.current() != importViewStart || f.count(t) != 0 {
				t.Errorf("view %q, %d users", f.s.current(), f.count(t))
			}
		})
	}
}

func TestImporterLongPreview(t *testing.T) {
	f := newImportFixture(t)
	s := f.s
	const rows = 3000
	var text strings.Builder
	text.WriteString("E-mail;Prénom;Nom\n")
	for i := 1; i <= rows; i++ {
		fmt.Fprintf(&text, "personne%04d@exemple.fr;Prénom%d;Nom%d\n", i, i, i)
	}
	path := filepath.Join(f.dir, "personnes.csv")
	if err := os.WriteFile(path, []byte(text.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	f.choose(t, path)
	f.waitView(t, importViewPreview)

	t.Run("the table draws the rows in view, and a separator between them only", func(t *testing.T) {
		if len(s.visible) != rows {
			t.Fatalf("%d rows in the preview", len(s.visible))
		}
		shown := map[string]bool{}
		separators := 0
		for _, o := range drawnObjects(s.Table) {
			switch w := o.(type) {
			case *widget.Label:
				shown[w.Text] = true
			case *widget.Separator:
				separators++
			}
		}
		if !shown["personne0001@exemple.fr"] || !shown["personne0005@exemple.fr"] || shown["personne0500@exemple.fr"] {
			t.Errorf("the table shows the e-mails %v", shown)
		}
		if separators > 100 {
			t.Errorf("the table holds %d separators for %d rows", separators, rows)
		}
	})
}

// drawnObjects returns o and the objects under it as the window draws them (where
// test.LaidOutObjects makes new renderers, which hold no table cell).
func drawnObjects(o fyne.CanvasObject) []fyne.CanvasObject {
	out := []fyne.CanvasObject{o}
	switch c := o.(type) {
	case fyne.Widget:
		for _, child := range test.WidgetRenderer(c).Objects() {
			out = append(out, drawnObjects(child)...)
		}
	case *fyne.Container:
		for _, child := range c.Objects {
			out = append(out, drawnObjects(child)...)
		}
	}
	return out
}

func TestImporterWaysIn(t *testing.T) {
	f := newImportFixture(t)
	s := f.s

	t.Run("Ctrl+V on the screen reads the cells of the clipboard", func(t *testing.T) {
		fyne.CurrentApp().Clipboard().SetContent("E-mail\tPrénom\tNom\nanne@exemple.fr\tAnne\tMartin\nbob@exemple\tBob\tDurand\n")
		f.mw.Window.Canvas().(interface{ TypedShortcut(fyne.Shortcut) }).TypedShortcut(&fyne.ShortcutPaste{})
		f.waitView(t, importViewPreview)
		if p := s.Plan(); p == nil || p.New != 1 || p.Invalid != 1 || s.Source.Text != "cellules collées" {
			t.Errorf("plan %+v, source %q", p, s.Source.Text)
		}
	})

	t.Run("Ctrl+O from another screen opens the chooser, then the preview", func(t *testing.T) {
		f.mw.ShowScreen(ScreenGroups)
		f.picker.open, _ = filepath.Abs(filepath.Join("..", "testdata", "sheets", "tab.csv"))
		f.mw.Window.Canvas().(interface{ TypedShortcut(fyne.Shortcut) }).TypedShortcut(
			&desktop.CustomShortcut{KeyName: fyne.KeyO, Modifier: fyne.KeyModifierShortcutDefault})
		if f.mw.CurrentScreen() != ScreenImport {
			t.Fatalf("screen %q", f.mw.CurrentScreen())
		}
		waitFor(t, "the preview of tab.csv", func() bool { return s.current() == importViewPreview && s.Source.Text == "tab.csv" })
	})

	t.Run("a sheet whose e-mail column has an unknown title is mapped by hand", func(t *testing.T) {
		fyne.CurrentApp().Clipboard().SetContent("Courriel pro\tPrénom\nanne@exemple.fr\tAnne\n")
		test.Tap(s.Paste)
		f.waitView(t, importViewPreview)
		if s.Plan() != nil || !s.Import.Disabled() || !strings.Contains(s.Warnings.Text, "«\u00a0Courriel pro\u00a0»") {
			t.Fatalf("plan %v, warnings %q", s.Plan(), s.Warnings.Text)
		}
		if len(s.VisibleLines()) != 0 {
			t.Errorf("rows of the previous source shown: %v", s.VisibleLines())
		}
		s.Remap(0, core.FieldEmail)
		waitFor(t, "the plan", func() bool { return s.Plan() != nil })
		if p := s.Plan(); p.New != 1 || s.Import.Text != "Importer 1 ligne" {
			t.Errorf("new %d, button %q", p.New, s.Import.Text)
		}
	})

	t.Run("an empty clipboard says what to do", func(t *testing.T) {
		fyne.CurrentApp().Clipboard().SetContent("  ")
		test.Tap(s.Paste)
		if msg := overlayText(f.mw.Window); !strings.Contains(msg, "copiez-les") {
			t.Errorf("message %q", msg)
		}
		press(f.mw.Window, fyne.KeyEscape)
	})

	t.Run("a file dropped on another screen opens its preview", func(t *testing.T) {
		f.mw.ShowScreen(ScreenUsers)
		path, _ := filepath.Abs(filepath.Join("..", "testdata", "sheets", "import-exemple.xlsx"))
		f.mw.DropFiles(fyne.NewPos(10, 10), []fyne.URI{storage.NewFileURI(path)})
		if f.mw.CurrentScreen() != ScreenImport {
			t.Fatalf("screen %q", f.mw.CurrentScreen())
		}
		f.waitView(t, importViewPreview)
		if s.Source.Text != "import-exemple.xlsx" || s.Plan() == nil || len(s.Plan().Rows) == 0 {
			t.Errorf("source %q", s.Source.Text)
		}
		if !strings.Contains(s.Warnings.Text, "fusionnées") {
			t.Errorf("warnings %q lack the merged cells", s.Warnings.Text)
		}
	})

	t.Run("an encrypted workbook asks for its password, says when it is wrong, then opens", func(t *testing.T) {
		path, _ := filepath.Abs(filepath.Join("..", "testdata", "sheets", "protege.xlsx"))
		f.choose(t, path)
		waitFor(t, "the password dialog", func() bool { return strings.Contains(overlayText(f.mw.Window), "mot de passe") })
		entry := s.PasswordEntry
		test.Type(entry, "faux")
		press(f.mw.Window, fyne.KeyReturn)
		waitFor(t, "the second dialog", func() bool { return s.PasswordEntry != entry && s.current() != importViewBusy })
		if msg := s.PasswordMessage.Text; !strings.Contains(msg, "protege.xlsx") || s.PasswordMessage.Importance != widget.DangerImportance {
			t.Errorf("wrong password says %q", msg)
		}
		test.Type(s.PasswordEntry, "Convive-2026")
		press(f.mw.Window, fyne.KeyReturn)
		waitFor(t, "the preview", func() bool { return s.current() == importViewPreview && s.Source.Text == "protege.xlsx" })
	})

	t.Run("Télécharger le modèle writes the template where asked", func(t *testing.T) {
		f.picker.save = filepath.Join(f.dir, "modèle.xlsx")
		test.Tap(s.Template)
		waitFor(t, "the saved dialog", func() bool { return strings.Contains(overlayText(f.mw.Window), "modèle.xlsx") })
		press(f.mw.Window, fyne.KeyEscape)
		wb, err := sheet.Open(f.picker.save, sheet.Options{})
		if err != nil {
			t.Fatal(err)
		}
		wb.Close()
	})
}

func TestImporterInvite(t *testing.T) {
	f := newImportFixture(t)
	s := f.s
	fyne.CurrentApp().Clipboard().SetContent("E-mail\tPrénom\tNom\tLangue\nanne@exemple.fr\tAnne\tMartin\tanglais\nbob@exemple.fr\tBob\tDurand\t\n")
	test.Tap(s.Paste)
	f.waitView(t, importViewPreview)

	t.Run("without the platform's address, inviting says where to set it and writes nothing", func(t *testing.T) {
		s.Action.SetSelected("Inviter par e-mail")
		waitFor(t, "the invite plan", func() bool { return s.Plan() != nil && s.Plan().Options.Action == core.ActionInvite })
		test.Tap(s.Import)
		waitFor(t, "the refusal", func() bool { return s.current() == importViewPreview && overlayText(f.mw.Window) != "" })
		if msg := overlayText(f.mw.Window); !strings.Contains(msg, "Paramètres") {
			t.Errorf("message %q", msg)
		}
		press(f.mw.Window, fyne.KeyEscape)
		if f.count(t) != 0 {
			t.Error("users written")
		}
	})

	t.Run("inviting by e-mail queues one invitation per new person and says so", func(t *testing.T) {
		if err := f.st.SetOrganisation(f.ctx, core.Organisation{Name: "Académie", URL: "https://formation.example.fr"}); err != nil {
			t.Fatal(err)
		}
		test.Tap(s.Import)
		f.waitView(t, importViewDone)
		if !strings.Contains(s.Summary.Text, "2 invitations prêtes dans la boîte d'envoi") {
			t.Errorf("summary %q", s.Summary.Text)
		}
		stats, err := f.st.Stats(f.ctx)
		if err != nil {
			t.Fatal(err)
		}
		if stats.PendingInvitations != 2 || stats.OutboxWaiting != 2 {
			t.Errorf("%d invitations pending, %d mails waiting", stats.PendingInvitations, stats.OutboxWaiting)
		}
		waitFor(t, "the navigation count", func() bool { return f.mw.stats.PendingInvitations == 2 })
	})
}
