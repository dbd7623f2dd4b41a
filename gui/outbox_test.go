package gui

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
	"github.com/zalando/go-keyring"

	"convive/core"
	"convive/core/secret"
	"convive/core/sqlite"
)

// newOutboxFixture is the window over a real store, with an in-memory keyring; the
// sending goroutine stops at the end of the test.
func newOutboxFixture(t *testing.T) *fixture {
	t.Helper()
	keyring.MockInit()
	f := newFixture(t)
	t.Cleanup(f.mw.StopOutbox)
	return f
}

// configureSMTP stores settings pointing at a local server, as the Paramètres form or
// `convive smtp set` would, and tells the sending.
func (f *fixture) configureSMTP(t *testing.T, port int, auto bool, user string) {
	t.Helper()
	set := core.SMTPSettings{Host: "127.0.0.1", Port: port, Security: "none", Auth: "none",
		From: "formation@exemple.fr", FromName: "Service formation", AutoSend: auto}
	if user != "" {
		set.Auth, set.User = "plain", user
	}
	if err := f.st.SetSMTPSettings(f.ctx, set); err != nil {
		t.Fatal(err)
	}
	f.mw.outbox.settingsChanged()
}

// queue puts one invitation per address in the outbox.
func (f *fixture) queue(t *testing.T, to ...string) {
	t.Helper()
	var msgs []core.Message
	for i, a := range to {
		msgs = append(msgs, core.Message{Kind: core.KindInvitation, To: a, Subject: fmt.Sprintf("Invitation n° %d", i+1),
			Text: "Bonjour,\nvoici votre invitation.", HTML: "<p>Bonjour,</p><p>voici votre <b>invitation</b>.</p>"})
	}
	if err := f.st.Enqueue(f.ctx, msgs...); err != nil {
		t.Fatal(err)
	}
	f.mw.WakeOutbox()
}

// richText is everything a rich text says, paragraphs and links included.
func richText(segs []widget.RichTextSegment) string {
	var b strings.Builder
	for _, s := range segs {
		if blk, ok := s.(widget.RichTextBlock); ok {
			b.WriteString(richText(blk.Segments()))
			continue
		}
		b.WriteString(s.Textual())
		if !s.Inline() {
			b.WriteString("\n")
		}
	}
	return b.String()
}

// states returns each recipient's message state, as stored.
func (f *fixture) states(t *testing.T) map[string]core.MessageState {
	t.Helper()
	msgs, err := f.st.Outbox(f.ctx, core.OutboxFilter{})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]core.MessageState{}
	for _, m := range msgs {
		out[m.To] = m.State
	}
	return out
}

// row returns the table row of the message to to, as the screen holds it.
func row(s *OutboxScreen, to string) (int, core.Message, bool) {
	for i := 0; i < s.pager.Len(); i++ {
		if m, ok := s.pager.Item(i); ok && m.To == to {
			return i, m, true
		}
	}
	return -1, core.Message{}, false
}

// cellText renders the cell of row r, column c, and returns what it says.
func cellText(s *OutboxScreen, r, c int) (string, widget.Importance) {
	o := s.Table.CreateCell()
	s.updateCell(widget.TableCellID{Row: r, Col: c}, o)
	l := o.(*fyne.Container).Objects[1].(*widget.Label)
	return l.Text, l.Importance
}

func waitStatus(t *testing.T, f *fixture, want string) {
	t.Helper()
	waitFor(t, "the status « "+want+" »", func() bool { return f.mw.OutboxStatus.Text == want })
}

