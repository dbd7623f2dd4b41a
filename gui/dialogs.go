package gui

import (
	"errors"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"
)

// Entry is the text field used throughout the window: a widget.Entry that also closes
// its dialog on Échap and hands the window's own shortcuts (Ctrl+F…) to the window,
// which a plain entry would swallow.
type Entry struct {
	widget.Entry
	// OnEscape runs when Échap is pressed in the field.
	OnEscape func()
}

// NewEntry returns an empty single-line Entry.
func NewEntry() *Entry {
	e := &Entry{}
	e.ExtendBaseWidget(e)
	return e
}

// TypedKey runs OnEscape for Échap and lets the entry handle every other key.
func (e *Entry) TypedKey(k *fyne.KeyEvent) {
	if k.Name == fyne.KeyEscape && e.OnEscape != nil {
		e.OnEscape()
		return
	}
	e.Entry.TypedKey(k)
}

// TypedShortcut passes Ctrl+letter and Ctrl+digit shortcuts that are not the entry's
// own (copy, paste…) to the window.
func (e *Entry) TypedShortcut(s fyne.Shortcut) {
	if cs, ok := s.(*desktop.CustomShortcut); ok && len(cs.KeyName) == 1 &&
		(cs.KeyName >= "A" && cs.KeyName <= "Z" || cs.KeyName >= "0" && cs.KeyName <= "9") &&
		cs.Modifier&(fyne.KeyModifierControl|fyne.KeyModifierSuper) != 0 {
		if c, ok := fyne.CurrentApp().Driver().CanvasForObject(e).(interface{ TypedShortcut(fyne.Shortcut) }); ok {
			c.TypedShortcut(s)
			return
		}
	}
	e.Entry.TypedShortcut(s)
}

// withKeys makes d answer the keyboard while nothing inside it has the focus: Échap
// dismisses it, Entrée runs confirm (or dismisses it when confirm is nil). The window's
// previous key handler comes back when the dialog closes.
func withKeys(w fyne.Window, d dialog.Dialog, confirm func()) {
	c := w.Canvas()
	prev := c.OnTypedKey()
	c.SetOnTypedKey(func(k *fyne.KeyEvent) {
		switch k.Name {
		case fyne.KeyEscape:
			d.Dismiss()
		case fyne.KeyReturn, fyne.KeyEnter:
			if confirm != nil {
				confirm()
			} else {
				d.Dismiss()
			}
		default:
			if prev != nil {
				prev(k)
			}
		}
	})
	d.SetOnClosed(func() { c.SetOnTypedKey(prev) })
}

// nameDialog asks for a name in a dialog with one field. onConfirm receives the text as
// typed (the store cleans and checks it). The returned entry lets tests type into it.
func nameDialog(w fyne.Window, title, label, initial, confirmText string, onConfirm func(name string)) (*dialog.FormDialog, *Entry) {
	entry := NewEntry()
	entry.SetText(initial)
	entry.Validator = func(s string) error {
		if strings.TrimSpace(s) == "" {
			return errors.New(lang.X("dialog.name.empty", "Indiquez un nom."))
		}
		return nil
	}
	item := widget.NewFormItem(label, entry)
	d := dialog.NewForm(title, confirmText, lang.X("dialog.cancel", "Annuler"), []*widget.FormItem{item}, func(ok bool) {
		if ok {
			onConfirm(entry.Text)
		}
	}, w)
	entry.OnSubmitted = func(string) { d.Submit() }
	entry.OnEscape = d.Dismiss
	withKeys(w, d, d.Submit)
	d.Resize(fyne.NewSize(460, d.MinSize().Height))
	return d, entry
}

// confirmDialog asks a yes/no question whose yes is destructive; Entrée confirms,
// Échap cancels.
func confirmDialog(w fyne.Window, title, message, confirmText string, onConfirm func()) *dialog.ConfirmDialog {
	d := dialog.NewConfirm(title, message, func(ok bool) {
		if ok {
			onConfirm()
		}
	}, w)
	d.SetConfirmText(confirmText)
	d.SetDismissText(lang.X("dialog.cancel", "Annuler"))
	d.SetConfirmImportance(widget.DangerImportance)
	withKeys(w, d, d.Confirm)
	return d
}
