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

const userColumns = `id, login, name, role, org, password_hash, disabled, created_at`

// CreateUser inserts a user and sets its ID.
func (db *DB) CreateUser(ctx context.Context, u *auth.User) error {
	if u.CreatedAt.IsZero() {
		u.CreatedAt = time.Now().UTC()
	}
	res, err := db.write.ExecContext(ctx, `INSERT INTO users (login, name, role, org, password_hash, disabled, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, u.Login, u.Name, string(u.Role), u.Org, u.PasswordHash, u.Disabled, fmtTime(u.CreatedAt))
	if err != nil {
		if strings.Contains(err.Error(), "UNIQUE") {
			return errs.E(errs.Conflict, "user %q already exists", u.Login)
		}
		return fmt.Errorf("create user: %w", err)
	}
	u.ID, err = res.LastInsertId()
	return err
}

// UpdateUser saves a user's name, role, organization, password and status.
func (db *DB) UpdateUser(ctx context.Context, u *auth.User) error {
	res, err := db.write.ExecContext(ctx, `UPDATE users SET name = ?, role = ?, org = ?, password_hash = ?, disabled = ? WHERE id = ?`,
		u.Name, string(u.Role), u.Org, u.PasswordHash, u.Disabled, u.ID)
	if err != nil {
		return fmt.Errorf("update user: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return errs.E(errs.NotFound, "user %d not found", u.ID)
	}
	return nil
}

// UserByLogin finds a user by login.
func (db *DB) UserByLogin(ctx context.Context, login string) (*auth.User, error) {
	return db.user(ctx, `login = ?`, login)
}

// UserByID finds a user by ID.
func (db *DB) UserByID(ctx context.Context, id int64) (*auth.User, error) {
	return db.user(ctx, `id = ?`, id)
}

func (db *DB) user(ctx context.Context, where string, arg any) (*auth.User, error) {
	u, err := scanUser(db.read.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE `+where, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errs.E(errs.NotFound, "user not found")
	}
	return u, err
}

// Users lists users by login.
func (db *DB) Users(ctx context.Context) ([]*auth.User, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+userColumns+` FROM users ORDER BY login`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*auth.User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

func scanUser(s scanner) (*auth.User, error) {
	var u auth.User
	var role, created string
	if err := s.Scan(&u.ID, &u.Login, &u.Name, &role, &u.Org, &u.PasswordHash, &u.Disabled, &created); err != nil {
		return nil, err
	}
	u.Role, u.CreatedAt = auth.Role(role), parseTime(created)
	return &u, nil
}

// CreateAPIKey stores a key's hash and sets its ID.
func (db *DB) CreateAPIKey(ctx context.Context, k *auth.APIKey) error {
	if k.CreatedAt.IsZero() {
		k.CreatedAt = time.Now().UTC()
	}
	res, err := db.write.ExecContext(ctx, `INSERT INTO api_keys (user_id, prefix, hash, label, created_at) VALUES (?, ?, ?, ?, ?)`,
		k.UserID, k.Prefix, k.Hash, k.Label, fmtTime(k.CreatedAt))
	if err != nil {
		return fmt.Errorf("create api key: %w", err)
	}
	k.ID, err = res.LastInsertId()
	return err
}

const keyColumns = `id, user_id, prefix, hash, label, created_at, revoked_at, last_used`

// APIKeyByHash finds a key by the hash of its secret.
func (db *DB) APIKeyByHash(ctx context.Context, hash string) (*auth.APIKey, error) {
	k, err := scanKey(db.read.QueryRowContext(ctx, `SELECT `+keyColumns+` FROM api_keys WHERE hash = ?`, hash))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errs.E(errs.NotFound, "api key not found")
	}
	return k, err
}

// APIKeys lists a user's keys, newest first.
func (db *DB) APIKeys(ctx context.Context, userID int64) ([]*auth.APIKey, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+keyColumns+` FROM api_keys WHERE user_id = ? ORDER BY id DESC`, userID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*auth.APIKey
	for rows.Next() {
		k, err := scanKey(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, k)
	}
	return out, rows.Err()
}

func scanKey(s scanner) (*auth.APIKey, error) {
	var k auth.APIKey
	var created string
	var revoked, used sql.NullString
	if err := s.Scan(&k.ID, &k.UserID, &k.Prefix, &k.Hash, &k.Label, &created, &revoked, &used); err != nil {
		return nil, err
	}
	k.CreatedAt = parseTime(created)
	if revoked.Valid {
		t := parseTime(revoked.String)
		k.RevokedAt = &t
	}
	if used.Valid {
		t := parseTime(used.String)
		k.LastUsed = &t
	}
	return &k, nil
}

// RevokeAPIKey marks a key revoked; it stays listed.
func (db *DB) RevokeAPIKey(ctx context.Context, id int64, at time.Time) error {
	res, err := db.write.ExecContext(ctx, `UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL`, fmtTime(at), id)
	if err != nil {
		return fmt.Errorf("revoke api key: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return errs.E(errs.NotFound, "active api key %d not found", id)
	}
	return nil
}

// TouchAPIKey records a key's last use.
func (db *DB) TouchAPIKey(ctx context.Context, id int64, at time.Time) error {
	_, err := db.write.ExecContext(ctx, `UPDATE api_keys SET last_used = ? WHERE id = ?`, fmtTime(at), id)
	return err
}
