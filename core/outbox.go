package core

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"errors"
	"strconv"
	"strings"
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
	Busy       string `json:"busy,omitempty"`   // another program is sending, in French
}

// OutboxClaimer is an optional part of OutboxStore: one transaction that records the
// result of the attempt just made and moves the next message to "sending". Both
// guarantees hold as with MarkResult then MarkSending (the result is committed before
// the next message can leave; the next message is committed as "sending" before it
// can), with one commit per message instead of two, and never two messages "sending".
type OutboxClaimer interface {
	// MarkResultClaim does what MarkResult does for id (unless id is 0), then what
	// MarkSending does for claim (unless claim is 0), in one transaction. It returns
	// false when claim was no longer queued; the result is recorded all the same.
	MarkResultClaim(ctx context.Context, id int64, state MessageState, counted bool, next time.Time, lastError string, now time.Time, claim int64) (bool, error)
}

// NextClaimer is an optional part of OutboxStore: one transaction that records the
// result of the attempt just made, then picks the oldest due message and moves it to
// "sending", as NextDue then MarkResultClaim would, without a window in between in
// which the manager could cancel or edit the chosen message.
type NextClaimer interface {
	// MarkResultClaimNext does what MarkResult does for id (unless id is 0), then
	// claims the next due message and returns it as stored, or nil when none is due.
	MarkResultClaimNext(ctx context.Context, id int64, state MessageState, counted bool, next time.Time, lastError string, now time.Time) (*Message, error)
}

// SendingLease is an optional part of OutboxStore: one program at a time sends from a
// database, so that the window's automatic sending and a scheduled `convive send` never
// work side by side, and one's start-up never takes the other's message in flight for
// an interrupted one.
type SendingLease interface {
	// HoldSending makes this program the one that sends, or renews its hold. When
	// another program that is still running holds it, it returns false and a French
	// sentence that says so.
	HoldSending(ctx context.Context) (bool, string, error)
	// ReleaseSending lets another program send.
	ReleaseSending(ctx context.Context) error
}

// leaseRenewal is how often a run renews its hold on the sending.
const leaseRenewal = 30 * time.Second

// Waiter is an optional part of MailSender: Wait blocks until the sender may start the
// next message (a rate limit). The dispatcher calls it before committing "sending", so
// that a crash during the wait leaves the message queued, never falsely "unknown".
type Waiter interface {
	Wait(ctx context.Context) error
}

// Pacer is an optional part of MailSender: Ready reports whether the next message may
// start at once, without waiting for a rate limit. Only then does the dispatcher record
// a result and claim the next message in one commit (see OutboxClaimer).
type Pacer interface {
	Ready() bool
}

// RateLimited is an optional part of a MailSender that is a Waiter: RateLimited reports
// whether a rate limit spaces its messages at all. A Waiter that does not say so is
// taken to be limited.
type RateLimited interface {
	RateLimited() bool
}

// OutboxFilter selects a page of the outbox; filtering and paging happen in SQL.
type OutboxFilter struct {
	States []MessageState // empty: every state
	Search string         // folded and matched anywhere in the recipient and the subject
	Sort   OutboxSort     // "" sorts by creation
	Desc   bool           // the other way round: newest first, Z to A…
	Offset int
	Limit  int // 0 means no limit
}

// OutboxSort is a column the outbox list can be sorted by.
type OutboxSort string

// Outbox sort columns; messages that sort alike keep their creation order.
const (
	OutboxByState    OutboxSort = "state"
	OutboxByTo       OutboxSort = "to"
	OutboxBySubject  OutboxSort = "subject"
	OutboxByDue      OutboxSort = "due"
	OutboxByAttempts OutboxSort = "attempts"
)

// OutboxCounts are the numbers of messages in each state, for the dashboard and the
// status bar.
type OutboxCounts struct {
	Queued, Sending, Sent, Failed, Unknown, Cancelled int
	Due                                               int       // queued messages whose time has come (their next attempt included)
	NextDue                                           time.Time // when the next queued message becomes sendable; zero when none
}

// Waiting is what still needs sending or a decision: queued, sending and unknown.
func (c OutboxCounts) Waiting() int { return c.Queued + c.Sending + c.Unknown }

