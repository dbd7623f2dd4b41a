package sheet

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"hash/crc32"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"convive/core"
)

// copyAs copies a file under another name into a temp folder.
func copyAs(t *testing.T, src, name string) string {
	t.Helper()
	data, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(dst, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return dst
}

func TestFilesThatAreNotWhatTheirNameSays(t *testing.T) {
	xlsx := newXLSX(t, "vrai.xlsx", func(f *excelize.File) {
		f.SetSheetRow("Sheet1", "A1", &[]any{"email"})
		f.SetSheetRow("Sheet1", "A2", &[]any{"a@exemple.fr"})
	})
	t.Run("an xlsx renamed .csv is read as a workbook", func(t *testing.T) {
		w, rows, _ := openAll(t, copyAs(t, xlsx, "export.csv"), Options{})
		if w.Format != FormatXLSX || len(rows) != 2 || rows[1].Cell(0) != "a@exemple.fr" {
			t.Errorf("format %s, rows %q", w.Format, cells(rows))
		}
	})
	t.Run("a csv renamed .xlsx is read as text", func(t *testing.T) {
		w, rows, _ := openAll(t, copyAs(t, fixture("tab.csv"), "personnes.xlsx"), Options{})
		if w.Format != FormatCSV || len(rows) != 3 {
			t.Errorf("format %s, rows %q", w.Format, cells(rows))
		}
	})
}

func TestFilesConviveCannotReadSayWhatToDo(t *testing.T) {
	for _, tc := range []struct {
		name, file, key string
		says            []string
	}{
		{"an empty file", "empty.csv", KeyEmpty, []string{"« empty.csv »", "vide"}},
		{"a legacy .xls", "ancien.xls", KeyXLS, []string{"« ancien.xls »", "Excel 97-2003", "Enregistrer sous", ".xlsx"}},
		{"an OpenDocument spreadsheet", "classeur.ods", KeyODS, []string{"« classeur.ods »", "OpenDocument", ".xlsx"}},
		{"a zip cut in half", "coupe.xlsx", KeyCorrupt, []string{"« coupe.xlsx »", "endommagé"}},
		{"a web page saved as .xls", "page-web.xls", KeyHTML, []string{"« page-web.xls »", "HTML", ".xlsx"}},
		{"a workbook protected by a password", "protege.xlsx", KeyPassword, []string{"« protege.xlsx »", "mot de passe"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Open(fixture(tc.file), Options{})
			msg := wantKey(t, err, tc.key)
			if core.ErrorCode(err) != core.EInvalid {
				t.Errorf("code %s", core.ErrorCode(err))
			}
			for _, s := range tc.says {
				if !strings.Contains(msg, strings.ReplaceAll(strings.ReplaceAll(s, "« ", "«\u00a0"), " »", "\u00a0»")) {
					t.Errorf("message %q does not say %q", msg, s)
				}
			}
			if strings.Contains(msg, " :") || strings.Contains(msg, "« ") {
				t.Errorf("message %q has an ordinary space where French wants a non-breaking one", msg)
			}
		})
	}
	t.Run("a missing file is not found", func(t *testing.T) {
		_, err := Open(filepath.Join(t.TempDir(), "absent.xlsx"), Options{})
		if core.ErrorCode(err) != core.ENotFound || !strings.Contains(err.Error(), "absent.xlsx") {
			t.Errorf("got %v", err)
		}
	})
	t.Run("a zip that holds no workbook", func(t *testing.T) {
		var buf bytes.Buffer
		zw := zip.NewWriter(&buf)
		w, _ := zw.Create("word/document.xml")
		w.Write([]byte("<document/>"))
		zw.Close()
		path := filepath.Join(t.TempDir(), "lettre.xlsx")
		os.WriteFile(path, buf.Bytes(), 0o600)
		_, err := Open(path, Options{})
		wantKey(t, err, KeyNotSpreadsheet)
	})
	t.Run("an Excel binary workbook", func(t *testing.T) {
		var buf bytes.Buffer
		zw := zip.NewWriter(&buf)
		w, _ := zw.Create("xl/workbook.bin")
		w.Write([]byte{0x83, 0x01})
		zw.Close()
		path := filepath.Join(t.TempDir(), "binaire.xlsb")
		os.WriteFile(path, buf.Bytes(), 0o600)
		_, err := Open(path, Options{})
		if msg := wantKey(t, err, KeyXLSB); !strings.Contains(msg, ".xlsb") {
			t.Errorf("message %q", msg)
		}
	})
	t.Run("an OLE2 file that is neither a workbook nor an encrypted one", func(t *testing.T) {
		doc := make([]byte, 2048)
		copy(doc, oleMagic)
		copy(doc[1024:], utf16le("WordDocument"))
		path := filepath.Join(t.TempDir(), "lettre.xls")
		os.WriteFile(path, doc, 0o600)
		_, err := Open(path, Options{})
		wantKey(t, err, KeyUnknownFormat)
	})
	t.Run("a binary file of another kind", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "image.csv")
		os.WriteFile(path, []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), 0o600)
		_, err := Open(path, Options{})
		wantKey(t, err, KeyUnknownFormat)
	})
}

