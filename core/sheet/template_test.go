package sheet

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"convive/core"
)

func TestTheTemplateReadsBackUnchanged(t *testing.T) {
	wantRecord := Record{Email: ExampleEmail, FirstName: "Jeanne", LastName: "Martin", Language: "Français", Role: "Apprenant",
		Groups: []string{"Ventes/Région Sud", "Nouveaux arrivants"}}
	for _, ext := range []string{".xlsx", ".csv"} {
		t.Run("as "+ext, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "modele"+ext)
			if err := WriteTemplate(path); err != nil {
				t.Fatal(err)
			}
			w, rows, totals := openAll(t, path, Options{})
			if len(rows) != 2 || totals.Blank != 0 {
				t.Fatalf("rows %q", cells(rows))
			}
			m := MatchHeader(rows[0].Cells)
			if !m.HasHeader || len(m.Unknown()) != 0 {
				t.Errorf("header not fully recognised: %+v", m.Columns)
			}
			for _, f := range Fields {
				if !m.Has(f) {
					t.Errorf("no column for %s", f)
				}
			}
			if r := m.Record(rows[1].Cells); !reflect.DeepEqual(r, wantRecord) {
				t.Errorf("example row reads %+v", r)
			}
			if ext == ".xlsx" && (w.Sheets[w.Default].Name != TemplateSheet || !reflect.DeepEqual(w.SheetNames(), []string{TemplateSheet, InstructionsSheet})) {
				t.Errorf("sheets %q, default %d", w.SheetNames(), w.Default)
			}
			if ext == ".csv" && (w.Encoding != EncodingUTF8BOM || w.Delimiter != ';') {
				t.Errorf("csv encoding %q delimiter %q", w.Encoding, w.Delimiter)
			}
		})
	}
}

func TestTheXLSXTemplateHasDropdownsAndInstructions(t *testing.T) {
	path := filepath.Join(t.TempDir(), "modele.xlsx")
	if err := WriteTemplate(path); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	dvs, err := f.GetDataValidations(TemplateSheet)
	if err != nil {
		t.Fatal(err)
	}
	lists := map[string]string{}
	for _, dv := range dvs {
		lists[dv.Sqref] = dv.Formula1
	}
	for sqref, want := range map[string][]string{"F2:F1048576": {"Français", "Anglais"}, "G2:G1048576": {"Apprenant", "Formateur", "Administrateur"}} {
		got := lists[sqref]
		for _, v := range want {
			if !strings.Contains(got, v) {
				t.Errorf("dropdown %s is %q, it lacks %q", sqref, got, v)
			}
		}
	}
	head, _ := f.GetCellStyle(TemplateSheet, "A1")
	if head == 0 {
		t.Error("the header row is not styled")
	}
	if w, _ := f.GetColWidth(TemplateSheet, "A"); w < 25 {
		t.Errorf("e-mail column width %v", w)
	}
	rows, err := f.GetRows(InstructionsSheet)
	if err != nil {
		t.Fatal(err)
	}
	text := ""
	for _, r := range rows {
		text += strings.Join(r, " ") + "\n"
	}
	for _, col := range templateHeader {
		if !strings.Contains(text, col) {
			t.Errorf("the instructions do not explain %q", col)
		}
	}
	if !strings.Contains(text, "Groupe\u00a0général") && !strings.Contains(text, "Groupe général") {
		t.Error("the instructions do not mention the Groupe général")
	}
	if strings.Contains(text, "« ") || strings.Contains(text, " :") {
		t.Error("the instructions have ordinary spaces where French wants non-breaking ones")
	}
}

func TestTheCSVTemplateOpensRightInFrenchExcel(t *testing.T) {
	path := filepath.Join(t.TempDir(), "modele.csv")
	if err := WriteTemplate(path); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(path)
	if !bytes.HasPrefix(data, []byte("\xEF\xBB\xBFE-mail;Prénom;Nom;Groupe;Groupe 2;Langue;Rôle\r\n")) {
		t.Errorf("starts with %q", data[:min(len(data), 60)])
	}
}

func TestTemplateRefusesOtherExtensions(t *testing.T) {
	err := WriteTemplate(filepath.Join(t.TempDir(), "modele.ods"))
	if core.ErrorCode(err) != core.EInvalid || !strings.Contains(err.Error(), "modele.xlsx") {
		t.Errorf("got %v", err)
	}
}
