package main

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"convive/core"
)

// Output formats of the list commands.
const (
	formatTable = "table" // aligned columns for reading, French headers and dates
	formatCSV   = "csv"   // RFC 4180 with a header row, for a spreadsheet
	formatJSON  = "json"  // a list of objects with stable lower-case keys, for a script
)

// rowWriter writes one list in one format. Rows are written as they come, so a long
// list is never held whole; close ends the list and flushes.
type rowWriter struct {
	format string
	header []string // csv and json keys
	titles []string // table headers
	w      *bufio.Writer
	tab    *tabwriter.Writer
	csv    *csv.Writer
	rows   int
	err    error
}

func newRowWriter(format string, out io.Writer, keys, titles []string) (*rowWriter, error) {
	rw := &rowWriter{format: strings.ToLower(strings.TrimSpace(format)), header: keys, titles: titles, w: bufio.NewWriter(out)}
	switch rw.format {
	case formatTable:
		rw.tab = tabwriter.NewWriter(rw.w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(rw.tab, strings.Join(titles, "\t"))
	case formatCSV:
		rw.csv = csv.NewWriter(rw.w)
		rw.err = rw.csv.Write(keys)
	case formatJSON:
		_, rw.err = rw.w.WriteString("[")
	default:
		return nil, userErrorf("Le format « %s » n'est pas connu : indiquez table, csv ou json.", format)
	}
	return rw, nil
}

// row writes one row: cells for the table, values (same order as keys) for csv and json.
func (rw *rowWriter) row(cells []string, values []any) {
	if rw.err != nil {
		return
	}
	switch rw.format {
	case formatTable:
		_, rw.err = fmt.Fprintln(rw.tab, strings.Join(cells, "\t"))
	case formatCSV:
		rec := make([]string, len(values))
		for i, v := range values {
			rec[i] = inert(csvText(v))
		}
		rw.err = rw.csv.Write(rec)
	case formatJSON:
		sep := ",\n  "
		if rw.rows == 0 {
			sep = "\n  "
		}
		var b bytes.Buffer
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(false)
		b.WriteString(sep + "{")
		for i, k := range rw.header {
			if i > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "%q: ", k)
			if rw.err = enc.Encode(values[i]); rw.err != nil {
				return
			}
			b.Truncate(b.Len() - 1) // Encode ends with a newline
		}
		b.WriteString("}")
		_, rw.err = rw.w.Write(b.Bytes())
	}
	rw.rows++
}

// close ends the list; for the table, summary is printed below it.
func (rw *rowWriter) close(summary string) error {
	if rw.err == nil {
		switch rw.format {
		case formatTable:
			rw.err = rw.tab.Flush()
			if rw.err == nil && summary != "" {
				_, rw.err = fmt.Fprintln(rw.w, summary)
			}
		case formatCSV:
			rw.csv.Flush()
			rw.err = rw.csv.Error()
		case formatJSON:
			end := "]\n"
			if rw.rows > 0 {
				end = "\n]\n"
			}
			_, rw.err = rw.w.WriteString(end)
		}
	}
	if err := rw.w.Flush(); rw.err == nil {
		rw.err = err
	}
	if rw.err != nil {
		return userErrorf("La liste n'a pas pu être écrite en entier (%v).", rw.err)
	}
	return nil
}

// csvText writes a value the way a spreadsheet reads it back.
func csvText(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case []string:
		return strings.Join(v, ";")
	case int:
		return strconv.Itoa(v)
	case int64:
		return strconv.FormatInt(v, 10)
	case nil:
		return ""
	}
	return fmt.Sprint(v)
}

// inert keeps a spreadsheet from reading a cell as a formula: a cell that starts with
// = + - @ (or a tab or carriage return) gets a leading apostrophe.
func inert(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// frenchDate writes t in local time the French way, 25/11/2026 14:05.
func frenchDate(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Local().Format("02/01/2006 15:04")
}

// isoDate writes t in RFC 3339, or nothing (null in json) for the zero time.
func isoDate(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.Format(time.RFC3339)
}

// frenchInt writes n with a narrow no-break space between groups of three digits.
func frenchInt(n int) string {
	s := strconv.Itoa(n)
	var b strings.Builder
	for i, r := range s {
		if i > 0 && r != '-' && (len(s)-i)%3 == 0 && s[i-1] != '-' {
			b.WriteString("\u202f")
		}
		b.WriteRune(r)
	}
	return b.String()
}

// groupWriter lists groups.
type groupWriter struct{ *rowWriter }

func newGroupWriter(format string, out io.Writer) (groupWriter, error) {
	rw, err := newRowWriter(format, out,
		[]string{"id", "parent_id", "name", "path", "depth", "members"},
		[]string{"Groupe", "Membres directs"})
	return groupWriter{rw}, err
}

func (w groupWriter) write(g core.Group) {
	w.row(
		[]string{displayPath(g), frenchInt(g.Members)},
		[]any{g.ID, g.ParentID, displayName(g), g.Path, g.Depth, g.Members},
	)
}

func (w groupWriter) close(n int) error {
	return w.rowWriter.close(plural(n, "Aucun groupe.", "1 groupe.", "%s groupes."))
}

// displayName is a group's own name, "Groupe général" for the root.
func displayName(g core.Group) string {
	if g.IsRoot() && g.Name == "" {
		return core.RootGroupName
	}
	return g.Name
}

// userWriter lists users.
type userWriter struct{ *rowWriter }

func newUserWriter(format string, out io.Writer) (userWriter, error) {
	rw, err := newRowWriter(format, out,
		[]string{"id", "login", "email", "first_name", "last_name", "language", "role", "status", "groups", "created", "updated"},
		[]string{"Identifiant", "Prénom", "Nom", "Groupes", "Statut", "Créé le"})
	return userWriter{rw}, err
}

func (w userWriter) write(u core.User) {
	groups := u.Groups
	if groups == nil {
		groups = []string{}
	}
	w.row(
		[]string{u.Login, u.FirstName, u.LastName, strings.Join(groups, ", "), u.Status.Label(), frenchDate(u.Created)},
		[]any{u.ID, u.Login, u.Email, u.FirstName, u.LastName, string(u.Language), string(u.Role), string(u.Status), groups, isoDate(u.Created), isoDate(u.Updated)},
	)
}

func (w userWriter) close(n int) error {
	return w.rowWriter.close(plural(n, "Aucun utilisateur.", "1 utilisateur.", "%s utilisateurs."))
}

// counted writes n and the words that follow it, singular for 0 and 1 as French has
// it: « 0 compte créé », « 20 000 comptes créés ».
func counted(n int, one, many string) string {
	if n <= 1 {
		return frenchInt(n) + " " + one
	}
	return frenchInt(n) + " " + many
}

// plural picks the sentence for n; many receives the number written the French way.
func plural(n int, none, one, many string) string {
	switch n {
	case 0:
		return none
	case 1:
		return one
	}
	return fmt.Sprintf(many, frenchInt(n))
}
