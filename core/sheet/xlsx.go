package sheet

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"os"
	"path"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"
)

// unzipXMLSizeLimit is what excelize keeps in memory per part; larger worksheets
// go through a temporary file while it checks the package.
const unzipXMLSizeLimit int64 = 16 << 20

// xlsxBook is an opened .xlsx package. Excelize opens it first, with its unzip limits
// set: that validates the package, decrypts it and gives the styles and the date
// system. Rows are then streamed by our own reader straight from the zip, because
// excelize's Rows iterator hands out values without their type or style, and a date
// or a boolean cannot be told from a number without them.
type xlsxBook struct {
	file     string
	closer   io.Closer
	parts    map[string]*zip.File // lower-case part name → entry
	limit    int64
	date1904 bool
	styles   []numKind // by cell style index
	sheets   []xlsxSheet
	sst      []string
	sstPath  string
	sstErr   error
	sstDone  bool
}

type xlsxSheet struct {
	name, part    string
	chart, hidden bool
}

func (w *Workbook) openZip(f *os.File, size int64) error {
	rc, err := os.Open(f.Name()) // kept open for streaming; f belongs to Open
	if err != nil {
		return errOS(w.File, err)
	}
	zr, err := zip.NewReader(rc, size)
	if err != nil {
		rc.Close()
		return errCorrupt(w.File, err)
	}
	b, err := newXLSXBook(w.File, zr, w.opt.MaxUnzipSize, func(o excelize.Options) (*excelize.File, error) {
		return excelize.OpenFile(f.Name(), o)
	})
	if err != nil {
		rc.Close()
		return err
	}
	b.closer = rc
	return w.useBook(b)
}

// oleEncryptedPackage is the name of the stream that holds an encrypted OOXML package
// inside its OLE2 container, as it is stored there (UTF-16LE).
var (
	oleEncryptedPackage = utf16le("EncryptedPackage")
	oleWorkbook         = utf16le("Workbook")
	oleBook             = utf16le("Book")
)

func utf16le(s string) []byte {
	b := make([]byte, 0, 2*len(s))
	for i := 0; i < len(s); i++ {
		b = append(b, s[i], 0)
	}
	return b
}

// openOLE handles OLE2 containers: a legacy .xls, or an .xlsx encrypted with a password.
func (w *Workbook) openOLE(f *os.File, size int64) error {
	if size > w.opt.MaxUnzipSize {
		return errFileTooBig(w.File, w.opt.MaxUnzipSize)
	}
	data, err := io.ReadAll(io.NewSectionReader(f, 0, size))
	if err != nil {
		return errOS(w.File, err)
	}
	if !bytes.Contains(data, oleEncryptedPackage) {
		if bytes.Contains(data, oleWorkbook) || bytes.Contains(data, oleBook) {
			return errXLS(w.File)
		}
		return errUnknownFormat(w.File)
	}
	if w.opt.Password == "" {
		return errPassword(w.File)
	}
	plain, err := excelize.Decrypt(data, &excelize.Options{Password: w.opt.Password})
	if err != nil {
		if errors.Is(err, excelize.ErrUnsupportedEncryptMechanism) || errors.Is(err, excelize.ErrUnknownEncryptMechanism) ||
			errors.Is(err, excelize.ErrUnsupportedHashAlgorithm) {
			return errEncryption(w.File, err)
		}
		// a wrong password decrypts without an error, to noise: an error here
		// means the container itself is damaged
		return errCorrupt(w.File, err)
	}
	zr, err := zip.NewReader(bytes.NewReader(plain), int64(len(plain)))
	if err != nil {
		// a wrong key decrypts to noise, which is no zip
		return errWrongPassword(w.File)
	}
	b, err := newXLSXBook(w.File, zr, w.opt.MaxUnzipSize, func(o excelize.Options) (*excelize.File, error) {
		return excelize.OpenReader(bytes.NewReader(plain), o)
	})
	if err != nil {
		return err
	}
	return w.useBook(b)
}

func (w *Workbook) useBook(b *xlsxBook) error {
	w.Format = FormatXLSX
	w.xlsx = b
	w.Sheets = make([]Sheet, len(b.sheets))
	for i, s := range b.sheets {
		w.Sheets[i] = Sheet{Name: s.name, Hidden: s.hidden}
	}
	// default: the first visible sheet holding a value, else the first visible one
	w.Default = -1
	for i := range w.Sheets {
		if w.Sheets[i].Hidden {
			continue
		}
		if w.Default < 0 {
			w.Default = i
		}
		if b.probeEmpty(i) {
			w.Sheets[i].Empty = true
			continue
		}
		w.Default = i
		return nil
	}
	if w.Default < 0 {
		w.Default = 0
	}
	return nil
}

