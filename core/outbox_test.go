package core_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/mail"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"convive/core"
	"convive/core/smtp"
	"convive/core/sqlite"

	"github.com/emersion/go-sasl"
	gosmtp "github.com/emersion/go-smtp"
)

// mailServer is a real SMTP server (emersion/go-smtp) on 127.0.0.1 whose answers each
// test bends through onData; it records every message it accepted.
type mailServer struct {
	port     int
	user     string // when set, AUTH PLAIN is offered and user/password checked
	password string
	// onData decides the answer to the n-th message (from 1), after its whole body was
	// read; nil accepts. It may close c to cut the connection before the answer.
	onData func(n int, c *gosmtp.Conn, id string) error

	mu       sync.Mutex
	n        int
	accepted []string // Message-IDs, in order
	to       []string // the To addresses of the accepted messages, in order
	logins   int
}

func startMailServer(t *testing.T, setup func(*mailServer)) *mailServer {
	t.Helper()
	ms := &mailServer{}
	if setup != nil {
		setup(ms)
	}
	srv := gosmtp.NewServer(ms)
	srv.Domain = "test.invalid"
	srv.AllowInsecureAuth = true
	srv.ReadTimeout = 10 * time.Second
	srv.WriteTimeout = 10 * time.Second
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ms.port = l.Addr().(*net.TCPAddr).Port
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(func() { _ = srv.Close() })
	return ms
}

func (ms *mailServer) Recipients() []string {
	ms.mu.Lock()
	defer ms.mu.Unlock()
	return append([]string(nil), ms.to...)
}

func (ms *mailServer) Accepted() []string {
	ms.mu.Lock()
	defer ms.mu.Unlock()
	return append([]string(nil), ms.accepted...)
}

func (ms *mailServer) NewSession(c *gosmtp.Conn) (gosmtp.Session, error) {
	return &mailSession{ms: ms, conn: c}, nil
}

type mailSession struct {
	ms   *mailServer
	conn *gosmtp.Conn
}

func (s *mailSession) Reset()                                 {}
func (s *mailSession) Logout() error                          { return nil }
func (s *mailSession) Mail(string, *gosmtp.MailOptions) error { return nil }
func (s *mailSession) Rcpt(string, *gosmtp.RcptOptions) error { return nil }
func (s *mailSession) AuthMechanisms() []string {
	if s.ms.user == "" {
		return nil
	}
	return []string{sasl.Plain}
}

func (s *mailSession) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, password string) error {
		s.ms.mu.Lock()
		s.ms.logins++
		ok := user == s.ms.user && password == s.ms.password
		s.ms.mu.Unlock()
		if !ok {
			return &gosmtp.SMTPError{Code: 535, EnhancedCode: gosmtp.EnhancedCode{5, 7, 8}, Message: "Authentication credentials invalid"}
		}
		return nil
	}), nil
}

func (s *mailSession) Data(r io.Reader) error {
	d, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	m, err := mail.ReadMessage(bytes.NewReader(d))
	if err != nil {
		return err
	}
	id := strings.Trim(m.Header.Get("Message-Id"), "<>")
	s.ms.mu.Lock()
	s.ms.n++
	n := s.ms.n
	s.ms.mu.Unlock()
	if s.ms.onData != nil {
		if err := s.ms.onData(n, s.conn, id); err != nil {
			return err
		}
	}
	to, _ := mail.ParseAddress(m.Header.Get("To"))
	s.ms.mu.Lock()
	s.ms.accepted = append(s.ms.accepted, id)
	if to != nil {
		s.ms.to = append(s.ms.to, to.Address)
	}
	s.ms.mu.Unlock()
	return nil
}

// clock is a test clock the dispatcher reads; tests move it forward.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// rig is a real store in a temporary folder, a Mailer towards ms and a dispatcher.
type rig struct {
	st    *sqlite.Store
	d     *core.Dispatcher
	clock *clock
}

