package smtp

import (
	"context"
	"errors"
	"time"

	"convive/core"

	gomail "github.com/wneessen/go-mail"
	gosmtp "github.com/wneessen/go-mail/smtp"
)

// Mailer is a Sender seen by the outbox: it implements core.MailSender; core.Waiter and
// core.Pacer, so that the dispatcher waits for the rate limit before it commits a
// message's "sending" state, never after; and core.GatedSender, so that the commit of
// that state runs during the first exchanges of the conversation and the message data
// is ended only once it is done.
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

// SendGated sends m as Send does, but calls gate just before writing the final "." of
// the data, after which the server may keep the message. When gate fails, the
// connection is dropped before that point, so that the server discards the message,
// and SendGated returns false.
func (ml *Mailer) SendGated(ctx context.Context, m *core.Message, gate func() error) (core.SendResult, bool) {
	r, ok := ml.s.sendGated(ctx, m, gate)
	if !ok {
		return core.SendResult{}, false
	}
	if ml.OnResult != nil {
		ml.OnResult(m, r)
	}
	return core.SendResult{Outcome: OutboxOutcome(r.Outcome), Detail: r.Detail}, true
}

// gateError carries the error of a gate that refused the end of the data.
type gateError struct{ err error }

func (e gateError) Error() string { return "end of data refused: " + e.err.Error() }

// sendGated is Send with a gate before the final "." (see Mailer.SendGated).
func (s *Sender) sendGated(ctx context.Context, m *core.Message, gate func() error) (Result, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	cl := classifier{cfg: s.cfg, to: m.To}
	msg, id, res := s.build(m)
	if msg == nil {
		res.MessageID = id
		return res, true
	}
	if err := sleep(ctx, s.untilNext()); err != nil {
		return Result{Outcome: Temporary, Raw: err, MessageID: id,
			Detail: "L'envoi a été interrompu avant que le message parte\u00a0; il sera envoyé plus tard."}, true
	}
	for try := 0; ; try++ {
		reused := s.sc != nil
		if !reused {
			if f := s.dial(ctx); f != nil {
				f.MessageID = id
				return f.Result, true
			}
		}
		s.last = time.Now()
		ph, reply, err := s.transactGated(msg, gate)
		if err == nil {
			return Result{Outcome: Sent, Reply: reply, MessageID: id}, true
		}
		s.drop()
		var ge gateError
		if errors.As(err, &ge) {
			return Result{}, false
		}
		res := cl.classify(err, ph)
		res.MessageID = id
		// As in Send: a kept connection closed by the server while idle shows before
		// the data is ended, so one more try on a new connection cannot deliver twice.
		if reused && try == 0 && ph < phaseDataEnd && res.Outcome == Temporary && idleDrop(err) {
			continue
		}
		return res, true
	}
}

// transactGated is transact with gate called before the final ".".
func (s *Sender) transactGated(msg *gomail.Msg, gate func() error) (phase, string, error) {
	from, err := msg.GetSender(false)
	if err != nil {
		return phaseMessage, "", err
	}
	rcpts, err := msg.GetRecipients()
	if err != nil {
		return phaseMessage, "", err
	}
	sc := s.sc
	if err := sc.UpdateDeadline(s.cfg.Timeout); err != nil {
		return phaseMail, "", err
	}
	if err := sc.Mail(from); err != nil {
		return phaseMail, "", err
	}
	for _, rcpt := range rcpts {
		if err := sc.Rcpt(rcpt); err != nil {
			return phaseRcpt, "", err
		}
	}
	w, err := sc.Data()
	if err != nil {
		return phaseData, "", err
	}
	if _, err := msg.WriteTo(w); err != nil {
		return phaseData, "", err
	}
	if err := gate(); err != nil {
		return phaseData, "", gateError{err}
	}
	// The gate may have waited: the final "." gets the full time-out again.
	if err := sc.UpdateDeadline(s.cfg.Timeout); err != nil {
		return phaseData, "", err
	}
	if err := w.Close(); err != nil {
		return phaseDataEnd, "", err
	}
	reply := ""
	if dc, ok := w.(*gosmtp.DataCloser); ok {
		reply = dc.ServerResponse()
	}
	return phaseDataEnd, reply, nil
}
