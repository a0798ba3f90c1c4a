// Package auth holds Socle's identities and permissions: local users and
// their roles, API keys, the Principal a request acts as, and the access
// policy that decides which datasets a principal may see. Secrets are never
// stored: passwords as argon2id hashes, API keys as SHA-256 digests.
package auth

import (
	"context"
	"time"
)

// Role is what a user may do. Roles are ordered by power only for
// administration checks; dataset visibility depends on the organization.
type Role string

// Roles.
const (
	RoleAdmin    Role = "admin"    // everything, users and keys included
	RoleSteward  Role = "steward"  // the data service: every dataset, metadata, quality
	RoleProducer Role = "producer" // publishes the datasets of their organization
	RoleAgent    Role = "agent"    // reads internal data
	RolePartner  Role = "partner"  // outside partner: restricted/shared grants only
)

// Valid reports whether r is a known role.
func (r Role) Valid() bool {
	switch r {
	case RoleAdmin, RoleSteward, RoleProducer, RoleAgent, RolePartner:
		return true
	}
	return false
}

// User is a local account.
type User struct {
	ID           int64     `json:"id"`
	Login        string    `json:"login"`
	Name         string    `json:"name,omitempty"`
	Role         Role      `json:"role"`
	Org          string    `json:"org,omitempty"` // organization ID
	PasswordHash string    `json:"-"`
	Disabled     bool      `json:"disabled"`
	CreatedAt    time.Time `json:"created_at"`
}

// APIKey is a key's stored form: never the key itself.
type APIKey struct {
	ID        int64      `json:"id"`
	UserID    int64      `json:"user_id"`
	Prefix    string     `json:"prefix"` // first characters, to recognise a key in lists
	Hash      string     `json:"-"`      // hex SHA-256 of the whole key
	Label     string     `json:"label,omitempty"`
	CreatedAt time.Time  `json:"created_at"`
	RevokedAt *time.Time `json:"revoked_at,omitempty"`
	LastUsed  *time.Time `json:"last_used,omitempty"`
}

// Store persists users and keys. Lookups of unknown logins or keys return
// errs.NotFound.
type Store interface {
	CreateUser(ctx context.Context, u *User) error
	UpdateUser(ctx context.Context, u *User) error
	UserByLogin(ctx context.Context, login string) (*User, error)
	UserByID(ctx context.Context, id int64) (*User, error)
	Users(ctx context.Context) ([]*User, error)
	CreateAPIKey(ctx context.Context, k *APIKey) error
	// APIKeyByHash returns the key with that hash, revoked or not.
	APIKeyByHash(ctx context.Context, hash string) (*APIKey, error)
	APIKeys(ctx context.Context, userID int64) ([]*APIKey, error)
	RevokeAPIKey(ctx context.Context, id int64, at time.Time) error
	TouchAPIKey(ctx context.Context, id int64, at time.Time) error
}
