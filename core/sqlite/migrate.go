package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"

	"convive/core"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// migration is one schema step; applying migrations[i] brings the schema to i+1.
type migration struct {
	version int
	name    string
	sql     string
}

// migrations lists the embedded SQL files in order. Their names start with their
// version number (0001_init.sql); a gap or a duplicate is a build mistake and panics.
var migrations = loadMigrations()

func loadMigrations() []migration {
	names, err := fs.Glob(migrationFS, "migrations/*.sql")
	if err != nil {
		panic(err)
	}
	sort.Strings(names)
	var ms []migration
	for i, name := range names {
		base := strings.TrimPrefix(name, "migrations/")
		num, _, _ := strings.Cut(base, "_")
		v, err := strconv.Atoi(num)
		if err != nil || v != i+1 {
			panic(fmt.Sprintf("sqlite: migration %s out of sequence (want %04d)", base, i+1))
		}
		b, err := migrationFS.ReadFile(name)
		if err != nil {
			panic(err)
		}
		ms = append(ms, migration{version: v, name: base, sql: string(b)})
	}
	return ms
}

// migrate applies the missing migrations, each in its own transaction that also sets
// PRAGMA user_version, so that a crash leaves the file at one version or the next.
func (s *Store) migrate(ctx context.Context) error {
	var current int
	if err := s.w.QueryRowContext(ctx, `PRAGMA user_version`).Scan(&current); err != nil {
		return s.dbError(err)
	}
	if current > len(migrations) {
		// Checked by probe already; another process may have upgraded it since.
		return core.Errorf(core.ESchema, "store.newer",
			"Ce fichier de données a été créé par une version plus récente de Convive (schéma {{.Found}}, cette version connaît {{.Known}}). Mettez Convive à jour.",
			map[string]any{"Found": current, "Known": len(migrations), "Path": s.path})
	}
	for _, m := range migrations[current:] {
		err := s.write(ctx, func(tx *sql.Tx) error {
			var v int
			// Re-read inside the write lock: another Convive may have migrated meanwhile.
			if err := tx.QueryRowContext(ctx, `PRAGMA user_version`).Scan(&v); err != nil {
				return err
			}
			if v >= m.version {
				return nil
			}
			if _, err := tx.ExecContext(ctx, m.sql); err != nil {
				return fmt.Errorf("migration %s: %w", m.name, err)
			}
			_, err := tx.ExecContext(ctx, fmt.Sprintf(`PRAGMA user_version = %d`, m.version))
			return err
		})
		if err != nil {
			return core.Errorf(core.ESchema, "store.migrate",
				"Convive n'a pas pu mettre à jour le fichier de données « {{.Path}} » vers le schéma {{.Version}} ({{.Cause}}). Le fichier est resté dans son état précédent.",
				map[string]any{"Path": s.path, "Version": m.version, "Cause": core.ErrorMessage(err)}).Wrap(err)
		}
	}
	return nil
}
