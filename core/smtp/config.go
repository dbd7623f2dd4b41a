// Package smtp sends Convive's outbox messages through the organisation's SMTP server.
//
// It hides github.com/wneessen/go-mail behind the domain's own types: a Config checked by
// Validate, a Sender that keeps one connection open for many messages, and a Result that
// says, for every message, whether it was sent, may be retried, failed for good, may or
// may not have arrived, or whether the whole outbox must wait for the manager (refused
// credentials, unusable settings). The outbox commits a message's "sending" state before
// calling Send and the Result right after it.
package smtp

import (
	"crypto/x509"
	"net"
	"strconv"
	"strings"
	"time"

	"convive/core"
)

// Security is how the connection to the server is protected.
type Security string

// Security modes, as stored in the settings.
const (
	// SecuritySTARTTLS starts in clear text and requires the server to switch to TLS
	// (STARTTLS) before anything else; a server that does not offer it is refused.
	SecuritySTARTTLS Security = "starttls"
	// SecurityTLS opens a TLS connection from the first byte (implicit TLS, port 465).
	SecurityTLS Security = "tls"
	// SecurityNone sends in clear text; allowed only for a server on this machine.
	SecurityNone Security = "none"
)

// AuthMethod is how Convive proves its identity to the server.
type AuthMethod string

// Authentication methods, as stored in the settings.
const (
	// AuthAuto picks among the methods the server offers (PLAIN, LOGIN or CRAM-MD5),
	// and sends no credentials when no user is set.
	AuthAuto AuthMethod = "auto"
	// AuthPlain is SASL PLAIN.
	AuthPlain AuthMethod = "plain"
	// AuthLogin is the LOGIN method.
	AuthLogin AuthMethod = "login"
	// AuthCRAMMD5 is CRAM-MD5.
	AuthCRAMMD5 AuthMethod = "cram-md5"
	// AuthNone sends no credentials.
	AuthNone AuthMethod = "none"
)

// Default values used where a Config field is left empty.
const (
	DefaultHELO    = "localhost"
	DefaultTimeout = 30 * time.Second
)

// Config is the SMTP part of the settings. The zero values of Port, Security, Auth, HELO
// and Timeout mean their defaults (see Normalized).
type Config struct {
	Host      string
	Port      int // 0: 587 for STARTTLS, 465 for TLS, 25 for none
	Security  Security
	Auth      AuthMethod
	User      string
	Password  string // never stored by this package; comes from the keyring or the manager
	From      string // sender address
	FromName  string // sender name shown to the recipient
	ReplyTo   string // optional
	HELO      string // name given in EHLO; never the machine's own host name
	Timeout   time.Duration
	RateLimit int // messages per minute; 0 means no limit

	// rootCAs replaces the system's certificate authorities; tests only.
	rootCAs *x509.CertPool
}

// Normalized returns cfg with its defaults filled in and its text fields trimmed.
func (cfg Config) Normalized() Config {
	cfg.Host = strings.TrimSpace(cfg.Host)
	if ip := strings.Trim(cfg.Host, "[]"); net.ParseIP(ip) != nil {
		cfg.Host = ip
	}
	cfg.User = strings.TrimSpace(cfg.User)
	cfg.From = strings.TrimSpace(cfg.From)
	cfg.FromName = core.CleanName(cfg.FromName)
	cfg.ReplyTo = strings.TrimSpace(cfg.ReplyTo)
	cfg.HELO = strings.TrimSpace(cfg.HELO)
	if cfg.Security == "" {
		cfg.Security = SecuritySTARTTLS
	}
	if cfg.Auth == "" {
		cfg.Auth = AuthAuto
	}
	if cfg.Port == 0 {
		switch cfg.Security {
		case SecurityTLS:
			cfg.Port = 465
		case SecurityNone:
			cfg.Port = 25
		default:
			cfg.Port = 587
		}
	}
	if cfg.HELO == "" {
		cfg.HELO = DefaultHELO
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = DefaultTimeout
	}
	return cfg
}

// Addr returns "host:port" of the server.
func (cfg Config) Addr() string {
	return net.JoinHostPort(cfg.Host, strconv.Itoa(cfg.Port))
}

