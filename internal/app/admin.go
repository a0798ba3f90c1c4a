package app

import (
	"context"
	"net/mail"
	"regexp"
	"strconv"
	"strings"

	"github.com/socle/socle/internal/auth"
	"github.com/socle/socle/internal/catalog"
	"github.com/socle/socle/internal/errs"
)

// The back-office's use cases: accounts, organizations and API keys. Each
// checks its caller, and answers NotFound (not Forbidden) to those who are
// not administrators: what a caller may not see does not exist for them.

// MinAdminPasswordLen is the least length of a password an administrator
// sets for someone else.
const MinAdminPasswordLen = 12

func requireAdmin(p auth.Principal) error {
	if !p.Is(auth.RoleAdmin) || p.User.Disabled {
		return errs.E(errs.NotFound, "page not found")
	}
	return nil
}

// mayManageKeys reports whether p may see and change the API keys of the
// user with id userID: administrators and the user themselves.
func mayManageKeys(p auth.Principal, userID int64) error {
	if p.User == nil || p.User.Disabled {
		return errs.E(errs.NotFound, "page not found")
	}
	if p.User.ID == userID || p.Is(auth.RoleAdmin) {
		return nil
	}
	return errs.E(errs.NotFound, "page not found")
}

// ListUsers returns every account, for administrators.
func (a *App) ListUsers(ctx context.Context, p auth.Principal) ([]*auth.User, error) {
	if err := requireAdmin(p); err != nil {
		return nil, err
	}
	return a.Store.Users(ctx)
}

// UserAdmin returns one account, for administrators.
func (a *App) UserAdmin(ctx context.Context, p auth.Principal, id int64) (*auth.User, error) {
	if err := requireAdmin(p); err != nil {
		return nil, err
	}
	return a.Store.UserByID(ctx, id)
}

// CreateUser creates an account with an initial password of at least
// MinAdminPasswordLen characters.
func (a *App) CreateUser(ctx context.Context, p auth.Principal, u *auth.User, password string) error {
	if err := requireAdmin(p); err != nil {
		return err
	}
	if len([]rune(password)) < MinAdminPasswordLen {
		return errs.E(errs.Invalid, "the initial password must have at least %d characters", MinAdminPasswordLen)
	}
	if _, err := a.Store.UserByLogin(ctx, u.Login); err == nil {
		return errs.E(errs.Conflict, "login %q is taken", u.Login)
	}
	return a.addUser(ctx, p, u, password)
}

// UpdateUserAdmin changes an account's name, role and organization.
// Administrators may not take away their own administrator role, so that
// an installation always keeps one.
func (a *App) UpdateUserAdmin(ctx context.Context, p auth.Principal, id int64, name string, role auth.Role, org string) error {
	u, err := a.UserAdmin(ctx, p, id)
	if err != nil {
		return err
	}
	if !role.Valid() {
		return errs.E(errs.Invalid, "unknown role %q", role)
	}
	if u.ID == p.User.ID && role != auth.RoleAdmin {
		return errs.E(errs.Invalid, "you may not take away your own administrator role")
	}
	if org != "" {
		if _, err := a.Store.Organization(ctx, org); err != nil {
			return errs.Wrap(errs.Invalid, err, "unknown organization %q", org)
		}
	}
	detail := string(u.Role) + "→" + string(role) + ", org " + u.Org + "→" + org
	u.Name, u.Role, u.Org = strings.TrimSpace(name), role, org
	if err := a.Store.UpdateUser(ctx, u); err != nil {
		return err
	}
	return a.Audit(ctx, p, "user.update", "user:"+u.Login, 0, detail)
}

// SetUserDisabled disables or enables an account. Disabling ends its
// sessions at once (its API keys stop working too: Authenticate checks the
// account). Administrators may not disable themselves.
func (a *App) SetUserDisabled(ctx context.Context, p auth.Principal, id int64, disabled bool) error {
	u, err := a.UserAdmin(ctx, p, id)
	if err != nil {
		return err
	}
	if u.ID == p.User.ID && disabled {
		return errs.E(errs.Invalid, "you may not disable your own account")
	}
	u.Disabled = disabled
	if err := a.Store.UpdateUser(ctx, u); err != nil {
		return err
	}
	action := "user.enable"
	if disabled {
		action = "user.disable"
		if err := a.Store.DeleteUserSessions(ctx, u.ID); err != nil {
			return err
		}
	}
	return a.Audit(ctx, p, action, "user:"+u.Login, 0, "")
}

