// Package mailpittest runs a real mailpit (github.com/axllent/mailpit) for tests: an
// SMTP server on 127.0.0.1 that keeps every message it receives, and its HTTP API to
// read them back. Each Start gets free ports and its own temporary database, and the
// process is stopped when the test ends.
//
// The binary is looked up in $MAILPIT, then on the PATH, then in $(go env GOPATH)/bin.
// When it is missing the test is skipped, unless the environment variable CI is set:
// there `make test` installs it, so a missing binary fails the test.
package mailpittest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Mailpit is a running mailpit.
type Mailpit struct {
	Host     string // always 127.0.0.1
	SMTPPort int
	API      string // base URL of the web UI and API, e.g. http://127.0.0.1:41234

	cmd    *exec.Cmd
	output *syncBuffer
	client *http.Client
	exited chan error
}

// Address is a mail address as mailpit reports it.
type Address struct {
	Name    string
	Address string
}

// Summary is one entry of GET /api/v1/messages.
type Summary struct {
	ID        string // mailpit's own database ID
	MessageID string // the Message-ID header, without angle brackets
	From      *Address
	To        []Address
	Subject   string
	Created   time.Time
	Size      uint64
	Snippet   string
}

// Message is GET /api/v1/message/{ID}: the message with its decoded bodies.
type Message struct {
	ID        string
	MessageID string
	From      *Address
	To        []Address
	ReplyTo   []Address
	Subject   string
	Date      time.Time
	Text      string
	HTML      string
	Size      uint64
}

// Find returns the path of the mailpit binary, or an error saying where it looked.
func Find() (string, error) {
	if p := os.Getenv("MAILPIT"); p != "" {
		if _, err := os.Stat(p); err != nil {
			return "", fmt.Errorf("MAILPIT=%s: %w", p, err)
		}
		return p, nil
	}
	if p, err := exec.LookPath("mailpit"); err == nil {
		return p, nil
	}
	var dirs []string
	if out, err := exec.Command("go", "env", "GOPATH").Output(); err == nil {
		for _, d := range filepath.SplitList(strings.TrimSpace(string(out))) {
			dirs = append(dirs, filepath.Join(d, "bin"))
		}
	}
	if home, err := os.UserHomeDir(); err == nil {
		dirs = append(dirs, filepath.Join(home, "go", "bin"))
	}
	for _, d := range dirs {
		p := filepath.Join(d, "mailpit")
		if st, err := os.Stat(p); err == nil && !st.IsDir() {
			return p, nil
		}
	}
	return "", errors.New("mailpit not found in $MAILPIT, PATH or $(go env GOPATH)/bin; install it with: go install github.com/axllent/mailpit@v1.27.11")
}

// Start runs mailpit for the test and stops it at the end. It accepts any SMTP user
// and password, and no authentication at all, over clear text.
func Start(tb testing.TB) *Mailpit {
	tb.Helper()
	bin, err := Find()
	if err != nil {
		if os.Getenv("CI") == "" {
			tb.Skip(err.Error())
		}
		tb.Fatal(err)
	}
	dir := tb.TempDir()
	var m *Mailpit
	// A free port found now may be taken before mailpit binds it: try a few times.
	for try := 0; try < 3; try++ {
		m, err = start(bin, dir, try)
		if err == nil {
			break
		}
	}
	if err != nil {
		tb.Fatalf("mailpit did not start: %v", err)
	}
	tb.Cleanup(func() { m.stop(tb) })
	return m
}

