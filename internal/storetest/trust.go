package storetest

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/socle/socle/internal/agreements"
	"github.com/socle/socle/internal/audit"
	"github.com/socle/socle/internal/errs"
)

// runTrust is the conformance of the audit chain and of agreements.
func runTrust(t *testing.T, fresh func(t *testing.T) Store) {
	for _, tc := range []struct {
		name string
		fn   func(t *testing.T, s Store)
	}{
		{"an empty audit log verifies with no entries", testAuditChainEmpty},
		{"appended entries chain each to the one before and verify", testAuditChain},
		{"concurrent appends chain correctly", testAuditChainConcurrent},
		{"agreements are put, replaced, found, listed by partner and unknown ones are not found", testAgreements},
		{"agreement usage adds up requests and records and keeps the last access", testAgreementUsage},
	} {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, fresh(t)) })
	}
}

func testAuditChainEmpty(t *testing.T, s Store) {
	rep, err := s.VerifyAudit(ctx)
	must(t, err)
	if !rep.OK() || rep.Entries != 0 || rep.Head != "" {
		t.Fatalf("empty log: %+v", rep)
	}
}

func testAuditChain(t *testing.T, s Store) {
	for i := range 5 {
		must(t, s.AppendAudit(ctx, &audit.Entry{Time: ts("2024-01-01T00:00:00.123456Z").Add(time.Duration(i) * time.Second),
			Actor: "zoé", Action: "records.read", Target: "trees", Records: int64(i), Detail: fmt.Sprintf("n=%d\n:", i)}))
	}
	all, err := s.Audit(ctx, "", 10)
	must(t, err)
	if len(all) != 5 || all[4].PrevHash != "" || all[0].PrevHash != all[1].Hash || all[0].Hash != audit.ComputeHash(all[0]) {
		t.Fatalf("chain: %+v", all)
	}
	rep, err := s.VerifyAudit(ctx)
	must(t, err)
	if !rep.OK() || rep.Entries != 5 || rep.Head != all[0].Hash {
		t.Fatalf("verify: %+v", rep)
	}
}

func testAuditChainConcurrent(t *testing.T, s Store) {
	const workers, each = 8, 25
	var wg sync.WaitGroup
	errc := make(chan error, workers)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				e := &audit.Entry{Time: time.Now().UTC(), Actor: fmt.Sprintf("w%d", w), Action: "records.read", Target: "t", Records: int64(i)}
				if err := s.AppendAudit(ctx, e); err != nil {
					errc <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errc)
	for err := range errc {
		t.Fatal(err)
	}
	rep, err := s.VerifyAudit(ctx)
	must(t, err)
	if !rep.OK() || rep.Entries != workers*each {
		t.Fatalf("verify after concurrent appends: %+v", rep)
	}
}

func newAgreement(id, partner string) *agreements.Agreement {
	return &agreements.Agreement{ID: id, Owner: "metropole", Partner: partner,
		Datasets: []agreements.Scope{{Dataset: "trees", Fields: []string{"name"}, Filter: "height > 3"}},
		Purpose:  "étude", LegalBasis: "art. 6.1.e RGPD", Start: ts("2024-01-01T00:00:00Z"), End: ts("2025-01-01T00:00:00Z"),
		Conditions: []string{"no re-identification"}, Signatories: []string{"A. B."}, Status: agreements.Active, Notes: "confidential",
		Created: ts("2023-12-01T10:00:00.123456Z"), Updated: ts("2023-12-01T10:00:00.123456Z")}
}

func testAgreements(t *testing.T, s Store) {
	for _, a := range []*agreements.Agreement{newAgreement("b", "p1"), newAgreement("a", "p2"), newAgreement("c", "p1")} {
		must(t, s.PutAgreement(ctx, a))
	}
	changed := newAgreement("a", "p1")
	changed.Status = agreements.Terminated
	must(t, s.PutAgreement(ctx, changed))
	got, err := s.Agreement(ctx, "a")
	must(t, err)
	if got.Status != agreements.Terminated || got.Partner != "p1" || !got.Start.Equal(changed.Start) || !got.Created.Equal(changed.Created) ||
		got.Datasets[0].Filter != "height > 3" || got.Datasets[0].Fields[0] != "name" || got.Notes != "confidential" {
		t.Fatalf("replaced agreement: %+v", got)
	}
	all, err := s.Agreements(ctx, "")
	must(t, err)
	if len(all) != 3 || all[0].ID != "a" || all[2].ID != "c" {
		t.Fatalf("all agreements: %+v", all)
	}
	mine, err := s.Agreements(ctx, "p1")
	must(t, err)
	if len(mine) != 3 {
		t.Fatalf("agreements of p1: %+v", mine)
	}
	none, err := s.Agreements(ctx, "p2")
	must(t, err)
	if len(none) != 0 {
		t.Fatalf("agreements of p2: %+v", none)
	}
	_, err = s.Agreement(ctx, "zz")
	wantKind(t, err, errs.NotFound)
}

func testAgreementUsage(t *testing.T, s Store) {
	u, err := s.AgreementUsage(ctx, "a")
	must(t, err)
	if u.Requests != 0 || !u.LastAccess.IsZero() {
		t.Fatalf("unused: %+v", u)
	}
	must(t, s.AddAgreementUsage(ctx, "a", 1, 10, ts("2024-02-01T00:00:00Z")))
	must(t, s.AddAgreementUsage(ctx, "a", 1, 5, ts("2024-02-02T00:00:00.5Z")))
	u, err = s.AgreementUsage(ctx, "a")
	must(t, err)
	if u.Requests != 2 || u.Records != 15 || !u.LastAccess.Equal(ts("2024-02-02T00:00:00.5Z")) {
		t.Fatalf("usage: %+v", u)
	}
}
