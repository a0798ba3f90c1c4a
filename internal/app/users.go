package app

import (
	"context"
	"regexp"

	"github.com/socle/socle/internal/auth"
	"github.com/socle/socle/internal/catalog"
	"github.com/socle/socle/internal/errs"
)

var loginPattern = regexp.MustCompile(`^[a-zA-Z0-9][a-zA-Z0-9._@-]{1,99}$`)

// System is the principal of administrative CLI commands run on the server
// itself: whoever can run them already holds the database.
var System = auth.Principal{User: &auth.User{Login: "system", Role: auth.RoleAdmin}, OrgKind: catalog.OrgMetropolis}

// AddUser creates a local account. password may be empty for an account
// that will only use API keys.
func (a *App) AddUser(ctx context.Context, u *auth.User, password string) error {
	return a.addUser(ctx, System, u, password)
}

// addUser creates u, audited as done by by.
func (a *App) addUser(ctx context.Context, by auth.Principal, u *auth.User, password string) error {
	if !loginPattern.MatchString(u.Login) {
		return errs.E(errs.Invalid, "invalid login %q", u.Login)
	}
	if !u.Role.Valid() {
		return errs.E(errs.Invalid, "unknown role %q (admin, steward, producer, agent, partner)", u.Role)
	}
	if u.Org != "" {
		if _, err := a.Store.Organization(ctx, u.Org); err != nil {
			return errs.Wrap(errs.Invalid, err, "unknown organization %q", u.Org)
		}
	}
	if password != "" {
		h, err := auth.HashPassword(password)
		if err != nil {
			return err
		}
		u.PasswordHash = h
	}
	u.CreatedAt = a.Now()
	if err := a.Store.CreateUser(ctx, u); err != nil {
		return err
	}
	return a.Audit(ctx, by, "user.create", "user:"+u.Login, 0, string(u.Role))
}

// CreateAPIKey makes a key for login and returns it; only its hash is kept.
func (a *App) CreateAPIKey(ctx context.Context, login, label string) (string, *auth.APIKey, error) {
	u, err := a.Store.UserByLogin(ctx, login)
	if err != nil {
		return "", nil, err
	}
	return a.createAPIKey(ctx, System, u, label)
}

// createAPIKey makes a key for u, audited as done by by.
func (a *App) createAPIKey(ctx context.Context, by auth.Principal, u *auth.User, label string) (string, *auth.APIKey, error) {
	key, k, err := auth.NewAPIKey()
	if err != nil {
		return "", nil, err
	}
	k.UserID, k.Label, k.CreatedAt = u.ID, label, a.Now()
	if err := a.Store.CreateAPIKey(ctx, k); err != nil {
		return "", nil, err
	}
	a.Audit(ctx, by, "apikey.create", "user:"+u.Login, 0, k.Prefix)
	return key, k, nil
}

// RevokeAPIKey revokes a key given the key itself.
func (a *App) RevokeAPIKey(ctx context.Context, key string) error {
	k, err := a.Store.APIKeyByHash(ctx, auth.HashAPIKey(key))
	if err != nil {
		return err
	}
	if err := a.Store.RevokeAPIKey(ctx, k.ID, a.Now()); err != nil {
		return err
	}
	return a.Audit(ctx, System, "apikey.revoke", "apikey:"+k.Prefix, 0, "")
}

// Authenticate resolves an API key to its principal.
func (a *App) Authenticate(ctx context.Context, key string) (auth.Principal, error) {
	if len(key) < 8 || len(key) > 200 {
		return auth.Principal{}, errs.E(errs.Unauthorized, "invalid API key")
	}
	k, err := a.Store.APIKeyByHash(ctx, auth.HashAPIKey(key))
	if errs.Is(err, errs.NotFound) {
		return auth.Principal{}, errs.E(errs.Unauthorized, "invalid API key")
	} else if err != nil {
		return auth.Principal{}, err
	}
	if k.RevokedAt != nil {
		return auth.Principal{}, errs.E(errs.Unauthorized, "this API key has been revoked")
	}
	u, err := a.Store.UserByID(ctx, k.UserID)
	if err != nil {
		return auth.Principal{}, err
	}
	if u.Disabled {
		return auth.Principal{}, errs.E(errs.Unauthorized, "this account is disabled")
	}
	p := a.principal(ctx, u)
	p.KeyID = k.ID
	return p, nil
}

// Login checks a password and returns the principal.
func (a *App) Login(ctx context.Context, login, password string) (auth.Principal, error) {
	u, err := a.Store.UserByLogin(ctx, login)
	if err != nil || u.Disabled || u.PasswordHash == "" || !auth.CheckPassword(u.PasswordHash, password) {
		return auth.Principal{}, errs.E(errs.Unauthorized, "wrong login or password")
	}
	return a.principal(ctx, u), nil
}

func (a *App) principal(ctx context.Context, u *auth.User) auth.Principal {
	p := auth.Principal{User: u}
	if u.Org != "" {
		if o, err := a.Store.Organization(ctx, u.Org); err == nil {
			p.OrgKind = o.Kind
		}
	}
	return p
}
