package sqlite

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"slices"

	"convive/core"
)

// Audit returns the changes recorded for one entity ("user", "group",
// "organisation"…), oldest first. Membership changes are recorded on the user. The
// creation of a user by an import is recorded once for the whole batch; it is given
// back here as that user's "user.create" entry, with the row of the sheet.
func (s *Store) Audit(ctx context.Context, entity string, id int64) ([]core.AuditEntry, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT id, at, who, action, entity, entity_id, detail, coalesce(batch_id, 0)
		FROM audit WHERE entity = ? AND entity_id = ? ORDER BY id`, entity, id)
	if err != nil {
		return nil, s.dbError(err)
	}
	defer rows.Close()
	out := []core.AuditEntry{}
	for rows.Next() {
		var e core.AuditEntry
		var at sql.NullInt64
		if err := rows.Scan(&e.ID, &at, &e.Who, &e.Action, &e.Entity, &e.EntityID, &e.Detail, &e.BatchID); err != nil {
			return nil, s.dbError(err)
		}
		e.At = fromMillis(at)
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, s.dbError(err)
	}
	if entity == "user" && !slices.ContainsFunc(out, func(e core.AuditEntry) bool { return e.Action == "user.create" }) {
		e, ok, err := s.importCreation(ctx, id)
		if err != nil {
			return nil, s.dbError(err)
		}
		if ok {
			i, _ := slices.BinarySearchFunc(out, e.ID, func(a core.AuditEntry, id int64) int { return cmp.Compare(a.ID, id) })
			out = slices.Insert(out, i, e)
		}
	}
	return out, nil
}

// importCreation is the creation entry of a user made by an import, from the audit
// row of its batch.
func (s *Store) importCreation(ctx context.Context, user int64) (core.AuditEntry, bool, error) {
	e := core.AuditEntry{Action: "user.create", Entity: "user", EntityID: user}
	var at sql.NullInt64
	var detail string
	err := s.r.QueryRowContext(ctx, `SELECT a.id, a.at, a.who, a.detail, u.batch_id FROM users u
		JOIN audit a ON a.action = 'batch.import' AND a.entity = 'batch' AND a.entity_id = u.batch_id
		WHERE u.id = ?`, user).Scan(&e.ID, &at, &e.Who, &detail, &e.BatchID)
	if errors.Is(err, sql.ErrNoRows) {
		return e, false, nil
	}
	if err != nil {
		return e, false, err
	}
	e.At = fromMillis(at)
	var d batchDetail
	if err := json.Unmarshal([]byte(detail), &d); err != nil {
		return e, false, err
	}
	line, _ := d.Created.line(user)
	b, err := json.Marshal(map[string]any{"line": line})
	e.Detail = string(b)
	return e, true, err
}
