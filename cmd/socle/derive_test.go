package main

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/parquet-go/parquet-go"

	"github.com/socle/socle/internal/export"
)

// derivationCSV writes the private source: 30 reports by named people
// (name and e-mail are personal), 12 in Angers aged 30-39, 15 in Trélazé
// aged 40-49 and 3 in Avrillé aged 20-29 — a cell under the threshold.
func derivationCSV(t *testing.T) (string, []string) {
	t.Helper()
	var b strings.Builder
	b.WriteString("nom;courriel;age;commune;date_signalement;localisation\n")
	var secrets []string
	add := func(i int, commune string, age int, lat, lon float64) {
		nom, mail := fmt.Sprintf("Durandeau%02d", i), fmt.Sprintf("habitant%02d@courriel.example", i)
		secrets = append(secrets, nom, mail)
		fmt.Fprintf(&b, "%s;%s;%d;%s;2024-05-%02dT08:%02d:00Z;\"%.5f, %.5f\"\n", nom, mail, age, commune, 1+i%28, i%60, lat, lon)
	}
	for i := range 12 {
		add(i, "Angers", 30+i%10, 47.47123+float64(i)*1e-4, -0.55321)
	}
	for i := 12; i < 27; i++ {
		add(i, "Trélazé", 40+i%10, 47.44871, -0.46712+float64(i)*1e-4)
	}
	for i := 27; i < 30; i++ {
		add(i, "Avrillé", 20+i%10, 47.50612, -0.58877)
	}
	path := filepath.Join(t.TempDir(), "signalements.csv")
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return path, secrets
}

