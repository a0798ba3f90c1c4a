package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestDelegatedServiceDeliveries registers a delegated public service
// contract whose data clause is not delivered, on both engines: the check
// opens a delivery alert, the delivery of the dataset resolves it, and the
// public view of the contract hides its confidential notes.
func TestDelegatedServiceDeliveries(t *testing.T) {
	for _, e := range engines(t) {
		t.Run(e.name, func(t *testing.T) {
			e.t = t
			seedOrgs(t, e)
			e.mustRun("user", "add", "--login", "steward", "--role", "steward", "--org", "metropole")
			steward := strings.TrimSpace(e.mustRun("apikey", "create", "--login", "steward"))
			e.start()
			start := time.Now().UTC().AddDate(0, 0, -30).Format(time.RFC3339)
			end := time.Now().UTC().AddDate(1, 0, 0).Format(time.RFC3339)
			contract := `{"delegate":"partenaire","service":"Stationnement en ouvrage","start":"` + start + `","end":"` + end + `",
				"clauses":[{"dataset":"parkings-dsp","frequency_days":7,"format":"CSV"}],"confidential":"pénalités: NE PAS PUBLIER"}`
			if code, out := e.post("PUT", "/api/socle/v1/registers/contracts/parkings", steward, []byte(`{"delegate":"x","service":"y","start":"`+end+`","end":"`+start+`","clauses":[]}`)); code != 400 {
				t.Fatalf("an invalid contract: %d %s", code, out)
			}
			if code, out := e.post("PUT", "/api/socle/v1/registers/contracts/parkings", steward, []byte(contract)); code != 200 {
				t.Fatalf("contract: %d %s", code, out)
			}
			if _, out, _ := e.get("/api/socle/v1/registers/contracts", ""); strings.Contains(string(out), "NE PAS PUBLIER") || !strings.Contains(string(out), "parkings-dsp") {
				t.Errorf("public contracts: %s", out)
			}
			if _, out, _ := e.get("/api/socle/v1/deliveries", ""); !strings.Contains(string(out), `"status":"missing"`) {
				t.Fatalf("deliveries before the dataset: %s", out)
			}
			if code, out, _ := e.get("/registres", ""); code != 200 || !strings.Contains(string(out), "Manquant") || strings.Contains(string(out), "NE PAS PUBLIER") {
				t.Errorf("/registres: %d", code)
			}
			// The server's own periodic check, run once as it starts, may open
			// the alert first: what matters is that one is open.
			if out := e.mustRun("alerts", "check"); !strings.Contains(out, "deliveries: ") {
				t.Fatalf("alerts check: %q", out)
			}
			if _, out, _ := e.get("/api/v1/alerts?status=open", steward); strings.Count(string(out), `"rule_id":"livraison-dsp"`) != 1 || !strings.Contains(string(out), "manquante") {
				t.Fatalf("open alerts: %s", out)
			}
			csvPath := filepath.Join(t.TempDir(), "parkings.csv")
			if err := os.WriteFile(csvPath, []byte("parc;places\nMairie;60\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			e.mustRun("import", "--dataset", "parkings-dsp", "--org", "metropole", csvPath)
			if out := e.mustRun("alerts", "check"); !strings.Contains(out, "deliveries: 0 opened, 1 resolved") {
				t.Fatalf("alerts check after the delivery: %q", out)
			}
			if _, out, _ := e.get("/api/v1/alerts?status=resolved", steward); !strings.Contains(string(out), `"rule_id":"livraison-dsp"`) {
				t.Errorf("resolved alerts: %s", out)
			}
		})
	}
}
