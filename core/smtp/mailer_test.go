package smtp

import (
	"context"
	"testing"
	"time"

	"convive/core"
)

func TestEveryOutcomeMapsToTheOutboxOutcome(t *testing.T) {
	for o, want := range map[Outcome]core.SendOutcome{
		Sent:        core.SendOK,
		Temporary:   core.SendRetry,
		Permanent:   core.SendFailed,
		Unknown:     core.SendUnknown,
		AuthFailed:  core.SendPause,
		ConfigError: core.SendPause,
	} {
		if got := OutboxOutcome(o); got != want {
			t.Errorf("%s maps to %d, want %d", o, got, want)
		}
	}
}

func TestTheMailerPassesTheServersRefusalInFrench(t *testing.T) {
	fs := newFakeServer(t, func(fs *fakeServer) {
		fs.onRcpt = func(n int, to string) error {
			if n == 2 {
				return smtpErr(550, "5.1.1", "No such user")
			}
			return nil
		}
	}, nil, false)
	ml := NewMailer(newSender(t, fs.config()))
	var logged []Result
	ml.OnResult = func(_ *core.Message, r Result) { logged = append(logged, r) }
	if r := ml.Send(context.Background(), frMessage(1, "a@exemple.fr")); r.Outcome != core.SendOK || r.Detail != "" {
		t.Fatalf("first message: %+v", r)
	}
	r := ml.Send(context.Background(), frMessage(2, "personne@exemple.fr"))
	if r.Outcome != core.SendFailed {
		t.Fatalf("550: %+v", r)
	}
	checkTypography(t, r.Detail)
	if len(logged) != 2 || logged[1].Code != 550 || logged[1].Detail != r.Detail {
		t.Errorf("the log hook got %+v", logged)
	}
}

func TestRefusedCredentialsPauseTheOutbox(t *testing.T) {
	fs := newFakeServer(t, func(fs *fakeServer) { fs.user, fs.password = "formation", "bon" }, nil, false)
	cfg := fs.config()
	cfg.Auth, cfg.User, cfg.Password = AuthPlain, "formation", "mauvais"
	r := NewMailer(newSender(t, cfg)).Send(context.Background(), frMessage(1, "a@exemple.fr"))
	if r.Outcome != core.SendPause || r.Detail == "" {
		t.Fatalf("refused credentials: %+v", r)
	}
	if len(fs.Messages()) != 0 {
		t.Error("a message went out")
	}
}

func TestTheMailerSaysWhenTheRateLimitAsksToWait(t *testing.T) {
	fs := newFakeServer(t, nil, nil, false)
	cfg := fs.config()
	cfg.RateLimit = 600 // one every 100 ms
	ml := NewMailer(newSender(t, cfg))
	if !ml.RateLimited() {
		t.Error("a mailer with 600 a minute says it has no rate limit")
	}
	if NewMailer(newSender(t, fs.config())).RateLimited() {
		t.Error("a mailer without a rate limit says it has one")
	}
	if !ml.Ready() {
		t.Fatal("not ready before the first message")
	}
	if r := ml.Send(context.Background(), frMessage(1, "a@exemple.fr")); r.Outcome != core.SendOK {
		t.Fatal(r.Detail)
	}
	if ml.Ready() {
		t.Fatal("ready right after a message, with 600 a minute")
	}
	start := time.Now()
	if err := ml.Wait(context.Background()); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d < 80*time.Millisecond {
		t.Errorf("Wait returned after %v, want about 100 ms", d)
	}
	if !ml.Ready() {
		t.Error("not ready after Wait")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	ml.Send(context.Background(), frMessage(2, "a@exemple.fr"))
	if err := ml.Wait(ctx); err == nil {
		t.Error("Wait ignores a cancelled context")
	}
}

func TestConfigFromSettingsKeepsEveryStoredField(t *testing.T) {
	cfg := ConfigFromSettings(core.SMTPSettings{Host: "smtp.exemple.fr", Port: 465, Security: "tls", Auth: "login", User: "formation",
		From: "formation@exemple.fr", FromName: "Service formation", ReplyTo: "ne-pas-repondre@exemple.fr", RateLimit: 30}, "secret")
	want := Config{Host: "smtp.exemple.fr", Port: 465, Security: SecurityTLS, Auth: AuthLogin, User: "formation", Password: "secret",
		From: "formation@exemple.fr", FromName: "Service formation", ReplyTo: "ne-pas-repondre@exemple.fr", RateLimit: 30}
	if cfg != want {
		t.Errorf("got %+v\nwant %+v", cfg, want)
	}
	if err := cfg.Validate(); err != nil {
		t.Error(err)
	}
}