func TestOutboxSending(t *testing.T) {
	f := newOutboxFixture(t)
	ms := newMailServer(t, func(ms *mailServer) {
		ms.onData = func(_ int, to string) error {
			if strings.HasPrefix(to, "refuse") {
				return refusal(550, [3]int{5, 1, 1}, "Mailbox unavailable")
			}
			return nil
		}
	})
	s := f.mw.Outbox

	t.Run("with no server the outbox says it is offline", func(t *testing.T) {
		waitStatus(t, f, "Boîte d'envoi\u00a0: hors ligne, aucun serveur configuré")
	})

	f.configureSMTP(t, ms.port, false, "")
	f.queue(t, "anne@exemple.fr", "bruno@exemple.fr", "chloe@exemple.fr", "david@exemple.fr", "eve@exemple.fr")
	f.mw.ShowScreen(ScreenOutbox)
	t.Run("the five queued messages are listed, waiting", func(t *testing.T) {
		waitFor(t, "five rows", func() bool { return s.pager.Len() == 5 && s.Table.Visible() })
		if s.Count.Text != "5 messages" {
			t.Errorf("count %q", s.Count.Text)
		}
		r, _, _ := row(s, "anne@exemple.fr")
		if text, imp := cellText(s, r, colState); text != "En attente" || imp != widget.HighImportance {
			t.Errorf("state cell %q %v", text, imp)
		}
		if text, _ := cellText(s, r, 4); len(text) != len("25/11/2026 14:05") {
			t.Errorf("due date %q", text)
		}
	})
	t.Run("a click on a column title sorts the list by it, a second click the other way", func(t *testing.T) {
		first := func() string {
			m, _ := s.pager.Item(0)
			return m.To
		}
		waitFor(t, "the header", func() bool { return s.HeaderButton(2) != nil })
		to := s.HeaderButton(2)
		if to.Text != "Destinataire" || first() != "eve@exemple.fr" {
			t.Fatalf("header %q, first row %q (newest first by default)", to.Text, first())
		}
		test.Tap(to)
		waitFor(t, "the list sorted by recipient", func() bool { return first() == "anne@exemple.fr" })
		test.Tap(s.HeaderButton(2))
		waitFor(t, "the list sorted the other way", func() bool { return first() == "eve@exemple.fr" })
		if s.HeaderButton(2).Icon == nil || s.HeaderButton(6) == nil || s.HeaderButton(6).OnTapped != nil {
			t.Error("the sorted column shows no arrow, or the error column sorts")
		}
		s.sortBy("") // back to the order of creation, newest first, for what follows
		s.filter.Desc = true
		s.pager.reset(s.filter)
		waitFor(t, "the default order", func() bool { return first() == "eve@exemple.fr" })
	})
	t.Run("with automatic sending off, the status bar says the outbox waits", func(t *testing.T) {
		waitStatus(t, f, "Boîte d'envoi\u00a0: en pause, envoi automatique désactivé")
		if got := len(ms.received()); got != 0 {
			t.Errorf("%d messages left without a click", got)
		}
	})
	t.Run("Envoyer maintenant sends them and the list shows Envoyé", func(t *testing.T) {
		test.Tap(s.SendNow)
		waitFor(t, "five messages received", func() bool { return len(ms.received()) == 5 })
		waitStatus(t, f, "Boîte d'envoi\u00a0: à jour")
		waitFor(t, "five rows sent", func() bool {
			for i := 0; i < 5; i++ {
				if m, ok := s.pager.Item(i); !ok || m.State != core.MessageSent {
					return false
				}
			}
			return true
		})
		if text, imp := cellText(s, 0, colState); text != "Envoyé" || imp != widget.SuccessImportance {
			t.Errorf("state cell %q %v", text, imp)
		}
		if !strings.HasPrefix(f.mw.LastSend.Text, "dernier envoi\u00a0: ") || !f.mw.LastSend.Visible() {
			t.Errorf("last send %q", f.mw.LastSend.Text)
		}
		if s.Notice.Text != "Dernier passage\u00a0: 5 envoyés." {
			t.Errorf("notice %q", s.Notice.Text)
		}
		waitFor(t, "the navigation count back to nothing", func() bool { return f.mw.stats.OutboxWaiting == 0 })
		if s.Filter.Options[3] != "Envoyés (5)" {
			t.Errorf("filter %q", s.Filter.Options[3])
		}
	})
	t.Run("a 550 refusal shows Échec with the French error", func(t *testing.T) {
		f.queue(t, "refuse@exemple.fr")
		s.changed()
		test.Tap(s.SendNow)
		waitFor(t, "the refusal recorded", func() bool { return f.states(t)["refuse@exemple.fr"] == core.MessageFailed })
		waitFor(t, "the row failed", func() bool { _, m, ok := row(s, "refuse@exemple.fr"); return ok && m.State == core.MessageFailed })
		r, m, _ := row(s, "refuse@exemple.fr")
		if text, imp := cellText(s, r, colState); text != "Échec" || imp != widget.DangerImportance {
			t.Errorf("state cell %q %v", text, imp)
		}
		text, _ := cellText(s, r, len(s.columns)-1)
		if !strings.HasPrefix(text, "Le serveur a refusé le message pour «\u00a0refuse@exemple.fr\u00a0» (550") {
			t.Errorf("last error %q", text)
		}
		if m.LastError != text {
			t.Errorf("the cell says %q, the store %q", text, m.LastError)
		}
		s.Table.Select(widget.TableCellID{Row: r, Col: 2})
		waitFor(t, "the detail", func() bool { return s.Detail.msg.ID == m.ID })
		if !s.Detail.Resend.Visible() || s.Detail.MarkSent.Visible() || s.Detail.Cancel.Visible() {
			t.Errorf("actions: resend %v, mark sent %v, cancel %v", s.Detail.Resend.Visible(), s.Detail.MarkSent.Visible(), s.Detail.Cancel.Visible())
		}
	})
}