func (b *xlsxBook) close() error {
	if b.closer != nil {
		err := b.closer.Close()
		b.closer = nil
		return err
	}
	return nil
}

// newXLSXBook checks a zip package and reads what a workbook needs before its rows.
func newXLSXBook(file string, zr *zip.Reader, limit int64, open func(excelize.Options) (*excelize.File, error)) (*xlsxBook, error) {
	b := &xlsxBook{file: file, limit: limit, parts: make(map[string]*zip.File, len(zr.File))}
	var total uint64
	for _, f := range zr.File {
		b.parts[strings.ToLower(strings.TrimPrefix(strings.ReplaceAll(f.Name, "\\", "/"), "/"))] = f
		total += f.UncompressedSize64
	}
	if mt, ok := b.parts["mimetype"]; ok && mt.UncompressedSize64 < 200 {
		if data, err := b.readPart("mimetype"); err == nil && strings.Contains(string(data), "opendocument") {
			return nil, errODS(file)
		}
	}
	if _, ok := b.parts["content.xml"]; ok {
		return nil, errODS(file)
	}
	if _, ok := b.parts["xl/workbook.bin"]; ok {
		return nil, errXLSB(file)
	}
	if total > uint64(limit) {
		return nil, errTooBig(file, limit)
	}
	wbPart := b.officeDocument()
	if _, ok := b.parts[strings.ToLower(wbPart)]; !ok {
		return nil, errNotSpreadsheet(file)
	}
	// excelize validates the package within the same limits and reads the styles
	xmlLimit := min(unzipXMLSizeLimit, limit)
	xf, err := open(excelize.Options{UnzipSizeLimit: limit, UnzipXMLSizeLimit: xmlLimit, RawCellValue: true})
	if err != nil {
		if xf != nil {
			xf.Close()
		}
		if strings.Contains(err.Error(), "unzip size") {
			return nil, errTooBig(file, limit)
		}
		return nil, errCorrupt(file, err)
	}
	defer xf.Close()
	if props, err := xf.GetWorkbookProps(); err == nil && props.Date1904 != nil {
		b.date1904 = *props.Date1904
	}
	b.styles = styleKinds(xf)
	if err := b.readWorkbook(wbPart); err != nil {
		return nil, err
	}
	if len(b.sheets) == 0 {
		return nil, errNoSheets(file)
	}
	return b, nil
}

// readPart reads a small part whole, within the unzip limit.
func (b *xlsxBook) readPart(name string) ([]byte, error) {
	f, ok := b.parts[strings.ToLower(name)]
	if !ok {
		return nil, os.ErrNotExist
	}
	rc, err := f.Open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	lr := &limitReader{r: rc, left: b.limit}
	data, err := io.ReadAll(lr)
	if lr.exceeded {
		return nil, errTooBig(b.file, b.limit)
	}
	return data, err
}

type xmlRels struct {
	Rel []struct {
		ID     string `xml:"Id,attr"`
		Type   string `xml:"Type,attr"`
		Target string `xml:"Target,attr"`
	} `xml:"Relationship"`
}

// officeDocument returns the workbook part named by the package relationships.
func (b *xlsxBook) officeDocument() string {
	var rels xmlRels
	if data, err := b.readPart("_rels/.rels"); err == nil && xml.Unmarshal(data, &rels) == nil {
		for _, r := range rels.Rel {
			if strings.HasSuffix(r.Type, "/officeDocument") {
				return strings.TrimPrefix(r.Target, "/")
			}
		}
	}
	return "xl/workbook.xml"
}

type xmlWorkbook struct {
	Sheets []struct {
		Name  string `xml:"name,attr"`
		State string `xml:"state,attr"`
		RID   string `xml:"http://schemas.openxmlformats.org/officeDocument/2006/relationships id,attr"`
		RIDs  string `xml:"http://purl.oclc.org/ooxml/officeDocument/relationships id,attr"`
	} `xml:"sheets>sheet"`
}

