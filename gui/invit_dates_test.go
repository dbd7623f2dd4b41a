package gui

import (
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/test"
)

// dateInvitation sets the day an invitation was made, through a second connection on
// the database file, as an invitation made that day would be stored.
func (f *fixture) dateInvitation(t *testing.T, login string, at time.Time) {
	t.Helper()
	db, err := sql.Open("sqlite", f.st.Path())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	res, err := db.ExecContext(f.ctx, `UPDATE invitations SET created = ? WHERE login = ?`, at.UnixMilli(), login)
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		t.Fatalf("%d invitations dated for %s, want 1", n, login)
	}
}

func TestTheDatesNarrowTheInvitationsToTheDaysTyped(t *testing.T) {
	f := newInviteFixture(t)
	f.invite(t, "a@exemple.fr", "b@exemple.fr", "c@exemple.fr")
	f.dateInvitation(t, "a@exemple.fr", time.Date(2026, 11, 10, 10, 0, 0, 0, time.Local))
	f.dateInvitation(t, "b@exemple.fr", time.Date(2026, 11, 20, 15, 0, 0, 0, time.Local))
	f.dateInvitation(t, "c@exemple.fr", time.Date(2026, 11, 25, 23, 30, 0, 0, time.Local))
	f.mw.ShowScreen(ScreenInvitations)
	s := f.mw.Invitations
	waitFor(t, "the list", func() bool { return s.pager.Len() == 3 })

	counts := func(what string, want int) {
		t.Helper()
		waitFor(t, what, func() bool {
			return s.pager.Loaded() && s.pager.Len() == want
		})
		if !strings.HasPrefix(s.Count.Text, formatInt(want)+" ") {
			t.Errorf("%s: the count reads %q, want %d", what, s.Count.Text, want)
		}
	}
	t.Run("« Du » keeps the invitations of that day and after", func(t *testing.T) {
		test.Type(s.From, "20/11/2026")
		counts("the invitations from the 20th", 2)
	})
	t.Run("« Au » includes the whole day", func(t *testing.T) {
		test.Type(s.To, "20/11/2026")
		counts("the invitations of the 20th", 1)
		if r, _ := s.pager.Item(0); r.Login != "b@exemple.fr" {
			t.Errorf("row %q, want b@exemple.fr", r.Login)
		}
	})
	t.Run("an empty « Du » is no bound", func(t *testing.T) {
		s.From.SetText("")
		counts("the invitations up to the 20th", 2)
	})
	t.Run("an unreadable date shows the hint and does not filter", func(t *testing.T) {
		s.To.SetText("")
		test.Type(s.From, "hier")
		counts("every invitation", 3)
		if !s.DateHint.Visible() || !strings.Contains(s.DateHint.Text, "25/11/2026") {
			t.Errorf("hint shown %v, %q", s.DateHint.Visible(), s.DateHint.Text)
		}
		s.From.SetText("")
		waitFor(t, "the hint to go", func() bool { return !s.DateHint.Visible() })
	})
}

func TestAFileDroppedWhileCancelManyIsOpenFillsItsPreview(t *testing.T) {
	f := newInviteFixture(t)
	f.invite(t, "a@exemple.fr", "b@exemple.fr")
	path := filepath.Join(t.TempDir(), "a-annuler.csv")
	if err := os.WriteFile(path, []byte("Nom;E-mail\nAlice;A@exemple.fr\nInconnu;x@exemple.fr\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	drop := func() { f.mw.DropFiles(fyne.NewPos(10, 10), []fyne.URI{storage.NewFileURI(path)}) }
	f.mw.ShowScreen(ScreenInvitations)
	settle()
	test.Tap(f.mw.Invitations.CancelMany)
	d := f.mw.Invitations.lastBulk
	drop()
	waitFor(t, "the preview of the dropped file", func() bool { return len(d.preview.Cancel) == 1 })
	if d.File.Text != "2 adresses lues dans «\u00a0a-annuler.csv\u00a0»" || len(d.preview.NotFound) != 1 {
		t.Errorf("file %q, preview %+v", d.File.Text, d.preview)
	}
	if d.Confirm.Text != "Annuler 1 invitation" || d.Confirm.Disabled() {
		t.Errorf("button %q (disabled %v), want « Annuler 1 invitation »", d.Confirm.Text, d.Confirm.Disabled())
	}
	if got := f.mw.CurrentScreen(); got != ScreenInvitations {
		t.Fatalf("the drop switched to %q", got)
	}

	t.Run("once the dialog is closed, a drop goes to the Importer again", func(t *testing.T) {
		test.Tap(d.Close)
		drop()
		if got := f.mw.CurrentScreen(); got != ScreenImport {
			t.Fatalf("screen %q after a drop with no dialog open, want the Importer", got)
		}
		waitFor(t, "the Importer to read the file", func() bool { return f.mw.Importer.Source.Text == "a-annuler.csv" })
	})
}
