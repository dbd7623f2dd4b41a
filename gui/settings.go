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

// SettingsScreen is the Paramètres screen: the platform's name and web address, and the
// language of the window.
type SettingsScreen struct {
	// Name is the platform name (it also forms the "#" aliases); URL its web address.
	Name, URL *Entry
	// Language offers Français and English.
	Language *widget.RadioGroup
	// Save writes everything (the screen's main action); Saved confirms it.
	Save  *widget.Button
	Saved *widget.Label

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
	s.content = container.NewVScroll(container.NewVBox(
		container.New(&maxWidth{w: 720}, form),
		help(lang.X("settings.language.note", "Le changement de langue s'applique dès l'enregistrement et reste choisi aux prochains démarrages.")),
		s.Saved,
	))
	return s
}

func (s *SettingsScreen) id() string                { return ScreenSettings }
func (s *SettingsScreen) icon() fyne.Resource       { return theme.SettingsIcon() }
func (s *SettingsScreen) title() string             { return lang.X("nav.settings", "Paramètres") }
func (s *SettingsScreen) action() fyne.CanvasObject { return s.Save }
func (s *SettingsScreen) view() fyne.CanvasObject   { return s.content }
func (s *SettingsScreen) subtitle() string {
	return lang.X("settings.subtitle", "Le nom et l'adresse de votre plateforme de formation, et la langue de Convive.")
}

func (s *SettingsScreen) shown() { s.loadAsync() }

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
	s.Save.Disable()
	s.Saved.SetText("")
	runAsync(s.mw.Window, func() error {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := s.mw.st.SetOrganisation(ctx, org); err != nil {
			return err
		}
		return s.mw.st.SetSetting(ctx, SettingLanguage, code)
	}, func(err error) {
		s.Save.Enable()
		if err != nil {
			return
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
