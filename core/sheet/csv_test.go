package sheet

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// writeText writes a CSV file into a temp folder.
func writeText(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestCSVFilesAsExcelSavesThem(t *testing.T) {
	for _, tc := range []struct {
		name, file, encoding string
		delim                rune
		want                 []string
	}{
		{"French Excel's semicolon CSV in Windows-1252", "windows-1252.csv", EncodingCP1252, ';', []string{
			"E-mail|Prénom|Nom|Groupe",
			"helene.lefevre@exemple.fr|Hélène|Lefèvre|Été 2024",
			"francois.coeur@exemple.fr|François|Cœur|Ventes/Région Sud"}},
		{"UTF-8 with a BOM and commas", "utf8-bom-comma.csv", EncodingUTF8BOM, ',', []string{
			"Email|First name|Last name|Groups",
			"jean.dupont@exemple.fr|Jean|Dupont|Ventes, Nord",
			"zoe.leger@exemple.fr|Zoé|Léger|Direction"}},
		{"tab-separated UTF-8", "tab.csv", EncodingUTF8, '\t', []string{
			"courriel|prénom|nom|langue",
			"anne.morel@exemple.fr|Anne|Morel|en",
			"luc.petit@exemple.fr|Luc|Petit|fr"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w, rows, totals := openAll(t, fixture(tc.file), Options{})
			if w.Encoding != tc.encoding || w.Delimiter != tc.delim || w.Format != FormatCSV {
				t.Errorf("encoding %q delimiter %q format %s", w.Encoding, w.Delimiter, w.Format)
			}
			if got := cells(rows); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got\n%q\nwant\n%q", got, tc.want)
			}
			if totals.Rows != 3 || totals.LastRow != 3 || totals.Blank != 0 {
				t.Errorf("totals %+v", totals)
			}
			if want := strings.TrimSuffix(tc.file, ".csv"); w.Sheets[0].Name != want {
				t.Errorf("sheet name %q, want %q", w.Sheets[0].Name, want)
			}
		})
	}
}

