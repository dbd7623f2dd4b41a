package smtp

import (
	"bytes"
	"context"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/mail"
	"os"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"convive/core"

	gosmtp "github.com/emersion/go-smtp"
)

// frMessage is the kind of message the outbox hands over: French subject and bodies.
func frMessage(i int, to string) *core.Message {
	n := strings.Repeat("I", i%4+1)
	return &core.Message{
		ID:        int64(i),
		Kind:      core.KindInvitation,
		To:        to,
		Subject:   "Invitation n°" + n + " : « Sécurité électrique », accès à la plateforme",
		Text:      "Bonjour Hélène,\n\nVous êtes invitée à rejoindre la formation « Prévention des risques » " + n + ".\nÀ bientôt,\nLe service formation — Œuvre & Cœur\n",
		HTML:      "<p>Bonjour Hélène,</p><p>Vous êtes invitée à rejoindre la formation « Prévention des risques » " + n + ".</p><p>À bientôt,<br>Le service formation — Œuvre &amp; Cœur</p>",
		MessageID: NewMessageID("formation@exemple.fr"),
		State:     core.MessageSending,
	}
}

func newSender(t *testing.T, cfg Config) *Sender {
	t.Helper()
	s, err := NewSender(cfg)
	if err != nil {
		t.Fatalf("NewSender: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func wantOutcome(t *testing.T, r Result, want Outcome) {
	t.Helper()
	if r.Outcome != want {
		t.Fatalf("outcome %q, want %q (detail %q, raw %v)", r.Outcome, want, r.Detail, r.Raw)
	}
	if want != Sent && r.Detail == "" {
		t.Fatalf("a %q outcome comes without a French sentence", r.Outcome)
	}
	checkTypography(t, r.Detail)
}

// bodies returns the decoded text and HTML parts of a multipart/alternative message.
func bodies(t *testing.T, data []byte) (text, html string) {
	t.Helper()
	m, err := mail.ReadMessage(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	mt, params, err := mime.ParseMediaType(m.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/alternative" {
		t.Fatalf("Content-Type %q, want multipart/alternative", m.Header.Get("Content-Type"))
	}
	r := multipart.NewReader(m.Body, params["boundary"])
	for {
		p, err := r.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(p)
		if err != nil {
			t.Fatal(err)
		}
		ct, cp, _ := mime.ParseMediaType(p.Header.Get("Content-Type"))
		if cp["charset"] != "" && !strings.EqualFold(cp["charset"], "utf-8") {
			t.Fatalf("part %s in charset %s, want UTF-8", ct, cp["charset"])
		}
		switch ct {
		case "text/plain":
			text = strings.ReplaceAll(string(b), "\r\n", "\n")
		case "text/html":
			html = strings.ReplaceAll(string(b), "\r\n", "\n")
		}
	}
	return text, html
}

func TestSendDeliversAFrenchMessageWithCleanHeaders(t *testing.T) {
	fs := newFakeServer(t, nil, nil, false)
	s := newSender(t, fs.config())
	m := frMessage(1, "helene.lefevre@exemple.fr")
	r := s.Send(context.Background(), m)
	wantOutcome(t, r, Sent)
	if r.MessageID != m.MessageID {
		t.Errorf("result Message-ID %q, want %q", r.MessageID, m.MessageID)
	}
	got := fs.Messages()
	if len(got) != 1 {
		t.Fatalf("the server received %d messages, want 1", len(got))
	}
	if got[0].From != "formation@exemple.fr" || len(got[0].To) != 1 || got[0].To[0] != "helene.lefevre@exemple.fr" {
		t.Errorf("envelope from %q to %q", got[0].From, got[0].To)
	}
	h := got[0].Header(t)

	t.Run("no User-Agent nor X-Mailer is added", func(t *testing.T) {
		for _, k := range []string{"User-Agent", "X-Mailer"} {
			if v := h.Get(k); v != "" {
				t.Errorf("%s: %q", k, v)
			}
		}
		if bytes.Contains(bytes.ToLower(got[0].Data), []byte("go-mail")) {
			t.Error("the message names the library that sent it")
		}
	})
	t.Run("the Message-ID is the outbox's, as is", func(t *testing.T) {
		if v := h.Get("Message-Id"); v != "<"+m.MessageID+">" {
			t.Errorf("Message-ID %q, want <%s>", v, m.MessageID)
		}
	})
	t.Run("a Date header is set", func(t *testing.T) {
		d, err := h.Date()
		if err != nil || time.Since(d) > time.Minute || time.Until(d) > time.Minute {
			t.Errorf("Date %q (%v)", h.Get("Date"), err)
		}
	})
	t.Run("the subject with accents decodes to the original", func(t *testing.T) {
		raw := h.Get("Subject")
		dec, err := new(mime.WordDecoder).DecodeHeader(raw)
		if err != nil || dec != m.Subject {
			t.Errorf("subject decodes to %q (%v), want %q; raw %q", dec, err, m.Subject, raw)
		}
		for _, r := range raw {
			if r > 127 {
				t.Errorf("raw subject is not 7-bit encoded: %q", raw)
				break
			}
		}
	})
	t.Run("the sender name with accents decodes to the original", func(t *testing.T) {
		a, err := (&mail.AddressParser{WordDecoder: new(mime.WordDecoder)}).Parse(h.Get("From"))
		if err != nil || a.Name != "Service Formation Hélène" || a.Address != "formation@exemple.fr" {
			t.Errorf("From %q parses to %v (%v)", h.Get("From"), a, err)
		}
	})
	t.Run("text and HTML bodies arrive as alternatives, accents intact", func(t *testing.T) {
		text, html := bodies(t, got[0].Data)
		if text != m.Text {
			t.Errorf("text body %q, want %q", text, m.Text)
		}
		if html != m.HTML {
			t.Errorf("HTML body %q, want %q", html, m.HTML)
		}
	})
	t.Run("the machine's host name appears neither in HELO nor in the message", func(t *testing.T) {
		if hs := fs.HELOs(); len(hs) != 1 || hs[0] != "localhost" {
			t.Errorf("HELO names %q, want [localhost]", hs)
		}
		host, err := os.Hostname()
		if err != nil || host == "" || host == "localhost" {
			t.Skip("the machine has no host name of its own to leak")
		}
		for _, hs := range fs.HELOs() {
			if strings.EqualFold(hs, host) {
				t.Errorf("HELO gives the machine's name %q", host)
			}
		}
		// The name is looked for as a whole word of the headers: a short host name
		// ("vm") can appear by chance inside the random letters of a MIME boundary.
		head, _, _ := bytes.Cut(got[0].Data, []byte("\r\n\r\n"))
		word := regexp.MustCompile(`(?i)(^|[^a-z0-9_=-])` + regexp.QuoteMeta(host) + `($|[^a-z0-9_=-])`)
		for _, line := range strings.Split(string(head), "\r\n") {
			if word.MatchString(line) {
				t.Errorf("a header gives the machine's name %q: %q", host, line)
			}
		}
	})
}

func TestSendUsesTheConfiguredHELOName(t *testing.T) {
	fs := newFakeServer(t, nil, nil, false)
	cfg := fs.config()
	cfg.HELO = "mail.exemple.fr"
	wantOutcome(t, newSender(t, cfg).Send(context.Background(), frMessage(1, "a@exemple.fr")), Sent)
	if hs := fs.HELOs(); len(hs) != 1 || hs[0] != "mail.exemple.fr" {
		t.Errorf("HELO names %q", hs)
	}
}

func TestManyMessagesGoOverOneConnection(t *testing.T) {
	fs := newFakeServer(t, nil, nil, false)
	s := newSender(t, fs.config())
	for i := range 50 {
		wantOutcome(t, s.Send(context.Background(), frMessage(i, "apprenant"+strings.Repeat("x", i%3)+"@exemple.fr")), Sent)
	}
	if err := s.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	if n := fs.Connections(); n != 1 {
		t.Errorf("%d connections for 50 messages, want 1", n)
	}
	if n := len(fs.Messages()); n != 50 {
		t.Errorf("the server received %d messages, want 50", n)
	}
}

func TestSendReconnectsAfterTheServerDroppedTheConnection(t *testing.T) {
	fs := newFakeServer(t, nil, nil, false)
	s := newSender(t, fs.config())
	wantOutcome(t, s.Send(context.Background(), frMessage(1, "a@exemple.fr")), Sent)
	// The server closes the idle connection, as servers do after a few minutes.
	fs.srv.Close()
	fs2 := newFakeServerOnPort(t, fs.port)
	r := s.Send(context.Background(), frMessage(2, "b@exemple.fr"))
	wantOutcome(t, r, Sent)
	if n := len(fs2.Messages()); n != 1 {
		t.Errorf("the new server received %d messages, want 1", n)
	}
}

// newFakeServerOnPort starts a plain server on a given port (to replace a stopped one).
func newFakeServerOnPort(t *testing.T, port int) *fakeServer {
	t.Helper()
	var fs *fakeServer
	deadline := time.Now().Add(5 * time.Second)
	for {
		fs = tryFakeServerOnPort(t, port)
		if fs != nil || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if fs == nil {
		t.Fatalf("cannot listen again on port %d", port)
	}
	return fs
}

func TestA421GreetingIsTemporaryAndTheNextTrySucceeds(t *testing.T) {
	fs := newFakeServer(t, func(fs *fakeServer) { fs.reject421 = 1 }, nil, false)
	s := newSender(t, fs.config())
	r := s.Send(context.Background(), frMessage(1, "a@exemple.fr"))
	wantOutcome(t, r, Temporary)
	if r.Code != 421 || !strings.Contains(r.Detail, "421\u00a0: service momentanément indisponible") {
		t.Errorf("code %d, detail %q", r.Code, r.Detail)
	}
	wantOutcome(t, s.Send(context.Background(), frMessage(1, "a@exemple.fr")), Sent)
	if n := len(fs.Messages()); n != 1 {
		t.Errorf("the server received %d messages, want 1", n)
	}
}

func TestServerRefusalsAreClassifiedWithAFrenchSentence(t *testing.T) {
	cases := []struct {
		name    string
		setup   func(*fakeServer)
		outcome Outcome
		code    int
		detail  string
	}{
		{
			name: "451 at RCPT (greylisting) is temporary",
			setup: func(fs *fakeServer) {
				fs.onRcpt = func(int, string) error { return smtpErr(451, "4.7.1", "Greylisted, try again later") }
			},
			outcome: Temporary, code: 451,
			detail: "Le serveur n'accepte pas encore le destinataire «\u00a0helene@exemple.fr\u00a0» (451\u00a0: envoi différé par le serveur, liste grise ou limite d'envoi). Un nouvel essai aura lieu plus tard.",
		},
		{
			name: "451 after the data is temporary",
			setup: func(fs *fakeServer) {
				fs.onData = func(int, *gosmtp.Conn, []byte) error { return smtpErr(451, "", "Local error in processing") }
			},
			outcome: Temporary, code: 451,
			detail: "Le serveur n'a pas accepté le message pour le moment (451\u00a0: erreur momentanée du serveur). Un nouvel essai aura lieu plus tard.",
		},
		{
			name: "550 at RCPT is permanent: unknown mailbox",
			setup: func(fs *fakeServer) {
				fs.onRcpt = func(int, string) error { return smtpErr(550, "5.1.1", "Mailbox unavailable") }
			},
			outcome: Permanent, code: 550,
			detail: "Le serveur a refusé l'adresse du destinataire «\u00a0helene@exemple.fr\u00a0» (550\u00a0: boîte aux lettres inexistante). Vérifiez l'adresse.",
		},
		{
			name: "550 without enhanced code at RCPT is still an unknown mailbox",
			setup: func(fs *fakeServer) {
				fs.onRcpt = func(int, string) error { return smtpErr(550, "x", "No such user here") }
			},
			outcome: Permanent, code: 550,
			detail: "Le serveur a refusé l'adresse du destinataire «\u00a0helene@exemple.fr\u00a0» (550\u00a0: boîte aux lettres inexistante). Vérifiez l'adresse.",
		},
		{
			name: "552 at RCPT is a full mailbox",
			setup: func(fs *fakeServer) {
				fs.onRcpt = func(int, string) error { return smtpErr(552, "5.2.2", "Mailbox full") }
			},
			outcome: Permanent, code: 552,
			detail: "Le serveur a refusé l'adresse du destinataire «\u00a0helene@exemple.fr\u00a0» (552\u00a0: boîte aux lettres pleine). Vérifiez l'adresse.",
		},
		{
			name: "553 at RCPT is a refused address",
			setup: func(fs *fakeServer) {
				fs.onRcpt = func(int, string) error { return smtpErr(553, "", "Relaying denied") }
			},
			outcome: Permanent, code: 553,
			detail: "Le serveur a refusé l'adresse du destinataire «\u00a0helene@exemple.fr\u00a0» (553\u00a0: adresse refusée). Vérifiez l'adresse.",
		},
		{
			name: "501 at RCPT is a malformed address",
			setup: func(fs *fakeServer) {
				fs.onRcpt = func(int, string) error { return smtpErr(501, "", "Bad recipient address syntax") }
			},
			outcome: Permanent, code: 501,
			detail: "Le serveur a refusé l'adresse du destinataire «\u00a0helene@exemple.fr\u00a0» (501\u00a0: adresse mal formée). Vérifiez l'adresse.",
		},
		{
			name: "552 after the data is a message too big",
			setup: func(fs *fakeServer) {
				fs.onData = func(int, *gosmtp.Conn, []byte) error { return smtpErr(552, "5.3.4", "Message too big") }
			},
			outcome: Permanent, code: 552,
			detail: "Le serveur a refusé le message pour «\u00a0helene@exemple.fr\u00a0» (552\u00a0: message trop volumineux). Il ne sera pas renvoyé automatiquement\u00a0; corrigez-le ou contactez l'administrateur du serveur de messagerie.",
		},
		{
			name: "554 5.7.1 after the data is a content filter",
			setup: func(fs *fakeServer) {
				fs.onData = func(int, *gosmtp.Conn, []byte) error { return smtpErr(554, "5.7.1", "Message rejected as spam") }
			},
			outcome: Permanent, code: 554,
			detail: "Le serveur a refusé le message pour «\u00a0helene@exemple.fr\u00a0» (554\u00a0: message refusé par le filtre du serveur). Il ne sera pas renvoyé automatiquement\u00a0; corrigez-le ou contactez l'administrateur du serveur de messagerie.",
		},
		{
			name: "550 at MAIL FROM is the sender address, which pauses the outbox",
			setup: func(fs *fakeServer) {
				fs.onMail = func(int) error { return smtpErr(550, "5.7.1", "Sender not allowed") }
			},
			outcome: ConfigError, code: 550,
			detail: "Le serveur refuse l'adresse d'expéditeur «\u00a0formation@exemple.fr\u00a0» (550\u00a0: envoi refusé par la politique du serveur). Indiquez une adresse que ce compte a le droit d'utiliser dans les réglages SMTP\u00a0; l'envoi est suspendu en attendant.",
		},
		{
			name: "530 at MAIL FROM asks for authentication, which pauses the outbox",
			setup: func(fs *fakeServer) {
				fs.onMail = func(int) error { return smtpErr(530, "5.7.0", "Authentication required") }
			},
			outcome: AuthFailed, code: 530,
			detail: "Le serveur exige une authentification (530\u00a0: authentification exigée). Renseignez l'utilisateur et le mot de passe dans les réglages SMTP\u00a0; l'envoi est suspendu en attendant.",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fs := newFakeServer(t, tc.setup, nil, false)
			r := newSender(t, fs.config()).Send(context.Background(), frMessage(1, "helene@exemple.fr"))
			wantOutcome(t, r, tc.outcome)
			if r.Code != tc.code {
				t.Errorf("code %d, want %d", r.Code, tc.code)
			}
			if r.Detail != tc.detail {
				t.Errorf("detail\n got %q\nwant %q", r.Detail, tc.detail)
			}
			if len(fs.Messages()) != 0 {
				t.Error("the server stored the refused message")
			}
		})
	}
}

func TestAfterARefusalTheNextMessageStillGoes(t *testing.T) {
	fs := newFakeServer(t, func(fs *fakeServer) {
		fs.onRcpt = func(_ int, to string) error {
			if strings.HasPrefix(to, "inconnu") {
				return smtpErr(550, "5.1.1", "User unknown")
			}
			return nil
		}
	}, nil, false)
	s := newSender(t, fs.config())
	wantOutcome(t, s.Send(context.Background(), frMessage(1, "inconnu@exemple.fr")), Permanent)
	wantOutcome(t, s.Send(context.Background(), frMessage(2, "connu@exemple.fr")), Sent)
	if got := fs.Messages(); len(got) != 1 || got[0].To[0] != "connu@exemple.fr" {
		t.Errorf("the server stored %v", got)
	}
}

func TestAuthentication(t *testing.T) {
	setup := func(fs *fakeServer) { fs.user, fs.password = "formation", "S3cret-été" }
	t.Run("good credentials send the message", func(t *testing.T) {
		fs := newFakeServer(t, setup, nil, false)
		cfg := fs.config()
		cfg.Auth, cfg.User, cfg.Password = AuthAuto, "formation", "S3cret-été"
		wantOutcome(t, newSender(t, cfg).Send(context.Background(), frMessage(1, "a@exemple.fr")), Sent)
		if len(fs.Authenticated()) == 0 {
			t.Error("the server saw no authentication")
		}
	})
	t.Run("a refused password is AuthFailed, and pauses the outbox", func(t *testing.T) {
		fs := newFakeServer(t, setup, nil, false)
		cfg := fs.config()
		cfg.Auth, cfg.User, cfg.Password = AuthPlain, "formation", "faux"
		r := newSender(t, cfg).Send(context.Background(), frMessage(1, "a@exemple.fr"))
		wantOutcome(t, r, AuthFailed)
		if !r.PausesOutbox() || r.Retry() {
			t.Error("an authentication failure must pause the outbox, not retry the message")
		}
		want := "Le serveur a refusé l'utilisateur ou le mot de passe (535\u00a0: identifiants refusés). Vérifiez-les dans les réglages SMTP\u00a0; l'envoi est suspendu en attendant."
		if r.Detail != want {
			t.Errorf("detail %q, want %q", r.Detail, want)
		}
		if len(fs.Messages()) != 0 {
			t.Error("a message went through without authentication")
		}
	})
	t.Run("asking for a method the server lacks is a ConfigError", func(t *testing.T) {
		fs := newFakeServer(t, setup, nil, false)
		cfg := fs.config()
		cfg.Auth, cfg.User, cfg.Password = AuthCRAMMD5, "formation", "S3cret-été"
		r := newSender(t, cfg).Send(context.Background(), frMessage(1, "a@exemple.fr"))
		wantOutcome(t, r, ConfigError)
		if !strings.Contains(r.Detail, "CRAM-MD5") {
			t.Errorf("detail %q does not name the method", r.Detail)
		}
	})
	t.Run("a user set for a server without AUTH is a ConfigError", func(t *testing.T) {
		fs := newFakeServer(t, nil, nil, false)
		cfg := fs.config()
		cfg.Auth, cfg.User, cfg.Password = AuthAuto, "formation", "x"
		wantOutcome(t, newSender(t, cfg).Send(context.Background(), frMessage(1, "a@exemple.fr")), ConfigError)
	})
}

func TestAConnectionClosedAfterTheDataIsUnknown(t *testing.T) {
	fs := newFakeServer(t, func(fs *fakeServer) {
		fs.onData = func(n int, c *gosmtp.Conn, _ []byte) error {
			if n == 1 {
				// The body is read in full, then the line drops before the answer.
				_ = c.Conn().Close()
			}
			return nil
		}
	}, nil, false)
	s := newSender(t, fs.config())
	r := s.Send(context.Background(), frMessage(1, "a@exemple.fr"))
	wantOutcome(t, r, Unknown)
	if r.Retry() || r.PausesOutbox() {
		t.Error("an unknown outcome must neither be retried nor pause the outbox")
	}
	if !strings.Contains(r.Detail, "a peut-être été reçu") {
		t.Errorf("detail %q does not say the message may have arrived", r.Detail)
	}
	// The Sender is still usable: the next message opens a new connection.
	wantOutcome(t, s.Send(context.Background(), frMessage(2, "b@exemple.fr")), Sent)
}

func TestAMessageLostAfterItsDataIsNeverSentAgainOnItsOwn(t *testing.T) {
	var calls atomic.Int32
	fs := newFakeServer(t, func(fs *fakeServer) {
		fs.onData = func(n int, c *gosmtp.Conn, _ []byte) error {
			if n == 2 {
				calls.Add(1)
				_ = c.Conn().Close()
			}
			return nil
		}
	}, nil, false)
	s := newSender(t, fs.config())
	wantOutcome(t, s.Send(context.Background(), frMessage(1, "a@exemple.fr")), Sent)
	wantOutcome(t, s.Send(context.Background(), frMessage(2, "b@exemple.fr")), Unknown)
	if calls.Load() != 1 || fs.Connections() != 1 {
		t.Errorf("the data of the second message went %d times over %d connections, want once over 1", calls.Load(), fs.Connections())
	}
}

func TestAServerThatIsDownIsTemporary(t *testing.T) {
	cfg := Config{Host: "127.0.0.1", Port: freePort(t), Security: SecurityNone, From: "formation@exemple.fr", Timeout: 3 * time.Second}
	r := newSender(t, cfg).Send(context.Background(), frMessage(1, "a@exemple.fr"))
	wantOutcome(t, r, Temporary)
	if !strings.Contains(r.Detail, "refuse la connexion") {
		t.Errorf("detail %q", r.Detail)
	}
}

func TestASlowServer(t *testing.T) {
	t.Run("past the time-out before the data, it is temporary", func(t *testing.T) {
		fs := newFakeServer(t, func(fs *fakeServer) {
			fs.onMail = func(int) error { time.Sleep(2500 * time.Millisecond); return nil }
		}, nil, false)
		cfg := fs.config()
		cfg.Timeout = time.Second
		start := time.Now()
		r := newSender(t, cfg).Send(context.Background(), frMessage(1, "a@exemple.fr"))
		wantOutcome(t, r, Temporary)
		if !strings.Contains(r.Detail, "n'a pas répondu dans les 1 secondes") {
			t.Errorf("detail %q", r.Detail)
		}
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("Send took %v with a 1 s time-out", d)
		}
	})
	t.Run("past the time-out after the data, it is unknown", func(t *testing.T) {
		fs := newFakeServer(t, func(fs *fakeServer) {
			fs.onData = func(int, *gosmtp.Conn, []byte) error { time.Sleep(2500 * time.Millisecond); return nil }
		}, nil, false)
		cfg := fs.config()
		cfg.Timeout = time.Second
		wantOutcome(t, newSender(t, cfg).Send(context.Background(), frMessage(1, "a@exemple.fr")), Unknown)
	})
}

func TestTLS(t *testing.T) {
	serverTLS, pool := testCert(t)
	t.Run("STARTTLS required but not offered is a ConfigError, nothing sent in clear", func(t *testing.T) {
		fs := newFakeServer(t, nil, nil, false)
		cfg := fs.config()
		cfg.Security = SecuritySTARTTLS
		r := newSender(t, cfg).Send(context.Background(), frMessage(1, "a@exemple.fr"))
		wantOutcome(t, r, ConfigError)
		if !strings.Contains(r.Detail, "ne propose pas STARTTLS") {
			t.Errorf("detail %q", r.Detail)
		}
		if len(fs.Messages()) != 0 {
			t.Error("a message was sent in clear text")
		}
	})
	t.Run("STARTTLS with a trusted certificate sends", func(t *testing.T) {
		fs := newFakeServer(t, func(fs *fakeServer) { fs.user, fs.password = "u", "p" }, serverTLS, false)
		cfg := fs.config()
		cfg.Security, cfg.rootCAs = SecuritySTARTTLS, pool
		cfg.Auth, cfg.User, cfg.Password = AuthAuto, "u", "p"
		wantOutcome(t, newSender(t, cfg).Send(context.Background(), frMessage(1, "a@exemple.fr")), Sent)
	})
	t.Run("STARTTLS with an unknown certificate authority is temporary", func(t *testing.T) {
		fs := newFakeServer(t, nil, serverTLS, false)
		cfg := fs.config()
		cfg.Security = SecuritySTARTTLS
		r := newSender(t, cfg).Send(context.Background(), frMessage(1, "a@exemple.fr"))
		wantOutcome(t, r, Temporary)
		if !strings.Contains(r.Detail, "autorité inconnue") {
			t.Errorf("detail %q", r.Detail)
		}
	})
	t.Run("implicit TLS sends", func(t *testing.T) {
		fs := newFakeServer(t, nil, serverTLS, true)
		cfg := fs.config()
		cfg.Security, cfg.rootCAs = SecurityTLS, pool
		wantOutcome(t, newSender(t, cfg).Send(context.Background(), frMessage(1, "a@exemple.fr")), Sent)
	})
	t.Run("implicit TLS towards a clear-text port is a ConfigError", func(t *testing.T) {
		fs := newFakeServer(t, nil, nil, false)
		cfg := fs.config()
		cfg.Security = SecurityTLS
		r := newSender(t, cfg).Send(context.Background(), frMessage(1, "a@exemple.fr"))
		wantOutcome(t, r, ConfigError)
		if !strings.Contains(r.Detail, "ne répond pas en TLS") {
			t.Errorf("detail %q", r.Detail)
		}
	})
}

func TestTheRateLimitSpacesMessages(t *testing.T) {
	fs := newFakeServer(t, nil, nil, false)
	cfg := fs.config()
	cfg.RateLimit = 600 // one every 100 ms
	s := newSender(t, cfg)
	start := time.Now()
	for i := range 4 {
		wantOutcome(t, s.Send(context.Background(), frMessage(i, "a@exemple.fr")), Sent)
	}
	if d := time.Since(start); d < 300*time.Millisecond {
		t.Errorf("4 messages at 600 a minute took %v, want at least 300 ms", d)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	r := s.Send(ctx, frMessage(9, "a@exemple.fr"))
	wantOutcome(t, r, Temporary)
	if !errors.Is(r.Raw, context.Canceled) {
		t.Errorf("raw %v, want context.Canceled", r.Raw)
	}
	if n := len(fs.Messages()); n != 4 {
		t.Errorf("the server received %d messages, want 4", n)
	}
}

func TestAnInvalidRecipientIsPermanentWithoutContactingTheServer(t *testing.T) {
	fs := newFakeServer(t, nil, nil, false)
	r := newSender(t, fs.config()).Send(context.Background(), frMessage(1, "hélène@exemple.fr"))
	wantOutcome(t, r, Permanent)
	if !strings.HasPrefix(r.Detail, "Destinataire\u00a0: «\u00a0hélène@exemple.fr\u00a0»") {
		t.Errorf("detail %q", r.Detail)
	}
	if fs.Connections() != 0 {
		t.Error("the server was contacted for a message that cannot be sent")
	}
}

func TestAnInternationalDomainIsSentInPunycode(t *testing.T) {
	fs := newFakeServer(t, nil, nil, false)
	wantOutcome(t, newSender(t, fs.config()).Send(context.Background(), frMessage(1, "jean@société.fr")), Sent)
	if got := fs.Messages(); len(got) != 1 || got[0].To[0] != "jean@xn--socit-esab.fr" {
		t.Errorf("envelope recipients %v", got)
	}
}

func TestTestConnection(t *testing.T) {
	setup := func(fs *fakeServer) { fs.user, fs.password = "formation", "bon" }
	t.Run("good settings connect, log in and send nothing", func(t *testing.T) {
		fs := newFakeServer(t, setup, nil, false)
		cfg := fs.config()
		cfg.Auth, cfg.User, cfg.Password = AuthAuto, "formation", "bon"
		if err := Test(context.Background(), cfg); err != nil {
			t.Fatalf("Test: %v", err)
		}
		if len(fs.Authenticated()) != 1 || len(fs.Messages()) != 0 {
			t.Errorf("authenticated %v, messages %d", fs.Authenticated(), len(fs.Messages()))
		}
	})
	t.Run("a bad password gives a French error the GUI can show", func(t *testing.T) {
		fs := newFakeServer(t, setup, nil, false)
		cfg := fs.config()
		cfg.Auth, cfg.User, cfg.Password = AuthAuto, "formation", "mauvais"
		err := Test(context.Background(), cfg)
		var f *Failure
		if !errors.As(err, &f) || f.Outcome != AuthFailed {
			t.Fatalf("error %v, want an AuthFailed *Failure", err)
		}
		want := "Le serveur a refusé l'utilisateur ou le mot de passe (535\u00a0: identifiants refusés). Vérifiez-les dans les réglages SMTP."
		if msg := core.ErrorMessage(err); msg != want {
			t.Errorf("core.ErrorMessage gives %q, want %q", msg, want)
		}
		if core.ErrorCode(err) != core.EInvalid {
			t.Errorf("code %q, want %q", core.ErrorCode(err), core.EInvalid)
		}
	})
	t.Run("a server that is down says to try again, not that the outbox will", func(t *testing.T) {
		cfg := Config{Host: "127.0.0.1", Port: freePort(t), Security: SecurityNone, From: "a@exemple.fr"}
		err := Test(context.Background(), cfg)
		msg := core.ErrorMessage(err)
		if !strings.HasSuffix(msg, "Réessayez plus tard.") || strings.Contains(msg, "nouvel essai") {
			t.Errorf("message %q", msg)
		}
	})
	t.Run("invalid settings are refused before any connection", func(t *testing.T) {
		err := Test(context.Background(), Config{Host: "smtp.exemple.fr", Security: SecurityNone, From: "a@exemple.fr"})
		if core.ErrorCode(err) != core.EInvalid {
			t.Fatalf("error %v, want a *core.Error", err)
		}
	})
	t.Run("the test message made from the template ends with the settings in use", func(t *testing.T) {
		cfg := Config{Host: "smtp.exemple.fr", Port: 587, Security: SecurityNone, From: "formation@exemple.fr"}
		m := TemplateTestMessage(cfg, core.Message{To: "responsable@exemple.fr", Subject: "Notre essai",
			Text: "Bonjour,\n\nCeci est notre essai.\n", HTML: "<html><body><p>Bonjour,</p></body></html>"})
		if m.Kind != core.KindTest || m.MessageID == "" || m.Subject != "Notre essai" || m.To != "responsable@exemple.fr" {
			t.Errorf("message %+v", m)
		}
		if !strings.HasPrefix(m.Text, "Bonjour,\n\nCeci est notre essai.\n\n—\nRéglages utilisés\u00a0: serveur smtp.exemple.fr:587") {
			t.Errorf("text %q", m.Text)
		}
		if !strings.Contains(m.HTML, "<p>—<br>Réglages utilisés") || !strings.HasSuffix(m.HTML, "</p>\n</body></html>") {
			t.Errorf("html %q", m.HTML)
		}
	})
	t.Run("the test message reaches the server", func(t *testing.T) {
		fs := newFakeServer(t, nil, nil, false)
		m := TestMessage(fs.config(), "responsable@exemple.fr")
		wantOutcome(t, newSender(t, fs.config()).Send(context.Background(), m), Sent)
		got := fs.Messages()
		if len(got) != 1 {
			t.Fatalf("%d messages", len(got))
		}
		subject, _ := new(mime.WordDecoder).DecodeHeader(got[0].Header(t).Get("Subject"))
		if subject != "Convive\u00a0: e-mail de test" {
			t.Errorf("subject %q", subject)
		}
		text, html := bodies(t, got[0].Data)
		if !strings.Contains(text, "Serveur\u00a0: 127.0.0.1:") || !strings.Contains(html, "<p>Bonjour,</p>") {
			t.Errorf("text %q\nhtml %q", text, html)
		}
	})
}