// IsLocalHost reports whether host names this machine: "localhost" or a loopback
// address. No name is resolved: a name that merely points to 127.0.0.1 does not count.
func IsLocalHost(host string) bool {
	h := strings.ToLower(strings.TrimSuffix(strings.Trim(host, "[]"), "."))
	if h == "localhost" || strings.HasSuffix(h, ".localhost") {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

func invalid(key, message string, data map[string]any) *core.Error {
	return core.Errorf(core.EInvalid, "smtp.config."+key, message, data)
}

// Validate checks the settings after filling in the defaults and returns a French
// *core.Error naming the field to correct.
func (cfg Config) Validate() error {
	c := cfg.Normalized()
	switch {
	case c.Host == "":
		return invalid("host_empty", "Le serveur SMTP n'est pas renseigné\u00a0: indiquez son nom, par exemple smtp.exemple.fr.", nil)
	case strings.ContainsAny(c.Host, " \t\r\n/@:") && net.ParseIP(strings.Trim(c.Host, "[]")) == nil:
		return invalid("host", "Le nom du serveur SMTP «\u00a0{{.Host}}\u00a0» n'est pas valable\u00a0: indiquez seulement le nom (par exemple smtp.exemple.fr), sans espace, sans «\u00a0smtp://\u00a0» et sans port.", map[string]any{"Host": c.Host})
	case c.Port < 1 || c.Port > 65535:
		return invalid("port", "Le port SMTP {{.Port}} n'est pas valable\u00a0: indiquez un nombre entre 1 et 65535 (souvent 587 pour STARTTLS, 465 pour TLS).", map[string]any{"Port": c.Port})
	}
	switch c.Security {
	case SecuritySTARTTLS, SecurityTLS:
	case SecurityNone:
		if !IsLocalHost(c.Host) {
			return invalid("none_remote", "La sécurité «\u00a0aucune\u00a0» n'est permise que pour un serveur installé sur cet ordinateur (localhost)\u00a0; pour «\u00a0{{.Host}}\u00a0», choisissez STARTTLS ou TLS.", map[string]any{"Host": c.Host})
		}
	default:
		return invalid("security", "La sécurité «\u00a0{{.Security}}\u00a0» est inconnue\u00a0: choisissez STARTTLS, TLS ou aucune.", map[string]any{"Security": string(c.Security)})
	}
	switch c.Auth {
	case AuthAuto, AuthNone:
	case AuthPlain, AuthLogin, AuthCRAMMD5:
		if c.User == "" {
			return invalid("user_empty", "L'authentification {{.Auth}} demande un utilisateur\u00a0: renseignez-le, ou choisissez «\u00a0aucune\u00a0» authentification.", map[string]any{"Auth": c.Auth.Label()})
		}
	default:
		return invalid("auth", "L'authentification «\u00a0{{.Auth}}\u00a0» est inconnue\u00a0: choisissez automatique, PLAIN, LOGIN, CRAM-MD5 ou aucune.", map[string]any{"Auth": string(c.Auth)})
	}
	if strings.ContainsAny(c.User, "\r\n") {
		return invalid("user", "L'utilisateur SMTP ne peut pas contenir de retour à la ligne.", nil)
	}
	if c.From == "" {
		return invalid("from_empty", "L'adresse d'expéditeur n'est pas renseignée\u00a0: indiquez l'adresse d'où partent les e-mails.", nil)
	}
	if _, err := core.ParseAddress(c.From); err != nil {
		return invalid("from", "Adresse d'expéditeur\u00a0: {{.Reason}}", map[string]any{"Reason": core.ErrorMessage(err)}).Wrap(err)
	}
	if c.ReplyTo != "" {
		if _, err := core.ParseAddress(c.ReplyTo); err != nil {
			return invalid("reply_to", "Adresse de réponse\u00a0: {{.Reason}}", map[string]any{"Reason": core.ErrorMessage(err)}).Wrap(err)
		}
	}
	if strings.ContainsAny(c.FromName, "\r\n") {
		return invalid("from_name", "Le nom d'expéditeur ne peut pas contenir de retour à la ligne.", nil)
	}
	if !validHELO(c.HELO) {
		return invalid("helo", "Le nom annoncé au serveur (HELO) «\u00a0{{.HELO}}\u00a0» n'est pas valable\u00a0: indiquez un nom de domaine sans espace, ou laissez «\u00a0localhost\u00a0».", map[string]any{"HELO": c.HELO})
	}
	if c.Timeout < time.Second {
		return invalid("timeout", "Le délai d'attente du serveur doit être d'au moins une seconde.", nil)
	}
	if c.RateLimit < 0 {
		return invalid("rate", "La limite d'envoi doit être un nombre d'e-mails par minute positif, ou 0 pour aucune limite.", nil)
	}
	return nil
}

// validHELO accepts a domain name or an address literal such as [192.0.2.1].
func validHELO(s string) bool {
	if s == "" || len(s) > 255 {
		return false
	}
	if strings.HasPrefix(s, "[") && strings.HasSuffix(s, "]") {
		return net.ParseIP(strings.TrimPrefix(strings.Trim(s, "[]"), "IPv6:")) != nil
	}
	for _, r := range s {
		switch {
		case 'a' <= r && r <= 'z', 'A' <= r && r <= 'Z', '0' <= r && r <= '9', r == '-', r == '.':
		default:
			return false
		}
	}
	return true
}

// Label returns the name of the security mode shown to the manager.
func (s Security) Label() string {
	switch s {
	case SecurityTLS:
		return "TLS"
	case SecurityNone:
		return "Aucune"
	default:
		return "STARTTLS"
	}
}

// Label returns the name of the authentication method shown to the manager.
func (a AuthMethod) Label() string {
	switch a {
	case AuthPlain:
		return "PLAIN"
	case AuthLogin:
		return "LOGIN"
	case AuthCRAMMD5:
		return "CRAM-MD5"
	case AuthNone:
		return "Aucune"
	default:
		return "Automatique"
	}
}
