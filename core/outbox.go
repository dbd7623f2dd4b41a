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
// can), with one commit per message instead of two. On this path, never two messages
// are "sending" at once.
type OutboxClaimer interface {
	// MarkResultClaim does what MarkResult does for id (unless id is 0), then what
	// MarkSending does for claim (unless claim is 0), in one transaction. It returns
	// false when claim was no longer queued; the result is recorded all the same.
	MarkResultClaim(ctx context.Context, id int64, state MessageState, counted bool, next time.Time, lastError string, now time.Time, claim int64) (bool, error)
}

// NextClaimer is an optional part of OutboxStore: one transaction that records the
// result of an attempt, then picks the oldest due message and moves it to "sending", as
// NextDue then MarkResultClaim would, without a window in between in which the manager
// could cancel or edit the chosen message. Without a rate limit the dispatcher runs it
// while the message after the recorded one is with the server (see Dispatcher.Run).
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
// whether a rate limit spaces its messages at all. When none does, the dispatcher
// claims the next message while the current one is with the server (see
// Dispatcher.Run); a Waiter that does not say so is taken to be limited.
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
// committed as "sending" first, and commits each result while the next message is with
// the server (see Run).
//
// Before the first Run of a process, the caller runs Store.RecoverSending: a message
// left in "sending" by a crash must become "unknown" and never be sent again without
// the manager's decision. The window does it when it opens, `convive send` when it starts.
// A crash can leave two messages in "sending": one in conversation with the server, and
// either the one before it (answered, its result not yet committed) or the one after it
// (claimed, not yet started). Both become "unknown"; neither is lost or sent again
// without the manager's click.
//
// Store and Now are called from a second goroutine while a message is with the server:
// they must be safe for concurrent use.
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
// limit), ctx is cancelled (the message in flight finishes first, and nothing new
// starts) or the sender asks to pause. The report counts this run's outcomes and what
// remains due.
//
// Each message is committed as "sending" before its conversation starts, and its
// result is committed after it. With a store that is a NextClaimer and a sender that
// never waits for a rate limit (not a Waiter, or a RateLimited without a limit), the
// commits overlap the conversations: while message N is with the server, one
// transaction records the result of N-1 and claims N+1, and N+1 starts only once it
// committed. A crash then leaves at most two messages in "sending" (see Dispatcher). A
// message claimed ahead that will not start (Arrêter, a pause, the sending lost to
// another program) goes back to the queue as it was, no attempt counted.
//
// Otherwise each result is committed before the next message starts; with a store that
// is an OutboxClaimer or a NextClaimer, the result of one message and the "sending"
// state of the next share one commit.
func (d *Dispatcher) Run(ctx context.Context, max int) (DispatchReport, error) {
	r := &run{d: d, ctx: ctx, max: max, maxAttempts: d.MaxAttempts, backoff: d.Backoff,
		// Every store call must commit even when the manager pressed Arrêter.
		store: context.WithoutCancel(ctx)}
	if r.maxAttempts <= 0 {
		r.maxAttempts = DefaultMaxAttempts
	}
	if r.backoff == nil {
		r.backoff = defaultBackoff
	}
	r.lease, _ = d.Store.(SendingLease)
	if ok, err := r.hold(); err != nil || !ok {
		r.rep.Remaining, _, _ = d.Store.OutboxDue(r.store, d.now())
		return r.rep, err
	}
	if r.lease != nil {
		defer func() { _ = r.lease.ReleaseSending(r.store) }()
	}
	var err error
	if nexter, ok := d.Store.(NextClaimer); ok && d.unpaced() {
		err = r.pipelined(nexter)
	} else {
		err = r.oneByOne()
	}
	if err != nil {
		return r.rep, err
	}
	remaining, _, err := d.Store.OutboxDue(r.store, d.now())
	r.rep.Remaining = remaining
	return r.rep, err
}

// unpaced reports whether the sender never waits between messages, so that the next
// one may be claimed while the current one is with the server.
func (d *Dispatcher) unpaced() bool {
	if _, ok := d.Sender.(Waiter); !ok {
		return true
	}
	rl, ok := d.Sender.(RateLimited)
	return ok && !rl.RateLimited()
}

