// Package sqlite keeps Convive's data in one SQLite file, through the pure-Go
// modernc.org/sqlite driver. It hides SQL behind the domain types of package core:
// every method takes and returns core values and fails with a *core.Error.
//
// The file is opened in WAL mode with foreign keys on, synchronous=FULL and a busy
// timeout. Writes go through a single connection, one transaction per change, each
// change writing its audit row in the same transaction; reads use a separate pool so
// that the GUI is never stuck behind a long write.
package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/user"
	"path/filepath"
	"strings"
	"time"

	"convive/core"

	sqlitedrv "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// Store is Convive's data in one SQLite file. It is safe for concurrent use.
type Store struct {
	path string
	w    *sql.DB // the one writer connection
	// hot holds the writes of the paths where every statement counts (the outbox's
	// state changes, audit rows), prepared once on the writer connection: parsing the
	// SQL again took as long as the rest of a state change.
	hot map[string]*sql.Stmt
	// senderID names this store when it holds the sending (lease.go)
	senderID string
	r        *sql.DB // readers
	who      string  // OS user name, written in audit rows

	rootID int64 // the Groupe général, which can be neither deleted nor moved
}

// DefaultPath returns where the data lives when nothing else is asked:
// os.UserConfigDir()/convive/convive.db.
func DefaultPath() (string, error) {
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", core.Errorf(core.EInternal, "store.no_config_dir",
			"Convive ne trouve pas le dossier de configuration de votre compte ({{.Cause}}) : indiquez l'emplacement des données avec --db ou la variable CONVIVE_DB.",
			map[string]any{"Cause": err.Error()}).Wrap(err)
	}
	return filepath.Join(dir, "convive", "convive.db"), nil
}

// Open opens the data file at path, creating its folder (mode 0700) and the file
// (mode 0600) when missing, and brings its schema up to date. A file that is not a
// Convive database, or that a newer Convive wrote, is refused and left untouched.
func Open(path string) (*Store, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fileError(path, err)
	}
	if err := os.MkdirAll(filepath.Dir(abs), 0o700); err != nil {
		return nil, fileError(abs, err)
	}
	if err := createFile(abs); err != nil {
		var ce *core.Error
		if errors.As(err, &ce) {
			return nil, err
		}
		return nil, fileError(abs, err)
	}
	if err := checkHeader(abs); err != nil {
		return nil, err
	}
	if err := probe(abs); err != nil {
		return nil, err
	}

	w, err := sql.Open("sqlite", dsn(abs, true))
	if err != nil {
		return nil, fileError(abs, err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	w.SetConnMaxIdleTime(0)
	s := &Store{path: abs, w: w, who: osUser(), senderID: newSenderID()}
	if err := s.migrate(context.Background()); err != nil {
		w.Close()
		return nil, err
	}
	if err := w.QueryRow(`SELECT id FROM groups WHERE parent_id IS NULL`).Scan(&s.rootID); err != nil {
		w.Close()
		return nil, s.dbError(err)
	}
	if err := s.prepareHot(); err != nil {
		w.Close()
		return nil, s.dbError(err)
	}
	r, err := sql.Open("sqlite", dsn(abs, false))
	if err != nil {
		w.Close()
		return nil, fileError(abs, err)
	}
	r.SetMaxOpenConns(4)
	r.SetMaxIdleConns(4)
	r.SetConnMaxIdleTime(0)
	s.r = r
	if err := r.Ping(); err != nil {
		s.Close()
		return nil, fileError(abs, err)
	}
	return s, nil
}

// writerCache is the page cache of the writer connection, in SQLite's units (a negative
// number of KiB): 128 MB. A bulk import lowers it to bulkCache for its transaction:
// 8 MB wrote 100 000 users as fast as 16 MB did, and the window's preview-then-import
// peaked 18 MB lower (BenchmarkPreviewThenCommit, 179 MB instead of 197).
const (
	writerCache = -131072
	bulkCache   = -8192
)

// dsn builds the driver's connection string. The writer takes its write lock at BEGIN
// (so two Convive processes wait for each other instead of failing half-way); readers
// are query_only so that no code path can write around the single writer.
func dsn(path string, writer bool) string {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "synchronous(FULL)")
	// 32 MB of page cache per connection instead of 2 MB: the sort indexes of 100 000
	// users are written and read in random order.
	q.Add("_pragma", "cache_size(-32000)")
	// Statement journals (every insert into users, because of its search index) and
	// sorts stay in memory rather than in temporary files.
	q.Add("_pragma", "temp_store(MEMORY)")
	if writer {
		// The writer gets more: a big transaction (10 000 invitations with their
		// mails) then stays in memory until its commit instead of spilling pages to
		// the WAL half-way; the memory is only taken when such a transaction needs it.
		q.Add("_pragma", fmt.Sprintf("cache_size(%d)", writerCache))
		q.Add("_pragma", "journal_mode(WAL)")
		q.Set("_txlock", "immediate")
	} else {
		q.Add("_pragma", "query_only(1)")
	}
	// A file: URI lets any character appear in the path (spaces, accents, "?", "#");
	// a Windows path C:\x becomes file:///C:/x.
	p := filepath.ToSlash(path)
	if !strings.HasPrefix(p, "/") {
		p = "/" + p
	}
	return "file://" + (&url.URL{Path: p}).EscapedPath() + "?" + q.Encode()
}

