package sqlite

import (
	"context"
	"database/sql"

	"convive/core"
)

// Audit returns the changes recorded for one entity ("user", "group",
// "organisation"…), oldest first. Membership changes are recorded on the user.
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
	return out, s.dbError(rows.Err())
}
