package sheet

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"convive/core"
)

// fixture returns the path of a checked-in file of testdata/sheets.
func fixture(name string) string {
	return filepath.Join("..", "..", "testdata", "sheets", name)
}

// newXLSX writes a workbook built by build with excelize into a temp folder.
func newXLSX(t testing.TB, name string, build func(f *excelize.File)) string {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	build(f)
	path := filepath.Join(t.TempDir(), name)
	if err := f.SaveAs(path); err != nil {
		t.Fatalf("saving %s: %v", name, err)
	}
	return path
}

// rewriteZip copies the zip at src to a new file, passing each part through edit
// (keyed by part name; a nil result drops the part) and adding the parts of add.
func rewriteZip(t testing.TB, src, name string, edit map[string]func([]byte) []byte, add map[string][]byte) string {
	t.Helper()
	zr, err := zip.OpenReader(src)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		if fn, ok := edit[f.Name]; ok {
			if data = fn(data); data == nil {
				continue
			}
		}
		w, err := zw.Create(f.Name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(data)
	}
	for n, data := range add {
		w, err := zw.Create(n)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(data)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// readSheet reads every row of a sheet ("" for the default one).
func readSheet(t testing.TB, w *Workbook, sheet string) ([]Row, Totals, error) {
	t.Helper()
	rows, err := w.Rows(context.Background(), sheet)
	if err != nil {
		return nil, Totals{}, err
	}
	defer rows.Close()
	var out []Row
	for rows.Next() {
		out = append(out, rows.Row())
	}
	return out, rows.Totals(), rows.Err()
}

// openAll opens path and reads its default sheet, failing the test on any error.
func openAll(t testing.TB, path string, opt Options) (*Workbook, []Row, Totals) {
	t.Helper()
	w, err := Open(path, opt)
	if err != nil {
		t.Fatalf("Open(%s): %v", filepath.Base(path), err)
	}
	t.Cleanup(func() { w.Close() })
	rows, totals, err := readSheet(t, w, "")
	if err != nil {
		t.Fatalf("reading %s: %v", filepath.Base(path), err)
	}
	return w, rows, totals
}

// wantKey fails unless err is a *core.Error with the given key and code EInvalid, and
// returns its French message.
func wantKey(t testing.TB, err error, key string) string {
	t.Helper()
	var e *core.Error
	if !errors.As(err, &e) {
		t.Fatalf("got error %v (%T), want a *core.Error with key %s", err, err, key)
	}
	if e.Key != key {
		t.Fatalf("got key %s (%q), want %s", e.Key, e.Error(), key)
	}
	return e.Error()
}

// cells joins the cells of each row with "|" for compact comparisons.
func cells(rows []Row) []string {
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = strings.Join(r.Cells, "|")
	}
	return out
}

func nums(rows []Row) []int {
	out := make([]int, len(rows))
	for i, r := range rows {
		out[i] = r.Num
	}
	return out
}
