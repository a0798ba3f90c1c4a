package storetest

import (
	"fmt"
	"maps"
	"testing"
	"time"

	"github.com/socle/socle/internal/auth"
	"github.com/socle/socle/internal/catalog"
	"github.com/socle/socle/internal/errs"
)

func testSessions(t *testing.T, s Store) {
	zoe, adam := &auth.User{Login: "zoe", Role: auth.RoleAgent}, &auth.User{Login: "adam", Role: auth.RoleAdmin}
	must(t, s.CreateUser(ctx, zoe))
	must(t, s.CreateUser(ctx, adam))
	now := ts("2024-06-01T10:00:00.25Z")
	sessions := []*auth.Session{
		// Expired a quarter second before now: a store comparing RFC 3339
		// text with trimmed fractions would see it as later than now.
		{TokenHash: "h1", UserID: zoe.ID, CSRF: "c1", CreatedAt: ts("2024-05-31T10:00:00.123456Z"), ExpiresAt: ts("2024-06-01T10:00:00Z")},
		{TokenHash: "h2", UserID: zoe.ID, CSRF: "c2", CreatedAt: ts("2024-05-31T11:00:00Z"), ExpiresAt: ts("2024-06-01T10:00:00.5Z")},
		{TokenHash: "h3", UserID: zoe.ID, CSRF: "c3", CreatedAt: ts("2024-05-31T12:00:00Z"), ExpiresAt: now}, // not before now
		{TokenHash: "h4", UserID: adam.ID, CSRF: "c4", CreatedAt: ts("2024-05-31T13:00:00Z"), ExpiresAt: ts("2024-05-01T00:00:00Z")},
		{TokenHash: "h5", UserID: adam.ID, CSRF: "c5", CreatedAt: ts("2024-05-31T14:00:00Z"), ExpiresAt: ts("2024-07-01T00:00:00Z")},
	}
	for _, ss := range sessions {
		c := *ss
		must(t, s.CreateSession(ctx, &c))
	}
	for _, want := range sessions {
		wantSession(t, s, want)
	}
	wantKind(t, s.CreateSession(ctx, &auth.Session{TokenHash: "h1", UserID: adam.ID, ExpiresAt: now}), errs.Conflict)
	wantSession(t, s, sessions[0]) // the refused duplicate changed nothing
	wantKind(t, s.CreateSession(ctx, &auth.Session{TokenHash: "h9", UserID: 999, ExpiresAt: now}), errs.NotFound)
	_, err := s.SessionByHash(ctx, "unknown")
	wantKind(t, err, errs.NotFound)

	n, err := s.DeleteExpiredSessions(ctx, now)
	must(t, err)
	if n != 2 {
		t.Errorf("deleted %d expired sessions, want 2 (h1 and h4)", n)
	}
	wantSessions(t, s, "h2", "h3", "h5")
	if n, err := s.DeleteExpiredSessions(ctx, now); err != nil || n != 0 {
		t.Errorf("second expiry pass deleted %d (%v), want 0", n, err)
	}

	must(t, s.DeleteSession(ctx, "h2"))
	must(t, s.DeleteSession(ctx, "h2")) // already gone
	must(t, s.DeleteSession(ctx, "unknown"))
	wantSessions(t, s, "h3", "h5")

	must(t, s.CreateSession(ctx, &auth.Session{TokenHash: "h6", UserID: zoe.ID, CSRF: "c6", ExpiresAt: ts("2024-07-01T00:00:00Z")}))
	must(t, s.DeleteUserSessions(ctx, zoe.ID))
	wantSessions(t, s, "h5")
	must(t, s.DeleteUserSessions(ctx, zoe.ID)) // none left
	must(t, s.DeleteUserSessions(ctx, 999))
	wantSessions(t, s, "h5")
}

// wantSession fails unless the stored session with want's hash equals want.
func wantSession(t *testing.T, s Store, want *auth.Session) {
	t.Helper()
	got, err := s.SessionByHash(ctx, want.TokenHash)
	if err != nil {
		t.Fatalf("session %s: %v", want.TokenHash, err)
	}
	if got.TokenHash != want.TokenHash || got.UserID != want.UserID || got.CSRF != want.CSRF ||
		!sameValue(want.CreatedAt, got.CreatedAt) || !sameValue(want.ExpiresAt, got.ExpiresAt) {
		t.Errorf("session %s:\n got %+v\nwant %+v", want.TokenHash, got, want)
	}
}

// wantSessions fails unless exactly the sessions with these hashes (among
// h1…h9) remain.
func wantSessions(t *testing.T, s Store, hashes ...string) {
	t.Helper()
	left := map[string]bool{}
	for _, h := range hashes {
		left[h] = true
	}
	for i := 1; i <= 9; i++ {
		h := fmt.Sprintf("h%d", i)
		_, err := s.SessionByHash(ctx, h)
		switch {
		case left[h] && err != nil:
			t.Errorf("session %s: %v, want it kept", h, err)
		case !left[h] && err == nil:
			t.Errorf("session %s still found, want it gone", h)
		case !left[h] && errs.KindOf(err) != errs.NotFound:
			t.Errorf("session %s: %v, want not found", h, err)
		}
	}
}

