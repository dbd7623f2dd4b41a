package gui

import (
	"context"
	"errors"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"convive/assets"
	"convive/core"
)

// previewDelay is how long the editor waits after a key before drawing the preview.
const previewDelay = 250 * time.Millisecond

// TemplateEditor is the « Modèles d'e-mails » dialog of Paramètres: one kind of mail in
// one language, its subject and body, the placeholders it may use, and a preview on
// sample data.
type TemplateEditor struct {
	Dialog dialog.Dialog
	// Kind chooses the kind of mail; Language Français or English.
	Kind     *widget.Select
	Language *widget.RadioGroup
	// Subject and Body are the template being edited.
	Subject *templateEntry
	Body    *templateEntry
	// Fields holds one button per placeholder of the kind; a tap inserts {{champ}}.
	Fields *fyne.Container
	// Modified shows « modifié » when the template differs from Convive's.
	Modified *widget.Label
	// PreviewSubject and PreviewBody show the mail filled with sample values.
	PreviewSubject *widget.Label
	PreviewBody    *widget.Label
	// Message says what saving did, or what is wrong (in red).
	Message *widget.Label
	Save    *widget.Button
	Reset   *widget.Button
	// Question is the last confirmation asked (Rétablir).
	Question *dialog.ConfirmDialog

	templates core.MailTemplates
	kinds     []core.MessageKind
	kind      core.MessageKind
	lng       core.Language
	def       core.MailTemplate
	loaded    core.MailTemplate // as last loaded or saved, to tell unsaved changes
	shownKind int               // the kind and language on screen, to go back to
	shownLang string
	reverting bool
	last      *templateEntry // the field the placeholders go into
	timer     *time.Timer
	w         fyne.Window
}

// templateEntry is an editor field that tells the editor when it gets the focus, so
// that a placeholder goes where the person was typing.
type templateEntry struct {
	Entry
	onFocus func()
}

func newTemplateEntry(multi bool) *templateEntry {
	e := &templateEntry{}
	e.MultiLine = multi
	if multi {
		e.Wrapping = fyne.TextWrapWord
	}
	e.ExtendBaseWidget(e)
	return e
}

// FocusGained remembers this field as the one placeholders go into.
func (e *templateEntry) FocusGained() {
	e.Entry.FocusGained()
	if e.onFocus != nil {
		e.onFocus()
	}
}

// insert types text at the cursor, as if the person had typed it.
func (e *templateEntry) insert(text string) {
	for _, r := range text {
		e.TypedRune(r)
	}
}

// kindLabel names a kind of mail in the chooser.
func kindLabel(k core.MessageKind) string {
	switch k {
	case core.KindInvitation:
		return lang.X("templates.kind.invitation", "Invitation")
	case core.KindWelcome:
		return lang.X("templates.kind.welcome", "Bienvenue")
	case core.KindSession:
		return lang.X("templates.kind.session", "Session de parcours")
	case core.KindReset:
		return lang.X("templates.kind.reset", "Réinitialisation du mot de passe")
	case core.KindTest:
		return lang.X("templates.kind.test", "Test")
	}
	return string(k)
}

