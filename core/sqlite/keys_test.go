package sqlite

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"convive/core"
)

// keyMaker gives the keys keysOf gives, for the clean names an import holds.
func TestKeyMakerAgreesWithKeysOf(t *testing.T) {
	names := []string{"", "Zoé", "Lefèvre", "Cœur", "ÉLODIE", "Jean-Pierre", "O'Neil", "Ærø", "Straße", "Le Goff", "ﬁn", "e\u0301", "Ünal", "Д", "李", "\u0301x", "a\u0308"}
	logins := []string{"zoe@exemple.fr", "Jean.Dupont#Formation@exemple.fr", "élodie@bücher.de"}
	var m keyMaker
	for _, login := range logins {
		for _, first := range names {
			for _, last := range names {
				first, last := core.CleanName(first), core.CleanName(last)
				want, got := keysOf(login, first, last), m.keys(login, first, last)
				if got.fold != want.fold || !bytes.Equal(got.sortLast, want.sortLast) || !bytes.Equal(got.sortFirst, want.sortFirst) {
					t.Errorf("%q %q %q: got %+v, want %+v", login, first, last, got, want)
				}
			}
		}
	}
}

// The lookup of aliases by delivery address reads the partial index, not the table.
func TestAliasLookupUsesItsIndex(t *testing.T) {
	s, err := Open(filepath.Join(t.TempDir(), "convive.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	rows, err := s.r.Query(`EXPLAIN QUERY PLAN SELECT u.id FROM users u WHERE `+aliasesOf, `["a@b.fr"]`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	if p := strings.Join(plan, "; "); !strings.Contains(p, "INDEX users_email_key") || strings.Contains(p, "SCAN u") {
		t.Errorf("plan: %s", p)
	}
}
