package sheet

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

const benchRows = 100000

var (
	benchOnce sync.Once
	benchDir  string
	benchErr  error
)

func TestMain(m *testing.M) {
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

// benchFiles writes, once per run, the 100 000-row × 8-column workbook (with
// excelize's StreamWriter) and the same rows as a CSV file.
func benchFiles(b testing.TB) (xlsx, csv string) {
	benchOnce.Do(func() {
		benchDir, benchErr = os.MkdirTemp("", "convive-sheet-bench-")
		if benchErr != nil {
			return
		}
		f := excelize.NewFile()
		defer f.Close()
		sw, err := f.NewStreamWriter("Sheet1")
		if err != nil {
			benchErr = err
			return
		}
		var csvBuf bytes.Buffer
		csvBuf.Write(utf8BOM)
		header := []string{"E-mail", "Prénom", "Nom", "Groupe", "Groupe 2", "Langue", "Rôle", "Matricule"}
		writeCSVRecord(&csvBuf, header, ';')
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
			writeCSVRecord(&csvBuf, cells, ';')
		}
		if benchErr = sw.Flush(); benchErr != nil {
			return
		}
		if benchErr = f.SaveAs(filepath.Join(benchDir, "bench.xlsx")); benchErr != nil {
			return
		}
		benchErr = os.WriteFile(filepath.Join(benchDir, "bench.csv"), csvBuf.Bytes(), 0o600)
	})
	if benchErr != nil {
		b.Fatal(benchErr)
	}
	return filepath.Join(benchDir, "bench.xlsx"), filepath.Join(benchDir, "bench.csv")
}

// peakHeap samples the live heap while fn runs and returns its highest value.
func peakHeap(fn func()) uint64 {
	runtime.GC()
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	var peak atomic.Uint64
	read := func() {
		metrics.Read(sample)
		if v := sample[0].Value.Uint64(); v > peak.Load() {
			peak.Store(v)
		}
	}
	stop := make(chan struct{})
	done := make(chan struct{})
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
	close(stop)
	<-done
	return peak.Load()
}

func reportPeak(b *testing.B, peak uint64) {
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
}

// BenchmarkExcelizeRawRows is the baseline: a bare excelize loop over the raw values.
func BenchmarkExcelizeRawRows(b *testing.B) {
	path, _ := benchFiles(b)
	b.ReportAllocs()
	var peak uint64
	b.ResetTimer()
	for b.Loop() {
		p := peakHeap(func() {
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
		})
		peak = max(peak, p)
	}
	reportPeak(b, peak)
}

func benchRead(b *testing.B, path string) {
	b.ReportAllocs()
	var peak uint64
	for b.Loop() {
		p := peakHeap(func() {
			w, err := Open(path, Options{})
			if err != nil {
				b.Fatal(err)
			}
			defer w.Close()
			rows, err := w.Rows(context.Background(), "")
			if err != nil {
				b.Fatal(err)
			}
			n := 0
			for rows.Next() {
				if len(rows.Row().Cells) != 8 {
					b.Fatalf("row %d: %q", rows.Row().Num, rows.Row().Cells)
				}
				n++
			}
			if err := rows.Err(); err != nil || n != benchRows+1 {
				b.Fatalf("%d rows, %v", n, err)
			}
		})
		peak = max(peak, p)
	}
	reportPeak(b, peak)
}

// BenchmarkReadXLSX is our reader over the baseline's file.
func BenchmarkReadXLSX(b *testing.B) {
	path, _ := benchFiles(b)
	b.ResetTimer()
	benchRead(b, path)
}

// BenchmarkReadCSV reads the same rows from CSV.
func BenchmarkReadCSV(b *testing.B) {
	_, path := benchFiles(b)
	b.ResetTimer()
	benchRead(b, path)
}
