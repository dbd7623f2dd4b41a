package gui

import (
	"io"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	gosmtp "github.com/emersion/go-smtp"
)

// mailServer is a real SMTP server (emersion/go-smtp) on 127.0.0.1 whose behaviour a
// test bends through its hooks.
type mailServer struct {
	port int
	// user and password, when set, are the only credentials AUTH PLAIN accepts.
	user, password string
	// onData runs after a message's data was read; n counts messages from 1. An error
	// refuses the message.
	onData func(n int, to string) error

	mu    sync.Mutex
	mailN int
	got   []string // recipients of the messages taken
}

func newMailServer(t *testing.T, setup func(*mailServer)) *mailServer {
	t.Helper()
	ms := &mailServer{}
	if setup != nil {
		setup(ms)
	}
	srv := gosmtp.NewServer(ms)
	srv.Domain = "test.invalid"
	srv.AllowInsecureAuth = true
	srv.ReadTimeout = 20 * time.Second
	srv.WriteTimeout = 20 * time.Second
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("cannot listen: %v", err)
	}
	ms.port = l.Addr().(*net.TCPAddr).Port
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(func() { _ = srv.Close() })
	return ms
}

// received returns the recipients of the messages the server took, in order.
func (ms *mailServer) received() []string {
	ms.mu.Lock()
	defer ms.mu.Unlock()
	return append([]string(nil), ms.got...)
}

// NewSession implements gosmtp.Backend.
func (ms *mailServer) NewSession(*gosmtp.Conn) (gosmtp.Session, error) {
	return &mailSession{ms: ms}, nil
}

type mailSession struct {
	ms *mailServer
	n  int
	to string
}

func (s *mailSession) Reset()        { s.to = "" }
func (s *mailSession) Logout() error { return nil }

func (s *mailSession) AuthMechanisms() []string {
	if s.ms.user == "" {
		return nil
	}
	return []string{sasl.Plain}
}

func (s *mailSession) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, username, password string) error {
		if username != s.ms.user || password != s.ms.password {
			return &gosmtp.SMTPError{Code: 535, EnhancedCode: gosmtp.EnhancedCode{5, 7, 8}, Message: "Authentication credentials invalid"}
		}
		return nil
	}), nil
}

func (s *mailSession) Mail(string, *gosmtp.MailOptions) error {
	s.ms.mu.Lock()
	s.ms.mailN++
	s.n = s.ms.mailN
	s.ms.mu.Unlock()
	return nil
}

func (s *mailSession) Rcpt(to string, _ *gosmtp.RcptOptions) error {
	s.to = to
	return nil
}

func (s *mailSession) Data(r io.Reader) error {
	if _, err := io.ReadAll(r); err != nil {
		return err
	}
	if s.ms.onData != nil {
		if err := s.ms.onData(s.n, s.to); err != nil {
			return err
		}
	}
	s.ms.mu.Lock()
	s.ms.got = append(s.ms.got, s.to)
	s.ms.mu.Unlock()
	return nil
}

// refusal is the answer of a server refusing a message for good or for now.
func refusal(code int, enhanced [3]int, text string) error {
	return &gosmtp.SMTPError{Code: code, EnhancedCode: gosmtp.EnhancedCode(enhanced), Message: text}
}

// closedPort returns a port on 127.0.0.1 where nothing listens.
func closedPort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	_ = l.Close()
	return port
}