func TestOutboxDecisions(t *testing.T) {
	f := newOutboxFixture(t)
	ms := newMailServer(t, nil)
	s := f.mw.Outbox
	f.configureSMTP(t, ms.port, false, "")

	// Two messages were being sent when Convive stopped.
	f.queue(t, "ulysse@exemple.fr", "ursula@exemple.fr", "quentin@exemple.fr")
	for _, to := range []string{"ulysse@exemple.fr", "ursula@exemple.fr"} {
		_, m, _ := func() (int, core.Message, bool) {
			msgs, _ := f.st.Outbox(f.ctx, core.OutboxFilter{Search: to})
			return 0, msgs[0], true
		}()
		if ok, err := f.st.MarkSending(f.ctx, m.ID, time.Now()); !ok || err != nil {
			t.Fatal(ok, err)
		}
	}
	if n, err := f.st.RecoverSending(f.ctx); n != 2 || err != nil {
		t.Fatal(n, err)
	}
	f.mw.ShowScreen(ScreenOutbox)
	waitFor(t, "three rows", func() bool { return s.pager.Len() == 3 })

	t.Run("unknown messages stand out with what to do", func(t *testing.T) {
		waitFor(t, "the warning", func() bool { return s.unknownBox.Visible() })
		if !strings.HasPrefix(s.Unknown.Text, "2 messages sont à vérifier.") {
			t.Errorf("%q", s.Unknown.Text)
		}
		r, _, _ := row(s, "ulysse@exemple.fr")
		if text, imp := cellText(s, r, colState); text != "Inconnu" || imp != widget.WarningImportance {
			t.Errorf("state cell %q %v", text, imp)
		}
		waitStatus(t, f, "Boîte d'envoi\u00a0: en pause, envoi automatique désactivé")
	})
	t.Run("Envoyer maintenant never sends an unknown message again", func(t *testing.T) {
		test.Tap(s.SendNow)
		waitFor(t, "the queued one received", func() bool { return len(ms.received()) == 1 })
		settle()
		if got := ms.received(); len(got) != 1 || got[0] != "quentin@exemple.fr" {
			t.Errorf("received %v", got)
		}
		waitStatus(t, f, "Boîte d'envoi\u00a0: à jour, 2 messages à vérifier")
	})
	t.Run("the selected unknown message offers Renvoyer and Marquer comme envoyé", func(t *testing.T) {
		r, m, _ := row(s, "ulysse@exemple.fr")
		s.Table.Select(widget.TableCellID{Row: r, Col: 3})
		waitFor(t, "the detail", func() bool { return s.Detail.msg.ID == m.ID })
		d := s.Detail
		if !d.Resend.Visible() || !d.MarkSent.Visible() || d.Cancel.Visible() || d.EditRecipient.Visible() {
			t.Errorf("resend %v, mark sent %v, cancel %v, recipient %v",
				d.Resend.Visible(), d.MarkSent.Visible(), d.Cancel.Visible(), d.EditRecipient.Visible())
		}
		// The store's error of a recovered message says what to do; otherwise the
		// screen's explanation does.
		explained := d.Error.Visible() && strings.Contains(d.Error.Text, "Renvoyer") && strings.Contains(d.Error.Text, "Marquer comme envoyé")
		if d.Explain.Visible() {
			explained = d.Explain.Text == "Le serveur a peut-être reçu ce message\u00a0: vérifiez, puis choisissez Renvoyer ou Marquer comme envoyé."
		}
		if !explained {
			t.Errorf("error %q (shown %v), explanation %q (shown %v)", d.Error.Text, d.Error.Visible(), d.Explain.Text, d.Explain.Visible())
		}
		if got := richText(d.Body.Segments); !strings.Contains(got, "voici votre invitation.") {
			t.Errorf("body %q", got)
		}
		test.Tap(d.HTML)
		if got := richText(d.Body.Segments); got != "Bonjour,\nvoici votre invitation.\n" {
			t.Errorf("HTML shown as %q", got)
		}
	})
	t.Run("Marquer comme envoyé records it as sent, without sending", func(t *testing.T) {
		test.Tap(s.Detail.MarkSent)
		waitFor(t, "ulysse sent", func() bool { return f.states(t)["ulysse@exemple.fr"] == core.MessageSent })
		waitFor(t, "the detail updated", func() bool { return s.Detail.msg.State == core.MessageSent })
		if len(ms.received()) != 1 {
			t.Errorf("received %v", ms.received())
		}
	})
	t.Run("Renvoyer asks, then sends it again", func(t *testing.T) {
		r, m, _ := row(s, "ursula@exemple.fr")
		s.Table.Select(widget.TableCellID{Row: r, Col: 3})
		waitFor(t, "the detail", func() bool { return s.Detail.msg.ID == m.ID })
		test.Tap(s.Detail.Resend)
		if q := overlayText(f.mw.Window); !strings.Contains(q, "Renvoyer ce message à ursula@exemple.fr\u00a0?") {
			t.Fatalf("question %q", q)
		}
		press(f.mw.Window, fyne.KeyReturn)
		waitFor(t, "ursula queued", func() bool { return f.states(t)["ursula@exemple.fr"] == core.MessageQueued })
		test.Tap(s.SendNow)
		waitFor(t, "ursula received", func() bool { return len(ms.received()) == 2 })
		waitFor(t, "ursula sent", func() bool { return f.states(t)["ursula@exemple.fr"] == core.MessageSent })
		waitFor(t, "the warning gone", func() bool { return !s.unknownBox.Visible() })
	})
	t.Run("a queued message can be cancelled from its detail", func(t *testing.T) {
		f.queue(t, "zoe@exemple.fr")
		s.changed()
		waitFor(t, "zoe listed", func() bool { _, _, ok := row(s, "zoe@exemple.fr"); return ok })
		r, m, _ := row(s, "zoe@exemple.fr")
		s.Table.Select(widget.TableCellID{Row: r, Col: 3})
		waitFor(t, "the detail", func() bool { return s.Detail.msg.ID == m.ID })
		if !s.Detail.Cancel.Visible() || !s.Detail.EditRecipient.Visible() || s.Detail.Resend.Visible() {
			t.Errorf("cancel %v, recipient %v, resend %v", s.Detail.Cancel.Visible(), s.Detail.EditRecipient.Visible(), s.Detail.Resend.Visible())
		}
		test.Tap(s.Detail.EditRecipient)
		s.Detail.RecipientEntry.SetText("zoe.adam@exemple.fr")
		press(f.mw.Window, fyne.KeyReturn)
		waitFor(t, "the new recipient", func() bool { _, ok := f.states(t)["zoe.adam@exemple.fr"]; return ok })
		waitFor(t, "the detail updated", func() bool { return s.Detail.msg.To == "zoe.adam@exemple.fr" })
		test.Tap(s.Detail.Cancel)
		press(f.mw.Window, fyne.KeyReturn)
		waitFor(t, "zoe cancelled", func() bool { return f.states(t)["zoe.adam@exemple.fr"] == core.MessageCancelled })
		waitFor(t, "the row cancelled", func() bool { _, m, _ := row(s, "zoe.adam@exemple.fr"); return m.State == core.MessageCancelled })
		r, _, _ = row(s, "zoe.adam@exemple.fr")
		if text, _ := cellText(s, r, colState); text != "Annulé" {
			t.Errorf("%q", text)
		}
	})
	t.Run("ticking every queued message cancels them after a question with their number", func(t *testing.T) {
		f.queue(t, "a1@exemple.fr", "a2@exemple.fr", "a3@exemple.fr")
		s.changed()
		s.Filter.SetSelectedIndex(1)
		waitFor(t, "three queued rows", func() bool { return s.pager.Len() == 3 && s.Filter.Options[1] == "En attente (3)" })
		s.SelectAll.SetChecked(true)
		waitFor(t, "three ticked", func() bool { return len(s.checked) == 3 })
		if s.Count.Text != "3 messages · 3 cochés" || !s.CancelSelected.Visible() || s.ResendSelected.Visible() {
			t.Errorf("%q, cancel %v, resend %v", s.Count.Text, s.CancelSelected.Visible(), s.ResendSelected.Visible())
		}
		test.Tap(s.CancelSelected)
		if q := overlayText(f.mw.Window); !strings.Contains(q, "Annuler 3 messages\u00a0?") {
			t.Fatalf("question %q", q)
		}
		press(f.mw.Window, fyne.KeyReturn)
		waitFor(t, "nothing queued", func() bool { return s.pager.Len() == 0 && s.counts.Cancelled == 4 })
		if len(s.checked) != 0 {
			t.Errorf("still ticked: %v", s.checked)
		}
	})
}

