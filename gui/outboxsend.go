package gui

import (
	"context"
	"log"
	"sync"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2/lang"

	"convive/core"
	"convive/core/secret"
	"convive/core/smtp"
)

// OutboxService is what the Boîte d'envoi screen, the SMTP settings and the automatic
// sending need; *sqlite.Store satisfies it. The window offers these screens only when
// its services provide it.
type OutboxService interface {
	core.OutboxStore
	Outbox(ctx context.Context, f core.OutboxFilter) ([]core.Message, error)
	CountOutbox(ctx context.Context, f core.OutboxFilter) (int, error)
	OutboxCounts(ctx context.Context, at time.Time) (core.OutboxCounts, error)
	OutboxMessage(ctx context.Context, id int64) (core.Message, error)
	CancelMessages(ctx context.Context, ids []int64) (int, error)
	ResendMessages(ctx context.Context, ids []int64) (int, error)
	MarkSent(ctx context.Context, ids []int64) (int, error)
	SetRecipient(ctx context.Context, id int64, addr string) error
	SMTPSettings(ctx context.Context) (core.SMTPSettings, error)
	SetSMTPSettings(ctx context.Context, s core.SMTPSettings) error
}

// outboxPhase is what the outbox is doing, as the status bar says it.
type outboxPhase int

const (
	phaseStarting    outboxPhase = iota // before the first look at the database
	phaseNoServer                       // hors ligne: no server set
	phaseUnreachable                    // hors ligne: the server did not answer
	phasePaused                         // en pause, see pauseKind
	phaseRunning                        // envoi en cours
	phaseIdle                           // à jour
	phaseElsewhere                      // another Convive program is sending from this file
)

// elsewhereRetry is how long the window waits before trying again to send when another
// program was sending.
const elsewhereRetry = 30 * time.Second

// pauseKind says why the outbox is paused.
type pauseKind int

const (
	pauseNone     pauseKind = iota
	pauseSettings           // refused credentials or settings that cannot work: Paramètres
	pausePassword           // no password for this session: ask for it
	pauseStopped            // the manager pressed Arrêter
	pauseAutoOff            // messages are due but automatic sending is off
)

// outboxState is one picture of the outbox, made by the sending goroutine and shown by
// the window on Fyne's goroutine.
type outboxState struct {
	phase    outboxPhase
	pause    pauseKind
	reason   string // French sentence of the pause, or of the unreachable server
	progress core.DispatchProgress
	counts   core.OutboxCounts
	lastSent time.Time
	// notice sums up the last run, or answers Envoyer maintenant when nothing ran.
	notice string
	// askPassword is set when Envoyer maintenant needs a password nobody gave yet.
	askPassword bool
	// seq grows with every picture, so that one-shot requests are acted on once.
	seq int
}

// idleWake is the longest the sending goroutine sleeps: it looks for new or newly due
// mail at least once a minute.
const idleWake = time.Minute

// outboxSender runs core.Dispatcher on its own goroutine for as long as the window is
// open: when the manager presses Envoyer maintenant, and by itself (automatic mode)
// for what becomes due. One run at a time; every state it reaches is handed to publish
// on Fyne's goroutine.
type outboxSender struct {
	st      OutboxService
	publish func(outboxState) // runs on the sending goroutine; must hand over to Fyne
	now     func() time.Time

	wake   chan struct{}
	manual atomic.Bool

	mu          sync.Mutex
	pause       pauseKind // pauseSettings, pausePassword or pauseStopped; pauseNone
	reason      string
	unreachable string // French reason while the server does not answer
	stopRun     context.CancelFunc

	cancel context.CancelFunc
	done   chan struct{}

	// Owned by the sending goroutine.
	state outboxState
}

func newOutboxSender(st OutboxService, publish func(outboxState)) *outboxSender {
	return &outboxSender{st: st, publish: publish, now: time.Now, wake: make(chan struct{}, 1)}
}

// start launches the sending goroutine. It first turns messages left in "sending" by a
// crash into "unknown", before anything is sent.
func (e *outboxSender) start() {
	ctx, cancel := context.WithCancel(context.Background())
	e.cancel, e.done = cancel, make(chan struct{})
	go e.loop(ctx)
}

// close stops the sending goroutine: the message in flight finishes, then it returns.
// It waits at most limit.
func (e *outboxSender) close(limit time.Duration) {
	if e.cancel == nil {
		return
	}
	e.cancel()
	select {
	case <-e.done:
	case <-time.After(limit):
		log.Printf("convive: the outbox did not stop within %v", limit)
	}
}

