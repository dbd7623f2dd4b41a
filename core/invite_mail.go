package core

import (
	"context"
	"net/url"
	"strings"
	"time"
)

// MailSource is what the mail services read: the settings (edited templates), the
// organisation (platform name and URL) and the SMTP settings (sender name).
// *sqlite.Store satisfies it.
type MailSource interface {
	Setting(ctx context.Context, key string) (string, error)
	Organisation(ctx context.Context) (Organisation, error)
	SMTPSettings(ctx context.Context) (SMTPSettings, error)
}

// SettingStore reads and writes settings; *sqlite.Store satisfies it.
type SettingStore interface {
	Setting(ctx context.Context, key string) (string, error)
	SetSetting(ctx context.Context, key, value string) error
}

// DefaultTemplates returns the template shipped with Convive for a kind and a language
// (assets.DefaultMailTemplate).
type DefaultTemplates func(MessageKind, Language) (MailTemplate, error)

// TemplateKinds are the kinds of mail a manager can edit, in the order shown.
var TemplateKinds = []MessageKind{KindInvitation, KindWelcome, KindSession, KindReset, KindTest}

// templateKey is the settings key of the edited copy of a template.
func templateKey(kind MessageKind, lang Language) string {
	return "mail.template." + string(kind) + "." + string(lang)
}

// Link paths, after the platform URL.
const (
	PathInvitation = "/invitation/"
	PathWelcome    = "/bienvenue/"
	PathReset      = "/mot-de-passe/"
)

// MailTemplates is the template edit API of Paramètres: the edited copy of a template
// lives in the settings, the default comes from assets.
type MailTemplates struct {
	Store    SettingStore
	Defaults DefaultTemplates
}

// Get returns the template used for kind and lang, and whether it is an edited copy.
func (m MailTemplates) Get(ctx context.Context, kind MessageKind, lang Language) (MailTemplate, bool, error) {
	return getTemplate(ctx, m.Store, m.Defaults, kind, lang)
}

func getTemplate(ctx context.Context, st interface {
	Setting(context.Context, string) (string, error)
}, defaults DefaultTemplates, kind MessageKind, lang Language) (MailTemplate, bool, error) {
	src, err := st.Setting(ctx, templateKey(kind, lang))
	if err != nil {
		return MailTemplate{}, false, err
	}
	if src != "" {
		t, err := ParseMailTemplate(kind, lang, src)
		if err != nil {
			return t, true, Errorf(EInvalid, "mail.stored_template",
				"Le modèle «\u00a0{{.Kind}}\u00a0» ({{.Lang}}) enregistré dans Paramètres est illisible ({{.Cause}})\u00a0: corrigez-le ou revenez au modèle d'origine.",
				map[string]any{"Kind": KindLabel(kind), "Lang": lang.Label(), "Cause": ErrorMessage(err)}).Wrap(err)
		}
		return t, true, nil
	}
	t, err := defaults(kind, lang)
	return t, false, err
}

// Save checks t (MailTemplate.Check: subject, body, only the placeholders of its kind)
// and keeps it as the edited copy.
func (m MailTemplates) Save(ctx context.Context, t MailTemplate) error {
	if t.Lang == "" {
		t.Lang = LangFR
	}
	if err := t.Check(); err != nil {
		return err
	}
	return m.Store.SetSetting(ctx, templateKey(t.Kind, t.Lang), t.Format())
}

// Reset forgets the edited copy: the default template is used again.
func (m MailTemplates) Reset(ctx context.Context, kind MessageKind, lang Language) error {
	return m.Store.SetSetting(ctx, templateKey(kind, lang), "")
}

// Preview renders t with the sample values the manager sees in Paramètres.
func (m MailTemplates) Preview(t MailTemplate) (subject, text, html string, err error) {
	return t.Render(SampleMailData())
}

// KindLabel is the French name of a kind of mail.
func KindLabel(k MessageKind) string {
	switch k {
	case KindInvitation:
		return "Invitation"
	case KindWelcome:
		return "Bienvenue"
	case KindSession:
		return "Inscription à une session"
	case KindReset:
		return "Réinitialisation du mot de passe"
	case KindTest:
		return "Message d'essai"
	}
	return string(k)
}

// Mailer makes the mails of invitations, welcomes, sessions and resets. It reads the
// templates, the platform and the sender once (NewMailer), then composes messages
// without touching storage, so a store can call it inside its transaction.
type Mailer struct {
	org       Organisation
	sender    string
	templates map[string]compiled
}

// compiled is a checked template cut into literal text and placeholders once, so that
// making 10 000 mails does not parse it 10 000 times; it renders as MailTemplate.Render.
type compiled struct {
	subject, body []segment
}

// segment is literal text, or the canonical name of a placeholder when field is set.
type segment struct {
	text  string
	field bool
}

func compile(t MailTemplate) (compiled, error) {
	if err := t.Check(); err != nil {
		return compiled{}, err
	}
	cut := func(s string) []segment {
		var out []segment
		last := 0
		for _, m := range placeholderRE.FindAllStringSubmatchIndex(s, -1) {
			out = append(out, segment{text: s[last:m[0]]}, segment{text: canonical(s[m[2]:m[3]]), field: true})
			last = m[1]
		}
		return append(out, segment{text: s[last:]})
	}
	return compiled{subject: cut(t.Subject), body: cut(t.Body)}, nil
}

