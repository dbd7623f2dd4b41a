package gui

import (
	"context"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"convive/core"
)

// SettingsScreen is the Paramètres screen: the platform's name and web address, the
// language of the window and, when the services keep an outbox, the sending of e-mails.
type SettingsScreen struct {
	// Name is the platform name (it also forms the "#" aliases); URL its web address.
	Name, URL *Entry
	// Language offers Français and English.
	Language *widget.RadioGroup
	// Save writes everything (the screen's main action); Saved confirms it.
	Save  *widget.Button
	Saved *widget.Label
	// SMTP is the Envoi des e-mails part; nil when the services keep no outbox.
	SMTP *SMTPForm
	// Templates opens the mail templates editor; TemplateEditor is the one last opened.
	Templates      *widget.Button
	TemplateEditor *TemplateEditor

	content fyne.CanvasObject
	mw      *MainWindow
}

// Names of the languages, each written in its own language.
const (
	labelFrench  = "Français"
	labelEnglish = "English"
)

func newSettingsScreen(mw *MainWindow) *SettingsScreen {
	s := &SettingsScreen{mw: mw}
	s.Name, s.URL = NewEntry(), NewEntry()
	s.Name.SetPlaceHolder(lang.X("settings.name.placeholder", "Par exemple : Académie Durand"))
	s.URL.SetPlaceHolder("https://formation.example.fr")
	s.Name.OnSubmitted = func(string) { s.saveAsync() }
	s.URL.OnSubmitted = func(string) { s.saveAsync() }
	s.Language = widget.NewRadioGroup([]string{labelFrench, labelEnglish}, nil)
	s.Language.Horizontal = true
	s.Language.Required = true
	s.Save = &widget.Button{Text: lang.X("settings.save", "Enregistrer"), Icon: theme.DocumentSaveIcon(),
		Importance: widget.HighImportance, OnTapped: s.saveAsync}
	s.Saved = widget.NewLabel("")
	s.Saved.Importance = widget.SuccessImportance
	s.Saved.Wrapping = fyne.TextWrapWord

	help := func(text string) *widget.Label {
		l := widget.NewLabel(text)
		l.Wrapping = fyne.TextWrapWord
		return l
	}
	nameItem := widget.NewFormItem(lang.X("settings.name", "Nom de la plateforme"), s.Name)
	nameItem.HintText = lang.X("settings.name.hint", "Il sert aussi aux alias d'adresse : jean.dupont#plateforme@gmail.com.")
	urlItem := widget.NewFormItem(lang.X("settings.url", "Adresse web"), s.URL)
	urlItem.HintText = lang.X("settings.url.hint", "Les liens des e-mails d'invitation mènent à cette adresse.")
	langItem := widget.NewFormItem(lang.X("settings.language", "Langue de Convive"), s.Language)
	form := widget.NewForm(nameItem, urlItem, langItem)
	page := container.NewVBox(
		container.New(&maxWidth{w: 720}, form),
		help(lang.X("settings.language.note", "Le changement de langue s'applique dès l'enregistrement et reste choisi aux prochains démarrages.")),
	)
	if mw.obs != nil {
		s.SMTP = newSMTPForm(mw, mw.obs)
		heading := widget.NewLabelWithStyle(lang.X("smtp.section", "Envoi des e-mails"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
		heading.SizeName = theme.SizeNameSubHeadingText
		page.Add(widget.NewSeparator())
		page.Add(heading)
		page.Add(help(lang.X("smtp.section.help", "Le serveur d'envoi (SMTP) de votre organisation, par lequel partent les invitations et les autres e-mails de Convive.")))
		page.Add(container.New(&maxWidth{w: 720}, s.SMTP.content))
	}
	s.addTemplatesSection(page, help)
	page.Add(s.Saved)
	s.content = container.NewVScroll(page)
	return s
}

func (s *SettingsScreen) id() string                { return ScreenSettings }
func (s *SettingsScreen) icon() fyne.Resource       { return theme.SettingsIcon() }
func (s *SettingsScreen) title() string             { return lang.X("nav.settings", "Paramètres") }
func (s *SettingsScreen) action() fyne.CanvasObject { return s.Save }
func (s *SettingsScreen) view() fyne.CanvasObject   { return s.content }
func (s *SettingsScreen) subtitle() string {
	return lang.X("settings.subtitle", "Le nom et l'adresse de votre plateforme de formation, la langue de Convive et l'envoi des e-mails.")
}

func (s *SettingsScreen) shown() {
	s.loadAsync()
	if s.SMTP != nil {
		s.SMTP.loadAsync()
	}
}

func (s *SettingsScreen) loadAsync() {
	var org core.Organisation
	var code string
	runAsync(s.mw.Window, func() error {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		var err error
		if org, err = s.mw.st.Organisation(ctx); err != nil {
			return err
		}
		code, err = s.mw.st.Setting(ctx, SettingLanguage)
		return err
	}, func(err error) {
		if err != nil {
			return
		}
		s.Name.SetText(org.Name)
		s.URL.SetText(org.URL)
		if code != LanguageEnglish {
			code = LanguageFrench
		}
		s.Language.SetSelected(languageChoice(code))
	})
}

func languageChoice(code string) string {
	if code == LanguageEnglish {
		return labelEnglish
	}
	return labelFrench
}

// saveAsync writes the organisation and the language; a new language is applied at once.
func (s *SettingsScreen) saveAsync() {
	org := core.Organisation{Name: s.Name.Text, URL: s.URL.Text}
	code := LanguageFrench
	if s.Language.Selected == labelEnglish {
		code = LanguageEnglish
	}
	s.Saved.SetText("")
	var smtpSave *smtpChange
	// Until the stored SMTP settings are on screen, saving leaves them as they are.
	if s.SMTP != nil && s.SMTP.ready {
		c, ok := s.SMTP.collect()
		if !ok {
			s.SMTP.showResult(lang.X("smtp.invalid", "Rien n'a été enregistré : corrigez les réglages d'envoi signalés en rouge."), false)
			return
		}
		smtpSave = &c
	}
	s.Save.Disable()
	var place passwordPlace
	runAsync(s.mw.Window, func() error {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := s.mw.st.SetOrganisation(ctx, org); err != nil {
			return err
		}
		if smtpSave != nil {
			var err error
			if place, err = smtpSave.apply(ctx, s.mw.obs); err != nil {
				return err
			}
		}
		return s.mw.st.SetSetting(ctx, SettingLanguage, code)
	}, func(err error) {
		s.Save.Enable()
		if err != nil {
			return
		}
		if smtpSave != nil {
			s.SMTP.saved(*smtpSave, place)
			s.mw.outbox.settingsChanged()
		}
		if code != CurrentLanguage() {
			s.mw.applyLanguage(code)
			s.mw.Settings.Saved.SetText(lang.X("settings.saved", "Paramètres enregistrés."))
			return
		}
		s.Saved.SetText(lang.X("settings.saved", "Paramètres enregistrés."))
	})
}

// maxWidth keeps its content from growing wider than w, so that a form does not
// stretch across a wide screen.
type maxWidth struct{ w float32 }

func (m *maxWidth) MinSize(objects []fyne.CanvasObject) fyne.Size {
	var s fyne.Size
	for _, o := range objects {
		s = s.Max(o.MinSize())
	}
	return s
}

func (m *maxWidth) Layout(objects []fyne.CanvasObject, size fyne.Size) {
	w := size.Width
	if w > m.w {
		w = m.w
	}
	for _, o := range objects {
		o.Resize(fyne.NewSize(w, size.Height))
		o.Move(fyne.NewPos(0, 0))
	}
}