// createFile creates the data file with mode 0600 before SQLite sees it, so that it
// is never readable by others, not even for a moment. An existing file is tightened
// as far as its file system allows (a USB stick in FAT has no modes to change).
func createFile(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	switch {
	case err == nil:
		if err := f.Close(); err != nil {
			return err
		}
		return os.Chmod(path, 0o600) // whatever the umask
	case !errors.Is(err, os.ErrExist):
		return err
	}
	fi, err := os.Stat(path)
	if err != nil {
		return err
	}
	if fi.IsDir() {
		return core.Errorf(core.EInvalid, "store.is_dir",
			"« {{.Path}} » est un dossier, pas un fichier de données : indiquez un nom de fichier, par exemple {{.Example}}.",
			map[string]any{"Path": path, "Example": filepath.Join(path, "convive.db")})
	}
	_ = os.Chmod(path, 0o600)
	return nil
}

// sqliteMagic starts every SQLite database file.
const sqliteMagic = "SQLite format 3\x00"

// checkHeader refuses a file that is neither empty nor a SQLite database, before the
// driver gets a chance to touch it.
func checkHeader(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fileError(path, err)
	}
	defer f.Close()
	head := make([]byte, 100)
	n, err := f.Read(head)
	if n == 0 {
		return nil // new, empty file
	}
	if err != nil || n < len(sqliteMagic) || string(head[:len(sqliteMagic)]) != sqliteMagic {
		return notConvive(path)
	}
	return nil
}

// applicationID marks a database as Convive's (PRAGMA application_id, "CONV").
const applicationID = 0x434F4E56

// probe reads the schema version with a read-only connection and refuses a database
// this binary cannot use, without changing a byte of it.
func probe(path string) error {
	db, err := sql.Open("sqlite", dsn(path, false))
	if err != nil {
		return fileError(path, err)
	}
	defer db.Close()
	var version, appID, tables int
	err = db.QueryRow(`PRAGMA user_version`).Scan(&version)
	if err == nil {
		err = db.QueryRow(`PRAGMA application_id`).Scan(&appID)
	}
	if err == nil {
		err = db.QueryRow(`SELECT count(*) FROM sqlite_schema`).Scan(&tables)
	}
	if err != nil {
		var se *sqlitedrv.Error
		if errors.As(err, &se) && (se.Code()&0xff == sqlite3.SQLITE_NOTADB || se.Code()&0xff == sqlite3.SQLITE_CORRUPT) {
			return notConvive(path).Wrap(err)
		}
		return fileError(path, err)
	}
	switch {
	case version == 0 && tables > 0, version > 0 && appID != applicationID:
		return notConvive(path)
	case version > len(migrations):
		return core.Errorf(core.ESchema, "store.newer",
			"Ce fichier de données a été créé par une version plus récente de Convive (schéma {{.Found}}, cette version connaît {{.Known}}). Mettez Convive à jour.",
			map[string]any{"Found": version, "Known": len(migrations), "Path": path})
	}
	return nil
}