func newRig(t *testing.T, ms *mailServer, password string) *rig {
	t.Helper()
	st, err := sqlite.Open(filepath.Join(t.TempDir(), "convive.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	cfg := smtp.Config{Host: "127.0.0.1", Port: ms.port, Security: smtp.SecurityNone, Auth: smtp.AuthNone,
		From: "formation@exemple.fr", FromName: "Service formation", Timeout: 5 * time.Second}
	if ms.user != "" {
		cfg.Auth, cfg.User, cfg.Password = smtp.AuthPlain, ms.user, password
	}
	s, err := smtp.NewSender(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ml := smtp.NewMailer(s)
	t.Cleanup(func() { _ = ml.Close() })
	// Messages are created due now in real time; the test clock starts a little after.
	c := &clock{t: time.Now().Add(time.Second)}
	return &rig{st: st, clock: c, d: &core.Dispatcher{Store: st, Sender: ml, Backoff: smtp.Backoff, Now: c.Now}}
}

// enqueue queues n French messages and returns them as stored.
func (r *rig) enqueue(t *testing.T, n int) []core.Message {
	t.Helper()
	msgs := make([]core.Message, n)
	for i := range msgs {
		msgs[i] = core.Message{
			Kind:    core.KindInvitation,
			To:      fmt.Sprintf("apprenant%02d@exemple.fr", i),
			Subject: fmt.Sprintf("Invitation n° %d : « Sécurité des données »", i),
			Text:    "Bonjour Hélène,\n\nVous êtes invitée à rejoindre la plateforme.\n",
		}
	}
	if err := r.st.Enqueue(context.Background(), msgs...); err != nil {
		t.Fatal(err)
	}
	return r.all(t)
}

func (r *rig) all(t *testing.T) []core.Message {
	t.Helper()
	got, err := r.st.Outbox(context.Background(), core.OutboxFilter{})
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func (r *rig) message(t *testing.T, id int64) core.Message {
	t.Helper()
	m, err := r.st.OutboxMessage(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func (r *rig) run(t *testing.T) core.DispatchReport {
	t.Helper()
	rep, err := r.d.Run(context.Background(), 0)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func TestATemporaryRefusalIsRetriedAfterTheBackoffAndThenSent(t *testing.T) {
	ms := startMailServer(t, func(ms *mailServer) {
		ms.onData = func(n int, _ *gosmtp.Conn, _ string) error {
			if n == 1 {
				return &gosmtp.SMTPError{Code: 451, EnhancedCode: gosmtp.EnhancedCode{4, 3, 0}, Message: "Try again later"}
			}
			return nil
		}
	})
	r := newRig(t, ms, "")
	m := r.enqueue(t, 1)[0]

	rep := r.run(t)
	if rep.RetryLater != 1 || rep.Sent != 0 {
		t.Fatalf("first run: %+v, want one retry later", rep)
	}
	got := r.message(t, m.ID)
	if got.State != core.MessageQueued || got.Attempts != 1 || !strings.Contains(got.LastError, "451") {
		t.Fatalf("after a 451: state %s, attempts %d, error %q", got.State, got.Attempts, got.LastError)
	}
	wait := got.NextAttempt.Sub(r.clock.Now())
	if wait < 54*time.Second || wait > 66*time.Second {
		t.Errorf("next attempt in %v, want about one minute", wait)
	}

	if rep := r.run(t); rep.Sent != 0 || rep.RetryLater != 0 {
		t.Fatalf("a run before the next attempt's time did something: %+v", rep)
	}
	r.clock.Add(2 * time.Minute)
	if rep := r.run(t); rep.Sent != 1 || rep.Remaining != 0 {
		t.Fatalf("run after the backoff: %+v, want it sent", rep)
	}
	got = r.message(t, m.ID)
	if got.State != core.MessageSent || got.Attempts != 2 || got.LastError != "" || got.Sent.IsZero() {
		t.Errorf("after the retry: %+v", got)
	}
	if ids := ms.Accepted(); len(ids) != 1 || ids[0] != m.MessageID {
		t.Errorf("server accepted %q, want once %q (the Message-ID fixed at creation)", ids, m.MessageID)
	}
}

func TestAPermanentRefusalFailsTheMessageWithAFrenchError(t *testing.T) {
	ms := startMailServer(t, func(ms *mailServer) {
		ms.onData = func(n int, _ *gosmtp.Conn, _ string) error {
			if n == 1 {
				return &gosmtp.SMTPError{Code: 550, EnhancedCode: gosmtp.EnhancedCode{5, 1, 1}, Message: "Mailbox unavailable"}
			}
			return nil
		}
	})
	r := newRig(t, ms, "")
	msgs := r.enqueue(t, 2)
	rep := r.run(t)
	if rep.Failed != 1 || rep.Sent != 1 {
		t.Fatalf("report %+v, want one failed and the next one sent", rep)
	}
	got := r.message(t, msgs[0].ID)
	if got.State != core.MessageFailed || got.Attempts != 1 {
		t.Fatalf("state %s, attempts %d", got.State, got.Attempts)
	}
	if !strings.Contains(got.LastError, "550") || !strings.Contains(got.LastError, "refusé") || !strings.Contains(got.LastError, "boîte aux lettres inexistante") {
		t.Errorf("last error %q is not the French sentence about the 550", got.LastError)
	}
	if rep := r.run(t); rep.Sent+rep.Failed+rep.RetryLater != 0 {
		t.Errorf("a failed message was tried again: %+v", rep)
	}
}

func TestRefusedCredentialsPauseTheOutboxWithoutUsingAttempts(t *testing.T) {
	ms := startMailServer(t, func(ms *mailServer) { ms.user, ms.password = "formation", "le bon" })
	r := newRig(t, ms, "le mauvais")
	msgs := r.enqueue(t, 5)
	for run := 1; run <= 3; run++ {
		rep := r.run(t)
		if rep.Paused == "" || !strings.Contains(rep.Paused, "mot de passe") {
			t.Fatalf("run %d: paused = %q, want the French reason", run, rep.Paused)
		}
		if rep.Sent+rep.Failed+rep.Unknown+rep.RetryLater != 0 || rep.Remaining != 5 {
			t.Fatalf("run %d: %+v, want nothing done and 5 remaining", run, rep)
		}
	}
	for _, m := range msgs {
		got := r.message(t, m.ID)
		if got.State != core.MessageQueued || got.Attempts != 0 {
			t.Errorf("message %d: state %s, attempts %d, want still queued with no attempt", m.ID, got.State, got.Attempts)
		}
	}
	ms.mu.Lock()
	logins := ms.logins
	ms.mu.Unlock()
	if logins != 3 {
		t.Errorf("%d logins for 3 runs, want one per run: a paused run stops at once", logins)
	}
	if len(ms.Accepted()) != 0 {
		t.Error("a message went out with refused credentials")
	}
}

func TestAConnectionCutAfterTheDataMakesTheMessageUnknownAndItIsNeverSentAgain(t *testing.T) {
	ms := startMailServer(t, func(ms *mailServer) {
		ms.onData = func(n int, c *gosmtp.Conn, _ string) error {
			if n == 1 {
				_ = c.Conn().Close()
				return io.ErrUnexpectedEOF
			}
			return nil
		}
	})
	r := newRig(t, ms, "")
	msgs := r.enqueue(t, 3)
	rep := r.run(t)
	if rep.Unknown != 1 || rep.Sent != 2 {
		t.Fatalf("report %+v, want one unknown and the two others sent", rep)
	}
	got := r.message(t, msgs[0].ID)
	if got.State != core.MessageUnknown || !strings.Contains(got.LastError, "peut-être été reçu") {
		t.Fatalf("state %s, error %q", got.State, got.LastError)
	}
	r.clock.Add(24 * time.Hour)
	if rep := r.run(t); rep.Sent+rep.Unknown+rep.Failed+rep.RetryLater != 0 {
		t.Fatalf("a second run did something: %+v", rep)
	}
	if got := r.message(t, msgs[0].ID); got.State != core.MessageUnknown {
		t.Errorf("after a second run the message is %s, want still unknown", got.State)
	}
	for _, id := range ms.Accepted() {
		if id == msgs[0].MessageID {
			t.Error("the unknown message was sent again")
		}
	}
}

func TestACancelledMessageIsNeverSent(t *testing.T) {
	ms := startMailServer(t, nil)
	r := newRig(t, ms, "")
	msgs := r.enqueue(t, 3)
	if n, err := r.st.CancelMessages(context.Background(), []int64{msgs[1].ID}); err != nil || n != 1 {
		t.Fatalf("cancel: %d, %v", n, err)
	}
	if rep := r.run(t); rep.Sent != 2 {
		t.Fatalf("report %+v, want the two others sent", rep)
	}
	for _, id := range ms.Accepted() {
		if id == msgs[1].MessageID {
			t.Fatal("the cancelled message was sent")
		}
	}
	if got := r.message(t, msgs[1].ID); got.State != core.MessageCancelled || got.Attempts != 0 {
		t.Errorf("cancelled message is %s with %d attempts", got.State, got.Attempts)
	}
}

func TestAMessageCancelledWhileTheDispatcherWaitsIsNotSent(t *testing.T) {
	ms := startMailServer(t, nil)
	r := newRig(t, ms, "")
	msgs := r.enqueue(t, 2)
	// The sender's wait (the rate limit) is where a manager's click can land between
	// the choice of a message and its "sending" state.
	r.d.Sender = &cancelOnWait{MailSender: r.d.Sender, st: r.st, id: msgs[0].ID}
	if rep := r.run(t); rep.Sent != 1 {
		t.Fatalf("report %+v, want only the other one sent", rep)
	}
	if ids := ms.Accepted(); len(ids) != 1 || ids[0] != msgs[1].MessageID {
		t.Errorf("server accepted %q, want only %q", ids, msgs[1].MessageID)
	}
}

type cancelOnWait struct {
	core.MailSender
	st   *sqlite.Store
	id   int64
	done bool
}

func (c *cancelOnWait) Wait(ctx context.Context) error {
	if !c.done {
		c.done = true
		_, err := c.st.CancelMessages(ctx, []int64{c.id})
		return err
	}
	return nil
}

func TestAfterMaxAttemptsTheMessageFailsWithItsLastError(t *testing.T) {
	ms := startMailServer(t, func(ms *mailServer) {
		ms.onData = func(int, *gosmtp.Conn, string) error {
			return &gosmtp.SMTPError{Code: 452, EnhancedCode: gosmtp.EnhancedCode{4, 2, 2}, Message: "Mailbox full"}
		}
	})
	r := newRig(t, ms, "")
	r.d.MaxAttempts = 3
	m := r.enqueue(t, 1)[0]
	for i := 1; i <= 3; i++ {
		r.run(t)
		r.clock.Add(2 * time.Hour)
	}
	got := r.message(t, m.ID)
	if got.State != core.MessageFailed || got.Attempts != 3 {
		t.Fatalf("after 3 temporary failures: %s with %d attempts, want failed with 3", got.State, got.Attempts)
	}
	if !strings.HasPrefix(got.LastError, "Abandonné après 3 essais") || !strings.Contains(got.LastError, "452") || strings.Contains(got.LastError, "nouvel essai") {
		t.Errorf("last error %q", got.LastError)
	}
	if rep := r.run(t); rep.Sent+rep.Failed+rep.RetryLater != 0 {
		t.Errorf("a given-up message was tried again: %+v", rep)
	}
}

func TestRecoverSendingTurnsAnInterruptedMessageIntoUnknown(t *testing.T) {
	ms := startMailServer(t, nil)
	r := newRig(t, ms, "")
	msgs := r.enqueue(t, 2)
	ctx := context.Background()
	// What a process killed in the middle of a conversation leaves behind.
	if ok, err := r.st.MarkSending(ctx, msgs[0].ID, time.Now()); err != nil || !ok {
		t.Fatalf("MarkSending: %v, %v", ok, err)
	}
	n, err := r.st.RecoverSending(ctx)
	if err != nil || n != 1 {
		t.Fatalf("RecoverSending = %d, %v, want 1", n, err)
	}
	got := r.message(t, msgs[0].ID)
	if got.State != core.MessageUnknown || !strings.Contains(got.LastError, "Marquer comme envoyé") {
		t.Errorf("recovered message: %s, %q", got.State, got.LastError)
	}
	if rep := r.run(t); rep.Sent != 1 {
		t.Fatalf("report %+v, want only the other one sent", rep)
	}
	if ids := ms.Accepted(); len(ids) != 1 || ids[0] != msgs[1].MessageID {
		t.Errorf("server accepted %q", ids)
	}
	if n, _ := r.st.RecoverSending(ctx); n != 0 {
		t.Errorf("a second RecoverSending found %d", n)
	}
}

func TestStoppingLetsTheMessageInFlightFinish(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	var r *rig
	var msgs []core.Message
	ms := startMailServer(t, func(ms *mailServer) {
		ms.onData = func(n int, _ *gosmtp.Conn, _ string) error {
			if n == 2 {
				// The third message is claimed while the second is with the server;
				// then the manager presses Arrêter.
				if err := waitState(r.st, msgs[2].ID, core.MessageSending); err != nil {
					t.Error(err)
				}
				cancel()
			}
			return nil
		}
	})
	r = newRig(t, ms, "")
	msgs = r.enqueue(t, 5)
	rep, err := r.d.Run(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Sent != 2 || rep.Remaining != 3 {
		t.Fatalf("report %+v, want 2 sent (the one in flight finished) and 3 remaining", rep)
	}
	if ids := ms.Accepted(); len(ids) != 2 || ids[0] != msgs[0].MessageID || ids[1] != msgs[1].MessageID {
		t.Errorf("server accepted %q, want the first two only", ids)
	}
	for i, m := range r.all(t) {
		if i < 2 {
			if m.State != core.MessageSent {
				t.Errorf("message %d (%s) is %s, want sent", i, m.To, m.State)
			}
			continue
		}
		// The one claimed ahead is back in the queue as it was.
		if m.State != core.MessageQueued || m.Attempts != 0 || m.LastError != "" || !m.NextAttempt.IsZero() {
			t.Errorf("message %d (%s) is %s with %d attempts, error %q, next attempt %v; want queued as created",
				i, m.To, m.State, m.Attempts, m.LastError, m.NextAttempt)
		}
	}
}

// waitState waits until message id is in state st in the file, for at most 5 s.
func waitState(st *sqlite.Store, id int64, want core.MessageState) error {
	deadline := time.Now().Add(5 * time.Second)
	for {
		m, err := st.OutboxMessage(context.Background(), id)
		if err != nil {
			return err
		}
		if m.State == want {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("message %d is %s after 5 s, want %s", id, m.State, want)
		}
		time.Sleep(time.Millisecond)
	}
}

func TestEveryStateChangeIsCommittedBeforeTheNextStep(t *testing.T) {
	var other *sqlite.Store
	var checked int
	ms := startMailServer(t, func(ms *mailServer) {
		ms.onData = func(_ int, _ *gosmtp.Conn, id string) error {
			// What another program reading the file sees while the server holds a
			// message: that message is "sending", and so is, at most, the one just
			// before (its result not yet committed) or the one just after (claimed).
			all, err := other.Outbox(context.Background(), core.OutboxFilter{})
			if err != nil {
				t.Error(err)
				return nil
			}
			i := slices.IndexFunc(all, func(m core.Message) bool { return m.MessageID == id })
			if i < 0 {
				t.Errorf("the server got %q, which is not in the outbox", id)
				return nil
			}
			checked++
			if all[i].State != core.MessageSending {
				t.Errorf("message %d is %s in the file during its conversation, want sending", i, all[i].State)
			}
			for j := range i - 1 {
				if all[j].State != core.MessageSent {
					t.Errorf("during message %d, message %d is %s: its result is not committed", i, j, all[j].State)
				}
			}
			if i+1 < len(all) {
				// The next message is claimed while this one is with the server, in
				// the transaction that records the result of the one before.
				if err := waitState(other, all[i+1].ID, core.MessageSending); err != nil {
					t.Errorf("the next message was not claimed during message %d: %v", i, err)
					return nil
				}
				if all, err = other.Outbox(context.Background(), core.OutboxFilter{}); err != nil {
					t.Error(err)
					return nil
				}
				if i > 0 && all[i-1].State != core.MessageSent {
					t.Errorf("message %d was claimed before the result of message %d was committed: %s", i+1, i-1, all[i-1].State)
				}
			}
			for j, m := range all {
				if m.State == core.MessageSending && (j < i-1 || j > i+1) {
					t.Errorf("during message %d, message %d is also sending", i, j)
				}
			}
			return nil
		}
	})
	r := newRig(t, ms, "")
	var err error
	if other, err = sqlite.Open(r.st.Path()); err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	r.enqueue(t, 5)
	if rep := r.run(t); rep.Sent != 5 {
		t.Fatalf("report %+v", rep)
	}
	if checked != 5 {
		t.Errorf("%d conversations checked, want 5", checked)
	}
	for _, m := range r.all(t) {
		if m.State != core.MessageSent {
			t.Errorf("message %d is %s after the run", m.ID, m.State)
		}
	}
	audit, err := r.st.Audit(context.Background(), "message", r.all(t)[1].ID)
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, a := range audit {
		actions = append(actions, a.Action)
	}
	if strings.Join(actions, " ") != "outbox.enqueue outbox.sent" {
		t.Errorf("audit of a sent message: %v", actions)
	} else if d := audit[1].Detail; !strings.Contains(d, `"since":`) || !strings.Contains(d, `"state":"sending"`) {
		t.Errorf("the attempt's audit row does not say when sending was committed: %s", d)
	}
}

// cancelBeforeClaim cancels the message it is about to claim, as a manager's click
// landing between the choice of the next message and its claim.
// It hides the store's MarkResultClaimNext, which chooses and claims in one step: this
// is the path of a store that only has MarkResultClaim.
type cancelBeforeClaim struct {
	core.OutboxStore
	st     *sqlite.Store
	target int64
}

func (c cancelBeforeClaim) MarkResultClaim(ctx context.Context, id int64, state core.MessageState, counted bool, next time.Time, lastError string, now time.Time, claim int64) (bool, error) {
	if claim == c.target {
		if _, err := c.st.CancelMessages(ctx, []int64{claim}); err != nil {
			return false, err
		}
	}
	return c.st.MarkResultClaim(ctx, id, state, counted, next, lastError, now, claim)
}

func TestAMessageCancelledJustBeforeItsClaimIsNotSentAndThePreviousResultIsKept(t *testing.T) {
	ms := startMailServer(t, nil)
	r := newRig(t, ms, "")
	msgs := r.enqueue(t, 3)
	r.d.Store = cancelBeforeClaim{OutboxStore: r.st, st: r.st, target: msgs[1].ID}
	rep := r.run(t)
	if rep.Sent != 2 {
		t.Fatalf("report %+v, want the two others sent", rep)
	}
	if ids := ms.Accepted(); len(ids) != 2 || ids[0] != msgs[0].MessageID || ids[1] != msgs[2].MessageID {
		t.Errorf("server accepted %q, want the first and the third only", ids)
	}
	if got := r.message(t, msgs[1].ID); got.State != core.MessageCancelled || got.Attempts != 0 {
		t.Errorf("cancelled message: %s, %d attempts", got.State, got.Attempts)
	}
	if got := r.message(t, msgs[0].ID); got.State != core.MessageSent {
		t.Errorf("the result of the message before was lost with the refused claim: %s", got.State)
	}
}

func TestTheMessageSentIsTheOneStoredAtItsClaim(t *testing.T) {
	var r *rig
	var msgs []core.Message
	ms := startMailServer(t, func(ms *mailServer) {
		ms.onData = func(n int, _ *gosmtp.Conn, _ string) error {
			if n == 1 {
				// While the first message is with the server the second is claimed:
				// the manager can no longer cancel it. He cancels the third and
				// corrects the address of the fourth, which are still queued.
				ctx := context.Background()
				if err := waitState(r.st, msgs[1].ID, core.MessageSending); err != nil {
					t.Error(err)
				}
				if _, err := r.st.CancelMessages(ctx, []int64{msgs[1].ID}); err == nil {
					t.Error("a message claimed to be sent next could be cancelled")
				}
				if _, err := r.st.CancelMessages(ctx, []int64{msgs[2].ID}); err != nil {
					t.Error(err)
				}
				if err := r.st.SetRecipient(ctx, msgs[3].ID, "corrige@exemple.fr"); err != nil {
					t.Error(err)
				}
			}
			return nil
		}
	})
	r = newRig(t, ms, "")
	msgs = r.enqueue(t, 4)
	if rep := r.run(t); rep.Sent != 3 {
		t.Fatalf("report %+v, want three sent", rep)
	}
	if got := ms.Recipients(); strings.Join(got, " ") != msgs[0].To+" "+msgs[1].To+" corrige@exemple.fr" {
		t.Errorf("the server got mail for %q", got)
	}
	if got := r.message(t, msgs[2].ID); got.State != core.MessageCancelled {
		t.Errorf("the cancelled message is %s", got.State)
	}
}

func TestARateLimitedOutboxSendsEverythingAtItsPace(t *testing.T) {
	var r *rig
	ms := startMailServer(t, func(ms *mailServer) {
		ms.onData = func(_ int, _ *gosmtp.Conn, id string) error {
			// With a rate limit nothing is claimed ahead: a message claimed before
			// its wait would look in flight after a crash during that wait.
			all, err := r.st.Outbox(context.Background(), core.OutboxFilter{States: []core.MessageState{core.MessageSending}})
			if err != nil || len(all) != 1 || all[0].MessageID != id {
				t.Errorf("during a rate-limited conversation, %d messages are sending (%v)", len(all), err)
			}
			return nil
		}
	})
	r = newRig(t, ms, "")
	s, err := smtp.NewSender(smtp.Config{Host: "127.0.0.1", Port: ms.port, Security: smtp.SecurityNone, Auth: smtp.AuthNone,
		From: "formation@exemple.fr", Timeout: 5 * time.Second, RateLimit: 1200}) // one every 50 ms
	if err != nil {
		t.Fatal(err)
	}
	r.d.Sender = smtp.NewMailer(s)
	t.Cleanup(func() { _ = s.Close() })
	r.enqueue(t, 4)
	start := time.Now()
	if rep := r.run(t); rep.Sent != 4 {
		t.Fatalf("report %+v", rep)
	}
	if d := time.Since(start); d < 150*time.Millisecond {
		t.Errorf("4 messages at 1 200 a minute took %v, want at least 150 ms", d)
	}
	for _, m := range r.all(t) {
		if m.State != core.MessageSent {
			t.Errorf("message %d is %s", m.ID, m.State)
		}
	}
}

func TestRunUntilSettledWaitsForTheRetryAndStopsWhenNothingIsLeft(t *testing.T) {
	ms := startMailServer(t, func(ms *mailServer) {
		ms.onData = func(n int, _ *gosmtp.Conn, _ string) error {
			if n <= 2 {
				return &gosmtp.SMTPError{Code: 421, EnhancedCode: gosmtp.EnhancedCode{4, 4, 5}, Message: "Busy"}
			}
			return nil
		}
	})
	r := newRig(t, ms, "")
	r.d.Now = nil
	r.d.Backoff = func(int) time.Duration { return 100 * time.Millisecond }
	m := r.enqueue(t, 1)[0]
	start := time.Now()
	rep, err := r.d.RunUntilSettled(context.Background(), 0)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Sent != 1 || rep.RetryLater != 0 || rep.Remaining != 0 {
		t.Errorf("report %+v, want sent in the end with nothing left", rep)
	}
	if d := time.Since(start); d < 200*time.Millisecond {
		t.Errorf("settled after %v, want two backoffs of 100 ms", d)
	}
	if got := r.message(t, m.ID); got.State != core.MessageSent || got.Attempts != 3 {
		t.Errorf("message %s after %d attempts, want sent after 3", got.State, got.Attempts)
	}
}

func TestWhileAnotherProgramSendsNothingIsSentAndTheRunSaysSo(t *testing.T) {
	ms := startMailServer(t, nil)
	r := newRig(t, ms, "")
	msgs := r.enqueue(t, 2)
	other, err := sqlite.Open(r.st.Path())
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	ctx := context.Background()
	if ok, _, err := other.HoldSending(ctx); !ok || err != nil {
		t.Fatalf("the other program could not hold the sending: %v", err)
	}
	rep := r.run(t)
	if rep.Sent != 0 || rep.Busy == "" || rep.Remaining != 2 || len(ms.Accepted()) != 0 {
		t.Fatalf("report %+v, server got %d", rep, len(ms.Accepted()))
	}
	if err := other.ReleaseSending(ctx); err != nil {
		t.Fatal(err)
	}
	if rep := r.run(t); rep.Sent != 2 || rep.Busy != "" {
		t.Fatalf("report once the other let go: %+v", rep)
	}
	// the run let go of the sending when it ended
	if ok, who, err := other.HoldSending(ctx); !ok || err != nil {
		t.Errorf("after a run, another program cannot send: %q %v", who, err)
	}
	if got := r.message(t, msgs[1].ID); got.State != core.MessageSent {
		t.Errorf("second message %s", got.State)
	}
}

func TestCredentialsRefusedMidRunPutTheMessageClaimedAheadBackWithoutAnAttempt(t *testing.T) {
	ms := startMailServer(t, func(ms *mailServer) {
		ms.user, ms.password = "formation", "le bon"
		ms.onData = func(n int, _ *gosmtp.Conn, _ string) error {
			if n == 2 {
				// The password changes on the server, which drops the second message
				// with a temporary refusal: the third opens a new connection and its
				// login is refused while the fourth is claimed ahead.
				ms.mu.Lock()
				ms.password = "changé"
				ms.mu.Unlock()
				return &gosmtp.SMTPError{Code: 451, EnhancedCode: gosmtp.EnhancedCode{4, 3, 0}, Message: "Try again later"}
			}
			return nil
		}
	})
	r := newRig(t, ms, "le bon")
	msgs := r.enqueue(t, 5)
	rep := r.run(t)
	if rep.Paused == "" || rep.Sent != 1 || rep.RetryLater != 1 || rep.Remaining != 3 {
		t.Fatalf("report %+v, want one sent, one to retry, then a pause with 3 due", rep)
	}
	if ids := ms.Accepted(); len(ids) != 1 || ids[0] != msgs[0].MessageID {
		t.Errorf("server accepted %q, want the first only", ids)
	}
	want := []struct {
		state    core.MessageState
		attempts int
	}{{core.MessageSent, 1}, {core.MessageQueued, 1}, {core.MessageQueued, 0}, {core.MessageQueued, 0}, {core.MessageQueued, 0}}
	for i, m := range r.all(t) {
		if m.State != want[i].state || m.Attempts != want[i].attempts {
			t.Errorf("message %d is %s with %d attempts, want %s with %d", i, m.State, m.Attempts, want[i].state, want[i].attempts)
		}
	}
	if got := r.message(t, msgs[3].ID); got.LastError != "" || !got.NextAttempt.IsZero() {
		t.Errorf("the message claimed ahead came back with error %q, next attempt %v", got.LastError, got.NextAttempt)
	}
	// The fourth message was claimed during the third's attempt and put back; the
	// fifth was never touched.
	if a := auditActions(t, r.st, msgs[3].ID); a != "outbox.enqueue outbox.paused" {
		t.Errorf("audit of the message claimed ahead: %q", a)
	}
	if a := auditActions(t, r.st, msgs[4].ID); a != "outbox.enqueue" {
		t.Errorf("audit of the last message: %q", a)
	}
}

func auditActions(t *testing.T, st *sqlite.Store, id int64) string {
	t.Helper()
	entries, err := st.Audit(context.Background(), "message", id)
	if err != nil {
		t.Fatal(err)
	}
	var a []string
	for _, e := range entries {
		a = append(a, e.Action)
	}
	return strings.Join(a, " ")
}

func TestAMaxOfKSendsExactlyKAndLeavesNothingSending(t *testing.T) {
	for _, k := range []int{1, 2, 4} {
		t.Run(fmt.Sprintf("max %d of 5", k), func(t *testing.T) {
			ms := startMailServer(t, nil)
			r := newRig(t, ms, "")
			msgs := r.enqueue(t, 5)
			rep, err := r.d.Run(context.Background(), k)
			if err != nil {
				t.Fatal(err)
			}
			if rep.Sent != k || rep.Remaining != 5-k {
				t.Fatalf("report %+v, want %d sent and %d remaining", rep, k, 5-k)
			}
			if n := len(ms.Accepted()); n != k {
				t.Errorf("the server took %d messages, want %d", n, k)
			}
			for i, m := range r.all(t) {
				want, attempts := core.MessageSent, 1
				if i >= k {
					want, attempts = core.MessageQueued, 0
				}
				if m.State != want || m.Attempts != attempts {
					t.Errorf("message %d is %s with %d attempts, want %s with %d", i, m.State, m.Attempts, want, attempts)
				}
			}
			// Nothing was claimed beyond the max.
			if a := auditActions(t, r.st, msgs[k].ID); a != "outbox.enqueue" {
				t.Errorf("audit of the message after the max: %q", a)
			}
		})
	}
}

// failingClaim is the real store whose k-th MarkResultClaimNext fails before it
// commits anything, as a full disk would.
type failingClaim struct {
	*sqlite.Store
	k, calls int
}

func (f *failingClaim) MarkResultClaimNext(ctx context.Context, id int64, state core.MessageState, counted bool, next time.Time, lastError string, now time.Time) (*core.Message, error) {
	f.calls++
	if f.calls == f.k {
		return nil, errors.New("disk I/O error: le disque est plein")
	}
	return f.Store.MarkResultClaimNext(ctx, id, state, counted, next, lastError, now)
}

func TestAFailedClaimAheadStartsNothingMoreAndKeepsTheResults(t *testing.T) {
	ms := startMailServer(t, nil)
	r := newRig(t, ms, "")
	msgs := r.enqueue(t, 5)
	// The first call claims the first message, the second claims the second during
	// the first's conversation, the third (the first's result and the claim of the
	// third, during the second's conversation) fails.
	r.d.Store = &failingClaim{Store: r.st, k: 3}
	rep, err := r.d.Run(context.Background(), 0)
	if err == nil || !strings.Contains(err.Error(), "disque est plein") {
		t.Fatalf("Run error %v, want the failed commit", err)
	}
	if rep.Sent != 2 {
		t.Errorf("report %+v, want the two messages in flight counted", rep)
	}
	if ids := ms.Accepted(); len(ids) != 2 || ids[0] != msgs[0].MessageID || ids[1] != msgs[1].MessageID {
		t.Errorf("server accepted %q, want the first two only", ids)
	}
	for i, m := range r.all(t) {
		want, attempts := core.MessageSent, 1
		if i >= 2 {
			want, attempts = core.MessageQueued, 0
		}
		if m.State != want || m.Attempts != attempts {
			t.Errorf("message %d is %s with %d attempts, want %s with %d", i, m.State, m.Attempts, want, attempts)
		}
	}
}

func TestProgressCountsEveryMessageStillToSend(t *testing.T) {
	for _, rate := range []int{0, 6000} {
		t.Run(fmt.Sprintf("rate limit %d a minute", rate), func(t *testing.T) {
			ms := startMailServer(t, nil)
			r := newRig(t, ms, "")
			s, err := smtp.NewSender(smtp.Config{Host: "127.0.0.1", Port: ms.port, Security: smtp.SecurityNone, Auth: smtp.AuthNone,
				From: "formation@exemple.fr", Timeout: 5 * time.Second, RateLimit: rate})
			if err != nil {
				t.Fatal(err)
			}
			r.d.Sender = smtp.NewMailer(s)
			t.Cleanup(func() { _ = s.Close() })
			r.enqueue(t, 4)
			var got []string
			r.d.OnProgress = func(p core.DispatchProgress) {
				got = append(got, fmt.Sprintf("%d/%d", p.Done, p.Done+p.Remaining))
			}
			if rep := r.run(t); rep.Sent != 4 {
				t.Fatalf("report %+v", rep)
			}
			// The status bar shows Done/(Done+Remaining): the total must not move, the
			// message claimed ahead included.
			if strings.Join(got, " ") != "1/4 2/4 3/4 4/4" {
				t.Errorf("progress %v", got)
			}
		})
	}
}
