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
	"github.com/socle/socle/internal/pdfdoc"
)

// TestReportPDF writes the annual report as PDF through the CLI on both
// engines and checks that its figures are the JSON report's, and that
// --format pdf without --out is refused (a PDF is no terminal output).
func TestReportPDF(t *testing.T) {
	year := strconv.Itoa(time.Now().UTC().Year())
	for _, e := range engines(t) {
		t.Run(e.name, func(t *testing.T) {
			e.t = t
			csvPath := filepath.Join(t.TempDir(), "bancs.csv")
			if err := os.WriteFile(csvPath, []byte("rue;places\nHaute;3\nBasse;4\nBrûlée;5\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			e.mustRun("import", "--dataset", "bancs", csvPath)
			var r annual.Report
			if err := json.Unmarshal([]byte(e.mustRun("report", "--year", year)), &r); err != nil {
				t.Fatal(err)
			}
			out := filepath.Join(t.TempDir(), "rapport.pdf")
			e.mustRun("report", "--year", year, "--format", "pdf", "--out", out)
			pdf, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(string(pdf), "%PDF-1.") {
				t.Fatalf("not a PDF: %.20q", pdf)
			}
			text := pdfdoc.Text(pdf)
			for _, want := range []string{
				"Rapport annuel " + year,
				"Jeux de données au catalogue\n" + strconv.Itoa(r.Datasets.Total) + "\n",
				"Jeux ouverts dans l'année\n" + strconv.Itoa(r.Datasets.Opened) + "\n",
				"Enregistrements\n" + strconv.FormatInt(r.Datasets.Records, 10) + "\n",
				"Capteurs au registre\n" + strconv.Itoa(r.Sensors.Devices) + "\n",
				"Alertes ouvertes\n" + strconv.Itoa(r.Incidents.Alerts) + "\n",
			} {
				if !strings.Contains(text, want) {
					t.Errorf("the PDF lacks %q:\n%s", want, text)
				}
			}
			if r.Datasets.Total != 1 || r.Datasets.Records != 3 {
				t.Errorf("the seeded year: %d datasets, %d records", r.Datasets.Total, r.Datasets.Records)
			}
			if _, stderr, code := e.run("", "report", "--year", year, "--format", "pdf"); code == 0 || !strings.Contains(stderr, "--out") {
				t.Errorf("--format pdf without --out: exit %d, %s", code, stderr)
			}
		})
	}
}