func start(bin, dir string, try int) (*Mailpit, error) {
	smtpPort, err := freePort()
	if err != nil {
		return nil, err
	}
	httpPort, err := freePort()
	if err != nil {
		return nil, err
	}
	m := &Mailpit{
		Host:     "127.0.0.1",
		SMTPPort: smtpPort,
		API:      "http://127.0.0.1:" + strconv.Itoa(httpPort),
		output:   &syncBuffer{},
		client:   &http.Client{Timeout: 10 * time.Second},
		exited:   make(chan error, 1),
	}
	m.cmd = exec.Command(bin, Args(smtpPort, httpPort, filepath.Join(dir, "mailpit-"+strconv.Itoa(try)+".db"))...)
	m.cmd.Stdout = m.output
	m.cmd.Stderr = m.output
	if err := m.cmd.Start(); err != nil {
		return nil, err
	}
	go func() { m.exited <- m.cmd.Wait() }()
	deadline := time.Now().Add(30 * time.Second)
	for {
		select {
		case err := <-m.exited:
			return nil, fmt.Errorf("mailpit exited (%v): %s", err, m.output.String())
		default:
		}
		if m.ready() {
			return m, nil
		}
		if time.Now().After(deadline) {
			_ = m.cmd.Process.Kill()
			<-m.exited
			return nil, fmt.Errorf("mailpit not ready after 30 s: %s", m.output.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Args returns mailpit's command line: SMTP and HTTP on 127.0.0.1, a database of its
// own, no message limit, any credentials or none accepted in clear text, nothing
// looked up on the network.
func Args(smtpPort, httpPort int, database string) []string {
	return []string{
		"--smtp", "127.0.0.1:" + strconv.Itoa(smtpPort),
		"--listen", "127.0.0.1:" + strconv.Itoa(httpPort),
		"--database", database,
		"--max", "0",
		"--smtp-auth-accept-any",
		"--smtp-auth-allow-insecure",
		"--smtp-disable-rdns",
		"--disable-version-check",
		"--quiet",
	}
}

// ready reports whether both the API and the SMTP port answer.
func (m *Mailpit) ready() bool {
	resp, err := m.client.Get(m.API + "/api/v1/info")
	if err != nil {
		return false
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return false
	}
	c, err := net.DialTimeout("tcp", net.JoinHostPort(m.Host, strconv.Itoa(m.SMTPPort)), time.Second)
	if err != nil {
		return false
	}
	_ = c.Close()
	return true
}

func (m *Mailpit) stop(tb testing.TB) {
	_ = m.cmd.Process.Signal(os.Interrupt)
	select {
	case <-m.exited:
	case <-time.After(5 * time.Second):
		_ = m.cmd.Process.Kill()
		<-m.exited
	}
	if tb.Failed() {
		tb.Logf("mailpit output:\n%s", m.output.String())
	}
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func (m *Mailpit) get(ctx context.Context, path string, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, m.API+path, nil)
	if err != nil {
		return err
	}
	resp, err := m.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s: %s", path, resp.Status, bytes.TrimSpace(body))
	}
	return json.Unmarshal(body, v)
}

// Messages returns every stored message, oldest first, reading all pages of
// /api/v1/messages.
func (m *Mailpit) Messages(tb testing.TB) []Summary {
	tb.Helper()
	const page = 500
	var all []Summary
	for start := 0; ; start += page {
		var resp struct {
			Total         int       `json:"total"`
			MessagesCount int       `json:"messages_count"`
			Messages      []Summary `json:"messages"`
		}
		q := url.Values{"start": {strconv.Itoa(start)}, "limit": {strconv.Itoa(page)}}
		if err := m.get(context.Background(), "/api/v1/messages?"+q.Encode(), &resp); err != nil {
			tb.Fatalf("mailpit: %v", err)
		}
		all = append(all, resp.Messages...)
		if len(resp.Messages) < page || len(all) >= resp.MessagesCount {
			break
		}
	}
	// The API lists newest first.
	for i, j := 0, len(all)-1; i < j; i, j = i+1, j-1 {
		all[i], all[j] = all[j], all[i]
	}
	return all
}

// Count returns the number of stored messages.
func (m *Mailpit) Count(tb testing.TB) int {
	tb.Helper()
	var resp struct {
		MessagesCount int `json:"messages_count"`
	}
	if err := m.get(context.Background(), "/api/v1/messages?limit=1", &resp); err != nil {
		tb.Fatalf("mailpit: %v", err)
	}
	return resp.MessagesCount
}

// WaitCount waits until at least n messages are stored (or fails the test after
// timeout) and returns them all, oldest first.
func (m *Mailpit) WaitCount(tb testing.TB, n int, timeout time.Duration) []Summary {
	tb.Helper()
	deadline := time.Now().Add(timeout)
	for m.Count(tb) < n {
		if time.Now().After(deadline) {
			tb.Fatalf("mailpit holds %d messages after %v, want %d", m.Count(tb), timeout, n)
		}
		time.Sleep(20 * time.Millisecond)
	}
	return m.Messages(tb)
}

// Message returns one message with its decoded text and HTML bodies.
func (m *Mailpit) Message(tb testing.TB, id string) Message {
	tb.Helper()
	var msg Message
	if err := m.get(context.Background(), "/api/v1/message/"+url.PathEscape(id), &msg); err != nil {
		tb.Fatalf("mailpit: %v", err)
	}
	return msg
}

// Headers returns the raw headers of one message, as mailpit parsed them.
func (m *Mailpit) Headers(tb testing.TB, id string) map[string][]string {
	tb.Helper()
	var h map[string][]string
	if err := m.get(context.Background(), "/api/v1/message/"+url.PathEscape(id)+"/headers", &h); err != nil {
		tb.Fatalf("mailpit: %v", err)
	}
	return h
}

// DeleteAll empties the mailbox.
func (m *Mailpit) DeleteAll(tb testing.TB) {
	tb.Helper()
	req, err := http.NewRequest(http.MethodDelete, m.API+"/api/v1/messages", strings.NewReader("{}"))
	if err != nil {
		tb.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := m.client.Do(req)
	if err != nil {
		tb.Fatalf("mailpit: %v", err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		tb.Fatalf("mailpit: DELETE /api/v1/messages: %s", resp.Status)
	}
}

// syncBuffer collects the process output for the failure log.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
