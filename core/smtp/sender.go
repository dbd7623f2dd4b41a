package smtp

import (
	"context"
	"crypto/tls"
	"errors"
	"html"
	"net"
	"net/mail"
	"strings"
	"sync"
	"time"

	"convive/core"

	gomail "github.com/wneessen/go-mail"
	gosmtp "github.com/wneessen/go-mail/smtp"
)

// Sender sends messages over one connection to the server, opened on first use and
// kept for the following messages. After a failure the connection is closed and the
// next message opens a new one. A Sender may be shared by goroutines: messages go one
// at a time, and Close waits for the message in flight.
type Sender struct {
	cfg Config
	mc  *gomail.Client

	mu   sync.Mutex
	sc   *gosmtp.Client // nil when not connected
	last time.Time      // when the previous message started, for the rate limit

	// Set while dialling, to tell where a failed connection stopped.
	dialed      net.Conn
	authStarted bool

	forTest bool // word failures for "Tester la connexion"

	from, replyTo string // ASCII forms of the sender and reply-to addresses
}

// NewSender checks cfg (see Config.Validate) and returns a Sender that has not yet
// connected.
func NewSender(cfg Config) (*Sender, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	s := &Sender{cfg: cfg.Normalized()}
	c := s.cfg
	// Validate has checked both addresses.
	from, _ := core.ParseAddress(c.From)
	s.from = asciiAddress(from)
	if c.ReplyTo != "" {
		rt, _ := core.ParseAddress(c.ReplyTo)
		s.replyTo = asciiAddress(rt)
	}
	opts := []gomail.Option{
		gomail.WithPort(c.Port),
		gomail.WithTimeout(c.Timeout),
		gomail.WithHELO(c.HELO),
		gomail.WithTLSConfig(s.tlsConfig()),
		gomail.WithDialContextFunc(s.dialContext),
	}
	switch c.Security {
	case SecurityTLS:
		opts = append(opts, gomail.WithSSL())
	case SecurityNone:
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	default:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	}
	if c.Auth != AuthNone && (c.Auth != AuthAuto || c.User != "") {
		opts = append(opts, gomail.WithSMTPAuthCustom(&auth{cfg: c, started: &s.authStarted}))
	}
	mc, err := gomail.NewClient(c.Host, opts...)
	if err != nil {
		return nil, core.Errorf(core.EInvalid, "smtp.config.client", "Les réglages SMTP ne sont pas utilisables («\u00a0{{.Err}}\u00a0»).", map[string]any{"Err": err.Error()}).Wrap(err)
	}
	s.mc = mc
	return s, nil
}

// Config returns the settings the Sender uses, defaults filled in.
func (s *Sender) Config() Config { return s.cfg }

func (s *Sender) tlsConfig() *tls.Config {
	return &tls.Config{ServerName: s.cfg.Host, MinVersion: tls.VersionTLS12, RootCAs: s.cfg.rootCAs}
}

// dialContext opens the TCP connection (and TLS for implicit TLS) for go-mail, and
// remembers it so that a conversation that fails half-way is closed rather than leaked.
func (s *Sender) dialContext(ctx context.Context, _, _ string) (net.Conn, error) {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", s.cfg.Addr())
	if err != nil {
		return nil, err
	}
	if s.cfg.Security == SecurityTLS {
		tc := tls.Client(conn, s.tlsConfig())
		if err := tc.HandshakeContext(ctx); err != nil {
			_ = conn.Close()
			return nil, err
		}
		conn = tc
	}
	s.dialed = conn
	return conn, nil
}

// Dial connects, secures the connection and authenticates, unless already connected.
// Send dials by itself; Dial lets a caller find a bad setting before it starts a batch.
// The error is a *Failure.
func (s *Sender) Dial(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.sc != nil {
		return nil
	}
	if f := s.dial(ctx); f != nil {
		return f
	}
	return nil
}

func (s *Sender) dial(ctx context.Context) *Failure {
	s.dialed, s.authStarted = nil, false
	sc, err := s.mc.DialToSMTPClientWithContext(ctx)
	if err != nil {
		ph := phaseConnect
		if s.dialed != nil {
			ph = phaseGreeting
			_ = s.dialed.Close()
		}
		if s.authStarted {
			ph = phaseAuth
		}
		s.dialed = nil
		if ctx.Err() != nil && ph == phaseConnect {
			err = errors.Join(ctx.Err(), err)
		}
		return &Failure{classifier{cfg: s.cfg, forTest: s.forTest}.classify(err, ph)}
	}
	s.dialed = nil
	s.sc = sc
	return nil
}

// drop closes the connection without a word to the server: after a failure its state
// is unknown, and the next message starts afresh.
func (s *Sender) drop() {
	if s.sc != nil {
		_ = s.sc.Close()
		s.sc = nil
	}
}

