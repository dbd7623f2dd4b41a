package core

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestParseAddress(t *testing.T) {
	valid := []struct {
		name, in, login, email, key string
	}{
		{"a plain address is kept", "jean.dupont@gmail.com", "jean.dupont@gmail.com", "jean.dupont@gmail.com", "jean.dupont@gmail.com"},
		{"spaces around are trimmed", "  jean@exemple.fr \t", "jean@exemple.fr", "jean@exemple.fr", "jean@exemple.fr"},
		{"the domain is lower-cased, the local part kept", "Jean.Dupont@Gmail.COM", "Jean.Dupont@gmail.com", "Jean.Dupont@gmail.com", "jean.dupont@gmail.com"},
		{"an alias delivers without its tag", "jean.dupont#formation@gmail.com", "jean.dupont#formation@gmail.com", "jean.dupont@gmail.com", "jean.dupont#formation@gmail.com"},
		{"an internationalised domain is kept in Unicode and keyed in ASCII", "marie@café.fr", "marie@café.fr", "marie@café.fr", "marie@xn--caf-dma.fr"},
		{"a punycode domain is shown in Unicode", "marie@xn--caf-dma.fr", "marie@café.fr", "marie@café.fr", "marie@xn--caf-dma.fr"},
		{"plus addressing is allowed", "a+b@exemple.fr", "a+b@exemple.fr", "a+b@exemple.fr", "a+b@exemple.fr"},
		{"a trailing dot on the domain is dropped", "a@exemple.fr.", "a@exemple.fr", "a@exemple.fr", "a@exemple.fr"},
		{"a local part of 64 characters passes", strings.Repeat("a", 64) + "@exemple.fr", strings.Repeat("a", 64) + "@exemple.fr", strings.Repeat("a", 64) + "@exemple.fr", strings.Repeat("a", 64) + "@exemple.fr"},
	}
	for _, c := range valid {
		t.Run(c.name, func(t *testing.T) {
			a, err := ParseAddress(c.in)
			if err != nil {
				t.Fatalf("ParseAddress(%q): %v", c.in, err)
			}
			if a.Login != c.login || a.Email != c.email || a.Key != c.key {
				t.Errorf("ParseAddress(%q) = %+v, want login %q email %q key %q", c.in, a, c.login, c.email, c.key)
			}
		})
	}

	invalid := []struct {
		name, in, key string
	}{
		{"an empty address", "   ", "address.empty"},
		{"a display name", "Jean Dupont <jean@gmail.com>", "address.display"},
		{"an address without @", "jean.dupont.gmail.com", "address.no_at"},
		{"two @", "jean@dupont@gmail.com", "address.two_at"},
		{"nothing before @", "@gmail.com", "address.no_local"},
		{"nothing after @", "jean@", "address.no_domain"},
		{"a domain without a dot", "jean.dupont@gmail", "address.no_dot"},
		{"a local part over 64 characters", strings.Repeat("a", 65) + "@exemple.fr", "address.local_long"},
		{"an address over 254 characters", "a@" + strings.Repeat("b", 63) + "." + strings.Repeat("c", 63) + "." + strings.Repeat("d", 63) + "." + strings.Repeat("e", 63) + ".fr", "address.long"},
		{"an accent before @", "jérôme@exemple.fr", "address.accent"},
		{"a comma before @", "jean,dupont@exemple.fr", "address.char"},
		{"a leading dot", ".jean@exemple.fr", "address.dots"},
		{"two dots in a row", "jean..dupont@exemple.fr", "address.dots"},
		{"an alias without a name", "#tag@exemple.fr", "address.alias_empty"},
		{"a domain with an underscore", "jean@exe_mple.fr", "address.domain"},
		{"a numeric top-level domain", "jean@10.0.0.1", "address.tld"},
		{"a one-letter top-level domain", "jean@exemple.f", "address.tld"},
	}
	for _, c := range invalid {
		t.Run("refuses "+c.name, func(t *testing.T) {
			_, err := ParseAddress(c.in)
			if err == nil {
				t.Fatalf("ParseAddress(%q) accepted it", c.in)
			}
			e, ok := err.(*Error)
			if !ok || e.Code != EInvalid || e.Key != c.key {
				t.Fatalf("ParseAddress(%q) = %#v, want code %q key %q", c.in, err, EInvalid, c.key)
			}
			msg := err.Error()
			if strings.Contains(msg, "{{") || !strings.HasSuffix(msg, ".") {
				t.Errorf("message not rendered as a sentence: %q", msg)
			}
			if c.key != "address.empty" && !strings.Contains(msg, strings.TrimSpace(c.in)) {
				t.Errorf("message %q does not quote the address %q", msg, c.in)
			}
		})
	}
}

func TestAddressKeysMatchCaseInsensitively(t *testing.T) {
	a, _ := ParseAddress("Jean.Dupont#Formation@GMAIL.com")
	b, _ := ParseAddress("jean.dupont#formation@gmail.com")
	if a.Key != b.Key {
		t.Errorf("keys differ: %q vs %q", a.Key, b.Key)
	}
	if a.EmailKey() != "jean.dupont@gmail.com" {
		t.Errorf("EmailKey = %q", a.EmailKey())
	}
	if a.Tag() != "Formation" {
		t.Errorf("Tag = %q", a.Tag())
	}
}

func TestWithAliasUsesThePlatformName(t *testing.T) {
	a, err := ParseAddress("jean.dupont@gmail.com")
	if err != nil {
		t.Fatal(err)
	}
	got, err := a.WithAlias("Académie Île-de-France")
	if err != nil {
		t.Fatal(err)
	}
	if got.Login != "jean.dupont#academie-ile-de-france@gmail.com" || got.Email != "jean.dupont@gmail.com" {
		t.Errorf("WithAlias = %+v", got)
	}
	if _, err := a.WithAlias("  ¡¿ "); err == nil {
		t.Error("an unusable platform name should be refused")
	}
}

func TestAliasTag(t *testing.T) {
	for in, want := range map[string]string{
		"Formation":              "formation",
		"Cœur de Métier":         "coeur-de-metier",
		"  --Les  Écoles--  ":    "les-ecoles",
		"ACME (France) S.A.":     "acme-france-s-a",
		strings.Repeat("ab", 40): strings.Repeat("ab", 15),
	} {
		if got := AliasTag(in); got != want {
			t.Errorf("AliasTag(%q) = %q, want %q", in, got, want)
		}
	}
}

// FuzzParseAddress checks that whatever a spreadsheet holds, parsing never panics and an
// accepted address is stable: parsing its login again gives the same result.
func FuzzParseAddress(f *testing.F) {
	for _, s := range []string{"jean@exemple.fr", "a#b@café.fr", "x@y", "<a@b.c>", "é@è.fr", "a..b@c.d", "a@xn--caf-dma.fr", "\x00@a.fr", "a@b.c.d.e."} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, err := ParseAddress(s)
		if err != nil {
			if err.Error() == "" {
				t.Fatalf("empty message for %q", s)
			}
			return
		}
		if !utf8.ValidString(a.Login) || len(a.Key) > 254 {
			t.Fatalf("accepted %q as %+v", s, a)
		}
		b, err := ParseAddress(a.Login)
		if err != nil || b != a {
			t.Fatalf("login %q of %q does not parse to itself: %+v, %v", a.Login, s, b, err)
		}
		if _, err := ParseAddress(a.Email); err != nil {
			t.Fatalf("delivery address %q of %q is invalid: %v", a.Email, s, err)
		}
	})
}
