package assets

import (
	"strings"
	"testing"

	"convive/core"
)

func TestEveryDefaultTemplateIsValidInBothLanguages(t *testing.T) {
	for _, kind := range MailKinds {
		for _, lang := range core.Languages {
			tmpl, err := DefaultMailTemplate(kind, lang)
			if err != nil {
				t.Errorf("%s/%s: %v", kind, lang, err)
				continue
			}
			subject, text, _, err := tmpl.Render(core.SampleMailData())
			if err != nil {
				t.Errorf("%s/%s: %v", kind, lang, err)
			}
			if strings.Contains(subject+text, "{{") || !strings.Contains(text, "Formation Exemple") && !strings.Contains(text, "Service formation") {
				t.Errorf("%s/%s not filled: %q %q", kind, lang, subject, text)
			}
		}
	}
}
