package smtp

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/textproto"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestClassify(t *testing.T) {
	cl := classifier{cfg: Config{Host: "smtp.exemple.fr", From: "formation@exemple.fr"}.Normalized(), to: "jean@exemple.fr"}
	opErr := func(err error) error { return &net.OpError{Op: "dial", Net: "tcp", Err: err} }
	cases := []struct {
		name    string
		err     error
		ph      phase
		outcome Outcome
		says    string
	}{
		{"a refused connection is temporary", opErr(syscall.ECONNREFUSED), phaseConnect, Temporary, "smtp.exemple.fr:587 refuse la connexion"},
		{"an unknown host name is temporary", opErr(&net.DNSError{Err: "no such host", Name: "smtp.exemple.fr", IsNotFound: true}), phaseConnect, Temporary, "«\u00a0smtp.exemple.fr\u00a0» est introuvable"},
		{"a dial time-out is temporary", opErr(os.ErrDeadlineExceeded), phaseConnect, Temporary, "n'a pas répondu dans les 30 secondes"},
		{"an unreachable network is temporary", opErr(syscall.ENETUNREACH), phaseConnect, Temporary, "Impossible de joindre le serveur"},
		{"a TLS alert is temporary", tls.AlertError(40), phaseGreeting, Temporary, "connexion chiffrée"},
		{"a connection closed during the greeting is temporary", io.EOF, phaseGreeting, Temporary, "a coupé la connexion avant l'envoi"},
		{"a connection reset while writing the data is temporary", fmt.Errorf("write: %w", syscall.EPIPE), phaseData, Temporary, "le message n'est pas parti"},
		{"EOF after the final dot is unknown", io.EOF, phaseDataEnd, Unknown, "a peut-être été reçu"},
		{"a reset after the final dot is unknown", opErr(syscall.ECONNRESET), phaseDataEnd, Unknown, "a peut-être été reçu"},
		{"a time-out after the final dot is unknown", opErr(os.ErrDeadlineExceeded), phaseDataEnd, Unknown, "n'a pas confirmé la réception"},
		{"a cancelled dial is temporary", errors.Join(context.Canceled, opErr(errors.New("operation was canceled"))), phaseConnect, Temporary, "interrompu"},
		{"454 during AUTH is temporary", &textproto.Error{Code: 454, Msg: "4.7.0 Temporary authentication failure"}, phaseAuth, Temporary, "pour le moment (454\u00a0:"},
		{"535 during AUTH is an authentication failure", &textproto.Error{Code: 535, Msg: "5.7.8 Bad credentials"}, phaseAuth, AuthFailed, "(535\u00a0: identifiants refusés)"},
		{"534 during AUTH asks for another method", &textproto.Error{Code: 534, Msg: "5.7.9 Please log in with your web browser"}, phaseAuth, AuthFailed, "méthode d'authentification"},
		{"554 in the greeting pauses the outbox", &textproto.Error{Code: 554, Msg: "5.7.1 Your IP is blocked"}, phaseGreeting, ConfigError, "refuse la connexion (554\u00a0:"},
		{"421 in the greeting is temporary", &textproto.Error{Code: 421, Msg: "4.3.2 Try later"}, phaseGreeting, Temporary, "momentanément indisponible (421\u00a0:"},
		{"552 at MAIL FROM is a message too big", &textproto.Error{Code: 552, Msg: "5.3.4 Message size exceeds fixed limit"}, phaseMail, Permanent, "Réduisez sa taille"},
		{"450 at RCPT is temporary", &textproto.Error{Code: 450, Msg: "4.2.1 Mailbox busy"}, phaseRcpt, Temporary, "(450\u00a0: boîte aux lettres momentanément indisponible)"},
		{"556 at RCPT is a domain without mail", &textproto.Error{Code: 556, Msg: "5.1.10 Null MX"}, phaseRcpt, Permanent, "ne reçoit pas d'e-mails"},
		{"554 at DATA is permanent", &textproto.Error{Code: 554, Msg: "5.5.1 No valid recipients"}, phaseData, Permanent, "(554\u00a0: message refusé)"},
		{"250-like 251 after the final dot is sent", &textproto.Error{Code: 251, Msg: "2.1.5 Will forward"}, phaseDataEnd, Sent, ""},
		{"a missing STARTTLS pauses the outbox", errors.New(`STARTTLS mode set to: "TLSMandatory", but target host does not support STARTTLS`), phaseGreeting, ConfigError, "ne propose pas STARTTLS"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := cl.classify(tc.err, tc.ph)
			if r.Outcome != tc.outcome {
				t.Fatalf("outcome %q, want %q (%s)", r.Outcome, tc.outcome, r.Detail)
			}
			if !strings.Contains(r.Detail, tc.says) {
				t.Errorf("detail %q does not say %q", r.Detail, tc.says)
			}
			if tc.outcome != Sent && !errors.Is(r.Raw, tc.err) {
				t.Errorf("raw %v, want the original error", r.Raw)
			}
			checkTypography(t, r.Detail)
		})
	}
}

func TestFailureCarriesAFrenchCoreError(t *testing.T) {
	raw := &net.OpError{Op: "dial", Err: syscall.ECONNREFUSED}
	f := &Failure{classifier{cfg: Config{Host: "smtp.exemple.fr"}.Normalized()}.classify(raw, phaseConnect)}
	var err error = f
	if !errors.Is(err, syscall.ECONNREFUSED) {
		t.Error("the raw cause is lost")
	}
	if !strings.HasPrefix(err.Error(), "Le serveur smtp.exemple.fr:587 refuse la connexion") {
		t.Errorf("Error() = %q", err.Error())
	}
}

func TestBackoff(t *testing.T) {
	cases := []struct {
		attempt int
		base    time.Duration
	}{
		{0, time.Minute}, {1, time.Minute}, {2, 2 * time.Minute}, {3, 4 * time.Minute},
		{6, 32 * time.Minute}, {7, time.Hour}, {30, time.Hour}, {1000, time.Hour},
	}
	for _, tc := range cases {
		t.Run(fmt.Sprintf("attempt %d waits about %v", tc.attempt, tc.base), func(t *testing.T) {
			for range 50 {
				d := Backoff(tc.attempt)
				if d < tc.base*9/10 || d > tc.base*11/10 || d > time.Hour {
					t.Fatalf("Backoff(%d) = %v", tc.attempt, d)
				}
			}
		})
	}
	t.Run("the delays are spread", func(t *testing.T) {
		seen := map[time.Duration]bool{}
		for range 20 {
			seen[Backoff(3)] = true
		}
		if len(seen) < 2 {
			t.Error("twenty backoffs were all equal")
		}
	})
}

func TestNewMessageIDNamesTheSenderDomainNotTheMachine(t *testing.T) {
	a, b := NewMessageID("formation@Société.fr"), NewMessageID("formation@société.fr")
	if a == b {
		t.Fatal("two Message-IDs are equal")
	}
	local, domain, ok := strings.Cut(a, "@")
	if !ok || domain != "xn--socit-esab.fr" || len(local) < 26 {
		t.Errorf("Message-ID %q", a)
	}
}
