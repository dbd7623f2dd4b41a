package sheet

import (
	"bytes"
	"context"
	"errors"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"convive/core"
)

func TestXLSXValues(t *testing.T) {
	path := newXLSX(t, "valeurs.xlsx", func(f *excelize.File) {
		short, _ := f.NewStyle(&excelize.Style{NumFmt: 14})
		fr := "dd/mm/yyyy"
		custom, _ := f.NewStyle(&excelize.Style{CustomNumFmt: &fr})
		dt := "dd/mm/yyyy hh:mm"
		dateTime, _ := f.NewStyle(&excelize.Style{CustomNumFmt: &dt})
		hm := "[$-40C]hh:mm;@"
		clock, _ := f.NewStyle(&excelize.Style{CustomNumFmt: &hm})
		money := `#,##0.00\ "€";[Red]\-#,##0.00\ "€"`
		euros, _ := f.NewStyle(&excelize.Style{CustomNumFmt: &money})
		f.SetSheetRow("Sheet1", "A1", &[]any{"date", "date fr", "date et heure", "heure", "montant", "entier", "texte", "vrai", "faux", "décimal"})
		f.SetSheetRow("Sheet1", "A2", &[]any{45000, 45000, 45000.6041666667, 0.6041666667, 1234.5, int64(1234567890123456), "0612345678", true, false, 0.1 + 0.2})
		f.SetCellStyle("Sheet1", "A2", "A2", short)
		f.SetCellStyle("Sheet1", "B2", "B2", custom)
		f.SetCellStyle("Sheet1", "C2", "C2", dateTime)
		f.SetCellStyle("Sheet1", "D2", "D2", clock)
		f.SetCellStyle("Sheet1", "E2", "E2", euros)
		f.SetCellStr("Sheet1", "F3", "1234567890123456789")
		f.SetCellValue("Sheet1", "G3", 1)
		f.SetCellValue("Sheet1", "H3", 2)
	})
	// Excel stores big numbers in E notation, with 17 significant digits at most
	path = rewriteZip(t, path, "nombres.xlsx", map[string]func([]byte) []byte{
		"xl/worksheets/sheet1.xml": func(b []byte) []byte {
			b = bytes.Replace(b, []byte(`<c r="G3"><v>1</v>`), []byte(`<c r="G3"><v>1.2345678901234568E+17</v>`), 1)
			return bytes.Replace(b, []byte(`<c r="H3"><v>2</v>`), []byte(`<c r="H3"><v>1.234567890123456E+15</v>`), 1)
		},
	}, nil)
	_, rows, _ := openAll(t, path, Options{})
	if len(rows) != 3 {
		t.Fatalf("got %d rows, want 3: %q", len(rows), cells(rows))
	}
	want := []string{"15/03/2023", "15/03/2023", "15/03/2023 14:30", "14:30", "1234.5", "1234567890123456", "0612345678", "VRAI", "FAUX", "0.3"}
	if !reflect.DeepEqual(rows[1].Cells, want) {
		t.Errorf("row 2 reads\n%q\nwant\n%q", rows[1].Cells, want)
	}
	t.Run("a 19-digit run stored as text and a big number stored as a number stay whole", func(t *testing.T) {
		if got := rows[2].Cell(5); got != "1234567890123456789" {
			t.Errorf("text digits: got %q", got)
		}
		if got := rows[2].Cell(6); got != "123456789012345680" {
			t.Errorf("number: got %q, want 123456789012345680 (no E notation)", got)
		}
		if got := rows[2].Cell(7); got != "1234567890123456" {
			t.Errorf("number: got %q, want 1234567890123456", got)
		}
	})
}

