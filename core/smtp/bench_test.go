package smtp_test

import (
	"context"
	"net/mail"
	"testing"
	"time"

	"convive/core"
	"convive/core/smtp"
	"convive/core/smtp/mailpittest"

	gomail "github.com/wneessen/go-mail"
)

const (
	benchMessages = 2000
	benchBlock    = 100
)

// BenchmarkSenderAgainstBareGoMail sends the same 2 000 French messages to a local
// mailpit three ways in each iteration: through Sender, through a bare go-mail loop on
// one connection (go-mail's defaults), and through the same loop without go-mail's NOOP
// and RSET around each message, which Sender does without. The three take turns by
// blocks of 100 messages, each on its own connection, so that a busy machine slows them
// alike. It reports the three rates and the ratios, and fails when Sender falls below
// 0.7 of the bare loop.
//
//	go test ./core/smtp -run '^$' -bench SenderAgainstBareGoMail -benchtime 1x
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
		b.StopTimer()
		mp.DeleteAll(b)
		b.StartTimer()
		s := newBenchSender(b, cfg)
		c := newBareClient(b, cfg)
		l := newBareClient(b, cfg, gomail.WithoutNoop(), gomail.WithoutRset())
		for start := 0; start < len(msgs); start += benchBlock {
			block := msgs[start:min(start+benchBlock, len(msgs))]
			runs := []func(){
				func() { ours += timed(func() { sendWithSender(b, s, block) }) },
				func() { bare += timed(func() { sendBare(b, c, cfg, block) }) },
				func() { lean += timed(func() { sendBare(b, l, cfg, block) }) },
			}
			for j := range runs {
				runs[(start/benchBlock+i+j)%len(runs)]()
			}
		}
		ours += timed(func() { _ = s.Close() })
		bare += timed(func() { _ = c.Close() })
		lean += timed(func() { _ = l.Close() })
		b.StopTimer()
		if got := len(mp.WaitCount(b, 3*len(msgs), 30*time.Second)); got != 3*len(msgs) {
			b.Fatalf("mailpit holds %d messages, want %d", got, 3*len(msgs))
		}
		b.StartTimer()
	}
	b.StopTimer()
	n := float64(b.N * benchMessages)
	oursRate, bareRate, leanRate := n/ours.Seconds(), n/bare.Seconds(), n/lean.Seconds()
	b.ReportMetric(oursRate, "sender_msgs/s")
	b.ReportMetric(bareRate, "bare_msgs/s")
	b.ReportMetric(leanRate, "bare_lean_msgs/s")
	b.ReportMetric(oursRate/bareRate, "ratio")
	b.ReportMetric(oursRate/leanRate, "ratio_lean")
	b.Logf("%d messages each: Sender %.0f msgs/s, bare go-mail %.0f msgs/s (ratio %.2f), bare go-mail without NOOP/RSET %.0f msgs/s (ratio %.2f)",
		b.N*benchMessages, oursRate, bareRate, oursRate/bareRate, leanRate, oursRate/leanRate)
	if oursRate/bareRate < 0.7 {
		b.Errorf("Sender reaches %.2f of a bare go-mail loop, below the 0.7 target", oursRate/bareRate)
	}
}

func timed(f func()) time.Duration {
	start := time.Now()
	f()
	return time.Since(start)
}

func newBenchSender(b *testing.B, cfg smtp.Config) *smtp.Sender {
	b.Helper()
	s, err := smtp.NewSender(cfg)
	if err != nil {
		b.Fatal(err)
	}
	if err := s.Dial(context.Background()); err != nil {
		b.Fatal(err)
	}
	return s
}

func sendWithSender(b *testing.B, s *smtp.Sender, msgs []*core.Message) {
	for _, m := range msgs {
		if r := s.Send(context.Background(), m); r.Outcome != smtp.Sent {
			b.Fatalf("%s: %s", r.Outcome, r.Detail)
		}
	}
}

func newBareClient(b *testing.B, cfg smtp.Config, extra ...gomail.Option) *gomail.Client {
	b.Helper()
	opts := append([]gomail.Option{gomail.WithPort(cfg.Port), gomail.WithTLSPolicy(gomail.NoTLS),
		gomail.WithHELO("localhost"), gomail.WithTimeout(cfg.Timeout)}, extra...)
	c, err := gomail.NewClient(cfg.Host, opts...)
	if err != nil {
		b.Fatal(err)
	}
	if err := c.DialWithContext(context.Background()); err != nil {
		b.Fatal(err)
	}
	return c
}

// sendBare is the plain go-mail way: build each message, Send it on the open client.
func sendBare(b *testing.B, c *gomail.Client, cfg smtp.Config, msgs []*core.Message) {
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
}
