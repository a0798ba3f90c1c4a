package auth

import (
	"strings"
	"testing"

	"github.com/socle/socle/internal/catalog"
)

func TestPasswordHashing(t *testing.T) {
	h, err := HashPassword("correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$") || strings.Contains(h, "correct horse") {
		t.Fatalf("hash %q is not an argon2id PHC string without the secret", h)
	}
	if !CheckPassword(h, "correct horse battery") {
		t.Error("right password refused")
	}
	if CheckPassword(h, "correct horse batterY") {
		t.Error("wrong password accepted")
	}
	h2, _ := HashPassword("correct horse battery")
	if h == h2 {
		t.Error("two hashes of one password are equal: no salt")
	}
	if _, err := HashPassword("short"); err == nil {
		t.Error("a 5-character password was accepted")
	}
	for _, bad := range []string{"", "$argon2id$v=19$m=1,t=1,p=1$x$y", "$bcrypt$..."} {
		if CheckPassword(bad, "x") {
			t.Errorf("malformed hash %q accepted", bad)
		}
	}
}

func TestAPIKeys(t *testing.T) {
	key, k, err := NewAPIKey()
	if err != nil {
		t.Fatal(err)
	}
	if k.Hash != HashAPIKey(key) || strings.Contains(k.Hash, key) || !strings.HasPrefix(key, k.Prefix) {
		t.Fatalf("stored form %+v does not match key %q", k, key)
	}
	other, _, _ := NewAPIKey()
	if other == key {
		t.Fatal("two keys are equal")
	}
}

func TestCanRead(t *testing.T) {
	user := func(login string, role Role, org string, kind catalog.OrgKind) Principal {
		return Principal{User: &User{Login: login, Role: role, Org: org}, OrgKind: kind}
	}
	ds := func(a catalog.Access, users, orgs []string) *catalog.Dataset {
		return &catalog.Dataset{Access: a, Meta: catalog.Metadata{Publisher: "metropole", AllowedUsers: users, AllowedOrgs: orgs}}
	}
	anon := Principal{}
	agent := user("a", RoleAgent, "commune-x", catalog.OrgCommune)
	partner := user("p", RolePartner, "sport", catalog.OrgPartner)
	steward := user("s", RoleSteward, "metropole", catalog.OrgMetropolis)
	producer := user("prod", RoleProducer, "metropole", catalog.OrgMetropolis)
	disabled := user("d", RoleAdmin, "metropole", catalog.OrgMetropolis)
	disabled.User.Disabled = true
	cases := []struct {
		name string
		p    Principal
		d    *catalog.Dataset
		want bool
	}{
		{"anyone reads public", anon, ds(catalog.AccessPublic, nil, nil), true},
		{"anonymous cannot read internal", anon, ds(catalog.AccessInternal, nil, nil), false},
		{"an agent of a commune reads internal", agent, ds(catalog.AccessInternal, nil, nil), true},
		{"a partner cannot read internal", partner, ds(catalog.AccessInternal, nil, nil), false},
		{"an agent cannot read restricted", agent, ds(catalog.AccessRestricted, nil, nil), false},
		{"a named user reads restricted", partner, ds(catalog.AccessRestricted, []string{"p"}, nil), true},
		{"a named organization reads restricted", agent, ds(catalog.AccessRestricted, nil, []string{"commune-x"}), true},
		{"the publisher's members read restricted", producer, ds(catalog.AccessRestricted, nil, nil), true},
		{"stewards read everything", steward, ds(catalog.AccessShared, nil, nil), true},
		{"a disabled admin reads nothing private", disabled, ds(catalog.AccessRestricted, nil, nil), false},
		{"shared without grant is closed", partner, ds(catalog.AccessShared, nil, nil), false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := CanRead(c.p, c.d); got != c.want {
				t.Errorf("CanRead = %v, want %v", got, c.want)
			}
		})
	}
	if CanWrite(agent, ds(catalog.AccessPublic, nil, nil)) || !CanWrite(producer, ds(catalog.AccessPublic, nil, nil)) {
		t.Error("CanWrite: agents must not write, producers of the publisher must")
	}
}
