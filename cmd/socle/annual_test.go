package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/socle/socle/internal/annual"
)

// TestAnnualReport builds a small year of activity on both engines —
// three datasets, downloads, a sensor whose values open an alert, register
// entries — and checks the annual report's figures against it, through the
// API, the CLI (same numbers) and the public page.
func TestAnnualReport(t *testing.T) {
	year := time.Now().UTC().Year()
	for _, e := range engines(t) {
		t.Run(e.name, func(t *testing.T) {
			e.t = t
			seedOrgs(t, e)
			csvPath := filepath.Join(t.TempDir(), "bancs.csv")
			if err := os.WriteFile(csvPath, []byte("rue;places\nHaute;3\nBasse;4\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			e.mustRun("import", "--dataset", "bancs", csvPath)
			e.mustRun("import", "--dataset", "tables", csvPath)
			e.mustRun("import", "--dataset", "interne", "--access", "internal", "--org", "metropole", csvPath)
			e.mustRun("user", "add", "--login", "steward", "--role", "steward", "--org", "metropole")
			steward := strings.TrimSpace(e.mustRun("apikey", "create", "--login", "steward"))
			e.start()
			for _, put := range [][2]string{
				{"/api/v1/devices/m1", `{"type":"WaterMeter","domain":"water","properties":[{"name":"flow"}]}`},
				{"/api/v1/rules/haut-debit", `{"name":"Débit haut","kind":"threshold","domain":"water","property":"flow","op":">","threshold":100,"severity":"critical","enabled":true}`},
				{"/api/socle/v1/registers/algorithms/tri", `{"name":"Tri","service":"S","contact":"c","purpose":"p","decision":"d","automation":"aide","legal_basis":"l","data":["x"],"operations":"o","human_oversight":"h","platform_function":true}`},
			} {
				if code, body := e.post("PUT", put[0], steward, []byte(put[1])); code != 200 {
					t.Fatalf("PUT %s: %d %s", put[0], code, body)
				}
			}
			now := time.Now().UTC().Add(-time.Minute).Format(time.RFC3339)
			if code, body := e.post("POST", "/api/v1/observations", steward, []byte(`[{"device":"m1","property":"flow","time":"`+now+`","value":500}]`)); code != 201 {
				t.Fatalf("observation: %d %s", code, body)
			}
			for range 4 {
				e.get("/api/explore/v2.1/catalog/datasets/bancs/exports/csv", "")
			}
			e.get("/api/explore/v2.1/catalog/datasets/tables/exports/json", "")

			var r annual.Report
			e.getJSON("/api/socle/v1/report/"+strconv.Itoa(year), "", 200, &r)
			checks := []struct {
				name      string
				got, want int64
			}{
				{"datasets", int64(r.Datasets.Total), 3}, {"opened", int64(r.Datasets.Opened), 3}, {"records", r.Datasets.Records, 6},
				{"downloads", r.Use.Downloads, 5}, {"devices", int64(r.Sensors.Devices), 1}, {"alerts", int64(r.Incidents.Alerts), 1},
				{"algorithms", int64(r.Registers.Algorithms), 1}, {"platform algorithms", int64(r.Registers.PlatformAlgorithms), 1},
			}
			for _, c := range checks {
				if c.got != c.want {
					t.Errorf("%s: %d, want %d", c.name, c.got, c.want)
				}
			}
			if len(r.Use.Top) != 2 || r.Use.Top[0].N != 4 || len(r.Incidents.BySeverity) != 1 || r.Incidents.BySeverity[0].Key != "critical" {
				t.Errorf("top %v, severities %v", r.Use.Top, r.Incidents.BySeverity)
			}
			for _, c := range r.Use.Top {
				if strings.Contains(c.Key, "interne") {
					t.Errorf("an internal dataset in the public top: %v", r.Use.Top)
				}
			}
			var cli annual.Report
			if err := json.Unmarshal([]byte(e.mustRun("report", "--year", strconv.Itoa(year))), &cli); err != nil {
				t.Fatal(err)
			}
			if cli.Datasets.Total != r.Datasets.Total || cli.Datasets.Records != r.Datasets.Records || cli.Use.Downloads != r.Use.Downloads || cli.Incidents.Alerts != r.Incidents.Alerts {
				t.Errorf("the CLI's report differs from the API's: %+v vs %+v", cli.Datasets, r.Datasets)
			}
			if code, body, _ := e.get("/rapport/"+strconv.Itoa(year), ""); code != 200 || !strings.Contains(string(body), "Rapport annuel "+strconv.Itoa(year)) || !strings.Contains(string(body), "<svg") {
				t.Fatalf("/rapport: %d", code)
			}
			if code, _, _ := e.get("/rapport/1999", ""); code != 404 {
				t.Errorf("/rapport/1999: %d, want 404", code)
			}
			if code, _, _ := e.get("/api/socle/v1/report/"+strconv.Itoa(year+1), ""); code != 400 {
				t.Errorf("next year's report: %d, want 400", code)
			}
		})
	}
}
