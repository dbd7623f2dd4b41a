package gui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/test"

	"convive/core"
)

// newInviteFixture is a window over a real store whose platform has a name (for the
// "#" alias) and an address (for the links in mails).
func newInviteFixture(t *testing.T) *fixture {
	t.Helper()
	f := newFixture(t)
	if err := f.st.SetOrganisation(f.ctx, core.Organisation{Name: "Formation", URL: "https://formation.exemple.fr"}); err != nil {
		t.Fatal(err)
	}
	return f
}

// invite invites addresses through the store, as the dialog would.
func (f *fixture) invite(t *testing.T, addrs ...string) {
	t.Helper()
	m, err := newMailer(f.ctx, f.st)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.st.Invite(f.ctx, core.InviteRequest{Addresses: addrs}, m); err != nil {
		t.Fatal(err)
	}
}

func (f *fixture) stats(t *testing.T) core.Stats {
	t.Helper()
	s, err := f.st.Stats(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func (f *fixture) invitations(t *testing.T, states ...core.InvitationState) []core.InvitationRow {
	t.Helper()
	rows, err := f.st.Invitations(f.ctx, core.InvitationFilter{States: states, Sort: core.InvSortLogin})
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// openInvite opens Inviter par e-mail from the Utilisateurs screen.
func openInvite(t *testing.T, f *fixture) *InviteDialog {
	t.Helper()
	f.mw.ShowScreen(ScreenUsers)
	settle()
	f.mw.InviteDialog = nil
	test.Tap(f.mw.Users.Invite)
	waitFor(t, "the Inviter par e-mail dialog", func() bool { return f.mw.InviteDialog != nil })
	return f.mw.InviteDialog
}

func previewShows(d *InviteDialog, text string) bool {
	for _, l := range d.Preview.texts() {
		if strings.Contains(l, text) {
			return true
		}
	}
	return false
}

func TestInviteByEmail(t *testing.T) {
	f := newInviteFixture(t)
	ventes := f.group(t, "Ventes")
	f.invite(t, "deja.invitee@exemple.fr")

	d := openInvite(t, f)
	test.Type(d.Addresses, "alice@exemple.fr, bob@exemple.fr;carole@exemple.fr\tpas-une-adresse")
	d.Addresses.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	test.Type(d.Addresses, "ALICE@exemple.fr deja.invitee@exemple.fr")
	d.Groups.SetSelected([]string{"Ventes"})

	t.Run("the confirmation waits for a preview", func(t *testing.T) {
		if !d.Confirm.Disabled() {
			t.Fatal("Inviter is enabled before Vérifier")
		}
	})
	test.Tap(d.Check)
	waitFor(t, "the preview", func() bool { return len(d.preview.New) > 0 })

	t.Run("the preview sorts the addresses by category", func(t *testing.T) {
		p := d.preview
		if len(p.New) != 3 || len(p.Resend) != 1 || len(p.Invalid) != 1 || len(p.Duplicates) != 1 {
			t.Fatalf("preview: %d new, %d re-sent, %d invalid, %d duplicates; want 3, 1, 1, 1", len(p.New), len(p.Resend), len(p.Invalid), len(p.Duplicates))
		}
		for _, want := range []string{"3 nouvelles adresses", "1 adresse déjà invitée", "1 entrée n'est pas une adresse", "«\u00a0pas-une-adresse\u00a0» n'est pas une adresse valide", "1 adresse donnée plusieurs fois"} {
			if !previewShows(d, want) {
				t.Errorf("the preview does not show %q: %q", want, d.Preview.texts())
			}
		}
	})
	t.Run("a domain that looks misspelled is pointed out", func(t *testing.T) {
		if len(d.preview.Typos) != 0 {
			t.Errorf("typos among good addresses: %+v", d.preview.Typos)
		}
		d.setPreview(core.InvitePreview{New: d.preview.New, Typos: []core.DomainTypo{{Address: d.preview.New[0], Suggestion: "alice@gmail.com"}}})
		for _, want := range []string{"1 adresse a peut-être une faute de frappe", "alice@exemple.fr\u00a0: vouliez-vous dire alice@gmail.com\u00a0?"} {
			if !previewShows(d, want) {
				t.Errorf("the preview does not show %q: %q", want, d.Preview.texts())
			}
		}
		test.Tap(d.Check)
		waitFor(t, "the preview again", func() bool { return len(d.preview.Resend) == 1 })
	})
	t.Run("the button counts the people, invalid entries aside", func(t *testing.T) {
		if d.Confirm.Text != "Inviter 4 personnes" || d.Confirm.Disabled() {
			t.Fatalf("button %q (disabled %v), want « Inviter 4 personnes »", d.Confirm.Text, d.Confirm.Disabled())
		}
	})

	test.Tap(d.Confirm)
	waitFor(t, "the summary", func() bool {
		return strings.Contains(overlayText(f.mw.Window), "3 invitations ajoutées à la boîte d'envoi.")
	})

	t.Run("one invitation per address and one mail each are kept", func(t *testing.T) {
		rows := f.invitations(t, core.InvitationPending)
		if len(rows) != 4 {
			t.Fatalf("%d pending invitations, want 4", len(rows))
		}
		for _, r := range rows {
			if r.Login == "alice@exemple.fr" && r.Group != "Ventes" {
				t.Errorf("alice is invited into %q, want Ventes (id %d)", r.Group, ventes.ID)
			}
		}
		if s := f.stats(t); s.OutboxWaiting < 4 {
			t.Errorf("%d mails wait in the outbox, want at least 4 (3 new, 1 re-sent)", s.OutboxWaiting)
		}
	})
	t.Run("the list changed after the preview asks for a new one", func(t *testing.T) {
		d2 := openInvite(t, f)
		test.Type(d2.Addresses, "zoe@exemple.fr")
		test.Tap(d2.Check)
		waitFor(t, "the preview", func() bool { return !d2.Confirm.Disabled() })
		test.Type(d2.Addresses, " yves@exemple.fr")
		if !d2.Confirm.Disabled() || !strings.Contains(d2.Summary.Text, "Vérifier à nouveau") {
			t.Fatalf("after a change: button disabled %v, summary %q", d2.Confirm.Disabled(), d2.Summary.Text)
		}
	})
}

func TestInvitingAnExistingAddressOffersTheAlias(t *testing.T) {
	f := newInviteFixture(t)
	f.addUser(t, "jean.dupont@gmail.com", "Jean", "Dupont")
	d := openInvite(t, f)
	test.Type(d.Addresses, "jean.dupont@gmail.com")
	test.Tap(d.Check)
	waitFor(t, "the preview", func() bool { return len(d.preview.Accounts) == 1 })

	if !previewShows(d, "jean.dupont@gmail.com · compte de Jean Dupont") || !previewShows(d, "Inviter sous l'alias jean.dupont#formation@gmail.com") {
		t.Fatalf("the preview does not say where the address is used: %q", d.Preview.texts())
	}
	if !d.Confirm.Disabled() {
		t.Fatal("Inviter is enabled while the only address is an account and its alias is not ticked")
	}
	var tick *line
	for i := range d.Preview.lines {
		if d.Preview.lines[i].tick != nil {
			tick = &d.Preview.lines[i]
		}
	}
	if tick == nil {
		t.Fatal("no tick box for the alias")
	}
	*tick.tick = true
	tick.onTick()
	if d.Confirm.Text != "Inviter 1 personne" {
		t.Fatalf("button %q, want « Inviter 1 personne »", d.Confirm.Text)
	}
	test.Tap(d.Confirm)
	waitFor(t, "the summary", func() bool { return strings.Contains(overlayText(f.mw.Window), "1 invitation ajoutée") })
	rows := f.invitations(t, core.InvitationPending)
	if len(rows) != 1 || rows[0].Login != "jean.dupont#formation@gmail.com" || rows[0].Email != "jean.dupont@gmail.com" {
		t.Fatalf("invitations %+v, want one for jean.dupont#formation@gmail.com sent to jean.dupont@gmail.com", rows)
	}
}

func TestCancelManyFromAPastedList(t *testing.T) {
	f := newInviteFixture(t)
	f.invite(t, "a@exemple.fr", "b@exemple.fr", "c@exemple.fr", "d@exemple.fr")
	if _, err := f.st.AcceptInvitations(f.ctx, []string{"c@exemple.fr"}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.st.CancelInvitations(f.ctx, []string{"d@exemple.fr"}); err != nil {
		t.Fatal(err)
	}
	f.mw.ShowScreen(ScreenInvitations)
	settle()
	test.Tap(f.mw.Invitations.CancelMany)
	d := f.mw.Invitations.lastBulk
	test.Type(d.Addresses, "a@exemple.fr; B@exemple.fr, c@exemple.fr d@exemple.fr inconnu@exemple.fr")
	test.Tap(d.Check)
	waitFor(t, "the preview", func() bool { return len(d.preview.Cancel) > 0 })

	t.Run("the preview has four lists", func(t *testing.T) {
		p := d.preview
		if len(p.Cancel) != 2 || len(p.NotFound) != 1 || len(p.AlreadyAccepted) != 1 || len(p.AlreadyCancelled) != 1 {
			t.Fatalf("preview %+v", p)
		}
		joined := strings.Join(d.Preview.texts(), "\n")
		for _, want := range []string{"2 invitations seront annulées", "1 adresse introuvable (aucune invitation)", "inconnu@exemple.fr", "1 invitation déjà acceptée", "1 invitation déjà annulée"} {
			if !strings.Contains(joined, want) {
				t.Errorf("the preview does not show %q:\n%s", want, joined)
			}
		}
	})
	if d.Confirm.Text != "Annuler 2 invitations" {
		t.Fatalf("button %q, want « Annuler 2 invitations »", d.Confirm.Text)
	}
	test.Tap(d.Confirm)
	c, ok := f.mw.lastConfirm.(*dialog.ConfirmDialog)
	if !ok {
		t.Fatal("no question before cancelling")
	}
	if !strings.Contains(overlayText(f.mw.Window), "Annuler 2 invitations\u00a0?") {
		t.Errorf("the question does not give the count: %q", overlayText(f.mw.Window))
	}
	c.Confirm()
	waitFor(t, "the cancellation", func() bool { return len(f.invitations(t, core.InvitationCancelled)) == 3 })
	waitFor(t, "the notice", func() bool { return strings.Contains(overlayText(f.mw.Window), "2 invitations annulées.") })
	if n := len(f.invitations(t, core.InvitationPending)); n != 0 {
		t.Errorf("%d invitations still pending", n)
	}
}

func TestResendASelection(t *testing.T) {
	f := newInviteFixture(t)
	f.invite(t, "a@exemple.fr", "b@exemple.fr", "c@exemple.fr")
	s := f.mw.Invitations
	f.mw.ShowScreen(ScreenInvitations)
	waitFor(t, "the list", func() bool { return s.pager.Len() == 3 && strings.HasPrefix(s.Count.Text, "3 invitations en attente") })
	s.Tick(0, true)
	s.Tick(1, true)
	if s.Count.Text != "3 invitations en attente · 2 sélectionnées" {
		t.Fatalf("count %q", s.Count.Text)
	}
	ticked := map[int64]bool{}
	for i := 0; i < 2; i++ {
		r, _ := s.pager.Item(i)
		ticked[r.UserID] = true
	}
	test.Tap(s.Resend)
	waitFor(t, "the question", func() bool { return strings.Contains(overlayText(f.mw.Window), "Renvoyer 2 invitations\u00a0?") })
	f.mw.lastConfirm.(*dialog.ConfirmDialog).Confirm()
	waitFor(t, "the notice", func() bool { return strings.Contains(overlayText(f.mw.Window), "2 invitations renvoyées") })
	for _, r := range f.invitations(t) {
		entries, err := f.st.Audit(f.ctx, "user", r.UserID)
		if err != nil {
			t.Fatal(err)
		}
		resent := false
		for _, e := range entries {
			resent = resent || e.Action == "invitation.resend"
		}
		if resent != ticked[r.UserID] {
			t.Errorf("%s: re-sent %v, ticked %v", r.Login, resent, ticked[r.UserID])
		}
	}
}

func TestProvisionWithWelcomeMail(t *testing.T) {
	f := newInviteFixture(t)
	f.group(t, "Ventes")
	f.mw.ShowScreen(ScreenUsers)
	settle()
	test.Tap(f.mw.Users.Provision)
	waitFor(t, "the dialog", func() bool { return f.mw.ProvisionDialog != nil })
	d := f.mw.ProvisionDialog
	if !d.Welcome.Checked {
		t.Fatal("the welcome mail is not ticked by default")
	}

	t.Run("a wrong address is explained by the e-mail field", func(t *testing.T) {
		test.Type(d.Email, "marie.curie@")
		test.Tap(d.Create)
		waitFor(t, "the error", func() bool { return d.EmailError.Visible() })
		if d.EmailError.Text == "" || d.Error.Visible() {
			t.Fatalf("email error %q, general error shown %v", d.EmailError.Text, d.Error.Visible())
		}
	})

	d.Email.SetText("marie.curie@exemple.fr")
	test.Type(d.FirstName, "Marie")
	test.Type(d.LastName, "Curie")
	d.Groups.SetSelected([]string{"Ventes"})
	test.Tap(d.Create)
	waitFor(t, "the notice", func() bool {
		return strings.Contains(overlayText(f.mw.Window), "Le compte de Marie Curie (marie.curie@exemple.fr) est créé.")
	})
	u, err := f.st.UserByLogin(f.ctx, "marie.curie@exemple.fr")
	if err != nil {
		t.Fatal(err)
	}
	if u.Status != core.StatusActive || len(u.Groups) != 1 || u.Groups[0] != "Ventes" {
		t.Errorf("user %+v, want active in Ventes", u)
	}
	if s := f.stats(t); s.OutboxWaiting != 1 {
		t.Errorf("%d mails wait, want the welcome mail", s.OutboxWaiting)
	}
}

func TestChangeEmailOfAnInvitedUser(t *testing.T) {
	f := newInviteFixture(t)
	f.invite(t, "ancienne@exemple.fr")
	u, err := f.st.UserByLogin(f.ctx, "ancienne@exemple.fr")
	if err != nil {
		t.Fatal(err)
	}
	f.mw.ShowScreen(ScreenUsers)
	settle()
	det := f.mw.Users.Detail
	det.box.Show()
	det.loadAsync(u.ID)
	waitFor(t, "the panel", func() bool { return det.UserID() == u.ID })
	if !det.ChangeEmail.Visible() || !det.ResetPassword.Visible() {
		t.Fatal("the panel does not offer Modifier l'e-mail and the reset link")
	}

	t.Run("a reset link is refused for an invited user", func(t *testing.T) {
		test.Tap(det.ResetPassword)
		f.mw.lastConfirm.(*dialog.ConfirmDialog).Confirm()
		waitFor(t, "the refusal", func() bool { return strings.Contains(overlayText(f.mw.Window), "Action impossible") })
		f.mw.Window.Canvas().Overlays().Top().Hide()
		settle()
	})

	test.Tap(det.ChangeEmail)
	if !strings.Contains(overlayText(f.mw.Window), "une nouvelle invitation part vers la nouvelle adresse") {
		t.Fatalf("the dialog does not explain the case of an invitation: %q", overlayText(f.mw.Window))
	}
	test.Type(f.mw.EmailEntry, "nouvelle@exemple.fr")
	f.mw.emailDialog.(*dialog.FormDialog).Submit()
	waitFor(t, "the result", func() bool {
		return strings.Contains(overlayText(f.mw.Window), "une nouvelle invitation à nouvelle@exemple.fr attend dans la boîte d'envoi")
	})
	rows := f.invitations(t, core.InvitationPending)
	if len(rows) != 1 || rows[0].Login != "nouvelle@exemple.fr" {
		t.Fatalf("pending invitations %+v, want one for nouvelle@exemple.fr", rows)
	}
	waitFor(t, "the history", func() bool {
		return strings.Contains(strings.Join(texts(det.History), "\n"), "e-mail changé de ancienne@exemple.fr en nouvelle@exemple.fr")
	})
	if det.Tabs.SelectedIndex() != 1 {
		t.Error("the Historique tab is not shown after the change")
	}
}

func TestExportTheInvitations(t *testing.T) {
	f := newInviteFixture(t)
	f.invite(t, "=cmd@exemple.fr", "b@exemple.fr")
	path := filepath.Join(t.TempDir(), "invitations.csv")
	f.mw.SetFilePicker(&fakePicker{save: path})
	f.mw.ShowScreen(ScreenInvitations)
	waitFor(t, "the list", func() bool { return f.mw.Invitations.pager.Len() == 2 })
	test.Tap(f.mw.Invitations.Export)
	waitFor(t, "the notice", func() bool {
		return strings.Contains(overlayText(f.mw.Window), "2 invitations exportées dans «\u00a0invitations.csv\u00a0».")
	})
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	text := string(data)
	for _, want := range []string{"Identifiant", "b@exemple.fr", "'=cmd@exemple.fr", "En attente"} {
		if !strings.Contains(text, want) {
			t.Errorf("the export lacks %q:\n%s", want, text)
		}
	}
}

func TestReconcileActiveAccountsFromAFile(t *testing.T) {
	f := newInviteFixture(t)
	f.invite(t, "a@exemple.fr", "b@exemple.fr")
	path := filepath.Join(t.TempDir(), "comptes-actifs.csv")
	if err := os.WriteFile(path, []byte("Nom;E-mail\nAlice;A@exemple.fr\nInconnu;x@exemple.fr\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	f.mw.SetFilePicker(&fakePicker{open: path})
	f.mw.ShowScreen(ScreenInvitations)
	settle()
	test.Tap(f.mw.Invitations.AcceptMany)
	d := f.mw.Invitations.lastBulk
	test.Tap(d.ChooseFile)
	waitFor(t, "the preview of the file", func() bool { return len(d.preview.Cancel) == 1 })
	if d.File.Text != "2 adresses lues dans «\u00a0comptes-actifs.csv\u00a0»" || len(d.preview.NotFound) != 1 {
		t.Fatalf("file %q, preview %+v", d.File.Text, d.preview)
	}
	if d.Confirm.Text != "Marquer 1 invitation comme acceptée" {
		t.Fatalf("button %q", d.Confirm.Text)
	}
	test.Tap(d.Confirm)
	f.mw.lastConfirm.(*dialog.ConfirmDialog).Confirm()
	waitFor(t, "the acceptance", func() bool { return len(f.invitations(t, core.InvitationAccepted)) == 1 })
	u, err := f.st.UserByLogin(f.ctx, "a@exemple.fr")
	if err != nil {
		t.Fatal(err)
	}
	if u.Status != core.StatusActive {
		t.Errorf("a@exemple.fr is %q after reconciliation, want active", u.Status)
	}
}

func TestResetLinkForAnActiveAccount(t *testing.T) {
	f := newInviteFixture(t)
	u := f.addUser(t, "paul.martin@exemple.fr", "Paul", "Martin")
	f.mw.ShowScreen(ScreenUsers)
	settle()
	det := f.mw.Users.Detail
	det.box.Show()
	det.loadAsync(u.ID)
	waitFor(t, "the panel", func() bool { return det.UserID() == u.ID })
	test.Tap(det.ResetPassword)
	if !strings.Contains(overlayText(f.mw.Window), "Envoyer à paul.martin@exemple.fr un lien") {
		t.Fatalf("no question before the reset mail: %q", overlayText(f.mw.Window))
	}
	f.mw.lastConfirm.(*dialog.ConfirmDialog).Confirm()
	waitFor(t, "the notice", func() bool { return strings.Contains(overlayText(f.mw.Window), "attend dans la boîte d'envoi") })
	if s := f.stats(t); s.OutboxWaiting != 1 {
		t.Errorf("%d mails wait, want the reset mail", s.OutboxWaiting)
	}
	waitFor(t, "the history", func() bool {
		return strings.Contains(strings.Join(texts(det.History), "\n"), "lien de réinitialisation du mot de passe préparé")
	})
}
