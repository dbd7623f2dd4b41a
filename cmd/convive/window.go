package main

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/widget"

	"convive/assets"
	"convive/core/sqlite"
	"convive/gui"
)

// appID identifies Convive to the desktop and to Fyne's own preferences; it matches
// the ID in FyneApp.toml.
const appID = "fr.convive.app"

// openWindow runs the desktop application until its window is closed. It is a variable
// so that the tests of the command line can check what it is handed without a display.
var openWindow = func(c *cli) int {
	a := newApp()
	opened := make(chan openResult, 1)
	go func() {
		st, err := c.open()
		opened <- openResult{st, err}
	}()
	var r openResult
	select {
	case r = <-opened:
	case <-time.After(splashDelay):
		s := c.startWithSplash(a, opened)
		a.Run()
		if s.st != nil {
			s.st.Close()
		}
		return s.code
	}
	if r.err != nil {
		code := c.fail(r.err)
		showStartupError(a, r.err)
		return code
	}
	defer r.st.Close()
	c.mainWindow(a, r.st).ShowAndRun()
	return exitOK
}

// openResult is the data file opened in the background, or why it could not be.
type openResult struct {
	st  *sqlite.Store
	err error
}

// splashDelay is how long opening the data file may take before a window says what is
// happening: a file written by an older version is updated at its first opening, a few
// seconds for 100 000 users.
const splashDelay = 400 * time.Millisecond

// startup is the outcome of a start behind the splash window: the exit code, and the
// store to close once the app has run.
type startup struct {
	code int
	st   *sqlite.Store
}

// startWithSplash shows a small window while the data file opens, then the main window
// in its place, or the reason it cannot open. The startup is filled on Fyne's goroutine
// once the file is open; read it after the app has run.
func (c *cli) startWithSplash(a fyne.App, opened <-chan openResult) *startup {
	s := &startup{code: exitOK}
	w := a.NewWindow("Convive")
	w.SetIcon(icon())
	title := widget.NewLabelWithStyle("Ouverture du fichier de données…", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	text := widget.NewLabel(wrapText("Si ce fichier vient d'une version précédente de Convive, il est mis à jour : cela peut prendre quelques secondes.", 60))
	bar := widget.NewProgressBarInfinite()
	w.SetContent(container.NewVBox(title, text, bar))
	w.CenterOnScreen()
	w.Show()
	go func() {
		r := <-opened
		fyne.Do(func() {
			bar.Stop()
			if r.err != nil {
				s.code = c.fail(r.err)
				w.SetContent(startupErrorContent(a, r.err))
				return
			}
			s.st = r.st
			c.mainWindow(a, r.st).Show()
			w.Close()
		})
	}()
	return s
}

// mainWindow sets the language saved in the data file and builds the main window.
func (c *cli) mainWindow(a fyne.App, st *sqlite.Store) fyne.Window {
	language, err := st.Setting(context.Background(), "ui.language")
	if err != nil || language == "" {
		language = "fr"
	}
	gui.SetLanguage(language)
	if err := gui.LoadTranslations(); err != nil {
		// The texts have French fallbacks in the code: the window still works.
		fmt.Fprintln(c.stderr, french(fmt.Sprintf("Avertissement : les traductions n'ont pas pu être chargées (%v).", err)))
	}
	return gui.NewMainWindow(a, st).Window
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
func showStartupError(a fyne.App, err error) {
	w := a.NewWindow("Convive")
	w.SetContent(startupErrorContent(a, err))
	w.CenterOnScreen()
	w.ShowAndRun()
}

// startupErrorContent says why Convive cannot open, with a button that quits.
func startupErrorContent(a fyne.App, err error) fyne.CanvasObject {
	title := widget.NewLabelWithStyle("Convive ne peut pas s'ouvrir.", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	// A wrapping label would make the window as tall as its narrowest layout; the
	// sentence is folded here instead, at a width that reads well.
	text := widget.NewLabel(wrapText(french(message(err)), 72))
	quit := &widget.Button{Text: "Fermer", Importance: widget.HighImportance, OnTapped: a.Quit}
	return container.NewVBox(title, text, container.NewHBox(layout.NewSpacer(), quit))
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