// readWorkbook lists the sheets and finds their parts and the shared strings part.
func (b *xlsxBook) readWorkbook(wbPart string) error {
	data, err := b.readPart(wbPart)
	if err != nil {
		return errCorrupt(b.file, err)
	}
	var wb xmlWorkbook
	if err := xml.Unmarshal(data, &wb); err != nil {
		return errCorrupt(b.file, err)
	}
	dir := path.Dir(wbPart)
	relsPart := path.Join(dir, "_rels", path.Base(wbPart)+".rels")
	targets := map[string]string{}
	kinds := map[string]string{}
	if data, err := b.readPart(relsPart); err == nil {
		var rels xmlRels
		if err := xml.Unmarshal(data, &rels); err != nil {
			return errCorrupt(b.file, err)
		}
		for _, r := range rels.Rel {
			t := r.Target
			if strings.HasPrefix(t, "/") {
				t = strings.TrimPrefix(t, "/")
			} else {
				t = path.Join(dir, t)
			}
			targets[r.ID], kinds[r.ID] = t, r.Type[strings.LastIndexByte(r.Type, '/')+1:]
			if kinds[r.ID] == "sharedStrings" {
				b.sstPath = t
			}
		}
	}
	if b.sstPath == "" {
		b.sstPath = path.Join(dir, "sharedStrings.xml")
	}
	for i, s := range wb.Sheets {
		id := s.RID
		if id == "" {
			id = s.RIDs
		}
		part, ok := targets[id]
		if !ok {
			part = path.Join(dir, "worksheets", "sheet"+strconv.Itoa(i+1)+".xml")
		}
		b.sheets = append(b.sheets, xlsxSheet{name: s.Name, part: part, chart: kinds[id] == "chartsheet",
			hidden: s.State == "hidden" || s.State == "veryHidden"})
	}
	return nil
}

// probeEmpty reports whether a sheet has no cell holding a value.
func (b *xlsxBook) probeEmpty(i int) bool {
	if b.sheets[i].chart {
		return true
	}
	src, err := b.rows(i)
	if err != nil {
		return false // let the reading say what is wrong
	}
	defer src.close()
	for {
		_, cells, err := src.next()
		if err == io.EOF {
			return true
		}
		if err != nil {
			return false
		}
		if !isBlank(cells) {
			return false
		}
	}
}

// sharedStrings loads the shared strings table once.
func (b *xlsxBook) sharedStrings() ([]string, error) {
	if b.sstDone {
		return b.sst, b.sstErr
	}
	b.sstDone = true
	f, ok := b.parts[strings.ToLower(b.sstPath)]
	if !ok {
		return nil, nil
	}
	rc, err := f.Open()
	if err != nil {
		b.sstErr = errCorrupt(b.file, err)
		return nil, b.sstErr
	}
	defer rc.Close()
	lr := &limitReader{r: rc, left: b.limit}
	sc := newXMLScanner(lr)
	var (
		sst           []string
		text          []byte
		inT, inSI     bool
		phoneticDepth int
	)
	for {
		tok, err := sc.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			if lr.exceeded {
				b.sstErr = errTooBig(b.file, b.limit)
			} else {
				b.sstErr = errCorrupt(b.file, err)
			}
			return nil, b.sstErr
		}
		switch tok {
		case tokStart:
			switch {
			case sc.is("si"):
				inSI, text = true, text[:0]
			case sc.is("t"):
				inT = inSI && phoneticDepth == 0
			case sc.is("rPh"):
				phoneticDepth++
			}
		case tokEnd:
			switch {
			case sc.is("si"):
				sst = append(sst, cleanText(text))
				inSI = false
			case sc.is("t"):
				inT = false
			case sc.is("rPh"):
				phoneticDepth--
			}
		case tokText:
			if inT {
				text = sc.appendText(text)
			}
		}
	}
	b.sst = sst
	return sst, nil
}

// unescapeOOXML decodes the _xHHHH_ escapes Office uses for control characters
// (a carriage return in a cell is stored as _x000D_).
func unescapeOOXML(s string) string {
	if !strings.Contains(s, "_x") {
		return s
	}
	var out strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '_' && i+6 < len(s) && s[i+1] == 'x' && s[i+6] == '_' {
			if v, err := strconv.ParseUint(s[i+2:i+6], 16, 16); err == nil {
				out.WriteRune(rune(v))
				i += 6
				continue
			}
		}
		out.WriteByte(s[i])
	}
	return out.String()
}

// limitReader fails once more than left bytes were read: the guard against a part
// that inflates far beyond what it declares.
type limitReader struct {
	r        io.Reader
	left     int64
	n        int64
	exceeded bool
}

var errLimit = errors.New("unzip limit exceeded")

func (l *limitReader) Read(p []byte) (int, error) {
	if l.left <= 0 {
		l.exceeded = true
		return 0, errLimit
	}
	if int64(len(p)) > l.left {
		p = p[:l.left]
	}
	n, err := l.r.Read(p)
	l.left -= int64(n)
	l.n += int64(n)
	return n, err
}

