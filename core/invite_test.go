package core

import (
	"context"
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

// fakeSource is a MailSource with settings in a map.
type fakeSource struct {
	settings map[string]string
	org      Organisation
	smtp     SMTPSettings
}

func (f fakeSource) Setting(_ context.Context, k string) (string, error) { return f.settings[k], nil }
func (f fakeSource) Organisation(context.Context) (Organisation, error)  { return f.org, nil }
func (f fakeSource) SMTPSettings(context.Context) (SMTPSettings, error)  { return f.smtp, nil }

func TestMailerRendersAsTheTemplateDoes(t *testing.T) {
	tpl := MailTemplate{Kind: KindSession, Lang: LangFR,
		Subject: "Votre  session {{session}}\r\n de {{ Parcours }}",
		Body:    "Bonjour {{prénom}} {{NOM}},\r\n\r\n« {{parcours}} » ouvre le {{ouverture}} : {{lien}}\n\n{{expéditeur}} <{{e-mail}}> & co"}
	defaults := func(k MessageKind, l Language) (MailTemplate, error) {
		if k == KindSession && l == LangFR {
			return tpl, nil
		}
		return MailTemplate{Kind: k, Lang: l, Subject: "Objet", Body: "Texte"}, nil
	}
	src := fakeSource{org: Organisation{Name: "Formation <Exemple>", URL: "https://formation.exemple.fr/"}, smtp: SMTPSettings{FromName: "Service formation"}}
	m, err := NewMailer(context.Background(), src, defaults)
	if err != nil {
		t.Fatal(err)
	}
	opens := time.Date(2027, 1, 12, 9, 30, 0, 0, time.Local)
	u := User{ID: 7, Login: "camille#formation@exemple.fr", Email: "camille@exemple.fr", FirstName: "Camille", LastName: "Lefèvre & fils"}
	msg, err := m.Compose(MailInput{Kind: KindSession, User: u, Token: "abc_123", Course: "Accueil", Session: "Janvier", Opens: opens, Due: opens, InvitationID: 3})
	if err != nil {
		t.Fatal(err)
	}
	subject, text, html, err := tpl.Render(MailData{"prénom": "Camille", "nom": "Lefèvre & fils", "identifiant": u.Login, "e-mail": u.Email,
		"plateforme": "Formation <Exemple>", "adresse de la plateforme": "https://formation.exemple.fr/", "lien": "https://formation.exemple.fr/invitation/abc_123",
		"parcours": "Accueil", "session": "Janvier", "ouverture": "12/01/2027 à 09:30", "expéditeur": "Service formation"})
	if err != nil {
		t.Fatal(err)
	}
	if msg.Subject != subject || msg.Text != text || msg.HTML != html {
		t.Errorf("Compose differs from Render:\n%q\n%q\n%q\n%q", msg.Subject, subject, msg.Text, text)
	}
	if msg.To != "camille@exemple.fr" || msg.UserID != 7 || msg.InvitationID != 3 || !msg.Due.Equal(opens) || msg.Kind != KindSession {
		t.Errorf("message = %+v", msg)
	}

	t.Run("an edited copy in the settings wins over the default", func(t *testing.T) {
		src.settings = map[string]string{"mail.template.session.fr": "Objet : Édité {{session}}\n\nCorps"}
		m, err := NewMailer(context.Background(), src, defaults)
		if err != nil {
			t.Fatal(err)
		}
		msg, _ := m.Compose(MailInput{Kind: KindSession, User: u, Session: "Janvier"})
		if msg.Subject != "Édité Janvier" || !strings.Contains(msg.Text, "Corps") {
			t.Errorf("message = %q %q", msg.Subject, msg.Text)
		}
	})
	t.Run("a damaged edited copy is reported, not silently replaced", func(t *testing.T) {
		src.settings = map[string]string{"mail.template.reset.en": "Subject: x\n\n{{inconnu}}"}
		_, err := NewMailer(context.Background(), src, defaults)
		if err == nil || !strings.Contains(err.Error(), "Paramètres") {
			t.Errorf("err = %v", err)
		}
	})
}
