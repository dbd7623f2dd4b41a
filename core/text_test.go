package core

import (
	"bytes"
	"slices"
	"testing"
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