// rows opens the streaming reader of sheet i.
func (b *xlsxBook) rows(i int) (*xlsxRows, error) {
	s := b.sheets[i]
	r := &xlsxRows{book: b, sheet: s.name}
	if s.chart {
		r.ended = true
		return r, nil
	}
	f, ok := b.parts[strings.ToLower(s.part)]
	if !ok {
		return nil, errCorrupt(b.file, errors.New("missing part "+s.part))
	}
	sst, err := b.sharedStrings()
	if err != nil {
		return nil, err
	}
	rc, err := f.Open()
	if err != nil {
		return nil, errCorrupt(b.file, err)
	}
	r.sst = sst
	r.rc = rc
	r.total = int64(f.UncompressedSize64)
	r.lr = &limitReader{r: rc, left: b.limit}
	r.sc = newXMLScanner(r.lr)
	if err := r.prelude(); err != nil {
		rc.Close()
		return nil, err
	}
	if r.declared > MaxRows {
		rc.Close()
		return nil, errTooManyRows(b.file, s.name)
	}
	return r, nil
}

// xlsxRows streams the rows of one worksheet part.
type xlsxRows struct {
	book     *xlsxBook
	sheet    string
	sst      []string
	rc       io.ReadCloser
	lr       *limitReader
	sc       *xmlScanner
	total    int64
	declared int
	inData   bool // inside <sheetData>
	ended    bool // </sheetData> or the end of the part reached
	cur      int  // number of the last row element
	merged   []string
	uncached int
	firstUnc string
	text     []byte
	// seen holds the short texts already read, so that the same group, language or
	// role written on thousands of rows is one string in memory, not thousands
	seen map[string]string
}

// Interning bounds: texts up to internLen bytes, up to internMax distinct ones.
const (
	internLen = 48
	internMax = 1 << 16
)

// cellText returns the text of a cell, through seen for a short string cell, whose text
// depends on its bytes alone.
func (r *xlsxRows) cellText(typ cellType, style int, inline bool) string {
	str := typ == typeInline || typ == typeString || typ == typeError
	if !str || len(r.text) > internLen {
		return r.book.cellText(typ, style, r.text, inline, r.sst)
	}
	if v, ok := r.seen[string(r.text)]; ok {
		return v
	}
	v := r.book.cellText(typ, style, r.text, inline, r.sst)
	if r.seen == nil {
		r.seen = map[string]string{}
	}
	if len(r.seen) < internMax {
		r.seen[string(r.text)] = v
	}
	return v
}

// prelude reads up to <sheetData>, keeping the stored dimension.
func (r *xlsxRows) prelude() error {
	for {
		tok, err := r.sc.next()
		if err == io.EOF {
			r.ended = true
			return nil
		}
		if err != nil {
			return r.xmlError(err)
		}
		if tok == tokStart {
			switch {
			case r.sc.is("dimension"):
				r.declared = lastRowOfRef(r.sc.attr("ref"))
			case r.sc.is("sheetData"):
				r.inData = !r.sc.pending
				r.ended = r.sc.pending // <sheetData/>: no rows at all
				return nil
			}
		}
	}
}

func (r *xlsxRows) xmlError(err error) error {
	if r.lr.exceeded {
		return errTooBig(r.book.file, r.book.limit)
	}
	if errors.Is(err, zip.ErrFormat) || errors.Is(err, zip.ErrChecksum) {
		// the part inflates to more than its header says, or to something else
		return errCorrupt(r.book.file, err)
	}
	return errCutXML(r.book.file, r.sheet, r.cur, err)
}

// lastRowOfRef returns the row of the bottom-right cell of a range such as "A1:H100".
// A single cell ("A1") is what Excel stores for an empty sheet: it declares nothing.
func lastRowOfRef(ref string) int {
	i := strings.LastIndexByte(ref, ':')
	if i < 0 {
		return 0
	}
	_, row := splitCellRef(ref[i+1:])
	return row
}

// splitCellRef returns the 1-based column and row of "AB12" (0 for a missing part).
func splitCellRef[T string | []byte](ref T) (col, row int) {
	i := 0
	for ; i < len(ref); i++ {
		c := ref[i] | 0x20
		if c < 'a' || c > 'z' {
			break
		}
		col = col*26 + int(c-'a'+1)
		if col > 1<<20 {
			return 0, 0
		}
	}
	for ; i < len(ref); i++ {
		c := ref[i]
		if c == '$' {
			continue
		}
		if c < '0' || c > '9' {
			return col, 0
		}
		row = row*10 + int(c-'0')
		if row > 1<<30 {
			return col, 1 << 30
		}
	}
	return col, row
}

