package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"slices"
	"testing"
)

func TestMultiInsert(t *testing.T) {
	ctx := context.Background()
	db, err := sql.Open("sqlite", filepath.Join(t.TempDir(), "m.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`CREATE TABLE t (a INTEGER PRIMARY KEY, b TEXT NOT NULL CHECK (b <> 'non'))`); err != nil {
		t.Fatal(err)
	}
	read := func(tx *sql.Tx) []int64 {
		rows, err := tx.Query(`SELECT a FROM t ORDER BY a`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var out []int64
		for rows.Next() {
			var a int64
			rows.Scan(&a)
			out = append(out, a)
		}
		return out
	}

	t.Run("full statements and the shorter last one write every row once", func(t *testing.T) {
		tx, _ := db.Begin()
		defer tx.Rollback()
		m := newMultiInsert(tx, `INSERT INTO t (a, b) VALUES `, 2, 4, "")
		defer m.close()
		var want []int64
		for i := int64(1); i <= 10; i++ {
			m.add(i, "oui")
			want = append(want, i)
			if m.full() {
				if err := m.flush(ctx); err != nil {
					t.Fatal(err)
				}
			}
		}
		if err := m.flush(ctx); err != nil {
			t.Fatal(err)
		}
		if got := read(tx); !slices.Equal(got, want) {
			t.Errorf("rows %v, want %v", got, want)
		}
	})

	t.Run("a failing statement names its row among those added since the last flush", func(t *testing.T) {
		tx, _ := db.Begin()
		defer tx.Rollback()
		m := newMultiInsert(tx, `INSERT INTO t (a, b) VALUES `, 2, 3, "")
		defer m.close()
		for i := int64(1); i <= 7; i++ {
			b := "oui"
			if i == 5 {
				b = "non"
			}
			m.add(i, b)
		}
		err := m.flush(ctx)
		var rf *rowFailure
		if !errors.As(err, &rf) || rf.row != 4 {
			t.Fatalf("error %v, want a failure at row 4 (the fifth)", err)
		}
		if m.full() || len(m.args) != 0 {
			t.Error("the rows stay buffered after a failure")
		}
	})
}