// TestDeriveOpensPersonalDataSafely derives, on both engines, a public
// dataset from a private one holding personal fields: the pseudonymised
// tokens are the same on every run and in the CLI and the API, and no raw
// personal value shows in any public output (records, every export
// format, facets, record search, catalog search). An aggregate with a
// cell under 11 is refused with its secrecy report, then published with
// that cell suppressed.
func TestDeriveOpensPersonalDataSafely(t *testing.T) {
	for _, e := range engines(t) {
		t.Run(e.name, func(t *testing.T) {
			e.t = t
			seedOrgs(t, e)
			src, secrets := derivationCSV(t)
			e.mustRun("import", "--dataset", "signalements", "--org", "metropole", "--access", "restricted", src)
			e.mustRun("user", "add", "--login", "steward", "--role", "steward", "--org", "metropole")
			steward := strings.TrimSpace(e.mustRun("apikey", "create", "--login", "steward"))
			e.start()
			if code, out := e.post("PUT", "/api/socle/v1/datasets/signalements", steward,
				[]byte(`{"meta":{"title":"Signalements","personal_fields":["nom","courriel","localisation"]}}`)); code != 200 {
				t.Fatalf("tag personal fields: %d %s", code, out)
			}
			spec := `{"source":"signalements","target":{"id":"signalements-ouverts","title":"Signalements (pseudonymisés)"},"fields":[
				{"name":"courriel","transform":"pseudonymise","as":"personne"},
				{"name":"nom","transform":"drop"},
				{"name":"age","transform":"bucket","width":10,"as":"tranche_age"},
				{"name":"commune","transform":"keep"},
				{"name":"date_signalement","transform":"truncate","unit":"month","as":"mois"},
				{"name":"localisation","transform":"grid","metres":500}]}`
			if code, out := e.post("POST", "/api/socle/v1/derive", "", []byte(spec)); code != 403 && code != 404 {
				t.Errorf("anonymous derivation: %d %s", code, out)
			}
			kept := strings.Replace(spec, `"name":"nom","transform":"drop"`, `"name":"nom","transform":"keep"`, 1)
			if code, out := e.post("POST", "/api/socle/v1/derive", steward, []byte(kept)); code != 400 || !strings.Contains(string(out), "personal data") {
				t.Errorf("a personal field kept: %d %s", code, out)
			}
			code, out := e.post("POST", "/api/socle/v1/derive", steward, []byte(spec))
			if code != 200 {
				t.Fatalf("derive: %d %s", code, out)
			}
			tokens := func() []string {
				var r struct {
					Results []struct {
						Personne string `json:"personne"`
					} `json:"results"`
				}
				e.getJSON(records("signalements-ouverts", "limit", "100", "order_by", "personne"), "", 200, &r)
				var out []string
				for _, x := range r.Results {
					out = append(out, x.Personne)
				}
				return out
			}
			first := tokens()
			if len(first) != 30 || !regexp.MustCompile(`^[0-9a-f]{16}$`).MatchString(first[0]) || len(slices.Compact(slices.Clone(first))) != 30 {
				t.Fatalf("tokens %v", first)
			}
			// Run again from the CLI (the stored spec), then through the API:
			// the same tokens, so joins across versions keep working.
			if out := e.mustRun("derive", "--refresh", "signalements-ouverts"); !strings.Contains(out, "30 records") {
				t.Errorf("derive --refresh: %q", out)
			}
			if again := tokens(); !slices.Equal(again, first) {
				t.Errorf("tokens changed between runs:\n%v\n%v", first, again)
			}
			if code, out := e.post("POST", "/api/socle/v1/datasets/signalements-ouverts/derive", steward, nil); code != 200 {
				t.Errorf("re-derive through the API: %d %s", code, out)
			}
			if again := tokens(); !slices.Equal(again, first) {
				t.Errorf("tokens changed on the API's run")
			}
			base := "/api/explore/v2.1/catalog/datasets/signalements-ouverts"
			public := []string{base, records("signalements-ouverts", "limit", "100"), base + "/facets",
				base + "/facets?facet=commune&facet=tranche_age&facet=personne",
				"/api/explore/v2.1/catalog/datasets?limit=100", "/datasets/signalements-ouverts", "/datasets/signalements-ouverts/table"}
			for _, f := range export.Formats {
				public = append(public, base+"/exports/"+string(f))
			}
			for _, secret := range []string{secrets[0], secrets[1]} {
				public = append(public, records("signalements-ouverts", "where", `search("`+secret+`")`),
					"/api/explore/v2.1/catalog/datasets?where="+`search("`+secret+`")`)
			}
			for _, path := range public {
				code, body, _ := e.get(path, "")
				if code != 200 {
					t.Errorf("GET %s: %d %s", path, code, body)
					continue
				}
				text := readable(t, path, body)
				for _, s := range secrets {
					if strings.Contains(text, s) {
						t.Fatalf("GET %s shows the personal value %q", path, s)
					}
				}
				if strings.Contains(text, "47.47123") || strings.Contains(text, "-0.55321") {
					t.Errorf("GET %s shows an exact location", path)
				}
			}
			if code, _, _ := e.get("/api/explore/v2.1/catalog/datasets/signalements", ""); code != 404 {
				t.Errorf("the private source answers %d to anyone", code)
			}

			// An aggregate by commune and age band: Avrillé has 3 people.
			agg := `{"source":"signalements","target":{"id":"signalements-par-commune"},"fields":[
				{"name":"commune","transform":"keep"},{"name":"age","transform":"bucket","width":100,"as":"tranche_age"}],
				"aggregate":{"group_by":["commune","tranche_age"]%s}}`
			code, out = e.post("POST", "/api/socle/v1/derive", steward, fmt.Appendf(nil, agg, ""))
			var refusal struct {
				ErrorCode string `json:"error_code"`
				Secrecy   struct {
					Groups, Secret, Threshold int
					Examples                  []string
				} `json:"secrecy"`
			}
			if err := json.Unmarshal(out, &refusal); err != nil || code != 400 || refusal.ErrorCode != "StatisticalSecrecy" ||
				refusal.Secrecy.Secret != 1 || refusal.Secrecy.Groups != 3 || refusal.Secrecy.Threshold != 11 ||
				len(refusal.Secrecy.Examples) != 1 || !strings.Contains(refusal.Secrecy.Examples[0], "Avrillé") {
				t.Fatalf("aggregate with a small cell: %d %s", code, out)
			}
			if code, _, _ := e.get("/api/explore/v2.1/catalog/datasets/signalements-par-commune", steward); code != 404 {
				t.Errorf("a refused derivation left its dataset behind: %d", code)
			}
			grouped := `{"source":"signalements","target":{"id":"signalements-par-personne"},"fields":[
				{"name":"courriel","transform":"pseudonymise"}],"aggregate":{"group_by":["courriel"],"on_secret":"suppress"}}`
			if code, out := e.post("POST", "/api/socle/v1/derive", steward, []byte(grouped)); code != 400 || !strings.Contains(string(out), "generalise") {
				t.Errorf("an aggregate by a personal field: %d %s", code, out)
			}
			code, out = e.post("POST", "/api/socle/v1/derive", steward, fmt.Appendf(nil, agg, `,"on_secret":"suppress"`))
			var done struct {
				Records int64 `json:"records"`
				Secrecy struct {
					Suppressed, Published int
				} `json:"secrecy"`
			}
			if err := json.Unmarshal(out, &done); err != nil || code != 200 || done.Records != 2 || done.Secrecy.Suppressed != 1 {
				t.Fatalf("aggregate with suppression: %d %s", code, out)
			}
			_, body, _ := e.get(records("signalements-par-commune", "order_by", "commune"), "")
			if !strings.Contains(string(body), `"count": 12`) && !strings.Contains(string(body), `"count":12`) || strings.Contains(string(body), "Avrillé") {
				t.Errorf("aggregate records %s", body)
			}
			var log struct {
				Results []struct {
					Action  string `json:"action"`
					Records int64  `json:"records"`
					Detail  string `json:"detail"`
				} `json:"results"`
			}
			e.getJSON("/api/socle/v1/audit?target=signalements-par-commune", steward, 200, &log)
			if !slices.ContainsFunc(log.Results, func(l struct {
				Action  string `json:"action"`
				Records int64  `json:"records"`
				Detail  string `json:"detail"`
			}) bool {
				return l.Action == "dataset.derive" && l.Records == 2 && strings.Contains(l.Detail, "1 under 11 suppressed")
			}) {
				t.Errorf("audit %+v", log.Results)
			}
			keyInfo, err := os.Stat(filepath.Join(e.data, pseudonymKeyFile))
			if err != nil || keyInfo.Mode().Perm() != 0o600 {
				t.Errorf("key file: %v %v", keyInfo, err)
			}
		})
	}
}