func TestPasswordProtectedWorkbooks(t *testing.T) {
	t.Run("without a password the GUI is told to ask for one", func(t *testing.T) {
		_, err := Open(fixture("protege.xlsx"), Options{})
		if !NeedsPassword(err) {
			t.Errorf("NeedsPassword(%v) is false", err)
		}
	})
	t.Run("a wrong password has its own message", func(t *testing.T) {
		_, err := Open(fixture("protege.xlsx"), Options{Password: "mauvais"})
		msg := wantKey(t, err, KeyWrongPassword)
		if !NeedsPassword(err) || !strings.Contains(msg, "protege.xlsx") {
			t.Errorf("message %q", msg)
		}
	})
	t.Run("the right password opens it", func(t *testing.T) {
		_, rows, _ := openAll(t, fixture("protege.xlsx"), Options{Password: fixturePassword})
		if got := cells(rows); len(got) != 2 || got[1] != "paul.roux@exemple.fr|Paul" {
			t.Errorf("rows %q", got)
		}
	})
	t.Run("a workbook encrypted by excelize's SaveAs opens too", func(t *testing.T) {
		f := excelize.NewFile()
		f.SetSheetRow("Sheet1", "A1", &[]any{"email", 45000})
		path := filepath.Join(t.TempDir(), "chiffre.xlsx")
		if err := f.SaveAs(path, excelize.Options{Password: "secret"}); err != nil {
			t.Fatal(err)
		}
		f.Close()
		if _, err := Open(path, Options{}); !NeedsPassword(err) {
			t.Fatalf("without password: %v", err)
		}
		_, rows, _ := openAll(t, path, Options{Password: "secret"})
		if rows[0].Cell(1) != "45000" {
			t.Errorf("rows %q", cells(rows))
		}
	})
}

// bombZip writes a workbook whose sheet inflates to size bytes of blank rows while the
// zip stays small. With lie, the zip header declares a tiny size instead.
func bombZip(t *testing.T, size int, lie bool) string {
	t.Helper()
	base := newXLSX(t, "base.xlsx", func(f *excelize.File) { f.SetCellStr("Sheet1", "A1", "email") })
	head := []byte(`<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>email</t></is></c></row>`)
	tail := []byte(`</sheetData></worksheet>`)
	sheet := make([]byte, 0, size)
	sheet = append(sheet, head...)
	sheet = append(sheet, bytes.Repeat([]byte(" "), size-len(head)-len(tail))...)
	sheet = append(sheet, tail...)
	path := rewriteZip(t, base, "bombe.xlsx", map[string]func([]byte) []byte{"xl/worksheets/sheet1.xml": func([]byte) []byte { return nil }}, nil)
	// append the sheet as a raw deflated entry, so its header can say anything
	var comp bytes.Buffer
	fw, _ := flate.NewWriter(&comp, flate.BestSpeed)
	fw.Write(sheet)
	fw.Close()
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for _, f := range zr.File {
		if err := zw.Copy(f); err != nil {
			t.Fatal(err)
		}
	}
	declared := uint64(len(sheet))
	if lie {
		declared = 1000
	}
	w, err := zw.CreateRaw(&zip.FileHeader{Name: "xl/worksheets/sheet1.xml", Method: zip.Deflate,
		CRC32: crc32.ChecksumIEEE(sheet), CompressedSize64: uint64(comp.Len()), UncompressedSize64: declared})
	if err != nil {
		t.Fatal(err)
	}
	w.Write(comp.Bytes())
	zw.Close()
	if out.Len() > 200<<10 {
		t.Fatalf("the bomb is %d bytes, it should be small", out.Len())
	}
	os.WriteFile(path, out.Bytes(), 0o600)
	return path
}

