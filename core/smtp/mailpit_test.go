package smtp_test

import (
	"context"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"convive/core"
	"convive/core/smtp"
	"convive/core/smtp/mailpittest"
)

// countingProxy forwards TCP connections to target and counts them, to see how many
// connections the Sender opened.
type countingProxy struct {
	addr  string
	conns atomic.Int32
}

func newCountingProxy(t testing.TB, target string) *countingProxy {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &countingProxy{addr: l.Addr().String()}
	var wg sync.WaitGroup
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			p.conns.Add(1)
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer c.Close()
				up, err := net.Dial("tcp", target)
				if err != nil {
					return
				}
				defer up.Close()
				done := make(chan struct{}, 2)
				go func() { _, _ = io.Copy(up, c); done <- struct{}{} }()
				go func() { _, _ = io.Copy(c, up); done <- struct{}{} }()
				<-done
			}()
		}
	}()
	t.Cleanup(func() { _ = l.Close(); wg.Wait() })
	return p
}

func (p *countingProxy) port() int {
	_, ps, _ := net.SplitHostPort(p.addr)
	n, _ := strconv.Atoi(ps)
	return n
}

var prenoms = []string{"Hélène", "Françoise", "Jérôme", "Noël", "Zoé", "Gaëlle", "Loïc", "Bénédicte", "Cécile", "Maël"}

func frenchMessage(i int) *core.Message {
	p := prenoms[i%len(prenoms)]
	return &core.Message{
		Kind:      core.KindInvitation,
		To:        fmt.Sprintf("apprenant%02d@exemple.fr", i),
		Subject:   fmt.Sprintf("%s, votre accès à « Sécurité des données » (n° %d)", p, i),
		Text:      fmt.Sprintf("Bonjour %s,\n\nVous êtes invité(e) à suivre le parcours « Sécurité des données ».\nÉtape suivante : créez votre mot de passe.\n\nÀ bientôt !\n", p),
		HTML:      fmt.Sprintf("<p>Bonjour %s,</p><p>Vous êtes invité(e) à suivre le parcours « Sécurité des données ».</p><p>Étape suivante : créez votre mot de passe.</p><p>À bientôt !</p>", p),
		MessageID: smtp.NewMessageID("formation@exemple.fr"),
	}
}

func mailpitConfig(m *mailpittest.Mailpit, port int) smtp.Config {
	return smtp.Config{
		Host:     m.Host,
		Port:     port,
		Security: smtp.SecurityNone,
		Auth:     smtp.AuthNone,
		From:     "formation@exemple.fr",
		FromName: "Service Formation",
		ReplyTo:  "ne-pas-repondre@exemple.fr",
		Timeout:  10 * time.Second,
	}
}

func TestTwentyFrenchMessagesReachMailpitOnceEachOverOneConnection(t *testing.T) {
	mp := mailpittest.Start(t)
	proxy := newCountingProxy(t, net.JoinHostPort(mp.Host, strconv.Itoa(mp.SMTPPort)))
	s, err := smtp.NewSender(mailpitConfig(mp, proxy.port()))
	if err != nil {
		t.Fatal(err)
	}
	const n = 20
	sent := map[string]*core.Message{}
	for i := range n {
		m := frenchMessage(i)
		r := s.Send(context.Background(), m)
		if r.Outcome != smtp.Sent {
			t.Fatalf("message %d: %s (%s, %v)", i, r.Outcome, r.Detail, r.Raw)
		}
		if r.MessageID != m.MessageID {
			t.Fatalf("message %d went with Message-ID %q, want %q", i, r.MessageID, m.MessageID)
		}
		sent[m.MessageID] = m
	}
	if err := s.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	if c := proxy.conns.Load(); c != 1 {
		t.Errorf("%d connections for %d messages, want 1", c, n)
	}

	got := mp.WaitCount(t, n, 10*time.Second)
	if len(got) != n {
		t.Fatalf("mailpit holds %d messages, want %d", len(got), n)
	}
	seen := map[string]bool{}
	for _, sum := range got {
		if seen[sum.MessageID] {
			t.Errorf("Message-ID %s arrived twice", sum.MessageID)
		}
		seen[sum.MessageID] = true
		want, ok := sent[sum.MessageID]
		if !ok {
			t.Errorf("mailpit holds a message with an unknown Message-ID %q", sum.MessageID)
			continue
		}
		t.Run(want.To, func(t *testing.T) {
			if len(sum.To) != 1 || sum.To[0].Address != want.To {
				t.Errorf("recipients %v, want %s", sum.To, want.To)
			}
			if sum.Subject != want.Subject {
				t.Errorf("subject %q, want %q", sum.Subject, want.Subject)
			}
			full := mp.Message(t, sum.ID)
			// Mail travels with CRLF line ends; the text is otherwise unchanged.
			if text := strings.ReplaceAll(full.Text, "\r\n", "\n"); text != want.Text {
				t.Errorf("text body\n got %q\nwant %q", full.Text, want.Text)
			}
			if !strings.Contains(full.HTML, want.HTML) {
				t.Errorf("HTML body\n got %q\nwant %q", full.HTML, want.HTML)
			}
			if full.From == nil || full.From.Address != "formation@exemple.fr" || full.From.Name != "Service Formation" {
				t.Errorf("from %+v", full.From)
			}
			if len(full.ReplyTo) != 1 || full.ReplyTo[0].Address != "ne-pas-repondre@exemple.fr" {
				t.Errorf("reply-to %+v", full.ReplyTo)
			}
			h := mp.Headers(t, sum.ID)
			for _, k := range []string{"User-Agent", "X-Mailer"} {
				if v, ok := h[k]; ok {
					t.Errorf("header %s: %q", k, v)
				}
			}
			if len(h["Date"]) != 1 {
				t.Errorf("Date headers %q", h["Date"])
			}
		})
	}
}

func TestTestConnectionWithCredentialsAgainstMailpit(t *testing.T) {
	mp := mailpittest.Start(t)
	cfg := mailpitConfig(mp, mp.SMTPPort)
	cfg.Auth, cfg.User, cfg.Password = smtp.AuthAuto, "formation", "n'importe lequel"
	if err := smtp.Test(context.Background(), cfg); err != nil {
		t.Fatalf("Test: %v", err)
	}
	if c := mp.Count(t); c != 0 {
		t.Errorf("testing the connection stored %d messages", c)
	}
	s, err := smtp.NewSender(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	m := smtp.TestMessage(cfg, "responsable@exemple.fr")
	if r := s.Send(context.Background(), m); r.Outcome != smtp.Sent {
		t.Fatalf("%s: %s", r.Outcome, r.Detail)
	}
	got := mp.WaitCount(t, 1, 5*time.Second)
	if got[0].Subject != m.Subject || got[0].MessageID != m.MessageID {
		t.Errorf("mailpit got %q / %q, want %q / %q", got[0].Subject, got[0].MessageID, m.Subject, m.MessageID)
	}
}
