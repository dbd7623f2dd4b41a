package sqlite_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"convive/core"
	"convive/core/sqlite"
)

// A file made by the first schema, with users stored the old way, opens under the
// current one with every user as it was.
func TestMigrateFromSchema1(t *testing.T) {
	ctx := context.Background()
	init, err := os.ReadFile(filepath.Join("migrations", "0001_init.sql"))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "convive.db")
	rawExec(t, path, string(init)+`;
		PRAGMA user_version = 1;
		INSERT INTO users (id, login, login_key, email, email_key, first_name, last_name, fold, sort_last, sort_first, sort_login, created, updated)
		VALUES (7, 'Jean.Dupont#Formation@exemple.fr', 'jean.dupont#formation@exemple.fr', 'Jean.Dupont@exemple.fr', 'jean.dupont@exemple.fr',
		        'Jean', 'Dupont', 'jean.dupont#formation@exemple.fr jean dupont', X'01', X'02', X'03', 1, 1),
		       (8, 'anne@exemple.fr', 'anne@exemple.fr', 'anne@exemple.fr', 'anne@exemple.fr', 'Anne', 'Lefèvre', 'anne@exemple.fr anne lefevre', X'00', X'00', X'00', 1, 1);
		INSERT INTO users_search (rowid, fold) SELECT id, fold FROM users;
		INSERT INTO groups (id, parent_id, name, fold, sort_key, created, updated) VALUES (2, 1, 'Ventes', 'ventes', X'', 1, 1);
		INSERT INTO memberships (group_id, user_id, added) VALUES (2, 7, 1);`)
	s, err := sqlite.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	jean, err := s.UserByLogin(ctx, "jean.dupont#formation@exemple.fr")
	if err != nil {
		t.Fatal(err)
	}
	if jean.ID != 7 || jean.Email != "Jean.Dupont@exemple.fr" || jean.FirstName != "Jean" || len(jean.Groups) != 1 || jean.Groups[0] != "Ventes" {
		t.Errorf("jean = %+v", jean)
	}
	_, byEmail, err := s.UsersByKeys(ctx, nil, []string{"jean.dupont@exemple.fr"})
	if err != nil || byEmail["jean.dupont@exemple.fr"].ID != 7 {
		t.Errorf("by delivery address: %v, %v", byEmail, err)
	}
	found, err := s.Users(ctx, core.UserFilter{Search: "lefèvre"})
	if err != nil || len(found) != 1 || found[0].ID != 8 {
		t.Errorf("search after the migration: %+v, %v", found, err)
	}
	byLogin, err := s.Users(ctx, core.UserFilter{Sort: core.SortLogin})
	if err != nil || len(byLogin) != 2 || byLogin[0].ID != 8 {
		t.Errorf("sorted by login: %+v, %v", byLogin, err)
	}
}

// The delivery address stored in SQL is the one core.ParseAddress makes.
func TestStoredDeliveryAddress(t *testing.T) {
	ctx := context.Background()
	s := open(t)
	for _, login := range []string{"Jean.Dupont#Formation@Exemple.FR", "elodie#2@bücher.de", "plain@exemple.fr", "a#b#c@exemple.fr"} {
		a, err := core.ParseAddress(login)
		if err != nil {
			t.Fatal(err)
		}
		u, err := s.CreateUser(ctx, core.NewUser{Login: login})
		if err != nil {
			t.Fatalf("%s: %v", login, err)
		}
		if u.Email != a.Email {
			t.Errorf("%s: email %q, want %q", login, u.Email, a.Email)
		}
		_, byEmail, err := s.UsersByKeys(ctx, nil, []string{a.EmailKey()})
		if err != nil || byEmail[a.EmailKey()].ID != u.ID {
			t.Errorf("%s: not found by its delivery key %q: %v %v", login, a.EmailKey(), byEmail, err)
		}
	}
}