// columnName returns the letters of a 1-based column number.
func columnName(col int) string {
	var b []byte
	for col > 0 {
		col--
		b = append([]byte{byte('A' + col%26)}, b...)
		col /= 26
	}
	return string(b)
}

const maxColumns = 16384

func (r *xlsxRows) next() (int, []string, error) {
	if r.ended {
		return 0, nil, io.EOF
	}
	sc := r.sc
	for {
		tok, err := sc.next()
		if err != nil {
			if err == io.EOF {
				// the part ended inside <sheetData>: it was cut
				err = io.ErrUnexpectedEOF
			}
			r.ended = true
			return 0, nil, r.xmlError(err)
		}
		switch {
		case tok == tokStart && sc.is("row"):
			num := r.cur + 1
			if v := sc.attr("r"); v != "" {
				if n, err := strconv.Atoi(v); err == nil && n > 0 {
					num = n
				}
			}
			r.cur = num
			if num > MaxRows {
				r.ended = true
				return num, nil, nil
			}
			if sc.pending { // <row/>
				sc.pending = false
				return num, nil, nil
			}
			cells, err := r.readRow(num)
			if err != nil {
				r.ended = true
				return 0, nil, err
			}
			return num, cells, nil
		case tok == tokEnd && sc.is("sheetData"):
			r.inData = false
			r.ended = true
			r.readTail()
			return 0, nil, io.EOF
		}
	}
}

// readRow reads the cells of the current <row> up to its end.
func (r *xlsxRows) readRow(num int) ([]string, error) {
	sc := r.sc
	var cells []string
	col := 0
	var (
		typ             cellType
		style           int
		inV, inIS, hasV bool
		hasF, inT       bool
		phonetic        int
	)
	for {
		tok, err := sc.next()
		if err != nil {
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return nil, r.xmlError(err)
		}
		switch tok {
		case tokStart:
			switch {
			case sc.is("c"):
				typ, style = cellTypeOf(sc.attrBytes("t")), styleIndex(sc.attrBytes("s"))
				if c, _ := splitCellRef(sc.attrBytes("r")); c > 0 {
					col = c
				} else {
					col++
				}
				hasV, hasF, inIS = false, false, false
				r.text = r.text[:0]
				if sc.pending { // <c r="A1" s="3"/>: styled but empty
					sc.pending = false
				}
			case sc.is("v"):
				inV, hasV = true, true
			case sc.is("f"):
				hasF = true
			case sc.is("is"):
				inIS = true
			case sc.is("t"):
				inT = inIS && phonetic == 0
			case sc.is("rPh"):
				phonetic++
			}
		case tokEnd:
			switch {
			case sc.is("v"):
				inV = false
			case sc.is("t"):
				inT = false
			case sc.is("rPh"):
				phonetic--
			case sc.is("c"):
				if col < 1 || col > maxColumns {
					continue
				}
				if hasF && !hasV {
					r.uncached++
					if r.firstUnc == "" {
						r.firstUnc = columnName(col) + strconv.Itoa(num)
					}
				}
				if len(r.text) == 0 {
					continue
				}
				v := r.cellText(typ, style, inIS)
				if v == "" {
					continue
				}
				for len(cells) < col {
					cells = append(cells, "")
				}
				cells[col-1] = v
			case sc.is("row"):
				return trimRow(cells), nil
			}
		case tokText:
			if inV || inT {
				r.text = sc.appendText(r.text)
			}
		}
	}
}

// readTail reads what follows <sheetData>: the merged ranges.
func (r *xlsxRows) readTail() {
	for {
		tok, err := r.sc.next()
		if err != nil {
			return
		}
		if tok == tokStart && r.sc.is("mergeCell") {
			if ref := r.sc.attr("ref"); ref != "" {
				r.merged = append(r.merged, ref)
			}
		}
	}
}

func (r *xlsxRows) finish(t *Totals, lastSeen int) error {
	t.Merged = r.merged
	t.UncachedFormulas, t.FirstUncachedFormula = r.uncached, r.firstUnc
	if r.declared > lastSeen && r.rc != nil {
		return errTruncated(r.book.file, r.sheet, r.declared, lastSeen, nil)
	}
	return nil
}

func (r *xlsxRows) position() (int64, int64) {
	if r.lr == nil {
		return 0, 0
	}
	return r.lr.n, r.total
}

func (r *xlsxRows) close() error {
	if r.rc != nil {
		err := r.rc.Close()
		r.rc = nil
		return err
	}
	return nil
}
