package sheet

import (
	"path/filepath"
	"reflect"
	"testing"

	"github.com/xuri/excelize/v2"
)

func TestRejectedRowsWrittenAsATableReadBackAsTheyWere(t *testing.T) {
	header := []string{"E-mail", "Téléphone", "Matricule", "Motif du rejet"}
	rows := [][]string{
		{"jean.dupont@gmail", "0612345678", "1234567890123456789", "ligne 2, colonne E-mail : « jean.dupont@gmail » n'est pas une adresse valide"},
		{"", "", "", "ligne 3 : il manque l'adresse e-mail"},
		{"a;b@exemple.fr", "=1+1", "ligne 1\nligne 2", "adresse mal formée"},
	}
	for _, ext := range []string{".xlsx", ".csv"} {
		t.Run("as "+ext, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "rejets"+ext)
			if err := WriteTable(path, "Lignes rejetées: mai/juin", header, rows); err != nil {
				t.Fatal(err)
			}
			w, got, _ := openAll(t, path, Options{})
			want := []string{"E-mail|Téléphone|Matricule|Motif du rejet"}
			for _, r := range rows {
				want = append(want, joinCells(trimRow(append([]string(nil), r...))))
			}
			if !reflect.DeepEqual(cells(got), want) {
				t.Errorf("got\n%q\nwant\n%q", cells(got), want)
			}
			if ext == ".xlsx" && w.Sheets[0].Name != "Lignes rejetées- mai-juin" {
				t.Errorf("sheet name %q", w.Sheets[0].Name)
			}
		})
	}
	t.Run("formulas typed as text stay text in the workbook", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "rejets.xlsx")
		if err := WriteTable(path, "Rejets", header, rows); err != nil {
			t.Fatal(err)
		}
		f, err := excelize.OpenFile(path)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if formula, _ := f.GetCellFormula("Rejets", "B4"); formula != "" {
			t.Errorf("B4 became the formula %q", formula)
		}
	})
}

func joinCells(c []string) string { return cells([]Row{{Cells: c}})[0] }
