package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/socle/socle/internal/app"
	"github.com/socle/socle/internal/catalog"
)

// TestRestrictedDatasetsDoNotExistForOthers checks every endpoint with an
// anonymous caller, an unauthorised key, an authorised key and a revoked key.
func TestRestrictedDatasetsDoNotExistForOthers(t *testing.T) {
	csvPath := filepath.Join(t.TempDir(), "secret.csv")
	os.WriteFile(csvPath, []byte("nom;montant;geo_point_2d\nalpha;1,5;47.47, -0.55\nbêta;2,5;47.48, -0.56\n"), 0o600)
	for _, e := range engines(t) {
		t.Run(e.name, func(t *testing.T) {
			e.t = t
			seedOrgs(t, e)
			e.mustRun("import", "--dataset", "secret", "--access", "restricted", "--org", "metropole", csvPath)
			e.mustRun("import", "--dataset", "open", csvPath)
			e.mustRun("user", "add", "--login", "outsider", "--role", "partner", "--org", "partenaire")
			e.mustRun("user", "add", "--login", "steward", "--role", "steward", "--org", "metropole")
			outsider := strings.TrimSpace(e.mustRun("apikey", "create", "--login", "outsider"))
			steward := strings.TrimSpace(e.mustRun("apikey", "create", "--login", "steward"))
			revoked := strings.TrimSpace(e.mustRun("apikey", "create", "--login", "steward"))
			e.mustRun("apikey", "revoke", "--key", revoked)
			e.start()
			base := "/api/explore/v2.1/catalog/datasets/secret"
			paths := []string{base, base + "/records", base + "/records/1", base + "/exports/csv", base + "/exports/parquet",
				base + "/exports/geojson", base + "/facets", base + "/exports"}
			for _, key := range []string{"", outsider} {
				for _, p := range paths {
					if code, body, _ := e.get(p, key); code != 404 {
						t.Errorf("key %q GET %s: %d, want 404: %s", key, p, code, body)
					}
				}
				if code, body, _ := e.get("/api/explore/v2.1/catalog/datasets/secret/records?apikey="+key, ""); key != "" && code != 404 {
					t.Errorf("apikey param: %d %s", code, body)
				}
				assertCatalogHides(t, e, key, "secret")
			}
			for _, p := range paths {
				if code, body, _ := e.get(p, steward); code != 200 {
					t.Errorf("steward GET %s: %d, want 200: %s", p, code, body)
				}
			}
			assertAudited(t, e, steward, "secret")
			if code, _, _ := e.get(base, revoked); code != 401 {
				t.Errorf("revoked key: %d, want 401", code)
			}
			if code, _, _ := e.get("/api/explore/v2.1/catalog/datasets/open/records", "ApIkEy "+steward); code != 401 {
				// "ApIkEy <key>" as a key value is not a key: refused.
				t.Errorf("garbage key accepted: %d", code)
			}
		})
	}
}

func seedOrgs(t *testing.T, e *env) {
	t.Helper()
	a, err := (&storeFlags{data: e.data, dsn: e.dsn}).open(t.Context(), quietLogger())
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	for _, o := range []*catalog.Organization{
		{ID: "metropole", Name: "Métropole", Kind: catalog.OrgMetropolis},
		{ID: "partenaire", Name: "Partenaire", Kind: catalog.OrgPartner},
	} {
		if err := a.Store.PutOrganization(t.Context(), o); err != nil {
			t.Fatal(err)
		}
	}
	_ = app.CatalogID
}

// assertCatalogHides checks that id is absent from the catalog list, its
// count, its facets and its export.
func assertCatalogHides(t *testing.T, e *env, key, id string) {
	t.Helper()
	var page recordsPageJSON
	e.getJSON("/api/explore/v2.1/catalog/datasets?limit=100", key, 200, &page)
	for _, d := range page.Results {
		if d["dataset_id"] == id {
			t.Errorf("key %q: %s listed in the catalog", key, id)
		}
	}
	if page.TotalCount != int64(len(page.Results)) {
		t.Errorf("key %q: total_count %d but %d results", key, page.TotalCount, len(page.Results))
	}
	for _, p := range []string{"/api/explore/v2.1/catalog/facets", "/api/explore/v2.1/catalog/exports/json",
		"/api/explore/v2.1/catalog/datasets?where=" + "search(%22" + id + "%22)"} {
		code, body, _ := e.get(p, key)
		if code != 200 {
			t.Errorf("key %q GET %s: %d %s", key, p, code, body)
		}
		if strings.Contains(string(body), `"`+id+`"`) {
			t.Errorf("key %q GET %s reveals %s: %s", key, p, id, body)
		}
	}
	var facets struct {
		Facets []struct {
			Name   string `json:"name"`
			Facets []struct {
				Value string `json:"value"`
				Count int    `json:"count"`
			} `json:"facets"`
		} `json:"facets"`
	}
	_, body, _ := e.get("/api/explore/v2.1/catalog/facets?facet=access", key)
	json.Unmarshal(body, &facets)
	for _, f := range facets.Facets {
		for _, v := range f.Facets {
			if v.Value == "restricted" {
				t.Errorf("key %q: facet counts a restricted dataset: %s", key, fmt.Sprint(v))
			}
		}
	}
}

// assertAudited checks that the reads of a non-public dataset were logged
// with who read how many records, and that the audit log is not public.
func assertAudited(t *testing.T, e *env, key, id string) {
	t.Helper()
	if code, _, _ := e.get("/api/socle/v1/audit", ""); code != 401 {
		t.Errorf("anonymous audit read: %d, want 401", code)
	}
	var log struct {
		Results []struct {
			Actor, Action, Target string
			Records               int64
		}
	}
	e.getJSON("/api/socle/v1/audit?target="+id, key, 200, &log)
	actions := map[string]int64{}
	for _, r := range log.Results {
		if r.Target != id {
			t.Errorf("audit filter returned %s", r.Target)
		}
		if r.Actor == "steward" {
			actions[r.Action] += r.Records
		}
	}
	if actions["records.read"] < 2 || actions["records.export"] < 2 {
		t.Errorf("reads and exports by the steward not audited with their counts: %v", actions)
	}
	if _, ok := actions["dataset.read"]; !ok {
		t.Errorf("metadata read not audited: %v", actions)
	}
	found := false
	for _, r := range log.Results {
		found = found || (r.Action == "dataset.import" && r.Records == 2)
	}
	if !found {
		t.Errorf("the import is not in the audit log: %+v", log.Results)
	}
}
