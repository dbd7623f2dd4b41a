// Package sheet is Convive's spreadsheet adapter: it reads .xlsx workbooks (opened
// through excelize), .csv files and cells pasted from a spreadsheet, and streams their
// rows as text converted by its own rules (dates as DD/MM/YYYY, long digit runs kept
// exact). It also recognises header rows in French and English and writes the import
// template. It knows nothing of users or of the database: the import service reads rows
// from here and judges them.
package sheet

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// MaxRows is the number of rows of an Excel sheet; longer sheets are refused.
const MaxRows = 1048576

// DefaultMaxUnzipSize is how many bytes a workbook may inflate to, all parts together,
// unless Options says otherwise: room for a full 1 048 576-row sheet, not for a zip bomb.
const DefaultMaxUnzipSize int64 = 1 << 30

// maxTextSize is the largest .csv file read (it is decoded in memory).
const maxTextSize int64 = 1 << 30

// Format is the kind of source a Workbook was read from, found from its content.
type Format string

// Formats.
const (
	FormatXLSX  Format = "xlsx"
	FormatCSV   Format = "csv"
	FormatPaste Format = "paste"
)

// Options tune Open.
type Options struct {
	// Password opens an encrypted workbook; leave empty until NeedsPassword(err).
	Password string
	// MaxUnzipSize caps what a workbook may inflate to; 0 means DefaultMaxUnzipSize.
	MaxUnzipSize int64
	// Progress, when set, is called from the reading goroutine every few thousand
	// rows and once at the end.
	Progress func(Progress)
}

// Progress tells how far the reading of a sheet is. Done and Total count bytes of the
// sheet's text (inflated XML for a workbook, decoded text for CSV); Rows counts the
// rows read so far.
type Progress struct {
	Done, Total int64
	Rows        int
}

// Fraction returns Done/Total between 0 and 1.
func (p Progress) Fraction() float64 {
	if p.Total <= 0 {
		return 0
	}
	return min(1, float64(p.Done)/float64(p.Total))
}

// Sheet describes one sheet of a workbook.
type Sheet struct {
	Name   string
	Hidden bool
	// Empty is known for the sheets before the default one (they were looked into to
	// find it) and for the default one itself; the others are not read before asked for.
	Empty bool
}

// Workbook is an opened source of rows: an .xlsx workbook, a CSV file or pasted cells.
type Workbook struct {
	File      string // base name of the file, as shown in messages
	Format    Format
	Sheets    []Sheet
	Default   int    // index in Sheets of the first non-empty visible sheet
	Encoding  string // CSV and paste: "UTF-8", "UTF-8 avec BOM", "UTF-16", "Windows-1252"
	Delimiter rune   // CSV and paste: ';', ',' or '\t'; 0 for a single column

	opt  Options
	xlsx *xlsxBook
	text string // CSV and paste: the whole content, decoded
}

