package sheet

import (
	"bytes"
	"io"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
)

var (
	utf8BOM    = []byte{0xEF, 0xBB, 0xBF}
	utf16LEBOM = []byte{0xFF, 0xFE}
	utf16BEBOM = []byte{0xFE, 0xFF}
)

// Encodings reported in Workbook.Encoding.
const (
	EncodingUTF8    = "UTF-8"
	EncodingUTF8BOM = "UTF-8 avec BOM"
	EncodingUTF16   = "UTF-16"
	EncodingCP1252  = "Windows-1252"
)

// decodeText turns the bytes of a text file into UTF-8: UTF-8 with or without BOM,
// UTF-16 with BOM (Excel's "Texte Unicode"), otherwise Windows-1252, which is what
// French Excel writes for "CSV (séparateur : point-virgule)".
func decodeText(data []byte) (string, string) {
	switch {
	case bytes.HasPrefix(data, utf8BOM):
		return string(data[3:]), EncodingUTF8BOM
	case bytes.HasPrefix(data, utf16LEBOM), bytes.HasPrefix(data, utf16BEBOM):
		dec := unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewDecoder()
		if out, err := dec.Bytes(data); err == nil {
			return string(out), EncodingUTF16
		}
	case utf8.Valid(data):
		return string(data), EncodingUTF8
	}
	out, err := charmap.Windows1252.NewDecoder().Bytes(data)
	if err != nil { // cannot happen: every byte has a meaning in Windows-1252
		return strings.ToValidUTF8(string(data), "\uFFFD"), EncodingCP1252
	}
	return string(out), EncodingCP1252
}

// openText prepares a CSV file or pasted cells.
func (w *Workbook) openText(data []byte, paste bool) error {
	text, enc := decodeText(data)
	if strings.TrimSpace(text) == "" {
		if paste {
			return fileError(KeyEmpty, "Le presse-papiers ne contient aucune cellule. Copiez des cellules dans votre tableur puis réessayez.", w.File, nil)
		}
		return errEmpty(w.File)
	}
	if !paste && strings.IndexByte(text, 0) >= 0 {
		return errUnknownFormat(w.File)
	}
	w.text, w.Encoding = text, enc
	if paste {
		w.Format = FormatPaste
		w.Sheets = []Sheet{{Name: "Cellules collées"}}
		// cells copied from a spreadsheet are always tab-separated; without a tab
		// it is one column, and a comma inside a name must not split it
		if hasUnquoted(text, '\t') {
			w.Delimiter = '\t'
		}
	} else {
		w.Format = FormatCSV
		base := w.File
		if i := strings.LastIndexByte(base, '.'); i > 0 {
			base = base[:i]
		}
		w.Sheets = []Sheet{{Name: base}}
		if d, rest, ok := sepLine(text); ok {
			// Excel's "sep=;" first line names the delimiter and is not a row
			w.text, w.Delimiter = rest, d
			return nil
		}
		w.Delimiter = detectDelimiter(text)
	}
	return nil
}

// sepLine recognises the "sep=;" line Excel reads as the delimiter to use.
func sepLine(text string) (rune, string, bool) {
	line, rest, _ := strings.Cut(text, "\n")
	line = strings.TrimSuffix(line, "\r")
	if len(line) == 5 && strings.EqualFold(line[:4], "sep=") {
		return rune(line[4]), rest, true
	}
	return 0, "", false
}

// hasUnquoted reports whether c appears outside quoted fields in the first lines.
func hasUnquoted(text string, c byte) bool {
	for _, counts := range sampleCounts(text, 50) {
		if counts[delimIndex(c)] > 0 {
			return true
		}
	}
	return false
}

var delimiters = [...]byte{';', '\t', ','} // order breaks ties: French Excel first

func delimIndex(c byte) int { return bytes.IndexByte(delimiters[:], c) }

