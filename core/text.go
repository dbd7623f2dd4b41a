package core

import (
	"strings"
	"sync"
	"unicode"

	"golang.org/x/text/collate"
	"golang.org/x/text/language"
	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// CleanName trims a person's or a group's name, folds inner runs of white space to one
// space and returns it NFC-normalised, the form names are stored in.
func CleanName(s string) string {
	return norm.NFC.String(strings.Join(strings.Fields(s), " "))
}

var foldPool = sync.Pool{New: func() any {
	return transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
}}

var ligatures = strings.NewReplacer("œ", "oe", "Œ", "oe", "æ", "ae", "Æ", "ae", "ß", "ss")

// Fold returns the search key of s: lower-case, accents removed, ligatures spelled out,
// so that "lefevre" finds "Lefèvre" and "coeur" finds "Cœur".
func Fold(s string) string {
	if isASCII(s) {
		return strings.ToLower(s)
	}
	t := foldPool.Get().(transform.Transformer)
	defer foldPool.Put(t)
	t.Reset()
	out, _, err := transform.String(t, ligatures.Replace(s))
	if err != nil {
		out = s
	}
	return strings.ToLower(out)
}

// collators are not safe for concurrent use; a pool keeps sorting lock-free.
var collatorPool = sync.Pool{New: func() any {
	return &collator{c: collate.New(language.French, collate.IgnoreCase), buf: new(collate.Buffer)}
}}

type collator struct {
	c   *collate.Collator
	buf *collate.Buffer
}

// SortKey returns bytes whose plain byte order is French alphabetical order of s
// (accents and case as secondary differences). Stored beside a name, it lets SQLite sort
// with an index and no custom collation.
func SortKey(s string) []byte {
	c := collatorPool.Get().(*collator)
	defer collatorPool.Put(c)
	c.buf.Reset()
	k := c.c.KeyFromString(c.buf, s)
	return append([]byte(nil), k...)
}

// CompareFrench compares two strings in French alphabetical order.
func CompareFrench(a, b string) int {
	c := collatorPool.Get().(*collator)
	defer collatorPool.Put(c)
	return c.c.CompareString(a, b)
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
