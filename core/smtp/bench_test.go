package smtp_test

import (
	"context"
	"net/mail"
	"strconv"
	"testing"
	"time"

	"convive/core"
	"convive/core/smtp"
	"convive/core/smtp/mailpittest"

	gomail "github.com/wneessen/go-mail"
)

const benchMessages = 2000

// BenchmarkSenderAgainstBareGoMail sends the same 2 000 French messages to a local
// mailpit twice per iteration: through Sender, and through a bare go-mail loop over one
// connection. It reports both rates and their ratio, and fails below the 0.7 target.
// Run it with: go test ./core/smtp -run '^$' -bench SenderAgainstBareGoMail -benchtime 1x
func BenchmarkSenderAgainstBareGoMail(b *testing.B) {
	mp := mailpittest.Start(b)
	cfg := mailpitConfig(mp, mp.SMTPPort)
	msgs := make([]*core.Message, benchMessages)
	for i := range msgs {
		msgs[i] = frenchMessage(i)
	}
	var ours, bare, lean time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		// Rotate which goes first, so that none always meets a fresher mailpit.
		runs := []func(){
			func() { ours += timeSender(b, mp, cfg, msgs) },
			func() { bare += timeBare(b, mp, cfg, msgs) },
			func() { lean += timeBare(b, mp, cfg, msgs, gomail.WithoutNoop(), gomail.WithoutRset()) },
		}
		for j := range runs {
			runs[(i+j)%len(runs)]()
		}
	}
	b.StopTimer()
	n := float64(b.N * benchMessages)
	oursRate := n / ours.Seconds()
	bareRate := n / bare.Seconds()
	leanRate := n / lean.Seconds()
	ratio := oursRate / bareRate
	b.ReportMetric(oursRate, "sender_msgs/s")
	b.ReportMetric(bareRate, "bare_msgs/s")
	b.ReportMetric(ratio, "ratio")
	// go-mail's defaults add a NOOP before and a RSET after each message, which Sender
	// does without; the same loop without them shows Sender's own overhead.
	b.ReportMetric(leanRate, "bare_lean_msgs/s")
	b.ReportMetric(oursRate/leanRate, "ratio_lean")
	b.Logf("%d messages: Sender %.0f msgs/s, bare go-mail %.0f msgs/s (ratio %.2f), bare go-mail without NOOP/RSET %.0f msgs/s (ratio %.2f)",
		b.N*benchMessages, oursRate, bareRate, ratio, leanRate, oursRate/leanRate)
	if ratio < 0.7 {
		b.Errorf("Sender reaches %.2f of a bare go-mail loop, below the 0.7 target", ratio)
	}
}

func timeSender(b *testing.B, mp *mailpittest.Mailpit, cfg smtp.Config, msgs []*core.Message) time.Duration {
	b.Helper()
	mp.DeleteAll(b)
	start := time.Now()
	s, err := smtp.NewSender(cfg)
	if err != nil {
		b.Fatal(err)
	}
	for _, m := range msgs {
		if r := s.Send(context.Background(), m); r.Outcome != smtp.Sent {
			b.Fatalf("%s: %s", r.Outcome, r.Detail)
		}
	}
	if err := s.Close(); err != nil {
		b.Fatal(err)
	}
	d := time.Since(start)
	checkCount(b, mp, len(msgs))
	return d
}

func timeBare(b *testing.B, mp *mailpittest.Mailpit, cfg smtp.Config, msgs []*core.Message, extra ...gomail.Option) time.Duration {
	b.Helper()
	mp.DeleteAll(b)
	start := time.Now()
	opts := append([]gomail.Option{gomail.WithPort(cfg.Port), gomail.WithTLSPolicy(gomail.NoTLS),
		gomail.WithHELO("localhost"), gomail.WithTimeout(cfg.Timeout)}, extra...)
	c, err := gomail.NewClient(cfg.Host, opts...)
	if err != nil {
		b.Fatal(err)
	}
	if err := c.DialWithContext(context.Background()); err != nil {
		b.Fatal(err)
	}
	for _, m := range msgs {
		gm := gomail.NewMsg()
		gm.FromMailAddress(&mail.Address{Name: cfg.FromName, Address: cfg.From})
		if err := gm.To(m.To); err != nil {
			b.Fatal(err)
		}
		if err := gm.ReplyTo(cfg.ReplyTo); err != nil {
			b.Fatal(err)
		}
		gm.Subject(m.Subject)
		gm.SetMessageIDWithValue(m.MessageID)
		gm.SetDate()
		gm.SetBodyString(gomail.TypeTextPlain, m.Text)
		gm.AddAlternativeString(gomail.TypeTextHTML, m.HTML)
		if err := c.Send(gm); err != nil {
			b.Fatal(err)
		}
	}
	if err := c.Close(); err != nil {
		b.Fatal(err)
	}
	d := time.Since(start)
	checkCount(b, mp, len(msgs))
	return d
}

func checkCount(b *testing.B, mp *mailpittest.Mailpit, want int) {
	b.Helper()
	if got := len(mp.WaitCount(b, want, 30*time.Second)); got != want {
		b.Fatalf("mailpit holds %s messages, want %d", strconv.Itoa(got), want)
	}
}
