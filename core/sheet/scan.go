package sheet

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"strconv"
	"unicode/utf8"
)

// xmlScanner is a small pull tokenizer for the parts of a workbook that can be large
// (worksheets, shared strings). It allocates nothing per token, which makes a sheet
// read several times faster than with encoding/xml; the small parts (workbook,
// relationships) still go through encoding/xml. It knows the little of XML those
// parts use: elements, attributes, text, entities and character references, CDATA,
// comments and processing instructions. Names are reported without their prefix.
type xmlScanner struct {
	br      *bufio.Reader
	name    []byte // local name of the current start or end tag
	attrs   []byte // raw attributes of the current start tag
	raw     []byte // text of the current text token, still escaped unless cdata
	cdata   bool
	pending bool   // the start tag was self-closing: an end token comes next
	atTag   bool   // the '<' of the next tag was already read
	buf     []byte // for tags and texts longer than bufio's buffer
}

type tokenKind uint8

const (
	tokStart tokenKind = iota + 1
	tokEnd
	tokText
)

var errXMLSyntax = errors.New("malformed XML")

func newXMLScanner(r io.Reader) *xmlScanner { return newXMLScannerSize(r, 64<<10) }

// newXMLScannerSize lets tests use a tiny buffer, so that tokens straddle refills.
func newXMLScannerSize(r io.Reader, size int) *xmlScanner {
	return &xmlScanner{br: bufio.NewReaderSize(r, size)}
}

// readUntil returns the bytes up to and including delim. The slice stays valid until
// the next read.
func (s *xmlScanner) readUntil(delim byte, into []byte) ([]byte, error) {
	line, err := s.br.ReadSlice(delim)
	if err == nil && len(into) == 0 {
		return line, nil
	}
	into = append(into, line...)
	for err == bufio.ErrBufferFull {
		line, err = s.br.ReadSlice(delim)
		into = append(into, line...)
	}
	s.buf = into[:0] // keep the grown buffer for the next long token
	return into, err
}

// next returns the next token; io.EOF at the end of the part. The bytes behind name,
// attrs and the text stay valid until the following call.
func (s *xmlScanner) next() (tokenKind, error) {
	if s.pending {
		s.pending = false
		return tokEnd, nil
	}
	for {
		if !s.atTag {
			text, err := s.readUntil('<', s.buf[:0])
			if err != nil && err != io.EOF {
				return 0, err
			}
			if err == nil {
				s.atTag = true
				text = text[:len(text)-1]
			}
			if len(text) > 0 {
				s.raw, s.cdata = text, false
				return tokText, nil
			}
			if err == io.EOF {
				return 0, io.EOF
			}
		}
		s.atTag = false
		tag, err := s.readUntil('>', s.buf[:0])
		if err != nil {
			if err == io.EOF {
				return 0, io.ErrUnexpectedEOF
			}
			return 0, err
		}
		switch {
		case bytes.HasPrefix(tag, []byte("!--")):
			for len(tag) < len("!---->") || !bytes.HasSuffix(tag, []byte("-->")) {
				if tag, err = s.readUntil('>', append(s.buf[:0], tag...)); err != nil {
					return 0, io.ErrUnexpectedEOF
				}
			}
			continue
		case bytes.HasPrefix(tag, []byte("![CDATA[")):
			for len(tag) < len("![CDATA[]]>") || !bytes.HasSuffix(tag, []byte("]]>")) {
				if tag, err = s.readUntil('>', append(s.buf[:0], tag...)); err != nil {
					return 0, io.ErrUnexpectedEOF
				}
			}
			s.raw, s.cdata = tag[len("![CDATA["):len(tag)-3], true
			return tokText, nil
		case len(tag) > 0 && tag[0] == '?':
			for len(tag) < 3 || !bytes.HasSuffix(tag, []byte("?>")) {
				if tag, err = s.readUntil('>', append(s.buf[:0], tag...)); err != nil {
					return 0, io.ErrUnexpectedEOF
				}
			}
			continue
		case len(tag) > 0 && tag[0] == '!':
			continue // a DOCTYPE, which workbook parts do not have
		}
		// a '>' inside a quoted attribute value does not end the tag
		for quotesOpen(tag) {
			if tag, err = s.readUntil('>', append(s.buf[:0], tag...)); err != nil {
				return 0, io.ErrUnexpectedEOF
			}
		}
		tag = tag[:len(tag)-1] // without '>'
		end := false
		if len(tag) > 0 && tag[0] == '/' {
			end = true
			tag = tag[1:]
		}
		selfClose := false
		if !end && len(tag) > 0 && tag[len(tag)-1] == '/' {
			selfClose = true
			tag = tag[:len(tag)-1]
		}
		n := 0
		for n < len(tag) && !isXMLSpace(tag[n]) {
			n++
		}
		name := localName(tag[:n])
		if len(name) == 0 {
			return 0, errXMLSyntax
		}
		s.name = name
		if end {
			s.attrs = nil
			return tokEnd, nil
		}
		s.attrs = tag[n:]
		s.pending = selfClose
		return tokStart, nil
	}
}

