package gui

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"convive/core"
	"convive/core/importer"
)

// Preview table columns before and after the sheet's own columns.
const (
	colLine   = 0
	colStatus = 1
	colSheet  = 2 // first column of the sheet
)

// Column widths of the preview.
const (
	widthLine   = 70
	widthStatus = 120
	widthCell   = 170
	widthEmail  = 260
	widthNotes  = 560
)

// sheetColumns is how many columns of the sheet the preview shows.
func (s *ImporterScreen) sheetColumns() int {
	if s.base == nil {
		return 0
	}
	return max(s.width, len(s.mapping.Columns))
}

func (s *ImporterScreen) tableColumns() int {
	if s.base == nil {
		return 0
	}
	return colSheet + s.sheetColumns() + 1
}

// tableLength is the size of the preview table. The rows count only once the table
// has a size: Fyne (2.7, 2.8) lays out a table without one as if all its rows were in
// view, and keeps a row separator for each for good: 100 000 separators, 40 MiB, for
// a big preview, which the garbage collector marks again and again and the table
// hides again at each scroll step.
func (s *ImporterScreen) tableLength() (rows, cols int) {
	if sz := s.Table.Size(); sz.Width <= 0 || sz.Height <= 0 {
		return 0, s.tableColumns()
	}
	return len(s.visible), s.tableColumns()
}

func (s *ImporterScreen) createCell() fyne.CanvasObject {
	return widget.NewLabel("")
}

// truncation returns how label l, as wide as it is now, cuts text in style: not at
// all when text fits, else with cut. A label that cuts its text measures it again at
// each resize (recycled cells change columns), and shapes it whole at each refresh
// for an ellipsis, without the cache of text measures: a text that fits goes without.
func truncation(l *widget.Label, text string, style fyne.TextStyle, cut fyne.TextTruncation) fyne.TextTruncation {
	th := l.Theme()
	w := fyne.MeasureText(text, th.Size(theme.SizeNameText), style).Width
	if w+2*th.Size(theme.SizeNameInnerPadding) <= l.Size().Width {
		return fyne.TextTruncateOff
	}
	return cut
}

func (s *ImporterScreen) updateCell(id widget.TableCellID, o fyne.CanvasObject) {
	l := o.(*widget.Label)
	text, imp, bold := "", widget.MediumImportance, false
	if id.Row >= 0 && id.Row < len(s.visible) {
		r := &s.rows[s.visible[id.Row]]
		n := s.sheetColumns()
		switch {
		case id.Col == colLine:
			text = formatInt(r.Line)
		case id.Col == colStatus:
			text, imp, bold = rowStatusLabel(r.Status), rowStatusImportance(r.Status), true
		case id.Col-colSheet < n:
			if i := id.Col - colSheet; i < len(r.Cells) {
				text = r.Cells[i]
			}
		default:
			text = rowNotes(r)
			if len(r.Problems) > 0 {
				imp = widget.DangerImportance
			} else if len(r.Warnings) > 0 {
				imp = widget.WarningImportance
			} else if len(r.Changes) > 0 {
				text = lang.X("import.changes", "Change : {{.Fields}}", map[string]any{"Fields": strings.Join(r.Changes, ", ")})
			}
		}
	}
	// The notes end in "…" so that the manager sees there is more; the other columns
	// are clipped, as in a spreadsheet: an ellipsis costs more.
	cut := fyne.TextTruncateClip
	if id.Col == s.tableColumns()-1 {
		cut = fyne.TextTruncateEllipsis
	}
	style := fyne.TextStyle{Bold: bold}
	trunc := truncation(l, text, style, cut)
	if l.Text == text && l.Importance == imp && l.TextStyle == style && l.Truncation == trunc {
		return
	}
	l.Importance = imp
	l.TextStyle = style
	l.Truncation = trunc
	l.SetText(text)
}

// rowNotes joins what a row's refusals and warnings say.
func rowNotes(r *core.PlannedRow) string {
	var out []string
	for _, p := range r.Problems {
		out = append(out, p.Message)
	}
	for _, p := range r.Warnings {
		out = append(out, p.Message)
	}
	return strings.Join(out, " ")
}

