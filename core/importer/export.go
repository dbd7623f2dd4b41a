package importer

import (
	"strings"

	"convive/core"
	"convive/core/sheet"
)

// RejectedHeader is the title of the column the rejected-rows export adds.
const RejectedHeader = "Motif du rejet"

// Rejected returns the rows the import refuses (invalid and duplicate ones) as the
// rejected-rows export writes them: the original cells, as wide as the header, then
// the reasons. Cells that a spreadsheet would take for a formula (= + - @ at the start)
// are made inert by core.InertCell, so that opening the export never runs anything.
func (pv *Preview) Rejected() (header []string, rows [][]string) {
	width := len(pv.Header)
	if pv.Plan != nil {
		for _, r := range pv.Plan.Rows {
			if r.Status == core.RowInvalid || r.Status == core.RowDuplicate {
				width = max(width, len(r.Cells))
			}
		}
	}
	for i := 0; i < width; i++ {
		h := ""
		if pv.Mapping.HasHeader && i < len(pv.Header) {
			h = pv.Header[i]
		}
		if c, ok := pv.Mapping.Column(i); ok && h == "" {
			h = c.Name()
		}
		if h == "" {
			h = sheet.Column{Index: i}.Name()
		}
		header = append(header, core.InertCell(h))
	}
	header = append(header, RejectedHeader)
	if pv.Plan == nil {
		return header, nil
	}
	for _, r := range pv.Plan.Rows {
		if r.Status != core.RowInvalid && r.Status != core.RowDuplicate {
			continue
		}
		out := make([]string, width+1)
		for i, c := range r.Cells {
			out[i] = core.InertCell(c)
		}
		var why []string
		for _, p := range r.Problems {
			why = append(why, p.Message)
		}
		out[width] = core.InertCell(strings.Join(why, " "))
		rows = append(rows, out)
	}
	return header, rows
}

// WriteRejected writes the rejected rows to path (.xlsx, or .csv) and returns how
// many there were. The file appears whole or not at all.
func (pv *Preview) WriteRejected(path string) (int, error) {
	header, rows := pv.Rejected()
	name := "Rejets"
	if pv.Sheet != "" {
		name = pv.Sheet + " - rejets"
	}
	return len(rows), sheet.WriteTable(path, name, header, rows)
}
