package smtp

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/mail"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	gosmtp "github.com/emersion/go-smtp"
)

// received is one message as the test server stored it.
type received struct {
	From string
	To   []string
	Data []byte
}

// Header parses the stored message and returns its headers.
func (r received) Header(t *testing.T) mail.Header {
	t.Helper()
	m, err := mail.ReadMessage(bytes.NewReader(r.Data))
	if err != nil {
		t.Fatalf("the server received a message that does not parse: %v\n%s", err, r.Data)
	}
	return m.Header
}

// fakeServer is a real SMTP server (emersion/go-smtp) listening on 127.0.0.1, whose
// behaviour each test bends through the hooks.
type fakeServer struct {
	t    *testing.T
	srv  *gosmtp.Server
	host string
	port int

	// Hooks; nil means "accept". n counts messages from 1 across the server's life.
	reject421 int                                         // the first reject421 connections get "421" and are closed
	onMail    func(n int) error                           // at MAIL FROM
	onRcpt    func(n int, to string) error                // at RCPT TO
	onData    func(n int, c *gosmtp.Conn, d []byte) error // after the whole body was read
	user      string                                      // when set, AUTH PLAIN is offered and checked
	password  string

	mu       sync.Mutex
	conns    int
	helos    []string
	authed   []string
	messages []received
	mailN    int
}

// newFakeServer starts a server; tlsCfg, when set, offers STARTTLS; implicit wraps
// the listener in TLS from the first byte.
func newFakeServer(t *testing.T, setup func(*fakeServer), tlsCfg *tls.Config, implicit bool) *fakeServer {
	t.Helper()
	fs := &fakeServer{t: t}
	if setup != nil {
		setup(fs)
	}
	srv := gosmtp.NewServer(fs)
	srv.Domain = "test.invalid"
	srv.AllowInsecureAuth = true
	srv.ReadTimeout = 20 * time.Second
	srv.WriteTimeout = 20 * time.Second
	srv.ErrorLog = testLogger{t}
	srv.EnableSMTPUTF8 = true
	if !implicit {
		srv.TLSConfig = tlsCfg
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("cannot listen: %v", err)
	}
	fs.port = l.Addr().(*net.TCPAddr).Port
	fs.host = "127.0.0.1"
	var ln net.Listener = &countingListener{Listener: l, fs: fs}
	if implicit {
		ln = tls.NewListener(ln, tlsCfg)
	}
	fs.srv = srv
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return fs
}

// config returns settings pointing at the server, in clear text (it is local).
func (fs *fakeServer) config() Config {
	return Config{
		Host:     fs.host,
		Port:     fs.port,
		Security: SecurityNone,
		Auth:     AuthNone,
		From:     "formation@exemple.fr",
		FromName: "Service Formation Hélène",
		Timeout:  5 * time.Second,
	}
}

func (fs *fakeServer) Connections() int {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	return fs.conns
}

func (fs *fakeServer) Messages() []received {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	return append([]received(nil), fs.messages...)
}

func (fs *fakeServer) Authenticated() []string {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	return append([]string(nil), fs.authed...)
}

func (fs *fakeServer) HELOs() []string {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	return append([]string(nil), fs.helos...)
}

// NewSession implements gosmtp.Backend.
func (fs *fakeServer) NewSession(c *gosmtp.Conn) (gosmtp.Session, error) {
	fs.mu.Lock()
	fs.helos = append(fs.helos, c.Hostname())
	fs.mu.Unlock()
	return &session{fs: fs, conn: c}, nil
}

type countingListener struct {
	net.Listener
	fs *fakeServer
}

func (l *countingListener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		l.fs.mu.Lock()
		l.fs.conns++
		reject := l.fs.conns <= l.fs.reject421
		l.fs.mu.Unlock()
		if !reject {
			return c, nil
		}
		_, _ = io.WriteString(c, "421 4.3.2 Service not available, closing transmission channel\r\n")
		_ = c.Close()
	}
}

type session struct {
	fs   *fakeServer
	conn *gosmtp.Conn
	n    int
	from string
	to   []string
}

func (s *session) Reset()        { s.from, s.to = "", nil }
func (s *session) Logout() error { return nil }

func (s *session) AuthMechanisms() []string {
	if s.fs.user == "" {
		return nil
	}
	return []string{sasl.Plain}
}

func (s *session) Auth(mech string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(identity, username, password string) error {
		if username != s.fs.user || password != s.fs.password {
			return &gosmtp.SMTPError{Code: 535, EnhancedCode: gosmtp.EnhancedCode{5, 7, 8}, Message: "Authentication credentials invalid"}
		}
		s.fs.mu.Lock()
		s.fs.authed = append(s.fs.authed, username)
		s.fs.mu.Unlock()
		return nil
	}), nil
}

func (s *session) Mail(from string, _ *gosmtp.MailOptions) error {
	s.fs.mu.Lock()
	s.fs.mailN++
	s.n = s.fs.mailN
	s.fs.mu.Unlock()
	if s.fs.onMail != nil {
		if err := s.fs.onMail(s.n); err != nil {
			return err
		}
	}
	s.from = from
	return nil
}

func (s *session) Rcpt(to string, _ *gosmtp.RcptOptions) error {
	if s.fs.onRcpt != nil {
		if err := s.fs.onRcpt(s.n, to); err != nil {
			return err
		}
	}
	s.to = append(s.to, to)
	return nil
}

func (s *session) Data(r io.Reader) error {
	d, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	if s.fs.onData != nil {
		if err := s.fs.onData(s.n, s.conn, d); err != nil {
			return err
		}
	}
	s.fs.mu.Lock()
	s.fs.messages = append(s.fs.messages, received{From: s.from, To: s.to, Data: d})
	s.fs.mu.Unlock()
	return nil
}

// smtpErr builds the refusal a server sends.
func smtpErr(code int, enhanced string, text string) error {
	var e gosmtp.EnhancedCode
	if _, err := fmt.Sscanf(enhanced, "%d.%d.%d", &e[0], &e[1], &e[2]); err != nil {
		e = gosmtp.EnhancedCodeNotSet
	}
	return &gosmtp.SMTPError{Code: code, EnhancedCode: e, Message: text}
}

type testLogger struct{ t *testing.T }

func (l testLogger) Printf(format string, v ...any) { l.t.Logf("server: "+format, v...) }
func (l testLogger) Println(v ...any)               { l.t.Log(append([]any{"server:"}, v...)...) }

// testCert returns a server certificate for 127.0.0.1 and the pool that trusts it.
func testCert(t *testing.T) (*tls.Config, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "127.0.0.1"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		IPAddresses:           []net.IP{net.ParseIP("127.0.0.1")},
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}}, pool
}

// freePort returns a port on 127.0.0.1 where nothing listens.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	_ = l.Close()
	return port
}

// tryFakeServerOnPort starts a plain accepting server on port, or returns nil when the
// port is still taken.
func tryFakeServerOnPort(t *testing.T, port int) *fakeServer {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(port))
	if err != nil {
		return nil
	}
	fs := &fakeServer{t: t, host: "127.0.0.1", port: port}
	srv := gosmtp.NewServer(fs)
	srv.Domain = "test.invalid"
	srv.AllowInsecureAuth = true
	srv.ErrorLog = testLogger{t}
	fs.srv = srv
	go func() { _ = srv.Serve(&countingListener{Listener: l, fs: fs}) }()
	t.Cleanup(func() { _ = srv.Close() })
	return fs
}
