package importer_test

import (
	"bytes"
	"context"
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

	"convive/core"
	"convive/core/importer"
	"convive/core/sqlite"
)

const benchRows = 100_000

var (
	benchOnce sync.Once
	benchDir  string
	benchErr  error
)

func TestMain(m *testing.M) {
	core.LimitMemory() // as the application runs
	code := m.Run()
	if benchDir != "" {
		os.RemoveAll(benchDir)
	}
	os.Exit(code)
}

// benchRow is row i of the generated sheet: 8 columns as an import file has them.
func benchRow(i int) []string {
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

// benchFiles writes, once per run, the 100 000-row × 8-column workbook and the same
// rows as CSV.
func benchFiles(b testing.TB) (xlsx, csv string) {
	benchOnce.Do(func() {
		if benchDir, benchErr = os.MkdirTemp("", "convive-import-bench-"); benchErr != nil {
			return
		}
		f := excelize.NewFile()
		defer f.Close()
		sw, err := f.NewStreamWriter("Sheet1")
		if err != nil {
			benchErr = err
			return
		}
		var text bytes.Buffer
		header := []string{"E-mail", "Prénom", "Nom", "Groupe", "Groupe 2", "Langue", "Rôle", "Matricule"}
		text.WriteString(strings.Join(header, ";") + "\r\n")
		row := make([]any, 8)
		for j, h := range header {
			row[j] = h
		}
		if benchErr = sw.SetRow("A1", row); benchErr != nil {
			return
		}
		for i := 1; i <= benchRows; i++ {
			cells := benchRow(i)
			for j, c := range cells {
				row[j] = c
			}
			cell, _ := excelize.CoordinatesToCellName(1, i+1)
			if benchErr = sw.SetRow(cell, row); benchErr != nil {
				return
			}
			text.WriteString(strings.Join(cells, ";") + "\r\n")
		}
		if benchErr = sw.Flush(); benchErr != nil {
			return
		}
		if benchErr = f.SaveAs(filepath.Join(benchDir, "bench.xlsx")); benchErr != nil {
			return
		}
		benchErr = os.WriteFile(filepath.Join(benchDir, "bench.csv"), text.Bytes(), 0o600)
	})
	if benchErr != nil {
		b.Fatal(benchErr)
	}
	return filepath.Join(benchDir, "bench.xlsx"), filepath.Join(benchDir, "bench.csv")
}

// peakRSS returns the resident set high-water mark of the process (Linux: VmHWM), which
// counts SQLite's page cache too; 0 where it cannot be read.
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

// peak samples, while fn runs, the live heap and the memory taken from the system
// (runtime.MemStats.Sys's counterpart) and returns their highest values.
func peak(fn func()) (heap, sys, rss uint64) {
	debug.FreeOSMemory() // a collection, and the freed memory given back: the peak starts clean
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
	rss = peakRSS()
	close(stop)
	<-done
	return h.Load(), s.Load(), rss
}

// rawRows is the baseline: a bare excelize loop over the raw values of the sheet.
func rawRows(b testing.TB, path string) {
	f, err := excelize.OpenFile(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	rows, err := f.Rows("Sheet1")
	if err != nil {
		b.Fatal(err)
	}
	n := 0
	for rows.Next() {
		if _, err := rows.Columns(excelize.Options{RawCellValue: true}); err != nil {
			b.Fatal(err)
		}
		n++
	}
	rows.Close()
	if n != benchRows+1 {
		b.Fatalf("%d rows", n)
	}
}

// BenchmarkExcelizeRawRowsBaseline is the yardstick of BenchmarkFullImport.
func BenchmarkExcelizeRawRowsBaseline(b *testing.B) {
	path, _ := benchFiles(b)
	b.ReportAllocs()
	var hp, sp, rp uint64
	b.ResetTimer()
	for b.Loop() {
		h, s, r := peak(func() { rawRows(b, path) })
		hp, sp, rp = max(hp, h), max(sp, s), max(rp, r)
	}
	b.ReportMetric(float64(rp)/(1<<20), "peak-rss-MB")
	b.ReportMetric(float64(hp)/(1<<20), "peak-heap-MB")
	b.ReportMetric(float64(sp)/(1<<20), "peak-sys-MB")
}

// fullImport reads, checks and commits path into a fresh store. With stream, it does
// so as the command line does, writing while reading (importer.Import), and returns
// the whole time as read; otherwise as the window does, a preview (importer.Read)
// then its commit, and returns how long each took. commit false stops after the
// preview.
func fullImport(b *testing.B, path string, commit, stream bool) (read, write time.Duration) {
	st, err := sqlite.Open(filepath.Join(b.TempDir(), "convive.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	ctx := context.Background()
	start := time.Now()
	if stream {
		pv, batch, err := importer.Import(ctx, st, importer.Request{Source: importer.Source{Path: path}}, core.ImportMeta{})
		if err != nil {
			b.Fatal(err)
		}
		if pv.Plan.New != benchRows || batch.NewUsers != benchRows {
			b.Fatalf("%d new rows, %d users created", pv.Plan.New, batch.NewUsers)
		}
		return time.Since(start), 0
	}
	pv, err := importer.Read(ctx, st, importer.Request{Source: importer.Source{Path: path}})
	if err != nil {
		b.Fatal(err)
	}
	if pv.Plan.New != benchRows {
		b.Fatalf("%d new rows, %d invalid: %v", pv.Plan.New, pv.Plan.Invalid, pv.Plan.Problems()[:min(3, len(pv.Plan.Problems()))])
	}
	read = time.Since(start)
	if !commit {
		return read, 0
	}
	start = time.Now()
	batch, err := importer.Commit(ctx, st, pv, core.ImportMeta{}, nil)
	if err != nil {
		b.Fatal(err)
	}
	if batch.NewUsers != benchRows {
		b.Fatalf("%d users created", batch.NewUsers)
	}
	return read, time.Since(start)
}

// benchMode says which import a benchmark runs.
type benchMode int

const (
	previewOnly       benchMode = iota // importer.Read
	previewThenCommit                  // importer.Read, then importer.Commit: the window
	streamed                           // importer.Import: the command line
)

func benchFull(b *testing.B, path string, mode benchMode, baseline bool) {
	// The yardstick is the bare loop run just before and just after each import: the
	// speed of a shared machine drifts, and both sides of the ratio should see the same.
	raw := func() time.Duration {
		if !baseline {
			return 0
		}
		b.StopTimer()
		defer b.StartTimer()
		start := time.Now()
		rawRows(b, path)
		return time.Since(start)
	}
	b.ReportAllocs()
	var hp, sp, rp uint64
	var read, write, base time.Duration
	b.ResetTimer()
	for b.Loop() {
		before := raw()
		h, s, rss := peak(func() {
			r, w := fullImport(b, path, mode != previewOnly, mode == streamed)
			read, write = read+r, write+w
		})
		base += (before + raw()) / 2
		hp, sp, rp = max(hp, h), max(sp, s), max(rp, rss)
	}
	n := float64(b.N)
	b.ReportMetric(float64(rp)/(1<<20), "peak-rss-MB")
	b.ReportMetric(float64(hp)/(1<<20), "peak-heap-MB")
	b.ReportMetric(float64(sp)/(1<<20), "peak-sys-MB")
	switch mode {
	case streamed:
		b.ReportMetric(read.Seconds()*1000/n, "import-ms")
	case previewThenCommit:
		b.ReportMetric(read.Seconds()*1000/n, "read+check-ms")
		b.ReportMetric(write.Seconds()*1000/n, "commit-ms")
	default:
		b.ReportMetric(read.Seconds()*1000/n, "read+check-ms")
	}
	if baseline {
		b.ReportMetric(base.Seconds()*1000/n, "raw-rows-ms")
		b.ReportMetric(float64(read+write)/float64(base), "x-raw-rows")
	}
}

// BenchmarkFullImport imports the 100 000-row workbook into a fresh store as the
// command line does, writing while it reads; x-raw-rows compares it with the bare
// excelize loop over the same file.
func BenchmarkFullImport(b *testing.B) {
	path, _ := benchFiles(b)
	benchFull(b, path, streamed, true)
}

// BenchmarkPreviewThenCommit is the window's way: the whole preview, then its commit.
func BenchmarkPreviewThenCommit(b *testing.B) {
	path, _ := benchFiles(b)
	benchFull(b, path, previewThenCommit, true)
}

// BenchmarkReadCheckXLSX is the preview alone.
func BenchmarkReadCheckXLSX(b *testing.B) {
	path, _ := benchFiles(b)
	benchFull(b, path, previewOnly, true)
}

// BenchmarkFullImportCSV imports the same rows from CSV, as the command line does.
func BenchmarkFullImportCSV(b *testing.B) {
	_, path := benchFiles(b)
	benchFull(b, path, streamed, false)
}

// BenchmarkReadCheckCSV is the preview of the CSV rows alone.
func BenchmarkReadCheckCSV(b *testing.B) {
	_, path := benchFiles(b)
	benchFull(b, path, previewOnly, false)
}
