package sheet

import (
	"bytes"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
)

// numKind says how a number in a cell is shown, as far as reading it as text goes.
type numKind uint8

const (
	numPlain    numKind = iota
	numDate             // DD/MM/YYYY
	numDateTime         // DD/MM/YYYY HH:MM
	numTime             // HH:MM
	numSeconds          // with seconds: HH:MM:SS, or DD/MM/YYYY HH:MM:SS
)

// styleKinds maps every cell style index of the workbook to how its numbers read.
func styleKinds(f *excelize.File) []numKind {
	st := f.Styles
	if st == nil || st.CellXfs == nil {
		return nil
	}
	custom := map[int]string{}
	if st.NumFmts != nil {
		for _, nf := range st.NumFmts.NumFmt {
			code := nf.FormatCode
			if nf.FormatCode16 != "" {
				code = nf.FormatCode16
			}
			custom[nf.NumFmtID] = code
		}
	}
	kinds := make([]numKind, len(st.CellXfs.Xf))
	for i, xf := range st.CellXfs.Xf {
		if xf.NumFmtID == nil {
			continue
		}
		id := *xf.NumFmtID
		if code, ok := custom[id]; ok {
			kinds[i] = formatKind(code)
		} else {
			kinds[i] = builtinKind(id)
		}
	}
	return kinds
}

// builtinKind classifies Excel's built-in number formats.
func builtinKind(id int) numKind {
	switch {
	case id >= 14 && id <= 17, id >= 27 && id <= 31, id >= 34 && id <= 36, id >= 50 && id <= 54, id >= 57 && id <= 58, id >= 71 && id <= 75:
		return numDate
	case id == 22:
		return numDateTime
	case id == 20 || id == 32 || id == 33 || id == 55 || id == 56 || id == 76:
		return numTime
	case id == 18 || id == 19 || id == 21 || (id >= 45 && id <= 47) || (id >= 77 && id <= 81):
		return numTime | numSeconds
	}
	return numPlain
}

// formatKind classifies a custom number format code: it is a date or time when, once
// quoted text, escaped characters and [colour]/[$currency] brackets are removed, its
// first section still has y, d, m, h or s in it.
func formatKind(code string) numKind {
	var date, month, hour, sec bool
	inQuote := false
loop:
	for i := 0; i < len(code); i++ {
		c := code[i]
		if inQuote {
			inQuote = c != '"'
			continue
		}
		switch c {
		case '"':
			inQuote = true
		case '\\', '_', '*':
			i++ // the next character is literal or padding
		case ';':
			break loop
		case '[':
			end := strings.IndexByte(code[i:], ']')
			if end < 0 {
				break loop
			}
			inner := strings.ToLower(code[i+1 : i+end])
			// elapsed time [h] [mm] [ss] is time; colours, conditions, locales are not
			if inner != "" && strings.Trim(inner, "hms") == "" {
				hour = true
				sec = sec || strings.Contains(inner, "s")
			}
			i += end
		default:
			switch c | 0x20 {
			case 'y', 'd', 'e':
				if c|0x20 == 'e' {
					// "E+" is a scientific notation, a bare "e" a year in some locales
					if i+1 < len(code) && (code[i+1] == '+' || code[i+1] == '-') {
						continue
					}
				}
				date = true
			case 'm':
				month = true
			case 'h':
				hour = true
			case 's':
				sec = true
			case 'g':
				if strings.HasPrefix(strings.ToLower(code[i:]), "general") {
					i += len("general") - 1
				}
			case 'b':
				if i+1 < len(code) && (code[i+1] == '1' || code[i+1] == '2') {
					i++ // B1/B2 calendars
				}
			}
		}
	}
	if month && !hour && !sec {
		date = true // m without hours or seconds is a month
	}
	var k numKind
	switch {
	case date && (hour || sec):
		k = numDateTime
	case date:
		k = numDate
	case hour || sec || month:
		k = numTime
	default:
		return numPlain
	}
	if sec {
		k |= numSeconds
	}
	return k
}

// cellType is the t attribute of a cell.
type cellType uint8

const (
	typeNumber cellType = iota // "n" or none
	typeShared                 // "s"
	typeInline                 // "inlineStr"
	typeString                 // "str": the result of a formula
	typeError                  // "e"
	typeBool                   // "b"
	typeDate                   // "d": ISO 8601
)

func cellTypeOf(t []byte) cellType {
	switch string(t) {
	case "s":
		return typeShared
	case "inlineStr":
		return typeInline
	case "str":
		return typeString
	case "e":
		return typeError
	case "b":
		return typeBool
	case "d":
		return typeDate
	}
	return typeNumber
}

// styleIndex parses the s attribute of a cell; 0 (the default style) when absent.
func styleIndex(s []byte) int { return parseIndex(s) }