func notConvive(path string) *core.Error {
	return core.Errorf(core.ESchema, "store.not_convive",
		"Le fichier « {{.Path}} » n'est pas un fichier de données Convive. Choisissez un autre fichier, ou un nouveau nom pour en créer un.",
		map[string]any{"Path": path})
}

func fileError(path string, err error) *core.Error {
	return core.Errorf(core.EInternal, "store.open",
		"Convive n'a pas pu ouvrir son fichier de données « {{.Path}} » ({{.Cause}}). Vérifiez que le dossier existe et que vous avez le droit d'y écrire.",
		map[string]any{"Path": path, "Cause": err.Error()}).Wrap(err)
}

// osUser names the person at the keyboard in audit rows.
func osUser() string {
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username
	}
	for _, k := range []string{"USER", "USERNAME", "LOGNAME"} {
		if v := os.Getenv(k); v != "" {
			return v
		}
	}
	return "?"
}

// Close closes the file. The store cannot be used afterwards.
func (s *Store) Close() error {
	var errs []error
	for _, st := range s.hot {
		errs = append(errs, st.Close())
	}
	if s.r != nil {
		errs = append(errs, s.r.Close())
	}
	if s.w != nil {
		errs = append(errs, s.w.Close())
	}
	return errors.Join(errs...)
}

// Path returns the absolute path of the data file.
func (s *Store) Path() string { return s.path }

// querier is what both *sql.DB and *sql.Tx offer; read helpers take one so that a
// write can read its own changes inside its transaction.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// write runs fn in one transaction on the writer connection.
func (s *Store) write(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return s.dbError(err)
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		// A cancel can surface as whatever statement it interrupted ("statement is
		// closed"); the manager stopped the work, so say that.
		if cerr := ctx.Err(); cerr != nil {
			return errCancelled.Wrap(errors.Join(cerr, err))
		}
		return s.dbError(err)
	}
	if err := tx.Commit(); err != nil {
		return s.dbError(err)
	}
	return nil
}

// errCancelled says that the manager stopped the work and that nothing was written.
var errCancelled = core.Errorf(core.ECancelled, "store.cancelled", "L'opération a été interrompue\u00a0; rien n'a été enregistré.", nil)

// dbError turns a driver failure into a French *core.Error; a *core.Error passes as is.
func (s *Store) dbError(err error) error {
	if err == nil {
		return nil
	}
	var ce *core.Error
	if errors.As(err, &ce) {
		return err
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return core.Errorf(core.ECancelled, "store.cancelled", "L'opération a été interrompue ; rien n'a été enregistré.", nil).Wrap(err)
	}
	data := map[string]any{"Path": s.path, "Cause": err.Error()}
	var se *sqlitedrv.Error
	if errors.As(err, &se) {
		switch se.Code() & 0xff {
		case sqlite3.SQLITE_FULL:
			return core.Errorf(core.EInternal, "store.full",
				"Le disque est plein : Convive n'a rien pu enregistrer dans « {{.Path}} ». Libérez de la place, puis recommencez.", data).Wrap(err)
		case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED:
			return core.Errorf(core.EInternal, "store.busy",
				"Le fichier de données est occupé par un autre programme Convive depuis plus de 10 secondes ; rien n'a été enregistré. Réessayez dans un moment.", data).Wrap(err)
		case sqlite3.SQLITE_READONLY, sqlite3.SQLITE_PERM, sqlite3.SQLITE_CANTOPEN:
			return core.Errorf(core.EInternal, "store.readonly",
				"Convive n'a pas le droit d'écrire dans « {{.Path}} » ; rien n'a été enregistré. Vérifiez les droits du fichier et de son dossier.", data).Wrap(err)
		case sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB:
			return core.Errorf(core.EInternal, "store.corrupt",
				"Le fichier de données « {{.Path}} » est endommagé. Restaurez une sauvegarde ; n'y écrivez plus en attendant.", data).Wrap(err)
		}
	}
	return core.Errorf(core.EInternal, "store.failed",
		"Convive n'a pas pu lire ou écrire ses données dans « {{.Path}} » ({{.Cause}}).", data).Wrap(err)
}

