package auth

import (
	"slices"

	"github.com/socle/socle/internal/catalog"
)

// Principal is who a request acts as. The zero value is the anonymous public.
type Principal struct {
	User    *User
	OrgKind catalog.OrgKind // kind of the user's organization
	KeyID   int64           // the API key used, if any
}

// Anonymous reports whether no user is authenticated.
func (p Principal) Anonymous() bool { return p.User == nil }

// Login names the principal for the audit log.
func (p Principal) Login() string {
	if p.User == nil {
		return "anonymous"
	}
	return p.User.Login
}

// Is reports whether the principal has one of the roles.
func (p Principal) Is(roles ...Role) bool {
	return p.User != nil && slices.Contains(roles, p.User.Role)
}

// CanRead decides whether p may see dataset d at all. A dataset that cannot
// be read does not exist for p: callers answer 404, never 403.
func CanRead(p Principal, d *catalog.Dataset) bool {
	if d.Access == catalog.AccessPublic {
		return true
	}
	if p.User == nil || p.User.Disabled {
		return false
	}
	if p.Is(RoleAdmin, RoleSteward) {
		return true
	}
	if p.User.Org != "" && p.User.Org == d.Meta.Publisher {
		return true // an organization always sees its own datasets
	}
	switch d.Access {
	case catalog.AccessInternal:
		return p.OrgKind.Internal() && p.User.Role != RolePartner
	case catalog.AccessShared:
		// Partners read shared datasets only through an active agreement,
		// which the app checks (internal/app/agreements_access.go).
		return false
	case catalog.AccessRestricted:
		return slices.Contains(d.Meta.AllowedUsers, p.User.Login) ||
			(p.User.Org != "" && slices.Contains(d.Meta.AllowedOrgs, p.User.Org))
	}
	return false
}

// CanWrite decides whether p may change dataset d (metadata or records).
func CanWrite(p Principal, d *catalog.Dataset) bool {
	if p.User == nil || p.User.Disabled {
		return false
	}
	if p.Is(RoleAdmin, RoleSteward) {
		return true
	}
	return p.Is(RoleProducer) && p.User.Org != "" && p.User.Org == d.Meta.Publisher
}
