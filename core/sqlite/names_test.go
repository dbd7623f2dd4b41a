package sqlite_test

import (
	"context"
	"database/sql"
	"slices"
	"testing"
	"time"

	"convive/core"
)

// TestNumberedNamesSortByValue checks that groups, courses and sessions numbered by
// their managers come in the order of their numbers, also in a file whose stored sort
// keys were written by an older version (which put « Agence 10 » before « Agence 2 »).
func TestNumberedNamesSortByValue(t *testing.T) {
	ctx := context.Background()
	s := open(t)
	path := s.Path()
	opens := time.Date(2030, 1, 12, 9, 0, 0, 0, time.Local)
	for _, name := range []string{"Agence 10", "Agence 2", "Agence 1"} {
		if _, err := s.EnsureGroupPath(ctx, "Région 3/"+name); err != nil {
			t.Fatal(err)
		}
		c, err := s.CreateCourse(ctx, "Promo "+name[len("Agence "):])
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.CreateSession(ctx, core.Session{CourseID: c.ID, Name: "Janvier", Opens: opens}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.EnsureGroupPath(ctx, "Région 12"); err != nil {
		t.Fatal(err)
	}

	check := func(t *testing.T) {
		t.Helper()
		groups, err := s.Groups(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var paths []string
		for _, g := range groups[1:] {
			paths = append(paths, g.Path)
		}
		if want := []string{"Région 3", "Région 3/Agence 1", "Région 3/Agence 2", "Région 3/Agence 10", "Région 12"}; !slices.Equal(paths, want) {
			t.Errorf("groups %q, want %q", paths, want)
		}
		courses, err := s.Courses(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, c := range courses {
			names = append(names, c.Name)
		}
		if want := []string{"Promo 1", "Promo 2", "Promo 10"}; !slices.Equal(names, want) {
			t.Errorf("courses %q, want %q", names, want)
		}
		sessions, err := s.Sessions(ctx, 0)
		if err != nil {
			t.Fatal(err)
		}
		names = names[:0]
		for _, ss := range sessions {
			names = append(names, ss.Course)
		}
		if want := []string{"Promo 1", "Promo 2", "Promo 10"}; !slices.Equal(names, want) {
			t.Errorf("sessions of %q, want %q", names, want)
		}
	}
	t.Run("in a new file", check)

	t.Run("in a file whose sort keys an older version wrote", func(t *testing.T) {
		s.Close()
		db, err := sql.Open("sqlite", "file:"+path)
		if err != nil {
			t.Fatal(err)
		}
		for _, table := range []string{"groups", "courses"} {
			rows, err := db.Query(`SELECT id, name FROM ` + table)
			if err != nil {
				t.Fatal(err)
			}
			keys := map[int64][]byte{}
			for rows.Next() {
				var id int64
				var name string
				if err := rows.Scan(&id, &name); err != nil {
					t.Fatal(err)
				}
				keys[id] = core.SortKey(name)
			}
			rows.Close()
			for id, k := range keys {
				if _, err := db.Exec(`UPDATE `+table+` SET sort_key = ? WHERE id = ?`, k, id); err != nil {
					t.Fatal(err)
				}
			}
		}
		db.Close()
		s = reopen(t, path)
		t.Cleanup(func() { s.Close() })
		check(t)
	})
}
