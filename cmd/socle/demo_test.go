package main

import (
	"strings"
	"testing"

	"github.com/socle/socle/internal/demo"
)

// TestDemoTerritory seeds the demo on each engine and reads it back through
// the API as the public and as the admin.
func TestDemoTerritory(t *testing.T) {
	for _, e := range engines(t) {
		t.Run(e.name, func(t *testing.T) {
			e.t = t
			a, err := (&storeFlags{data: e.data, dsn: e.dsn}).open(t.Context(), quietLogger())
			if err != nil {
				t.Fatal(err)
			}
			terr := demo.New()
			created, err := seedDemo(t.Context(), a, terr)
			if err != nil || !created {
				t.Fatalf("seed: created=%v err=%v", created, err)
			}
			if again, err := seedDemo(t.Context(), a, terr); err != nil || again {
				t.Fatalf("second seed must leave a populated database alone: %v %v", again, err)
			}
			key, _, err := a.CreateAPIKey(t.Context(), adminLogin(terr), "test")
			a.Close()
			if err != nil {
				t.Fatal(err)
			}
			e.start()
			var pub, all recordsPageJSON
			e.getJSON("/api/explore/v2.1/catalog/datasets?limit=100", "", 200, &pub)
			e.getJSON("/api/explore/v2.1/catalog/datasets?limit=100", key, 200, &all)
			if all.TotalCount < 10 || int(all.TotalCount) != len(terr.Datasets) {
				t.Errorf("admin sees %d datasets, the territory has %d", all.TotalCount, len(terr.Datasets))
			}
			if pub.TotalCount >= all.TotalCount {
				t.Errorf("the public sees %d datasets, as many as the admin (%d): access levels not applied", pub.TotalCount, all.TotalCount)
			}
			for _, d := range all.Results {
				title := d["metas"].(map[string]any)["default"].(map[string]any)["title"].(string)
				if !strings.Contains(title, "synthétiques") {
					t.Errorf("dataset %v is not labelled synthetic: %q", d["dataset_id"], title)
				}
				if d["has_records"] != true {
					t.Errorf("dataset %v has no records", d["dataset_id"])
				}
			}
			var page recordsPageJSON
			e.getJSON(records("qualite-air", "select", "count(*) as n", "group_by", "polluant"), "", 200, &page)
			if len(page.Results) == 0 {
				t.Error("no air-quality groups")
			}
		})
	}
}