// showTemplateEditor opens the editor over w on the invitation in French.
func showTemplateEditor(w fyne.Window, st core.SettingStore) *TemplateEditor {
	t := &TemplateEditor{w: w, templates: core.MailTemplates{Store: st, Defaults: assets.DefaultMailTemplate},
		kinds: assets.MailKinds, kind: core.KindInvitation, lng: core.LangFR}
	var labels []string
	for _, k := range t.kinds {
		labels = append(labels, kindLabel(k))
	}
	t.Kind = widget.NewSelect(labels, func(string) { t.onChoose() })
	t.Language = widget.NewRadioGroup([]string{labelFrench, labelEnglish}, func(string) { t.onChoose() })
	t.Language.Horizontal = true
	t.Language.Required = true
	t.Subject = newTemplateEntry(false)
	t.Body = newTemplateEntry(true)
	t.Body.SetMinRowsVisible(10)
	t.last = t.Body
	for _, e := range []*templateEntry{t.Subject, t.Body} {
		e.onFocus = func() { t.last = e }
		e.OnChanged = func(string) { t.changed() }
	}
	t.Fields = container.New(layout.NewRowWrapLayout())
	t.Modified = widget.NewLabelWithStyle(lang.X("templates.modified", "modifié"), fyne.TextAlignLeading, fyne.TextStyle{Italic: true})
	t.Modified.Importance = widget.WarningImportance
	t.Modified.Hide()
	t.PreviewSubject = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	t.PreviewSubject.Wrapping = fyne.TextWrapWord
	t.PreviewBody = widget.NewLabel("")
	t.PreviewBody.Wrapping = fyne.TextWrapWord
	t.Message = widget.NewLabel("")
	t.Message.Wrapping = fyne.TextWrapWord
	t.Save = &widget.Button{Text: lang.X("templates.save", "Enregistrer"), Icon: theme.DocumentSaveIcon(),
		Importance: widget.HighImportance, OnTapped: t.onSave}
	t.Reset = &widget.Button{Text: lang.X("templates.reset", "Rétablir le modèle d'origine"), Icon: theme.ViewRefreshIcon(), OnTapped: t.onReset}

	// The chooser is as wide as its longest kind, so that no name is cut.
	widest := float32(0)
	for _, l := range labels {
		widest = max(widest, fyne.MeasureText(l, theme.TextSize(), fyne.TextStyle{}).Width)
	}
	kindBox := container.NewGridWrap(fyne.NewSize(widest+theme.IconInlineSize()+6*theme.InnerPadding(), t.Kind.MinSize().Height), t.Kind)
	choose := widget.NewForm(
		widget.NewFormItem(lang.X("templates.kind", "Message"), container.NewHBox(kindBox, t.Modified)),
		widget.NewFormItem(lang.X("templates.language", "Langue"), t.Language))
	edit := container.NewBorder(
		container.NewVBox(widget.NewLabel(lang.X("templates.subject", "Objet")), t.Subject), nil, nil, nil,
		container.NewBorder(widget.NewLabel(lang.X("templates.body", "Texte")), nil, nil, nil, t.Body))
	fieldsHelp := widget.NewLabel(lang.X("templates.fields", "Champs possibles (cliquez pour insérer au curseur)\u00a0:"))
	fieldsHelp.Wrapping = fyne.TextWrapWord
	left := container.NewBorder(nil, container.NewVBox(fieldsHelp, t.Fields), nil, nil, edit)
	previewTitle := widget.NewLabelWithStyle(lang.X("templates.preview", "Aperçu avec des valeurs d'exemple"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	right := container.NewBorder(container.NewVBox(previewTitle, t.PreviewSubject, widget.NewSeparator()), nil, nil, nil,
		container.NewVScroll(t.PreviewBody))
	split := container.NewHSplit(left, right)
	closeBtn := &widget.Button{Text: lang.X("dialog.close", "Fermer")}
	bottom := container.NewVBox(t.Message, container.NewHBox(t.Reset, layout.NewSpacer(), closeBtn, t.Save))
	content := container.NewBorder(choose, bottom, nil, nil, split)
	d := dialog.NewCustomWithoutButtons(lang.X("templates.title", "Modèles d'e-mails"), content, w)
	t.Dialog = d
	closeBtn.OnTapped = t.onClose
	t.Subject.OnEscape, t.Body.OnEscape = t.onClose, t.onClose
	withKeys(w, d, nil)
	size := w.Canvas().Size()
	d.Resize(fyne.NewSize(min(1200, size.Width-30), min(820, size.Height-30)))
	t.Kind.SetSelectedIndex(0)
	t.Language.SetSelected(labelFrench)
	d.Show()
	return t
}

// dirty reports whether the template on screen has changes not saved.
func (t *TemplateEditor) dirty() bool {
	return t.loaded.Body != "" && (t.Subject.Text != t.loaded.Subject || t.Body.Text != t.loaded.Body)
}

// askDiscard asks before unsaved changes are lost; then runs yes or no.
func (t *TemplateEditor) askDiscard(yes, no func()) {
	d := dialog.NewConfirm(lang.X("templates.discard.title", "Modifications non enregistrées"),
		lang.X("templates.discard.question", "Le modèle « {{.Kind}} » a des modifications non enregistrées. Les abandonner ?",
			map[string]any{"Kind": kindLabel(t.kind)}),
		func(ok bool) {
			if ok {
				yes()
			} else if no != nil {
				no()
			}
		}, t.w)
	d.SetConfirmText(lang.X("templates.discard.confirm", "Abandonner les modifications"))
	d.SetDismissText(lang.X("templates.discard.keep", "Continuer la modification"))
	d.SetConfirmImportance(widget.DangerImportance)
	t.Question = d
	d.Show()
}

// onClose closes the editor, asking first when changes are not saved.
func (t *TemplateEditor) onClose() {
	if t.dirty() {
		t.askDiscard(t.Dialog.Hide, nil)
		return
	}
	t.Dialog.Hide()
}

// onChoose loads the template of the kind and language chosen, asking first when
// the one on screen has unsaved changes.
func (t *TemplateEditor) onChoose() {
	i := t.Kind.SelectedIndex()
	if t.reverting || i < 0 || t.Language.Selected == "" {
		return
	}
	if t.dirty() {
		t.askDiscard(t.load, func() {
			t.reverting = true
			t.Kind.SetSelectedIndex(t.shownKind)
			t.Language.SetSelected(t.shownLang)
			t.reverting = false
		})
		return
	}
	t.load()
}

// load shows the template of the kind and language chosen.
func (t *TemplateEditor) load() {
	i := t.Kind.SelectedIndex()
	t.shownKind, t.shownLang = i, t.Language.Selected
	t.loaded = core.MailTemplate{}
	t.kind = t.kinds[i]
	t.lng = core.LangFR
	if t.Language.Selected == labelEnglish {
		t.lng = core.LangEN
	}
	t.Fields.RemoveAll()
	for _, p := range core.MailFields(t.kind) {
		text := "{{" + p.Name + "}}"
		t.Fields.Add(&widget.Button{Text: text, OnTapped: func() { t.onInsert(text) }})
	}
	t.Fields.Refresh()
	t.Message.SetText("")
	kind, lng := t.kind, t.lng
	var cur, def core.MailTemplate
	runAsync(t.w, func() error {
		var err error
		if def, err = t.templates.Defaults(kind, lng); err != nil {
			return err
		}
		cur, _, err = t.templates.Get(context.Background(), kind, lng)
		if err != nil {
			// An unreadable stored copy is shown as it is, to be corrected.
			var ce *core.Error
			if errors.As(err, &ce) && ce.Key == "mail.stored_template" {
				return nil
			}
		}
		return err
	}, func(err error) {
		if err != nil || kind != t.kind || lng != t.lng {
			return
		}
		t.def, t.loaded = def, cur
		t.Subject.SetText(cur.Subject)
		t.Body.SetText(cur.Body)
		t.refreshPreview()
	})
}

// onInsert puts text at the cursor of the field last used.
func (t *TemplateEditor) onInsert(text string) {
	t.last.insert(text)
	t.w.Canvas().Focus(t.last)
}

// current is the template as edited.
func (t *TemplateEditor) current() core.MailTemplate {
	return core.MailTemplate{Kind: t.kind, Lang: t.lng, Subject: t.Subject.Text, Body: t.Body.Text}
}

// changed marks the template and draws the preview after a short pause.
func (t *TemplateEditor) changed() {
	t.showModified()
	if t.timer != nil {
		t.timer.Stop()
	}
	t.timer = time.AfterFunc(previewDelay, func() { doUI(t.refreshPreview) })
}

func (t *TemplateEditor) showModified() {
	visible(t.Modified, t.def.Body != "" && (t.Subject.Text != t.def.Subject || t.Body.Text != t.def.Body))
}

// refreshPreview fills the template with the sample values, or says what is wrong.
func (t *TemplateEditor) refreshPreview() {
	t.showModified()
	subject, text, _, err := t.templates.Preview(t.current())
	if err != nil {
		t.PreviewSubject.SetText("")
		t.PreviewBody.Importance = widget.DangerImportance
		t.PreviewBody.SetText(errorText(err))
		return
	}
	t.PreviewSubject.SetText(subject)
	t.PreviewBody.Importance = widget.MediumImportance
	t.PreviewBody.SetText(text)
}

func (t *TemplateEditor) showMessage(text string, ok bool) {
	t.Message.Importance = widget.DangerImportance
	if ok {
		t.Message.Importance = widget.SuccessImportance
	}
	t.Message.SetText(text)
}

// onSave checks the placeholders and keeps the template.
func (t *TemplateEditor) onSave() {
	tpl := t.current()
	go func() {
		err := t.templates.Save(context.Background(), tpl)
		doUI(func() {
			if err != nil {
				t.showMessage(errorText(err), false)
				return
			}
			if tpl.Kind == t.kind && tpl.Lang == t.lng {
				t.loaded = tpl
			}
			t.showMessage(lang.X("templates.saved", "Modèle enregistré\u00a0: les prochains e-mails de ce type l'utiliseront."), true)
		})
	}()
}

// onReset asks, then goes back to Convive's template.
func (t *TemplateEditor) onReset() {
	kind, lng := t.kind, t.lng
	t.Question = confirmDialog(t.w, lang.X("templates.reset.title", "Rétablir le modèle d'origine"),
		lang.X("templates.reset.question", "Remplacer le modèle «\u00a0{{.Kind}}\u00a0» par celui fourni avec Convive\u00a0? Vos modifications seront perdues.",
			map[string]any{"Kind": kindLabel(kind)}),
		lang.X("templates.reset.confirm", "Rétablir"), func() {
			runAsync(t.w, func() error {
				return t.templates.Reset(context.Background(), kind, lng)
			}, func(err error) {
				if err != nil || kind != t.kind || lng != t.lng {
					return
				}
				t.loaded = t.def
				t.Subject.SetText(t.def.Subject)
				t.Body.SetText(t.def.Body)
				t.refreshPreview()
				t.showMessage(lang.X("templates.reset.done", "Le modèle d'origine est rétabli."), true)
			})
		})
	t.Question.Show()
}

// addTemplatesSection adds « Modèles d'e-mails » to the Paramètres page.
func (s *SettingsScreen) addTemplatesSection(page *fyne.Container, help func(string) *widget.Label) {
	heading := widget.NewLabelWithStyle(lang.X("templates.title", "Modèles d'e-mails"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	heading.SizeName = theme.SizeNameSubHeadingText
	s.Templates = &widget.Button{Text: lang.X("templates.open", "Modifier les modèles d'e-mails"), Icon: theme.DocumentCreateIcon(),
		OnTapped: func() { s.TemplateEditor = showTemplateEditor(s.mw.Window, s.mw.st) }}
	page.Add(widget.NewSeparator())
	page.Add(heading)
	page.Add(help(lang.X("templates.help", "Le texte des invitations, des e-mails de bienvenue, de session et de réinitialisation du mot de passe, en français et en anglais.")))
	page.Add(container.NewHBox(s.Templates))
}
