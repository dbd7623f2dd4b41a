package smtp

import (
	"strings"
	"testing"
	"time"

	"convive/core"
)

func TestValidate(t *testing.T) {
	good := Config{Host: "smtp.exemple.fr", From: "formation@exemple.fr", User: "formation", Password: "x"}
	cases := []struct {
		name   string
		change func(*Config)
		key    string // "" when valid
		says   string
	}{
		{"the defaults are valid", func(*Config) {}, "", ""},
		{"an empty host is refused", func(c *Config) { c.Host = " " }, "smtp.config.host_empty", "n'est pas renseigné"},
		{"a URL as host is refused", func(c *Config) { c.Host = "smtp://smtp.exemple.fr" }, "smtp.config.host", "«\u00a0smtp://smtp.exemple.fr\u00a0»"},
		{"a port out of range is refused", func(c *Config) { c.Port = 70000 }, "smtp.config.port", "70000"},
		{"no security towards a remote server is refused", func(c *Config) { c.Security = SecurityNone }, "smtp.config.none_remote", "pour «\u00a0smtp.exemple.fr\u00a0», choisissez STARTTLS ou TLS"},
		{"no security towards localhost is allowed", func(c *Config) { c.Security, c.Host = SecurityNone, "localhost" }, "", ""},
		{"no security towards 127.0.0.1 is allowed", func(c *Config) { c.Security, c.Host = SecurityNone, "127.0.0.1" }, "", ""},
		{"no security towards ::1 is allowed", func(c *Config) { c.Security, c.Host = SecurityNone, "[::1]" }, "", ""},
		{"a name that merely resolves locally does not count as local", func(c *Config) { c.Security, c.Host = SecurityNone, "mail.localdomain" }, "smtp.config.none_remote", ""},
		{"an unknown security is refused", func(c *Config) { c.Security = "ssl" }, "smtp.config.security", "«\u00a0ssl\u00a0»"},
		{"an unknown authentication is refused", func(c *Config) { c.Auth = "ntlm" }, "smtp.config.auth", "«\u00a0ntlm\u00a0»"},
		{"PLAIN without a user is refused", func(c *Config) { c.Auth, c.User = AuthPlain, "" }, "smtp.config.user_empty", "PLAIN"},
		{"automatic authentication without a user is allowed", func(c *Config) { c.Auth, c.User = AuthAuto, "" }, "", ""},
		{"an empty sender is refused", func(c *Config) { c.From = "" }, "smtp.config.from_empty", ""},
		{"a bad sender is refused with the address checker's sentence", func(c *Config) { c.From = "formation.exemple.fr" }, "smtp.config.from", "Adresse d'expéditeur\u00a0: «\u00a0formation.exemple.fr\u00a0» n'est pas une adresse valide"},
		{"a bad reply-to is refused", func(c *Config) { c.ReplyTo = "a@b" }, "smtp.config.reply_to", "Adresse de réponse"},
		{"a HELO name with a space is refused", func(c *Config) { c.HELO = "mon ordinateur" }, "smtp.config.helo", "«\u00a0mon ordinateur\u00a0»"},
		{"a HELO address literal is allowed", func(c *Config) { c.HELO = "[192.0.2.1]" }, "", ""},
		{"a time-out under a second is refused", func(c *Config) { c.Timeout = time.Millisecond }, "smtp.config.timeout", ""},
		{"a negative rate limit is refused", func(c *Config) { c.RateLimit = -1 }, "smtp.config.rate", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := good
			tc.change(&c)
			err := c.Validate()
			if tc.key == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			e, ok := err.(*core.Error)
			if !ok || e.Code != core.EInvalid || e.Key != tc.key {
				t.Fatalf("error %#v, want key %s", err, tc.key)
			}
			if !strings.Contains(e.Error(), tc.says) {
				t.Errorf("message %q does not say %q", e.Error(), tc.says)
			}
			checkTypography(t, e.Error())
		})
	}
}

func TestNormalizedFillsTheDefaults(t *testing.T) {
	c := Config{Host: " smtp.exemple.fr ", From: "a@exemple.fr"}.Normalized()
	if c.Security != SecuritySTARTTLS || c.Port != 587 || c.Auth != AuthAuto || c.HELO != "localhost" || c.Timeout != DefaultTimeout || c.Host != "smtp.exemple.fr" {
		t.Errorf("%+v", c)
	}
	if p := (Config{Security: SecurityTLS}).Normalized().Port; p != 465 {
		t.Errorf("TLS port %d, want 465", p)
	}
	if a := (Config{Host: "::1", Port: 25}).Normalized().Addr(); a != "[::1]:25" {
		t.Errorf("Addr %q", a)
	}
}

func TestNewSenderRefusesInvalidSettings(t *testing.T) {
	_, err := NewSender(Config{Host: "smtp.exemple.fr", Security: SecurityNone, From: "a@exemple.fr"})
	if core.ErrorCode(err) != core.EInvalid {
		t.Fatalf("error %v", err)
	}
}

// checkTypography fails when a French sentence has an ordinary space where French
// typography wants a non-breaking one.
func checkTypography(t *testing.T, s string) {
	t.Helper()
	for _, bad := range []string{" :", " ;", " ?", " !", "« ", " »"} {
		if strings.Contains(s, bad) {
			t.Errorf("%q has an ordinary space in %q", s, bad)
		}
	}
}
