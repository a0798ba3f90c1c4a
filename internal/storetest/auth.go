package storetest

import (
	"testing"

	"github.com/socle/socle/internal/audit"
	"github.com/socle/socle/internal/auth"
	"github.com/socle/socle/internal/errs"
)

func testUsers(t *testing.T, s Store) {
	u := &auth.User{Login: "zoe", Name: "Zoé Martin", Role: auth.RoleSteward, Org: "metro", PasswordHash: "$argon2id$x"}
	must(t, s.CreateUser(ctx, u))
	if u.ID == 0 || u.CreatedAt.IsZero() {
		t.Fatalf("CreateUser did not set ID and CreatedAt: %+v", u)
	}
	wantKind(t, s.CreateUser(ctx, &auth.User{Login: "zoe", Role: auth.RoleAgent}), errs.Conflict)
	must(t, s.CreateUser(ctx, &auth.User{Login: "adam", Role: auth.RoleAdmin}))

	got, err := s.UserByLogin(ctx, "zoe")
	must(t, err)
	if got.ID != u.ID || got.Name != u.Name || got.Role != u.Role || got.Org != u.Org || got.PasswordHash != u.PasswordHash || got.Disabled {
		t.Errorf("by login: got %+v, want %+v", got, u)
	}
	u.Role, u.Disabled, u.Name = auth.RoleAgent, true, "Zoé M."
	must(t, s.UpdateUser(ctx, u))
	got, err = s.UserByID(ctx, u.ID)
	must(t, err)
	if got.Role != auth.RoleAgent || !got.Disabled || got.Name != "Zoé M." {
		t.Errorf("after update: %+v", got)
	}
	wantKind(t, s.UpdateUser(ctx, &auth.User{ID: 999, Role: auth.RoleAgent}), errs.NotFound)
	_, err = s.UserByLogin(ctx, "nobody")
	wantKind(t, err, errs.NotFound)
	_, err = s.UserByID(ctx, 999)
	wantKind(t, err, errs.NotFound)
	list, err := s.Users(ctx)
	must(t, err)
	if len(list) != 2 || list[0].Login != "adam" || list[1].Login != "zoe" {
		t.Errorf("users by login: %v", list)
	}
}

func testAPIKeys(t *testing.T, s Store) {
	u := &auth.User{Login: "bot", Role: auth.RoleProducer}
	must(t, s.CreateUser(ctx, u))
	k1 := &auth.APIKey{UserID: u.ID, Prefix: "sk_ab", Hash: "h1", Label: "ci"}
	k2 := &auth.APIKey{UserID: u.ID, Prefix: "sk_cd", Hash: "h2"}
	must(t, s.CreateAPIKey(ctx, k1))
	must(t, s.CreateAPIKey(ctx, k2))
	got, err := s.APIKeyByHash(ctx, "h1")
	must(t, err)
	if got.ID != k1.ID || got.UserID != u.ID || got.Prefix != "sk_ab" || got.Label != "ci" || got.RevokedAt != nil || got.LastUsed != nil {
		t.Errorf("by hash: %+v", got)
	}
	_, err = s.APIKeyByHash(ctx, "nope")
	wantKind(t, err, errs.NotFound)

	used := ts("2024-04-01T08:00:00.25Z")
	must(t, s.TouchAPIKey(ctx, k1.ID, used))
	revoked := ts("2024-04-02T09:00:00Z")
	must(t, s.RevokeAPIKey(ctx, k1.ID, revoked))
	wantKind(t, s.RevokeAPIKey(ctx, k1.ID, revoked), errs.NotFound)
	wantKind(t, s.RevokeAPIKey(ctx, 999, revoked), errs.NotFound)
	got, err = s.APIKeyByHash(ctx, "h1")
	must(t, err)
	if got.RevokedAt == nil || !got.RevokedAt.Equal(revoked) || got.LastUsed == nil || !got.LastUsed.Equal(used) {
		t.Errorf("revoked key still found with its times: %+v", got)
	}
	keys, err := s.APIKeys(ctx, u.ID)
	must(t, err)
	if len(keys) != 2 || keys[0].ID != k2.ID || keys[1].ID != k1.ID {
		t.Errorf("keys newest first: %v", keys)
	}
	if keys, _ := s.APIKeys(ctx, 999); len(keys) != 0 {
		t.Errorf("keys of an unknown user: %v", keys)
	}
}

func testAudit(t *testing.T, s Store) {
	for i, target := range []string{"trees", "bins", "trees"} {
		e := &audit.Entry{Time: ts("2024-01-01T00:00:00Z").AddDate(0, 0, i), Actor: "zoe", Action: "dataset.import", Target: target, Records: int64(i * 10), Detail: "é"}
		must(t, s.AppendAudit(ctx, e))
		if e.ID == 0 {
			t.Fatal("AppendAudit did not set the ID")
		}
	}
	all, err := s.Audit(ctx, "", 10)
	must(t, err)
	if len(all) != 3 || all[0].Records != 20 || all[2].Records != 0 || all[0].ID <= all[1].ID {
		t.Fatalf("audit newest first: %v", all)
	}
	if !all[0].Time.Equal(ts("2024-01-03T00:00:00Z")) || all[0].Detail != "é" || all[0].Action != "dataset.import" {
		t.Errorf("entry: %+v", all[0])
	}
	trees, err := s.Audit(ctx, "trees", 10)
	must(t, err)
	if len(trees) != 2 || trees[0].Target != "trees" || trees[0].Records != 20 {
		t.Errorf("audit of trees: %v", trees)
	}
	if one, _ := s.Audit(ctx, "", 1); len(one) != 1 || one[0].ID != all[0].ID {
		t.Errorf("limit 1: %v", one)
	}
}
