package core

import (
	"html"
	"regexp"
	"slices"
	"strings"
)

// MailTemplate is the editable text of one kind of mail in one language. A manager
// writes the subject and a plain-text body with placeholders such as {{prénom}}; the
// HTML part is derived from the text, so there is one thing to edit and check.
type MailTemplate struct {
	Kind    MessageKind
	Lang    Language
	Subject string
	Body    string
}

// Placeholder is a field a template may use.
type Placeholder struct {
	Name    string // French name written between {{ }}
	Alias   string // English name accepted too
	Example string // value used for the preview
}

// placeholders lists every field; MailFields says which kinds may use which.
var placeholders = []Placeholder{
	{"prénom", "first_name", "Camille"},
	{"nom", "last_name", "Lefèvre"},
	{"identifiant", "login", "camille.lefevre#formation@exemple.fr"},
	{"e-mail", "email", "camille.lefevre@exemple.fr"},
	{"plateforme", "platform", "Formation Exemple"},
	{"adresse de la plateforme", "platform_url", "https://formation.exemple.fr"},
	{"lien", "link", "https://formation.exemple.fr/invitation/3f9a…"},
	{"parcours", "course", "Accueil des nouveaux arrivants"},
	{"session", "session", "Session de janvier"},
	{"ouverture", "opens", "12/01/2027"},
	{"expéditeur", "sender", "Service formation"},
}

var mailFields = map[MessageKind][]string{
	KindInvitation: {"prénom", "nom", "identifiant", "e-mail", "plateforme", "adresse de la plateforme", "lien", "expéditeur"},
	KindWelcome:    {"prénom", "nom", "identifiant", "e-mail", "plateforme", "adresse de la plateforme", "lien", "expéditeur"},
	KindSession:    {"prénom", "nom", "identifiant", "e-mail", "plateforme", "adresse de la plateforme", "lien", "parcours", "session", "ouverture", "expéditeur"},
	KindReset:      {"prénom", "nom", "identifiant", "e-mail", "plateforme", "adresse de la plateforme", "lien", "expéditeur"},
	KindTest:       {"plateforme", "expéditeur"},
}

// MailFields returns the placeholders a kind of mail may use, in the order shown to
// the manager.
func MailFields(kind MessageKind) []Placeholder {
	var out []Placeholder
	for _, name := range mailFields[kind] {
		for _, p := range placeholders {
			if p.Name == name {
				out = append(out, p)
			}
		}
	}
	return out
}

// MailData holds the values of a mail's placeholders, keyed by French name.
type MailData map[string]string

// SampleMailData returns the example values used to preview a template.
func SampleMailData() MailData {
	d := MailData{}
	for _, p := range placeholders {
		d[p.Name] = p.Example
	}
	return d
}

var placeholderRE = regexp.MustCompile(`\{\{\s*([^{}]*?)\s*\}\}`)

// canonical maps a written placeholder name (any case, accents optional, French or
// English) to its French name, or "" when there is none.
func canonical(written string) string {
	f := Fold(written)
	for _, p := range placeholders {
		if f == Fold(p.Name) || f == p.Alias {
			return p.Name
		}
	}
	return ""
}

// Check verifies that the template has a subject and a body and uses only the fields
// of its kind, so a mistake is caught when the template is saved, not when 300 mails
// go out. The error names the faulty placeholder and lists the allowed ones.
func (t MailTemplate) Check() error {
	if strings.TrimSpace(t.Subject) == "" {
		return Errorf(EInvalid, "mail.no_subject", "L'objet du message est vide.", nil)
	}
	if strings.TrimSpace(t.Body) == "" {
		return Errorf(EInvalid, "mail.no_body", "Le texte du message est vide.", nil)
	}
	allowed := mailFields[t.Kind]
	var names []string
	for _, p := range MailFields(t.Kind) {
		names = append(names, "{{"+p.Name+"}}")
	}
	for _, part := range []string{t.Subject, t.Body} {
		if strings.Count(part, "{{") != strings.Count(part, "}}") {
			return Errorf(EInvalid, "mail.braces", "Une accolade {{.Open}} ou {{.Close}} n'est pas refermée dans le message. Champs possibles\u00a0: {{.Fields}}.", map[string]any{"Open": "{{", "Close": "}}", "Fields": strings.Join(names, ", ")})
		}
		for _, m := range placeholderRE.FindAllStringSubmatch(part, -1) {
			name := canonical(m[1])
			if name == "" || !slices.Contains(allowed, name) {
				return Errorf(EInvalid, "mail.unknown_field", "Le champ «\u00a0{{.Field}}\u00a0» n'existe pas pour ce message. Champs possibles\u00a0: {{.Fields}}.",
					map[string]any{"Field": m[0], "Fields": strings.Join(names, ", ")})
			}
		}
	}
	return nil
}

