package sheet

import (
	"reflect"
	"testing"
)

func TestHeaderNamesAreRecognised(t *testing.T) {
	for _, tc := range []struct {
		field Field
		group int
		names []string
	}{
		{FieldEmail, 0, []string{"E-mail", "email", "EMAIL", "Courriel", "Adresse e-mail", "adresse_email", "Mail", "Adresse électronique", "ADRESSE ÉLECTRONIQUE", "Email address", " e‑mail ", "Identifiant"}},
		{FieldFirstName, 0, []string{"Prénom", "prenom", "PRÉNOM", "First name", "firstname", "First_Name", "Given name"}},
		{FieldLastName, 0, []string{"Nom", "NOM", "Last name", "lastname", "Nom de famille", "Surname", "nom d'usage"}},
		{FieldGroup, 1, []string{"Groupe", "groupes", "Group", "Groups", "Sous-groupe"}},
		{FieldGroup, 2, []string{"Groupe 2", "groupe2", "Group 2", "GROUPE N° 2", "Groupes (2)"}},
		{FieldGroup, 12, []string{"groupe 12"}},
		{FieldLanguage, 0, []string{"Langue", "language", "LANGUE"}},
		{FieldRole, 0, []string{"Rôle", "role", "Profil", "ROLE"}},
		{FieldNone, 0, []string{"", "Téléphone", "Adresse", "Nom complet", "Service", "groupe x", "123"}},
	} {
		for _, n := range tc.names {
			if f, g := matchField(n); f != tc.field || g != tc.group {
				t.Errorf("%q: got %q/%d, want %q/%d", n, f, g, tc.field, tc.group)
			}
		}
	}
}

func TestMatchHeader(t *testing.T) {
	t.Run("unknown columns are kept with their header and position", func(t *testing.T) {
		m := MatchHeader([]string{"Nom", "Téléphone", "E-mail", "Service", "Groupe 2", "Groupe"})
		if !m.HasHeader || len(m.Columns) != 6 {
			t.Fatalf("mapping %+v", m)
		}
		unknown := m.Unknown()
		if len(unknown) != 2 || unknown[0].Header != "Téléphone" || unknown[0].Index != 1 || unknown[1].Name() != "Service" {
			t.Errorf("unknown columns %+v", unknown)
		}
		if m.Index(FieldEmail) != 2 || m.Index(FieldLastName) != 0 || m.Index(FieldFirstName) != -1 {
			t.Errorf("indexes: email %d, last name %d, first name %d", m.Index(FieldEmail), m.Index(FieldLastName), m.Index(FieldFirstName))
		}
		groups := m.GroupColumns()
		if len(groups) != 2 || groups[0].Index != 5 || groups[1].Index != 4 {
			t.Errorf("groups %+v", groups)
		}
	})
	t.Run("a field named twice keeps its first column", func(t *testing.T) {
		m := MatchHeader([]string{"Email", "Courriel", "Groupe", "Groupes"})
		if m.Columns[0].Field != FieldEmail || m.Columns[1].Field != FieldNone || m.Columns[3].Field != FieldNone {
			t.Errorf("mapping %+v", m.Columns)
		}
	})
	t.Run("a first row of data is not taken for a header", func(t *testing.T) {
		m := MatchHeader([]string{"Jean", "Dupont", "jean.dupont@exemple.fr", "Ventes"})
		if m.HasHeader {
			t.Fatal("HasHeader is true")
		}
		if m.Index(FieldEmail) != 2 || len(m.Unknown()) != 3 || m.Columns[0].Header != "" || m.Columns[0].Name() != "A" {
			t.Errorf("mapping %+v", m.Columns)
		}
	})
	t.Run("a column is re-mapped by hand", func(t *testing.T) {
		m := MatchHeader([]string{"Mél. pro", "Prénom", "Nom", "Courriel perso"})
		if m.Has(FieldEmail) {
			t.Fatalf("email found in %+v", m.Columns)
		}
		m2 := m.Set(0, FieldEmail)
		if m.Has(FieldEmail) {
			t.Error("Set changed the mapping it was called on")
		}
		if m2.Index(FieldEmail) != 0 || !m2.Columns[0].Manual {
			t.Errorf("after Set: %+v", m2.Columns)
		}
		m3 := m2.Set(3, FieldEmail)
		if m3.Index(FieldEmail) != 3 || m3.Columns[0].Field != FieldNone {
			t.Errorf("moving the e-mail column: %+v", m3.Columns)
		}
		m4 := m3.Set(0, FieldGroup).Set(2, FieldGroup).Set(1, FieldNone)
		if g := m4.GroupColumns(); len(g) != 2 || g[0].Index != 0 || g[1].Group != 2 || m4.Has(FieldFirstName) {
			t.Errorf("groups by hand: %+v", m4.Columns)
		}
		if m5 := m.Set(6, FieldRole); len(m5.Columns) != 7 || m5.Index(FieldRole) != 6 {
			t.Errorf("a column beyond the header: %+v", m5.Columns)
		}
	})
	t.Run("a record takes the mapped cells, trimmed, groups in order", func(t *testing.T) {
		m := MatchHeader([]string{"Groupe 2", "E-mail", "Prénom", "Groupe", "Langue"})
		r := m.Record([]string{"Nord", " anne@exemple.fr ", "Anne", "Ventes"})
		want := Record{Email: "anne@exemple.fr", FirstName: "Anne", Groups: []string{"Ventes", "Nord"}}
		if !reflect.DeepEqual(r, want) {
			t.Errorf("got %+v, want %+v", r, want)
		}
	})
}
