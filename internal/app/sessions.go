package app

import (
	"context"
	"time"
	"unicode/utf8"

	"github.com/socle/socle/internal/auth"
	"github.com/socle/socle/internal/errs"
)

// Error codes of session failures, so that a portal can tell a visitor
// whose session expired ("log in again") from one who never had one.
const (
	CodeSessionExpired = "session_expired"
	CodeSessionUnknown = "session_unknown"
)

// PasswordLogin checks a password like Login and audits the attempt,
// successful or not; from (the client's address) goes into the entry.
func (a *App) PasswordLogin(ctx context.Context, login, password, from string) (auth.Principal, error) {
	p, err := a.Login(ctx, login, password)
	if err != nil {
		if !utf8.ValidString(login) || len(login) > 100 {
			login = "?"
		}
		a.Audit(ctx, auth.Principal{}, "login.failed", "user:"+login, 0, from)
		return p, err
	}
	a.Audit(ctx, p, "login", "user:"+p.User.Login, 0, from)
	return p, nil
}

// StartSession opens a browser session of p for ttl. It returns the token
// for the cookie; only its hash is stored. Expired sessions are purged
// here: logins are rare enough for this to cost nothing and frequent
// enough to keep the table small.
func (a *App) StartSession(ctx context.Context, p auth.Principal, ttl time.Duration) (string, *auth.Session, error) {
	if p.User == nil || p.User.Disabled {
		return "", nil, errs.E(errs.Unauthorized, "no account to open a session for")
	}
	now := a.Now()
	if _, err := a.Store.DeleteExpiredSessions(ctx, now); err != nil {
		a.Logger.Warn("expired sessions not purged", "err", err)
	}
	token, hash := auth.NewSessionToken()
	s := &auth.Session{TokenHash: hash, UserID: p.User.ID, CSRF: auth.RandomToken(32), CreatedAt: now, ExpiresAt: now.Add(ttl)}
	if err := a.Store.CreateSession(ctx, s); err != nil {
		return "", nil, err
	}
	return token, s, nil
}

// SessionPrincipal resolves a cookie token to its session and principal.
// An unknown token, an expired session (deleted on sight) and a disabled
// account are all errs.Unauthorized, the first two with CodeSessionUnknown
// and CodeSessionExpired.
func (a *App) SessionPrincipal(ctx context.Context, token string) (*auth.Session, auth.Principal, error) {
	if token == "" || len(token) > 100 {
		return nil, auth.Principal{}, errs.WithCode(errs.Unauthorized, CodeSessionUnknown, "unknown session")
	}
	hash := auth.HashSessionToken(token)
	s, err := a.Store.SessionByHash(ctx, hash)
	if errs.Is(err, errs.NotFound) {
		return nil, auth.Principal{}, errs.WithCode(errs.Unauthorized, CodeSessionUnknown, "unknown session")
	} else if err != nil {
		return nil, auth.Principal{}, err
	}
	if !a.Now().Before(s.ExpiresAt) {
		if err := a.Store.DeleteSession(ctx, hash); err != nil {
			a.Logger.Warn("expired session not deleted", "err", err)
		}
		return nil, auth.Principal{}, errs.WithCode(errs.Unauthorized, CodeSessionExpired, "session expired")
	}
	u, err := a.Store.UserByID(ctx, s.UserID)
	if errs.Is(err, errs.NotFound) {
		return nil, auth.Principal{}, errs.WithCode(errs.Unauthorized, CodeSessionUnknown, "unknown session")
	} else if err != nil {
		return nil, auth.Principal{}, err
	}
	if u.Disabled {
		a.Store.DeleteUserSessions(ctx, u.ID)
		return nil, auth.Principal{}, errs.WithCode(errs.Unauthorized, CodeSessionUnknown, "this account is disabled")
	}
	return s, a.principal(ctx, u), nil
}

// EndSession deletes the session of token (logout).
func (a *App) EndSession(ctx context.Context, p auth.Principal, token string) error {
	if err := a.Store.DeleteSession(ctx, auth.HashSessionToken(token)); err != nil {
		return err
	}
	a.Audit(ctx, p, "logout", "user:"+p.Login(), 0, "")
	return nil
}