// Render fills the template with d and returns the subject, the text body and an HTML
// body made from the text (paragraphs, line breaks, links), with every value escaped.
func (t MailTemplate) Render(d MailData) (subject, text, htmlBody string, err error) {
	if err := t.Check(); err != nil {
		return "", "", "", err
	}
	fill := func(s string) string {
		return placeholderRE.ReplaceAllStringFunc(s, func(m string) string {
			return d[canonical(placeholderRE.FindStringSubmatch(m)[1])]
		})
	}
	subject = strings.Join(strings.Fields(fill(t.Subject)), " ")
	text = strings.ReplaceAll(fill(t.Body), "\r\n", "\n")
	return subject, text, textToHTML(subject, text), nil
}

var linkRE = regexp.MustCompile(`https?://[^\s<>"]+[^\s<>".,;:!?)]`)

// textToHTML turns a plain-text mail into a simple, readable HTML part.
func textToHTML(subject, text string) string {
	var b strings.Builder
	b.WriteString("<!DOCTYPE html>\n<html lang=\"fr\"><head><meta charset=\"utf-8\"><title>")
	b.WriteString(html.EscapeString(subject))
	b.WriteString("</title></head>\n<body style=\"font-family: sans-serif; line-height: 1.5;\">\n")
	for _, para := range strings.Split(strings.TrimSpace(text), "\n\n") {
		if strings.TrimSpace(para) == "" {
			continue
		}
		lines := strings.Split(strings.TrimSpace(para), "\n")
		for i, l := range lines {
			lines[i] = linkify(l)
		}
		b.WriteString("<p>")
		b.WriteString(strings.Join(lines, "<br>\n"))
		b.WriteString("</p>\n")
	}
	b.WriteString("</body></html>\n")
	return b.String()
}

func linkify(line string) string {
	var b strings.Builder
	last := 0
	for _, loc := range linkRE.FindAllStringIndex(line, -1) {
		b.WriteString(html.EscapeString(line[last:loc[0]]))
		u := html.EscapeString(line[loc[0]:loc[1]])
		b.WriteString(`<a href="` + u + `">` + u + `</a>`)
		last = loc[1]
	}
	b.WriteString(html.EscapeString(line[last:]))
	return b.String()
}

// ParseMailTemplate reads a template file: a first line "Objet : …" (or "Subject: …"),
// a blank line, then the body.
func ParseMailTemplate(kind MessageKind, lang Language, src string) (MailTemplate, error) {
	src = strings.ReplaceAll(strings.TrimPrefix(src, "\ufeff"), "\r\n", "\n")
	first, body, _ := strings.Cut(src, "\n")
	key, subject, ok := strings.Cut(first, ":")
	k := Fold(strings.TrimSpace(key))
	if !ok || (k != "objet" && k != "subject") {
		return MailTemplate{}, Errorf(EInvalid, "mail.header", "Le modèle doit commencer par une ligne «\u00a0Objet\u00a0: …\u00a0».", nil)
	}
	t := MailTemplate{Kind: kind, Lang: lang, Subject: strings.TrimSpace(subject), Body: strings.TrimLeft(body, "\n")}
	return t, t.Check()
}

// Format writes t in the file form ParseMailTemplate reads.
func (t MailTemplate) Format() string {
	return "Objet\u00a0: " + t.Subject + "\n\n" + t.Body
}