func TestZipBombsAreRefusedBeforeTheyInflate(t *testing.T) {
	t.Run("a sheet declaring more than the unzip limit", func(t *testing.T) {
		path := bombZip(t, 40<<20, false)
		start := time.Now()
		_, err := Open(path, Options{MaxUnzipSize: 16 << 20})
		msg := wantKey(t, err, KeyTooBig)
		if !strings.Contains(msg, "16\u00a0Mo") {
			t.Errorf("message %q", msg)
		}
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("refusing took %v", d)
		}
	})
	t.Run("the default limit leaves room for a full sheet but not for a bomb", func(t *testing.T) {
		if DefaultMaxUnzipSize < 400<<20 || DefaultMaxUnzipSize > 4<<30 {
			t.Errorf("DefaultMaxUnzipSize = %d", DefaultMaxUnzipSize)
		}
	})
	t.Run("a sheet lying about its size is refused as damaged", func(t *testing.T) {
		path := bombZip(t, 40<<20, true)
		w, err := Open(path, Options{MaxUnzipSize: 16 << 20})
		if err == nil {
			defer w.Close()
			_, _, err = readSheet(t, w, "")
		}
		wantKey(t, err, KeyCorrupt)
	})
}

func TestCheckedInExamples(t *testing.T) {
	t.Run("the example workbook reads as a manager filled it", func(t *testing.T) {
		w, rows, totals := openAll(t, fixture("import-exemple.xlsx"), Options{})
		want := []string{
			"Adresse e-mail|Prénom|Nom|Groupe|Langue|Rôle|Date d'entrée",
			"helene.lefevre@exemple.fr|Hélène|Lefèvre|Ventes/Région Sud|Français|Apprenant|15/03/2023",
			"francois.coeur@exemple.fr|François|Cœur||fr|formateur|16/03/2023",
			"anne.morel@exemple.fr|Anne|Morel|Direction|Anglais|Administrateur|17/03/2023",
			"jean.dupont@gmial.com|Jean|Dupont",
		}
		if w.Sheets[w.Default].Name != "Personnes" || !reflect.DeepEqual(cells(rows), want) {
			t.Errorf("sheet %q rows\n%q", w.Sheets[w.Default].Name, cells(rows))
		}
		if totals.Blank != 1 || totals.LastRow != 6 || !reflect.DeepEqual(totals.Merged, []string{"D5:D6"}) {
			t.Errorf("totals %+v", totals)
		}
		m := MatchHeader(rows[0].Cells)
		if u := m.Unknown(); len(u) != 1 || u[0].Header != "Date d'entrée" {
			t.Errorf("unknown columns %+v", u)
		}
	})
	t.Run("the example CSV reads the same", func(t *testing.T) {
		_, rows, totals := openAll(t, fixture("import-exemple.csv"), Options{})
		if len(rows) != 4 || rows[2].Cell(1) != "Cœur" && rows[2].Cell(2) != "Cœur" || totals.Blank != 1 {
			t.Errorf("rows %q totals %+v", cells(rows), totals)
		}
	})
	for _, tc := range []struct{ file, key string }{
		{"tronque.xlsx", KeyTruncated},
		{"trop-de-lignes.xlsx", KeyTooManyRows},
		{"bombe.xlsx", KeyTooBig},
	} {
		t.Run(tc.file+" is refused with default options", func(t *testing.T) {
			w, err := Open(fixture(tc.file), Options{})
			if err == nil {
				defer w.Close()
				_, _, err = readSheet(t, w, "")
			}
			wantKey(t, err, tc.key)
		})
	}
}
