package gui

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
	"github.com/zalando/go-keyring"

	"convive/core"
	"convive/core/secret"
)

// fileHolds reports whether any file of the database (the file itself, its journal
// and its write-ahead log) contains secret.
func fileHolds(t *testing.T, path, secret string) bool {
	t.Helper()
	files, _ := filepath.Glob(path + "*")
	if len(files) == 0 {
		t.Fatalf("no database file at %s", path)
	}
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(data, []byte(secret)) {
			return true
		}
	}
	return false
}

func TestSMTPSettings(t *testing.T) {
	const password = "Mot-de-passe-très-secret-42"
	f := newOutboxFixture(t)
	t.Setenv(secret.EnvPassword, "")
	ms := newMailServer(t, func(ms *mailServer) { ms.user, ms.password = "formation", password })
	f.mw.ShowScreen(ScreenSettings)
	s := f.mw.Settings
	form := s.SMTP
	waitFor(t, "the SMTP form", func() bool { return form != nil && form.ready })

	t.Run("the form says where the password is kept", func(t *testing.T) {
		if !strings.Contains(form.PasswordNote.Text, "trousseau de votre système, jamais dans la base de données") {
			t.Errorf("%q", form.PasswordNote.Text)
		}
	})
	t.Run("a wrong value is explained in French beside its field and nothing is saved", func(t *testing.T) {
		form.Host.SetText("smtp://exemple.fr")
		form.Port.SetText("cinq")
		test.Tap(s.Save)
		if l := form.errs[fieldPort]; !l.Visible() || !strings.HasPrefix(l.Text, "Indiquez le port en chiffres") {
			t.Errorf("port: %q", l.Text)
		}
		form.Port.SetText("")
		test.Tap(s.Save)
		if l := form.errs[fieldHost]; !l.Visible() || !strings.Contains(l.Text, "n'est pas valable") {
			t.Errorf("host: %q", l.Text)
		}
		if form.errs[fieldPort].Visible() {
			t.Error("the corrected port still shows its error")
		}
		settle()
		if set, _ := f.st.SMTPSettings(f.ctx); set.Configured() || s.Saved.Text != "" {
			t.Errorf("saved %+v, %q", set, s.Saved.Text)
		}
	})
	t.Run("Aucune is kept only after a confirmation", func(t *testing.T) {
		form.Security.SetSelectedIndex(securityNoneIndex)
		if form.Security.SelectedIndex() != 0 {
			t.Errorf("chosen without asking: %d", form.Security.SelectedIndex())
		}
		q := overlayText(f.mw.Window)
		if !strings.Contains(q, "circulent en clair") || !strings.Contains(q, "localhost") {
			t.Fatalf("question %q", q)
		}
		press(f.mw.Window, fyne.KeyReturn)
		if form.Security.SelectedIndex() != securityNoneIndex {
			t.Errorf("not chosen after the confirmation: %d", form.Security.SelectedIndex())
		}
		if form.Port.PlaceHolder != "25" {
			t.Errorf("port placeholder %q", form.Port.PlaceHolder)
		}
	})
	t.Run("Aucune is refused for a server elsewhere, beside the security", func(t *testing.T) {
		form.Host.SetText("smtp.exemple.fr")
		form.From.SetText("formation@exemple.fr")
		test.Tap(s.Save)
		if l := form.errs[fieldSecurity]; !l.Visible() || !strings.Contains(l.Text, "cet ordinateur") {
			t.Errorf("security: %q", l.Text)
		}
	})

	port := strconv.Itoa(ms.port)
	fill := func() {
		form.Host.SetText("127.0.0.1")
		form.Port.SetText(port)
		form.Auth.SetSelectedIndex(1) // PLAIN
		form.User.SetText("formation")
		form.Password.SetText(password)
		form.FromName.SetText("Service formation Durand")
		form.From.SetText("formation@exemple.fr")
		form.ReplyTo.SetText("contact@exemple.fr")
		form.Rate.SetText("30")
		form.AutoSend.SetChecked(false)
	}
	t.Run("Enregistrer keeps the settings in the database and the password in the keyring only", func(t *testing.T) {
		fill()
		test.Tap(s.Save)
		waitFor(t, "the confirmation", func() bool { return s.Saved.Text == "Paramètres enregistrés." })
		set, err := f.st.SMTPSettings(f.ctx)
		want := core.SMTPSettings{Host: "127.0.0.1", Port: ms.port, Security: "none", Auth: "plain", User: "formation",
			From: "formation@exemple.fr", FromName: "Service formation Durand", ReplyTo: "contact@exemple.fr", RateLimit: 30}
		if err != nil || set != want {
			t.Errorf("stored %+v, %v", set, err)
		}
		if pw, err := keyring.Get(secret.Service, secret.Account("formation", "127.0.0.1")); pw != password || err != nil {
			t.Errorf("keyring holds %q, %v", pw, err)
		}
		if fileHolds(t, f.st.Path(), password) {
			t.Error("the password was written to the database")
		}
		if form.Password.Text != "" || !strings.HasPrefix(form.Password.PlaceHolder, "Enregistré") {
			t.Errorf("password field %q / %q", form.Password.Text, form.Password.PlaceHolder)
		}
	})
	t.Run("Tester la connexion says that the saved settings work", func(t *testing.T) {
		test.Tap(form.Test)
		waitFor(t, "the result", func() bool { return !form.Busy.Visible() && form.Result.Visible() })
		if !strings.HasPrefix(form.Result.Text, "Connexion réussie à 127.0.0.1:"+port) || form.Result.Importance != widget.SuccessImportance {
			t.Errorf("%q", form.Result.Text)
		}
	})
	t.Run("Tester la connexion with a wrong password says so in French", func(t *testing.T) {
		form.Password.SetText("pas-le-bon")
		test.Tap(form.Test)
		waitFor(t, "the result", func() bool { return !form.Busy.Visible() && form.Result.Importance == widget.DangerImportance })
		if !strings.Contains(form.Result.Text, "refusé") {
			t.Errorf("%q", form.Result.Text)
		}
		form.Password.SetText("")
	})
	t.Run("Tester la connexion to a server that does not answer says so in French", func(t *testing.T) {
		form.Port.SetText(strconv.Itoa(closedPort(t)))
		test.Tap(form.Test)
		waitFor(t, "the result", func() bool { return !form.Busy.Visible() && form.Result.Importance == widget.DangerImportance })
		if !strings.Contains(form.Result.Text, "refuse la connexion") {
			t.Errorf("%q", form.Result.Text)
		}
		form.Port.SetText(port)
	})
	t.Run("Envoyer un e-mail de test sends it directly to the address typed", func(t *testing.T) {
		test.Tap(form.SendTest)
		if l := form.errs[fieldTestTo]; !l.Visible() {
			t.Error("no address asked for")
		}
		form.TestTo.SetText("moi@exemple.fr")
		test.Tap(form.SendTest)
		waitFor(t, "the result", func() bool { return !form.Busy.Visible() && strings.HasPrefix(form.Result.Text, "E-mail de test") })
		if got := ms.received(); len(got) != 1 || got[0] != "moi@exemple.fr" {
			t.Errorf("received %v", got)
		}
		if n, _ := f.st.CountOutbox(f.ctx, core.OutboxFilter{}); n != 0 {
			t.Errorf("%d messages in the outbox", n)
		}
		// what it sent: the Test template, then the settings in use
		c, _ := form.collect()
		m := form.testMessage(f.ctx, c.config(), "moi@exemple.fr")
		if !strings.HasPrefix(m.Subject, "Message de test") || !strings.Contains(m.Text, "Réglages utilisés\u00a0: serveur 127.0.0.1:") {
			t.Errorf("test e-mail %q:\n%s", m.Subject, m.Text)
		}
	})
	t.Run("without a keyring the password stays in memory for the session, and the form says so", func(t *testing.T) {
		keyring.MockInitWithError(errors.New("no secret service"))
		defer keyring.MockInit()
		account := secret.Account("formation", "127.0.0.1")
		defer secret.Forget(account)
		f.mw.ShowScreen(ScreenDashboard)
		f.mw.ShowScreen(ScreenSettings)
		waitFor(t, "the note", func() bool { return strings.Contains(form.PasswordNote.Text, "gardé en mémoire") })
		form.Password.SetText(password)
		s.Saved.SetText("")
		test.Tap(s.Save)
		waitFor(t, "the confirmation", func() bool { return s.Saved.Text == "Paramètres enregistrés." })
		pw, src, err := secret.Password(account)
		if pw != password || src != secret.FromSession || err != nil {
			t.Errorf("%q from %q, %v", pw, src, err)
		}
		if fileHolds(t, f.st.Path(), password) {
			t.Error("the password was written to the database")
		}
	})
}
