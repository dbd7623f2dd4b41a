package smtp

import (
	"errors"
	"slices"
	"strings"

	gosmtp "github.com/wneessen/go-mail/smtp"
)

// errNoAuthOffered and errMechanismNotOffered are returned before any credential is
// sent, when the server cannot take the method the settings ask for.
var (
	errNoAuthOffered       = errors.New("server offers no SMTP AUTH")
	errMechanismNotOffered = errors.New("server does not offer the chosen SMTP AUTH mechanism")
)

// auth chooses and runs the SASL mechanism. It is handed to go-mail as a custom method
// so that the choice follows Config.Auth, and so that a failure can be told apart from
// a failure of the greeting or of STARTTLS (started is set once AUTH begins).
type auth struct {
	cfg     Config
	started *bool
	inner   gosmtp.Auth
	mech    string
}

// Start picks the mechanism among those the server advertises and starts it.
func (a *auth) Start(server *gosmtp.ServerInfo) (string, []byte, error) {
	offered := make([]string, 0, len(server.Auth))
	for _, m := range server.Auth {
		offered = append(offered, strings.ToUpper(m))
	}
	if len(offered) == 0 {
		return "", nil, errNoAuthOffered
	}
	var wanted []string
	switch a.cfg.Auth {
	case AuthPlain:
		wanted = []string{"PLAIN"}
	case AuthLogin:
		wanted = []string{"LOGIN"}
	case AuthCRAMMD5:
		wanted = []string{"CRAM-MD5"}
	default:
		// Over TLS PLAIN is as safe as anything and the most widely supported; in clear
		// text (a local server only) CRAM-MD5 at least keeps the password off the wire.
		wanted = []string{"PLAIN", "LOGIN", "CRAM-MD5"}
		if !server.TLS {
			wanted = []string{"CRAM-MD5", "PLAIN", "LOGIN"}
		}
	}
	a.mech = ""
	for _, w := range wanted {
		if slices.Contains(offered, w) {
			a.mech = w
			break
		}
	}
	// Clear text is only ever possible towards a local server (Config.Validate); the
	// go-mail mechanisms refuse it for anything else on their own.
	clear := a.cfg.Security == SecurityNone
	switch a.mech {
	case "PLAIN":
		a.inner = gosmtp.PlainAuth("", a.cfg.User, a.cfg.Password, a.cfg.Host, clear)
	case "LOGIN":
		a.inner = gosmtp.LoginAuth(a.cfg.User, a.cfg.Password, a.cfg.Host, clear)
	case "CRAM-MD5":
		a.inner = gosmtp.CRAMMD5Auth(a.cfg.User, a.cfg.Password)
	default:
		return "", nil, errMechanismNotOffered
	}
	*a.started = true
	return a.inner.Start(server)
}

// Next continues the exchange with the chosen mechanism.
func (a *auth) Next(fromServer []byte, more bool) ([]byte, error) {
	return a.inner.Next(fromServer, more)
}
