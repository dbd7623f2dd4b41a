package gui

import (
	"context"
	"errors"
	"log"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"

	"convive/core"
)

// doUI hands f to Fyne's goroutine. Every result of background work goes through it;
// the tests replace it with a queue they drain themselves.
var doUI = fyne.Do

// errorText returns the sentence shown for err: the message of a *core.Error in the
// window's language, or a general sentence for anything else. The technical detail
// goes to the log.
func errorText(err error) string {
	var e *core.Error
	if errors.As(err, &e) {
		if e.Err != nil {
			log.Printf("convive: %s: %v", e.Key, e.Err)
		}
		return coreErrorText(e)
	}
	log.Printf("convive: %v", err)
	return lang.X("error.unexpected", "Une erreur inattendue s'est produite. Réessayez ; si elle se reproduit, fermez puis rouvrez Convive.")
}

// messageText returns the sentence for err like errorText, without writing to the log:
// for texts refreshed with the screen, whose error was already logged when it came.
func messageText(err error) string {
	var e *core.Error
	if errors.As(err, &e) {
		return coreErrorText(e)
	}
	return core.ErrorMessage(err)
}

// coreErrorText renders e in the window's language. French is e.Error() itself, so the
// window says exactly what the command line prints. Another language uses the
// translation "error."+e.Key filled with e.Data; without one (no key, a sentence built
// at run time), the French sentence is shown rather than a half-filled one.
func coreErrorText(e *core.Error) string {
	if e.Key == "" || CurrentLanguage() != LanguageEnglish {
		return e.Error()
	}
	// The keys come from core, not from literals here: translations/errors.*.json holds
	// them and errors_test.go checks them against core's sources.
	const missing = "\x00"
	var s string
	if e.Data == nil {
		s = lang.LocalizeKey("error."+e.Key, missing)
	} else {
		s = lang.LocalizeKey("error."+e.Key, missing, e.Data)
	}
	if s == missing {
		return e.Error()
	}
	return s
}

// showErrorAsync shows err in a dialog over w from any goroutine: the dialog is built
// on Fyne's goroutine. A cancelled context shows nothing.
func showErrorAsync(w fyne.Window, err error) {
	if err == nil || errors.Is(err, context.Canceled) {
		return
	}
	doUI(func() { showError(w, err) })
}

// showError shows err in a dialog over w; it runs on Fyne's goroutine.
func showError(w fyne.Window, err error) {
	d := dialog.NewInformation(lang.X("error.title", "Action impossible"), errorText(err), w)
	withKeys(w, d, nil)
	d.Show()
}

// runAsync runs work on its own goroutine. An error is shown to the person through
// showErrorAsync; then done, when given, runs on Fyne's goroutine with the error (nil
// on success) to update the screen.
func runAsync(w fyne.Window, work func() error, done func(err error)) {
	go func() {
		err := work()
		if err != nil {
			showErrorAsync(w, err)
		}
		if done != nil {
			doUI(func() { done(err) })
		}
	}()
}
