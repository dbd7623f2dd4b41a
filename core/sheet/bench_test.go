package sheet

import (
	"context"
	"os"
	"testing"

	"github.com/xuri/excelize/v2"

	"convive/core/internal/benchdata"
)

const benchRows = benchdata.Rows

func TestMain(m *testing.M) {
	code := m.Run()
	benchdata.Cleanup()
	os.Exit(code)
}

// BenchmarkExcelizeRawRows is the baseline: a bare excelize loop over the raw values.
func BenchmarkExcelizeRawRows(b *testing.B) {
	path, _ := benchdata.Files(b)
	b.ReportAllocs()
	var peak benchdata.Peak
	b.ResetTimer()
	for b.Loop() {
		peak = peak.Max(benchdata.Measure(func() {
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
		}))
	}
	peak.Report(b)
}

func benchRead(b *testing.B, path string) {
	b.ReportAllocs()
	var peak benchdata.Peak
	for b.Loop() {
		peak = peak.Max(benchdata.Measure(func() {
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
		}))
	}
	peak.Report(b)
}

// BenchmarkReadXLSX is our reader over the baseline's file.
func BenchmarkReadXLSX(b *testing.B) {
	path, _ := benchdata.Files(b)
	b.ResetTimer()
	benchRead(b, path)
}

// BenchmarkReadCSV reads the same rows from CSV.
func BenchmarkReadCSV(b *testing.B) {
	_, path := benchdata.Files(b)
	b.ResetTimer()
	benchRead(b, path)
}
