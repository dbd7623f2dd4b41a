package importer

import (
	"strings"

	"convive/core"
)

// Templates returns the mail template of a kind in a language: the manager's edited
// one, or the default from package assets (assets.DefaultMailTemplate fits).
type Templates func(kind core.MessageKind, lang core.Language) (core.MailTemplate, error)

// Mailer returns a core.ImportMail that renders each new person's invitation or
// welcome mail from templates, in the person's language; sender signs the mail.
//
// Deprecated: it reads neither the templates the manager edited nor the SMTP sender
// name. Use core.NewMailer(ctx, store, assets.DefaultMailTemplate) and its ImportMail,
// which every other mail of Convive goes through.
func Mailer(org core.Organisation, sender string, templates Templates) core.ImportMail {
	cache := map[string]core.MailTemplate{}
	base := strings.TrimRight(strings.TrimSpace(org.URL), "/")
	if sender == "" {
		sender = org.Name
	}
	return func(kind core.MessageKind, u core.User, token string) (core.Message, error) {
		lang := u.Language
		if lang == "" {
			lang = core.LangFR
		}
		key := string(kind) + "/" + string(lang)
		t, ok := cache[key]
		if !ok {
			var err error
			if t, err = templates(kind, lang); err != nil {
				return core.Message{}, err
			}
			cache[key] = t
		}
		path := core.PathInvitation
		if kind == core.KindWelcome {
			path = core.PathWelcome
		}
		subject, text, html, err := t.Render(core.MailData{
			"prénom": u.FirstName, "nom": u.LastName, "identifiant": u.Login, "e-mail": u.Email,
			"plateforme": org.Name, "adresse de la plateforme": org.URL, "lien": base + path + token,
			"expéditeur": sender,
		})
		if err != nil {
			return core.Message{}, err
		}
		return core.Message{Kind: kind, To: u.Email, Subject: subject, Text: text, HTML: html}, nil
	}
}
