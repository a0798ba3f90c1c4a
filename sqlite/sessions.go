package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/socle/socle/internal/auth"
	"github.com/socle/socle/internal/errs"
)

// fmtOrdered formats a time that SQL compares or orders: fixed-width UTC
// text, so that text order is time order (RFC 3339 with trimmed fractions,
// as fmtTime writes, is not). parseTime reads it back.
func fmtOrdered(t time.Time) string { return t.UTC().Format(datetimeLayout) }

// CreateSession stores a session; errs.Conflict if its hash exists,
// errs.NotFound if its user does not.
func (db *DB) CreateSession(ctx context.Context, s *auth.Session) error {
	if s.CreatedAt.IsZero() {
		s.CreatedAt = time.Now().UTC()
	}
	_, err := db.write.ExecContext(ctx, `INSERT INTO sessions (token_hash, user_id, csrf, created_at, expires_at) VALUES (?, ?, ?, ?, ?)`,
		s.TokenHash, s.UserID, s.CSRF, fmtOrdered(s.CreatedAt), fmtOrdered(s.ExpiresAt))
	switch {
	case err == nil:
		return nil
	case strings.Contains(err.Error(), "UNIQUE"):
		return errs.E(errs.Conflict, "session already exists")
	case strings.Contains(err.Error(), "FOREIGN KEY"):
		return errs.E(errs.NotFound, "user %d not found", s.UserID)
	}
	return fmt.Errorf("create session: %w", err)
}

// SessionByHash finds a session, expired or not, by the hash of its token.
func (db *DB) SessionByHash(ctx context.Context, hash string) (*auth.Session, error) {
	var s auth.Session
	var created, expires string
	err := db.read.QueryRowContext(ctx, `SELECT token_hash, user_id, csrf, created_at, expires_at FROM sessions WHERE token_hash = ?`, hash).
		Scan(&s.TokenHash, &s.UserID, &s.CSRF, &created, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errs.E(errs.NotFound, "session not found")
	} else if err != nil {
		return nil, fmt.Errorf("session: %w", err)
	}
	s.CreatedAt, s.ExpiresAt = parseTime(created), parseTime(expires)
	return &s, nil
}

// DeleteSession ends a session; ending one already gone is not an error.
func (db *DB) DeleteSession(ctx context.Context, hash string) error {
	if _, err := db.write.ExecContext(ctx, `DELETE FROM sessions WHERE token_hash = ?`, hash); err != nil {
		return fmt.Errorf("delete session: %w", err)
	}
	return nil
}

// DeleteUserSessions ends every session of a user.
func (db *DB) DeleteUserSessions(ctx context.Context, userID int64) error {
	if _, err := db.write.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = ?`, userID); err != nil {
		return fmt.Errorf("delete user sessions: %w", err)
	}
	return nil
}

// DeleteExpiredSessions removes the sessions that expired before now and
// returns how many.
func (db *DB) DeleteExpiredSessions(ctx context.Context, now time.Time) (int64, error) {
	res, err := db.write.ExecContext(ctx, `DELETE FROM sessions WHERE expires_at < ?`, fmtOrdered(now))
	if err != nil {
		return 0, fmt.Errorf("delete expired sessions: %w", err)
	}
	return res.RowsAffected()
}
