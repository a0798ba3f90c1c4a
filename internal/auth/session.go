package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"time"
)

// Session is a browser login of the web portal. The token travels in a
// cookie; only its SHA-256 is stored, so a copy of the database opens no
// session. CSRF is the session's anti-forgery token, embedded in forms.
type Session struct {
	TokenHash string
	UserID    int64
	CSRF      string
	CreatedAt time.Time
	ExpiresAt time.Time
}

// SessionStore persists sessions. SessionByHash returns errs.NotFound for
// unknown hashes, expired or not (the caller checks ExpiresAt).
type SessionStore interface {
	CreateSession(ctx context.Context, s *Session) error
	SessionByHash(ctx context.Context, hash string) (*Session, error)
	DeleteSession(ctx context.Context, hash string) error
	// DeleteUserSessions ends every session of a user (disabled account,
	// password change).
	DeleteUserSessions(ctx context.Context, userID int64) error
	// DeleteExpiredSessions removes sessions that expired before now and
	// returns how many.
	DeleteExpiredSessions(ctx context.Context, now time.Time) (int64, error)
}

// NewSessionToken returns a random token for a cookie and its hash.
func NewSessionToken() (token, hash string) {
	token = RandomToken(32)
	return token, HashSessionToken(token)
}

// HashSessionToken is the stored form of a session token.
func HashSessionToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// RandomToken returns n random bytes, URL-safe base64 encoded.
func RandomToken(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return base64.RawURLEncoding.EncodeToString(b)
}
