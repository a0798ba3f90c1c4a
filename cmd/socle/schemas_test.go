package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const subventions = "../../testdata/tableschema/scdl-subventions/"

// TestSchemaCatalog runs the schema catalog end to end on both engines:
// the embedded snapshot, a producer choosing a schema for a valid and an
// invalid dataset (reports, badges, CKAN and Explore links), refreshes
// from a file and from a URL, and the refusals.
func TestSchemaCatalog(t *testing.T) {
	for _, e := range engines(t) {
		t.Run(e.name, func(t *testing.T) {
			e.t = t
			seedOrgs(t, e)
			e.mustRun("import", "--dataset", "subventions", "--org", "metropole", subventions+"exemple_valide.csv")
			e.mustRun("import", "--dataset", "subv-bad", "--org", "metropole", subventions+"exemple_invalide_erreurs_cellules.csv")
			e.mustRun("user", "add", "--login", "prod", "--role", "producer", "--org", "metropole")
			e.mustRun("user", "add", "--login", "other", "--role", "producer", "--org", "partenaire")
			prod := strings.TrimSpace(e.mustRun("apikey", "create", "--login", "prod"))
			other := strings.TrimSpace(e.mustRun("apikey", "create", "--login", "other"))
			e.start()
			checkSnapshotList(t, e)
			checkSchemaChoice(t, e, prod, other)
			checkSchemaRefresh(t, e, prod)
		})
	}
}

type schemaList struct {
	Source  string `json:"source"`
	Schemas []struct {
		Name    string `json:"name"`
		Latest  string `json:"latest_version"`
		Offline bool   `json:"offline"`
	} `json:"schemas"`
}

func checkSnapshotList(t *testing.T, e *env) {
	var l schemaList
	e.getJSON("/api/socle/v1/schemas", "", 200, &l)
	if l.Source != "snapshot" || len(l.Schemas) != 7 {
		t.Fatalf("snapshot list: %+v", l)
	}
	for _, s := range l.Schemas {
		if !s.Offline {
			t.Errorf("embedded schema %s not usable offline", s.Name)
		}
	}
	var one struct {
		Name     string `json:"name"`
		Versions []struct {
			Name      string `json:"version_name"`
			SchemaURL string `json:"schema_url"`
		} `json:"versions"`
	}
	e.getJSON("/api/socle/v1/schemas/scdl/subventions", "", 200, &one)
	if one.Name != "scdl/subventions" || len(one.Versions) != 1 || one.Versions[0].Name != "2.1.1" {
		t.Errorf("scdl/subventions: %+v", one)
	}
	e.getJSON("/api/socle/v1/schemas/scdl/nope", "", 404, nil)
}

func checkSchemaChoice(t *testing.T, e *env, prod, other string) {
	const url = "https://schema.data.gouv.fr/schemas/scdl/subventions/2.1.1/schema.json"
	pick := func(id, key, body string) (int, map[string]any) {
		code, raw := e.post("PUT", "/api/socle/v1/datasets/"+id+"/schema", key, []byte(body))
		var out map[string]any
		json.Unmarshal(raw, &out)
		return code, out
	}
	for name, c := range map[string]struct {
		id, key, body string
		code          int
	}{
		"anonymous":            {"subventions", "", `{"name":"scdl/subventions"}`, 401},
		"another organization": {"subventions", other, `{"name":"scdl/subventions"}`, 403},
		"unknown schema":       {"subventions", prod, `{"name":"scdl/inconnu"}`, 400},
		"unknown version":      {"subventions", prod, `{"name":"scdl/subventions","version":"9.0.0"}`, 400},
		"bad body":             {"subventions", prod, `{"schema":"x"}`, 400},
	} {
		if code, out := pick(c.id, c.key, c.body); code != c.code {
			t.Errorf("%s: %d %v, want %d", name, code, out, c.code)
		}
	}
	code, out := pick("subventions", prod, `{"name":"scdl/subventions"}`)
	rep, _ := out["report"].(map[string]any)
	if code != 200 || rep["valid"] != true {
		t.Fatalf("valid dataset: %d %v", code, out)
	}
	code, out = pick("subv-bad", prod, `{"name":"scdl/subventions","version":"2.1.1"}`)
	rep, _ = out["report"].(map[string]any)
	if code != 200 || rep["valid"] != false || len(rep["errors"].([]any)) == 0 {
		t.Fatalf("invalid dataset: %d %v", code, out)
	}
	for id, want := range map[string]string{"subventions": "Conforme au schéma", "subv-bad": "Non conforme au schéma"} {
		_, page, _ := e.get("/datasets/"+id, "")
		if !strings.Contains(string(page), `href="/datasets/`+id+`/quality">`+want+`</a>`) {
			t.Errorf("%s: no badge %q on the page", id, want)
		}
		_, quality, _ := e.get("/datasets/"+id+"/quality", "")
		if !strings.Contains(string(quality), "Subventions") {
			t.Errorf("%s: the quality tab does not name the schema", id)
		}
	}
	_, search, _ := e.get("/datasets", "")
	if strings.Count(string(search), "socle-schema") != 2 {
		t.Errorf("the catalogue cards do not show the schema badge twice")
	}
	var pkg struct {
		Result struct {
			Extras []struct{ Key, Value string } `json:"extras"`
		} `json:"result"`
	}
	e.getJSON("/api/3/action/package_show?id=subventions", "", 200, &pkg)
	found := false
	for _, x := range pkg.Result.Extras {
		found = found || (x.Key == "schema" && x.Value == url)
	}
	if !found {
		t.Errorf("CKAN extras without the schema: %+v", pkg.Result.Extras)
	}
	var ds struct {
		Metas struct {
			Default struct {
				References string `json:"references"`
			} `json:"default"`
		} `json:"metas"`
	}
	e.getJSON("/api/explore/v2.1/catalog/datasets/subventions", "", 200, &ds)
	if ds.Metas.Default.References != url {
		t.Errorf("Explore metas references = %q", ds.Metas.Default.References)
	}
}