// SMTPSettings are the SMTP settings as stored, without the password, which lives in
// the OS keyring or in memory only. Security and Auth hold the codes of package
// core/smtp ("starttls", "tls", "none"; "auto", "plain", "login", "cram-md5", "none").
type SMTPSettings struct {
	Host        string
	Port        int // 0: the default of the security mode
	Security    string
	Auth        string
	User        string
	From        string
	FromName    string
	ReplyTo     string
	RateLimit   int  // messages per minute; 0: no limit
	MaxAttempts int  // temporary failures before a message is given up; 0: DefaultMaxAttempts
	AutoSend    bool // the window sends what becomes due while it runs
}

// Configured reports whether a server has been set.
func (s SMTPSettings) Configured() bool { return strings.TrimSpace(s.Host) != "" }

// DefaultMaxAttempts is how many temporary failures a message may meet before the
// outbox gives it up.
const DefaultMaxAttempts = 8

var idEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// NewMessageID returns a fresh Message-ID (without angle brackets) of the form
// random@domain: random carries 160 bits, domain is the sender's (from may be the
// sender's address or its domain; "localhost" when it is empty or unusable), so that
// the ID names no machine. The outbox fixes it when a message is created and reuses it
// on every attempt.
func NewMessageID(from string) string {
	var b [20]byte
	_, _ = rand.Read(b[:])
	domain := "localhost"
	from = strings.TrimSpace(from)
	if !strings.Contains(from, "@") && from != "" {
		from = "x@" + from
	}
	if a, err := ParseAddress(from); err == nil {
		_, domain, _ = strings.Cut(a.Key, "@")
	}
	return strings.ToLower(idEncoding.EncodeToString(b[:])) + "@" + domain
}

// retryLater ends the French sentences of temporary failures; it is dropped when the
// message is given up.
const retryLater = " Un nouvel essai aura lieu plus tard."

// givenUp is the French error of a message given up after too many temporary failures.
func givenUp(attempts int, detail string) string {
	return "Abandonné après " + strconv.Itoa(attempts) + " essais sans succès. Dernière erreur\u00a0: " + strings.TrimSuffix(detail, retryLater)
}

// Dispatcher sends what is due from the outbox. It never sends a message that is not
// committed as "sending" first, and commits the result right after the attempt.
//
// Before the first Run of a process, the caller runs Store.RecoverSending: a message
// left in "sending" by a crash must become "unknown" and never be sent again without
// the manager's decision. The window does it when it opens, `convive send` when it starts.
type Dispatcher struct {
	Store       OutboxStore
	Sender      MailSender
	MaxAttempts int                             // attempts before giving up; 0 means DefaultMaxAttempts
	Backoff     func(attempt int) time.Duration // delay before attempt+1; the wiring passes smtp.Backoff
	Now         func() time.Time                // nil means time.Now
	OnProgress  func(DispatchProgress)          // called from the dispatching goroutine
}

func (d *Dispatcher) now() time.Time {
	if d.Now != nil {
		return d.Now()
	}
	return time.Now()
}

// defaultBackoff is used when Backoff is nil: one minute, doubling, capped at one hour.
func defaultBackoff(attempt int) time.Duration {
	return min(time.Minute<<min(max(attempt, 1)-1, 6), time.Hour)
}

// attempt is the outcome of one attempt, as recorded by MarkResult.
type attempt struct {
	id      int64
	state   MessageState
	counted bool
	next    time.Time
	detail  string
}

