package gui

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/widget"
)

// BenchmarkPreviewScroll loads a 100 000-row preview into the Importer screen, then
// scrolls its table, as a mouse wheel does and as a dragged scroll bar does: each step
// is the table's own work for a frame (laying out the visible rows and filling their
// cells from the preview), which must stay under the 16 ms of a frame at 60 Hz.
func BenchmarkPreviewScroll(b *testing.B) {
	const rows = 100_000
	var text strings.Builder
	text.WriteString("E-mail;Prénom;Nom;Groupe;Langue;Rôle\r\n")
	for i := 1; i <= rows; i++ {
		fmt.Fprintf(&text, "personne%06d@exemple.fr;Prénom%d;Nom%d;Région %d/Agence %d;Français;Apprenant\r\n", i, i%977, i%3331, i%13, i%101)
	}
	path := filepath.Join(b.TempDir(), "personnes.csv")
	if err := os.WriteFile(path, []byte(text.String()), 0o600); err != nil {
		b.Fatal(err)
	}
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
	b.Run("wheel", func(b *testing.B) { scrollSteps(b, s.Table, rows, func(i int) int { return (i * 3) % rows }) })
	b.Run("jumps", func(b *testing.B) { scrollSteps(b, s.Table, rows, func(i int) int { return (i * 7919) % rows }) })
}

// scrollSteps scrolls t to row(i) at each step: three rows at a time as a mouse wheel
// does, or far away as a dragged scroll bar does.
func scrollSteps(b *testing.B, t *widget.Table, rows int, row func(int) int) {
	var worst time.Duration
	for i := 0; b.Loop(); i++ {
		start := time.Now()
		t.ScrollTo(widget.TableCellID{Row: row(i), Col: 0})
		drainUI()
		worst = max(worst, time.Since(start))
	}
	b.ReportMetric(float64(worst.Microseconds())/1000, "worst-ms")
}
