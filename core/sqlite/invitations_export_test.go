package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"convive/core"
)

// FillInvitations adds n invited users with one invitation each, a third of them into
// a subgroup and one in ten already accepted, directly through prepared statements, for
// benchmarks of the invitation views.
func FillInvitations(s *Store, n int) error {
	ctx := context.Background()
	g, err := s.EnsureGroupPath(ctx, "Ventes/Région Sud")
	if err != nil {
		return err
	}
	return s.write(ctx, func(tx *sql.Tx) error {
		ins, err := newUserInserter(ctx, tx)
		if err != nil {
			return err
		}
		defer ins.Close()
		inv, err := tx.PrepareContext(ctx, `INSERT INTO invitations (user_id, login, login_key, email, group_id, language, state, created, accepted_at)
			VALUES (?, ?, ?, ?, ?, 'fr', ?, ?, ?)`)
		if err != nil {
			return err
		}
		defer inv.Close()
		at := now() - int64(n)*1000
		for i := range n {
			a, err := core.ParseAddress(fmt.Sprintf("%s.%s%d@%s", core.Fold(fillFirst[i%len(fillFirst)]), core.Fold(fillLast[i%len(fillLast)]), i, fillDomains[i%len(fillDomains)]))
			if err != nil {
				return err
			}
			id, err := ins.insert(ctx, userRow{addr: a, first: fillFirst[i%len(fillFirst)], last: fillLast[i%len(fillLast)],
				language: core.LangFR, role: core.RoleLearner, status: core.StatusInvited, created: at + int64(i)*1000})
			if err != nil {
				return err
			}
			group, state, accepted := s.rootID, "pending", any(nil)
			if i%3 == 0 {
				group = g.ID
			}
			if i%10 == 0 {
				state, accepted = "accepted", at+int64(i)*1000
			}
			if _, err := inv.ExecContext(ctx, id, a.Login, a.Key, a.Email, group, state, at+int64(i)*1000, accepted); err != nil {
				return err
			}
		}
		return nil
	})
}