func TestOutboxStop(t *testing.T) {
	f := newOutboxFixture(t)
	inData, release := make(chan struct{}), make(chan struct{})
	ms := newMailServer(t, func(ms *mailServer) {
		ms.onData = func(n int, to string) error {
			if n == 2 {
				close(inData)
				<-release
			}
			return nil
		}
	})
	s := f.mw.Outbox
	f.configureSMTP(t, ms.port, false, "")
	f.queue(t, "m1@exemple.fr", "m2@exemple.fr", "m3@exemple.fr", "m4@exemple.fr", "m5@exemple.fr")
	f.mw.ShowScreen(ScreenOutbox)
	waitFor(t, "five rows", func() bool { return s.pager.Len() == 5 })

	test.Tap(s.SendNow)
	select {
	case <-inData:
	case <-time.After(5 * time.Second):
		t.Fatal("the second message never reached the server")
	}
	t.Run("while sending, the progress and the status bar say where it is", func(t *testing.T) {
		waitFor(t, "the progress", func() bool { return s.Running.Visible() && s.ProgressText.Text == "1 envoyé · 4 restants" })
		waitStatus(t, f, "Boîte d'envoi\u00a0: envoi en cours 2/5")
		if s.Current.Text != "Dernier destinataire\u00a0: m1@exemple.fr" || s.SendNow.Disabled() == false {
			t.Errorf("current %q, send now enabled %v", s.Current.Text, !s.SendNow.Disabled())
		}
	})
	t.Run("Arrêter lets the message in flight finish and sends nothing more", func(t *testing.T) {
		test.Tap(s.Stop)
		close(release)
		waitStatus(t, f, "Boîte d'envoi\u00a0: en pause, arrêtée à votre demande")
		settle()
		st := f.states(t)
		if got := ms.received(); len(got) != 2 {
			t.Errorf("received %v", got)
		}
		if st["m2@exemple.fr"] != core.MessageSent || st["m3@exemple.fr"] != core.MessageQueued || st["m5@exemple.fr"] != core.MessageQueued {
			t.Errorf("%v", st)
		}
		if s.Running.Visible() || !s.pauseBox.Visible() {
			t.Errorf("progress shown %v, pause shown %v", s.Running.Visible(), s.pauseBox.Visible())
		}
	})
	t.Run("Envoyer maintenant sends the rest", func(t *testing.T) {
		test.Tap(s.SendNow)
		waitFor(t, "five received", func() bool { return len(ms.received()) == 5 })
		waitStatus(t, f, "Boîte d'envoi\u00a0: à jour")
	})
}

