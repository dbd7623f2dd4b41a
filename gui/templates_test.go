package gui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"convive/assets"
	"convive/core"
)

// openTemplateEditor opens Paramètres › Modèles d'e-mails over a real store.
func openTemplateEditor(t *testing.T) (*fixture, *TemplateEditor) {
	t.Helper()
	f := newFixture(t)
	f.mw.ShowScreen(ScreenSettings)
	settle()
	test.Tap(f.mw.Settings.Templates)
	ed := f.mw.Settings.TemplateEditor
	if ed == nil {
		t.Fatal("the editor did not open")
	}
	def, err := assets.DefaultMailTemplate(core.KindInvitation, core.LangFR)
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the invitation template", func() bool { return ed.Body.Text == def.Body && ed.PreviewSubject.Text != "" })
	return f, ed
}

// tapField taps the placeholder button that inserts text.
func tapField(t *testing.T, ed *TemplateEditor, text string) {
	t.Helper()
	for _, o := range ed.Fields.Objects {
		if b, ok := o.(*widget.Button); ok && b.Text == text {
			test.Tap(b)
			return
		}
	}
	t.Fatalf("no button %s", text)
}

func TestTemplateEditor(t *testing.T) {
	f, ed := openTemplateEditor(t)
	stored := func(kind core.MessageKind, lng core.Language) string {
		v, err := f.st.Setting(f.ctx, "mail.template."+string(kind)+"."+string(lng))
		if err != nil {
			t.Fatal(err)
		}
		return v
	}

	t.Run("the invitation in French opens with its placeholders as buttons", func(t *testing.T) {
		if ed.Kind.Selected != "Invitation" || ed.Language.Selected != "Français" {
			t.Errorf("opened on %q %q", ed.Kind.Selected, ed.Language.Selected)
		}
		if n := len(ed.Fields.Objects); n != len(core.MailFields(core.KindInvitation)) {
			t.Errorf("%d placeholder buttons", n)
		}
		if ed.Modified.Visible() {
			t.Error("the default template is marked modifié")
		}
	})

	t.Run("a placeholder is inserted at the cursor and the preview shows its sample value", func(t *testing.T) {
		ed.Subject.SetText("Bonjour  !")
		ed.Subject.CursorColumn = len([]rune("Bonjour "))
		ed.w.Canvas().Focus(ed.Subject)
		tapField(t, ed, "{{prénom}}")
		if ed.Subject.Text != "Bonjour {{prénom}} !" {
			t.Errorf("subject %q", ed.Subject.Text)
		}
		waitFor(t, "the preview", func() bool { return ed.PreviewSubject.Text == "Bonjour Camille !" })
		if !ed.Modified.Visible() {
			t.Error("the changed template is not marked modifié")
		}
	})

	t.Run("saving an unknown field shows the French error and saves nothing", func(t *testing.T) {
		ed.Body.SetText("Bonjour {{surnom}},\n\nÀ bientôt.")
		test.Tap(ed.Save)
		waitFor(t, "the error", func() bool { return ed.Message.Text != "" })
		for _, want := range []string{"Le champ «\u00a0{{surnom}}\u00a0» n'existe pas pour ce message", "{{prénom}}", "{{lien}}"} {
			if !strings.Contains(ed.Message.Text, want) {
				t.Errorf("message lacks %q: %q", want, ed.Message.Text)
			}
		}
		if v := stored(core.KindInvitation, core.LangFR); v != "" {
			t.Errorf("saved anyway: %q", v)
		}
		waitFor(t, "the preview saying what is wrong", func() bool { return strings.Contains(ed.PreviewBody.Text, "{{surnom}}") })
	})

	t.Run("a valid template is saved and used", func(t *testing.T) {
		ed.Body.SetText("Bonjour {{prénom}},\n\nVotre lien : {{lien}}\n\n{{expéditeur}}")
		test.Tap(ed.Save)
		waitFor(t, "the confirmation", func() bool { return strings.HasPrefix(ed.Message.Text, "Modèle enregistré") })
		tpl, edited, err := core.MailTemplates{Store: f.st, Defaults: assets.DefaultMailTemplate}.Get(f.ctx, core.KindInvitation, core.LangFR)
		if err != nil || !edited || tpl.Subject != "Bonjour {{prénom}} !" || !strings.Contains(tpl.Body, "Votre lien : {{lien}}") {
			t.Errorf("stored %+v edited %v (%v)", tpl, edited, err)
		}
	})

	t.Run("changing the kind with unsaved changes asks first, and Continuer keeps them", func(t *testing.T) {
		ed.Body.SetText(ed.Body.Text + "\nP.-S. : à bientôt")
		ed.Kind.SetSelected("Bienvenue")
		if !strings.Contains(overlayText(f.mw.Window), "modifications non enregistrées") {
			t.Fatalf("no question: %q", overlayText(f.mw.Window))
		}
		ed.Question.Dismiss()
		settle()
		if ed.Kind.Selected != "Invitation" || !strings.Contains(ed.Body.Text, "P.-S.") {
			t.Errorf("on %q with %q", ed.Kind.Selected, ed.Body.Text)
		}
		ed.Body.SetText(strings.TrimSuffix(ed.Body.Text, "\nP.-S. : à bientôt"))
	})

	t.Run("another kind and language load their own template and fields", func(t *testing.T) {
		ed.Kind.SetSelected("Session de parcours")
		ed.Language.SetSelected("English")
		def, _ := assets.DefaultMailTemplate(core.KindSession, core.LangEN)
		waitFor(t, "the English session template", func() bool { return ed.Body.Text == def.Body })
		if n := len(ed.Fields.Objects); n != len(core.MailFields(core.KindSession)) {
			t.Errorf("%d placeholder buttons", n)
		}
		ed.Kind.SetSelected("Invitation")
		ed.Language.SetSelected("Français")
		waitFor(t, "the saved invitation", func() bool { return strings.Contains(ed.Body.Text, "Votre lien") })
		if !ed.Modified.Visible() {
			t.Error("the saved template is not marked modifié")
		}
	})

	t.Run("Rétablir asks first, then brings the default back", func(t *testing.T) {
		test.Tap(ed.Reset)
		if !strings.Contains(overlayText(f.mw.Window), "Remplacer le modèle «\u00a0Invitation\u00a0»") {
			t.Errorf("question %q", overlayText(f.mw.Window))
		}
		ed.Question.Confirm()
		def, _ := assets.DefaultMailTemplate(core.KindInvitation, core.LangFR)
		waitFor(t, "the default", func() bool { return ed.Body.Text == def.Body && ed.Subject.Text == def.Subject })
		if v := stored(core.KindInvitation, core.LangFR); v != "" {
			t.Errorf("the edited copy is still stored: %q", v)
		}
		waitFor(t, "the mark to go", func() bool { return !ed.Modified.Visible() })
	})
}