// run is the state of one Dispatcher.Run.
type run struct {
	d           *Dispatcher
	ctx         context.Context // cancelled by Arrêter; looked at between messages only
	store       context.Context // never cancelled: every store call commits
	max         int
	maxAttempts int
	backoff     func(attempt int) time.Duration
	rep         DispatchReport
	prog        DispatchProgress
	lease       SendingLease
	held        time.Time
}

// hold takes or renews the sending lease, at most every leaseRenewal. When another
// program sends, it returns false and sets rep.Busy.
func (r *run) hold() (bool, error) {
	if r.lease == nil || (!r.held.IsZero() && time.Since(r.held) < leaseRenewal) {
		return true, nil
	}
	ok, who, err := r.lease.HoldSending(r.store)
	if err != nil || !ok {
		r.rep.Busy = who
		return false, err
	}
	r.held = time.Now()
	return true, nil
}

// more reports whether another message may start: max not reached, Arrêter not pressed.
func (r *run) more() bool {
	return (r.max <= 0 || r.prog.Done < r.max) && r.ctx.Err() == nil
}

// record commits a (nothing when nil).
func (r *run) record(a *attempt) error {
	if a == nil {
		return nil
	}
	return r.d.Store.MarkResult(r.store, a.id, a.state, a.counted, a.next, a.detail, r.d.now())
}

// putBack returns a message claimed ahead, which did not start, to the queue as it was
// claimed: same next attempt and error, no attempt counted.
func (r *run) putBack(m *Message) error {
	return r.d.Store.MarkResult(r.store, m.ID, MessageQueued, false, m.NextAttempt, m.LastError, r.d.now())
}

// outcome counts the attempt on m in the report and the progress, and returns the
// result to commit.
func (r *run) outcome(m *Message, res SendResult) *attempt {
	r.prog.Current = m.To
	r.prog.Done++
	a := &attempt{id: m.ID, state: MessageQueued, counted: true, detail: res.Detail}
	switch res.Outcome {
	case SendOK:
		a.state = MessageSent
		r.rep.Sent++
		r.prog.Sent++
	case SendFailed:
		a.state = MessageFailed
		r.rep.Failed++
		r.prog.Failed++
	case SendUnknown:
		a.state = MessageUnknown
		r.rep.Unknown++
	case SendPause:
		a.counted = false
		a.next = r.d.now()
		r.rep.Paused = res.Detail
	default: // SendRetry
		if m.Attempts+1 >= r.maxAttempts {
			a.state = MessageFailed
			a.detail = givenUp(m.Attempts+1, a.detail)
			r.rep.Failed++
			r.prog.Failed++
		} else {
			a.next = r.d.now().Add(r.backoff(m.Attempts + 1))
			r.rep.RetryLater++
		}
	}
	return a
}

// progress reports the message just attempted. due counts the due messages still
// queued, -1 to have it read now; claimed adds the message claimed ahead, still to send.
func (r *run) progress(due int, claimed bool) {
	if r.d.OnProgress == nil {
		return
	}
	if due < 0 {
		due, _, _ = r.d.Store.OutboxDue(r.store, r.d.now())
	}
	if claimed {
		due++
	}
	r.prog.Remaining = due
	r.d.OnProgress(r.prog)
}

// pipelined sends with each commit overlapping a conversation (see Run). cur is the
// message claimed to start next, prev the result of the one before, not committed yet.
func (r *run) pipelined(nexter NextClaimer) error {
	if !r.more() {
		return nil
	}
	cur, err := nexter.MarkResultClaimNext(r.store, 0, "", false, time.Time{}, "", r.d.now())
	if err != nil {
		return err
	}
	var prev *attempt
	for cur != nil {
		if !r.more() || r.rep.Paused != "" {
			return errors.Join(r.record(prev), r.putBack(cur))
		}
		if ok, err := r.hold(); err != nil || !ok {
			return errors.Join(err, r.record(prev), r.putBack(cur))
		}
		// Claim ahead only when the run may go on after cur: it counts towards max.
		ahead := r.max <= 0 || r.prog.Done+1 < r.max
		c := r.commitAsync(nexter, prev, ahead)
		a := r.outcome(cur, r.d.Sender.Send(r.store, cur))
		<-c.done
		if c.err != nil {
			// Neither prev's result nor the next claim is committed: nothing new starts.
			return errors.Join(c.err, r.record(prev), r.record(a))
		}
		if c.next != nil {
			prev, cur = a, c.next
			r.progress(c.due, true)
			continue
		}
		// Nothing claimed ahead: commit a now, and claim what became due meanwhile if
		// the run goes on.
		prev, cur = nil, nil
		if ahead && r.more() && r.rep.Paused == "" {
			if cur, err = nexter.MarkResultClaimNext(r.store, a.id, a.state, a.counted, a.next, a.detail, r.d.now()); err != nil {
				return errors.Join(err, r.record(a))
			}
		} else if err := r.record(a); err != nil {
			return err
		}
		r.progress(-1, cur != nil)
	}
	return nil
}

