package sheet

import (
	"bytes"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"convive/core"
)

// WriteTable writes a table to path, as an .xlsx workbook (one sheet named sheet,
// the header row styled and frozen, every cell stored as text so that leading zeros
// and long digit runs stay as they were read) or as a .csv file (UTF-8 with BOM, ';').
// It is how rejected rows go back to the manager, their reason in a last column. The
// file appears whole or not at all.
func WriteTable(path, sheet string, header []string, rows [][]string) error {
	var data []byte
	var err error
	switch strings.ToLower(filepath.Ext(path)) {
	case ".xlsx":
		data, err = tableXLSX(sheet, header, rows)
	case ".csv":
		var b bytes.Buffer
		b.Write(utf8BOM)
		writeCSVRecord(&b, header, ';')
		for _, r := range rows {
			writeCSVRecord(&b, r, ';')
		}
		data = b.Bytes()
	default:
		return core.Errorf(core.EInvalid, "sheet.write_ext", frenchSpacing.Replace("Le fichier ne peut être enregistré qu'au format .xlsx ou .csv : choisissez un nom qui se termine par .xlsx ou .csv (par exemple « {{.File}}.xlsx »)."),
			map[string]any{"File": strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))})
	}
	if err != nil {
		return errWrite(filepath.Base(path), err)
	}
	return writeFileAtomic(path, data)
}

func tableXLSX(sheet string, header []string, rows [][]string) ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	if sheet = safeSheetName(sheet); sheet != "Sheet1" {
		if err := f.SetSheetName("Sheet1", sheet); err != nil {
			return nil, err
		}
	}
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return nil, err
	}
	head, err := f.NewStyle(&excelize.Style{
		Font: &excelize.Font{Bold: true, Color: "FFFFFF"},
		Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"2F5597"}},
	})
	if err != nil {
		return nil, err
	}
	text, err := f.NewStyle(&excelize.Style{NumFmt: 49}) // "@": shown as typed
	if err != nil {
		return nil, err
	}
	// widths from the header and the first rows, within reason
	cols := len(header)
	for _, r := range rows {
		cols = max(cols, len(r))
	}
	for c := 0; c < cols; c++ {
		w := 10
		if c < len(header) {
			w = max(w, utf8.RuneCountInString(header[c])+4)
		}
		for _, r := range rows[:min(len(rows), 1000)] {
			if c < len(r) {
				w = max(w, utf8.RuneCountInString(r[c])+2)
			}
		}
		if err := sw.SetColWidth(c+1, c+1, float64(min(w, 60))); err != nil {
			return nil, err
		}
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return nil, err
	}
	values := make([]any, 0, cols)
	row := func(n int, cells []string, style int) error {
		values = values[:0]
		for _, c := range cells {
			values = append(values, excelize.Cell{StyleID: style, Value: c})
		}
		cell, _ := excelize.CoordinatesToCellName(1, n)
		return sw.SetRow(cell, values)
	}
	if err := row(1, header, head); err != nil {
		return nil, err
	}
	for i, r := range rows {
		if err := row(i+2, r, text); err != nil {
			return nil, err
		}
	}
	if err := sw.Flush(); err != nil {
		return nil, err
	}
	buf, err := f.WriteToBuffer()
	if err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// safeSheetName makes a name Excel accepts for a sheet: 31 characters at most, none
// of : \ / ? * [ ], no quote at either end.
func safeSheetName(name string) string {
	name = strings.Map(func(r rune) rune {
		if strings.ContainsRune(`:\/?*[]`, r) {
			return '-'
		}
		return r
	}, strings.TrimSpace(name))
	name = strings.Trim(name, "'")
	if r := []rune(name); len(r) > 31 {
		name = string(r[:31])
	}
	if name == "" {
		return "Sheet1"
	}
	return name
}
