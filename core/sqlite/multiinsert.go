package sqlite

import (
	"context"
	"database/sql"
	"strings"
)

// multiInsert writes rows with multi-row INSERT … VALUES statements: rows are added
// one by one, and flush writes them, a full statement at a time through one prepared
// statement, the shorter last one prepared on the spot.
type multiInsert struct {
	tx    *sql.Tx
	head  string // "INSERT INTO t (a, b) VALUES "
	tuple string // "(?, ?)"
	tail  string // what follows the values, e.g. " ON CONFLICT DO NOTHING"
	cols  int
	per   int
	stmt  *sql.Stmt
	args  []any
}

func newMultiInsert(tx *sql.Tx, head string, cols, per int, tail string) *multiInsert {
	return &multiInsert{tx: tx, head: head, tuple: "(?" + strings.Repeat(", ?", cols-1) + ")", tail: tail,
		cols: cols, per: per, args: make([]any, 0, cols*per)}
}

func (m *multiInsert) sql(rows int) string {
	return m.head + m.tuple + strings.Repeat(", "+m.tuple, rows-1) + m.tail
}

// add buffers one row of cols values.
func (m *multiInsert) add(values ...any) { m.args = append(m.args, values...) }

// put buffers one row and writes the statement once it is full.
func (m *multiInsert) put(ctx context.Context, values ...any) error {
	m.add(values...)
	if m.full() {
		return m.flush(ctx)
	}
	return nil
}

// full reports whether a whole statement is waiting.
func (m *multiInsert) full() bool { return len(m.args) >= m.cols*m.per }

// rowFailure is the failure of a multi-row statement, placed at the row (counted
// from the first one added since the last flush) that fails on its own.
type rowFailure struct {
	row int
	err error
}

func (e *rowFailure) Error() string { return e.err.Error() }
func (e *rowFailure) Unwrap() error { return e.err }

// flush writes the rows waiting. When a statement fails, its rows are written again
// one at a time, inside the same transaction, to find the one at fault: the error is
// then a *rowFailure. A failed statement leaves nothing behind, and the caller rolls
// the transaction back anyway.
func (m *multiInsert) flush(ctx context.Context) error {
	args := m.args
	defer func() {
		clear(m.args)
		m.args = m.args[:0]
	}()
	for len(args) > 0 {
		n := min(len(args)/m.cols, m.per)
		var err error
		if n == m.per {
			if m.stmt == nil {
				if m.stmt, err = m.tx.PrepareContext(ctx, m.sql(n)); err != nil {
					return err
				}
			}
			_, err = m.stmt.ExecContext(ctx, args[:n*m.cols]...)
		} else {
			_, err = m.tx.ExecContext(ctx, m.sql(n), args[:n*m.cols]...)
		}
		if err != nil {
			return m.locate(ctx, len(m.args)-len(args), args[:n*m.cols], err)
		}
		args = args[n*m.cols:]
	}
	return nil
}

func (m *multiInsert) locate(ctx context.Context, done int, args []any, err error) error {
	if ctx.Err() != nil {
		return err
	}
	one := m.sql(1)
	for i := 0; i < len(args); i += m.cols {
		if _, e := m.tx.ExecContext(ctx, one, args[i:i+m.cols]...); e != nil {
			return &rowFailure{row: (done + i) / m.cols, err: e}
		}
	}
	return err
}

func (m *multiInsert) close() {
	if m.stmt != nil {
		m.stmt.Close()
	}
}
