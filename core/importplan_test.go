package core

import (
	"context"
	"fmt"
	"strings"
	"testing"
)

// fakeLookup stands for the store: accounts by login key and delivery key.
type fakeLookup struct {
	users []User
	calls int
}

func (f *fakeLookup) UsersByKeys(_ context.Context, loginKeys, emailKeys []string) (map[string]User, map[string]User, error) {
	f.calls++
	byLogin, byEmail := map[string]User{}, map[string]User{}
	for _, u := range f.users {
		a, _ := ParseAddress(u.Login)
		for _, k := range loginKeys {
			if k == a.Key {
				byLogin[k] = u
			}
		}
		for _, k := range emailKeys {
			if k == a.EmailKey() {
				byEmail[k] = u
			}
		}
	}
	return byLogin, byEmail, nil
}

var testColumns = []Column{
	{0, "E-mail", FieldEmail}, {1, "Prénom", FieldFirstName}, {2, "Nom", FieldLastName},
	{3, "Groupe", FieldGroup}, {4, "Langue", FieldLanguage}, {5, "Rôle", FieldRole}, {6, "Matricule", FieldIgnore},
}

func plan(t *testing.T, opts ImportOptions, existing []User, rows ...[]string) *ImportPlan {
	t.Helper()
	p, err := NewPlanner(testColumns, opts, "Académie")
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range rows {
		p.Add(i+2, r)
	}
	out, err := p.Finish(context.Background(), &fakeLookup{users: existing})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestPlannerGivesEachRowOneStatus(t *testing.T) {
	existing := []User{
		{ID: 1, Login: "anne@exemple.fr", FirstName: "Anne", LastName: "Martin", Language: LangFR, Role: RoleLearner},
		{ID: 2, Login: "paul@exemple.fr", FirstName: "Paul", LastName: "Durand", Language: LangFR, Role: RoleLearner, Groups: []string{"Ventes"}},
		{ID: 3, Login: "jean.dupont#autre@gmail.com", FirstName: "Jean", LastName: "Dupont", Language: LangFR, Role: RoleLearner},
	}
	p := plan(t, ImportOptions{Mode: ModeUpsert}, existing,
		[]string{"zoe@exemple.fr", "Zoé", "Lefèvre", "Ventes/Région Sud", "anglais", "formateur", "123"},
		[]string{"", "", "", "", "", "", ""},
		[]string{"ANNE@Exemple.fr", "Anne", "Martin-Roux", "", "", "", ""},
		[]string{"paul@exemple.fr", "Paul", "", "ventes", "", "", ""},
		[]string{"zoe@EXEMPLE.fr", "Zoé", "", "", "", "", ""},
		[]string{"jean.dupont@gmail", "Jean", "", "", "", "", ""},
		[]string{"marc@exemple.fr", "", "", "", "klingon", "", ""},
		[]string{"jean.dupont@gmail.com", "Jean", "Dupont", "", "", "", ""},
	)
	want := map[int]RowStatus{2: RowNew, 4: RowUpdate, 5: RowUnchanged, 6: RowDuplicate, 7: RowInvalid, 8: RowInvalid, 9: RowNew}
	for _, r := range p.Rows {
		if r.Status != want[r.Line] {
			t.Errorf("line %d: status %s, want %s (%v)", r.Line, r.Status, want[r.Line], r.Problems)
		}
	}
	if p.Blank != 1 || p.LastLine != 9 || p.New != 2 || p.Updated != 1 || p.Unchanged != 1 || p.Duplicate != 1 || p.Invalid != 2 {
		t.Errorf("counts: %+v", *p)
	}
	zoe := p.Rows[0]
	if zoe.Language != LangEN || zoe.Role != RoleCoach || len(zoe.Groups) != 1 || zoe.Groups[0] != "Ventes/Région Sud" {
		t.Errorf("fields of the first row: %+v", zoe)
	}
	if got := p.Rows[1].Changes; len(got) != 1 || got[0] != "nom" {
		t.Errorf("the update should change the last name only: %v", got)
	}
	if msg := p.Rows[4].Problems[0].Message; !strings.HasPrefix(msg, "Ligne 7, colonne E-mail\u00a0: ") || !strings.Contains(msg, "jean.dupont@gmail") {
		t.Errorf("message does not say where: %q", msg)
	}
	if msg := p.Rows[3].Problems[0].Message; !strings.Contains(msg, "ligne 2") {
		t.Errorf("duplicate message should name the first line: %q", msg)
	}
	if msg := p.Rows[5].Problems[0].Message; !strings.Contains(msg, "colonne Langue") || !strings.Contains(msg, "klingon") {
		t.Errorf("language message: %q", msg)
	}
	jean := p.Rows[6]
	if len(jean.Warnings) != 1 || !strings.Contains(jean.Warnings[0].Message, "jean.dupont#academie@gmail.com") {
		t.Errorf("an address used by another account should get the alias suggestion: %+v", jean.Warnings)
	}
}

func TestPlannerModes(t *testing.T) {
	existing := []User{{ID: 1, Login: "anne@exemple.fr", FirstName: "Anne"}}
	rows := [][]string{{"anne@exemple.fr", "Annie"}, {"new@exemple.fr", "Nouveau"}}
	create := plan(t, ImportOptions{Mode: ModeCreate}, existing, rows...)
	if create.Rows[0].Status != RowUnchanged || create.Rows[1].Status != RowNew {
		t.Errorf("create only: %s %s", create.Rows[0].Status, create.Rows[1].Status)
	}
	update := plan(t, ImportOptions{Mode: ModeUpdate}, existing, rows...)
	if update.Rows[0].Status != RowUpdate || update.Rows[1].Status != RowInvalid {
		t.Errorf("update only: %s %s", update.Rows[0].Status, update.Rows[1].Status)
	}
	if update.Writable() != 1 {
		t.Errorf("writable = %d", update.Writable())
	}
}

func TestPlannerDefaultGroupsAndGroupCells(t *testing.T) {
	p := plan(t, ImportOptions{DefaultGroups: []string{"Groupe général/Nouveaux"}}, nil,
		[]string{"a@exemple.fr", "", "", " Ventes / Sud ; Support", "", "", ""},
		[]string{"b@exemple.fr", "", "", "Ventes//Sud", "", "", ""},
	)
	if g := p.Rows[0].Groups; len(g) != 3 || g[0] != "Nouveaux" || g[1] != "Ventes/Sud" || g[2] != "Support" {
		t.Errorf("groups = %q", g)
	}
	if p.Rows[1].Status != RowInvalid || p.Rows[1].Problems[0].Column != "Groupe" {
		t.Errorf("an empty path part should be refused in the Groupe column: %+v", p.Rows[1])
	}
}

func TestPlannerWithoutEmailColumnIsRefused(t *testing.T) {
	_, err := NewPlanner([]Column{{0, "Nom", FieldLastName}}, ImportOptions{}, "")
	if ErrorCode(err) != EInvalid || !strings.Contains(err.Error(), "E-mail") {
		t.Fatalf("err = %v", err)
	}
}

func TestPlannerLooksUpInChunks(t *testing.T) {
	p, _ := NewPlanner(testColumns, ImportOptions{}, "")
	for i := 0; i < 10_000; i++ {
		p.Add(i+2, []string{"same@exemple.fr"})
	}
	for i := 0; i < 1200; i++ {
		p.Add(i+10_002, []string{fmt.Sprintf("u%d@exemple.fr", i)})
	}
	f := &fakeLookup{}
	out, err := p.Finish(context.Background(), f)
	if err != nil {
		t.Fatal(err)
	}
	if out.Duplicate != 9999 || out.New != 1201 {
		t.Errorf("counts: new %d duplicates %d", out.New, out.Duplicate)
	}
	if f.calls != 3 {
		t.Errorf("lookups = %d, want 3 chunks of at most 500 keys", f.calls)
	}
}

func TestSuggestDomain(t *testing.T) {
	for in, want := range map[string]string{
		"jean@gmial.com":     "jean@gmail.com",
		"jean@gmail.con":     "jean@gmail.com",
		"jean@hotmial.fr":    "jean@hotmail.fr",
		"jean@orange.fr":     "",
		"jean@gmail.fr":      "",
		"jean@hotmail.de":    "",
		"jean@entreprise.fr": "",
		"jean@laposte.ent":   "jean@laposte.net",
	} {
		if got := SuggestDomain(in); got != want {
			t.Errorf("SuggestDomain(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestParseLanguageAndRole(t *testing.T) {
	if l, ok := ParseLanguage(" Français "); !ok || l != LangFR {
		t.Error("Français")
	}
	if l, ok := ParseLanguage("EN"); !ok || l != LangEN {
		t.Error("EN")
	}
	if r, ok := ParseRole("Formatrice"); !ok || r != RoleCoach {
		t.Error("Formatrice")
	}
	if _, ok := ParseRole("chef"); ok {
		t.Error("chef accepted")
	}
}
