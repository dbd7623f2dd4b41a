package core

import (
	"bytes"
	"math/rand/v2"
	"slices"
	"testing"

	"golang.org/x/text/collate"
	"golang.org/x/text/language"
)

func TestFoldIgnoresCaseAccentsAndLigatures(t *testing.T) {
	for in, want := range map[string]string{
		"Lefèvre":         "lefevre",
		"ÉLODIE":          "elodie",
		"Cœur":            "coeur",
		"Ægir Straße":     "aegir strasse",
		"François-Noël":   "francois-noel",
		"e\u0301te\u0301": "ete", // decomposed accents
	} {
		if got := Fold(in); got != want {
			t.Errorf("Fold(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCleanName(t *testing.T) {
	if got := CleanName("  Jean   Pierre\t"); got != "Jean Pierre" {
		t.Errorf("CleanName spaces = %q", got)
	}
	if got := CleanName("Le\u0301a"); got != "Léa" || len(got) != len("Léa") {
		t.Errorf("CleanName did not compose to NFC: %q", got)
	}
}

func TestSortKeyGivesFrenchOrder(t *testing.T) {
	want := []string{"abbé", "Abel", "côte", "Côté", "Eckert", "Élodie", "Émile", "Ézéchiel", "Zoé", "Zola"}
	got := slices.Clone(want)
	slices.Reverse(got)
	slices.SortFunc(got, func(a, b string) int { return bytes.Compare(SortKey(a), SortKey(b)) })
	for i := range want {
		if CompareFrench(got[i], want[i]) != 0 {
			t.Fatalf("byte order of sort keys = %q, want %q", got, want)
		}
	}
	// Accented capitals sort with their letter, not after Z as byte order would put them.
	if bytes.Compare(SortKey("Émile"), SortKey("Zola")) >= 0 {
		t.Error("Émile should sort before Zola")
	}
	if CompareFrench("Élodie", "Eckert") <= 0 {
		t.Error("Eckert should sort before Élodie")
	}
}

func TestErrorRendersItsFrenchTemplate(t *testing.T) {
	err := Errorf(EConflict, "user.exists", "L'adresse « {{.Address}} » est déjà utilisée.", map[string]any{"Address": "a@b.fr"})
	if got := err.Error(); got != "L'adresse « a@b.fr » est déjà utilisée." {
		t.Errorf("Error() = %q", got)
	}
	if ErrorCode(err) != EConflict || ErrorCode(nil) != "" {
		t.Error("ErrorCode does not read the code")
	}
}

func BenchmarkFold(b *testing.B) {
	for _, s := range []string{"jean.dupont@exemple.fr Jean Dupont", "zoe.lefevre@exemple.fr Zoé Lefèvre"} {
		b.Run(s[:4], func(b *testing.B) {
			for b.Loop() {
				Fold(s)
			}
		})
	}
}

// TestSortKeyTrimKeepsTheOrder checks that trimmed keys order names exactly as the
// collator does, accents and case included.
func TestSortKeyTrimKeepsTheOrder(t *testing.T) {
	names := []string{"", "a", "à", "A", "ab", "abbé", "Abbe", "abbe", "abbé ", "cote", "côte", "coté", "côté", "Côté",
		"Lefèvre", "Lefevre", "Lefèvre\x00Anne", "Lefevre\x00Anne", "Lefèvre\x00Ànne", "Le Fèvre", "Le-Fèvre", "Œuvre", "oeuvre",
		"Zoé", "Zoe", "Zola", "Émile", "Emile", "emile", "Ézéchiel", "jean.dupont@exemple.fr", "jean.dupont#x@exemple.fr",
		"Ñandú", "Nandu", "Ünal", "Unal", "ß", "ss", "1", "10", "2"}
	c := collate.New(language.French, collate.IgnoreCase)
	for _, a := range names {
		for _, b := range names {
			want := c.CompareString(a, b)
			got := bytes.Compare(SortKey(a), SortKey(b))
			if want != got {
				t.Errorf("%q vs %q: keys compare %d, collator %d", a, b, got, want)
			}
		}
	}
	if full, trimmed := len(c.KeyFromString(new(collate.Buffer), "Lefèvre\x00Anne")), len(SortKey("Lefèvre\x00Anne")); trimmed >= full {
		t.Errorf("key not trimmed: %d bytes, full %d", trimmed, full)
	}
}

// TestNamesCountNumbers checks that the names of groups and courses sort their numbers
// by value, and that NameKey and CompareFrench agree.
func TestNamesCountNumbers(t *testing.T) {
	want := []string{"Âge", "Agence 1", "agence 2", "Agence 9", "Agence 10", "Agence 10 bis", "Agence 100", "Promo 2025", "Promo 2026", "Région 3/Agence 2", "Région 3/Agence 12", "Région 12"}
	got := slices.Clone(want)
	rand.Shuffle(len(got), func(i, j int) { got[i], got[j] = got[j], got[i] })
	slices.SortFunc(got, CompareFrench)
	if !slices.Equal(got, want) {
		t.Errorf("CompareFrench order %q", got)
	}
	rand.Shuffle(len(got), func(i, j int) { got[i], got[j] = got[j], got[i] })
	slices.SortFunc(got, func(a, b string) int { return bytes.Compare(NameKey(a), NameKey(b)) })
	if !slices.Equal(got, want) {
		t.Errorf("NameKey order %q", got)
	}
}
