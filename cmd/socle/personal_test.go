package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestPersonalFieldsNeverPublic tags a field of a public dataset as
// personal and checks, on both engines, that its values reach no public
// output — records, select, where, search, facets, CSV, JSON and JSON
// Lines and Parquet exports, the dataset's metadata and its portal pages,
// its DCAT description, the CKAN API's package and DataStore — while the
// dataset's steward still sees it; a tag naming no field is refused.
func TestPersonalFieldsNeverPublic(t *testing.T) {
	const secret = "jeanne.durand@example.org"
	for _, e := range engines(t) {
		t.Run(e.name, func(t *testing.T) {
			e.t = t
			seedOrgs(t, e)
			csvPath := filepath.Join(t.TempDir(), "signalements.csv")
			body := "objet;courriel;commune\nNid-de-poule;" + secret + ";Angers\nLampadaire;paul.martin@example.org;Trélazé\n"
			if err := os.WriteFile(csvPath, []byte(body), 0o600); err != nil {
				t.Fatal(err)
			}
			e.mustRun("import", "--dataset", "signalements", "--org", "metropole", csvPath)
			e.mustRun("user", "add", "--login", "steward", "--role", "steward", "--org", "metropole")
			steward := strings.TrimSpace(e.mustRun("apikey", "create", "--login", "steward"))
			e.start()
			const put = "/api/socle/v1/datasets/signalements"
			if code, out := e.post("PUT", put, steward, []byte(`{"meta":{"title":"Signalements","personal_fields":["inconnu"]}}`)); code != 400 {
				t.Fatalf("a tag naming no field: %d %s", code, out)
			}
			if code, out := e.post("PUT", put, steward, []byte(`{"meta":{"title":"Signalements","personal_fields":["courriel"]}}`)); code != 200 {
				t.Fatalf("tag: %d %s", code, out)
			}
			base := "/api/explore/v2.1/catalog/datasets/signalements"
			var meta struct {
				UID string `json:"dataset_uid"`
			}
			e.getJSON(base, "", 200, &meta)
			store := "/api/3/action/datastore_search?resource_id=" + strings.TrimPrefix(meta.UID, "da_") + "-records"
			for _, path := range []string{base, records("signalements"), base + "/records?limit=1&offset=0",
				base + "/exports/csv", base + "/exports/json", base + "/exports/jsonl", base + "/exports/parquet",
				"/datasets/signalements", "/datasets/signalements/table", "/datasets/signalements.ttl",
				"/api/3/action/package_show?id=signalements", store, store + "&q=jeanne"} {
				code, out, _ := e.get(path, "")
				if code != 200 || strings.Contains(string(out), secret) || strings.Contains(string(out), "courriel") {
					t.Errorf("GET %s: %d, the personal field shows", path, code)
				}
			}
			for _, q := range []string{records("signalements", "select", "courriel"), records("signalements", "where", `courriel = "`+secret+`"`),
				base + "/facets?facet=courriel", store + "&fields=courriel", store + `&filters={"courriel":"` + secret + `"}`,
				store + "&sort=courriel"} {
				if code, out, _ := e.get(q, ""); code == 200 && strings.Contains(string(out), secret) || code/100 == 5 {
					t.Errorf("GET %s: %d %s", q, code, out)
				}
			}
			if _, out, _ := e.get(records("signalements", "where", `search("jeanne")`), ""); strings.Contains(string(out), "Nid-de-poule") {
				t.Errorf("a search on the personal field's values finds the record: %s", out)
			}
			if code, out, _ := e.get(records("signalements", "select", "courriel"), steward); code != 200 || !strings.Contains(string(out), secret) {
				t.Errorf("the steward does not see the personal field: %d %s", code, out)
			}
		})
	}
}
