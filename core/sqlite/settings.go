package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"net/url"
	"strings"

	"convive/core"
)

// Settings keys of the organisation.
const (
	keyOrgName = "organisation.name"
	keyOrgURL  = "organisation.url"
)

// Setting returns the value stored under key, or "" when it is unset.
func (s *Store) Setting(ctx context.Context, key string) (string, error) {
	return s.setting(ctx, s.r, key)
}

func (s *Store) setting(ctx context.Context, q querier, key string) (string, error) {
	var v string
	err := q.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = ?`, key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", s.dbError(err)
	}
	return v, nil
}

// SetSetting stores value under key; an empty value removes the key. Settings are the
// GUI's preferences and are not audited.
func (s *Store) SetSetting(ctx context.Context, key, value string) error {
	if key == "" {
		return core.Errorf(core.EInvalid, "setting.key", "Le nom du réglage est vide.", nil)
	}
	return s.write(ctx, func(tx *sql.Tx) error {
		return setSetting(ctx, tx, key, value)
	})
}

func setSetting(ctx context.Context, tx *sql.Tx, key, value string) error {
	if value == "" {
		_, err := tx.ExecContext(ctx, `DELETE FROM settings WHERE key = ?`, key)
		return err
	}
	_, err := tx.ExecContext(ctx,
		`INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
		key, value)
	return err
}

// Organisation returns the organisation's name and platform URL (empty when unset).
func (s *Store) Organisation(ctx context.Context) (core.Organisation, error) {
	var o core.Organisation
	rows, err := s.r.QueryContext(ctx, `SELECT key, value FROM settings WHERE key IN (?, ?)`, keyOrgName, keyOrgURL)
	if err != nil {
		return o, s.dbError(err)
	}
	defer rows.Close()
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			return o, s.dbError(err)
		}
		if k == keyOrgName {
			o.Name = v
		} else {
			o.URL = v
		}
	}
	return o, s.dbError(rows.Err())
}

// SetOrganisation stores the organisation's name and platform URL. The URL, when
// given, must be a web address (http or https). The change is audited.
func (s *Store) SetOrganisation(ctx context.Context, o core.Organisation) error {
	o.Name = core.CleanName(o.Name)
	o.URL = strings.TrimSpace(o.URL)
	if o.URL != "" {
		u, err := url.Parse(o.URL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return core.Errorf(core.EInvalid, "organisation.url",
				"« {{.URL}} » n'est pas une adresse web : indiquez l'adresse complète de la plateforme, par exemple https://formation.example.fr.",
				map[string]any{"URL": o.URL})
		}
	}
	return s.write(ctx, func(tx *sql.Tx) error {
		oldName, err := s.setting(ctx, tx, keyOrgName)
		if err != nil {
			return err
		}
		oldURL, err := s.setting(ctx, tx, keyOrgURL)
		if err != nil {
			return err
		}
		c := change{Before: map[string]any{}, After: map[string]any{}}
		if oldName != o.Name {
			c.Before["name"], c.After["name"] = oldName, o.Name
		}
		if oldURL != o.URL {
			c.Before["url"], c.After["url"] = oldURL, o.URL
		}
		if len(c.After) == 0 {
			return nil
		}
		if err := setSetting(ctx, tx, keyOrgName, o.Name); err != nil {
			return err
		}
		if err := setSetting(ctx, tx, keyOrgURL, o.URL); err != nil {
			return err
		}
		return s.audit(ctx, tx, now(), "organisation.update", "organisation", 0, c)
	})
}

// Stats returns the counts of the Tableau de bord.
func (s *Store) Stats(ctx context.Context) (core.Stats, error) {
	var st core.Stats
	err := s.r.QueryRowContext(ctx, `SELECT
		(SELECT count(*) FROM users),
		(SELECT count(*) FROM groups WHERE parent_id IS NOT NULL),
		(SELECT count(*) FROM invitations WHERE state = 'pending'),
		(SELECT count(*) FROM outbox WHERE state IN ('queued', 'sending', 'unknown'))`).
		Scan(&st.Users, &st.Groups, &st.PendingInvitations, &st.OutboxWaiting)
	return st, s.dbError(err)
}
