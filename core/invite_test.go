package core

import (
	"slices"
	"strings"
	"testing"
	"time"
)

func TestParseAddressList(t *testing.T) {
	cases := []struct {
		name, text string
		valid      []string
		invalid    []string
		duplicates []string
	}{
		{"any mix of separators", "a@exemple.fr, b@exemple.fr;c@exemple.fr d@exemple.fr\te@exemple.fr\nf@exemple.fr\r\ng@exemple.fr",
			[]string{"a@exemple.fr", "b@exemple.fr", "c@exemple.fr", "d@exemple.fr", "e@exemple.fr", "f@exemple.fr", "g@exemple.fr"}, nil, nil},
		{"names copied from a mail program are dropped", `Jean Dupont <jean@exemple.fr>, "Martin, Léa" <lea@exemple.fr> Paul <paul@exemple.fr>`,
			[]string{"jean@exemple.fr", "lea@exemple.fr", "paul@exemple.fr"}, nil, nil},
		{"a stray word is invalid, not ignored", "jean@exemple.fr dupont", []string{"jean@exemple.fr"}, []string{"dupont"}, nil},
		{"an address given twice is a duplicate, case aside", "jean@exemple.fr JEAN@Exemple.FR", []string{"jean@exemple.fr"}, nil, []string{"JEAN@Exemple.FR"}},
		{"blank lines and separators in a row give nothing", ",,;\n\n  ", nil, nil, nil},
		{"an unclosed bracket is invalid", "Jean <jean@exemple.fr", nil, []string{"<jean@exemple.fr"}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var valid, invalid, dup []string
			for _, e := range ParseAddressList(c.text) {
				switch {
				case e.Err != nil:
					invalid = append(invalid, e.Input)
				case e.Duplicate:
					dup = append(dup, e.Input)
				default:
					valid = append(valid, e.Address.Login)
				}
			}
			if !slices.Equal(valid, c.valid) || !slices.Equal(invalid, c.invalid) || !slices.Equal(dup, c.duplicates) {
				t.Errorf("valid %v invalid %v duplicates %v; want %v %v %v", valid, invalid, dup, c.valid, c.invalid, c.duplicates)
			}
		})
	}
}

func TestParseDate(t *testing.T) {
	want := time.Date(2026, 11, 25, 0, 0, 0, 0, time.Local)
	for _, s := range []string{"25/11/2026", "2026-11-25", " 25/11/2026 "} {
		if got, err := ParseDate(s, nil); err != nil || !got.Equal(want) {
			t.Errorf("ParseDate(%q) = %v, %v", s, got, err)
		}
	}
	withTime := time.Date(2026, 11, 25, 14, 30, 0, 0, time.Local)
	for _, s := range []string{"25/11/2026 14:30", "2026-11-25T14:30", "2026-11-25 14:30", "25/11/2026 à 14h30"} {
		if got, err := ParseDate(s, nil); err != nil || !got.Equal(withTime) {
			t.Errorf("ParseDate(%q) = %v, %v", s, got, err)
		}
	}
	_, err := ParseDate("31/02/2026", nil)
	if err == nil || !strings.Contains(err.Error(), "25/11/2026") {
		t.Errorf("31/02/2026: %v", err)
	}
	if got := FrenchDate(withTime); got != "25/11/2026 à 14:30" {
		t.Errorf("FrenchDate = %q", got)
	}
}

func TestTokensAreRandomAndHashed(t *testing.T) {
	a, err := NewToken()
	if err != nil {
		t.Fatal(err)
	}
	b, _ := NewToken()
	if a.Secret == b.Secret || len(a.Secret) != 43 || strings.ContainsAny(a.Secret, "+/=") {
		t.Errorf("tokens %q and %q", a.Secret, b.Secret)
	}
	if HashToken(a.Secret) != a.Hash {
		t.Error("the hash is not the SHA-256 of the secret")
	}
}

func TestInertCell(t *testing.T) {
	for in, want := range map[string]string{"=1+1": "'=1+1", "+33 6": "'+33 6", "-2": "'-2", "@x": "'@x", "jean@x.fr": "jean@x.fr", "": ""} {
		if got := InertCell(in); got != want {
			t.Errorf("InertCell(%q) = %q, want %q", in, got, want)
		}
	}
}
