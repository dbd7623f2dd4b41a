package sqlite_test

import (
	"context"
	"net/mail"
	"path/filepath"
	"testing"
	"time"

	"convive/core"
	"convive/core/smtp"
	"convive/core/smtp/mailpittest"
	"convive/core/sqlite"

	gomail "github.com/wneessen/go-mail"
)

const (
	benchOutbox      = 2000
	benchOutboxBlock = 100
)

// oneByOne is the Mailer said to be rate-limited (its limit is none, so it never
// waits): the dispatcher then commits each result, with the claim of the next message,
// before that message starts, instead of during the conversation before it.
type oneByOne struct{ *smtp.Mailer }

func (oneByOne) RateLimited() bool { return true }

// BenchmarkOutboxAgainstBareGoMail sends 2 000 queued French messages to a local mailpit
// through the Dispatcher and the real store, every state change committed
// (synchronous=FULL), and the same messages through a bare go-mail loop on one
// connection, in the same run. The dispatcher runs twice: as wired (the commit of a
// message's result and of the next one's claim runs during the conversation of the
// message between them) and one by one (that commit between two conversations, as with
// a rate limit). The three take turns by blocks of 100 messages so that a busy machine
// slows them alike. It reports the rates and the ratios to the bare loop (target 0.7).
//
//	go test ./core/sqlite -run '^$' -bench OutboxAgainstBareGoMail -benchtime 1x
func BenchmarkOutboxAgainstBareGoMail(b *testing.B) {
	mp := mailpittest.Start(b)
	cfg := smtp.Config{Host: mp.Host, Port: mp.SMTPPort, Security: smtp.SecurityNone, Auth: smtp.AuthNone,
		From: "formation@exemple.fr", FromName: "Service formation", Timeout: 10 * time.Second}
	msgs := frenchMessages(benchOutbox)
	var piped, serial, bare time.Duration
	var fsync time.Duration
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		mp.DeleteAll(b)
		stPiped, dPiped := benchDispatcher(b, cfg, msgs)
		stSerial, dSerial := benchDispatcher(b, cfg, msgs)
		dSerial.Sender = oneByOne{dSerial.Sender.(*smtp.Mailer)}
		fsync = commitTime(b, stPiped)
		queued, err := stPiped.Outbox(context.Background(), core.OutboxFilter{})
		if err != nil {
			b.Fatal(err)
		}
		c := bareClient(b, cfg)
		b.StartTimer()
		for start := 0; start < benchOutbox; start += benchOutboxBlock {
			runs := []func(){
				func() { piped += timedRun(b, dPiped) },
				func() { serial += timedRun(b, dSerial) },
				func() {
					start0 := time.Now()
					sendBare(b, c, cfg, queued[start:start+benchOutboxBlock])
					bare += time.Since(start0)
				},
			}
			for j := range runs {
				runs[(start/benchOutboxBlock+i+j)%len(runs)]()
			}
		}
		piped += timed(func() { _ = dPiped.Sender.Close() })
		serial += timed(func() { _ = dSerial.Sender.Close() })
		bare += timed(func() { _ = c.Close() })
		b.StopTimer()
		for _, st := range []*sqlite.Store{stPiped, stSerial} {
			if n, _ := st.CountOutbox(context.Background(), core.OutboxFilter{States: []core.MessageState{core.MessageSent}}); n != benchOutbox {
				b.Fatalf("%d messages sent by the dispatcher, want %d", n, benchOutbox)
			}
		}
		if got := len(mp.WaitCount(b, 3*benchOutbox, 30*time.Second)); got != 3*benchOutbox {
			b.Fatalf("mailpit holds %d messages, want %d", got, 3*benchOutbox)
		}
		b.StartTimer()
	}
	b.StopTimer()
	n := float64(b.N * benchOutbox)
	pipedRate, serialRate, bareRate := n/piped.Seconds(), n/serial.Seconds(), n/bare.Seconds()
	b.ReportMetric(pipedRate, "outbox_msgs/s")
	b.ReportMetric(serialRate, "outbox_1by1_msgs/s")
	b.ReportMetric(bareRate, "bare_msgs/s")
	b.ReportMetric(pipedRate/bareRate, "ratio")
	b.ReportMetric(serialRate/bareRate, "ratio_1by1")
	b.ReportMetric(float64(fsync.Microseconds())/1000, "commit_ms")
	b.Logf("%d messages each: outbox %.0f msgs/s (ratio %.2f), one by one %.0f msgs/s (ratio %.2f), bare go-mail %.0f msgs/s; one small commit takes %v here",
		b.N*benchOutbox, pipedRate, pipedRate/bareRate, serialRate, serialRate/bareRate, bareRate, fsync)
	if pipedRate/bareRate < 0.7 {
		b.Logf("below the 0.7 target: each message's commit (%v here) runs during a conversation, but the next conversation waits for it when it takes longer than the conversation", fsync)
	}
}

// benchDispatcher opens a new store with msgs queued and a dispatcher towards cfg.
func benchDispatcher(b *testing.B, cfg smtp.Config, msgs []core.Message) (*sqlite.Store, *core.Dispatcher) {
	b.Helper()
	st, err := sqlite.Open(filepath.Join(b.TempDir(), "convive.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = st.Close() })
	if err := st.Enqueue(context.Background(), msgs...); err != nil {
		b.Fatal(err)
	}
	s, err := smtp.NewSender(cfg)
	if err != nil {
		b.Fatal(err)
	}
	if err := s.Dial(context.Background()); err != nil {
		b.Fatal(err)
	}
	d := &core.Dispatcher{Store: st, Sender: smtp.NewMailer(s), Backoff: smtp.Backoff, Now: func() time.Time { return time.Now().Add(time.Second) }}
	return st, d
}

// commitTime measures one small committed write on st, the floor of every state change.
func commitTime(b *testing.B, st *sqlite.Store) time.Duration {
	b.Helper()
	const n = 20
	start := time.Now()
	for i := range n {
		if err := st.SetSetting(context.Background(), "bench.commit", string(rune('a'+i))); err != nil {
			b.Fatal(err)
		}
	}
	return time.Since(start) / n
}

func timed(f func()) time.Duration {
	start := time.Now()
	f()
	return time.Since(start)
}

func timedRun(b *testing.B, d *core.Dispatcher) time.Duration {
	start := time.Now()
	rep, err := d.Run(context.Background(), benchOutboxBlock)
	if err != nil {
		b.Fatal(err)
	}
	if rep.Sent != benchOutboxBlock {
		b.Fatalf("dispatcher: %+v", rep)
	}
	return time.Since(start)
}

func bareClient(b *testing.B, cfg smtp.Config) *gomail.Client {
	b.Helper()
	c, err := gomail.NewClient(cfg.Host, gomail.WithPort(cfg.Port), gomail.WithTLSPolicy(gomail.NoTLS),
		gomail.WithHELO("localhost"), gomail.WithTimeout(cfg.Timeout))
	if err != nil {
		b.Fatal(err)
	}
	if err := c.DialWithContext(context.Background()); err != nil {
		b.Fatal(err)
	}
	return c
}

// sendBare is the plain go-mail way: build each message, Send it on the open client.
func sendBare(b *testing.B, c *gomail.Client, cfg smtp.Config, msgs []core.Message) {
	for _, m := range msgs {
		gm := gomail.NewMsg()
		gm.FromMailAddress(&mail.Address{Name: cfg.FromName, Address: cfg.From})
		if err := gm.To(m.To); err != nil {
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
