package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/socle/socle/internal/sobriety"
)

// TestSobrietyReport measures a small platform on both engines: the same
// file imported twice is reported as a duplicate, downloads are counted
// with their transfer, sensor observations and their roll-ups are counted,
// the anonymous report lists public datasets only while a steward's lists
// every one, and the public page shows the figures.
func TestSobrietyReport(t *testing.T) {
	for _, e := range engines(t) {
		t.Run(e.name, func(t *testing.T) {
			e.t = t
			seedOrgs(t, e)
			csvPath := filepath.Join(t.TempDir(), "arbres.csv")
			var b strings.Builder
			b.WriteString("espece;hauteur\n")
			for i := range 500 {
				b.WriteString("platane;" + string(rune('1'+i%9)) + "\n")
			}
			if err := os.WriteFile(csvPath, []byte(b.String()), 0o600); err != nil {
				t.Fatal(err)
			}
			e.mustRun("import", "--dataset", "arbres", csvPath)
			e.mustRun("import", "--dataset", "arbres-copie", csvPath)
			e.mustRun("import", "--dataset", "interne", "--access", "internal", "--org", "metropole", csvPath)
			e.mustRun("user", "add", "--login", "steward", "--role", "steward", "--org", "metropole")
			steward := strings.TrimSpace(e.mustRun("apikey", "create", "--login", "steward"))
			e.start()
			if code, body := e.post("PUT", "/api/v1/devices/m1", steward, []byte(`{"type":"WaterMeter","domain":"water","properties":[{"name":"flow"}]}`)); code != 200 {
				t.Fatalf("device: %d %s", code, body)
			}
			if code, body := e.post("POST", "/api/v1/observations", steward, []byte(`[{"device":"m1","property":"flow","time":"2026-01-01T10:00:00Z","value":1},
				{"device":"m1","property":"flow","time":"2026-01-01T10:30:00Z","value":2},{"device":"m1","property":"flow","time":"2026-01-02T10:00:00Z","value":3}]`)); code != 201 {
				t.Fatalf("observations: %d %s", code, body)
			}
			for range 3 {
				if code, _, _ := e.get("/api/explore/v2.1/catalog/datasets/arbres/exports/csv", ""); code != 200 {
					t.Fatalf("export: %d", code)
				}
			}

			var anon, full sobriety.Report
			e.getJSON("/api/socle/v1/sobriety", "", 200, &anon)
			e.getJSON("/api/socle/v1/sobriety", steward, 200, &full)
			if len(anon.Datasets) != 2 || len(full.Datasets) != 3 {
				t.Fatalf("datasets listed: anonymous %d, steward %d; want 2 and 3", len(anon.Datasets), len(full.Datasets))
			}
			if full.Duplicates != 3 || full.RawRows != 3 || full.HourlyRows != 2 || full.DailyRows != 2 {
				t.Errorf("duplicates %d, sensor rows %d/%d/%d; want 3 (one content, three datasets), 3, 2, 2",
					full.Duplicates, full.RawRows, full.HourlyRows, full.DailyRows)
			}
			for _, d := range full.Datasets {
				if d.ID == "arbres" && (d.Downloads != 3 || d.TransferBytes <= 0 || len(d.DuplicateOf) != 2 || d.Rows != 500) {
					t.Errorf("arbres: %+v", d)
				}
				if full.Measured && d.Bytes <= 0 {
					t.Errorf("%s: %d bytes measured", d.ID, d.Bytes)
				}
			}
			if full.Estimate.KWhPerYear <= 0 && full.Measured || full.Model != sobriety.DefaultModel {
				t.Errorf("estimate %+v with model %+v", full.Estimate, full.Model)
			}
			code, body, _ := e.get("/sobriete", "")
			if code != 200 || !strings.Contains(string(body), "arbres-copie") || strings.Contains(string(body), `href="/datasets/interne"`) {
				t.Fatalf("/sobriete: %d", code)
			}
		})
	}
}
