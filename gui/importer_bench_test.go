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

	"fyne.io/fyne/v2/widget"
)

// BenchmarkPreviewScroll loads a 100 000-row preview into the Importer screen, then
// scrolls its table, as a mouse wheel does and as a dragged scroll bar does: each step
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
	b.Run("wheel", func(b *testing.B) { scrollSteps(b, s.Table, live, func(i int) int { return (i * 3) % rows }) })
	b.Run("jumps", func(b *testing.B) { scrollSteps(b, s.Table, live, func(i int) int { return (i * 7919) % rows }) })
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

// scrollSteps scrolls t to row(i) at each step: three rows at a time as a mouse wheel
// does, or far away as a dragged scroll bar does. Besides the average it reports the
// 99th percentile and the slowest step, and live, the heap in MiB before scrolling.
func scrollSteps(b *testing.B, t *widget.Table, live float64, row func(int) int) {
	var steps []time.Duration
	for i := 0; b.Loop(); i++ {
		start := time.Now()
		t.ScrollTo(widget.TableCellID{Row: row(i), Col: 0})
		drainUI()
		steps = append(steps, time.Since(start))
	}
	slices.Sort(steps)
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	b.ReportMetric(ms(steps[len(steps)*99/100]), "p99-ms")
	b.ReportMetric(ms(steps[len(steps)-1]), "worst-ms")
	b.ReportMetric(live, "live-MiB")
}