func testImportReports(t *testing.T, s Store) {
	newDataset(t, s, "trees")
	reports := []*catalog.ImportReport{
		{DatasetID: "trees", At: ts("2024-05-01T10:00:00Z"), Actor: "zoe", Source: "arbres.csv", Mode: "replace",
			OK: true, Version: 1, Rows: 1200, Detail: `{"fields":[{"name":"espèce","type":"text"}]}`},
		// Half a second later: a store ordering RFC 3339 text with trimmed
		// fractions would put it before the first.
		{DatasetID: "trees", At: ts("2024-05-01T10:00:00.5Z"), Actor: "zoe", Source: "arbres v2.xlsx", Mode: "append",
			Error: "column \"hauteur\": \"abc\" is not a number", Detail: `{"report":{"valid":false,"errors":3}}`},
		{DatasetID: "trees", At: ts("2024-05-01T10:00:00.5Z"), Actor: "bot", Source: "a.json", Mode: "upsert", OK: true, Version: 2, Rows: 7},
		{DatasetID: "trees", At: ts("2024-04-30T09:00:00.000001Z"), Actor: "adam", Source: "old.csv", Mode: "replace", Error: "empty file"},
		{DatasetID: "bins", At: ts("2024-05-02T00:00:00Z"), Actor: "zoe", Source: "bacs.csv", Mode: "replace", Error: "refused"},
	}
	var lastID int64
	for _, r := range reports {
		must(t, s.AddImportReport(ctx, r))
		if r.ID <= lastID {
			t.Fatalf("AddImportReport set ID %d after %d", r.ID, lastID)
		}
		lastID = r.ID
	}
	newest := []*catalog.ImportReport{reports[2], reports[1], reports[0], reports[3]} // equal times: latest ID first
	wantReports(t, s, "trees", 10, newest)
	wantReports(t, s, "trees", 2, newest[:2])
	wantReports(t, s, "bins", 10, reports[4:])
	wantReports(t, s, "parks", 10, nil)

	must(t, s.DeleteDataset(ctx, "trees"))
	wantReports(t, s, "trees", 10, newest)
}

func wantReports(t *testing.T, s Store, datasetID string, limit int, want []*catalog.ImportReport) {
	t.Helper()
	got, err := s.ImportReports(ctx, datasetID, limit)
	must(t, err)
	if len(got) != len(want) {
		t.Fatalf("%s, limit %d: got %d reports, want %d: %+v", datasetID, limit, len(got), len(want), got)
	}
	for i, w := range want {
		g := *got[i]
		if !sameValue(w.At, g.At) {
			t.Errorf("%s report %d: at %v, want %v (UTC)", datasetID, i, g.At, w.At)
		}
		g.At = w.At
		if g != *w {
			t.Errorf("%s report %d:\n got %+v\nwant %+v", datasetID, i, g, *w)
		}
	}
}

func testUsage(t *testing.T, s Store) {
	totals, err := s.UsageTotals(ctx)
	must(t, err)
	if len(totals) != 0 {
		t.Fatalf("totals before any usage: %v", totals)
	}
	paris := time.FixedZone("CEST", 2*3600)
	must(t, s.AddUsage(ctx, day(2024, 5, 1), []catalog.Usage{
		{DatasetID: "trees", Views: 3, Downloads: 1}, {DatasetID: "bins", Downloads: 2}}))
	must(t, s.AddUsage(ctx, day(2024, 5, 1).Add(23*time.Hour), []catalog.Usage{{DatasetID: "trees", Views: 2}}))
	must(t, s.AddUsage(ctx, day(2024, 5, 2), []catalog.Usage{
		{DatasetID: "trees", Views: 1, Downloads: 4}, {DatasetID: "parks"}, {DatasetID: "trees", Views: 10}}))
	// A time in another zone is accepted (01:00 in Paris on 3 May counts on
	// 2 May, UTC; only totals are visible here).
	must(t, s.AddUsage(ctx, time.Date(2024, 5, 3, 1, 0, 0, 0, paris), []catalog.Usage{{DatasetID: "bins", Views: 5}}))
	must(t, s.AddUsage(ctx, day(2024, 5, 3), nil))
	must(t, s.AddUsage(ctx, day(2023, 12, 31), []catalog.Usage{{DatasetID: "bins", Views: 100, Downloads: 1000}}))

	totals, err = s.UsageTotals(ctx)
	must(t, err)
	want := map[string]catalog.Usage{
		"trees": {DatasetID: "trees", Views: 16, Downloads: 5},
		"bins":  {DatasetID: "bins", Views: 105, Downloads: 1002},
	}
	if !maps.Equal(totals, want) {
		t.Errorf("usage totals:\n got %v\nwant %v", totals, want)
	}
}

// RunSessionCascade checks that deleting a user's row, which no interface
// offers and deleteUser does in the engine's SQL, deletes its sessions and
// only them.
func RunSessionCascade(t *testing.T, s Store, deleteUser func(id int64) error) {
	zoe, adam := &auth.User{Login: "zoe", Role: auth.RoleAgent}, &auth.User{Login: "adam", Role: auth.RoleAdmin}
	must(t, s.CreateUser(ctx, zoe))
	must(t, s.CreateUser(ctx, adam))
	exp := ts("2024-07-01T00:00:00Z")
	for i, uid := range []int64{zoe.ID, zoe.ID, adam.ID} {
		must(t, s.CreateSession(ctx, &auth.Session{TokenHash: fmt.Sprintf("h%d", i+1), UserID: uid, CSRF: "c", ExpiresAt: exp}))
	}
	must(t, deleteUser(zoe.ID))
	wantSessions(t, s, "h3")
}
