// Package importer is the "Paramétrer plusieurs comptes" service: it reads a workbook,
// a CSV file or pasted cells through core/sheet, recognises the header row, judges
// every row with core.Planner against the accounts already stored, and hands the plan
// to the store to commit as one batch (or to undo). The window and the command line
// both go through it, so that an import behaves the same from either.
//
// Long steps report progress through a callback and stop when their context is
// cancelled; nothing is written before Commit.
package importer

import (
	"context"
	"strings"

	"convive/core"
	"convive/core/sheet"
)

// Stage names a step of an import, for a progress bar.
type Stage string

// Stages, in order.
const (
	StageRead   Stage = "read"   // reading and checking the rows of the sheet
	StageLookup Stage = "lookup" // looking the addresses up among existing accounts
	StageCommit Stage = "commit" // writing the batch
)

// Progress tells how far an import is. Fraction is between 0 and 1 within the stage.
type Progress struct {
	Stage    Stage
	Fraction float64
	Rows     int // rows read (StageRead) or written (StageCommit) so far
}

// Store is what a preview needs from storage: existing accounts by key, and the
// platform name for the "#" alias suggestions.
type Store interface {
	core.UserLookup
	Organisation(ctx context.Context) (core.Organisation, error)
}

// Source says where the rows come from: a file (Path) or pasted cells (Paste).
type Source struct {
	Path     string
	Paste    string
	Password string // for an encrypted workbook, once sheet.NeedsPassword(err)
}

// Request is one preview: the source, the sheet, the manager's options and, after a
// re-mapping in the preview, the columns as set by hand.
type Request struct {
	Source
	Sheet    string // "" for the first non-empty sheet
	Options  core.ImportOptions
	Progress func(Progress) // called from the working goroutine; may be nil
}

// Preview is an import read and judged, nothing written yet.
type Preview struct {
	File    string // base name of the file, or "cellules collées"
	Format  sheet.Format
	Sheet   string   // the sheet read ("" for CSV and paste)
	Sheets  []string // every sheet of the workbook, for a sheet picker
	Mapping sheet.Mapping
	Header  []string // the first non-blank row as read (titles, or data without a header)
	Plan    *core.ImportPlan
	Totals  sheet.Totals
	// Warnings concern the whole sheet: merged cells, formulas without a stored result,
	// the template's example row left in. Each is a French sentence.
	Warnings []core.RowProblem

	headerLine int
	platform   string
	unplanned  []sheet.Row // the rows, when no column could be mapped to the e-mail
}

// Read opens the source, reads the chosen sheet row by row, maps the columns from the
// first non-blank row and judges every row, then looks the addresses up in st. The
// error is a French *core.Error when the source cannot be read at all (format,
// password, truncated sheet…); rows that are wrong are in the plan. When no column
// holds e-mails, Read returns the error with a Preview that has no Plan but keeps the
// Mapping and the rows, so that Remap can go on once the column is set by hand.
func Read(ctx context.Context, st Store, req Request) (*Preview, error) {
	rd, err := open(ctx, st, req)
	if err != nil {
		return nil, err
	}
	defer rd.close()
	return rd.scan(ctx, nil)
}

// Writer is what Import needs from storage: a preview's lookups, and a commit fed
// with rows as they are judged.
type Writer interface {
	Store
	CommitImportRows(ctx context.Context, rows core.ImportRows, meta core.ImportMeta) (core.Batch, error)
}

// Import reads, judges and writes in one go, as the command line does: rows are
// written while the rest of the file is still being read, in one transaction that is
// rolled back if the file cannot be read to its end or ctx is cancelled. meta's File
// and Sheet are filled from the source when empty. The Preview returned holds the
// counts and only the rows with a problem or a warning; the Batch has no ID when no
// row was to be written.
func Import(ctx context.Context, st Writer, req Request, meta core.ImportMeta) (*Preview, core.Batch, error) {
	rd, err := open(ctx, st, req)
	if err != nil {
		return nil, core.Batch{}, err
	}
	defer rd.close()
	if meta.File == "" {
		meta.File = rd.pv.File
	}
	if meta.Sheet == "" {
		meta.Sheet = rd.pv.Sheet
	}
	cctx, cancel := context.WithCancel(ctx)
	defer cancel()
	src := &stream{ch: make(chan streamed, 4), done: make(chan struct{})}
	go func() {
		defer close(src.done)
		defer close(src.ch)
		src.pv, src.err = rd.scan(cctx, func(opts core.ImportOptions, rows []core.PlannedRow) error {
			select {
			case src.ch <- streamed{opts: opts, rows: rows}:
				return nil
			case <-cctx.Done():
				return cancelled(cctx.Err())
			}
		})
	}()
	b, err := st.CommitImportRows(cctx, src, meta)
	cancel()
	<-src.done
	// The reason the file could not be read, rather than the rollback it caused; but
	// when the commit failed first, the reading only stopped because of it.
	if src.err != nil && (err == nil || core.ErrorCode(src.err) != core.ECancelled || ctx.Err() != nil) {
		return src.pv, core.Batch{}, src.err
	}
	return src.pv, b, err
}