// Close says goodbye to the server (QUIT) and closes the connection. It waits for the
// message in flight, if any.
func (s *Sender) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.sc == nil {
		return nil
	}
	sc := s.sc
	s.sc = nil
	_ = sc.UpdateDeadline(s.cfg.Timeout)
	err := sc.Quit()
	_ = sc.Close()
	return err
}

// Wait blocks until the rate limit allows the next message, or ctx ends. Call it
// before committing a message's "sending" state, so that a crash during the wait
// cannot leave behind a message that looks in flight but never left. Send waits too.
func (s *Sender) Wait(ctx context.Context) error {
	s.mu.Lock()
	d := s.untilNext()
	s.mu.Unlock()
	return sleep(ctx, d)
}

func (s *Sender) untilNext() time.Duration {
	if s.cfg.RateLimit <= 0 || s.last.IsZero() {
		return 0
	}
	return time.Until(s.last.Add(time.Minute / time.Duration(s.cfg.RateLimit)))
}

func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// Send sends one message and classifies the outcome. It returns once the server has
// answered the message (or the time-out has passed): cancelling ctx stops the rate-limit
// wait and the connection set-up, never a message half-way, so that a stop button lets
// the message in flight finish.
func (s *Sender) Send(ctx context.Context, m *core.Message) Result {
	s.mu.Lock()
	defer s.mu.Unlock()
	cl := classifier{cfg: s.cfg, to: m.To}
	msg, id, res := s.build(m)
	if msg == nil {
		res.MessageID = id
		return res
	}
	if err := sleep(ctx, s.untilNext()); err != nil {
		return Result{Outcome: Temporary, Raw: err, MessageID: id,
			Detail: "L'envoi a été interrompu avant que le message parte\u00a0; il sera envoyé plus tard."}
	}
	for try := 0; ; try++ {
		reused := s.sc != nil
		if !reused {
			if f := s.dial(ctx); f != nil {
				f.MessageID = id
				return f.Result
			}
		}
		s.last = time.Now()
		ph, reply, err := s.transact(msg)
		if err == nil {
			return Result{Outcome: Sent, Reply: reply, MessageID: id}
		}
		// After a failure the conversation's state is uncertain: start afresh next time.
		s.drop()
		res := cl.classify(err, ph)
		res.MessageID = id
		// A connection kept from an earlier message may have been closed by the server
		// while idle; that shows before the data is sent, so trying once more on a new
		// connection cannot deliver the message twice.
		if reused && try == 0 && ph < phaseDataEnd && res.Outcome == Temporary && idleDrop(err) {
			continue
		}
		return res
	}
}

// transact runs one mail transaction on the open connection and returns the phase
// reached, the server's final answer and the error. It does what go-mail's Send does,
// but keeps the raw errors (go-mail's SendError does not unwrap to them) and the exact
// phase, and spares the NOOP before and the RSET after every message.
func (s *Sender) transact(msg *gomail.Msg) (phase, string, error) {
	from, err := msg.GetSender(false)
	if err != nil {
		return phaseMessage, "", err
	}
	rcpts, err := msg.GetRecipients()
	if err != nil {
		return phaseMessage, "", err
	}
	sc := s.sc
	// One time-out for the whole transaction, as for the connection set-up.
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
	// Until Close writes the final ".", the server cannot take the message: a failure
	// while writing loses nothing.
	if _, err := msg.WriteTo(w); err != nil {
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

// idleDrop reports whether err looks like a connection closed by the server (or a 421
// "closing" answer) rather than a refusal of the message.
func idleDrop(err error) bool {
	if r, ok := replyOf(err); ok {
		return r.code == 421
	}
	return isClosed(err)
}

// build turns m into a go-mail message. On error it returns a nil message and the
// Result to give back.
func (s *Sender) build(m *core.Message) (*gomail.Msg, string, Result) {
	c := s.cfg
	id := strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(m.MessageID), "<"), ">")
	if id == "" {
		id = NewMessageID(c.From)
	}
	if strings.ContainsAny(id, " \t\r\n<>") || !strings.Contains(id, "@") {
		return nil, id, Result{Outcome: Permanent, Raw: errors.New("invalid Message-ID " + id),
			Detail: "L'identifiant du message (Message-ID) «\u00a0" + id + "\u00a0» n'est pas valable\u00a0: le message doit être recréé."}
	}
	to, err := core.ParseAddress(m.To)
	if err != nil {
		return nil, id, Result{Outcome: Permanent, Raw: err,
			Detail: "Destinataire\u00a0: " + core.ErrorMessage(err) + " Corrigez l'adresse du message avant de le renvoyer."}
	}
	msg := gomail.NewMsg(gomail.WithNoDefaultUserAgent())
	msg.FromMailAddress(&mail.Address{Name: c.FromName, Address: s.from})
	msg.ToMailAddress(&mail.Address{Address: asciiAddress(to)})
	if s.replyTo != "" {
		msg.ReplyToMailAddress(&mail.Address{Address: s.replyTo})
	}
	msg.Subject(oneLine(m.Subject))
	msg.SetMessageIDWithValue(id)
	msg.SetDateWithValue(time.Now())
	switch {
	case m.Text != "" && m.HTML != "":
		msg.SetBodyString(gomail.TypeTextPlain, m.Text)
		msg.AddAlternativeString(gomail.TypeTextHTML, m.HTML)
	case m.HTML != "":
		msg.SetBodyString(gomail.TypeTextHTML, m.HTML)
	default:
		msg.SetBodyString(gomail.TypeTextPlain, m.Text)
	}
	return msg, id, Result{}
}

