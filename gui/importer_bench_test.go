package gui

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

// BenchmarkPreviewScroll loads a 100 000-row preview into the Importer screen, then
// scrolls its table as the window does for a mouse wheel (three rows a step) and for a
// dragged scroll bar (far away at each step): a scroll event over the table. Each step
// is the table's own work for a frame (laying out the visible rows and filling their
// cells from the preview), which must stay under the 16 ms of a frame at 60 Hz, the
// slowest steps included. It runs under the application's memory limit (TestMain), as
// the garbage collections that make the slowest steps come more often near it; live-MiB
// is the heap the loaded preview keeps.
func BenchmarkPreviewScroll(b *testing.B) {
	const rows = 100_000
	path := filepath.Join(b.TempDir(), "personnes.csv")
	writePeopleCSV(b, path, rows)
	f := newFixture(b)
	p := &fakePicker{open: path}
	f.mw.SetFilePicker(p)
	f.mw.ShowScreen(ScreenImport)
	settle()
	s := f.mw.Importer
	s.ChooseFile.OnTapped()
	deadline := time.Now().Add(time.Minute)
	for s.current() != importViewPreview || s.cancel != nil {
		if time.Now().After(deadline) {
			b.Fatal("the preview did not show")
		}
		drainUI()
		time.Sleep(10 * time.Millisecond)
	}
	if len(s.visible) != rows {
		b.Fatalf("%d rows shown, want %d", len(s.visible), rows)
	}
	var m runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&m)
	live := float64(m.HeapAlloc) / (1 << 20)
	// the last rows stay out of reach, so that no step stops at the end of the table
	b.Run("wheel", func(b *testing.B) {
		scrollSteps(b, f.mw.Window, s, live, func(i int) int { return (i * 3) % (rows - 100) })
	})
	b.Run("jumps", func(b *testing.B) {
		scrollSteps(b, f.mw.Window, s, live, func(i int) int { return (i * 7919) % (rows - 100) })
	})
}

// writePeopleCSV writes a sheet of rows people to path.
func writePeopleCSV(b *testing.B, path string, rows int) {
	var text strings.Builder
	text.WriteString("E-mail;Prénom;Nom;Groupe;Langue;Rôle\r\n")
	for i := 1; i <= rows; i++ {
		fmt.Fprintf(&text, "personne%06d@exemple.fr;Prénom%d;Nom%d;Région %d/Agence %d;Français;Apprenant\r\n", i, i%977, i%3331, i%13, i%101)
	}
	if err := os.WriteFile(path, []byte(text.String()), 0o600); err != nil {
		b.Fatal(err)
	}
}

// scrollSteps scrolls the preview of s in w so that row(i) is the first row shown at
// step i (from row(0), untimed), by a scroll event over the table, as the window sends for the mouse wheel
// (a dragged scroll bar moves the table the same way). Besides the average it reports
// the 99th percentile and the slowest step, and live, the heap in MiB before scrolling.
func scrollSteps(b *testing.B, w fyne.Window, s *ImporterScreen, live float64, row func(int) int) {
	// Each run (-count runs each sub-benchmark again on the same preview) starts as
	// after loading: a change of theme clears the text measures of the earlier runs.
	settings := fyne.CurrentApp().Settings()
	settings.SetTheme(settings.Theme())
	s.Table.ScrollToTop()
	drainUI()
	pitch := drawnLabel(s.Table, formatInt(s.rows[1].Line)).Position().Y - drawnLabel(s.Table, formatInt(s.rows[0].Line)).Position().Y
	over := fyne.CurrentApp().Driver().AbsolutePositionForObject(s.Table).Add(fyne.NewPos(40, s.Table.Size().Height/2))
	at := row(0)
	test.Scroll(w.Canvas(), over, 0, -float32(at)*pitch)
	drainUI()
	var steps []time.Duration
	for i := 1; b.Loop(); i++ {
		to := row(i)
		start := time.Now()
		test.Scroll(w.Canvas(), over, 0, -float32(to-at)*pitch)
		drainUI()
		steps = append(steps, time.Since(start))
		at = to
	}
	b.StopTimer()
	if line := formatInt(s.rows[at].Line); drawnLabel(s.Table, line) == nil {
		b.Fatalf("the table does not show line %s after the last step", line)
	}
	slices.Sort(steps)
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	b.ReportMetric(ms(steps[len(steps)*99/100]), "p99-ms")
	b.ReportMetric(ms(steps[len(steps)-1]), "worst-ms")
	b.ReportMetric(live, "live-MiB")
}

// drawnLabel returns the label saying text that o draws, nil if none.
func drawnLabel(o fyne.CanvasObject, text string) *widget.Label {
	for _, d := range drawnObjects(o) {
		if l, ok := d.(*widget.Label); ok && l.Visible() && l.Text == text {
			return l
		}
	}
	return nil
}