// stream is the core.ImportRows of Import: rows come from the reading goroutine.
type stream struct {
	ch   chan streamed
	done chan struct{}
	opts core.ImportOptions
	// set by the reading goroutine before done is closed
	pv  *Preview
	err error
}

type streamed struct {
	opts core.ImportOptions
	rows []core.PlannedRow
}

func (s *stream) Next(ctx context.Context) ([]core.PlannedRow, error) {
	select {
	case m, ok := <-s.ch:
		if ok {
			s.opts = m.opts
			return m.rows, nil
		}
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	<-s.done
	if s.err != nil {
		return nil, s.err
	}
	return nil, nil
}

func (s *stream) Plan() core.ImportPlan {
	select {
	case <-s.done:
		if s.pv != nil && s.pv.Plan != nil {
			return *s.pv.Plan
		}
	default:
	}
	return core.ImportPlan{Options: s.opts}
}

// reader is an opened source, ready to be scanned.
type reader struct {
	wb     *sheet.Workbook
	rows   *sheet.Rows
	pv     *Preview
	st     Store
	opts   core.ImportOptions
	report func(Progress)
}

func open(ctx context.Context, st Store, req Request) (*reader, error) {
	var wb *sheet.Workbook
	var err error
	report := func(p Progress) {
		if req.Progress != nil {
			req.Progress(p)
		}
	}
	opt := sheet.Options{Password: req.Password, Progress: func(p sheet.Progress) {
		report(Progress{Stage: StageRead, Fraction: p.Fraction(), Rows: p.Rows})
	}}
	if req.Path != "" {
		wb, err = sheet.Open(req.Path, opt)
	} else {
		wb, err = sheet.FromPaste(req.Paste)
	}
	if err != nil {
		return nil, err
	}
	rows, err := wb.Rows(ctx, req.Sheet)
	if err != nil {
		wb.Close()
		return nil, err
	}
	org, err := st.Organisation(ctx)
	if err != nil {
		rows.Close()
		wb.Close()
		return nil, err
	}
	pv := &Preview{File: wb.File, Format: wb.Format, Sheets: wb.SheetNames(), platform: org.Name}
	if wb.Format == sheet.FormatXLSX {
		pv.Sheet = rows.Sheet()
	}
	return &reader{wb: wb, rows: rows, pv: pv, st: st, opts: req.Options, report: report}, nil
}

func (rd *reader) close() {
	rd.rows.Close()
	rd.wb.Close()
}

// settleRows is how many rows Import judges at a time before handing them over.
const settleRows = 2048

// scan reads the rows and judges them. With sink, rows are judged settleRows at a time
// and handed to it as they are, and the preview keeps only those with a problem or a
// warning; without, the preview holds every row.
func (rd *reader) scan(ctx context.Context, sink func(core.ImportOptions, []core.PlannedRow) error) (*Preview, error) {
	pv, rows := rd.pv, rd.rows
	var planner *core.Planner
	var mapErr error
	var kept []core.PlannedRow
	var example core.ImportPlan // the counts the example row takes back, when streaming
	pass := func() error {
		settled, err := planner.Settle(ctx, rd.st)
		if err != nil {
			if ctx.Err() != nil {
				return cancelled(err)
			}
			return err
		}
		pv.Warnings = append(pv.Warnings, markExample(settled, &example)...)
		for _, r := range settled {
			if len(r.Problems) > 0 || len(r.Warnings) > 0 {
				kept = append(kept, r)
			}
		}
		if len(settled) == 0 {
			return nil
		}
		return sink(planner.Summary().Options, settled)
	}
	first, added := true, 0
	for rows.Next() {
		row := rows.Row()
		if first {
			first = false
			pv.Header, pv.headerLine = row.Cells, row.Num
			pv.Mapping = sheet.MatchHeader(row.Cells)
			var err error
			if planner, err = core.NewPlanner(pv.Mapping.CoreColumns(), rd.opts, pv.platform); err != nil {
				if core.ErrorCode(err) != core.EInvalid {
					return nil, err
				}
				mapErr = noEmailColumn(pv, err)
				if sink != nil {
					return pv, mapErr
				}
			}
			if pv.Mapping.HasHeader {
				continue
			}
		}
		if planner == nil {
			// kept for Remap: the manager may point at the e-mail column by hand
			pv.unplanned = append(pv.unplanned, sheet.Row{Num: row.Num, Cells: row.Cells})
			continue
		}
		planner.Add(row.Num, row.Cells)
		if added++; sink != nil && added%settleRows == 0 {
			if err := pass(); err != nil {
				return nil, err
			}
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	pv.Totals = rows.Totals()
	if mapErr != nil {
		return pv, mapErr
	}
	if first {
		return nil, core.Errorf(core.EInvalid, "import.no_rows", "Le fichier «\u00a0{{.File}}\u00a0» ne contient aucune ligne{{.Where}}. Vérifiez que vous avez choisi le bon fichier et la bonne feuille.",
			map[string]any{"File": pv.File, "Where": sheetWhere(pv)})
	}
	rd.report(Progress{Stage: StageLookup})
	if sink != nil {
		if err := pass(); err != nil {
			return nil, err
		}
		plan := planner.Summary()
		plan.New += example.New
		plan.Updated += example.Updated
		plan.Unchanged += example.Unchanged
		plan.Invalid += example.Invalid
		plan.Rows = kept
		pv.Plan = &plan
	} else {
		plan, err := planner.Finish(ctx, rd.st)
		if err != nil {
			if ctx.Err() != nil {
				return nil, cancelled(err)
			}
			return nil, err
		}
		pv.Plan = plan
		pv.Warnings = append(pv.Warnings, markExample(plan.Rows, plan)...)
	}
	finish(pv)
	rd.report(Progress{Stage: StageLookup, Fraction: 1, Rows: pv.Plan.Count()})
	if pv.Mapping.HasHeader && pv.Plan.Count() == 0 {
		pv.Warnings = append(pv.Warnings, core.RowProblem{Code: "import.header_only",
			Message: core.Render("Le fichier «\u00a0{{.File}}\u00a0» ne contient que la ligne de titres\u00a0: ajoutez une personne par ligne en dessous, puis recommencez.", map[string]any{"File": pv.File})})
	}
	return pv, nil
}

// Remap judges the rows again with columns set by hand (sheet.Mapping.Set), without
// reading the file again; HasHeader in mapping says whether the first row is titles.
func Remap(ctx context.Context, st Store, pv *Preview, mapping sheet.Mapping, opts core.ImportOptions, progress func(Progress)) (*Preview, error) {
	planner, err := core.NewPlanner(mapping.CoreColumns(), opts, pv.platform)
	if err != nil {
		return nil, err
	}
	out := *pv
	out.Mapping = mapping
	out.Warnings = nil
	if !mapping.HasHeader {
		planner.Add(pv.headerLine, pv.Header)
	}
	if pv.Plan != nil {
		for _, r := range pv.Plan.Rows {
			if r.Line != pv.headerLine {
				planner.Add(r.Line, r.Cells)
			}
		}
	}
	for _, r := range pv.unplanned {
		planner.Add(r.Num, r.Cells)
	}
	out.unplanned = nil
	if err := ctx.Err(); err != nil {
		return nil, cancelled(err)
	}
	report := func(p Progress) {
		if progress != nil {
			progress(p)
		}
	}
	report(Progress{Stage: StageLookup})
	plan, err := planner.Finish(ctx, st)
	if err != nil {
		if ctx.Err() != nil {
			return nil, cancelled(err)
		}
		return nil, err
	}
	out.Plan = plan
	out.Warnings = markExample(plan.Rows, plan)
	finish(&out)
	report(Progress{Stage: StageLookup, Fraction: 1, Rows: plan.Count()})
	return &out, nil
}

func cancelled(err error) error {
	return core.Errorf(core.ECancelled, "import.cancelled", "Import interrompu\u00a0: rien n'a été enregistré.", nil).Wrap(err)
}

// finish adds what the sheet itself says to a judged preview: blank rows, the last row
// read, merged cells and formulas without a result.
func finish(pv *Preview) {
	plan := pv.Plan
	plan.Blank = pv.Totals.Blank
	plan.LastLine = max(plan.LastLine, pv.Totals.LastRow)
	t := pv.Totals
	if len(t.Merged) > 0 {
		list := strings.Join(t.Merged[:min(5, len(t.Merged))], ", ")
		if len(t.Merged) > 5 {
			list += "…"
		}
		pv.Warnings = append(pv.Warnings, core.RowProblem{Code: "import.merged", Message: core.Render(
			"La feuille{{.Where}} contient des cellules fusionnées ({{.List}})\u00a0: seule la première cellule de chaque fusion garde sa valeur, les autres sont lues vides. Annulez la fusion et recopiez les valeurs si elles valent pour chaque ligne.",
			map[string]any{"Where": sheetWhere(pv), "List": list})})
	}
	if t.UncachedFormulas > 0 {
		msg := "{{.Count}} formules de la feuille{{.Where}} n'ont pas de résultat enregistré (la première en {{.Cell}})\u00a0: elles sont lues vides. Ouvrez le fichier dans Excel, enregistrez-le, puis recommencez."
		if t.UncachedFormulas == 1 {
			msg = "Une formule de la feuille{{.Where}} n'a pas de résultat enregistré (en {{.Cell}})\u00a0: elle est lue vide. Ouvrez le fichier dans Excel, enregistrez-le, puis recommencez."
		}
		pv.Warnings = append(pv.Warnings, core.RowProblem{Code: "import.formulas", Message: core.Render(msg,
			map[string]any{"Count": t.UncachedFormulas, "Where": sheetWhere(pv), "Cell": t.FirstUncachedFormula})})
	}
}

// markExample refuses the template's example row, left in by mistake: it would
// otherwise create an account for a person who does not exist. The change is counted
// in counts; the warnings to show are returned.
func markExample(rows []core.PlannedRow, counts *core.ImportPlan) []core.RowProblem {
	key := strings.ToLower(sheet.ExampleEmail)
	var warnings []core.RowProblem
	for i := range rows {
		r := &rows[i]
		if r.Address.Key != key || r.Status == core.RowInvalid || r.Status == core.RowDuplicate {
			continue
		}
		switch r.Status {
		case core.RowNew:
			counts.New--
		case core.RowUpdate:
			counts.Updated--
		case core.RowUnchanged:
			counts.Unchanged--
		}
		r.Status = core.RowInvalid
		counts.Invalid++
		pr := core.RowProblem{Line: r.Line, Code: "import.example_row", Message: core.Render(
			"Ligne {{.Line}}\u00a0: c'est la ligne d'exemple du modèle («\u00a0{{.Address}}\u00a0»)\u00a0; elle n'est pas importée. Supprimez-la du fichier.",
			map[string]any{"Line": r.Line, "Address": sheet.ExampleEmail})}
		r.Problems = append(r.Problems, pr)
		warnings = append(warnings, pr)
	}
	return warnings
}

func sheetWhere(pv *Preview) string {
	if pv.Sheet == "" {
		return ""
	}
	return core.Render(" «\u00a0{{.Sheet}}\u00a0»", map[string]any{"Sheet": pv.Sheet})
}

// noEmailColumn names the file and lists the columns found when none holds e-mails.
func noEmailColumn(pv *Preview, err error) error {
	if core.ErrorCode(err) != core.EInvalid {
		return err
	}
	var names []string
	for _, c := range pv.Mapping.Columns {
		if n := strings.TrimSpace(c.Header); n != "" {
			names = append(names, "«\u00a0"+n+"\u00a0»")
		}
	}
	found := "aucun titre"
	if len(names) > 0 {
		found = strings.Join(names, ", ")
	}
	return core.Errorf(core.EInvalid, "import.no_email_column",
		"Le fichier «\u00a0{{.File}}\u00a0»{{.Where}} n'a pas de colonne d'e-mails (première ligne\u00a0: {{.Found}}). Nommez la colonne des adresses «\u00a0E-mail\u00a0» en première ligne, ou associez-la à la main dans l'aperçu.",
		map[string]any{"File": pv.File, "Where": sheetWhere(pv), "Found": found}).Wrap(err)
}

// Commit writes the preview's new and updated rows as one batch through st. meta's
// File and Sheet are filled from the preview when empty. A cancelled ctx leaves the
// database as it was.
func Commit(ctx context.Context, st core.ImportStore, pv *Preview, meta core.ImportMeta, progress func(Progress)) (core.Batch, error) {
	if meta.File == "" {
		meta.File = pv.File
	}
	if meta.Sheet == "" {
		meta.Sheet = pv.Sheet
	}
	if progress != nil && meta.Progress == nil {
		meta.Progress = func(done, total int) {
			f := 1.0
			if total > 0 {
				f = float64(done) / float64(total)
			}
			progress(Progress{Stage: StageCommit, Fraction: f, Rows: done})
		}
	}
	return st.CommitImport(ctx, pv.Plan, meta)
}