var (
	orgID = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,63}$`)
	siren = regexp.MustCompile(`^[0-9]{9}$`)
)

// PutOrganization creates (create set: refused if the ID is taken) or
// updates an organization.
func (a *App) PutOrganization(ctx context.Context, p auth.Principal, o *catalog.Organization, create bool) error {
	if err := requireAdmin(p); err != nil {
		return err
	}
	if err := checkOrganization(o); err != nil {
		return err
	}
	cur, err := a.Store.Organization(ctx, o.ID)
	switch {
	case err == nil && create:
		return errs.E(errs.Conflict, "organization %q exists already", o.ID)
	case err == nil:
		o.CreatedAt = cur.CreatedAt
	case !errs.Is(err, errs.NotFound):
		return err
	case !create:
		return err
	default:
		o.CreatedAt = a.Now()
	}
	if err := a.Store.PutOrganization(ctx, o); err != nil {
		return err
	}
	action := "org.update"
	if create {
		action = "org.create"
	}
	return a.Audit(ctx, p, action, "org:"+o.ID, 0, string(o.Kind))
}

func checkOrganization(o *catalog.Organization) error {
	o.Name, o.Website, o.Email, o.SIREN = strings.TrimSpace(o.Name), strings.TrimSpace(o.Website), strings.TrimSpace(o.Email), strings.ReplaceAll(o.SIREN, " ", "")
	switch {
	case !orgID.MatchString(o.ID):
		return errs.E(errs.Invalid, "invalid organization id %q: lower-case letters, digits and '-'", o.ID)
	case o.Name == "":
		return errs.E(errs.Invalid, "an organization needs a name")
	case o.Kind != catalog.OrgMetropolis && o.Kind != catalog.OrgCommune && o.Kind != catalog.OrgPartner && o.Kind != catalog.OrgDelegate:
		return errs.E(errs.Invalid, "unknown organization kind %q", o.Kind)
	case o.Website != "" && !strings.HasPrefix(o.Website, "https://") && !strings.HasPrefix(o.Website, "http://"):
		return errs.E(errs.Invalid, "the website must be an http(s) address")
	case o.SIREN != "" && !siren.MatchString(o.SIREN):
		return errs.E(errs.Invalid, "a SIREN has 9 digits")
	}
	if o.Email != "" {
		if _, err := mail.ParseAddress(o.Email); err != nil {
			return errs.E(errs.Invalid, "invalid e-mail address %q", o.Email)
		}
	}
	return nil
}

// ListAPIKeys returns the keys of user userID, newest first, to the user
// or an administrator.
func (a *App) ListAPIKeys(ctx context.Context, p auth.Principal, userID int64) ([]*auth.APIKey, error) {
	if err := mayManageKeys(p, userID); err != nil {
		return nil, err
	}
	return a.Store.APIKeys(ctx, userID)
}

// CreateAPIKeyFor makes a key for user userID and returns it: it is shown
// once, only its hash is kept.
func (a *App) CreateAPIKeyFor(ctx context.Context, p auth.Principal, userID int64, label string) (string, *auth.APIKey, error) {
	if err := mayManageKeys(p, userID); err != nil {
		return "", nil, err
	}
	if len(label) > 200 {
		return "", nil, errs.E(errs.Invalid, "the label is too long")
	}
	u, err := a.Store.UserByID(ctx, userID)
	if err != nil {
		return "", nil, err
	}
	return a.createAPIKey(ctx, p, u, strings.TrimSpace(label))
}

// RevokeAPIKeyByID revokes key keyID of user userID.
func (a *App) RevokeAPIKeyByID(ctx context.Context, p auth.Principal, userID, keyID int64) error {
	keys, err := a.ListAPIKeys(ctx, p, userID)
	if err != nil {
		return err
	}
	for _, k := range keys {
		if k.ID != keyID {
			continue
		}
		if k.RevokedAt != nil {
			return nil
		}
		if err := a.Store.RevokeAPIKey(ctx, k.ID, a.Now()); err != nil {
			return err
		}
		return a.Audit(ctx, p, "apikey.revoke", "apikey:"+k.Prefix, 0, "user "+strconv.FormatInt(userID, 10))
	}
	return errs.E(errs.NotFound, "API key %d not found", keyID)
}