func TestDatesFollowTheWorkbookDateSystem(t *testing.T) {
	for _, tc := range []struct {
		name     string
		date1904 bool
		want     string
	}{
		{"a 1900 workbook counts from 30/12/1899", false, "15/03/2023"},
		{"a 1904 workbook counts from 01/01/1904", true, "16/03/2027"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := newXLSX(t, "dates.xlsx", func(f *excelize.File) {
				d := tc.date1904
				if err := f.SetWorkbookProps(&excelize.WorkbookPropsOptions{Date1904: &d}); err != nil {
					t.Fatal(err)
				}
				st, _ := f.NewStyle(&excelize.Style{NumFmt: 14})
				f.SetCellValue("Sheet1", "A1", 45000)
				f.SetCellStyle("Sheet1", "A1", "A1", st)
			})
			_, rows, _ := openAll(t, path, Options{})
			if got := rows[0].Cell(0); got != tc.want {
				t.Errorf("serial 45000 reads %q, want %q", got, tc.want)
			}
		})
	}
	t.Run("the 29 February 1900 Excel invented is shown as Excel shows it", func(t *testing.T) {
		if got, _ := serialText(60, false, numDate); got != "29/02/1900" {
			t.Errorf("got %q", got)
		}
		if got, _ := serialText(59, false, numDate); got != "28/02/1900" {
			t.Errorf("got %q", got)
		}
		if got, _ := serialText(61, false, numDate); got != "01/03/1900" {
			t.Errorf("got %q", got)
		}
	})
}

func TestNumberFormatsAreToldApart(t *testing.T) {
	for code, want := range map[string]numKind{
		"General": numPlain, "0.00": numPlain, "0.00E+00": numPlain, `#,##0\ "jours"`: numPlain, "[Red]0.00": numPlain,
		"[$€-40C] #,##0.00": numPlain, "0%": numPlain, "@": numPlain,
		"dd/mm/yyyy": numDate, "d mmmm yyyy": numDate, "[$-40C]dddd d mmmm yyyy": numDate, "mmm-yy": numDate, "yyyy": numDate,
		"hh:mm": numTime, "h:mm AM/PM": numTime, "[h]:mm:ss": numTime | numSeconds, "mm:ss": numTime | numSeconds,
		"dd/mm/yyyy hh:mm": numDateTime, "yyyy-mm-dd hh:mm:ss": numDateTime | numSeconds,
	} {
		if got := formatKind(code); got != want {
			t.Errorf("format %q: got kind %d, want %d", code, got, want)
		}
	}
}

func TestFormulaCellsGiveTheirStoredResult(t *testing.T) {
	base := newXLSX(t, "formules.xlsx", func(f *excelize.File) {
		f.SetSheetRow("Sheet1", "A1", &[]any{"prénom", "nom", "complet", "somme", "non calculée"})
		f.SetSheetRow("Sheet1", "A2", &[]any{"Jean", "Dupont"})
		f.SetCellFormula("Sheet1", "E2", "A2&B2")
	})
	// excelize writes formulas without a result; Excel stores the last one computed
	path := rewriteZip(t, base, "formules-calculees.xlsx", map[string]func([]byte) []byte{
		"xl/worksheets/sheet1.xml": func(b []byte) []byte {
			return bytes.Replace(b, []byte(`</row></sheetData>`),
				[]byte(`<c r="C2" t="str"><f>A2&amp;" "&amp;B2</f><v>Jean Dupont</v></c><c r="D2"><f>1+1</f><v>2</v></c></row></sheetData>`), 1)
		},
	}, nil)
	// put E2 (uncached) after D2 so that the row stays in column order
	_, rows, totals := openAll(t, path, Options{})
	got := rows[1].Cells
	if got[2] != "Jean Dupont" || got[3] != "2" {
		t.Errorf("cached results: got %q", got)
	}
	if totals.UncachedFormulas != 1 || totals.FirstUncachedFormula != "E2" {
		t.Errorf("uncached formulas: got %d, first %q; want 1, E2", totals.UncachedFormulas, totals.FirstUncachedFormula)
	}
}

