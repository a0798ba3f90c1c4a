package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestDatasetRetention sets a dataset's retention through the API on both
// engines, checks that a legal hold suspends the purge, then that `socle
// retention purge` deletes the records older than the retention only, and
// that both purges are in the audit log (the purge log).
func TestDatasetRetention(t *testing.T) {
	for _, e := range engines(t) {
		t.Run(e.name, func(t *testing.T) {
			e.t = t
			seedOrgs(t, e)
			recent := time.Now().UTC().AddDate(0, 0, -10).Format(time.DateOnly)
			csvPath := filepath.Join(t.TempDir(), "interventions.csv")
			body := "objet;date_intervention\nA;2019-05-01\nB;2020-06-01\nC;" + recent + "\n"
			if err := os.WriteFile(csvPath, []byte(body), 0o600); err != nil {
				t.Fatal(err)
			}
			e.mustRun("import", "--dataset", "interventions", "--org", "metropole", csvPath)
			e.mustRun("user", "add", "--login", "steward", "--role", "steward", "--org", "metropole")
			steward := strings.TrimSpace(e.mustRun("apikey", "create", "--login", "steward"))
			e.start()
			const put = "/api/socle/v1/datasets/interventions"
			if code, out := e.post("PUT", put, steward, []byte(`{"meta":{"title":"Interventions","retention_days":365,"retention_field":"objet"}}`)); code != 400 {
				t.Fatalf("a retention on a text field: %d %s", code, out)
			}
			if code, out := e.post("PUT", put, steward, []byte(`{"meta":{"title":"Interventions","retention_days":365,"retention_field":"date_intervention","legal_hold":true}}`)); code != 200 {
				t.Fatalf("retention with a legal hold: %d %s", code, out)
			}
			if out := e.mustRun("retention", "purge"); !strings.Contains(out, "interventions: legal hold") {
				t.Errorf("purge under legal hold: %q", out)
			}
			count := func() int {
				var r struct {
					TotalCount int `json:"total_count"`
				}
				e.getJSON(records("interventions", "limit", "0"), "", 200, &r)
				return r.TotalCount
			}
			if n := count(); n != 3 {
				t.Fatalf("%d records after a purge under legal hold, want 3", n)
			}
			if code, out := e.post("PUT", put, steward, []byte(`{"meta":{"legal_hold":false}}`)); code != 200 { // metadata are merged
				t.Fatalf("lift the hold: %d %s", code, out)
			}
			if out := e.mustRun("retention", "purge"); !strings.Contains(out, "interventions: 2 records before") {
				t.Errorf("purge: %q", out)
			}
			if n := count(); n != 1 {
				t.Fatalf("%d records after the purge, want 1 (the recent one)", n)
			}
			var log struct {
				Results []struct {
					Action  string `json:"action"`
					Records int64  `json:"records"`
					Detail  string `json:"detail"`
				} `json:"results"`
			}
			e.getJSON("/api/socle/v1/audit?target=interventions", steward, 200, &log)
			var purges []string
			for _, l := range log.Results {
				if l.Action == "retention.purge" {
					purges = append(purges, l.Detail)
				}
			}
			// The server's own retention job, started with it, may have
			// logged a purge under the hold too.
			if len(purges) < 2 || !strings.HasPrefix(purges[0], "before ") {
				t.Fatalf("purge log %v", purges)
			}
			for _, p := range purges[1:] {
				if !strings.HasPrefix(p, "legal hold") {
					t.Errorf("purge log %v: only the last purge deletes", purges)
				}
			}
		})
	}
}