// sendNow asks for a run now, whatever the automatic mode says; it also lifts a pause.
func (e *outboxSender) sendNow() {
	e.manual.Store(true)
	e.poke()
}

// poke wakes the sending goroutine to look at the outbox again (new mail, new settings).
func (e *outboxSender) poke() {
	select {
	case e.wake <- struct{}{}:
	default:
	}
}

// stop ends the current run after the message in flight; automatic sending waits for
// the next Envoyer maintenant.
func (e *outboxSender) stop() {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.stopRun != nil {
		e.stopRun()
		e.pause, e.reason = pauseStopped, ""
	}
}

// settingsChanged lifts a pause due to the settings or the password and looks again.
func (e *outboxSender) settingsChanged() {
	e.mu.Lock()
	if e.pause == pauseSettings || e.pause == pausePassword {
		e.pause, e.reason = pauseNone, ""
	}
	e.unreachable = ""
	e.mu.Unlock()
	e.poke()
}

func (e *outboxSender) setPause(k pauseKind, reason string) {
	e.mu.Lock()
	e.pause, e.reason = k, reason
	e.mu.Unlock()
}

func (e *outboxSender) pauseState() (pauseKind, string, string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.pause, e.reason, e.unreachable
}

func (e *outboxSender) loop(ctx context.Context) {
	defer close(e.done)
	e.startup(ctx)
	for ctx.Err() == nil {
		delay := e.step(ctx, e.manual.Swap(false))
		t := time.NewTimer(delay)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-e.wake:
			t.Stop()
		case <-t.C:
		}
	}
}

// startup recovers the messages a crash left in "sending" and finds the last send.
func (e *outboxSender) startup(ctx context.Context) {
	if n, err := e.st.RecoverSending(ctx); err != nil {
		log.Printf("convive: recovering interrupted sends: %v", err)
	} else if n > 0 {
		log.Printf("convive: %d message(s) left in sending are now unknown", n)
	}
	last, err := e.st.Outbox(ctx, core.OutboxFilter{States: []core.MessageState{core.MessageSent}, Desc: true, Limit: 1})
	if err == nil && len(last) == 1 {
		e.state.lastSent = last[0].Sent
	}
}

func (e *outboxSender) emit() {
	e.state.seq++
	e.publish(e.state)
}

func (e *outboxSender) untilNext(next time.Time) time.Duration {
	if next.IsZero() {
		return idleWake
	}
	return min(max(next.Sub(e.now()), time.Second), idleWake)
}