// headerCell is one cell of the preview's header row: the title of the line, status
// and notes columns, or, over a column of the sheet, a button showing the column's
// header and its mapping, which opens the menu that maps it by hand.
//
// Its own refresh leaves its parts alone: the table refreshes its whole header row at
// each scroll step, which would lay out every title again and draw every menu icon
// from its SVG. updateHeader refreshes a part when it changes it, and Fyne refreshes
// each part on a change of theme.
type headerCell struct {
	widget.BaseWidget
	title *widget.Label
	field *widget.Button
	col   int
}

func (h *headerCell) CreateRenderer() fyne.WidgetRenderer {
	return &headerRenderer{box: container.NewStack(h.title, h.field)}
}

// headerRenderer draws a headerCell's parts, stacked, and does nothing on refresh.
type headerRenderer struct {
	box *fyne.Container
}

func (r *headerRenderer) Layout(size fyne.Size)        { r.box.Resize(size) }
func (r *headerRenderer) MinSize() fyne.Size           { return r.box.MinSize() }
func (r *headerRenderer) Objects() []fyne.CanvasObject { return []fyne.CanvasObject{r.box} }
func (r *headerRenderer) Refresh()                     {}
func (r *headerRenderer) Destroy()                     {}

func (s *ImporterScreen) createHeader() fyne.CanvasObject {
	h := &headerCell{title: widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})}
	h.title.Truncation = fyne.TextTruncateEllipsis
	h.field = &widget.Button{Icon: theme.MenuDropDownIcon(), IconPlacement: widget.ButtonIconTrailingText, Alignment: widget.ButtonAlignLeading, Importance: widget.LowImportance}
	h.field.OnTapped = func() {
		c := fyne.CurrentApp().Driver().CanvasForObject(h.field)
		if c == nil {
			return
		}
		pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(h.field).Add(fyne.NewPos(0, h.field.Size().Height))
		widget.ShowPopUpMenuAtPosition(s.fieldMenu(h.col-colSheet), c, pos)
	}
	h.ExtendBaseWidget(h)
	return h
}

// fieldMenu lists what sheet column col can be mapped to, its current field ticked.
func (s *ImporterScreen) fieldMenu(col int) *fyne.Menu {
	c, _ := s.mapping.Column(col)
	var items []*fyne.MenuItem
	for _, f := range fieldChoices {
		item := fyne.NewMenuItem(fieldLabel(f), func() { s.Remap(col, f) })
		item.Checked = c.Field == f
		items = append(items, item)
	}
	return fyne.NewMenu("", items...)
}

func (s *ImporterScreen) updateHeader(id widget.TableCellID, o fyne.CanvasObject) {
	h := o.(*headerCell)
	h.col = id.Col
	n := s.sheetColumns()
	switch {
	case id.Col == colLine:
		h.showTitle(lang.X("import.col.line", "Ligne"))
	case id.Col == colStatus:
		h.showTitle(lang.X("import.col.status", "Statut"))
	case id.Col-colSheet < n:
		c, _ := s.mapping.Column(id.Col - colSheet)
		imp := widget.MediumImportance
		if c.Field == core.FieldIgnore {
			imp = widget.LowImportance
		}
		h.showField(lang.X("import.col.mapped", "{{.Header}} → {{.Field}}", map[string]any{"Header": c.Name(), "Field": fieldLabel(c.Field)}), imp)
	default:
		h.showTitle(lang.X("import.col.notes", "Motif ou remarque"))
	}
}

// showTitle shows text as the cell's title. The table updates and refreshes every
// header cell at each scroll step: a title already showing text is left alone, and an
// ellipsis is only kept for a title too long for its column.
func (h *headerCell) showTitle(text string) {
	h.field.Hide()
	h.title.Show()
	if trunc := truncation(h.title, text, h.title.TextStyle, fyne.TextTruncateEllipsis); h.title.Text != text || h.title.Truncation != trunc {
		h.title.Truncation = trunc
		h.title.SetText(text)
	}
}

// showField shows the cell's button with text, left alone if it already does.
func (h *headerCell) showField(text string, imp widget.Importance) {
	h.title.Hide()
	h.field.Show()
	if h.field.Text != text || h.field.Importance != imp {
		h.field.Text, h.field.Importance = text, imp
		h.field.Refresh()
	}
}

// longest returns the longest of texts, to size a select by its placeholder.
func longest(texts []string) string {
	out := ""
	for _, t := range texts {
		if len([]rune(t)) > len([]rune(out)) {
			out = t
		}
	}
	return out
}

