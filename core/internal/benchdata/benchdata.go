// Package benchdata makes the files the import benchmarks read, once per test process:
// a 100 000-row × 8-column workbook written with excelize's StreamWriter and the same
// rows as a CSV file, and samples the memory a piece of work takes. Only tests use it.
package benchdata

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"runtime/metrics"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

// Rows is the number of data rows of the files, below one header row.
const Rows = 100_000

// Header is the header row of the files.
var Header = []string{"E-mail", "Prénom", "Nom", "Groupe", "Groupe 2", "Langue", "Rôle", "Matricule"}

// Row is data row i (from 1) of the files, as an import file has it: a unique address,
// repeated first names, last names and groups, a 16-digit number.
func Row(i int) []string {
	return []string{
		fmt.Sprintf("prenom.nom%06d@exemple-entreprise.fr", i),
		"Prénom" + fmt.Sprint(i%977),
		"Nom" + fmt.Sprint(i%3331),
		fmt.Sprintf("Région %d/Agence %d", i%13, i%101),
		"Nouveaux arrivants",
		[]string{"Français", "Anglais"}[i%2],
		[]string{"Apprenant", "Formateur", "Administrateur"}[i%3],
		fmt.Sprintf("%016d", 1000000000000000+i),
	}
}

var (
	once sync.Once
	dir  string
	err  error
)

// Files returns the workbook and the CSV file (UTF-8 with a BOM, ";" between cells),
// writing them on the first call of the process. Cleanup removes them.
func Files(tb testing.TB) (xlsx, csv string) {
	tb.Helper()
	once.Do(func() { dir, err = write() })
	if err != nil {
		tb.Fatal(err)
	}
	return filepath.Join(dir, "bench.xlsx"), filepath.Join(dir, "bench.csv")
}

// Cleanup removes the files; call it from TestMain once the tests have run.
func Cleanup() {
	if dir != "" {
		os.RemoveAll(dir)
	}
}

func write() (string, error) {
	dir, err := os.MkdirTemp("", "convive-bench-")
	if err != nil {
		return "", err
	}
	f := excelize.NewFile()
	defer f.Close()
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		return dir, err
	}
	var text bytes.Buffer
	text.WriteString("\ufeff" + strings.Join(Header, ";") + "\r\n")
	row := make([]any, len(Header))
	for j, h := range Header {
		row[j] = h
	}
	if err := sw.SetRow("A1", row); err != nil {
		return dir, err
	}
	for i := 1; i <= Rows; i++ {
		cells := Row(i)
		for j, c := range cells {
			row[j] = c
		}
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := sw.SetRow(cell, row); err != nil {
			return dir, err
		}
		text.WriteString(strings.Join(cells, ";") + "\r\n")
	}
	if err := sw.Flush(); err != nil {
		return dir, err
	}
	if err := f.SaveAs(filepath.Join(dir, "bench.xlsx")); err != nil {
		return dir, err
	}
	return dir, os.WriteFile(filepath.Join(dir, "bench.csv"), text.Bytes(), 0o600)
}

// Peak is the most memory a piece of work took.
type Peak struct {
	Heap uint64 // live Go objects
	Sys  uint64 // memory the Go runtime took from the system
	RSS  uint64 // resident set of the process (Linux), SQLite's memory included; 0 elsewhere
}

// Measure runs fn and samples its memory every 2 ms. It first collects and gives the
// freed memory back, so that the peak starts clean.
func Measure(fn func()) Peak {
	debug.FreeOSMemory()
	resetPeakRSS()
	samples := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}, {Name: "/memory/classes/total:bytes"}}
	var h, s atomic.Uint64
	read := func() {
		metrics.Read(samples)
		if v := samples[0].Value.Uint64(); v > h.Load() {
			h.Store(v)
		}
		if v := samples[1].Value.Uint64(); v > s.Load() {
			s.Store(v)
		}
	}
	stop, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(2 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				read()
			}
		}
	}()
	fn()
	read()
	rss := peakRSS()
	close(stop)
	<-done
	return Peak{Heap: h.Load(), Sys: s.Load(), RSS: rss}
}

// Max keeps the highest of each figure.
func (p Peak) Max(q Peak) Peak {
	return Peak{Heap: max(p.Heap, q.Heap), Sys: max(p.Sys, q.Sys), RSS: max(p.RSS, q.RSS)}
}

// Report adds the figures to the benchmark's results, in MB.
func (p Peak) Report(b *testing.B) {
	b.ReportMetric(float64(p.Heap)/(1<<20), "peak-heap-MB")
	if p.RSS > 0 {
		b.ReportMetric(float64(p.RSS)/(1<<20), "peak-rss-MB")
	}
	b.ReportMetric(float64(p.Sys)/(1<<20), "peak-sys-MB")
}

// peakRSS returns the resident set high-water mark of the process (Linux: VmHWM).
func peakRSS() uint64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			var kb uint64
			fmt.Sscanf(strings.TrimSpace(v), "%d", &kb)
			return kb << 10
		}
	}
	return 0
}

// resetPeakRSS starts a new resident set high-water mark (Linux 4.0 and later).
func resetPeakRSS() { _ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) }
