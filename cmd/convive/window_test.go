package main

import (
	"bytes"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"convive/core/sqlite"
)

// texts lists the text of every label shown in a window.
func texts(w fyne.Window) string {
	var out []string
	var walk func(o fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		switch o := o.(type) {
		case *widget.Label:
			out = append(out, o.Text)
		case *fyne.Container:
			for _, child := range o.Objects {
				walk(child)
			}
		}
	}
	walk(w.Content())
	return strings.Join(out, "\n")
}

// waitWindows waits until the app shows a window that want matches, and returns it.
func waitWindows(t *testing.T, a fyne.App, want func(fyne.Window) bool) fyne.Window {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		var found fyne.Window
		fyne.DoAndWait(func() {
			for _, w := range a.Driver().AllWindows() {
				if want(w) {
					found = w
				}
			}
		})
		if found != nil {
			return found
		}
		if time.Now().After(deadline) {
			t.Fatal("the expected window did not show")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// startSplash starts Convive as when its data file is slow to open, in a test app:
// the file is handed over through opened.
func startSplash(t *testing.T) (fyne.App, *bytes.Buffer, chan<- openResult, *startup) {
	a := test.NewTempApp(t)
	stderr := &bytes.Buffer{}
	c := &cli{stdout: &bytes.Buffer{}, stderr: stderr}
	opened := make(chan openResult, 1)
	var s *startup
	fyne.DoAndWait(func() { s = c.startWithSplash(a, opened) })
	return a, stderr, opened, s
}

// While the data file is slow to open (an update of an older file), a small window
// says so; the main window then takes its place, or the reason the file cannot open.
func TestASlowOpeningShowsAWindowUntilTheFileIsOpen(t *testing.T) {
	t.Run("then the main window", func(t *testing.T) {
		st, err := sqlite.Open(filepath.Join(t.TempDir(), "convive.db"))
		if err != nil {
			t.Fatal(err)
		}
		// closed after the app, as when the window is closed: the main window's
		// screens may still be reading it when the test ends
		t.Cleanup(func() { st.Close() })
		a, _, opened, s := startSplash(t)
		splash := waitWindows(t, a, func(w fyne.Window) bool { return strings.Contains(texts(w), "Ouverture du fichier de données") })
		opened <- openResult{st: st}
		// the main window, once it has read the file (its status bar tells the outbox's)
		waitWindows(t, a, func(w fyne.Window) bool { return w != splash && strings.Contains(texts(w), "hors ligne") })
		deadline := time.Now().Add(5 * time.Second)
		for {
			shown := false
			fyne.DoAndWait(func() {
				for _, w := range a.Driver().AllWindows() {
					shown = shown || w == splash
				}
			})
			if !shown {
				break
			}
			if time.Now().After(deadline) {
				t.Fatal("the opening window stayed beside the main window")
			}
			time.Sleep(10 * time.Millisecond)
		}
		if s.st != st || s.code != exitOK {
			t.Errorf("startup = %+v", s)
		}
	})

	t.Run("or why it cannot open", func(t *testing.T) {
		a, stderr, opened, s := startSplash(t)
		opened <- openResult{err: errors.New("disque illisible")}
		w := waitWindows(t, a, func(w fyne.Window) bool { return strings.Contains(texts(w), "Convive ne peut pas s'ouvrir.") })
		if !strings.Contains(texts(w), "disque illisible") {
			t.Errorf("the window says:\n%s", texts(w))
		}
		var code int
		fyne.DoAndWait(func() { code = s.code })
		if code != exitFailure || !strings.Contains(stderr.String(), "disque illisible") {
			t.Errorf("code %d, stderr %q", code, stderr.String())
		}
	})
}