// parseIndex reads a non-negative decimal index; -1 when it is not one.
func parseIndex(s []byte) int {
	n := 0
	for _, c := range s {
		if c < '0' || c > '9' || n > 1<<40 {
			return -1
		}
		n = n*10 + int(c-'0')
	}
	return n
}

// cellText converts the stored value of a cell into the text Convive works with.
func (b *xlsxBook) cellText(typ cellType, style int, raw []byte, inline bool, sst []string) string {
	switch typ {
	case typeShared:
		i := parseIndex(bytes.TrimSpace(raw))
		if i < 0 || i >= len(sst) {
			return ""
		}
		return sst[i]
	case typeInline, typeString, typeError:
		return cleanText(raw)
	case typeBool:
		switch strings.TrimSpace(string(raw)) {
		case "1", "true":
			return "VRAI"
		case "0", "false":
			return "FAUX"
		}
		return string(raw)
	case typeDate:
		return isoDateText(string(raw))
	}
	if inline {
		return cleanText(raw)
	}
	v := string(raw)
	if k := b.styleKind(style); k != numPlain {
		if f, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil {
			if s, ok := serialText(f, b.date1904, k); ok {
				return s
			}
		}
	}
	return numberText(v)
}

func (b *xlsxBook) styleKind(style int) numKind {
	if style < 0 || style >= len(b.styles) {
		return numPlain
	}
	return b.styles[style]
}

// cleanText turns the bytes of a string cell into text: invalid UTF-8 replaced, the
// _xHHHH_ escapes of Office decoded.
func cleanText(b []byte) string {
	s := string(b)
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	return unescapeOOXML(s)
}

// numberText writes a stored number the way a person expects to read it back: digit
// runs exactly as stored (a 16-digit number stays whole), whole numbers never in E
// notation (1.234567890123456E+15 → 1234567890123456), and binary noise in fractions
// rounded off at Excel's 15 significant digits (0.30000000000000004 → 0.3).
func numberText(v string) string {
	v = strings.TrimSpace(v)
	if isInteger(v) {
		return v
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		return v
	}
	if f == math.Trunc(f) && math.Abs(f) < 1e21 {
		if f == 0 {
			return "0"
		}
		return strconv.FormatFloat(f, 'f', -1, 64)
	}
	f, _ = strconv.ParseFloat(strconv.FormatFloat(f, 'g', 15, 64), 64)
	if f == 0 {
		return "0"
	}
	return strconv.FormatFloat(f, 'f', -1, 64)
}

func isInteger(s string) bool {
	s = strings.TrimPrefix(s, "-")
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// serialText turns a date serial number into text. Day 60 of the 1900 system is the
// 29 February 1900 that Excel counts although it never existed.
func serialText(f float64, date1904 bool, k numKind) (string, bool) {
	if f < 0 || f > 2958465 { // after 31/12/9999 Excel shows #####
		return "", false
	}
	days := math.Floor(f)
	secs := int(math.Round((f - days) * 86400))
	if secs >= 86400 {
		days++
		secs -= 86400
	}
	var d string
	switch {
	case date1904:
		d = time.Date(1904, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, int(days)).Format("02/01/2006")
	case days == 60:
		d = "29/02/1900"
	case days == 0:
		d = "00/01/1900"
	case days < 60:
		d = time.Date(1899, 12, 31, 0, 0, 0, 0, time.UTC).AddDate(0, 0, int(days)).Format("02/01/2006")
	default:
		d = time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC).AddDate(0, 0, int(days)).Format("02/01/2006")
	}
	t := clock(secs, k&numSeconds != 0)
	switch k &^ numSeconds {
	case numDate:
		return d, true // a time of day under a date format is not shown, as in Excel
	case numDateTime:
		return d + " " + t, true
	case numTime:
		return t, true
	}
	return "", false
}

func clock(secs int, withSeconds bool) string {
	h, m, s := secs/3600, secs/60%60, secs%60
	out := pad2(h) + ":" + pad2(m)
	if withSeconds {
		out += ":" + pad2(s)
	}
	return out
}

func pad2(n int) string {
	if n < 10 {
		return "0" + strconv.Itoa(n)
	}
	return strconv.Itoa(n)
}

// isoDateText converts a cell of type "d" (ISO 8601, as some programs write dates).
func isoDateText(v string) string {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02T15:04", "2006-01-02", "15:04:05"} {
		t, err := time.Parse(layout, strings.TrimSpace(v))
		if err != nil {
			continue
		}
		if layout == "15:04:05" {
			return t.Format("15:04:05")
		}
		if t.Hour() == 0 && t.Minute() == 0 && t.Second() == 0 {
			return t.Format("02/01/2006")
		}
		if t.Second() == 0 {
			return t.Format("02/01/2006 15:04")
		}
		return t.Format("02/01/2006 15:04:05")
	}
	return v
}