// checkSchemaRefresh refreshes from a file whose schema_url values are
// relative (an offline mirror), then from a URL, as `socle schemas
// refresh` does while the server runs.
func checkSchemaRefresh(t *testing.T, e *env, prod string) {
	dir := t.TempDir()
	doc, err := os.ReadFile(subventions + "schema.json")
	if err != nil {
		t.Fatal(err)
	}
	os.MkdirAll(filepath.Join(dir, "local"), 0o755)
	os.WriteFile(filepath.Join(dir, "local", "schema.json"), doc, 0o600)
	catalog := `{"$schema":"https://opendataschema.frama.io/catalog/schema-catalog.json","version":1,"schemas":[
	 {"name":"scdl/subventions","title":"Subventions","schema_url":"https://schema.data.gouv.fr/schemas/scdl/subventions/latest/schema.json","schema_type":"tableschema",
	  "versions":[{"version_name":"2.1.1","schema_url":"https://schema.data.gouv.fr/schemas/scdl/subventions/2.1.1/schema.json"}]},
	 {"name":"test/local","title":"Local","schema_url":"local/schema.json","schema_type":"tableschema",
	  "versions":[{"version_name":"1.0.0","schema_url":"local/schema.json"}]},
	 {"name":"test/unreachable","title":"Injoignable","schema_url":"missing/schema.json","schema_type":"tableschema",
	  "versions":[{"version_name":"0.1.0","schema_url":"missing/schema.json"}]}]}`
	file := filepath.Join(dir, "schemas.json")
	os.WriteFile(file, []byte(catalog), 0o600)
	out, errOut, code := e.run("", "schemas", "refresh", "--from", file)
	if code != 0 || !strings.Contains(out, "3 schemas from "+file+", 2 usable offline") || !strings.Contains(errOut, "missing/schema.json") {
		t.Fatalf("refresh from a file: exit %d\n%s\n%s", code, out, errOut)
	}
	var l schemaList
	e.getJSON("/api/socle/v1/schemas", "", 200, &l)
	if l.Source != file || len(l.Schemas) != 3 {
		t.Fatalf("after the file refresh: %+v", l)
	}
	if c, body := e.post("PUT", "/api/socle/v1/datasets/subventions/schema", prod, []byte(`{"name":"test/local"}`)); c != 200 {
		t.Errorf("choosing the mirrored schema: %d %s", c, body)
	}
	if c, body := e.post("PUT", "/api/socle/v1/datasets/subventions/schema", prod, []byte(`{"name":"test/unreachable"}`)); c != 503 {
		t.Errorf("choosing a schema whose document is missing: %d %s", c, body)
	}

	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/schemas/schemas.json":
			w.Write([]byte(strings.ReplaceAll(catalog, `"local/schema.json"`, `"remote/schema.json"`)))
		case "/schemas/remote/schema.json":
			w.Write(doc)
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	out, errOut, code = e.run("", "schemas", "refresh", "--from", srv.URL+"/schemas/schemas.json")
	if code != 0 || !strings.Contains(out, "2 usable offline") {
		t.Fatalf("refresh from a URL: exit %d\n%s\n%s", code, out, errOut)
	}
	if c, body := e.post("PUT", "/api/socle/v1/datasets/subv-bad/schema", prod, []byte(`{"name":"test/local","version":"1.0.0"}`)); c != 200 {
		t.Errorf("choosing the fetched schema: %d %s", c, body)
	}
	if _, _, code := e.run("", "schemas", "refresh", "--from", filepath.Join(dir, "nope.json")); code == 0 {
		t.Error("a refresh from a missing file succeeded")
	}
}
