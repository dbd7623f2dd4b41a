package gui

import (
	"errors"
	"log"
	"sync"

	"fyne.io/fyne/v2"
	fdialog "fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/storage"
)

// FileFilter narrows a file dialog to some extensions, e.g. {"Tableurs", ".xlsx", ".csv"}.
type FileFilter struct {
	Description string
	Extensions  []string // with their dot: ".xlsx"
}

// FilePicker asks the person for a file to open or a place to save one. Both methods
// block until the person answers, so the screens call them from a goroutine; they
// return "" and no error when the person cancels. Tests hand the screens a fake.
type FilePicker interface {
	Open(title string, filter FileFilter) (string, error)
	Save(title, suggested string, filter FileFilter) (string, error)
}

// systemPicker shows the system's own file dialog (GTK, Windows, macOS) and falls back
// to Fyne's dialog over w when the system one cannot be shown (no GTK, no display…).
// nativeFile, one per system, shows it: filedialog_gtk.go on Linux, where the dialog
// speaks the window's language, filedialog_other.go elsewhere.
type systemPicker struct {
	w fyne.Window
}

// NewFilePicker returns the FilePicker of the window w: the system's dialog, or Fyne's
// when the system one fails.
func NewFilePicker(w fyne.Window) FilePicker { return systemPicker{w: w} }

// Open asks for a file to read.
func (p systemPicker) Open(title string, filter FileFilter) (string, error) {
	return p.ask(title, "", filter, false)
}

// Save asks where to write a file, suggesting a name.
func (p systemPicker) Save(title, suggested string, filter FileFilter) (string, error) {
	return p.ask(title, suggested, filter, true)
}

// errNativeCancelled is nativeFile's answer when the person closes the dialog.
var errNativeCancelled = errors.New("file dialog cancelled")

// dialogOpen is held while a file dialog is on the screen.
var dialogOpen sync.Mutex

// ask shows one file dialog at a time: asking again while one is open (a second
// Ctrl+O, a second click) answers as a cancel and shows nothing, rather than a second
// system dialog run by another thread, which the toolkits do not allow.
func (p systemPicker) ask(title, suggested string, filter FileFilter, save bool) (string, error) {
	if !dialogOpen.TryLock() {
		return "", nil
	}
	defer dialogOpen.Unlock()
	path, err := nativeFile(title, suggested, filter, save)
	if err == nil || errors.Is(err, errNativeCancelled) {
		return path, nil
	}
	log.Printf("convive: the system file dialog failed, using Fyne's: %v", err)
	if save {
		return fynePicker(p).Save(title, suggested, filter)
	}
	return fynePicker(p).Open(title, filter)
}

// fynePicker shows Fyne's own file dialogs over the window, waiting for the answer on
// the calling goroutine.
type fynePicker systemPicker

// Open asks for a file to read with Fyne's dialog.
func (p fynePicker) Open(title string, filter FileFilter) (string, error) {
	answer := make(chan string, 1)
	doUI(func() {
		d := fdialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
			if err != nil || r == nil {
				answer <- ""
				return
			}
			r.Close()
			answer <- r.URI().Path()
		}, p.w)
		p.setup(d, title, filter)
		d.Show()
	})
	return <-answer, nil
}

// Save asks where to write a file with Fyne's dialog.
func (p fynePicker) Save(title, suggested string, filter FileFilter) (string, error) {
	answer := make(chan string, 1)
	doUI(func() {
		d := fdialog.NewFileSave(func(wc fyne.URIWriteCloser, err error) {
			if err != nil || wc == nil {
				answer <- ""
				return
			}
			// Fyne has created the file; the caller writes it again in one go.
			wc.Close()
			answer <- wc.URI().Path()
		}, p.w)
		p.setup(d, title, filter)
		d.SetFileName(suggested)
		d.Show()
	})
	return <-answer, nil
}

func (p fynePicker) setup(d *fdialog.FileDialog, title string, filter FileFilter) {
	d.SetTitleText(title)
	d.SetConfirmText(lang.X("file.confirm", "Valider"))
	d.SetDismissText(lang.X("dialog.cancel", "Annuler"))
	if len(filter.Extensions) > 0 {
		d.SetFilter(storage.NewExtensionFileFilter(filter.Extensions))
	}
	if s := p.w.Canvas().Size(); s.Width > 100 {
		d.Resize(fyne.NewSize(s.Width*0.85, s.Height*0.85))
	}
}