// readable is the text of a response: the cells of a Parquet file and the
// XML of an XLSX one (both binary and compressed), the body otherwise.
func readable(t *testing.T, path string, body []byte) string {
	t.Helper()
	switch {
	case strings.HasSuffix(path, "/xlsx"):
		z, err := zip.NewReader(bytes.NewReader(body), int64(len(body)))
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		var b strings.Builder
		for _, f := range z.File {
			r, err := f.Open()
			if err != nil {
				t.Fatal(err)
			}
			io.Copy(&b, r)
			r.Close()
		}
		return b.String()
	case strings.HasSuffix(path, "/parquet"):
		f, err := parquet.OpenFile(bytes.NewReader(body), int64(len(body)))
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		var b strings.Builder
		for _, rg := range f.RowGroups() {
			rr := rg.Rows()
			buf := make([]parquet.Row, 64)
			for {
				n, err := rr.ReadRows(buf)
				for _, row := range buf[:n] {
					for _, v := range row {
						fmt.Fprintf(&b, "%v;", v)
					}
				}
				if errors.Is(err, io.EOF) {
					break
				} else if err != nil {
					t.Fatal(err)
				}
			}
			rr.Close()
		}
		if b.Len() == 0 {
			t.Fatalf("%s: no rows read", path)
		}
		return b.String()
	}
	return string(body)
}
