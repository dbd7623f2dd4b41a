package core

import (
	"strings"
	"testing"
)

func TestMailTemplateCheck(t *testing.T) {
	ok := MailTemplate{Kind: KindInvitation, Subject: "Bienvenue sur {{plateforme}}", Body: "Bonjour {{ Prenom }}, {{link}}"}
	if err := ok.Check(); err != nil {
		t.Fatalf("accent-less, spaced and English placeholders should pass: %v", err)
	}
	for name, tmpl := range map[string]MailTemplate{
		"an unknown field":                {Kind: KindInvitation, Subject: "x", Body: "Bonjour {{prenon}}"},
		"a field of another kind of mail": {Kind: KindInvitation, Subject: "x", Body: "Le parcours {{parcours}}"},
		"an unclosed brace":               {Kind: KindReset, Subject: "x", Body: "Bonjour {{prénom"},
		"an empty subject":                {Kind: KindReset, Subject: " ", Body: "x"},
		"an empty body":                   {Kind: KindReset, Subject: "x", Body: "\n"},
	} {
		t.Run("refuses "+name, func(t *testing.T) {
			err := tmpl.Check()
			if err == nil {
				t.Fatal("accepted")
			}
			if ErrorCode(err) != EInvalid {
				t.Errorf("code %q", ErrorCode(err))
			}
			if strings.Contains(err.Error(), "{{.") {
				t.Errorf("message left unfilled: %q", err.Error())
			}
		})
	}
	err := MailTemplate{Kind: KindTest, Subject: "x", Body: "{{lien}}"}.Check()
	if err == nil || !strings.Contains(err.Error(), "{{lien}}") || !strings.Contains(err.Error(), "{{plateforme}}") {
		t.Errorf("the message should name the field and list the allowed ones: %v", err)
	}
}

func TestMailTemplateRenderEscapesHTMLAndLinks(t *testing.T) {
	tmpl := MailTemplate{Kind: KindInvitation, Subject: "Invitation  {{plateforme}}", Body: "Bonjour {{prénom}},\n\nSuivez ce lien :\n{{lien}}\n\n{{expéditeur}}"}
	d := MailData{"prénom": "<Zoé>", "plateforme": "Acme & Cie", "lien": "https://acme.fr/i/abc?x=1&y=2", "expéditeur": "RH"}
	subject, text, html, err := tmpl.Render(d)
	if err != nil {
		t.Fatal(err)
	}
	if subject != "Invitation Acme & Cie" {
		t.Errorf("subject = %q", subject)
	}
	if !strings.Contains(text, "Bonjour <Zoé>,") || !strings.Contains(text, "https://acme.fr/i/abc?x=1&y=2") {
		t.Errorf("text = %q", text)
	}
	for _, want := range []string{"Bonjour &lt;Zoé&gt;,", `<a href="https://acme.fr/i/abc?x=1&amp;y=2">`, "<title>Invitation Acme &amp; Cie</title>", "<p>RH</p>"} {
		if !strings.Contains(html, want) {
			t.Errorf("html lacks %q:\n%s", want, html)
		}
	}
	if strings.Contains(html, "<Zoé>") {
		t.Error("a value went into the HTML unescaped")
	}
}

func TestParseMailTemplateRoundTrips(t *testing.T) {
	src := "Objet\u00a0: Bonjour {{prénom}}\r\n\r\nTexte {{lien}}\r\n"
	tmpl, err := ParseMailTemplate(KindWelcome, LangFR, src)
	if err != nil {
		t.Fatal(err)
	}
	if tmpl.Subject != "Bonjour {{prénom}}" || tmpl.Body != "Texte {{lien}}\n" {
		t.Errorf("parsed %+v", tmpl)
	}
	again, err := ParseMailTemplate(KindWelcome, LangFR, tmpl.Format())
	if err != nil || again != tmpl {
		t.Errorf("Format does not round-trip: %+v, %v", again, err)
	}
	if _, err := ParseMailTemplate(KindWelcome, LangFR, "Bonjour\n\nTexte"); err == nil {
		t.Error("a template without a subject line was accepted")
	}
}
