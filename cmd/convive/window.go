package main

import (
	"context"
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/widget"

	"convive/assets"
	"convive/gui"
)

// appID identifies Convive to the desktop and to Fyne's own preferences; it matches
// the ID in FyneApp.toml.
const appID = "fr.convive.app"

// openWindow runs the desktop application until its window is closed. It is a variable
// so that the tests of the command line can check what it is handed without a display.
var openWindow = func(c *cli) int {
	st, err := c.open()
	if err != nil {
		code := c.fail(err)
		showStartupError(err)
		return code
	}
	defer st.Close()

	language, err := st.Setting(context.Background(), "ui.language")
	if err != nil || language == "" {
		language = "fr"
	}
	gui.SetLanguage(language)
	if err := gui.LoadTranslations(); err != nil {
		// The texts have French fallbacks in the code: the window still works.
		fmt.Fprintf(c.stderr, "Avertissement : les traductions n'ont pas pu être chargées (%v).\n", err)
	}

	a := app.NewWithID(appID)
	a.SetIcon(icon())
	gui.NewMainWindow(a, st).Window.ShowAndRun()
	return exitOK
}

// icon is the application icon as a Fyne resource.
func icon() fyne.Resource { return fyne.NewStaticResource("icon.png", assets.IconPNG) }

// showStartupError tells a person who started Convive from the desktop, and so sees
// no terminal, why it cannot open: usually a database it cannot read or write.
func showStartupError(err error) {
	a := app.NewWithID(appID)
	a.SetIcon(icon())
	w := a.NewWindow("Convive")
	text := widget.NewLabel(french("Convive ne peut pas s'ouvrir.\n\n" + message(err)))
	text.Wrapping = fyne.TextWrapWord
	quit := &widget.Button{Text: "Fermer", Importance: widget.HighImportance, OnTapped: a.Quit}
	w.SetContent(container.NewBorder(nil, container.NewHBox(layout.NewSpacer(), quit), nil, nil, text))
	w.Resize(fyne.NewSize(520, 220))
	w.CenterOnScreen()
	w.ShowAndRun()
}