// onRowSelected shows in full what the selected row's notes say.
func (s *ImporterScreen) onRowSelected(id widget.TableCellID) {
	text := ""
	if id.Row >= 0 && id.Row < len(s.visible) {
		r := &s.rows[s.visible[id.Row]]
		text = rowNotes(r)
		if text == "" && len(r.Changes) > 0 {
			text = lang.X("import.changes", "Change : {{.Fields}}", map[string]any{"Fields": strings.Join(r.Changes, ", ")})
		}
	}
	s.RowDetail.SetText(text)
	if text == "" {
		s.RowDetail.Hide()
	} else {
		s.RowDetail.Show()
	}
}

// filterChoice is one entry of the status filter.
type filterChoice struct {
	status core.RowStatus
	label  string
}

func (s *ImporterScreen) filterChoices() []filterChoice {
	p := s.plan
	if p == nil {
		return []filterChoice{{"", lang.X("import.filter.all", "Toutes les lignes ({{.N}})", count(len(s.rows)))}}
	}
	return []filterChoice{
		{"", lang.X("import.filter.all", "Toutes les lignes ({{.N}})", count(len(p.Rows)))},
		{core.RowNew, lang.X("import.filter.new", "Nouveaux ({{.N}})", count(p.New))},
		{core.RowUpdate, lang.X("import.filter.update", "Mises à jour ({{.N}})", count(p.Updated))},
		{core.RowUnchanged, lang.X("import.filter.unchanged", "Inchangés ({{.N}})", count(p.Unchanged))},
		{core.RowDuplicate, lang.X("import.filter.duplicate", "Doublons ({{.N}})", count(p.Duplicate))},
		{core.RowInvalid, lang.X("import.filter.invalid", "Invalides ({{.N}})", count(p.Invalid))},
	}
}

func (s *ImporterScreen) onFilter(label string) {
	if s.updating {
		return
	}
	for _, c := range s.filterChoices() {
		if c.label == label {
			s.filter = c.status
		}
	}
	s.filterRows()
	s.Table.UnselectAll()
	s.RowDetail.Hide()
	s.Table.ScrollToTop()
	s.Table.Refresh()
}

// ShowStatus filters the preview to the rows of one status ("" for every row).
func (s *ImporterScreen) ShowStatus(st core.RowStatus) {
	for _, c := range s.filterChoices() {
		if c.status == st {
			s.Filter.SetSelected(c.label)
		}
	}
}

func (s *ImporterScreen) filterRows() {
	s.visible = s.visible[:0]
	for i := range s.rows {
		if s.filter == "" || s.rows[i].Status == s.filter {
			s.visible = append(s.visible, i)
		}
	}
}

// VisibleLines returns the sheet row numbers the preview shows, in order.
func (s *ImporterScreen) VisibleLines() []int {
	out := make([]int, len(s.visible))
	for i, v := range s.visible {
		out[i] = s.rows[v].Line
	}
	return out
}

// Plan returns the current preview, nil before a file is read or while the columns do
// not allow one.
func (s *ImporterScreen) Plan() *core.ImportPlan { return s.plan }

