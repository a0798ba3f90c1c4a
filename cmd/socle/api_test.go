package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestAPIScenarios is a table of requests and what their answers must hold,
// run on both engines against one imported dataset.
func TestAPIScenarios(t *testing.T) {
	csvPath := filepath.Join(t.TempDir(), "arbres.csv")
	os.WriteFile(csvPath, []byte("espece;hauteur;plante_le;remarquable;geo_point_2d\n"+
		"Chêne pédonculé;21,5;1950-03-01;oui;47.47, -0.55\n"+
		"Platane commun;30;1890-11-15;oui;47.48, -0.56\n"+
		"Érable plane;12;2001-05-20;non;47.40, -0.60\n"+
		"and;1;2020-01-01;non;\n"), 0o600)
	const base = "/api/explore/v2.1/catalog/datasets/arbres"
	scenarios := []struct {
		name, path string
		status     int
		contains   []string
	}{
		{"trailing slash and plus as space", base + "/records/?where=hauteur+>+20&select=espece", 200, []string{`"total_count":2`}},
		{"percent-encoded space", base + "/records?where=hauteur%20%3E%2020", 200, []string{`"total_count":2`}},
		{"backquoted field name", base + "/records?where=%60espece%60%3D%22and%22", 200, []string{`"total_count":1`}},
		{"accent-folded full text", base + "/records?where=%22erable%22", 200, []string{`"total_count":1`, `Érable plane`}},
		{"date literal", base + "/records?where=plante_le%20%3C%20date%271900-01-01%27", 200, []string{`"total_count":1`, "Platane"}},
		{"year function and group_by", base + "/records?select=count(*)%20as%20n&group_by=remarquable", 200, []string{`"remarquable":true`, `"n":2`}},
		{"within_distance", base + "/records?where=within_distance(geo_point_2d,geom%27POINT(-0.55%2047.47)%27,2km)", 200, []string{`"total_count":2`}},
		{"in_bbox", base + "/records?where=in_bbox(geo_point_2d,47.45,-0.58,47.49,-0.54)", 200, []string{`"total_count":2`}},
		{"refine on boolean", base + "/records?refine=remarquable:true", 200, []string{`"total_count":2`}},
		{"exclude", base + "/records?exclude=espece:and", 200, []string{`"total_count":3`}},
		{"facets", base + "/facets?facet=remarquable&facet=plante_le", 200, []string{`"name":"remarquable"`, `"value":"true"`, `"name":"1950"`}},
		{"default facets: booleans, dates, repeated categories", base + "/facets", 200, []string{`"name":"remarquable"`, `"name":"plante_le"`}},
		{"lang and timezone accepted", base + "/records?lang=fr&timezone=Europe/Paris&select=year(plante_le)%20as%20y&order_by=y", 200, []string{`"y":1890`}},
		{"syntax error names its position", base + "/records?where=hauteur%20%3E%3E%203", 400, []string{`"error_code":"ODSQLError"`, "position"}},
		{"unknown field", base + "/records?select=nope", 400, []string{`unknown field`}},
		{"limit above 100", base + "/records?limit=101", 400, []string{`limit`}},
		{"offset window", base + "/records?offset=9990&limit=20", 400, []string{`10000`}},
		{"unknown dataset", "/api/explore/v2.1/catalog/datasets/nope/records", 404, []string{`"error_code":"NotFound"`}},
		{"unknown export format", base + "/exports/shp", 400, []string{`unknown export format`}},
		{"bad cursor", base + "/records?cursor=xyz", 400, []string{`cursor`}},
		{"bad timezone", base + "/records?timezone=Mars/Olympus", 400, []string{`timezone`}},
		{"record by id", base + "/records/2", 200, []string{`Platane commun`}},
		{"missing record", base + "/records/999", 404, nil},
		{"csv export with options", base + "/exports/csv?delimiter=,&with_bom=false&quote_all=true", 200, []string{`"espece","hauteur"`}},
		{"catalog lists it", "/api/explore/v2.1/catalog/datasets?where=dataset_id%3D%22arbres%22", 200, []string{`"total_count":1`, `"dataset_id":"arbres"`}},
		{"catalog facets", "/api/explore/v2.1/catalog/facets?facet=features", 200, []string{`"value":"geo"`}},
		{"catalog refine on one keyword", "/api/explore/v2.1/catalog/datasets?refine=keyword:patrimoine%20naturel", 200, []string{`"total_count":1`}},
		{"catalog refine on one theme", "/api/explore/v2.1/catalog/datasets?refine=theme:REGI", 200, []string{`"total_count":1`}},
		{"catalog exclude a theme", "/api/explore/v2.1/catalog/datasets?exclude=theme:ENVI", 200, []string{`"total_count":0`}},
		{"catalog keyword facet counts each keyword", "/api/explore/v2.1/catalog/facets?facet=keyword", 200, []string{`"value":"patrimoine naturel","count":1`, `"value":"arbres","count":1`}},
		{"group pages link the next by offset", base + "/records?group_by=espece&limit=2", 200, []string{`"next":`, `offset=2`}},
		{"too many facets", base + "/facets?" + strings.Repeat("facet=espece&", 60), 400, []string{`InvalidRESTParameterError`}},
		{"limit errors carry the REST code", base + "/records?limit=abc", 400, []string{`"error_code":"InvalidRESTParameterError"`}},
		{"unknown route answers JSON", "/api/explore/v2.1/nope", 404, []string{`"error_code":"NotFound"`}},
		{"empty export still downloads", base + "/exports/jsonl?where=hauteur%3E1000", 200, nil},
		{"health", "/healthz", 200, []string{`"status":"ok"`}},
	}
	for _, e := range engines(t) {
		t.Run(e.name, func(t *testing.T) {
			e.t = t
			e.mustRun("import", "--dataset", "arbres", "--keywords", "arbres, patrimoine naturel", "--themes", "ENVI,REGI", csvPath)
			e.start()
			t.Run("wrong method answers JSON 405", func(t *testing.T) {
				code, body := e.post("POST", base+"/records", "", nil)
				if code != 405 || !strings.Contains(string(body), "MethodNotAllowed") {
					t.Errorf("%d %s", code, body)
				}
			})
			t.Run("bad input outside the Explore API is an InvalidRequest", func(t *testing.T) {
				e.mustRun("user", "add", "--login", "capteurs", "--role", "steward")
				key := strings.TrimSpace(e.mustRun("apikey", "create", "--login", "capteurs"))
				code, body := e.post("POST", "/api/v1/observations", key, []byte(`[{"device":`))
				if code != 400 || !strings.Contains(string(body), `"error_code":"InvalidRequest"`) {
					t.Errorf("%d %s", code, body)
				}
			})
			t.Run("CORS for browser apps", func(t *testing.T) {
				// The read-only open APIs: Explore and OGC API – Features
				// (web maps call it).
				for _, path := range []string{base + "/records", "/api/features/collections"} {
					_, _, h := e.get(path, "")
					if h.Get("Access-Control-Allow-Origin") != "*" {
						t.Errorf("%s: no CORS header: %v", path, h)
					}
					code, _ := e.post("OPTIONS", path, "", nil)
					if code != 204 {
						t.Errorf("%s: preflight: %d", path, code)
					}
				}
			})
			t.Run("empty export has download headers", func(t *testing.T) {
				_, _, h := e.get(base+"/exports/jsonl?where=hauteur%3E1000", "")
				if !strings.Contains(h.Get("Content-Disposition"), "arbres.jsonl") {
					t.Errorf("headers: %v", h)
				}
			})
			for _, s := range scenarios {
				t.Run(s.name, func(t *testing.T) {
					code, body, _ := e.get(s.path, "")
					if code != s.status {
						t.Fatalf("GET %s: %d, want %d: %s", s.path, code, s.status, body)
					}
					for _, c := range s.contains {
						if !strings.Contains(string(body), c) {
							t.Errorf("GET %s: body lacks %s:\n%s", s.path, c, body)
						}
					}
				})
			}
		})
	}
}