func TestMergedCellsKeepTheirValueInTheTopLeftCellAndAreReported(t *testing.T) {
	path := newXLSX(t, "fusion.xlsx", func(f *excelize.File) {
		f.SetSheetRow("Sheet1", "A1", &[]any{"groupe", "email"})
		f.SetSheetRow("Sheet1", "A2", &[]any{"Ventes", "a@exemple.fr"})
		f.SetSheetRow("Sheet1", "B3", &[]any{"b@exemple.fr"})
		f.SetSheetRow("Sheet1", "B4", &[]any{"c@exemple.fr"})
		if err := f.MergeCell("Sheet1", "A2", "A4"); err != nil {
			t.Fatal(err)
		}
	})
	_, rows, totals := openAll(t, path, Options{})
	want := []string{"groupe|email", "Ventes|a@exemple.fr", "|b@exemple.fr", "|c@exemple.fr"}
	if !reflect.DeepEqual(cells(rows), want) {
		t.Errorf("got %q, want %q", cells(rows), want)
	}
	if !reflect.DeepEqual(totals.Merged, []string{"A2:A4"}) {
		t.Errorf("merged ranges: got %q", totals.Merged)
	}
}

func TestSheetChoice(t *testing.T) {
	path := newXLSX(t, "feuilles.xlsx", func(f *excelize.File) {
		f.SetSheetName("Sheet1", "Couverture")
		f.NewSheet("Masquée")
		f.SetCellStr("Masquée", "A1", "secret")
		f.SetSheetVisible("Masquée", false)
		f.NewSheet("Personnes")
		f.SetSheetRow("Personnes", "B3", &[]any{"email"})
		f.SetSheetRow("Personnes", "B4", &[]any{"a@exemple.fr"})
		f.NewSheet("Autres")
		f.SetCellStr("Autres", "A1", "x")
	})
	w, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	t.Run("every sheet is listed in workbook order", func(t *testing.T) {
		if got := w.SheetNames(); !reflect.DeepEqual(got, []string{"Couverture", "Masquée", "Personnes", "Autres"}) {
			t.Errorf("got %q", got)
		}
		if !w.Sheets[1].Hidden {
			t.Error("the hidden sheet is not marked hidden")
		}
	})
	t.Run("the default is the first visible sheet that holds a value", func(t *testing.T) {
		if w.Default != 2 || !w.Sheets[0].Empty {
			t.Errorf("default %d, sheets %+v", w.Default, w.Sheets)
		}
		rows, totals, err := readSheet(t, w, "")
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(cells(rows), []string{"|email", "|a@exemple.fr"}) || !reflect.DeepEqual(nums(rows), []int{3, 4}) {
			t.Errorf("got %q rows %v", cells(rows), nums(rows))
		}
		if totals.Blank != 2 || totals.LastRow != 4 {
			t.Errorf("totals %+v", totals)
		}
	})
	t.Run("an empty sheet reads as no rows, without an error", func(t *testing.T) {
		rows, totals, err := readSheet(t, w, "Couverture")
		if err != nil || len(rows) != 0 || totals.LastRow != 0 {
			t.Errorf("rows %q, totals %+v, error %v", cells(rows), totals, err)
		}
	})
	t.Run("another sheet is read by its name, case aside", func(t *testing.T) {
		rows, _, err := readSheet(t, w, "autres")
		if err != nil || len(rows) != 1 || rows[0].Cell(0) != "x" {
			t.Errorf("got %q, %v", cells(rows), err)
		}
	})
	t.Run("an unknown sheet is named in the error with the ones there are", func(t *testing.T) {
		_, err := w.Rows(context.Background(), "Feuil9")
		msg := wantKey(t, err, KeyNoSheet)
		if !strings.Contains(msg, "Feuil9") || !strings.Contains(msg, "Personnes") {
			t.Errorf("message %q", msg)
		}
	})
}