// audit records one change in the transaction that makes it. detail is marshalled to
// JSON, usually {"before": {…}, "after": {…}} with the changed fields only.
func (s *Store) audit(ctx context.Context, tx *sql.Tx, now int64, action, entity string, id int64, detail any) error {
	b, err := json.Marshal(detail)
	if err != nil {
		return fmt.Errorf("audit detail of %s: %w", action, err)
	}
	_, err = s.execTx(ctx, tx, insertAuditSQL, now, s.who, action, entity, id, string(b))
	return err
}

const insertAuditSQL = `INSERT INTO audit (at, who, action, entity, entity_id, detail) VALUES (?, ?, ?, ?, ?, ?)`

// hotSQL are the statements prepareHot prepares.
var hotSQL = []string{insertAuditSQL, selectSendingSinceSQL, updateResultSQL, updateInvitationSentSQL, nextDueSQL, updateSendingSQL}

func (s *Store) prepareHot() error {
	s.hot = map[string]*sql.Stmt{}
	for _, q := range hotSQL {
		st, err := s.w.Prepare(q)
		if err != nil {
			return err
		}
		s.hot[q] = st
	}
	return nil
}

// execTx runs query in tx, through its prepared statement when it is a hot one.
func (s *Store) execTx(ctx context.Context, tx *sql.Tx, query string, args ...any) (sql.Result, error) {
	if st, ok := s.hot[query]; ok {
		return tx.StmtContext(ctx, st).ExecContext(ctx, args...)
	}
	return tx.ExecContext(ctx, query, args...)
}

// queryRowTx is QueryRowContext in tx, through the prepared statement of a hot query.
func (s *Store) queryRowTx(ctx context.Context, tx *sql.Tx, query string, args ...any) *sql.Row {
	if st, ok := s.hot[query]; ok {
		return tx.StmtContext(ctx, st).QueryRowContext(ctx, args...)
	}
	return tx.QueryRowContext(ctx, query, args...)
}

// auditWriter writes many audit rows in one transaction with one prepared statement,
// for the bulk paths (queueing thousands of mails) where preparing per row shows.
type auditWriter struct {
	s    *Store
	stmt *sql.Stmt
}

func (s *Store) auditWriter(ctx context.Context, tx *sql.Tx) (*auditWriter, error) {
	stmt, err := tx.PrepareContext(ctx,
		`INSERT INTO audit (at, who, action, entity, entity_id, detail) VALUES (?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return nil, err
	}
	return &auditWriter{s: s, stmt: stmt}, nil
}

func (a *auditWriter) write(ctx context.Context, now int64, action, entity string, id int64, detail any) error {
	b, err := json.Marshal(detail)
	if err != nil {
		return fmt.Errorf("audit detail of %s: %w", action, err)
	}
	_, err = a.stmt.ExecContext(ctx, now, a.s.who, action, entity, id, string(b))
	return err
}

func (a *auditWriter) Close() error { return a.stmt.Close() }

// change is the detail of an audit row.
type change struct {
	Before map[string]any `json:"before,omitempty"`
	After  map[string]any `json:"after,omitempty"`
}

// now returns the current time as stored: unix milliseconds, UTC.
func now() int64 { return time.Now().UnixMilli() }

// fromMillis turns a stored time back into a time.Time in UTC; 0 or NULL give zero.
func fromMillis(v sql.NullInt64) time.Time {
	if !v.Valid || v.Int64 == 0 {
		return time.Time{}
	}
	return time.UnixMilli(v.Int64).UTC()
}