// step looks at the outbox once, sends what is due when it should, publishes the new
// state and returns how long to sleep.
func (e *outboxSender) step(ctx context.Context, manual bool) time.Duration {
	s := &e.state
	s.askPassword = false
	if manual {
		s.notice = ""
	}
	settings, err := e.st.SMTPSettings(ctx)
	if err != nil {
		if ctx.Err() == nil {
			log.Printf("convive: reading the SMTP settings: %v", err)
		}
		return idleWake
	}
	if c, err := e.st.OutboxCounts(ctx, e.now()); err == nil {
		s.counts = c
	}
	if !settings.Configured() {
		s.phase, s.pause, s.reason = phaseNoServer, pauseNone, ""
		if manual {
			s.notice = lang.X("outbox.notice.no_server", "Aucun serveur d'envoi n'est réglé : les e-mails restent dans la boîte d'envoi. Réglez-le dans Paramètres, rubrique Envoi des e-mails.")
		}
		e.emit()
		return idleWake
	}
	if manual {
		e.setPause(pauseNone, "")
	}
	pause, reason, unreachable := e.pauseState()
	if pause != pauseNone {
		s.phase, s.pause, s.reason = phasePaused, pause, reason
		e.emit()
		return idleWake
	}
	if !settings.AutoSend && !manual {
		s.phase, s.pause, s.reason = phaseIdle, pauseNone, ""
		if s.counts.Due > 0 {
			s.phase, s.pause = phasePaused, pauseAutoOff
		}
		e.emit()
		return idleWake
	}
	if s.counts.Due == 0 {
		s.phase, s.pause, s.reason = phaseIdle, pauseNone, ""
		if unreachable != "" {
			s.phase, s.reason = phaseUnreachable, unreachable
		}
		if manual {
			s.notice = lang.X("outbox.notice.nothing", "Rien à envoyer pour l'instant : aucun message en attente n'est prêt à partir.")
		}
		e.emit()
		return e.untilNext(s.counts.NextDue)
	}

	cfg := smtp.ConfigFromSettings(settings, "")
	if cfg.User != "" && cfg.Auth != smtp.AuthNone {
		pw, _, err := secret.Password(secret.Account(cfg.User, cfg.Host))
		if err != nil {
			reason := lang.X("outbox.pause.password", "Le mot de passe SMTP n'est pas disponible pour cette session : saisissez-le pour que les e-mails partent.")
			e.setPause(pausePassword, reason)
			s.phase, s.pause, s.reason, s.askPassword = phasePaused, pausePassword, reason, manual
			e.emit()
			return idleWake
		}
		cfg.Password = pw
	}
	sender, err := smtp.NewSender(cfg)
	if err != nil {
		reason := errorText(err)
		e.setPause(pauseSettings, reason)
		s.phase, s.pause, s.reason = phasePaused, pauseSettings, reason
		e.emit()
		return idleWake
	}
	mailer := smtp.NewMailer(sender)
	answered, offline := false, ""
	mailer.OnResult = func(m *core.Message, r smtp.Result) {
		if r.Raw != nil {
			log.Printf("convive: message %d to %s: %s: %v", m.ID, m.To, r.Outcome, r.Raw)
		}
		if r.Outcome == smtp.Temporary && r.Code == 0 {
			offline = r.Detail
		} else {
			answered = true
		}
	}
	runCtx, cancel := context.WithCancel(ctx)
	e.mu.Lock()
	e.stopRun = cancel
	e.mu.Unlock()

	s.phase, s.pause, s.reason = phaseRunning, pauseNone, ""
	s.progress = core.DispatchProgress{Remaining: s.counts.Due}
	e.emit()
	d := &core.Dispatcher{Store: e.st, Sender: mailer, MaxAttempts: settings.MaxAttempts, Backoff: smtp.Backoff,
		OnProgress: func(p core.DispatchProgress) {
			if p.Sent > s.progress.Sent {
				s.lastSent = e.now()
			}
			s.progress = p
			e.emit()
		}}
	rep, err := d.Run(runCtx, 0)
	_ = mailer.Close()
	e.mu.Lock()
	e.stopRun = nil
	stopped := e.pause == pauseStopped
	if answered {
		e.unreachable = ""
	} else if offline != "" {
		e.unreachable = offline
	}
	unreachable = e.unreachable
	e.mu.Unlock()
	cancel()

	if rep.Sent > 0 {
		s.lastSent = e.now()
	}
	if c, err := e.st.OutboxCounts(context.WithoutCancel(ctx), e.now()); err == nil {
		s.counts = c
	}
	s.notice = runSummary(rep)
	switch {
	case err != nil:
		s.phase = phaseIdle
		s.notice = errorText(err)
	case rep.Busy != "":
		s.phase, s.notice = phaseElsewhere, rep.Busy
	case rep.Paused != "":
		e.setPause(pauseSettings, rep.Paused)
		s.phase, s.pause, s.reason = phasePaused, pauseSettings, rep.Paused
	case stopped:
		s.phase, s.pause = phasePaused, pauseStopped
	case unreachable != "":
		s.phase, s.reason = phaseUnreachable, unreachable
	default:
		s.phase = phaseIdle
	}
	e.emit()
	if s.phase == phasePaused {
		return idleWake
	}
	if s.phase == phaseElsewhere {
		return elsewhereRetry
	}
	return e.untilNext(s.counts.NextDue)
}

// runSummary says in French what a run did: « 12 envoyés · 1 échec · 3 à réessayer ».
func runSummary(rep core.DispatchReport) string {
	parts := []string{lang.XN("outbox.progress.sent", "{{.N}} envoyés", rep.Sent, count(rep.Sent))}
	if rep.Failed > 0 {
		parts = append(parts, lang.XN("outbox.progress.failed", "{{.N}} échecs", rep.Failed, count(rep.Failed)))
	}
	if rep.RetryLater > 0 {
		parts = append(parts, lang.XN("outbox.summary.retry", "{{.N}} à réessayer plus tard", rep.RetryLater, count(rep.RetryLater)))
	}
	if rep.Unknown > 0 {
		parts = append(parts, lang.XN("outbox.summary.unknown", "{{.N}} à vérifier", rep.Unknown, count(rep.Unknown)))
	}
	return lang.X("outbox.summary", "Dernier passage : {{.Parts}}.", map[string]any{"Parts": joinDot(parts)})
}

// joinDot joins counts with a middle dot, as the progress line does.
func joinDot(parts []string) string {
	out := ""
	for i, p := range parts {
		if i > 0 {
			out += " · "
		}
		out += p
	}
	return out
}
