package gui

import (
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
)

// TestOneFileDialogAtATime checks that asking for a file while the system dialog is
// open shows nothing more and answers as a cancel, at once.
func TestOneFileDialogAtATime(t *testing.T) {
	a := test.NewTempApp(t)
	p := NewFilePicker(a.NewWindow("Convive"))
	dialogOpen.Lock() // a dialog is on the screen
	defer dialogOpen.Unlock()
	done := make(chan struct{})
	go func() {
		defer close(done)
		if path, err := p.Open("Choisir le tableur à importer", FileFilter{}); path != "" || err != nil {
			t.Errorf("Open = %q, %v", path, err)
		}
		if path, err := p.Save("Enregistrer", "rejets.xlsx", FileFilter{}); path != "" || err != nil {
			t.Errorf("Save = %q, %v", path, err)
		}
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("a second dialog was waited for, or shown")
	}
}
