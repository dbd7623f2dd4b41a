package gui

import (
	"net/url"
	"strings"
	"unicode"

	"fyne.io/fyne/v2/widget"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// htmlSegments renders the HTML part of a message as rich text, the way a mail client
// would show it in outline: paragraphs, headings, bold and italic, links and list
// items. Fyne has no HTML view; scripts, styles and images are left out.
func htmlSegments(src string) []widget.RichTextSegment {
	doc, err := html.Parse(strings.NewReader(src))
	if err != nil {
		return []widget.RichTextSegment{&widget.TextSegment{Style: widget.RichTextStyleParagraph, Text: src}}
	}
	r := &htmlRenderer{}
	r.walk(doc, widget.RichTextStyleInline)
	r.endBlock()
	if len(r.out) == 0 {
		r.out = append(r.out, &widget.TextSegment{Style: widget.RichTextStyleParagraph})
	}
	return r.out
}

type htmlRenderer struct {
	out    []widget.RichTextSegment
	inline []widget.RichTextSegment
	prefix string // "• " at the start of a list item
}

// endBlock closes the paragraph being written.
func (r *htmlRenderer) endBlock() {
	if len(r.inline) == 0 {
		return
	}
	if t, ok := r.inline[len(r.inline)-1].(*widget.TextSegment); ok {
		t.Text = strings.TrimRight(t.Text, " ")
		t.Style.Inline = false
	} else {
		r.inline = append(r.inline, &widget.TextSegment{Style: widget.RichTextStyleParagraph})
	}
	r.out = append(r.out, &widget.ParagraphSegment{Texts: r.inline})
	r.inline = nil
}

func (r *htmlRenderer) text(s string, style widget.RichTextStyle) {
	// Runs of white space count as one space, as in a browser.
	words := strings.Fields(s)
	if len(words) == 0 {
		if s != "" && len(r.inline) > 0 {
			if prev, ok := r.inline[len(r.inline)-1].(*widget.TextSegment); ok && !strings.HasSuffix(prev.Text, " ") {
				prev.Text += " "
			}
		}
		return
	}
	t := strings.Join(words, " ")
	if strings.TrimLeftFunc(s, unicode.IsSpace) != s {
		t = " " + t
	}
	if strings.TrimRightFunc(s, unicode.IsSpace) != s {
		t += " "
	}
	if len(r.inline) == 0 {
		t = r.prefix + strings.TrimLeft(t, " ")
		r.prefix = ""
	} else if prev, ok := r.inline[len(r.inline)-1].(*widget.TextSegment); ok && strings.HasSuffix(prev.Text, " ") {
		t = strings.TrimLeft(t, " ")
	}
	r.inline = append(r.inline, &widget.TextSegment{Style: style, Text: t})
}

func isBlock(a atom.Atom) bool {
	switch a {
	case atom.P, atom.Div, atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6, atom.Li, atom.Tr,
		atom.Table, atom.Ul, atom.Ol, atom.Blockquote, atom.Section, atom.Header, atom.Footer, atom.Br, atom.Hr, atom.Pre:
		return true
	}
	return false
}

func (r *htmlRenderer) walk(n *html.Node, style widget.RichTextStyle) {
	switch n.Type {
	case html.TextNode:
		r.text(n.Data, style)
		return
	case html.ElementNode:
		switch n.DataAtom {
		case atom.Script, atom.Style, atom.Head, atom.Title, atom.Img:
			return
		case atom.B, atom.Strong, atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6, atom.Th:
			style = widget.RichTextStyleStrong
		case atom.I, atom.Em:
			style = widget.RichTextStyleEmphasis
		case atom.A:
			href := ""
			for _, a := range n.Attr {
				if a.Key == "href" {
					href = a.Val
				}
			}
			if u, err := url.Parse(href); err == nil && (u.Scheme == "http" || u.Scheme == "https" || u.Scheme == "mailto") {
				var b strings.Builder
				collectText(n, &b)
				label := strings.Join(strings.Fields(b.String()), " ")
				if label == "" {
					label = href
				}
				if len(r.inline) == 0 && r.prefix != "" {
					r.inline = append(r.inline, &widget.TextSegment{Style: widget.RichTextStyleInline, Text: r.prefix})
					r.prefix = ""
				}
				r.inline = append(r.inline, &widget.HyperlinkSegment{Text: label, URL: u})
				return
			}
		}
		if isBlock(n.DataAtom) {
			r.endBlock()
			if n.DataAtom == atom.Li {
				r.prefix = "• "
			}
		}
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		r.walk(c, style)
	}
	if n.Type == html.ElementNode && isBlock(n.DataAtom) {
		r.endBlock()
	}
}

func collectText(n *html.Node, b *strings.Builder) {
	if n.Type == html.TextNode {
		b.WriteString(n.Data)
		b.WriteByte(' ')
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		collectText(c, b)
	}
}