// sampleCounts counts each candidate delimiter outside quotes in each of the first
// logical lines of text (a quoted field may span lines).
func sampleCounts(text string, maxLines int) [][3]int {
	var lines [][3]int
	var cur [3]int
	quoted, started, any := false, false, false
	for i := 0; i < len(text) && len(lines) < maxLines; i++ {
		c := text[i]
		switch {
		case quoted:
			if c == '"' {
				if i+1 < len(text) && text[i+1] == '"' {
					i++
				} else {
					quoted = false
				}
			}
		case c == '"' && !started:
			quoted = true
			started, any = true, true
		case c == '\n' || c == '\r':
			if c == '\r' && i+1 < len(text) && text[i+1] == '\n' {
				i++
			}
			if any {
				lines = append(lines, cur)
			}
			cur, started, any = [3]int{}, false, false
		default:
			if k := delimIndex(c); k >= 0 {
				cur[k]++
				started = false
				any = true
				continue
			}
			started, any = true, true
		}
	}
	if any && len(lines) < maxLines {
		lines = append(lines, cur)
	}
	return lines
}

// detectDelimiter picks, among ; tab and ',', the one that splits the first lines most
// consistently: the count found on most lines wins, ties going to ';', then tab.
// It returns 0 when none appears (a single column).
func detectDelimiter(text string) rune {
	lines := sampleCounts(text, 30)
	best, bestScore := rune(0), 0
	for k, d := range delimiters {
		freq := map[int]int{}
		for _, l := range lines {
			if l[k] > 0 {
				freq[l[k]]++
			}
		}
		score := 0
		for _, n := range freq {
			score = max(score, n)
		}
		// a delimiter that splits every line beats one that splits some of them
		if score > bestScore {
			best, bestScore = rune(d), score
		}
	}
	return best
}

// textRows parses CSV text one record at a time. The rules are Excel's: a field that
// starts with '"' is quoted, "" inside stands for one quote, and anything after the
// closing quote up to the delimiter is kept; a quote elsewhere is an ordinary
// character; \r\n, \n and \r end a record; an empty line is a blank row.
type textRows struct {
	text  string
	pos   int
	delim byte
	num   int
	buf   strings.Builder
}

func newTextRows(text string, delim rune) *textRows {
	return &textRows{text: text, delim: byte(delim)}
}

func (t *textRows) next() (int, []string, error) {
	if t.pos >= len(t.text) {
		return 0, nil, io.EOF
	}
	t.num++
	var cells []string
	s := t.text
	i := t.pos
	for {
		// one field
		var field string
		if i < len(s) && s[i] == '"' {
			t.buf.Reset()
			i++
			for i < len(s) {
				j := strings.IndexByte(s[i:], '"')
				if j < 0 {
					t.buf.WriteString(s[i:])
					i = len(s)
					break
				}
				t.buf.WriteString(s[i : i+j])
				i += j + 1
				if i < len(s) && s[i] == '"' {
					t.buf.WriteByte('"')
					i++
					continue
				}
				break
			}
			// text after the closing quote belongs to the field
			end := t.fieldEnd(s, i)
			t.buf.WriteString(s[i:end])
			field, i = t.buf.String(), end
		} else {
			end := t.fieldEnd(s, i)
			field, i = s[i:end], end
		}
		cells = append(cells, field)
		if i < len(s) && t.delim != 0 && s[i] == t.delim {
			i++
			continue
		}
		// end of record
		if i < len(s) && s[i] == '\r' {
			i++
		}
		if i < len(s) && s[i] == '\n' {
			i++
		}
		break
	}
	t.pos = i
	return t.num, trimRow(cells), nil
}

// fieldEnd returns the index of the delimiter or line end that closes a field.
func (t *textRows) fieldEnd(s string, i int) int {
	for j := i; j < len(s); j++ {
		c := s[j]
		if c == '\n' || c == '\r' || (c == t.delim && t.delim != 0) {
			return j
		}
	}
	return len(s)
}

func (t *textRows) finish(*Totals, int) error { return nil }

func (t *textRows) position() (int64, int64) { return int64(t.pos), int64(len(t.text)) }

func (t *textRows) close() error { return nil }
