package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"convive/core"
)

// Token purposes, as stored.
const (
	purposeInvitation = "invitation"
	purposeWelcome    = "welcome"
	purposeReset      = "reset"
)

// tokenWriter draws one-time tokens and keeps only their SHA-256.
type tokenWriter struct{ ins *sql.Stmt }

func newTokenWriter(ctx context.Context, tx *sql.Tx) (*tokenWriter, error) {
	ins, err := tx.PrepareContext(ctx, `INSERT INTO tokens (user_id, purpose, hash, created, expires) VALUES (?, ?, ?, ?, ?)`)
	if err != nil {
		return nil, err
	}
	return &tokenWriter{ins: ins}, nil
}

// issue draws a token for userID and stores its hash; the secret is returned for the
// link of the mail and kept nowhere.
func (w *tokenWriter) issue(ctx context.Context, userID int64, purpose string, at int64, expires time.Time) (string, error) {
	t, err := core.NewToken()
	if err != nil {
		return "", err
	}
	if _, err := w.ins.ExecContext(ctx, userID, purpose, t.Hash[:], at, expires.UnixMilli()); err != nil {
		return "", err
	}
	return t.Secret, nil
}

func (w *tokenWriter) close() error { return w.ins.Close() }

// TokenUser returns the user a one-time link belongs to, when the token exists for
// that purpose ("invitation", "welcome" or "reset"), has not expired and was not used
// or revoked. The token is looked up by its SHA-256; the store never held it.
func (s *Store) TokenUser(ctx context.Context, secret, purpose string) (int64, error) {
	h := core.HashToken(secret)
	var user int64
	var expires int64
	var used sql.NullInt64
	err := s.r.QueryRowContext(ctx, `SELECT user_id, expires, used_at FROM tokens WHERE hash = ? AND purpose = ?`, h[:], purpose).
		Scan(&user, &expires, &used)
	invalid := core.Errorf(core.ENotFound, "token.invalid", "Ce lien n'est pas valable\u00a0: il a expiré, a déjà servi ou a été annulé.", nil)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, invalid
	}
	if err != nil {
		return 0, s.dbError(err)
	}
	if used.Valid || expires <= now() {
		return 0, invalid
	}
	return user, nil
}

// revokeTokens marks the unused tokens of a purpose of the given users as used, so
// that the links of a cancelled invitation stop working. usersJSON is a JSON array.
func revokeTokens(ctx context.Context, tx *sql.Tx, usersJSON, purpose string, at int64) error {
	_, err := tx.ExecContext(ctx, `UPDATE tokens SET used_at = ? WHERE purpose = ? AND used_at IS NULL
		AND user_id IN (SELECT value FROM json_each(?))`, at, purpose, usersJSON)
	return err
}
