package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/socle/socle/internal/auth"
	"github.com/socle/socle/internal/errs"
)

// CreateSession stores a session; errs.Conflict if its hash exists,
// errs.NotFound if its user does not.
func (db *DB) CreateSession(ctx context.Context, s *auth.Session) error {
	if s.CreatedAt.IsZero() {
		s.CreatedAt = time.Now().UTC()
	}
	err := db.exec(ctx, `INSERT INTO sessions (token_hash, user_id, csrf, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)`,
		s.TokenHash, s.UserID, s.CSRF, s.CreatedAt, s.ExpiresAt)
	switch {
	case err == nil:
		return nil
	case isUniqueViolation(err):
		return errs.E(errs.Conflict, "session already exists")
	case isForeignKeyViolation(err):
		return errs.E(errs.NotFound, "user %d not found", s.UserID)
	}
	return fmt.Errorf("create session: %w", err)
}

func isForeignKeyViolation(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "23503"
}

// SessionByHash finds a session, expired or not, by the hash of its token.
func (db *DB) SessionByHash(ctx context.Context, hash string) (*auth.Session, error) {
	var s auth.Session
	err := db.queryRow(ctx, `SELECT token_hash, user_id, csrf, created_at, expires_at FROM sessions WHERE token_hash = $1`,
		[]any{hash}, &s.TokenHash, &s.UserID, &s.CSRF, &s.CreatedAt, &s.ExpiresAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, errs.E(errs.NotFound, "session not found")
	} else if err != nil {
		return nil, fmt.Errorf("session: %w", err)
	}
	s.CreatedAt, s.ExpiresAt = s.CreatedAt.UTC(), s.ExpiresAt.UTC()
	return &s, nil
}

// DeleteSession ends a session; ending one already gone is not an error.
func (db *DB) DeleteSession(ctx context.Context, hash string) error {
	if err := db.exec(ctx, `DELETE FROM sessions WHERE token_hash = $1`, hash); err != nil {
		return fmt.Errorf("delete session: %w", err)
	}
	return nil
}

// DeleteUserSessions ends every session of a user.
func (db *DB) DeleteUserSessions(ctx context.Context, userID int64) error {
	if err := db.exec(ctx, `DELETE FROM sessions WHERE user_id = $1`, userID); err != nil {
		return fmt.Errorf("delete user sessions: %w", err)
	}
	return nil
}

// DeleteExpiredSessions removes the sessions that expired before now and
// returns how many.
func (db *DB) DeleteExpiredSessions(ctx context.Context, now time.Time) (int64, error) {
	n, err := db.execCount(ctx, `DELETE FROM sessions WHERE expires_at < $1`, now)
	if err != nil {
		return 0, fmt.Errorf("delete expired sessions: %w", err)
	}
	return n, nil
}
