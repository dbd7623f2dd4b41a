package gui

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"convive/core"
	"convive/core/sqlite"
)

// The real store satisfies the window's needs.
var _ Services = (*sqlite.Store)(nil)

// uiQueue receives what background work hands to Fyne's goroutine; the tests drain it
// on their own goroutine, as Fyne's event loop would, so that widgets are only touched
// from one goroutine.
var uiQueue = make(chan func(), 4096)

func TestMain(m *testing.M) {
	core.LimitMemory() // as the application runs: BenchmarkPreviewScroll depends on it
	doUI = func(f func()) { uiQueue <- f }
	SetLanguage(LanguageFrench)
	if err := LoadTranslations(); err != nil {
		panic(err)
	}
	os.Exit(m.Run())
}

// drainUI runs what background work queued for the UI so far.
func drainUI() {
	for {
		select {
		case f := <-uiQueue:
			f()
		default:
			return
		}
	}
}

// waitFor runs the UI queue until cond holds, failing after a few seconds.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		drainUI()
		if cond() {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("waited in vain for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// settle lets pending background work finish and land.
func settle() {
	for i := 0; i < 20; i++ {
		drainUI()
		time.Sleep(5 * time.Millisecond)
	}
	drainUI()
}

type fixture struct {
	st  *sqlite.Store
	mw  *MainWindow
	ctx context.Context
}

// newFixture opens a real store in a temporary folder and builds the window over it.
func newFixture(t testing.TB) *fixture {
	t.Helper()
	a := test.NewTempApp(t)
	st, err := sqlite.Open(filepath.Join(t.TempDir(), "convive.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		settle()
		st.Close()
	})
	mw := NewMainWindow(a, st)
	mw.Window.Resize(fyne.NewSize(1100, 720))
	mw.Window.Show()
	t.Cleanup(settle)
	settle()
	return &fixture{st: st, mw: mw, ctx: context.Background()}
}

func (f *fixture) addUser(t *testing.T, login, first, last string, groups ...int64) core.User {
	t.Helper()
	u, err := f.st.CreateUser(f.ctx, core.NewUser{Login: login, FirstName: first, LastName: last, GroupIDs: groups})
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func (f *fixture) group(t *testing.T, path string) core.Group {
	t.Helper()
	g, err := f.st.EnsureGroupPath(f.ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// texts returns every label text inside o, as laid out.
func texts(o fyne.CanvasObject) []string {
	var out []string
	for _, obj := range test.LaidOutObjects(o) {
		switch w := obj.(type) {
		case *widget.Label:
			out = append(out, w.Text)
		case *widget.RichText:
			out = append(out, w.String())
		}
	}
	return out
}

// overlayText is everything written in the dialog on top of the window.
func overlayText(w fyne.Window) string {
	top := w.Canvas().Overlays().Top()
	if top == nil {
		return ""
	}
	return strings.Join(texts(top), "\n")
}

func press(w fyne.Window, key fyne.KeyName) {
	if f := w.Canvas().Focused(); f != nil {
		f.TypedKey(&fyne.KeyEvent{Name: key})
		return
	}
	if h := w.Canvas().OnTypedKey(); h != nil {
		h(&fyne.KeyEvent{Name: key})
	}
}

func TestNavigation(t *testing.T) {
	f := newFixture(t)
	screens := []struct {
		id, title string
		action    bool
	}{
		{ScreenDashboard, "Tableau de bord", true},
		{ScreenUsers, "Utilisateurs", true},
		{ScreenGroups, "Groupes", true},
		{ScreenCourses, "Parcours", true},
		{ScreenInvitations, "Invitations", true},
		{ScreenImport, "Importer", true},
		{ScreenOutbox, "Boîte d'envoi", true},
		{ScreenSettings, "Paramètres", true},
	}
	t.Run("the window is titled Convive and opens on the dashboard", func(t *testing.T) {
		if got := f.mw.Window.Title(); got != "Convive" {
			t.Errorf("title %q", got)
		}
		if f.mw.CurrentScreen() != ScreenDashboard || f.mw.Title.Text != "Tableau de bord" {
			t.Errorf("opened on %q titled %q", f.mw.CurrentScreen(), f.mw.Title.Text)
		}
	})
	t.Run("the navigation lists the eight screens in order", func(t *testing.T) {
		if n := f.mw.Nav.Length(); n != len(screens) {
			t.Fatalf("%d entries", n)
		}
	})
	for i, s := range screens {
		t.Run("selecting "+s.title+" shows its title, its sentence and its main action", func(t *testing.T) {
			f.mw.Nav.Select(i)
			settle()
			if f.mw.CurrentScreen() != s.id || f.mw.Title.Text != s.title {
				t.Errorf("showing %q titled %q", f.mw.CurrentScreen(), f.mw.Title.Text)
			}
			if strings.TrimSpace(f.mw.Subtitle.Text) == "" {
				t.Error("no sentence says what the screen is for")
			}
			if got := len(f.mw.Action.Objects) > 0; got != s.action {
				t.Errorf("main action shown: %v", got)
			}
			shown := strings.Join(texts(f.mw.Window.Content()), "\n")
			if !strings.Contains(shown, s.title) {
				t.Errorf("the title is not on screen: %s", shown)
			}
		})
	}
	t.Run("no screen is left announcing a later version", func(t *testing.T) {
		for _, sc := range screens {
			f.mw.ShowScreen(sc.id)
			settle()
			if shown := strings.Join(texts(f.mw.body), "\n"); strings.Contains(shown, "prochaine version") {
				t.Errorf("%s still says it comes later: %q", sc.id, shown)
			}
		}
	})
	t.Run("the status bar shows the database file and the outbox state", func(t *testing.T) {
		if !strings.Contains(f.mw.DatabaseStatus.Text, f.st.Path()) {
			t.Errorf("%q", f.mw.DatabaseStatus.Text)
		}
		waitFor(t, "the outbox state", func() bool { return f.mw.OutboxStatus.Text != "Boîte d'envoi\u00a0: vérification…" })
		if f.mw.OutboxStatus.Text != "Boîte d'envoi\u00a0: hors ligne, aucun serveur configuré" {
			t.Errorf("%q", f.mw.OutboxStatus.Text)
		}
	})
}

func TestDashboard(t *testing.T) {
	f := newFixture(t)
	ventes := f.group(t, "Ventes/Région Sud")
	f.addUser(t, "a@example.fr", "Anne", "Arnaud", ventes.ID)
	f.addUser(t, "b@example.fr", "Bruno", "Bernard")
	t.Run("shows the counts of users and subgroups when shown again", func(t *testing.T) {
		f.mw.ShowScreen(ScreenUsers)
		f.mw.ShowScreen(ScreenDashboard)
		waitFor(t, "the counts", func() bool { return f.mw.Dashboard.Users.Text == "2" })
		if f.mw.Dashboard.Groups.Text != "2" || f.mw.Dashboard.Invitations.Text != "0" || f.mw.Dashboard.Outbox.Text != "0" {
			t.Errorf("groups %q invitations %q outbox %q", f.mw.Dashboard.Groups.Text, f.mw.Dashboard.Invitations.Text, f.mw.Dashboard.Outbox.Text)
		}
	})
	t.Run("its main action opens the users", func(t *testing.T) {
		test.Tap(f.mw.Dashboard.Open)
		if f.mw.CurrentScreen() != ScreenUsers {
			t.Errorf("on %q", f.mw.CurrentScreen())
		}
	})
}

func TestUsersScreen(t *testing.T) {
	f := newFixture(t)
	ventes := f.group(t, "Ventes")
	f.addUser(t, "helene.lefevre@example.fr", "Hélène", "Lefèvre", ventes.ID)
	f.addUser(t, "zoe.adam@example.fr", "Zoé", "Adam")
	f.addUser(t, "eric.martin@example.fr", "Éric", "Martin")
	s := f.mw.Users
	rows := func() int { n, _ := s.Table.Length(); return n }

	f.mw.ShowScreen(ScreenUsers)
	waitFor(t, "three rows", func() bool { return rows() == 3 })
	t.Run("the row count is written above the table", func(t *testing.T) {
		if s.Count.Text != "3 utilisateurs" {
			t.Errorf("%q", s.Count.Text)
		}
	})
	t.Run("rows are sorted by last name in French order at first", func(t *testing.T) {
		var names []string
		for i := 0; i < 3; i++ {
			u, _ := s.pager.Item(i)
			names = append(names, u.LastName)
		}
		if strings.Join(names, ",") != "Adam,Lefèvre,Martin" {
			t.Errorf("%v", names)
		}
	})
	t.Run("typing lefevre finds Lefèvre, whatever the case and accents", func(t *testing.T) {
		test.Type(s.Search, "LEFEVRE")
		waitFor(t, "one row", func() bool { return rows() == 1 })
		u, ok := s.pager.Item(0)
		if !ok || u.LastName != "Lefèvre" {
			t.Errorf("row 0 is %+v", u)
		}
		if s.Count.Text != "1 utilisateur correspond à «\u00a0LEFEVRE\u00a0»" {
			t.Errorf("%q", s.Count.Text)
		}
	})
	t.Run("a search that matches nobody says so", func(t *testing.T) {
		s.Search.SetText("personne")
		waitFor(t, "no row", func() bool { return rows() == 0 })
		if !strings.HasPrefix(s.Count.Text, "Aucun utilisateur ne correspond") || !s.Table.Visible() {
			t.Errorf("%q, table visible %v", s.Count.Text, s.Table.Visible())
		}
	})
	t.Run("Échap in the search box clears it", func(t *testing.T) {
		s.Search.TypedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
		waitFor(t, "three rows again", func() bool { return rows() == 3 })
	})
	t.Run("clicking the Prénom header sorts by first name, clicking again reverses", func(t *testing.T) {
		b := s.HeaderButton(1)
		if b == nil || b.Text != "Prénom" {
			t.Fatalf("header of column 1: %v", b)
		}
		first := func() string { u, _ := s.pager.Item(0); return u.FirstName }
		test.Tap(b)
		waitFor(t, "Éric first", func() bool { return first() == "Éric" })
		test.Tap(s.HeaderButton(1))
		waitFor(t, "Zoé first", func() bool { return first() == "Zoé" })
		if s.HeaderButton(1).Icon == nil {
			t.Error("the sorted column shows no arrow")
		}
	})
	t.Run("the Groupes header does not sort", func(t *testing.T) {
		if b := s.HeaderButton(3); b == nil || b.OnTapped != nil {
			t.Errorf("%+v", b)
		}
	})
	t.Run("Ctrl+F focuses the search box from another screen", func(t *testing.T) {
		f.mw.ShowScreen(ScreenGroups)
		c := f.mw.Window.Canvas().(fyne.Shortcutable)
		c.TypedShortcut(&desktopShortcutF)
		if f.mw.CurrentScreen() != ScreenUsers || f.mw.Window.Canvas().Focused() != s.Search {
			t.Errorf("on %q, focus %v", f.mw.CurrentScreen(), f.mw.Window.Canvas().Focused())
		}
	})
}

func TestUsersEmptyState(t *testing.T) {
	f := newFixture(t)
	f.mw.ShowScreen(ScreenUsers)
	s := f.mw.Users
	waitFor(t, "the empty state", func() bool { return s.Empty.Visible() })
	if s.Table.Visible() {
		t.Error("the table is shown over the empty state")
	}
	shown := strings.Join(texts(s.Empty), "\n")
	if !strings.Contains(shown, "Aucun utilisateur pour l'instant. Importez un tableur ou invitez par e-mail.") {
		t.Errorf("%q", shown)
	}
}

func TestUserDetail(t *testing.T) {
	f := newFixture(t)
	ventes := f.group(t, "Ventes")
	sud := f.group(t, "Ventes/Région Sud")
	u := f.addUser(t, "helene.lefevre@example.fr", "Hélène", "Lefèvre", ventes.ID)
	s := f.mw.Users
	f.mw.ShowScreen(ScreenUsers)
	waitFor(t, "one row", func() bool { n, _ := s.Table.Length(); return n == 1 })

	s.Table.Select(widget.TableCellID{Row: 0, Col: 2})
	d := s.Detail
	waitFor(t, "the detail panel", func() bool { return d.UserID() == u.ID && d.Login.Text != "" })
	t.Run("the panel shows the user as stored", func(t *testing.T) {
		if !d.box.Visible() || d.Login.Text != u.Login || d.Email.Visible() || d.FirstName.Text != "Hélène" {
			t.Errorf("login %q email %q first %q", d.Login.Text, d.Email.Text, d.FirstName.Text)
		}
		if d.Language.Selected != "Français" || d.Role.Selected != "Apprenant" || d.Status.Text == "" {
			t.Errorf("language %q role %q status %q", d.Language.Selected, d.Role.Selected, d.Status.Text)
		}
		if strings.Join(d.Groups.Options, "|") != "Ventes|Ventes/Région Sud" || strings.Join(d.Groups.Selected, "|") != "Ventes" {
			t.Errorf("groups %v selected %v", d.Groups.Options, d.Groups.Selected)
		}
		if d.Created.Text != formatDate(u.Created) || len(d.History.Objects) == 0 {
			t.Errorf("created %q, %d history lines", d.Created.Text, len(d.History.Objects))
		}
	})
	t.Run("Enregistrer saves names, language, role and groups", func(t *testing.T) {
		d.FirstName.SetText("Hélèna")
		d.LastName.SetText("Lefèvre-Durand")
		d.Language.SetSelected("Anglais")
		d.Role.SetSelected("Formateur")
		d.Groups.SetSelected([]string{"Ventes/Région Sud"})
		test.Tap(d.Save)
		waitFor(t, "the confirmation", func() bool { return d.Saved.Text == "Modifications enregistrées." })
		got, err := f.st.User(f.ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.FirstName != "Hélèna" || got.LastName != "Lefèvre-Durand" || got.Language != core.LangEN || got.Role != core.RoleCoach {
			t.Errorf("stored %+v", got)
		}
		ids, _ := f.st.UserGroupIDs(f.ctx, u.ID)
		if len(ids) != 1 || ids[0] != sud.ID {
			t.Errorf("groups %v, want [%d]", ids, sud.ID)
		}
		waitFor(t, "the table to show the new name", func() bool {
			r, ok := s.pager.Item(0)
			return ok && r.LastName == "Lefèvre-Durand"
		})
		if len(d.History.Objects) < 2 {
			t.Fatalf("the history shows %d lines after a change", len(d.History.Objects))
		}
		if got := d.History.Objects[0].(*widget.Label).Text; !strings.HasSuffix(got, "\u00a0: prénom, nom, langue, rôle, groupes") {
			t.Errorf("the last change reads %q", got)
		}
	})
	t.Run("closing the panel lets the same row open it again", func(t *testing.T) {
		test.Tap(d.Close)
		if d.box.Visible() {
			t.Fatal("the panel stays open")
		}
		s.Table.Select(widget.TableCellID{Row: 0, Col: 0})
		if !d.box.Visible() {
			t.Error("the same row does not open the panel again")
		}
		settle()
	})
	t.Run("a name the store refuses is explained in a dialog", func(t *testing.T) {
		d.FirstName.SetText(strings.Repeat("x", 400))
		test.Tap(d.Save)
		waitFor(t, "a dialog", func() bool { return f.mw.Window.Canvas().Overlays().Top() != nil })
		press(f.mw.Window, fyne.KeyEscape)
		if f.mw.Window.Canvas().Overlays().Top() != nil {
			t.Error("Échap does not close the error")
		}
	})
}

func TestGroupsScreen(t *testing.T) {
	f := newFixture(t)
	s := f.mw.Groups
	w := f.mw.Window
	f.mw.ShowScreen(ScreenGroups)
	waitFor(t, "the tree", func() bool { return s.rootID != "" && s.selected == s.rootID })

	t.Run("the tree starts at the Groupe général, which cannot be renamed, moved or deleted", func(t *testing.T) {
		if s.groups[s.rootID].Name != core.RootGroupName {
			t.Errorf("%+v", s.groups[s.rootID])
		}
		if !s.Rename.Disabled() || !s.Move.Disabled() || !s.Delete.Disabled() || s.New.Disabled() {
			t.Error("buttons in the wrong state for the root")
		}
	})
	t.Run("Nouveau sous-groupe asks a name and creates the group under the selection", func(t *testing.T) {
		test.Tap(s.New)
		if s.NameEntry == nil || w.Canvas().Focused() != s.NameEntry {
			t.Fatal("no name field with the focus")
		}
		test.Type(s.NameEntry, "Ventes")
		press(w, fyne.KeyReturn)
		waitFor(t, "Ventes in the tree", func() bool { return s.Selected().Name == "Ventes" })
		if kids := s.children[s.rootID]; len(kids) != 1 || s.groups[kids[0]].Name != "Ventes" {
			t.Errorf("root children %v", kids)
		}
		if shown := strings.Join(texts(s.Tree), "|"); !strings.Contains(shown, "Groupe général|") || !strings.Contains(shown, "Ventes") {
			t.Errorf("the tree shows %q", shown)
		}
		if _, err := f.st.GroupByPath(f.ctx, "Ventes"); err != nil {
			t.Error(err)
		}
		if s.Rename.Disabled() || s.Delete.Disabled() {
			t.Error("a subgroup can be renamed and deleted")
		}
	})
	t.Run("Échap in the dialog cancels and creates nothing", func(t *testing.T) {
		test.Tap(s.New)
		test.Type(s.NameEntry, "Oubli")
		press(w, fyne.KeyEscape)
		settle()
		if w.Canvas().Overlays().Top() != nil {
			t.Error("the dialog is still open")
		}
		if _, err := f.st.GroupByPath(f.ctx, "Ventes/Oubli"); core.ErrorCode(err) != core.ENotFound {
			t.Errorf("created anyway: %v", err)
		}
	})
	t.Run("Renommer changes the name in the tree and the store", func(t *testing.T) {
		test.Tap(s.Rename)
		if s.NameEntry.Text != "Ventes" {
			t.Errorf("the field starts with %q", s.NameEntry.Text)
		}
		s.NameEntry.SetText("Ventes France")
		press(w, fyne.KeyReturn)
		waitFor(t, "the new name", func() bool { return s.Selected().Name == "Ventes France" })
		if _, err := f.st.GroupByPath(f.ctx, "Ventes France"); err != nil {
			t.Error(err)
		}
	})
	t.Run("a subgroup created under a subgroup sits below it", func(t *testing.T) {
		test.Tap(s.New)
		test.Type(s.NameEntry, "Région Sud")
		press(w, fyne.KeyReturn)
		waitFor(t, "Région Sud", func() bool { return s.Selected().Path == "Ventes France/Région Sud" })
	})
	t.Run("Déplacer offers only valid parents and moves the group", func(t *testing.T) {
		s.Tree.Select(GroupID(s.Selected().ParentID)) // Ventes France
		settle()
		test.Tap(s.New)
		test.Type(s.NameEntry, "Export")
		press(w, fyne.KeyReturn)
		waitFor(t, "Export", func() bool { return s.Selected().Name == "Export" })
		test.Tap(s.Move)
		if s.ParentSelect == nil {
			t.Fatal("no choice of parent")
		}
		opts := strings.Join(s.ParentSelect.Options, "|")
		if opts != "Groupe général|Ventes France|Ventes France/Région Sud" || s.ParentSelect.Selected != "Ventes France" {
			t.Errorf("options %q, selected %q", opts, s.ParentSelect.Selected)
		}
		s.ParentSelect.SetSelected("Ventes France/Région Sud")
		press(w, fyne.KeyReturn)
		waitFor(t, "the move", func() bool { return s.Selected().Path == "Ventes France/Région Sud/Export" })
		test.Tap(s.Move)
		if strings.Contains(strings.Join(s.ParentSelect.Options, "|"), "Export") {
			t.Errorf("a group is offered as its own parent: %v", s.ParentSelect.Options)
		}
		press(w, fyne.KeyEscape)
	})
	t.Run("the members list pages through the direct members of the selection", func(t *testing.T) {
		sud, _ := f.st.GroupByPath(f.ctx, "Ventes France/Région Sud")
		f.addUser(t, "a@example.fr", "Anne", "Arnaud", sud.ID)
		f.addUser(t, "b@example.fr", "Bruno", "Bernard", sud.ID)
		f.addUser(t, "c@example.fr", "Chloé", "Chevalier")
		s.Tree.Select(GroupID(sud.ID))
		waitFor(t, "two members", func() bool { return s.pager.Len() == 2 })
		if s.MembersTitle.Text != "2 membres directs dans «\u00a0Région Sud\u00a0»" {
			t.Errorf("%q", s.MembersTitle.Text)
		}
		s.Tree.Select(s.rootID)
		waitFor(t, "everyone", func() bool { return s.pager.Len() == 3 })
	})
	t.Run("Supprimer asks with the counts, and the members stay", func(t *testing.T) {
		ventes, _ := f.st.GroupByPath(f.ctx, "Ventes France")
		s.Tree.Select(GroupID(ventes.ID))
		settle()
		test.Tap(s.Delete)
		waitFor(t, "the question", func() bool { _, ok := s.Dialog.(*dialog.ConfirmDialog); return ok })
		q := overlayText(w)
		want := "Supprimer le groupe «\u00a0Ventes France\u00a0» et ses 2 sous-groupes\u00a0?\nSes 2 membres restent dans Convive."
		if !strings.Contains(q, want) {
			t.Errorf("asked %q, want %q", q, want)
		}
		press(w, fyne.KeyReturn)
		waitFor(t, "the root selected again", func() bool { return s.Selected().IsRoot() && len(s.children[s.rootID]) == 0 })
		if _, err := f.st.GroupByPath(f.ctx, "Ventes France"); core.ErrorCode(err) != core.ENotFound {
			t.Errorf("still there: %v", err)
		}
		if n, _ := f.st.CountUsers(f.ctx, core.UserFilter{}); n != 3 {
			t.Errorf("%d users left, want 3", n)
		}
	})
}

func TestDeletionQuestion(t *testing.T) {
	cases := []struct {
		subgroups, members int
		want               string
	}{
		{0, 0, "Supprimer le groupe «\u00a0Ventes\u00a0»\u00a0?"},
		{1, 0, "Supprimer le groupe «\u00a0Ventes\u00a0» et son sous-groupe\u00a0?"},
		{3, 120, "Supprimer le groupe «\u00a0Ventes\u00a0» et ses 3 sous-groupes\u00a0?\nSes 120 membres restent dans Convive."},
		{0, 1, "Supprimer le groupe «\u00a0Ventes\u00a0»\u00a0?\nSon membre reste dans Convive."},
		{0, 12480, "Supprimer le groupe «\u00a0Ventes\u00a0»\u00a0?\nSes 12\u202f480 membres restent dans Convive."},
	}
	for _, c := range cases {
		if got := deletionQuestion("Ventes", c.subgroups, c.members); got != c.want {
			t.Errorf("%d subgroups, %d members: %q, want %q", c.subgroups, c.members, got, c.want)
		}
	}
}

func TestSettingsScreen(t *testing.T) {
	f := newFixture(t)
	s := f.mw.Settings
	f.mw.ShowScreen(ScreenSettings)
	waitFor(t, "French selected", func() bool { return s.Language.Selected == "Français" })
	t.Run("Enregistrer saves the organisation name and address", func(t *testing.T) {
		s.Name.SetText("Académie Durand")
		s.URL.SetText("https://formation.durand.fr")
		test.Tap(s.Save)
		waitFor(t, "the confirmation", func() bool { return s.Saved.Text == "Paramètres enregistrés." })
		org, err := f.st.Organisation(f.ctx)
		if err != nil || org.Name != "Académie Durand" || org.URL != "https://formation.durand.fr" {
			t.Errorf("%+v %v", org, err)
		}
		if v, _ := f.st.Setting(f.ctx, SettingLanguage); v != LanguageFrench {
			t.Errorf("language setting %q", v)
		}
	})
	t.Run("an address the store refuses is explained and nothing is confirmed", func(t *testing.T) {
		s.URL.SetText("pas une adresse")
		test.Tap(s.Save)
		waitFor(t, "a dialog", func() bool { return f.mw.Window.Canvas().Overlays().Top() != nil })
		if s.Saved.Text != "" {
			t.Errorf("confirmed %q", s.Saved.Text)
		}
		press(f.mw.Window, fyne.KeyEscape)
	})
	t.Run("choosing English saves it and switches the window at once", func(t *testing.T) {
		defer func() {
			SetLanguage(LanguageFrench)
			_ = LoadTranslations()
		}()
		s.URL.SetText("")
		s.Language.SetSelected("English")
		test.Tap(s.Save)
		waitFor(t, "the English window", func() bool { return f.mw.Title.Text == "Settings" })
		if v, _ := f.st.Setting(f.ctx, SettingLanguage); v != LanguageEnglish {
			t.Errorf("language setting %q", v)
		}
		if f.mw.Settings.Saved.Text != "Settings saved." {
			t.Errorf("%q", f.mw.Settings.Saved.Text)
		}
		settle()
	})
}

func TestWindowSize(t *testing.T) {
	f := newFixture(t)
	t.Run("a new database opens at the default size", func(t *testing.T) {
		if got := f.mw.savedSize(); got != fyne.NewSize(defaultWidth, defaultHeight) {
			t.Errorf("%v", got)
		}
	})
	t.Run("the size is saved on close and used by the next window", func(t *testing.T) {
		f.mw.Window.Resize(fyne.NewSize(900, 650))
		f.mw.saveSize()
		if v, _ := f.st.Setting(f.ctx, SettingWindow); v != "900x650" {
			t.Errorf("saved %q", v)
		}
		mw := NewMainWindow(fyne.CurrentApp(), f.st)
		if got := mw.savedSize(); got != fyne.NewSize(900, 650) {
			t.Errorf("next window %v", got)
		}
	})
	t.Run("a damaged value gives the default size", func(t *testing.T) {
		_ = f.st.SetSetting(f.ctx, SettingWindow, "grand")
		if got := f.mw.savedSize(); got != fyne.NewSize(defaultWidth, defaultHeight) {
			t.Errorf("%v", got)
		}
	})
}

// waitingStore is the real store with invitations and mail waiting, which this
// version cannot create yet.
type waitingStore struct {
	*sqlite.Store
	outbox int
}

func (w waitingStore) Stats(ctx context.Context) (core.Stats, error) {
	st, err := w.Store.Stats(ctx)
	st.PendingInvitations, st.OutboxWaiting = 37, w.outbox
	return st, err
}

func TestNavigationCounts(t *testing.T) {
	for _, c := range []struct {
		outbox int
		shown  string
	}{
		{999, "999"},
		{20005, "999+"}, // the outbox says how many exactly
	} {
		a := test.NewTempApp(t)
		st, err := sqlite.Open(filepath.Join(t.TempDir(), "convive.db"))
		if err != nil {
			t.Fatal(err)
		}
		mw := NewMainWindow(a, waitingStore{st, c.outbox})
		mw.Window.Resize(fyne.NewSize(1024, 700))
		mw.Window.Show()
		waitFor(t, "the counts beside Invitations and Boîte d'envoi", func() bool {
			shown := strings.Join(texts(mw.Nav), "|")
			return strings.Contains(shown, "Invitations|37") && strings.Contains(shown, "Boîte d'envoi|"+c.shown)
		})
		if shown := strings.Join(texts(mw.Nav), "|"); strings.Contains(shown, "Utilisateurs|0") {
			t.Errorf("a count shows beside a screen without one: %s", shown)
		}
		// every title and count has its room: none runs over the other
		settle()
		items := 0
		for _, o := range test.LaidOutObjects(mw.Nav) {
			if c, ok := o.(*fyne.Container); ok && c.Layout == (navItemLayout{}) {
				items++
				if c.Size().Width < c.MinSize().Width {
					t.Errorf("%q is %.0f wide, needs %.0f", texts(c), c.Size().Width, c.MinSize().Width)
				}
			}
		}
		if items != len(mw.screens) {
			t.Errorf("%d items in the navigation", items)
		}
		settle()
		st.Close()
	}
}

func TestEmptyUsersScreenOffersTheWaysIn(t *testing.T) {
	a := test.NewTempApp(t)
	st, err := sqlite.Open(filepath.Join(t.TempDir(), "convive.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	mw := NewMainWindow(a, st)
	mw.Window.Resize(fyne.NewSize(1100, 720))
	mw.Window.Show()
	defer settle()
	mw.ShowScreen(ScreenUsers)
	waitFor(t, "the empty state", func() bool { return mw.Users.Empty.Visible() })
	var importButton *widget.Button
	for _, o := range test.LaidOutObjects(mw.Users.Empty) {
		if b, ok := o.(*widget.Button); ok && b.Text == "Importer un tableur" {
			importButton = b
		}
	}
	if importButton == nil {
		t.Fatal("the empty Utilisateurs screen offers no « Importer un tableur » button")
	}
	test.Tap(importButton)
	settle()
	if mw.CurrentScreen() != ScreenImport {
		t.Errorf("the button led to %q", mw.CurrentScreen())
	}
}

// TestSortArrowsFit checks that the title of every sortable column of the three lists
// has room for its sort arrow, even at the columns' narrowest (the window's smallest
// width).
func TestSortArrowsFit(t *testing.T) {
	f := newOutboxFixture(t)
	for screen, fit := range map[string]*fitColumns{
		ScreenUsers: f.mw.Users.fit, ScreenInvitations: f.mw.Invitations.fit, ScreenOutbox: f.mw.Outbox.fit,
	} {
		if len(fit.titles) < 5 || len(fit.widths) != len(fit.titles) {
			t.Fatalf("%s: %d widths for %d columns", screen, len(fit.widths), len(fit.titles))
		}
		for i, title := range fit.titles {
			if !fit.sortable[i] {
				continue
			}
			sorted := &widget.Button{Text: title, Icon: theme.MenuDropUpIcon(), Importance: widget.LowImportance}
			if need := sorted.MinSize().Width; fit.widths[i] < need {
				t.Errorf("%s: column %q is %.0f wide, its title and arrow need %.0f", screen, title, fit.widths[i], need)
			}
		}
	}
}

func TestFitColumns(t *testing.T) {
	f := &fitColumns{widths: []float32{36, 200, 100, 140}, least: []float32{36, 120, 60, 140}}
	sum := func(ws []float32) (s float32) {
		for _, w := range ws {
			s += w
		}
		return s
	}
	near := func(a, b float32) bool { return a-b < 0.01 && b-a < 0.01 }
	t.Run("a wide space is shared in proportion", func(t *testing.T) {
		ws := f.columnWidths(952)
		if !near(sum(ws), 952) || !near(ws[1], 400) || !near(ws[0], 72) {
			t.Errorf("%v", ws)
		}
	})
	t.Run("a narrower one is taken from the text columns alone", func(t *testing.T) {
		ws := f.columnWidths(416) // 60 short of natural; the text columns can give 120
		if !near(sum(ws), 416) || ws[0] != 36 || ws[3] != 140 || !near(ws[1], 160) || !near(ws[2], 80) {
			t.Errorf("%v", ws)
		}
	})
	t.Run("below their least, the table scrolls", func(t *testing.T) {
		ws := f.columnWidths(200)
		if !slices.Equal(ws, f.least) {
			t.Errorf("%v, want %v", ws, f.least)
		}
	})
}

func TestNavigationByKeyboard(t *testing.T) {
	f := newFixture(t)
	ctrl := func(key fyne.KeyName) *desktop.CustomShortcut {
		return &desktop.CustomShortcut{KeyName: key, Modifier: fyne.KeyModifierShortcutDefault}
	}
	c := f.mw.Window.Canvas().(fyne.Shortcutable)
	for i, want := range []string{ScreenDashboard, ScreenUsers, ScreenGroups, ScreenCourses, ScreenInvitations, ScreenImport, ScreenOutbox, ScreenSettings} {
		c.TypedShortcut(ctrl(fyne.KeyName(strconv.Itoa(i + 1))))
		if got := f.mw.CurrentScreen(); got != want {
			t.Errorf("Ctrl+%d shows %q, want %q", i+1, got, want)
		}
	}
	// from the search box, whose text field would keep the keys for itself
	f.mw.ShowScreen(ScreenUsers)
	f.mw.Window.Canvas().Focus(f.mw.Users.Search)
	f.mw.Users.Search.TypedShortcut(ctrl(fyne.Key7))
	if got := f.mw.CurrentScreen(); got != ScreenOutbox {
		t.Errorf("Ctrl+7 in the search box shows %q", got)
	}
}
