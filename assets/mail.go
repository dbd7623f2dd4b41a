package assets

import (
	"embed"
	"fmt"

	"convive/core"
)

//go:embed mail/*.txt
var mailFS embed.FS

// MailKinds lists the kinds of mail that have a default template.
var MailKinds = []core.MessageKind{core.KindInvitation, core.KindWelcome, core.KindSession, core.KindReset, core.KindTest}

// DefaultMailTemplate returns the template shipped with Convive for a kind of mail in
// a language; the manager's edited copy, when there is one, is kept in the database.
func DefaultMailTemplate(kind core.MessageKind, lang core.Language) (core.MailTemplate, error) {
	src, err := mailFS.ReadFile(fmt.Sprintf("mail/%s.%s.txt", kind, lang))
	if err != nil {
		return core.MailTemplate{}, fmt.Errorf("no default template for %s/%s: %w", kind, lang, err)
	}
	return core.ParseMailTemplate(kind, lang, string(src))
}