// setPreview shows a new verdict on the rows. err says why there is none (no column
// holds e-mails…): the rows are then shown without a status.
func (s *ImporterScreen) setPreview(pv *importer.Preview, err error) {
	if pv != nil {
		s.pv = pv
	}
	s.Table.UnselectAll()
	s.RowDetail.Hide()
	s.planErr = err
	s.plan = nil
	if pv != nil && pv.Plan != nil {
		s.plan = pv.Plan
		s.rows = pv.Plan.Rows
	} else {
		bare := make([]core.PlannedRow, len(s.rows))
		for i, r := range s.rows {
			bare[i] = core.PlannedRow{Line: r.Line, Cells: r.Cells}
		}
		s.rows = bare
	}
	choices := s.filterChoices()
	options := make([]string, len(choices))
	selected := choices[0].label
	found := false
	for i, c := range choices {
		options[i] = c.label
		if c.status == s.filter {
			selected, found = c.label, true
		}
	}
	if !found {
		s.filter = ""
	}
	s.updating = true
	s.Filter.PlaceHolder = longest(options)
	s.Filter.SetOptions(options)
	s.Filter.SetSelected(selected)
	s.updating = false
	s.filterRows()

	t := s.base.Totals
	read := lang.XN("import.read", "{{.N}} lignes lues (dernière ligne : {{.Last}})", dataRows(s.base), map[string]any{"N": formatInt(dataRows(s.base)), "Last": formatInt(t.LastRow)})
	if t.Blank > 0 {
		read += " · " + lang.XN("import.blank", "{{.N}} lignes vides ignorées", t.Blank, count(t.Blank))
	}
	s.ReadInfo.SetText(read)
	s.Warnings.SetText(strings.Join(s.warnings(), "\n"))
	if s.Warnings.Text == "" {
		s.Warnings.Hide()
	} else {
		s.Warnings.Show()
	}
	if err != nil {
		s.Warnings.Importance = widget.DangerImportance
	} else {
		s.Warnings.Importance = widget.WarningImportance
	}
	s.Warnings.Refresh()

	n := 0
	if s.plan != nil {
		n = s.plan.Writable()
	}
	switch {
	case n > 0:
		s.Import.SetText(lang.XN("import.run", "Importer {{.N}} lignes", n, count(n)))
		s.Import.Enable()
		s.ImportNote.Hide()
	default:
		s.Import.SetText(lang.X("import.run.none", "Importer"))
		s.Import.Disable()
		if err != nil {
			s.ImportNote.SetText(lang.X("import.none.columns", "Rien ne peut être importé tant qu'aucune colonne n'est associée à l'e-mail : choisissez « E-mail » au-dessus de la bonne colonne."))
		} else {
			s.ImportNote.SetText(lang.X("import.none", "Aucune ligne à importer : chaque ligne est inchangée, en double ou invalide. Corrigez le fichier, ou changez le mode d'import."))
		}
		s.ImportNote.Show()
	}
	s.Table.Refresh()
}

// warnings lists what deserves a look before importing.
func (s *ImporterScreen) warnings() []string {
	var out []string
	if s.planErr != nil {
		out = append(out, messageText(s.planErr))
	}
	if !s.mapping.HasHeader && s.base.Totals.Rows > 0 {
		out = append(out, lang.X("import.warn.no_header", "La première ligne ne contient aucun titre de colonne connu : elle est lue comme une personne. Choisissez ce que contient chaque colonne dans l'en-tête du tableau."))
	}
	if s.plan != nil {
		for _, w := range s.pv.Warnings {
			out = append(out, w.Message)
		}
		warned := 0
		for _, r := range s.plan.Rows {
			if len(r.Warnings) > 0 {
				warned++
			}
		}
		if warned > 0 {
			out = append(out, lang.XN("import.warn.rows", "{{.N}} lignes ont une remarque (faute de frappe probable, adresse déjà utilisée) : lisez la dernière colonne.", warned, count(warned)))
		}
	}
	return out
}

// showSource fills the line naming the file and its sheets, and sizes the columns.
func (s *ImporterScreen) showSource() {
	pv := s.base
	s.width = sheetWidth(pv)
	s.Source.SetText(pv.File)
	s.updating = true
	if len(pv.Sheets) > 1 {
		s.Sheet.PlaceHolder = longest(pv.Sheets)
		if len([]rune(s.Sheet.PlaceHolder)) > 24 {
			s.Sheet.PlaceHolder = string([]rune(s.Sheet.PlaceHolder)[:24])
		}
		s.Sheet.SetOptions(pv.Sheets)
		s.Sheet.SetSelected(pv.Sheet)
		s.sheetBox.Show()
	} else {
		s.sheetBox.Hide()
	}
	s.updating = false
	s.Table.SetColumnWidth(colLine, widthLine)
	s.Table.SetColumnWidth(colStatus, widthStatus)
	n := s.sheetColumns()
	th := s.Table.Theme()
	for i := 0; i < n; i++ {
		// wide enough for "header → field" and the menu icon
		c, _ := s.mapping.Column(i)
		text := lang.X("import.col.mapped", "{{.Header}} → {{.Field}}", map[string]any{"Header": c.Name(), "Field": fieldLabel(core.FieldLastName)})
		w := fyne.MeasureText(text, th.Size(theme.SizeNameText), fyne.TextStyle{}).Width + th.Size(theme.SizeNameInlineIcon) + 4*th.Size(theme.SizeNameInnerPadding)
		if c.Field == core.FieldEmail {
			w = max(w, widthEmail)
		}
		s.Table.SetColumnWidth(colSheet+i, min(max(widthCell, w), 2*widthCell))
	}
	s.Table.SetColumnWidth(colSheet+n, widthNotes)
	s.Table.ScrollToTop()
	s.Table.ScrollToLeading()
}