func TestOutboxAutomatic(t *testing.T) {
	t.Run("due mail leaves by itself when automatic sending is on", func(t *testing.T) {
		f := newOutboxFixture(t)
		ms := newMailServer(t, nil)
		f.configureSMTP(t, ms.port, true, "")
		f.queue(t, "auto1@exemple.fr", "auto2@exemple.fr")
		f.mw.WakeOutbox()
		waitFor(t, "two received", func() bool { return len(ms.received()) == 2 })
		waitStatus(t, f, "Boîte d'envoi\u00a0: à jour")
	})
	t.Run("refused credentials pause the outbox, say why and lead to Paramètres", func(t *testing.T) {
		f := newOutboxFixture(t)
		ms := newMailServer(t, func(ms *mailServer) { ms.user, ms.password = "formation", "le-bon" })
		if err := keyring.Set("convive", "smtp:formation@127.0.0.1", "un-mauvais"); err != nil {
			t.Fatal(err)
		}
		f.configureSMTP(t, ms.port, true, "formation")
		f.queue(t, "p1@exemple.fr", "p2@exemple.fr")
		f.mw.WakeOutbox()
		waitStatus(t, f, "Boîte d'envoi\u00a0: en pause, réglages d'envoi à vérifier")
		s := f.mw.Outbox
		if !s.pauseBox.Visible() || !strings.HasPrefix(s.Pause.Text, "L'envoi est en pause\u00a0: ") || s.PauseAction.Text != "Ouvrir les Paramètres" {
			t.Errorf("%q / %q", s.Pause.Text, s.PauseAction.Text)
		}
		msgs, _ := f.st.Outbox(f.ctx, core.OutboxFilter{})
		for _, m := range msgs {
			if m.State != core.MessageQueued || m.Attempts != 0 {
				t.Errorf("%s: %s after %d attempts", m.To, m.State, m.Attempts)
			}
		}
		test.Tap(s.PauseAction)
		if f.mw.CurrentScreen() != ScreenSettings {
			t.Errorf("on %q", f.mw.CurrentScreen())
		}
	})
	t.Run("while another program sends from the same file, the window waits and says so", func(t *testing.T) {
		f := newOutboxFixture(t)
		ms := newMailServer(t, nil)
		f.configureSMTP(t, ms.port, true, "")
		other, err := sqlite.Open(f.st.Path())
		if err != nil {
			t.Fatal(err)
		}
		defer other.Close()
		if ok, _, err := other.HoldSending(f.ctx); !ok || err != nil {
			t.Fatalf("hold: %v", err)
		}
		f.queue(t, "e1@exemple.fr")
		f.mw.WakeOutbox()
		waitStatus(t, f, "Boîte d'envoi\u00a0: envoi par un autre programme Convive")
		if s := f.mw.Outbox; !s.Notice.Visible() || !strings.Contains(s.Notice.Text, "Un autre programme Convive envoie déjà") {
			t.Errorf("notice %q", s.Notice.Text)
		}
		if n := len(ms.received()); n != 0 {
			t.Errorf("%d messages sent beside the other program", n)
		}
		if st := f.states(t)["e1@exemple.fr"]; st != core.MessageQueued {
			t.Errorf("%s", st)
		}
	})
	t.Run("a server that does not answer leaves the outbox offline", func(t *testing.T) {
		f := newOutboxFixture(t)
		f.configureSMTP(t, closedPort(t), true, "")
		f.queue(t, "o1@exemple.fr")
		f.mw.WakeOutbox()
		waitStatus(t, f, "Boîte d'envoi\u00a0: hors ligne, serveur injoignable")
		if st := f.states(t)["o1@exemple.fr"]; st != core.MessageQueued {
			t.Errorf("%s", st)
		}
	})
}