func TestCSVParsing(t *testing.T) {
	for _, tc := range []struct {
		name, text string
		delim      rune
		want       []string
		nums       []int
	}{
		{"quoted fields keep delimiters, quotes and line breaks",
			"nom;note\r\n\"Dupont; Jean\";\"il a dit \"\"oui\"\"\"\r\n\"Martin\";\"ligne 1\r\nligne 2\"\r\n", ';',
			[]string{"nom|note", "Dupont; Jean|il a dit \"oui\"", "Martin|ligne 1\r\nligne 2"}, []int{1, 2, 3}},
		{"ragged rows keep their own length, trailing empty cells dropped",
			"a;b;c\n1\n1;2;3;4\n5;;\n", ';',
			[]string{"a|b|c", "1", "1|2|3|4", "5"}, []int{1, 2, 3, 4}},
		{"blank lines are rows, numbered as a spreadsheet shows them",
			"a,b\n\n  ,\nc,d\n", ',',
			[]string{"a|b", "c|d"}, []int{1, 4}},
		{"a quote inside an unquoted field is an ordinary character",
			"a;b\n5\" pouces;x\n\"fin\"suite;y\n", ';',
			[]string{"a|b", "5\" pouces|x", "finsuite|y"}, []int{1, 2, 3}},
		{"an unterminated quote runs to the end of the file",
			"a;b\n\"ouvert;x\ny\n", ';',
			[]string{"a|b", "ouvert;x\ny\n"}, []int{1, 2}},
		{"Excel's sep= line sets the delimiter and is not a row",
			"sep=,\r\nnom,prenom;autre\r\nDupont,Jean;x\r\n", ',',
			[]string{"nom|prenom;autre", "Dupont|Jean;x"}, []int{1, 2}},
		{"old Mac line ends", "a;b\r1;2\r", ';', []string{"a|b", "1|2"}, []int{1, 2}},
		{"no trailing line end", "a;b\n1;2", ';', []string{"a|b", "1|2"}, []int{1, 2}},
		{"a single column", "email\na@exemple.fr\nb@exemple.fr\n", 0, []string{"email", "a@exemple.fr", "b@exemple.fr"}, []int{1, 2, 3}},
		{"the delimiter is found outside quotes only",
			"\"Dupont, Jean\";\"a,b,c\"\n\"Martin, Paul\";\"d,e\"\n", ';',
			[]string{"Dupont, Jean|a,b,c", "Martin, Paul|d,e"}, []int{1, 2}},
		{"a comma in every line beats a semicolon in one",
			"nom,prenom\nDupont,Jean\nMartin;Marie,Paul\n", ',',
			[]string{"nom|prenom", "Dupont|Jean", "Martin;Marie|Paul"}, []int{1, 2, 3}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w, rows, _ := openAll(t, writeText(t, "t.csv", tc.text), Options{})
			if w.Delimiter != tc.delim {
				t.Errorf("delimiter %q, want %q", w.Delimiter, tc.delim)
			}
			if got := cells(rows); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got\n%q\nwant\n%q", got, tc.want)
			}
			if !reflect.DeepEqual(nums(rows), tc.nums) {
				t.Errorf("row numbers %v, want %v", nums(rows), tc.nums)
			}
		})
	}
	t.Run("UTF-16 text as Excel's Unicode export writes it", func(t *testing.T) {
		text := "email\tprénom\r\na@exemple.fr\tZoé\r\n"
		b := []byte{0xFF, 0xFE}
		for _, r := range text {
			b = append(b, byte(r), byte(r>>8))
		}
		w, rows, _ := openAll(t, writeText(t, "unicode.txt", string(b)), Options{})
		if w.Encoding != EncodingUTF16 || !reflect.DeepEqual(cells(rows), []string{"email|prénom", "a@exemple.fr|Zoé"}) {
			t.Errorf("encoding %s, rows %q", w.Encoding, cells(rows))
		}
	})
	t.Run("more than 1 048 576 lines are refused", func(t *testing.T) {
		path := writeText(t, "long.csv", strings.Repeat("x\n", MaxRows+1))
		w, err := Open(path, Options{})
		if err != nil {
			t.Fatal(err)
		}
		rows, _, err := readSheet(t, w, "")
		wantKey(t, err, KeyTooManyRows)
		if len(rows) != MaxRows {
			t.Errorf("%d rows read before the error", len(rows))
		}
	})
	t.Run("a file of blank lines is empty", func(t *testing.T) {
		_, err := Open(writeText(t, "blanc.csv", "\r\n\r\n  \n"), Options{})
		wantKey(t, err, KeyEmpty)
	})
}

func TestPastedCells(t *testing.T) {
	t.Run("cells copied from a spreadsheet, multi-line cell quoted", func(t *testing.T) {
		w, err := FromPaste("E-mail\tPrénom\tNote\r\na@exemple.fr\tAnne\t\"ligne 1\nligne 2\"\r\nb@exemple.fr\tBruno, dit \"Bob\"\t\r\n")
		if err != nil {
			t.Fatal(err)
		}
		rows, _, err := readSheet(t, w, "")
		if err != nil {
			t.Fatal(err)
		}
		want := []string{"E-mail|Prénom|Note", "a@exemple.fr|Anne|ligne 1\nligne 2", "b@exemple.fr|Bruno, dit \"Bob\""}
		if w.Format != FormatPaste || w.Delimiter != '\t' || !reflect.DeepEqual(cells(rows), want) {
			t.Errorf("format %s delimiter %q rows %q", w.Format, w.Delimiter, cells(rows))
		}
	})
	t.Run("a single pasted column is not split at commas", func(t *testing.T) {
		w, err := FromPaste("Dupont, Jean\nMartin; Paul\n")
		if err != nil {
			t.Fatal(err)
		}
		rows, _, _ := readSheet(t, w, "")
		if !reflect.DeepEqual(cells(rows), []string{"Dupont, Jean", "Martin; Paul"}) {
			t.Errorf("rows %q", cells(rows))
		}
	})
	t.Run("an empty clipboard says so", func(t *testing.T) {
		_, err := FromPaste(" \n")
		if msg := wantKey(t, err, KeyEmpty); !strings.Contains(msg, "presse-papiers") {
			t.Errorf("message %q", msg)
		}
	})
}
