package storetest

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/socle/socle/internal/audit"
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