// asciiAddress is a's delivery address with its domain in ASCII (punycode), the form
// every SMTP server takes.
func asciiAddress(a core.Address) string {
	local, _, _ := strings.Cut(a.Email, "@")
	_, domain, _ := strings.Cut(a.Key, "@")
	return local + "@" + domain
}

// oneLine keeps a header value on one line.
func oneLine(s string) string {
	return strings.TrimSpace(strings.NewReplacer("\r\n", " ", "\r", " ", "\n", " ", "\t", " ").Replace(s))
}

// NewMessageID returns a fresh Message-ID (without angle brackets) of the form
// random@domain, where random carries 160 bits and domain is the sender's, so that the
// ID names no machine. It is core.NewMessageID, the one the outbox fixes when a message
// is created and reuses on every attempt.
func NewMessageID(from string) string {
	return core.NewMessageID(from)
}

// Test connects to the server as cfg says (TLS, authentication), then says goodbye; it
// sends nothing. It backs the "Tester la connexion" button. The error is the *core.Error
// of Config.Validate or a *Failure.
func Test(ctx context.Context, cfg Config) error {
	s, err := NewSender(cfg)
	if err != nil {
		return err
	}
	s.forTest = true
	if err := s.Dial(ctx); err != nil {
		return err
	}
	// A failed QUIT after a good connection and login does not make the settings wrong.
	_ = s.Close()
	return nil
}

// TemplateTestMessage is the message of "Envoyer un e-mail de test": m, made from the
// Test template (the manager's copy, else the default), followed by the settings in
// use, in its text and its HTML.
func TemplateTestMessage(cfg Config, m core.Message) *core.Message {
	c := cfg.Normalized()
	settings := "Réglages utilisés\u00a0: serveur " + c.Addr() + ", sécurité " + c.Security.Label() + ", expéditeur " + c.From + "."
	m.Text = strings.TrimRight(m.Text, "\n") + "\n\n—\n" + settings + "\n"
	para := "<p>—<br>" + html.EscapeString(settings) + "</p>\n"
	if i := strings.LastIndex(m.HTML, "</body>"); i >= 0 {
		m.HTML = m.HTML[:i] + para + m.HTML[i:]
	} else if m.HTML != "" {
		m.HTML += para
	}
	now := time.Now()
	m.Kind, m.MessageID, m.Due, m.State, m.Created = core.KindTest, NewMessageID(c.From), now, core.MessageQueued, now
	return &m
}

// TestMessage returns a test message to the address to without a template: a short
// French text and its HTML version, describing the settings in use.
func TestMessage(cfg Config, to string) *core.Message {
	c := cfg.Normalized()
	subject := "Convive\u00a0: e-mail de test"
	lines := []string{
		"Bonjour,",
		"",
		"Cet e-mail de test a été envoyé par Convive pour vérifier les réglages d'envoi.",
		"",
		"Serveur\u00a0: " + c.Addr(),
		"Sécurité\u00a0: " + c.Security.Label(),
		"Expéditeur\u00a0: " + c.From,
		"",
		"Si vous lisez ce message, les e-mails préparés dans Convive peuvent partir.",
	}
	var h strings.Builder
	h.WriteString("<!DOCTYPE html>\n<html lang=\"fr\"><head><meta charset=\"utf-8\"><title>")
	h.WriteString(html.EscapeString(subject))
	h.WriteString("</title></head><body>\n")
	for _, l := range lines {
		if l == "" {
			continue
		}
		h.WriteString("<p>" + html.EscapeString(l) + "</p>\n")
	}
	h.WriteString("</body></html>\n")
	now := time.Now()
	return &core.Message{
		Kind:      core.KindTest,
		To:        to,
		Subject:   subject,
		Text:      strings.Join(lines, "\n") + "\n",
		HTML:      h.String(),
		MessageID: NewMessageID(c.From),
		Due:       now,
		State:     core.MessageQueued,
		Created:   now,
	}
}