// Run sends due messages until none is left, max messages were attempted (0: no
// limit), ctx is cancelled (the message in flight finishes first) or the sender asks
// to pause. The report counts this run's outcomes and what remains due.
//
// Each message is committed as "sending" before its conversation starts, and its result
// is committed before the next message starts. With a store that is an OutboxClaimer,
// the result of one message and the "sending" state of the next share one commit.
func (d *Dispatcher) Run(ctx context.Context, max int) (DispatchReport, error) {
	var rep DispatchReport
	var prog DispatchProgress
	maxAttempts := d.MaxAttempts
	if maxAttempts <= 0 {
		maxAttempts = DefaultMaxAttempts
	}
	backoff := d.Backoff
	if backoff == nil {
		backoff = defaultBackoff
	}
	waiter, _ := d.Sender.(Waiter)
	pacer, _ := d.Sender.(Pacer)
	claimer, _ := d.Store.(OutboxClaimer)
	nexter, _ := d.Store.(NextClaimer)
	// Every store call below must commit even when the manager pressed Arrêter.
	store := context.WithoutCancel(ctx)
	more := func() bool { return (max <= 0 || prog.Done < max) && ctx.Err() == nil }

	lease, _ := d.Store.(SendingLease)
	var held time.Time
	hold := func() (bool, error) {
		if lease == nil || (!held.IsZero() && time.Since(held) < leaseRenewal) {
			return true, nil
		}
		ok, who, err := lease.HoldSending(store)
		if err != nil || !ok {
			rep.Busy = who
			return false, err
		}
		held = time.Now()
		return true, nil
	}
	if ok, err := hold(); err != nil || !ok {
		rep.Remaining, _, _ = d.Store.OutboxDue(store, d.now())
		return rep, err
	}
	if lease != nil {
		defer func() { _ = lease.ReleaseSending(store) }()
	}

	// pending is a result not yet committed: it goes with the claim of the next message.
	var pending *attempt
	flush := func() error {
		if pending == nil {
			return nil
		}
		p := pending
		pending = nil
		return d.Store.MarkResult(store, p.id, p.state, p.counted, p.next, p.detail, d.now())
	}
	fail := func(err error) (DispatchReport, error) {
		if ferr := flush(); ferr != nil {
			err = errors.Join(err, ferr)
		}
		return rep, err
	}

	for more() {
		if ok, err := hold(); err != nil || !ok {
			return fail(err)
		}
		var m *Message
		var res SendResult
		if nexter != nil && (waiter == nil || (pacer != nil && pacer.Ready())) {
			// the result of the last attempt, and the choice and claim of the next
			// message, in one commit
			p := pending
			pending = nil
			if p == nil {
				p = &attempt{}
			}
			var err error
			if m, err = nexter.MarkResultClaimNext(store, p.id, p.state, p.counted, p.next, p.detail, d.now()); err != nil {
				return rep, err
			}
			if m == nil {
				break
			}
			res = d.Sender.Send(store, m)
		} else {
			var err error
			if m, err = d.Store.NextDue(store, d.now()); err != nil {
				return fail(err)
			}
			if m == nil {
				break
			}
			if claimer == nil || (waiter != nil && (pacer == nil || !pacer.Ready())) {
				if err := flush(); err != nil {
					return rep, err
				}
				// The rate limit is waited for while the message is still queued.
				if waiter != nil {
					if err := waiter.Wait(ctx); err != nil {
						break
					}
				}
				ok, err := d.Store.MarkSending(store, m.ID, d.now())
				if err != nil {
					return rep, err
				}
				if !ok {
					continue
				}
				res = d.Sender.Send(store, m)
			} else {
				p := pending
				pending = nil
				if p == nil {
					p = &attempt{}
				}
				claimed, err := claimer.MarkResultClaim(store, p.id, p.state, p.counted, p.next, p.detail, d.now(), m.ID)
				if err != nil {
					return rep, err
				}
				if !claimed {
					continue // cancelled meanwhile
				}
				res = d.Sender.Send(store, m)
			}
		}
		prog.Current = m.To
		a := &attempt{id: m.ID, state: MessageQueued, counted: true, detail: res.Detail}
		switch res.Outcome {
		case SendOK:
			a.state = MessageSent
			rep.Sent++
			prog.Sent++
		case SendFailed:
			a.state = MessageFailed
			rep.Failed++
			prog.Failed++
		case SendUnknown:
			a.state = MessageUnknown
			rep.Unknown++
		case SendPause:
			a.counted = false
			a.next = d.now()
			rep.Paused = res.Detail
		default: // SendRetry
			if m.Attempts+1 >= maxAttempts {
				a.state = MessageFailed
				a.detail = givenUp(m.Attempts+1, a.detail)
				rep.Failed++
				prog.Failed++
			} else {
				a.next = d.now().Add(backoff(m.Attempts + 1))
				rep.RetryLater++
			}
		}
		prog.Done++
		pending = a
		if (claimer == nil && nexter == nil) || rep.Paused != "" || !more() {
			if err := flush(); err != nil {
				return rep, err
			}
		}
		if d.OnProgress != nil {
			prog.Remaining, _, _ = d.Store.OutboxDue(store, d.now())
			d.OnProgress(prog)
		}
		if rep.Paused != "" {
			break
		}
	}
	if err := flush(); err != nil {
		return rep, err
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
		total.Busy = rep.Busy
		if err != nil || rep.Paused != "" || rep.Busy != "" || ctx.Err() != nil {
			return total, err
		}
		if max > 0 && total.Sent+total.Failed+total.Unknown >= max {
			return total, nil
		}
		_, next, err := d.Store.OutboxDue(ctx, d.now())
		if err != nil || next.IsZero() {
			return total, err
		}
		t := time.NewTimer(next.Sub(d.now()))
		select {
		case <-ctx.Done():
			t.Stop()
			return total, nil
		case <-t.C:
		}
	}
}
