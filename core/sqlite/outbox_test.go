package sqlite_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"convive/core"
	"convive/core/sqlite"
)

func frenchMessages(n int) []core.Message {
	prenoms := []string{"Hélène", "Jérôme", "Zoé", "Loïc", "Cécile"}
	msgs := make([]core.Message, n)
	for i := range msgs {
		p := prenoms[i%len(prenoms)]
		msgs[i] = core.Message{
			Kind:    core.KindInvitation,
			To:      fmt.Sprintf("apprenant%02d@exemple.fr", i),
			Subject: fmt.Sprintf("%s, votre accès à « Sécurité des données »", p),
			Text:    "Bonjour " + p + ",\n\nÀ bientôt sur la plateforme.\n",
			HTML:    "<p>Bonjour " + p + ",</p>",
		}
	}
	return msgs
}

func outbox(t *testing.T, s *sqlite.Store, f core.OutboxFilter) []core.Message {
	t.Helper()
	got, err := s.Outbox(context.Background(), f)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func actions(t *testing.T, s *sqlite.Store, id int64) string {
	t.Helper()
	entries, err := s.Audit(context.Background(), "message", id)
	if err != nil {
		t.Fatal(err)
	}
	var a []string
	for _, e := range entries {
		a = append(a, e.Action)
	}
	return strings.Join(a, " ")
}

func TestEnqueue(t *testing.T) {
	ctx := context.Background()

	t.Run("a message is queued, due now, with a Message-ID at the sender's domain", func(t *testing.T) {
		s := open(t)
		if err := s.SetSMTPSettings(ctx, core.SMTPSettings{Host: "smtp.exemple.fr", From: "formation@Société.fr"}); err != nil {
			t.Fatal(err)
		}
		before := time.Now().Add(-time.Second)
		if err := s.Enqueue(ctx, frenchMessages(2)...); err != nil {
			t.Fatal(err)
		}
		got := outbox(t, s, core.OutboxFilter{})
		if len(got) != 2 {
			t.Fatalf("%d messages, want 2", len(got))
		}
		m := got[0]
		if m.State != core.MessageQueued || m.Attempts != 0 || m.Due.Before(before) || m.Due.After(time.Now()) {
			t.Errorf("new message: %+v", m)
		}
		local, domain, _ := strings.Cut(m.MessageID, "@")
		if domain != "xn--socit-esab.fr" || len(local) < 32 {
			t.Errorf("Message-ID %q, want 160 random bits at the sender's domain", m.MessageID)
		}
		if got[1].MessageID == m.MessageID {
			t.Error("two messages share a Message-ID")
		}
		if m.Subject != "Hélène, votre accès à « Sécurité des données »" || !strings.Contains(m.Text, "À bientôt") {
			t.Errorf("French text changed on the way: %q / %q", m.Subject, m.Text)
		}
		if a := actions(t, s, m.ID); a != "outbox.enqueue" {
			t.Errorf("audit %q", a)
		}
	})

	t.Run("a message due later is not due now", func(t *testing.T) {
		s := open(t)
		m := frenchMessages(1)[0]
		m.Due = time.Now().Add(48 * time.Hour)
		if err := s.Enqueue(ctx, m); err != nil {
			t.Fatal(err)
		}
		due, next, err := s.OutboxDue(ctx, time.Now())
		if err != nil || due != 0 || next.Sub(m.Due).Abs() > time.Millisecond {
			t.Errorf("OutboxDue = %d, %v, %v; want 0 due and the next at the session's opening", due, next, err)
		}
		if n, _ := s.NextDue(ctx, time.Now()); n != nil {
			t.Errorf("NextDue gave a message not yet due")
		}
		if n, _ := s.NextDue(ctx, m.Due.Add(time.Second)); n == nil {
			t.Errorf("NextDue gave nothing once the message is due")
		}
	})

	t.Run("an alias login is delivered to the plain address", func(t *testing.T) {
		s := open(t)
		m := frenchMessages(1)[0]
		m.To = "jean.dupont#formation@gmail.com"
		if err := s.Enqueue(ctx, m); err != nil {
			t.Fatal(err)
		}
		if got := outbox(t, s, core.OutboxFilter{})[0].To; got != "jean.dupont@gmail.com" {
			t.Errorf("to = %q", got)
		}
	})

	t.Run("one bad message keeps the whole batch out, with a French reason naming it", func(t *testing.T) {
		s := open(t)
		msgs := frenchMessages(3)
		msgs[2].To = "jean.dupont@@exemple"
		err := s.Enqueue(ctx, msgs...)
		ce := wantCode(t, err, core.EInvalid)
		if !strings.Contains(ce.Error(), "message 3 sur 3") || !strings.Contains(ce.Error(), "jean.dupont@@exemple") {
			t.Errorf("message %q does not say which message and which address", ce.Error())
		}
		if n := len(outbox(t, s, core.OutboxFilter{})); n != 0 {
			t.Errorf("%d messages queued after a refused batch", n)
		}
	})

	t.Run("a message without subject is refused", func(t *testing.T) {
		s := open(t)
		m := frenchMessages(1)[0]
		m.Subject = "  "
		wantCode(t, s.Enqueue(ctx, m), core.EInvalid)
	})
}

func TestOutboxListing(t *testing.T) {
	ctx := context.Background()
	s := open(t)
	msgs := frenchMessages(12)
	msgs[7].Subject = "Réinitialisation de votre mot de passe"
	if err := s.Enqueue(ctx, msgs...); err != nil {
		t.Fatal(err)
	}
	all := outbox(t, s, core.OutboxFilter{})
	if _, err := s.CancelMessages(ctx, []int64{all[0].ID, all[1].ID}); err != nil {
		t.Fatal(err)
	}

	t.Run("search ignores case and accents", func(t *testing.T) {
		got := outbox(t, s, core.OutboxFilter{Search: "REINITIALISATION"})
		if len(got) != 1 || got[0].ID != all[7].ID {
			t.Errorf("search found %d messages", len(got))
		}
		if n, _ := s.CountOutbox(ctx, core.OutboxFilter{Search: "apprenant1"}); n != 2 {
			t.Errorf("count of apprenant1… = %d, want 2 (10 and 11)", n)
		}
	})

	t.Run("states filter and pages come from SQL", func(t *testing.T) {
		f := core.OutboxFilter{States: []core.MessageState{core.MessageQueued}, Limit: 4, Offset: 8}
		page := outbox(t, s, f)
		if len(page) != 2 || page[0].ID != all[10].ID {
			t.Errorf("last page of the 10 queued: %d messages", len(page))
		}
		if n, _ := s.CountOutbox(ctx, f); n != 10 {
			t.Errorf("count = %d, want 10 queued", n)
		}
		if got := outbox(t, s, core.OutboxFilter{Desc: true, Limit: 1}); got[0].ID != all[11].ID {
			t.Error("newest first does not start with the last message")
		}
		_, err := s.Outbox(ctx, core.OutboxFilter{States: []core.MessageState{"perdu"}})
		wantCode(t, err, core.EInvalid)
	})

	t.Run("the list sorts by a column, either way, namesakes in their order of creation", func(t *testing.T) {
		by := func(f core.OutboxFilter) []string {
			var out []string
			for _, m := range outbox(t, s, f) {
				out = append(out, m.Subject)
			}
			return out
		}
		asc := by(core.OutboxFilter{Sort: core.OutboxBySubject})
		desc := by(core.OutboxFilter{Sort: core.OutboxBySubject, Desc: true})
		if !slices.IsSorted(asc) || !strings.HasPrefix(asc[len(asc)-1], "Zoé") || desc[0] != asc[len(asc)-1] {
			t.Errorf("by subject %q, reversed %q", asc, desc)
		}
		states := outbox(t, s, core.OutboxFilter{Sort: core.OutboxByState})
		if states[0].State != core.MessageCancelled || states[0].ID != all[0].ID || states[1].ID != all[1].ID {
			t.Errorf("by state, the cancelled ones first in their order: %v %v", states[0].State, states[1].ID)
		}
		_, err := s.Outbox(ctx, core.OutboxFilter{Sort: "mot de passe"})
		wantCode(t, err, core.EInvalid)
	})

	t.Run("counts per state for the dashboard", func(t *testing.T) {
		c, err := s.OutboxCounts(ctx, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if c.Queued != 10 || c.Cancelled != 2 || c.Due != 10 || c.Waiting() != 10 {
			t.Errorf("counts %+v", c)
		}
		st, err := s.Stats(ctx)
		if err != nil || st.OutboxWaiting != 10 {
			t.Errorf("Stats.OutboxWaiting = %d, %v", st.OutboxWaiting, err)
		}
	})

	t.Run("an unknown number is not found, in French", func(t *testing.T) {
		_, err := s.OutboxMessage(ctx, 999)
		ce := wantCode(t, err, core.ENotFound)
		if !strings.Contains(ce.Error(), "n° 999") {
			t.Errorf("message %q", ce.Error())
		}
	})
}

// sendOnce plays one attempt on a queued message as the dispatcher does.
func sendOnce(t *testing.T, s *sqlite.Store, id int64, state core.MessageState, detail string) {
	t.Helper()
	ctx := context.Background()
	if ok, err := s.MarkSending(ctx, id, time.Now()); err != nil || !ok {
		t.Fatalf("MarkSending(%d) = %v, %v", id, ok, err)
	}
	if err := s.MarkResult(ctx, id, state, true, time.Time{}, detail, time.Now()); err != nil {
		t.Fatal(err)
	}
}

func TestManagerDecisions(t *testing.T) {
	ctx := context.Background()
	s := open(t)
	if err := s.Enqueue(ctx, frenchMessages(6)...); err != nil {
		t.Fatal(err)
	}
	all := outbox(t, s, core.OutboxFilter{})
	failed, unknown, sent, sending, queued, other := all[0], all[1], all[2], all[3], all[4], all[5]
	sendOnce(t, s, failed.ID, core.MessageFailed, "Le serveur a refusé le message.")
	sendOnce(t, s, unknown.ID, core.MessageUnknown, "La connexion a été coupée.")
	sendOnce(t, s, sent.ID, core.MessageSent, "")
	if ok, err := s.MarkSending(ctx, sending.ID, time.Now()); err != nil || !ok {
		t.Fatal(err)
	}

	t.Run("a message being sent cannot be cancelled, and nothing is cancelled", func(t *testing.T) {
		_, err := s.CancelMessages(ctx, []int64{queued.ID, sending.ID})
		ce := wantCode(t, err, core.EConflict)
		if !strings.Contains(ce.Error(), "en cours d'envoi") {
			t.Errorf("message %q", ce.Error())
		}
		if m, _ := s.OutboxMessage(ctx, queued.ID); m.State != core.MessageQueued {
			t.Errorf("the queued message of the refused batch is %s", m.State)
		}
	})

	t.Run("a sent message cannot be cancelled", func(t *testing.T) {
		_, err := s.CancelMessages(ctx, []int64{sent.ID})
		wantCode(t, err, core.EConflict)
	})

	t.Run("re-sending keeps the attempts and the Message-ID", func(t *testing.T) {
		n, err := s.ResendMessages(ctx, []int64{failed.ID})
		if err != nil || n != 1 {
			t.Fatalf("ResendMessages = %d, %v", n, err)
		}
		m, _ := s.OutboxMessage(ctx, failed.ID)
		if m.State != core.MessageQueued || m.Attempts != 1 || m.MessageID != failed.MessageID || m.LastError != "" {
			t.Errorf("re-sent message: %+v", m)
		}
		if a := actions(t, s, failed.ID); a != "outbox.enqueue outbox.failed outbox.resend" {
			t.Errorf("audit %q", a)
		}
	})

	t.Run("a sent message cannot be re-sent from the outbox", func(t *testing.T) {
		_, err := s.ResendMessages(ctx, []int64{sent.ID})
		wantCode(t, err, core.EConflict)
	})

	t.Run("only an unknown message can be marked as sent", func(t *testing.T) {
		_, err := s.MarkSent(ctx, []int64{queued.ID})
		wantCode(t, err, core.EConflict)
		n, err := s.MarkSent(ctx, []int64{unknown.ID})
		if err != nil || n != 1 {
			t.Fatalf("MarkSent = %d, %v", n, err)
		}
		m, _ := s.OutboxMessage(ctx, unknown.ID)
		if m.State != core.MessageSent || m.Sent.IsZero() {
			t.Errorf("marked message: %+v", m)
		}
		if a := actions(t, s, unknown.ID); !strings.HasSuffix(a, "outbox.unknown outbox.mark_sent") {
			t.Errorf("audit %q", a)
		}
	})

	t.Run("the recipient of a queued message can be corrected, and only then", func(t *testing.T) {
		if err := s.SetRecipient(ctx, other.ID, "Camille.Lefevre@Exemple.fr"); err != nil {
			t.Fatal(err)
		}
		m, _ := s.OutboxMessage(ctx, other.ID)
		if m.To != "Camille.Lefevre@exemple.fr" {
			t.Errorf("to = %q", m.To)
		}
		if got := outbox(t, s, core.OutboxFilter{Search: "camille lefevre"}); len(got) != 1 {
			t.Errorf("the new recipient is not found by search")
		}
		wantCode(t, s.SetRecipient(ctx, other.ID, "camille.lefevre"), core.EInvalid)
		wantCode(t, s.SetRecipient(ctx, sent.ID, "x@exemple.fr"), core.EConflict)
		if a := actions(t, s, other.ID); a != "outbox.enqueue outbox.recipient" {
			t.Errorf("audit %q", a)
		}
	})

	t.Run("resend unknown takes every unknown message", func(t *testing.T) {
		if n, err := s.RecoverSending(ctx); err != nil || n != 1 {
			t.Fatalf("RecoverSending = %d, %v", n, err)
		}
		n, err := s.ResendUnknown(ctx)
		if err != nil || n != 1 {
			t.Fatalf("ResendUnknown = %d, %v", n, err)
		}
		if m, _ := s.OutboxMessage(ctx, sending.ID); m.State != core.MessageQueued {
			t.Errorf("state %s", m.State)
		}
	})
}

func TestResultAndNextClaimShareOneTransaction(t *testing.T) {
	ctx := context.Background()
	s := open(t)
	if err := s.Enqueue(ctx, frenchMessages(3)...); err != nil {
		t.Fatal(err)
	}
	all := outbox(t, s, core.OutboxFilter{})
	if ok, err := s.MarkResultClaim(ctx, 0, "", false, time.Time{}, "", time.Now(), all[0].ID); !ok || err != nil {
		t.Fatalf("claiming the first: %v, %v", ok, err)
	}
	ok, err := s.MarkResultClaim(ctx, all[0].ID, core.MessageSent, true, time.Time{}, "", time.Now(), all[1].ID)
	if err != nil || !ok {
		t.Fatalf("result and claim: %v, %v", ok, err)
	}
	got := outbox(t, s, core.OutboxFilter{})
	if got[0].State != core.MessageSent || got[1].State != core.MessageSending || got[2].State != core.MessageQueued {
		t.Errorf("states %s, %s, %s", got[0].State, got[1].State, got[2].State)
	}
	// A message cancelled meanwhile is not claimed, but the result is still recorded.
	if _, err := s.CancelMessages(ctx, []int64{all[2].ID}); err != nil {
		t.Fatal(err)
	}
	ok, err = s.MarkResultClaim(ctx, all[1].ID, core.MessageSent, true, time.Time{}, "", time.Now(), all[2].ID)
	if err != nil || ok {
		t.Errorf("claiming a cancelled message: %v, %v", ok, err)
	}
	if m, _ := s.OutboxMessage(ctx, all[1].ID); m.State != core.MessageSent {
		t.Errorf("the result was lost with the refused claim: %s", m.State)
	}
	// A result for a message that is not sending is refused, and nothing is claimed,
	// so that two processes sending from one file cannot both record one message.
	_, err = s.MarkResultClaim(ctx, all[1].ID, core.MessageSent, true, time.Time{}, "", time.Now(), 0)
	wantCode(t, err, core.EConflict)
}

func TestSMTPSettingsKeepNoPassword(t *testing.T) {
	ctx := context.Background()
	s := open(t)
	c, err := s.SMTPSettings(ctx)
	if err != nil || c.Configured() || !c.AutoSend {
		t.Fatalf("fresh settings %+v, %v: want unconfigured with automatic sending on", c, err)
	}
	want := core.SMTPSettings{Host: "smtp.exemple.fr", Port: 587, Security: "starttls", Auth: "auto", User: "formation",
		From: "formation@exemple.fr", FromName: "Service formation", ReplyTo: "ne-pas-repondre@exemple.fr",
		RateLimit: 30, MaxAttempts: 5, AutoSend: false}
	if err := s.SetSMTPSettings(ctx, want); err != nil {
		t.Fatal(err)
	}
	got, err := s.SMTPSettings(ctx)
	if err != nil || got != want {
		t.Errorf("read back %+v, %v\nwant %+v", got, err, want)
	}
	for _, k := range []string{"smtp.password", "smtp.pass"} {
		if v, _ := s.Setting(ctx, k); v != "" {
			t.Errorf("setting %s = %q", k, v)
		}
	}
	entries, _ := s.Audit(ctx, "settings", 0)
	if len(entries) != 1 || entries[0].Action != "smtp.update" || !strings.Contains(entries[0].Detail, "smtp.exemple.fr") {
		t.Errorf("audit %+v", entries)
	}
}
