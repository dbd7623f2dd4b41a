package sheet

import (
	"strconv"
	"strings"
	"unicode"

	"convive/core"
)

// Field is what a column holds, as far as the import goes: core's own type, so that
// a Mapping hands its fields to the import planner as they are.
type Field = core.Field

// Fields a column can be mapped to. FieldNone marks a column the import ignores; it
// stays listed in the Mapping so that the report can name it.
const (
	FieldNone      = core.FieldIgnore
	FieldEmail     = core.FieldEmail
	FieldFirstName = core.FieldFirstName
	FieldLastName  = core.FieldLastName
	FieldGroup     = core.FieldGroup
	FieldLanguage  = core.FieldLanguage
	FieldRole      = core.FieldRole
)

// Fields lists the fields in the order the template and the GUI show them.
var Fields = []Field{FieldEmail, FieldFirstName, FieldLastName, FieldGroup, FieldLanguage, FieldRole}

// headerNames are the folded header texts (see headerKey) of each field.
var headerNames = map[string]Field{
	"email": FieldEmail, "e mail": FieldEmail, "courriel": FieldEmail, "mail": FieldEmail, "mel": FieldEmail,
	"adresse e mail": FieldEmail, "adresse email": FieldEmail, "adresse mail": FieldEmail, "adresse courriel": FieldEmail,
	"adresse electronique": FieldEmail, "adresse de courriel": FieldEmail,
	"email address": FieldEmail, "e mail address": FieldEmail, "mail address": FieldEmail,
	"identifiant": FieldEmail, "login": FieldEmail, "username": FieldEmail, "user name": FieldEmail,

	"prenom": FieldFirstName, "prenoms": FieldFirstName, "first name": FieldFirstName, "firstname": FieldFirstName,
	"given name": FieldFirstName, "givenname": FieldFirstName, "forename": FieldFirstName,

	"nom": FieldLastName, "last name": FieldLastName, "lastname": FieldLastName, "nom de famille": FieldLastName,
	"surname": FieldLastName, "family name": FieldLastName, "nom d usage": FieldLastName,

	"groupe": FieldGroup, "groupes": FieldGroup, "group": FieldGroup, "groups": FieldGroup,
	"sous groupe": FieldGroup, "sous groupes": FieldGroup, "subgroup": FieldGroup, "subgroups": FieldGroup,

	"langue": FieldLanguage, "language": FieldLanguage, "lang": FieldLanguage, "langue du mail": FieldLanguage,

	"role": FieldRole, "roles": FieldRole, "profil": FieldRole, "profile": FieldRole,
}

// headerKey folds a header cell: case, accents, punctuation and spacing do not count,
// so "Adresse e-mail", "ADRESSE  E-MAIL" and "adresse_email" give the same key.
func headerKey(s string) string {
	s = core.Fold(s)
	var b strings.Builder
	space := false
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = false
			b.WriteRune(r)
			continue
		}
		space = true
	}
	return b.String()
}

// matchField recognises one header cell: the field and, for groups, their number
// ("Groupe 2" → 2; a plain "Groupe" is 1).
func matchField(cell string) (Field, int) {
	k := headerKey(cell)
	if k == "" {
		return FieldNone, 0
	}
	if f, ok := headerNames[k]; ok {
		if f == FieldGroup {
			return f, 1
		}
		return f, 0
	}
	// "groupe 2", "groupe2", "group 3", "groupe n 2"
	trimmed := strings.TrimRight(k, "0123456789")
	if n, err := strconv.Atoi(k[len(trimmed):]); err == nil && n > 0 && n < 1000 {
		base := strings.TrimSpace(trimmed)
		base = strings.TrimSuffix(strings.TrimSuffix(base, " n"), " no")
		if f, ok := headerNames[strings.TrimSpace(base)]; ok && f == FieldGroup {
			return FieldGroup, n
		}
	}
	return FieldNone, 0
}

// Column is one column of the sheet and what it is mapped to.
type Column struct {
	Index  int    // 0-based position in the row
	Header string // text of the header cell, "" without a header row
	Field  Field
	Group  int  // for FieldGroup: 1 for "Groupe", 2 for "Groupe 2"…
	Manual bool // set by hand rather than recognised
}

// Name returns how a message refers to the column: its header, or its letter when it
// has none (A, B, … AA).
func (c Column) Name() string {
	if strings.TrimSpace(c.Header) != "" {
		return strings.TrimSpace(c.Header)
	}
	return columnName(c.Index + 1)
}

// Mapping says which column holds what. Every column of the header row is listed, the
// unknown ones with FieldNone: nothing is dropped silently.
type Mapping struct {
	Columns []Column
	// HasHeader is false when the first row holds data rather than titles; the
	// columns were then guessed from its content.
	HasHeader bool
}