// Open reads the file at path, whatever its extension says: the content decides
// between .xlsx and CSV, and other formats get a French error telling what to do.
// Every error is a *core.Error. A workbook keeps its file open until Close.
func Open(path string, opt Options) (*Workbook, error) {
	name := filepath.Base(path)
	f, err := os.Open(path)
	if err != nil {
		return nil, errOS(name, err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, errOS(name, err)
	}
	if st.IsDir() {
		return nil, errUnknownFormat(name)
	}
	head := make([]byte, 512)
	n, err := io.ReadFull(f, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return nil, errOS(name, err)
	}
	head = head[:n]
	w := &Workbook{File: name, opt: opt}
	if w.opt.MaxUnzipSize <= 0 {
		w.opt.MaxUnzipSize = DefaultMaxUnzipSize
	}
	switch sniff(head) {
	case kindEmpty:
		return nil, errEmpty(name)
	case kindZip:
		err = w.openZip(f, st.Size())
	case kindOLE:
		err = w.openOLE(f, st.Size())
	case kindHTML:
		return nil, errHTML(name)
	case kindBinary:
		return nil, errUnknownFormat(name)
	default:
		if st.Size() > maxTextSize {
			return nil, errFileTooBig(name, maxTextSize)
		}
		// read at once into a buffer of the file's size, rather than through a
		// buffer that doubles, copying and clearing twice the file on the way
		data := make([]byte, st.Size())
		if _, rerr := io.ReadFull(io.NewSectionReader(f, 0, st.Size()), data); rerr != nil {
			return nil, errOS(name, rerr)
		}
		err = w.openText(data, false)
	}
	if err != nil {
		return nil, err
	}
	return w, nil
}

// FromPaste reads cells copied from a spreadsheet (tab-separated lines, multi-line cells
// quoted, \r\n or \n line ends) through the same path as a CSV file.
func FromPaste(text string) (*Workbook, error) {
	w := &Workbook{File: "cellules collées", opt: Options{MaxUnzipSize: DefaultMaxUnzipSize}}
	if err := w.openText([]byte(text), true); err != nil {
		return nil, err
	}
	return w, nil
}

// Close releases what the workbook holds open; an iterator still reading stops with
// an error. Rows already handed out stay valid.
func (w *Workbook) Close() error {
	if w.xlsx != nil {
		return w.xlsx.close()
	}
	return nil
}

// SheetNames returns the names of the sheets, in workbook order.
func (w *Workbook) SheetNames() []string {
	names := make([]string, len(w.Sheets))
	for i, s := range w.Sheets {
		names[i] = s.Name
	}
	return names
}

// sheetIndex finds a sheet by name ("" means the default one), exactly first, then
// ignoring case.
func (w *Workbook) sheetIndex(name string) (int, error) {
	if name == "" {
		return w.Default, nil
	}
	for i, s := range w.Sheets {
		if s.Name == name {
			return i, nil
		}
	}
	for i, s := range w.Sheets {
		if strings.EqualFold(s.Name, name) {
			return i, nil
		}
	}
	return 0, errNoSheet(w.File, name, w.SheetNames())
}

// Rows starts reading the named sheet ("" for the default one). The iterator checks
// ctx every few thousand rows; once ctx is done it stops with an ECancelled error.
// Read the rows before closing the workbook.
func (w *Workbook) Rows(ctx context.Context, sheet string) (*Rows, error) {
	i, err := w.sheetIndex(sheet)
	if err != nil {
		return nil, err
	}
	r := &Rows{ctx: ctx, progress: w.opt.Progress, file: w.File, sheet: w.Sheets[i].Name}
	if w.xlsx != nil {
		src, err := w.xlsx.rows(i)
		if err != nil {
			return nil, err
		}
		r.src = src
		r.totals.Declared = src.declared
	} else {
		r.src = newTextRows(w.text, w.Delimiter)
	}
	return r, nil
}

// Row is one row of a sheet: its 1-based number as the spreadsheet shows it, and its
// cells as text, trailing empty cells left out. Cells belongs to the caller.
type Row struct {
	Num   int
	Cells []string
}

// Cell returns the i-th cell (0-based), or "" past the end of the row.
func (r Row) Cell(i int) string {
	if i >= 0 && i < len(r.Cells) {
		return r.Cells[i]
	}
	return ""
}

// Totals sums up a sheet read so far (all of it once Next returned false).
type Totals struct {
	Rows     int // non-blank rows handed out
	Blank    int // blank rows skipped before the last non-blank one
	LastRow  int // number of the last non-blank row read
	Declared int // last row of the stored dimension (xlsx), 0 when the sheet gives none
	// Merged lists the merged ranges ("A2:A5"): their value sits in the top-left cell
	// only, the other cells read as empty. Known once the sheet is read to its end.
	Merged []string
	// Formulas without a stored result read as empty; the first one is named.
	UncachedFormulas     int
	FirstUncachedFormula string // cell reference, e.g. "C7"
}

// rowSource is what a format provides to Rows.
type rowSource interface {
	// next returns the next row element (which may be blank), io.EOF at the end.
	next() (num int, cells []string, err error)
	// finish runs after io.EOF: last checks and what only the end of the sheet tells.
	finish(t *Totals, lastSeen int) error
	position() (done, total int64)
	close() error
}

// Rows streams the non-blank rows of one sheet. It is meant for one goroutine: the
// one doing the import, which reports progress and honours cancel through ctx.
type Rows struct {
	ctx         context.Context
	src         rowSource
	progress    func(Progress)
	file, sheet string
	row         Row
	totals      Totals
	err         error
	done        bool
	seen        int // row elements read, blank ones included
	lastSeen    int // number of the last row element read, blank or not
}

// Next advances to the next non-blank row and reports whether there is one. Blank rows
// are counted in Totals, not handed out.
func (r *Rows) Next() bool {
	if r.done {
		return false
	}
	for {
		num, cells, err := r.src.next()
		if err == io.EOF {
			r.err = r.src.finish(&r.totals, r.lastSeen)
			r.stop()
			return false
		}
		if err != nil {
			r.err = err
			r.stop()
			return false
		}
		if num > MaxRows {
			r.err = errTooManyRows(r.file, r.sheet)
			r.stop()
			return false
		}
		r.seen++
		r.lastSeen = num
		if r.seen%4096 == 0 {
			if err := r.ctx.Err(); err != nil {
				r.err = errCancelled(err)
				r.stop()
				return false
			}
			r.report()
		}
		if isBlank(cells) {
			continue
		}
		if gap := num - r.totals.LastRow - 1; gap > 0 {
			r.totals.Blank += gap // rows missing from the file are blank too
		}
		r.totals.LastRow = max(r.totals.LastRow, num)
		r.totals.Rows++
		r.row = Row{Num: num, Cells: cells}
		return true
	}
}

func (r *Rows) stop() {
	r.done = true
	r.row = Row{}
	r.report()
	r.src.close()
}

func (r *Rows) report() {
	if r.progress != nil {
		d, t := r.src.position()
		if r.err == nil && r.done {
			d = t
		}
		r.progress(Progress{Done: d, Total: t, Rows: r.totals.Rows})
	}
}

// Row returns the current row.
func (r *Rows) Row() Row { return r.row }

// Err returns the error that stopped the reading, nil at a clean end.
func (r *Rows) Err() error { return r.err }

// Totals returns the counts so far.
func (r *Rows) Totals() Totals { return r.totals }

// Sheet returns the name of the sheet being read.
func (r *Rows) Sheet() string { return r.sheet }

// Close stops the reading early; it is safe to call after the end.
func (r *Rows) Close() error {
	if !r.done {
		r.done = true
		return r.src.close()
	}
	return nil
}

// isBlank reports whether a row has nothing but white space.
func isBlank(cells []string) bool {
	for _, c := range cells {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// trimRow drops trailing empty cells.
func trimRow(cells []string) []string {
	n := len(cells)
	for n > 0 && cells[n-1] == "" {
		n--
	}
	return cells[:n]
}

type kind int

const (
	kindText kind = iota
	kindEmpty
	kindZip
	kindOLE
	kindHTML
	kindBinary
)

var (
	zipMagic      = []byte("PK\x03\x04")
	zipEmptyMagic = []byte("PK\x05\x06")
	oleMagic      = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}
)

// sniff tells the format from the first bytes of a file.
func sniff(head []byte) kind {
	switch {
	case len(bytes.TrimSpace(bytes.TrimPrefix(head, utf8BOM))) == 0 && len(head) < 512:
		return kindEmpty
	case bytes.HasPrefix(head, zipMagic), bytes.HasPrefix(head, zipEmptyMagic):
		return kindZip
	case bytes.HasPrefix(head, oleMagic):
		return kindOLE
	case bytes.HasPrefix(head, utf16LEBOM), bytes.HasPrefix(head, utf16BEBOM):
		return kindText
	}
	if bytes.IndexByte(head, 0) >= 0 {
		return kindBinary
	}
	lower := bytes.ToLower(bytes.TrimSpace(bytes.TrimPrefix(head, utf8BOM)))
	for _, p := range [][]byte{[]byte("<!doctype html"), []byte("<html"), []byte("<table")} {
		if bytes.HasPrefix(lower, p) {
			return kindHTML
		}
	}
	if bytes.HasPrefix(lower, []byte("<?xml")) {
		// an "XML Spreadsheet 2003" or some other XML: not a table Convive reads
		return kindBinary
	}
	return kindText
}