func TestBlankRowsAreSkippedAndCounted(t *testing.T) {
	path := newXLSX(t, "vides.xlsx", func(f *excelize.File) {
		f.SetSheetRow("Sheet1", "A1", &[]any{"email"})
		f.SetSheetRow("Sheet1", "A2", &[]any{"a@exemple.fr"})
		f.SetCellStr("Sheet1", "A3", "   ")
		f.SetSheetRow("Sheet1", "A6", &[]any{"b@exemple.fr"})
		st, _ := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
		f.SetCellStyle("Sheet1", "A7", "C9", st) // formatted but empty rows after the data
	})
	_, rows, totals := openAll(t, path, Options{})
	if !reflect.DeepEqual(nums(rows), []int{1, 2, 6}) {
		t.Errorf("rows %v", nums(rows))
	}
	if totals.Blank != 3 || totals.LastRow != 6 || totals.Rows != 3 {
		t.Errorf("totals %+v, want 3 blank, last row 6, 3 rows", totals)
	}
}

func TestSharedInlineAndRichStrings(t *testing.T) {
	base := newXLSX(t, "textes.xlsx", func(f *excelize.File) {
		f.SetCellStr("Sheet1", "A1", "partagé")
		f.SetCellRichText("Sheet1", "B1", []excelize.RichTextRun{{Text: "Ré"}, {Text: "gion", Font: &excelize.Font{Bold: true}}})
	})
	path := rewriteZip(t, base, "inline.xlsx", map[string]func([]byte) []byte{
		"xl/worksheets/sheet1.xml": func(b []byte) []byte {
			return bytes.Replace(b, []byte(`</row></sheetData>`),
				[]byte(`<c r="C1" t="inlineStr"><is><t>ligne 1_x000D_</t><r><t xml:space="preserve">
ligne 2</t></r><rPh><t>フリガナ</t></rPh></is></c></row></sheetData>`), 1)
		},
	}, nil)
	_, rows, _ := openAll(t, path, Options{})
	want := []string{"partagé", "Région", "ligne 1\r\nligne 2"}
	if !reflect.DeepEqual(rows[0].Cells, want) {
		t.Errorf("got %q, want %q", rows[0].Cells, want)
	}
}

// truncatedCopy rewrites the sheet of a 100-row workbook so that it stops at row 50.
func truncatedCopy(t *testing.T, cut func(sheet []byte) []byte) string {
	base := newXLSX(t, "cent.xlsx", func(f *excelize.File) {
		for i := 1; i <= 100; i++ {
			f.SetSheetRow("Sheet1", "A"+itoa(i), &[]any{"ligne", i})
		}
	})
	return rewriteZip(t, base, "tronque.xlsx", map[string]func([]byte) []byte{"xl/worksheets/sheet1.xml": cut}, nil)
}

var dimensionRE = regexp.MustCompile(`<dimension ref="[^"]*"\s*(/>|></dimension>)`)

// setDimension replaces the stored dimension of a sheet ("" removes it).
func setDimension(t *testing.T, sheet []byte, ref string) []byte {
	t.Helper()
	if !dimensionRE.Match(sheet) {
		t.Fatalf("no dimension in %.300s", sheet)
	}
	repl := []byte{}
	if ref != "" {
		repl = []byte(`<dimension ref="` + ref + `"/>`)
	}
	return dimensionRE.ReplaceAllLiteral(sheet, repl)
}

func itoa(i int) string { return strings.TrimSpace(frenchIntPlain(i)) }

func frenchIntPlain(i int) string { return strings.ReplaceAll(frenchInt(i), "\u00a0", "") }

