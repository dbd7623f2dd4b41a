package sheet

import (
	"bytes"
	"context"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

// readText reads CSV bytes the way Open does, without a file.
func readText(data []byte) ([]Row, error) {
	w := &Workbook{File: "fuzz.csv", opt: Options{MaxUnzipSize: DefaultMaxUnzipSize}}
	if err := w.openText(data, false); err != nil {
		return nil, err
	}
	rows, err := w.Rows(context.Background(), "")
	if err != nil {
		return nil, err
	}
	var out []Row
	for rows.Next() {
		out = append(out, rows.Row())
	}
	return out, rows.Err()
}

// FuzzCSV checks that any bytes read as CSV without a panic and with increasing row
// numbers, and that a simple table written as Excel writes CSV reads back the same.
// The table is the input split into rows at '\n' and into cells at '|'; a '~' in a
// cell stands for a line break inside it.
func FuzzCSV(f *testing.F) {
	for _, s := range []string{
		"a|b|c\n1|2|3", "E-mail|Prénom\njean@exemple.fr|Jean", "x\n\ny", "\"quoted\"|a;b|c,d\te",
		"ligne~suite|x", "|||\n|", "sep=|\na|b", "SEP=,", "  |  \n  ", "a\"b|\"c\"", "\xef\xbb\xbfbom|x", "é|\xe9",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		rows, _ := readText(data)
		last := 0
		for _, r := range rows {
			if r.Num <= last {
				t.Fatalf("row numbers not increasing: %d after %d", r.Num, last)
			}
			last = r.Num
			if isBlank(r.Cells) {
				t.Fatalf("blank row %d handed out", r.Num)
			}
		}

		if !utf8.Valid(data) || bytes.IndexByte(data, 0) >= 0 {
			return
		}
		var table [][]string
		for _, line := range strings.Split(string(data), "\n") {
			row := strings.Split(line, "|")
			for i := range row {
				row[i] = strings.ReplaceAll(row[i], "~", "\r\n")
			}
			table = append(table, row)
		}
		var b bytes.Buffer
		b.Write(utf8BOM)
		var want []Row
		for i, row := range table {
			writeCSVRecord(&b, row, ';')
			if c := trimRow(append([]string(nil), row...)); !isBlank(c) {
				want = append(want, Row{Num: i + 1, Cells: c})
			}
		}
		if _, _, ok := sepLine(strings.TrimPrefix(b.String(), "\ufeff")); ok {
			return // a first row "sep=x" is Excel's delimiter line, by design
		}
		got, err := readText(b.Bytes())
		if len(want) == 0 {
			return // an empty table is an empty file
		}
		if err != nil {
			t.Fatalf("reading back %q: %v", b.String(), err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("wrote %q\nread %+v\nwant %+v", b.String(), got, want)
		}
	})
}

// FuzzMatchHeader checks that every header cell is kept in the Mapping whatever its
// text, that a field is held by one column at most, and that ASCII case does not count.
func FuzzMatchHeader(f *testing.F) {
	for _, s := range [][3]string{
		{"E-mail", "Prénom", "Nom"}, {"groupe 2", "Groupe", "GROUPES"}, {"jean@exemple.fr", "Jean", ""},
		{"Rôle", "profil", "Langue"}, {"Adresse électronique", "nom de famille", "groupe 99999999999999999999"},
	} {
		f.Add(s[0], s[1], s[2])
	}
	f.Fuzz(func(t *testing.T, a, b, c string) {
		in := []string{a, b, c}
		m := MatchHeader(in)
		if len(m.Columns) != len(in) {
			t.Fatalf("%d columns for %d cells", len(m.Columns), len(in))
		}
		seen := map[Field]int{}
		groups := map[int]bool{}
		for i, col := range m.Columns {
			if col.Index != i || (m.HasHeader && col.Header != in[i]) {
				t.Fatalf("column %d is %+v", i, col)
			}
			if col.Field == FieldGroup {
				if col.Group < 1 || groups[col.Group] {
					t.Fatalf("group number %d repeated or invalid", col.Group)
				}
				groups[col.Group] = true
			} else if col.Field != FieldNone {
				if seen[col.Field]++; seen[col.Field] > 1 {
					t.Fatalf("field %s held twice", col.Field)
				}
			}
		}
		m.Record(in)
		m.Set(len(in)+2, FieldEmail).Record(in)
		upper := MatchHeader([]string{asciiUpper(a), asciiUpper(b), asciiUpper(c)})
		for i := range in {
			if upper.Columns[i].Field != m.Columns[i].Field {
				t.Fatalf("%q and its upper case map to %s and %s", in[i], m.Columns[i].Field, upper.Columns[i].Field)
			}
		}
	})
}

func asciiUpper(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' {
			return r - 32
		}
		return r
	}, s)
}