func TestHTMLPreview(t *testing.T) {
	segs := htmlSegments(`<html><head><style>p{}</style><title>x</title></head><body><h1>Bienvenue</h1>
		<p>Bonjour <b>Anne</b>,</p><ul><li>un</li><li>deux</li></ul><p><a href="https://formation.exemple.fr/i/abc">Accepter</a></p>
		<script>alert(1)</script></body></html>`)
	got := richText(segs)
	for _, want := range []string{"Bienvenue", "Bonjour Anne,", "• un", "• deux", "Accepter"} {
		if !strings.Contains(got, want) {
			t.Errorf("%q is missing from %q", want, got)
		}
	}
	for _, bad := range []string{"alert", "p{}", "<"} {
		if strings.Contains(got, bad) {
			t.Errorf("%q shows in %q", bad, got)
		}
	}
	var link *widget.HyperlinkSegment
	for _, s := range segs {
		if p, ok := s.(*widget.ParagraphSegment); ok {
			for _, t := range p.Texts {
				if h, ok := t.(*widget.HyperlinkSegment); ok {
					link = h
				}
			}
		}
	}
	if link == nil || link.URL.String() != "https://formation.exemple.fr/i/abc" {
		t.Errorf("link %+v", link)
	}
}

func TestOutboxPasswordForTheSession(t *testing.T) {
	f := newOutboxFixture(t)
	t.Setenv(secret.EnvPassword, "")
	keyring.MockInitWithError(errors.New("no secret service"))
	defer keyring.MockInit()
	account := secret.Account("formation", "127.0.0.1")
	defer secret.Forget(account)
	ms := newMailServer(t, func(ms *mailServer) { ms.user, ms.password = "formation", "le-bon" })
	f.configureSMTP(t, ms.port, true, "formation")
	f.queue(t, "s1@exemple.fr")
	f.mw.ShowScreen(ScreenOutbox)
	s := f.mw.Outbox

	t.Run("without a keyring nor a password, sending waits and says why", func(t *testing.T) {
		waitStatus(t, f, "Boîte d'envoi\u00a0: en pause, mot de passe à saisir")
		if !s.pauseBox.Visible() || s.PauseAction.Text != "Saisir le mot de passe" {
			t.Errorf("%q / %q", s.Pause.Text, s.PauseAction.Text)
		}
	})
	t.Run("Envoyer maintenant asks for it once, keeps it in memory and sends", func(t *testing.T) {
		f.mw.PasswordEntry = nil
		test.Tap(s.SendNow)
		waitFor(t, "the password dialog", func() bool { return f.mw.PasswordEntry != nil })
		f.mw.PasswordEntry.SetText("le-bon")
		press(f.mw.Window, fyne.KeyReturn)
		waitFor(t, "the message received", func() bool { return len(ms.received()) == 1 })
		waitStatus(t, f, "Boîte d'envoi\u00a0: à jour")
		if _, src, err := secret.Password(account); src != secret.FromSession || err != nil {
			t.Errorf("%q, %v", src, err)
		}
		if fileHolds(t, f.st.Path(), "le-bon") {
			t.Error("the password was written to the database")
		}
	})
}