func TestTruncatedSheetsAreRefused(t *testing.T) {
	t.Run("a sheet whose dimension declares more rows than it holds", func(t *testing.T) {
		path := truncatedCopy(t, func(b []byte) []byte {
			b = setDimension(t, b, "A1:B100")
			i := bytes.Index(b, []byte(`<row r="51"`))
			j := bytes.Index(b, []byte(`</sheetData>`))
			return append(append([]byte{}, b[:i]...), b[j:]...)
		})
		w, err := Open(path, Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer w.Close()
		rows, _, err := readSheet(t, w, "")
		msg := wantKey(t, err, KeyTruncated)
		if len(rows) != 50 || !strings.Contains(msg, "100") || !strings.Contains(msg, "ligne 50") || !strings.Contains(msg, "tronque.xlsx") {
			t.Errorf("%d rows, message %q", len(rows), msg)
		}
	})
	t.Run("a sheet whose XML stops in the middle", func(t *testing.T) {
		path := truncatedCopy(t, func(b []byte) []byte {
			i := bytes.Index(b, []byte(`<row r="51"`))
			return b[:i+20]
		})
		w, err := Open(path, Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer w.Close()
		_, _, err = readSheet(t, w, "")
		if msg := wantKey(t, err, KeyTruncated); !strings.Contains(msg, "ligne 51") {
			t.Errorf("message %q", msg)
		}
	})
}

func TestMoreThanAMillionRowsAreRefused(t *testing.T) {
	base := newXLSX(t, "base.xlsx", func(f *excelize.File) {
		f.SetSheetRow("Sheet1", "A1", &[]any{"email"})
		f.SetSheetRow("Sheet1", "A2", &[]any{"a@exemple.fr"})
	})
	t.Run("declared by the dimension", func(t *testing.T) {
		path := rewriteZip(t, base, "dimension.xlsx", map[string]func([]byte) []byte{
			"xl/worksheets/sheet1.xml": func(b []byte) []byte {
				return setDimension(t, b, "A1:A1048577")
			},
		}, nil)
		w, err := Open(path, Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer w.Close()
		_, err = w.Rows(context.Background(), "")
		if msg := wantKey(t, err, KeyTooManyRows); !strings.Contains(msg, "1\u00a0048\u00a0576") {
			t.Errorf("message %q", msg)
		}
	})
	t.Run("met while streaming", func(t *testing.T) {
		path := rewriteZip(t, base, "ligne.xlsx", map[string]func([]byte) []byte{
			"xl/worksheets/sheet1.xml": func(b []byte) []byte {
				b = setDimension(t, b, "")
				return bytes.Replace(b, []byte(`</sheetData>`), []byte(`<row r="1048577"><c r="A1048577" t="inlineStr"><is><t>trop</t></is></c></row></sheetData>`), 1)
			},
		}, nil)
		w, err := Open(path, Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer w.Close()
		rows, _, err := readSheet(t, w, "")
		wantKey(t, err, KeyTooManyRows)
		if len(rows) != 2 {
			t.Errorf("read %d rows before the error, want 2", len(rows))
		}
	})
}

func TestReadingCanBeCancelledAndReportsProgress(t *testing.T) {
	path := newXLSX(t, "long.xlsx", func(f *excelize.File) {
		sw, _ := f.NewStreamWriter("Sheet1")
		for i := 1; i <= 10000; i++ {
			sw.SetRow("A"+itoa(i), []any{"personne", i})
		}
		sw.Flush()
	})
	var last Progress
	calls := 0
	w, err := Open(path, Options{Progress: func(p Progress) { last = p; calls++ }})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	t.Run("progress reaches the whole sheet", func(t *testing.T) {
		rows, _, err := readSheet(t, w, "")
		if err != nil || len(rows) != 10000 {
			t.Fatalf("%d rows, %v", len(rows), err)
		}
		if calls < 3 || last.Fraction() != 1 || last.Rows != 10000 {
			t.Errorf("%d calls, last %+v", calls, last)
		}
	})
	t.Run("a cancelled context stops the reading with ECancelled", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		rows, err := w.Rows(ctx, "")
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for rows.Next() {
			if n++; n == 100 {
				cancel()
			}
		}
		if core.ErrorCode(rows.Err()) != core.ECancelled || !errors.Is(rows.Err(), context.Canceled) || n >= 10000 {
			t.Errorf("after %d rows: %v", n, rows.Err())
		}
	})
}
