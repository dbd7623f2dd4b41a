package smtp

import (
	"context"

	"convive/core"
)

// Mailer is a Sender seen by the outbox: it implements core.MailSender, and
// core.Waiter, core.Pacer and core.RateLimited so that the dispatcher waits for the
// rate limit before it commits a message's "sending" state, never after.
type Mailer struct {
	s *Sender
	// OnResult, when set, receives every message's full Result (raw error, server's
	// answer) for the log; the outbox keeps only the French sentence.
	OnResult func(m *core.Message, r Result)
}

// NewMailer returns a Mailer sending through s.
func NewMailer(s *Sender) *Mailer { return &Mailer{s: s} }

// Send sends m and maps the Result to the outbox's outcome: Sent → SendOK, Temporary →
// SendRetry, Permanent → SendFailed, Unknown → SendUnknown, AuthFailed and ConfigError →
// SendPause. The French detail is passed as is.
func (ml *Mailer) Send(ctx context.Context, m *core.Message) core.SendResult {
	r := ml.s.Send(ctx, m)
	if ml.OnResult != nil {
		ml.OnResult(m, r)
	}
	return core.SendResult{Outcome: OutboxOutcome(r.Outcome), Detail: r.Detail}
}

// OutboxOutcome maps an Outcome to the outbox's core.SendOutcome.
func OutboxOutcome(o Outcome) core.SendOutcome {
	switch o {
	case Sent:
		return core.SendOK
	case Permanent:
		return core.SendFailed
	case Unknown:
		return core.SendUnknown
	case AuthFailed, ConfigError:
		return core.SendPause
	}
	return core.SendRetry
}

// Wait blocks until the rate limit lets the next message start, or ctx ends.
func (ml *Mailer) Wait(ctx context.Context) error { return ml.s.Wait(ctx) }

// Ready reports whether the next message may start at once.
func (ml *Mailer) Ready() bool {
	ml.s.mu.Lock()
	defer ml.s.mu.Unlock()
	return ml.s.untilNext() <= 0
}

// RateLimited reports whether a rate limit is set: without one, the dispatcher claims
// the next message while this one is being sent.
func (ml *Mailer) RateLimited() bool { return ml.s.cfg.RateLimit > 0 }

// Close says goodbye to the server.
func (ml *Mailer) Close() error { return ml.s.Close() }

// ConfigFromSettings builds the Config of the stored settings with the password from
// the keyring, the environment or the manager. Check it with Validate before use.
func ConfigFromSettings(st core.SMTPSettings, password string) Config {
	return Config{
		Host:      st.Host,
		Port:      st.Port,
		Security:  Security(st.Security),
		Auth:      AuthMethod(st.Auth),
		User:      st.User,
		Password:  password,
		From:      st.From,
		FromName:  st.FromName,
		ReplyTo:   st.ReplyTo,
		RateLimit: st.RateLimit,
	}
}
