package gui

import (
	"context"
	"errors"
	"time"

	"convive/assets"
	"convive/core"
	"convive/core/importer"
	"convive/core/sheet"
)

// ImportService is what the Importer screen needs: the store's import methods (look-up
// of existing accounts, the one-transaction commit, undo and the list of batches), what
// the invitation mails are made from (edited templates, organisation, sender name; the
// organisation's name also makes the "#" alias suggestions), and the groups offered as
// default groups. *sqlite.Store satisfies it.
type ImportService interface {
	core.ImportStore
	core.MailSource
	Groups(ctx context.Context) ([]core.Group, error)
}

// step is one stage of long work, as the progress line names it.
type step int

const (
	stepRead step = iota
	stepCheck
	stepSave
)

// progressFunc reports how far a step is: rows done out of total (0 when unknown) and
// the fraction of the step. It is called from the worker goroutine.
type progressFunc func(st step, done, total int, fraction float64)

// throttle limits progress reports to one every 80 ms, plus the last one.
func throttle(report progressFunc) progressFunc {
	var last time.Time
	return func(st step, done, total int, fraction float64) {
		if now := time.Now(); now.Sub(last) >= 80*time.Millisecond || fraction >= 1 {
			last = now
			report(st, done, total, fraction)
		}
	}
}

// serviceProgress turns the import service's progress into the screen's; total is the
// number of rows a commit writes.
func serviceProgress(report progressFunc, total int) func(importer.Progress) {
	return func(p importer.Progress) {
		switch p.Stage {
		case importer.StageLookup:
			report(stepCheck, p.Rows, 0, p.Fraction)
		case importer.StageCommit:
			report(stepSave, p.Rows, total, p.Fraction)
		default:
			report(stepRead, p.Rows, 0, p.Fraction)
		}
	}
}

// cancelled reports whether err says the person stopped the work.
func cancelled(err error) bool {
	var e *core.Error
	return errors.Is(err, context.Canceled) || errors.As(err, &e) && (e.Code == core.ECancelled || e.Key == sheet.KeyCancelled)
}

// importMail returns the renderer of the invitation and welcome mails of an import:
// the templates the manager edited (else the defaults), signed as every other mail.
func importMail(ctx context.Context, st ImportService) (core.ImportMail, error) {
	m, err := core.NewMailer(ctx, st, assets.DefaultMailTemplate)
	if err != nil {
		return nil, err
	}
	return m.ImportMail(), nil
}

// sheetWidth is how many columns the preview shows for pv: the header's, or the
// widest row's.
func sheetWidth(pv *importer.Preview) int {
	n := max(len(pv.Header), len(pv.Mapping.Columns))
	if pv.Plan != nil {
		for _, r := range pv.Plan.Rows {
			n = max(n, len(r.Cells))
		}
	}
	return n
}

// dataRows is how many rows of the sheet hold people rather than titles.
func dataRows(pv *importer.Preview) int {
	n := pv.Totals.Rows
	if pv.Mapping.HasHeader && n > 0 {
		n--
	}
	return n
}
