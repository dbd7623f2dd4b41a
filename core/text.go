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
	return &collator{
		c:   collate.New(language.French, collate.IgnoreCase),
		num: collate.New(language.French, collate.IgnoreCase, collate.Numeric),
		buf: new(collate.Buffer),
	}
}}

type collator struct {
	c   *collate.Collator // people's names, as their stored sort keys have them
	num *collate.Collator // names of groups and courses: numbers by their value
	buf *collate.Buffer
}

// SortKey returns bytes whose plain byte order is French alphabetical order of s
// (accents and case as secondary differences). Stored beside a name, it lets SQLite sort
// with an index and no custom collation.
func SortKey(s string) []byte {
	c := collatorPool.Get().(*collator)
	defer collatorPool.Put(c)
	c.buf.Reset()
	return trimKey(c.c.KeyFromString(c.buf, s))
}

// trimKey drops the trailing default accent weights of a collation key (most names
// have no accent after their last letters). The order of keys is unchanged, since the
// default weight is the smallest accent weight and a shorter run sorts first; the keys
// and the indexes built on them are about half as long.
func trimKey(k []byte) []byte {
	// primary weights, a 0x0000 separator, then one 16-bit accent weight per letter
	sep := -1
	for i := 0; i+1 < len(k); i += 2 {
		if k[i] == 0 && k[i+1] == 0 {
			sep = i
			break
		}
	}
	end := len(k)
	if sep >= 0 {
		for end-2 > sep+1 && k[end-2] == 0 && k[end-1] == 0x20 {
			end -= 2
		}
	}
	return append([]byte(nil), k[:end]...)
}

// NameKey is SortKey for the names of groups and courses, where the numbers count by
// their value, as a training manager numbers them: « Agence 2 » before « Agence 10 ».
func NameKey(s string) []byte {
	c := collatorPool.Get().(*collator)
	defer collatorPool.Put(c)
	c.buf.Reset()
	return append([]byte(nil), c.num.KeyFromString(c.buf, s)...)
}

// CompareFrench compares two names of groups or courses (or paths of groups) in French
// alphabetical order, numbers by their value, as NameKey orders them.
func CompareFrench(a, b string) int {
	c := collatorPool.Get().(*collator)
	defer collatorPool.Put(c)
	return c.num.CompareString(a, b)
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
