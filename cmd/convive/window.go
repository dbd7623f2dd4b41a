package main

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

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
		fmt.Fprintln(c.stderr, french(fmt.Sprintf("Avertissement : les traductions n'ont pas pu être chargées (%v).", err)))
	}

	a := newApp()
	gui.NewMainWindow(a, st).Window.ShowAndRun()
	return exitOK
}

// newApp creates the Fyne application with Convive's identity: its ID (which also
// names the folder of Fyne's own preferences), name, version and icon, the metadata
// that `fyne build` would otherwise inject from FyneApp.toml.
func newApp() fyne.App {
	app.SetMetadata(fyne.AppMetadata{ID: appID, Name: "Convive", Version: version, Icon: icon()})
	a := app.NewWithID(appID)
	a.SetIcon(icon())
	return a
}

// icon is the application icon as a Fyne resource.
func icon() fyne.Resource { return fyne.NewStaticResource("icon.png", assets.IconPNG) }

// showStartupError tells a person who started Convive from the desktop, and so sees
// no terminal, why it cannot open: usually a database it cannot read or write.
func showStartupError(err error) {
	a := newApp()
	w := a.NewWindow("Convive")
	title := widget.NewLabelWithStyle("Convive ne peut pas s'ouvrir.", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	// A wrapping label would make the window as tall as its narrowest layout; the
	// sentence is folded here instead, at a width that reads well.
	text := widget.NewLabel(wrapText(french(message(err)), 72))
	quit := &widget.Button{Text: "Fermer", Importance: widget.HighImportance, OnTapped: a.Quit}
	w.SetContent(container.NewVBox(title, text, container.NewHBox(layout.NewSpacer(), quit)))
	w.CenterOnScreen()
	w.ShowAndRun()
}

// wrapText folds s into lines of at most width characters, at spaces.
func wrapText(s string, width int) string {
	var b strings.Builder
	n := 0
	for i, word := range strings.Fields(s) {
		l := utf8.RuneCountInString(word)
		switch {
		case i == 0:
		case n+1+l > width:
			b.WriteByte('\n')
			n = 0
		default:
			b.WriteByte(' ')
			n++
		}
		b.WriteString(word)
		n += l
	}
	return b.String()
}
