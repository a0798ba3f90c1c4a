package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/socle/socle/internal/auth"
	"github.com/socle/socle/internal/errs"
)

const userColumns = `id, login, name, role, org, password_hash, disabled, created_at`

// CreateUser inserts a user and sets its ID.
func (db *DB) CreateUser(ctx context.Context, u *auth.User) error {
	if u.CreatedAt.IsZero() {
		u.CreatedAt = time.Now().UTC()
	}
	err := db.queryRow(ctx, `INSERT INTO users (login, name, role, org, password_hash, disabled, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
		[]any{u.Login, u.Name, string(u.Role), u.Org, u.PasswordHash, u.Disabled, u.CreatedAt}, &u.ID)
	if isUniqueViolation(err) {
		return errs.E(errs.Conflict, "user %q already exists", u.Login)
	} else if err != nil {
		return fmt.Errorf("create user: %w", err)
	}
	return nil
}

// UpdateUser saves a user's name, role, organization, password and status.
func (db *DB) UpdateUser(ctx context.Context, u *auth.User) error {
	n, err := db.execCount(ctx, `UPDATE users SET name = $1, role = $2, org = $3, password_hash = $4, disabled = $5 WHERE id = $6`,
		u.Name, string(u.Role), u.Org, u.PasswordHash, u.Disabled, u.ID)
	if err != nil {
		return fmt.Errorf("update user: %w", err)
	}
	if n == 0 {
		return errs.E(errs.NotFound, "user %d not found", u.ID)
	}
	return nil
}

// UserByLogin finds a user by login.
func (db *DB) UserByLogin(ctx context.Context, login string) (*auth.User, error) {
	return db.user(ctx, `login = $1`, login)
}

// UserByID finds a user by ID.
func (db *DB) UserByID(ctx context.Context, id int64) (*auth.User, error) {
	return db.user(ctx, `id = $1`, id)
}

func (db *DB) user(ctx context.Context, where string, arg any) (*auth.User, error) {
	var u *auth.User
	err := db.pool.with(ctx, func(c *pgx.Conn) error {
		var err error
		u, err = scanUser(c.QueryRow(ctx, `SELECT `+userColumns+` FROM users WHERE `+where, arg))
		return err
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, errs.E(errs.NotFound, "user not found")
	} else if err != nil {
		return nil, fmt.Errorf("user: %w", err)
	}
	return u, nil
}

// Users lists users by login.
func (db *DB) Users(ctx context.Context) ([]*auth.User, error) {
	var out []*auth.User
	err := db.query(ctx, `SELECT `+userColumns+` FROM users ORDER BY login`, nil, func(r pgx.Rows) error {
		u, err := scanUser(r)
		out = append(out, u)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("users: %w", err)
	}
	return out, nil
}

func scanUser(s pgx.Row) (*auth.User, error) {
	var u auth.User
	var role string
	if err := s.Scan(&u.ID, &u.Login, &u.Name, &role, &u.Org, &u.PasswordHash, &u.Disabled, &u.CreatedAt); err != nil {
		return nil, err
	}
	u.Role, u.CreatedAt = auth.Role(role), u.CreatedAt.UTC()
	return &u, nil
}

// CreateAPIKey stores a key's hash and sets its ID.
func (db *DB) CreateAPIKey(ctx context.Context, k *auth.APIKey) error {
	if k.CreatedAt.IsZero() {
		k.CreatedAt = time.Now().UTC()
	}
	err := db.queryRow(ctx, `INSERT INTO api_keys (user_id, prefix, hash, label, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
		[]any{k.UserID, k.Prefix, k.Hash, k.Label, k.CreatedAt}, &k.ID)
	if isUniqueViolation(err) {
		return errs.E(errs.Conflict, "api key already exists")
	} else if err != nil {
		return fmt.Errorf("create api key: %w", err)
	}
	return nil
}

const keyColumns = `id, user_id, prefix, hash, label, created_at, revoked_at, last_used`

// APIKeyByHash finds a key by the hash of its secret.
func (db *DB) APIKeyByHash(ctx context.Context, hash string) (*auth.APIKey, error) {
	var k *auth.APIKey
	err := db.pool.with(ctx, func(c *pgx.Conn) error {
		var err error
		k, err = scanKey(c.QueryRow(ctx, `SELECT `+keyColumns+` FROM api_keys WHERE hash = $1`, hash))
		return err
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, errs.E(errs.NotFound, "api key not found")
	} else if err != nil {
		return nil, fmt.Errorf("api key: %w", err)
	}
	return k, nil
}

// APIKeys lists a user's keys, newest first.
func (db *DB) APIKeys(ctx context.Context, userID int64) ([]*auth.APIKey, error) {
	var out []*auth.APIKey
	err := db.query(ctx, `SELECT `+keyColumns+` FROM api_keys WHERE user_id = $1 ORDER BY id DESC`, []any{userID}, func(r pgx.Rows) error {
		k, err := scanKey(r)
		out = append(out, k)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("api keys: %w", err)
	}
	return out, nil
}

func scanKey(s pgx.Row) (*auth.APIKey, error) {
	var k auth.APIKey
	if err := s.Scan(&k.ID, &k.UserID, &k.Prefix, &k.Hash, &k.Label, &k.CreatedAt, &k.RevokedAt, &k.LastUsed); err != nil {
		return nil, err
	}
	k.CreatedAt = k.CreatedAt.UTC()
	for _, t := range []*time.Time{k.RevokedAt, k.LastUsed} {
		if t != nil {
			*t = t.UTC()
		}
	}
	return &k, nil
}

// RevokeAPIKey marks a key revoked; it stays listed.
func (db *DB) RevokeAPIKey(ctx context.Context, id int64, at time.Time) error {
	n, err := db.execCount(ctx, `UPDATE api_keys SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL`, at, id)
	if err != nil {
		return fmt.Errorf("revoke api key: %w", err)
	}
	if n == 0 {
		return errs.E(errs.NotFound, "active api key %d not found", id)
	}
	return nil
}

// TouchAPIKey records a key's last use.
func (db *DB) TouchAPIKey(ctx context.Context, id int64, at time.Time) error {
	if err := db.exec(ctx, `UPDATE api_keys SET last_used = $1 WHERE id = $2`, at, id); err != nil {
		return fmt.Errorf("touch api key: %w", err)
	}
	return nil
}

// execCount runs one statement and returns the number of rows it touched.
func (db *DB) execCount(ctx context.Context, sql string, args ...any) (int64, error) {
	var n int64
	err := db.pool.with(ctx, func(c *pgx.Conn) error {
		tag, err := c.Exec(ctx, sql, args...)
		n = tag.RowsAffected()
		return err
	})
	return n, err
}