// commit is the transaction that runs while a message is with the server.
type commit struct {
	done chan struct{}
	next *Message // the message claimed ahead; nil when none
	due  int      // due messages still queued after the claim, when OnProgress is set
	err  error
}

// commitAsync commits prev, the result of the message before the one about to be sent,
// and claims the next due message when ahead is true, in one transaction run in its
// own goroutine.
func (r *run) commitAsync(nexter NextClaimer, prev *attempt, ahead bool) *commit {
	c := &commit{done: make(chan struct{})}
	go func() {
		defer close(c.done)
		if !ahead {
			c.err = r.record(prev)
			return
		}
		p := prev
		if p == nil {
			p = &attempt{}
		}
		c.next, c.err = nexter.MarkResultClaimNext(r.store, p.id, p.state, p.counted, p.next, p.detail, r.d.now())
		if c.err == nil && c.next != nil && r.d.OnProgress != nil {
			c.due, _, _ = r.d.Store.OutboxDue(r.store, r.d.now())
		}
	}()
	return c
}

// oneByOne sends each message after the result of the one before was committed: the
// path of a rate-limited sender or of a store that cannot claim the next due message.
func (r *run) oneByOne() error {
	d := r.d
	waiter, _ := d.Sender.(Waiter)
	pacer, _ := d.Sender.(Pacer)
	claimer, _ := d.Store.(OutboxClaimer)
	nexter, _ := d.Store.(NextClaimer)

	// pending is a result not yet committed: it goes with the claim of the next message.
	var pending *attempt
	flush := func() error {
		p := pending
		pending = nil
		return r.record(p)
	}
	fail := func(err error) error {
		return errors.Join(err, flush())
	}

	for r.more() {
		if ok, err := r.hold(); err != nil || !ok {
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
			if m, err = nexter.MarkResultClaimNext(r.store, p.id, p.state, p.counted, p.next, p.detail, d.now()); err != nil {
				return err
			}
			if m == nil {
				break
			}
			res = d.Sender.Send(r.store, m)
		} else {
			var err error
			if m, err = d.Store.NextDue(r.store, d.now()); err != nil {
				return fail(err)
			}
			if m == nil {
				break
			}
			if claimer == nil || (waiter != nil && (pacer == nil || !pacer.Ready())) {
				if err := flush(); err != nil {
					return err
				}
				// The rate limit is waited for while the message is still queued.
				if waiter != nil {
					if err := waiter.Wait(r.ctx); err != nil {
						break
					}
				}
				ok, err := d.Store.MarkSending(r.store, m.ID, d.now())
				if err != nil {
					return err
				}
				if !ok {
					continue
				}
				res = d.Sender.Send(r.store, m)
			} else {
				p := pending
				pending = nil
				if p == nil {
					p = &attempt{}
				}
				claimed, err := claimer.MarkResultClaim(r.store, p.id, p.state, p.counted, p.next, p.detail, d.now(), m.ID)
				if err != nil {
					return err
				}
				if !claimed {
					continue // cancelled meanwhile
				}
				res = d.Sender.Send(r.store, m)
			}
		}
		pending = r.outcome(m, res)
		if (claimer == nil && nexter == nil) || r.rep.Paused != "" || !r.more() {
			if err := flush(); err != nil {
				return err
			}
		}
		r.progress(-1, false)
		if r.rep.Paused != "" {
			break
		}
	}
	return flush()
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