func fill(segs []segment, d MailData) string {
	var b strings.Builder
	for _, s := range segs {
		if s.field {
			b.WriteString(d[s.text])
		} else {
			b.WriteString(s.text)
		}
	}
	return b.String()
}

// render fills c as MailTemplate.Render does.
func (c compiled) render(d MailData) (subject, text, htmlBody string) {
	subject = strings.Join(strings.Fields(fill(c.subject, d)), " ")
	text = strings.ReplaceAll(fill(c.body, d), "\r\n", "\n")
	return subject, text, textToHTML(subject, text)
}

// NewMailer loads what mails are made from: every template (edited copy, else the
// default), the organisation and the sender name (the SMTP sender name, else the
// organisation's name).
func NewMailer(ctx context.Context, src MailSource, defaults DefaultTemplates) (*Mailer, error) {
	org, err := src.Organisation(ctx)
	if err != nil {
		return nil, err
	}
	smtp, err := src.SMTPSettings(ctx)
	if err != nil {
		return nil, err
	}
	m := &Mailer{org: org, sender: smtp.FromName, templates: map[string]compiled{}}
	if m.sender == "" {
		m.sender = org.Name
	}
	for _, k := range TemplateKinds {
		for _, l := range Languages {
			t, _, err := getTemplate(ctx, src, defaults, k, l)
			if err != nil {
				return nil, err
			}
			if m.templates[templateKey(k, l)], err = compile(t); err != nil {
				return nil, err
			}
		}
	}
	return m, nil
}

// Organisation returns the platform name and URL the mails use.
func (m *Mailer) Organisation() Organisation { return m.org }

// AliasTag returns the tag "#" aliases are made with: the platform name made safe.
func (m *Mailer) AliasTag() string { return AliasTag(m.org.Name) }

// Link returns the platform URL followed by path and token; an error asks for the
// platform URL when it is not set.
func (m *Mailer) Link(path, token string) (string, error) {
	base := strings.TrimRight(strings.TrimSpace(m.org.URL), "/")
	if base == "" {
		return "", Errorf(EInvalid, "mail.no_platform_url",
			"L'adresse web de la plateforme n'est pas renseignée\u00a0: indiquez-la dans Paramètres (ou avec «\u00a0convive platform --url …\u00a0»)\u00a0; elle forme le lien des e-mails.", nil)
	}
	if token == "" {
		return base, nil
	}
	return base + path + url.PathEscape(token), nil
}

// MailInput is what one mail is made of.
type MailInput struct {
	Kind  MessageKind
	Lang  Language // "" means French
	User  User     // login, delivery address and names
	Token string   // one-time secret of the link; "" links to the platform itself
	// Course, Session and Opens fill the session mail.
	Course, Session string
	Opens           time.Time
	Due             time.Time // zero: now
	InvitationID    int64
}

// linkPath is where the link of each kind of mail leads.
func linkPath(k MessageKind) string {
	switch k {
	case KindWelcome:
		return PathWelcome
	case KindReset:
		return PathReset
	}
	return PathInvitation
}

// Compose renders the template of in.Kind in in.Lang and returns the message for the
// outbox, addressed to the user's delivery address.
func (m *Mailer) Compose(in MailInput) (Message, error) {
	lang := in.Lang
	if lang == "" {
		lang = LangFR
	}
	t, ok := m.templates[templateKey(in.Kind, lang)]
	if !ok {
		return Message{}, Errorf(EInternal, "mail.no_template", "Il n'y a pas de modèle de message «\u00a0{{.Kind}}\u00a0» en {{.Lang}}.",
			map[string]any{"Kind": KindLabel(in.Kind), "Lang": lang.Label()})
	}
	link, err := m.Link(linkPath(in.Kind), in.Token)
	if err != nil && in.Kind != KindTest { // a test mail needs no link
		return Message{}, err
	}
	d := MailData{
		"prénom": in.User.FirstName, "nom": in.User.LastName, "identifiant": in.User.Login, "e-mail": in.User.Email,
		"plateforme": m.org.Name, "adresse de la plateforme": strings.TrimSpace(m.org.URL), "lien": link,
		"parcours": in.Course, "session": in.Session, "ouverture": FrenchDate(in.Opens), "expéditeur": m.sender,
	}
	subject, text, html := t.render(d)
	to := in.User.Email
	if to == "" {
		to = in.User.Login
	}
	return Message{Kind: in.Kind, To: to, Subject: subject, Text: text, HTML: html, Due: in.Due,
		InvitationID: in.InvitationID, UserID: in.User.ID}, nil
}

// TestMail composes the Test template (the manager's copy, else the default) for the
// address to, in lang: what "Envoyer un e-mail de test" sends, the settings aside.
func TestMail(ctx context.Context, src MailSource, defaults DefaultTemplates, to string, lang Language) (Message, error) {
	m, err := NewMailer(ctx, src, defaults)
	if err != nil {
		return Message{}, err
	}
	return m.Compose(MailInput{Kind: KindTest, Lang: lang, User: User{Login: to, Email: to}})
}

// ImportMail adapts the mailer to the bulk import (ImportMeta.Mail), in the language
// of each person.
func (m *Mailer) ImportMail() ImportMail {
	return func(kind MessageKind, u User, token string) (Message, error) {
		return m.Compose(MailInput{Kind: kind, Lang: u.Language, User: u, Token: token})
	}
}
