package sheet

import (
	"encoding/xml"
	"fmt"
	"io"
	"strings"
	"testing"
)

// scanAll lists the tokens of our scanner, adjacent texts joined.
func scanAll(data string, size int) ([]string, error) {
	sc := newXMLScannerSize(strings.NewReader(data), size)
	var out []string
	var text []byte
	flush := func() {
		if len(text) > 0 {
			out = append(out, "text "+string(text))
			text = text[:0]
		}
	}
	for {
		tok, err := sc.next()
		if err == io.EOF {
			flush()
			return out, nil
		}
		if err != nil {
			return out, err
		}
		switch tok {
		case tokText:
			text = sc.appendText(text)
		case tokStart:
			flush()
			out = append(out, "start "+string(sc.name)+" "+sc.attrsFor(nil))
		case tokEnd:
			flush()
			out = append(out, "end "+string(sc.name))
		}
	}
}

// attrsFor lists the attributes named in names (all of them when names is nil is not
// possible without parsing, so the reference passes the names it found).
func (s *xmlScanner) attrsFor(names []string) string {
	var b strings.Builder
	for _, n := range names {
		fmt.Fprintf(&b, "%s=%q ", n, s.attr(n))
	}
	return b.String()
}

// referenceTokens lists the tokens encoding/xml finds, in the same form.
func referenceTokens(data string) ([]string, [][]string, error) {
	d := xml.NewDecoder(strings.NewReader(data))
	d.Strict = true
	var out []string
	var names [][]string
	var text []byte
	flush := func() {
		if len(text) > 0 {
			out = append(out, "text "+string(text))
			text = text[:0]
		}
	}
	for {
		tok, err := d.RawToken()
		if err == io.EOF {
			flush()
			return out, names, nil
		}
		if err != nil {
			return nil, nil, err
		}
		switch t := tok.(type) {
		case xml.Directive:
			return nil, nil, fmt.Errorf("directives are out of scope")
		case xml.CharData:
			text = append(text, t...)
		case xml.StartElement:
			flush()
			var b strings.Builder
			var ns []string
			seen := map[string]bool{}
			for _, a := range t.Attr {
				if seen[a.Name.Local] {
					return nil, nil, fmt.Errorf("two attributes named %s", a.Name.Local)
				}
				seen[a.Name.Local] = true
				ns = append(ns, a.Name.Local)
				fmt.Fprintf(&b, "%s=%q ", a.Name.Local, a.Value)
			}
			names = append(names, ns)
			out = append(out, "start "+t.Name.Local+" "+b.String())
		case xml.EndElement:
			flush()
			out = append(out, "end "+t.Name.Local)
		}
	}
}

// FuzzXMLScanner checks our scanner against encoding/xml: on any input encoding/xml
// accepts, both see the same elements, attributes and text.
func FuzzXMLScanner(f *testing.F) {
	for _, s := range []string{
		`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\r\n" + `<worksheet xmlns="x"><dimension ref="A1:B2"/><sheetData><row r="1" spans="1:2"><c r="A1" t="s"><v>0</v></c><c r="B1" s="3"/></row></sheetData><mergeCells count="1"><mergeCell ref="A1:B1"/></mergeCells></worksheet>`,
		`<x:row r='2'><x:c r="C2" t="inlineStr"><x:is><x:t xml:space="preserve"> a &amp; b &lt;&#233;&#xE9;&gt; </x:t></x:is></x:c></x:row>`,
		`<c><f>A1&amp;"&gt;"</f><v>1.5E+20</v></c><!-- <c>ignored</c> --><c><v><![CDATA[<raw> & ]]></v></c>`,
		"<t>line 1\r\nline 2\rline 3</t>",
		`<c a="x>y" b='q"q'>text</c>`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data string) {
		want, names, err := referenceTokens(data)
		got, gotErr := scanAll(data, 64<<10)
		tiny, tinyErr := scanAll(data, 16)
		if strings.Join(got, "\n") != strings.Join(tiny, "\n") || (gotErr == nil) != (tinyErr == nil) {
			t.Fatalf("input %q\n64 KiB buffer %q %v\n16 B buffer %q %v", data, got, gotErr, tiny, tinyErr)
		}
		if err != nil {
			return // our scanner is more lenient; it only has to not panic
		}
		if gotErr != nil {
			t.Fatalf("scanner failed on valid XML %q: %v", data, gotErr)
		}
		// fill in the attributes the reference found
		sc := newXMLScanner(strings.NewReader(data))
		i := 0
		for k := range got {
			if strings.HasPrefix(got[k], "start ") {
				for {
					tok, _ := sc.next()
					if tok == tokStart {
						break
					}
				}
				got[k] = "start " + string(sc.name) + " " + sc.attrsFor(names[i])
				i++
			}
		}
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Fatalf("input %q\nscanner   %q\nreference %q", data, got, want)
		}
	})
}
