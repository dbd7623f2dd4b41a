package core

import (
	"context"
	"time"
)

// SendOutcome is what became of one attempt to send a message, as the outbox sees it.
type SendOutcome int

// Send outcomes.
const (
	SendOK      SendOutcome = iota // the server took the message
	SendRetry                      // temporary: try again later
	SendFailed                     // permanent: the server refused it
	SendUnknown                    // the server may or may not have it: ask the manager
	SendPause                      // the settings or the password are wrong: stop everything
)

// SendResult is one attempt's outcome with a French sentence for the manager.
type SendResult struct {
	Outcome SendOutcome
	Detail  string
}

// MailSender sends one message; the SMTP adapter implements it over one connection.
// Send must not give up a message half-way because ctx was cancelled after it started:
// the dispatcher only cancels between messages.
type MailSender interface {
	Send(ctx context.Context, m *Message) SendResult
	Close() error
}

// OutboxStore is what the dispatcher needs from storage. Every call commits before it
// returns, so a crash at any point leaves each message in a state that tells the truth.
type OutboxStore interface {
	// RecoverSending turns messages left in "sending" (a crash, a kill, a power cut
	// during a send) into "unknown", and returns how many there were.
	RecoverSending(ctx context.Context) (int, error)
	// NextDue returns the oldest queued message that is due and whose next attempt has
	// come, or nil when there is none.
	NextDue(ctx context.Context, now time.Time) (*Message, error)
	// MarkSending moves a queued message to "sending". It returns false, without error,
	// when the message is no longer queued (cancelled meanwhile).
	MarkSending(ctx context.Context, id int64, now time.Time) (bool, error)
	// MarkResult records the end of an attempt: the new state, whether it counts as an
	// attempt, when to try again (queued only) and the French error.
	MarkResult(ctx context.Context, id int64, state MessageState, counted bool, next time.Time, lastError string, now time.Time) error
	// OutboxDue counts queued messages due by now (their next attempt included), and
	// returns the earliest time a queued message becomes sendable (zero when none).
	OutboxDue(ctx context.Context, now time.Time) (due int, next time.Time, err error)
}

// DispatchProgress is reported after every message.
type DispatchProgress struct {
	Done      int // attempts made in this run
	Sent      int
	Failed    int
	Remaining int // due messages still queued
	Current   string
}

// DispatchReport sums up a run, in the shape `convive send --json` prints.
type DispatchReport struct {
	Sent       int    `json:"sent"`
	Failed     int    `json:"failed"`
	RetryLater int    `json:"retry_later"`
	Unknown    int    `json:"unknown"`
	Remaining  int    `json:"remaining"`
	Paused     string `json:"paused,omitempty"` // why the outbox stopped, in French
}

// Dispatcher sends what is due from the outbox. It never sends a message that is not
// committed as "sending" first, and commits the result right after the attempt.
type Dispatcher struct {
	Store       OutboxStore
	Sender      MailSender
	MaxAttempts int                             // temporary failures before giving up; 0 means 8
	Backoff     func(attempt int) time.Duration // delay before attempt+1; nil means Backoff
	Now         func() time.Time                // nil means time.Now
	OnProgress  func(DispatchProgress)          // called from the dispatching goroutine
}

func (d *Dispatcher) now() time.Time {
	if d.Now != nil {
		return d.Now()
	}
	return time.Now()
}

// Backoff is the default delay before retrying after a temporary failure: one minute,
// doubling with each attempt, capped at one hour.
func Backoff(attempt int) time.Duration {
	if attempt < 1 {
		attempt = 1
	}
	d := time.Minute << min(attempt-1, 6)
	return min(d, time.Hour)
}

// Run sends due messages until none is left, max messages were attempted (0: no
// limit), ctx is cancelled (the message in flight finishes first) or the sender asks
// to pause. The report counts this run's outcomes and what remains due.
func (d *Dispatcher) Run(ctx context.Context, max int) (DispatchReport, error) {
	var rep DispatchReport
	var prog DispatchProgress
	maxAttempts := d.MaxAttempts
	if maxAttempts <= 0 {
		maxAttempts = 8
	}
	backoff := d.Backoff
	if backoff == nil {
		backoff = Backoff
	}
	// Every store call below must commit even when the manager pressed Arrêter.
	store := context.WithoutCancel(ctx)
	for max <= 0 || prog.Done < max {
		if ctx.Err() != nil {
			break
		}
		m, err := d.Store.NextDue(store, d.now())
		if err != nil {
			return rep, err
		}
		if m == nil {
			break
		}
		ok, err := d.Store.MarkSending(store, m.ID, d.now())
		if err != nil {
			return rep, err
		}
		if !ok {
			continue
		}
		prog.Current = m.To
		res := d.Sender.Send(store, m)
		state, counted, next := MessageQueued, true, time.Time{}
		switch res.Outcome {
		case SendOK:
			state = MessageSent
			rep.Sent++
			prog.Sent++
		case SendFailed:
			state = MessageFailed
			rep.Failed++
			prog.Failed++
		case SendUnknown:
			state = MessageUnknown
			rep.Unknown++
		case SendPause:
			counted = false
			next = d.now()
			rep.Paused = res.Detail
		default: // SendRetry
			if m.Attempts+1 >= maxAttempts {
				state = MessageFailed
				rep.Failed++
				prog.Failed++
			} else {
				next = d.now().Add(backoff(m.Attempts + 1))
				rep.RetryLater++
			}
		}
		if err := d.Store.MarkResult(store, m.ID, state, counted, next, res.Detail, d.now()); err != nil {
			return rep, err
		}
		prog.Done++
		if d.OnProgress != nil {
			prog.Remaining, _, _ = d.Store.OutboxDue(store, d.now())
			d.OnProgress(prog)
		}
		if rep.Paused != "" {
			break
		}
	}
	remaining, _, err := d.Store.OutboxDue(store, d.now())
	rep.Remaining = remaining
	return rep, err
}

// RunUntilSettled keeps running until nothing is due, or only permanent failures and
// unknown messages remain, waiting for retries in between: `convive send --wait`.
func (d *Dispatcher) RunUntilSettled(ctx context.Context, max int) (DispatchReport, error) {
	var total DispatchReport
	for {
		rep, err := d.Run(ctx, max-total.Sent-total.Failed-total.Unknown)
		total.Sent += rep.Sent
		total.Failed += rep.Failed
		total.Unknown += rep.Unknown
		total.RetryLater = rep.RetryLater
		total.Remaining = rep.Remaining
		total.Paused = rep.Paused
		if err != nil || rep.Paused != "" || ctx.Err() != nil {
			return total, err
		}
		if max > 0 && total.Sent+total.Failed+total.Unknown >= max {
			return total, nil
		}
		_, next, err := d.Store.OutboxDue(ctx, d.now())
		if err != nil || next.IsZero() {
			return total, err
		}
		select {
		case <-ctx.Done():
			return total, nil
		case <-time.After(time.Until(next)):
		}
	}
}
