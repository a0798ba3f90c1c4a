package app_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/socle/socle/internal/app"
	"github.com/socle/socle/internal/auth"
	"github.com/socle/socle/internal/catalog"
	"github.com/socle/socle/internal/errs"
	"github.com/socle/socle/sqlite"
)

func newApp(t *testing.T) *app.App {
	t.Helper()
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "socle.db"))
	if err != nil {
		t.Fatal(err)
	}
	a := app.New(db, nil)
	t.Cleanup(func() { a.Close() })
	return a
}

// addUser creates an account and returns its principal.
func addUser(t *testing.T, a *app.App, login string, role auth.Role) auth.Principal {
	t.Helper()
	u := &auth.User{Login: login, Role: role}
	if err := a.AddUser(context.Background(), u, "a long enough password"); err != nil {
		t.Fatal(err)
	}
	return auth.Principal{User: u}
}

func TestSessions(t *testing.T) {
	a := newApp(t)
	ctx := context.Background()
	p := addUser(t, a, "alice", auth.RoleProducer)
	if _, err := a.PasswordLogin(ctx, "alice", "wrong password!", "127.0.0.1"); !errs.Is(err, errs.Unauthorized) {
		t.Fatalf("wrong password: %v", err)
	}
	p, err := a.PasswordLogin(ctx, "alice", "a long enough password", "127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	token, s, err := a.StartSession(ctx, p, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if s.TokenHash == token || s.TokenHash != auth.HashSessionToken(token) || s.CSRF == "" {
		t.Fatalf("session %+v for token %q", s, token)
	}
	got, gp, err := a.SessionPrincipal(ctx, token)
	if err != nil || gp.User.Login != "alice" || got.CSRF != s.CSRF {
		t.Fatalf("resolve: %v, %+v", err, gp)
	}
	cases := []struct {
		name  string
		token string
		shift time.Duration
		code  string
	}{
		{"an unknown token is refused", "nope", 0, app.CodeSessionUnknown},
		{"an expired session is refused and deleted", token, 2 * time.Hour, app.CodeSessionExpired},
		{"the deleted session is then unknown", token, 0, app.CodeSessionUnknown},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a.Now = func() time.Time { return time.Now().UTC().Add(c.shift) }
			_, _, err := a.SessionPrincipal(ctx, c.token)
			if !errs.Is(err, errs.Unauthorized) || errs.CodeOf(err) != c.code {
				t.Errorf("err %v (code %q), want code %q", err, errs.CodeOf(err), c.code)
			}
		})
	}
	a.Now = func() time.Time { return time.Now().UTC() }
	admin := addUser(t, a, "root", auth.RoleAdmin)
	token, _, _ = a.StartSession(ctx, p, time.Hour)
	if err := a.SetUserDisabled(ctx, admin, p.User.ID, true); err != nil {
		t.Fatal(err)
	}
	if _, _, err := a.SessionPrincipal(ctx, token); !errs.Is(err, errs.Unauthorized) {
		t.Errorf("a disabled account's session still works: %v", err)
	}
}

func TestAdminUseCasesAreForAdminsOnly(t *testing.T) {
	a := newApp(t)
	ctx := context.Background()
	admin := addUser(t, a, "root", auth.RoleAdmin)
	steward := addUser(t, a, "steward", auth.RoleSteward)
	org := &catalog.Organization{ID: "ville", Name: "Ville", Kind: catalog.OrgCommune}
	calls := []struct {
		name string
		call func(p auth.Principal) error
	}{
		{"list users", func(p auth.Principal) error { _, err := a.ListUsers(ctx, p); return err }},
		{"create user", func(p auth.Principal) error {
			return a.CreateUser(ctx, p, &auth.User{Login: "new-" + p.User.Login, Role: auth.RoleAgent}, "twelve chars!")
		}},
		{"change role", func(p auth.Principal) error {
			return a.UpdateUserAdmin(ctx, p, steward.User.ID, "S", auth.RoleSteward, "")
		}},
		{"create organization", func(p auth.Principal) error {
			o := *org
			o.ID += p.User.Login
			return a.PutOrganization(ctx, p, &o, true)
		}},
		{"list another's keys", func(p auth.Principal) error { _, err := a.ListAPIKeys(ctx, p, admin.User.ID); return err }},
	}
	for _, c := range calls {
		t.Run(c.name, func(t *testing.T) {
			if err := c.call(steward); !errs.Is(err, errs.NotFound) {
				t.Errorf("steward: %v, want not found", err)
			}
			if err := c.call(admin); err != nil {
				t.Errorf("admin: %v", err)
			}
		})
	}
	if err := a.CreateUser(ctx, admin, &auth.User{Login: "short", Role: auth.RoleAgent}, "eleven char"); !errs.Is(err, errs.Invalid) {
		t.Errorf("11-character password: %v", err)
	}
	if err := a.SetUserDisabled(ctx, admin, admin.User.ID, true); !errs.Is(err, errs.Invalid) {
		t.Errorf("an admin disabled themselves: %v", err)
	}
	if err := a.PutOrganization(ctx, admin, &catalog.Organization{ID: "x", Name: "X", Kind: catalog.OrgPartner, SIREN: "123"}, true); !errs.Is(err, errs.Invalid) {
		t.Errorf("3-digit SIREN: %v", err)
	}
}

func TestAPIKeysOfOneself(t *testing.T) {
	a := newApp(t)
	ctx := context.Background()
	alice := addUser(t, a, "alice", auth.RoleProducer)
	bob := addUser(t, a, "bob", auth.RoleProducer)
	key, k, err := a.CreateAPIKeyFor(ctx, alice, alice.User.ID, "script")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Authenticate(ctx, key); err != nil {
		t.Fatal(err)
	}
	if err := a.RevokeAPIKeyByID(ctx, bob, alice.User.ID, k.ID); !errs.Is(err, errs.NotFound) {
		t.Errorf("bob revoked alice's key: %v", err)
	}
	if err := a.RevokeAPIKeyByID(ctx, bob, bob.User.ID, k.ID); !errs.Is(err, errs.NotFound) {
		t.Errorf("bob revoked alice's key through his own list: %v", err)
	}
	if err := a.RevokeAPIKeyByID(ctx, alice, alice.User.ID, k.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Authenticate(ctx, key); !errs.Is(err, errs.Unauthorized) {
		t.Errorf("revoked key still works: %v", err)
	}
}