// localName drops the namespace prefix of a name, as encoding/xml does.
func localName(n []byte) []byte {
	if i := bytes.IndexByte(n, ':'); i > 0 && i < len(n)-1 {
		return n[i+1:]
	}
	return n
}

func quotesOpen(tag []byte) bool {
	var q byte
	for _, c := range tag {
		switch {
		case q != 0:
			if c == q {
				q = 0
			}
		case c == '"' || c == '\'':
			q = c
		}
	}
	return q != 0
}

func isXMLSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// is reports whether the current tag has the local name n.
func (s *xmlScanner) is(n string) bool { return string(s.name) == n }

// attr returns the value of the attribute with local name n of the current start tag.
func (s *xmlScanner) attr(n string) string { return string(s.attrBytes(n)) }

// attrBytes is attr without a copy: the bytes are valid until the next token.
func (s *xmlScanner) attrBytes(n string) []byte {
	a := s.attrs
	for {
		i := 0
		for i < len(a) && isXMLSpace(a[i]) {
			i++
		}
		a = a[i:]
		if len(a) == 0 {
			return nil
		}
		eq := bytes.IndexByte(a, '=')
		if eq < 0 {
			return nil
		}
		key := localName(bytes.TrimSpace(a[:eq]))
		a = a[eq+1:]
		for len(a) > 0 && isXMLSpace(a[0]) {
			a = a[1:]
		}
		if len(a) == 0 || (a[0] != '"' && a[0] != '\'') {
			return nil
		}
		q := a[0]
		end := bytes.IndexByte(a[1:], q)
		if end < 0 {
			return nil
		}
		val := a[1 : 1+end]
		a = a[2+end:]
		if string(key) == n {
			if bytes.IndexByte(val, '&') >= 0 {
				return appendUnescaped(nil, val)
			}
			return val
		}
	}
}

// appendText appends the current text token, unescaped, with line ends normalised
// to \n as XML wants.
func (s *xmlScanner) appendText(dst []byte) []byte {
	if s.cdata {
		return appendNormalisedCR(dst, s.raw)
	}
	if bytes.IndexByte(s.raw, '&') < 0 && bytes.IndexByte(s.raw, '\r') < 0 {
		return append(dst, s.raw...)
	}
	return appendUnescaped(dst, s.raw)
}

func appendNormalisedCR(dst, src []byte) []byte {
	for i := 0; i < len(src); i++ {
		c := src[i]
		if c == '\r' {
			if i+1 < len(src) && src[i+1] == '\n' {
				continue
			}
			c = '\n'
		}
		dst = append(dst, c)
	}
	return dst
}

// appendUnescaped decodes the five XML entities and character references; anything
// else after '&' is kept as it is.
func appendUnescaped(dst, src []byte) []byte {
	for i := 0; i < len(src); i++ {
		c := src[i]
		if c == '\r' {
			if i+1 < len(src) && src[i+1] == '\n' {
				continue
			}
			dst = append(dst, '\n')
			continue
		}
		if c != '&' {
			dst = append(dst, c)
			continue
		}
		semi := bytes.IndexByte(src[i:min(len(src), i+12)], ';')
		if semi < 0 {
			dst = append(dst, c)
			continue
		}
		ent := src[i+1 : i+semi]
		switch string(ent) {
		case "lt":
			dst = append(dst, '<')
		case "gt":
			dst = append(dst, '>')
		case "amp":
			dst = append(dst, '&')
		case "quot":
			dst = append(dst, '"')
		case "apos":
			dst = append(dst, '\'')
		default:
			if len(ent) > 1 && ent[0] == '#' {
				var v uint64
				var err error
				if ent[1] == 'x' {
					v, err = strconv.ParseUint(string(ent[2:]), 16, 32)
				} else {
					v, err = strconv.ParseUint(string(ent[1:]), 10, 32)
				}
				if err == nil && utf8.ValidRune(rune(v)) {
					dst = utf8.AppendRune(dst, rune(v))
					i += semi
					continue
				}
			}
			dst = append(dst, c)
			continue
		}
		i += semi
	}
	return dst
}