// MatchHeader recognises the header row cells: French and English names, whatever the
// case, accents, punctuation and spacing. A field named twice keeps its first column;
// the second is left unmapped. When no cell is a known title, the row is taken as data:
// HasHeader is false and a column whose cell is an e-mail address is mapped to
// FieldEmail (the others stay unmapped until set by hand).
func MatchHeader(cells []string) Mapping {
	m := Mapping{Columns: make([]Column, len(cells))}
	used := map[Field]bool{}
	groups := map[int]bool{}
	for i, cell := range cells {
		c := Column{Index: i, Header: cell}
		f, n := matchField(cell)
		switch {
		case f == FieldGroup:
			if !groups[n] {
				groups[n] = true
				c.Field, c.Group = f, n
			}
		case f != FieldNone && !used[f]:
			used[f] = true
			c.Field = f
		}
		if c.Field != FieldNone {
			m.HasHeader = true
		}
		m.Columns[i] = c
	}
	if m.HasHeader {
		return m
	}
	for i, cell := range cells {
		m.Columns[i].Header = ""
		if _, err := core.ParseAddress(cell); err == nil && !used[FieldEmail] {
			used[FieldEmail] = true
			m.Columns[i].Field = FieldEmail
		}
	}
	return m
}

// Index returns the position of the column mapped to f (the first group column for
// FieldGroup), or -1.
func (m Mapping) Index(f Field) int {
	best := -1
	for _, c := range m.Columns {
		if c.Field == f && (best < 0 || f == FieldGroup && c.Group < m.Columns[best].Group) {
			best = c.Index
		}
	}
	return best
}

// Has reports whether a column is mapped to f.
func (m Mapping) Has(f Field) bool { return m.Index(f) >= 0 }

// GroupColumns returns the group columns in their number order.
func (m Mapping) GroupColumns() []Column {
	var out []Column
	for _, c := range m.Columns {
		if c.Field == FieldGroup {
			out = append(out, c)
		}
	}
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j].Group < out[j-1].Group; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

// Unknown returns the columns the import ignores.
func (m Mapping) Unknown() []Column {
	var out []Column
	for _, c := range m.Columns {
		if c.Field == FieldNone {
			out = append(out, c)
		}
	}
	return out
}

// Column returns the column at index i, and false past the known columns.
func (m Mapping) Column(i int) (Column, bool) {
	if i >= 0 && i < len(m.Columns) {
		return m.Columns[i], true
	}
	return Column{}, false
}

// Set maps column i to f by hand, returning the new Mapping (m is left as it was).
// A field that only one column may hold moves: its previous column becomes unmapped.
// A group column takes the next free group number. Columns beyond the header (ragged
// rows) are added as needed.
func (m Mapping) Set(i int, f Field) Mapping {
	if i < 0 {
		return m
	}
	out := Mapping{HasHeader: m.HasHeader, Columns: append([]Column(nil), m.Columns...)}
	for len(out.Columns) <= i {
		out.Columns = append(out.Columns, Column{Index: len(out.Columns)})
	}
	c := out.Columns[i]
	c.Field, c.Group, c.Manual = f, 0, true
	switch f {
	case FieldNone:
	case FieldGroup:
		n := 1
		for taken := true; taken; {
			taken = false
			for j, o := range out.Columns {
				if j != i && o.Field == FieldGroup && o.Group == n {
					taken = true
					n++
					break
				}
			}
		}
		c.Group = n
	default:
		for j := range out.Columns {
			if j != i && out.Columns[j].Field == f {
				out.Columns[j].Field, out.Columns[j].Manual = FieldNone, true
			}
		}
	}
	out.Columns[i] = c
	return out
}

// CoreColumns returns the mapping as the import planner takes it: every column, the
// ignored ones included, each named by its header or, without a header row, by its
// letter (A, B…), so that the planner's messages say « colonne B » rather than nothing.
func (m Mapping) CoreColumns() []core.Column {
	out := make([]core.Column, len(m.Columns))
	for i, c := range m.Columns {
		out[i] = core.Column{Index: c.Index, Header: c.Name(), Field: c.Field}
	}
	return out
}

// Record is one row read through a Mapping: the texts of the mapped cells, trimmed.
// Judging them (a valid address, a known language) is the import service's work.
type Record struct {
	Email, FirstName, LastName, Language, Role string
	Groups                                     []string // non-empty group cells, in group number order
}

// Record extracts the mapped cells of a row.
func (m Mapping) Record(cells []string) Record {
	var r Record
	get := func(i int) string {
		if i >= 0 && i < len(cells) {
			return strings.TrimSpace(cells[i])
		}
		return ""
	}
	for _, c := range m.Columns {
		switch c.Field {
		case FieldEmail:
			r.Email = get(c.Index)
		case FieldFirstName:
			r.FirstName = get(c.Index)
		case FieldLastName:
			r.LastName = get(c.Index)
		case FieldLanguage:
			r.Language = get(c.Index)
		case FieldRole:
			r.Role = get(c.Index)
		}
	}
	for _, c := range m.GroupColumns() {
		if g := get(c.Index); g != "" {
			r.Groups = append(r.Groups, g)
		}
	}
	return r
}
