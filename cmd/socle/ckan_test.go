package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// ckanAnswer is CKAN's envelope.
type ckanAnswer struct {
	Success bool            `json:"success"`
	Result  json.RawMessage `json:"result"`
	Error   map[string]any  `json:"error"`
}

// ckanCall calls a CKAN action by GET (params as query string) or, when
// body is not nil, by POST with a JSON body; key goes in Authorization
// bare, as CKAN clients send it.
func (e *env) ckanCall(action string, params url.Values, body any, key string) (int, ckanAnswer) {
	e.t.Helper()
	u := e.base + "/api/3/action/" + action
	if params != nil {
		u += "?" + params.Encode()
	}
	method, rd := "GET", io.Reader(nil)
	if body != nil {
		b, _ := json.Marshal(body)
		method, rd = "POST", bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, u, rd)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if key != "" {
		req.Header.Set("Authorization", key)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatalf("%s %s: %v", method, action, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var a ckanAnswer
	if err := json.Unmarshal(raw, &a); err != nil {
		e.t.Fatalf("%s %s: not CKAN JSON (%v): %s", method, action, err, raw)
	}
	return resp.StatusCode, a
}

// ckanOK calls an action that must succeed and decodes its result.
func (e *env) ckanOK(action string, params url.Values, body any, key string, v any) {
	e.t.Helper()
	code, a := e.ckanCall(action, params, body, key)
	if code != 200 || !a.Success {
		e.t.Fatalf("%s %v %v: %d %v", action, params, body, code, a.Error)
	}
	if err := json.Unmarshal(a.Result, v); err != nil {
		e.t.Fatalf("%s result: %v: %s", action, err, a.Result)
	}
}

// TestCKANClientHarvest runs a real CKAN client, ckanapi (compat/ckan,
// installed by `make compat-deps`), through what CKAN harvesters do:
// package_list, package_show of each package, then datastore_search page
// by page — anonymously (the public dataset only) and with a steward's
// token (the restricted one too).
func TestCKANClientHarvest(t *testing.T) {
	node, err := exec.LookPath("node")
	needTool(t, "node", "install Node.js", err == nil)
	_, err = os.Stat("../../compat/ckan/node_modules/ckanapi")
	needTool(t, "ckanapi (npm)", "run `make compat-deps` (part of `make test`)", err == nil)
	src := writeInterop(t)
	for _, e := range engines(t) {
		t.Run(e.name, func(t *testing.T) {
			e.t = t
			seedOrgs(t, e)
			e.mustRun("import", "--dataset", "interop", src)
			e.mustRun("import", "--dataset", "secret", "--access", "restricted", "--org", "metropole", src)
			e.mustRun("user", "add", "--login", "steward", "--role", "steward", "--org", "metropole")
			steward := strings.TrimSpace(e.mustRun("apikey", "create", "--login", "steward"))
			e.start()

			var anon ckanHarvest
			runCKANClient(t, node, e.base, "", &anon)
			if !slices.Equal(anon.PackageList, []string{"interop"}) {
				t.Fatalf("anonymous package_list = %v, want [interop]", anon.PackageList)
			}
			if anon.Status["ckan_version"] == nil {
				t.Errorf("status_show: %v", anon.Status)
			}
			checkHarvestedInterop(t, &anon)
			if got := anon.Errors["package_show"]; got["__type"] != "Not Found Error" {
				t.Errorf("package_show of a missing package: %v", got)
			}
			if got := anon.Errors["datastore_search"]; got["__type"] != "Validation Error" || got["filters"] == nil {
				t.Errorf("datastore_search with an unknown field: %v", got)
			}
			if anon.Search.Count != 1 || len(anon.Search.Results) != 1 || anon.Search.SearchFacets["tags"].Items == nil {
				t.Errorf("package_search fq=res_format:CSV: %+v", anon.Search)
			}

			var st ckanHarvest
			runCKANClient(t, node, e.base, steward, &st)
			if !slices.Equal(st.PackageList, []string{"interop"}) || !slices.Equal(st.Private, []string{"secret"}) {
				t.Fatalf("steward's package_list = %v (public only, as CKAN), private ones from package_search = %v", st.PackageList, st.Private)
			}
			if r := st.Records["secret"]; r.Total != 3 || len(r.Rows) != 3 {
				t.Errorf("steward's harvest of secret: %+v", r)
			}
			if p := st.Packages["secret"]; !p.Private || p.Organization == nil || p.Organization.Name != "metropole" {
				t.Errorf("secret package: private %v organization %+v", p.Private, p.Organization)
			}
		})
	}
}

type ckanHarvest struct {
	Status      map[string]any `json:"status"`
	PackageList []string       `json:"package_list"`
	Private     []string       `json:"private"`
	Packages    map[string]struct {
		ID           string `json:"id"`
		Name         string `json:"name"`
		Title        string `json:"title"`
		Private      bool   `json:"private"`
		LicenseID    string `json:"license_id"`
		Organization *struct {
			Name string `json:"name"`
		} `json:"organization"`
		Resources []struct {
			ID              string `json:"id"`
			Format          string `json:"format"`
			URL             string `json:"url"`
			DatastoreActive bool   `json:"datastore_active"`
		} `json:"resources"`
	} `json:"packages"`
	Records map[string]struct {
		Total int              `json:"total"`
		Rows  []map[string]any `json:"rows"`
	} `json:"records"`
	Fields map[string][]struct {
		ID   string `json:"id"`
		Type string `json:"type"`
	} `json:"fields"`
	Search struct {
		Count        int               `json:"count"`
		Results      []json.RawMessage `json:"results"`
		SearchFacets map[string]struct {
			Items []map[string]any `json:"items"`
		} `json:"search_facets"`
	} `json:"search"`
	Errors map[string]map[string]any `json:"errors"`
}

func runCKANClient(t *testing.T, node, base, token string, v any) {
	t.Helper()
	cmd := exec.Command(node, "run.mjs", base, token, "2")
	cmd.Dir = "../../compat/ckan"
	runJSON(t, "ckanapi client", cmd, v)
}

// checkHarvestedInterop compares what the client read with interopCSV.
func checkHarvestedInterop(t *testing.T, h *ckanHarvest) {
	t.Helper()
	p := h.Packages["interop"]
	if p.Name != "interop" || len(p.ID) != 16 || p.LicenseID != "etalab-2.0" {
		t.Errorf("package: %+v", p)
	}
	formats := []string{}
	for _, r := range p.Resources {
		formats = append(formats, r.Format)
		if r.Format == "CSV" && !strings.HasSuffix(r.URL, "/exports/csv") {
			t.Errorf("CSV resource URL %s", r.URL)
		}
	}
	if !p.Resources[0].DatastoreActive || !slices.Contains(formats, "CSV") || !slices.Contains(formats, "PARQUET") {
		t.Errorf("resources: %+v", p.Resources)
	}
	r := h.Records["interop"]
	if r.Total != 3 || len(r.Rows) != 3 {
		t.Fatalf("harvested %d of %d records, want 3 of 3: %v", len(r.Rows), r.Total, r.Rows)
	}
	first := r.Rows[0]
	if first["_id"] != 1.0 || first["nom"] != "Église Saint-Jean; nef" || first["nombre"] != 12.0 ||
		first["montant"] != 3.5 || first["jour"] != "2024-03-15" || first["horodatage"] != "2024-03-15T08:30:00" || first["ouvert"] != true {
		t.Errorf("first record: %v", first)
	}
	if r.Rows[2]["nom"] != `Piscine "La Baumette"` || r.Rows[2]["montant"] != nil {
		t.Errorf("third record: %v", r.Rows[2])
	}
	types := map[string]string{}
	for _, f := range h.Fields["interop"] {
		types[f.ID] = f.Type
	}
	want := map[string]string{"_id": "int", "nom": "text", "nombre": "int", "montant": "numeric", "jour": "date",
		"horodatage": "timestamp", "ouvert": "bool", "geo_point_2d": "json"}
	for k, w := range want {
		if types[k] != w {
			t.Errorf("field %s: type %q, want %q (all: %v)", k, types[k], w, types)
		}
	}
}

// TestCKANActions checks the actions' parameters and CKAN's error shapes
// over GET and POST, on both engines.
func TestCKANActions(t *testing.T) {
	src := writeInterop(t)
	for _, e := range engines(t) {
		t.Run(e.name, func(t *testing.T) {
			e.t = t
			seedOrgs(t, e)
			e.mustRun("import", "--dataset", "interop", "--org", "metropole", src)
			e.mustRun("import", "--dataset", "secret", "--access", "restricted", "--org", "metropole", src)
			e.mustRun("user", "add", "--login", "steward", "--role", "steward", "--org", "metropole")
			steward := strings.TrimSpace(e.mustRun("apikey", "create", "--login", "steward"))
			e.start()
			checkCKANDatastore(t, e)
			checkCKANPackages(t, e, steward)
			checkCKANErrors(t, e, steward)
		})
	}
}

type dsResult struct {
	Fields  []struct{ ID, Type string } `json:"fields"`
	Records []map[string]any            `json:"records"`
	Total   *int                        `json:"total"`
	Limit   int                         `json:"limit"`
	Links   map[string]string           `json:"_links"`
}

func checkCKANDatastore(t *testing.T, e *env) {
	names := func(r dsResult) []string {
		var out []string
		for _, x := range r.Records {
			out = append(out, x["nom"].(string))
		}
		return out
	}
	cases := []struct {
		name string
		body map[string]any
		want []string
	}{
		{"filter by value", map[string]any{"filters": map[string]any{"nombre": 12}}, []string{"Église Saint-Jean; nef"}},
		{"filter by list", map[string]any{"filters": map[string]any{"nombre": []any{0, -4}}}, []string{"Médiathèque Toussaint", `Piscine "La Baumette"`}},
		{"filter by operators", map[string]any{"filters": map[string]any{"montant": map[string]any{"gt": 3, "lte": 1000}}}, []string{"Église Saint-Jean; nef"}},
		{"filter by null", map[string]any{"filters": map[string]any{"montant": nil}}, []string{`Piscine "La Baumette"`}},
		{"filter by date", map[string]any{"filters": map[string]any{"jour": map[string]any{"gte": "2023-01-01"}}}, []string{"Église Saint-Jean; nef", "Médiathèque Toussaint"}},
		{"injection attempt is a value", map[string]any{"filters": map[string]any{"nom": "x' OR 1=1 --"}}, nil},
		{"full text", map[string]any{"q": "mediatheque"}, []string{"Médiathèque Toussaint"}},
		{"full text on a field", map[string]any{"q": map[string]any{"nom": "baumette"}}, []string{`Piscine "La Baumette"`}},
		{"sort desc", map[string]any{"sort": "nombre desc"}, []string{"Église Saint-Jean; nef", `Piscine "La Baumette"`, "Médiathèque Toussaint"}},
		{"keyset", map[string]any{"filters": map[string]any{"_id": map[string]any{"gt": 1}}, "sort": "_id asc", "limit": 1}, []string{"Médiathèque Toussaint"}},
		{"offset", map[string]any{"offset": 2}, []string{`Piscine "La Baumette"`}},
	}
	for _, c := range cases {
		body := map[string]any{"resource_id": "interop"}
		for k, v := range c.body {
			body[k] = v
		}
		var r dsResult
		e.ckanOK("datastore_search", nil, body, "", &r)
		if got := names(r); !slices.Equal(got, c.want) {
			t.Errorf("%s: got %q, want %q", c.name, got, c.want)
		}
	}
	// GET: JSON values in the query string; fields and the limit's clamp.
	var r dsResult
	e.ckanOK("datastore_search", url.Values{"resource_id": {"interop"}, "filters": {`{"ouvert":true}`},
		"fields": {"_id,nom"}, "limit": {"99999"}, "include_total": {"false"}}, nil, "", &r)
	if len(r.Records) != 1 || len(r.Records[0]) != 2 || r.Records[0]["nom"] != "Église Saint-Jean; nef" || r.Total != nil || r.Limit != 32000 {
		t.Errorf("GET with fields and a clamped limit: %+v", r)
	}
	if len(r.Fields) != 2 || r.Fields[0].ID != "_id" || r.Fields[1].ID != "nom" {
		t.Errorf("fields: %+v", r.Fields)
	}
	if !strings.Contains(r.Links["next"], "offset=32000") {
		t.Errorf("_links: %v", r.Links)
	}
}

func checkCKANPackages(t *testing.T, e *env, steward string) {
	var list []string
	e.ckanOK("package_list", nil, nil, "", &list)
	if !slices.Equal(list, []string{"interop"}) {
		t.Errorf("package_list = %v", list)
	}
	var pkg struct {
		ID, Name  string
		Resources []struct{ ID string } `json:"resources"`
	}
	e.ckanOK("package_show", url.Values{"id": {"interop"}}, nil, "", &pkg)
	var byID struct{ Name string }
	e.ckanOK("package_show", url.Values{"id": {pkg.ID}}, nil, "", &byID)
	if byID.Name != "interop" {
		t.Errorf("package_show by id: %+v", byID)
	}
	var res struct {
		ID              string `json:"id"`
		DatastoreActive bool   `json:"datastore_active"`
	}
	e.ckanOK("resource_show", url.Values{"id": {pkg.Resources[0].ID}}, nil, "", &res)
	if res.ID != pkg.Resources[0].ID || !res.DatastoreActive {
		t.Errorf("resource_show: %+v", res)
	}
	var ds dsResult
	e.ckanOK("datastore_search", nil, map[string]any{"resource_id": res.ID, "limit": 1}, "", &ds)
	if len(ds.Records) != 1 || *ds.Total != 3 {
		t.Errorf("datastore_search by resource id: %+v", ds)
	}
	var search struct {
		Count   int
		Results []struct{ Name string }
		Facets  map[string]map[string]int `json:"facets"`
	}
	e.ckanOK("package_search", url.Values{"q": {"organization:metropole"}}, nil, steward, &search)
	if search.Count != 1 || search.Results[0].Name != "interop" {
		t.Errorf("package_search without include_private lists public datasets only: %+v", search)
	}
	e.ckanOK("package_search", url.Values{"q": {"organization:metropole"}, "include_private": {"true"}, "facet.field": {`["organization","res_format"]`}}, nil, steward, &search)
	if search.Count != 2 || search.Facets["organization"]["metropole"] != 2 || search.Facets["res_format"]["CSV"] != 2 {
		t.Errorf("steward's package_search: %+v", search)
	}
	e.ckanOK("package_search", url.Values{"fq": {"-name:interop"}, "sort": {"name desc"}, "include_private": {"True"}}, nil, steward, &search)
	if search.Count != 1 || search.Results[0].Name != "secret" {
		t.Errorf("package_search -name:interop: %+v", search)
	}
	var orgs []struct {
		Name         string `json:"name"`
		PackageCount int    `json:"package_count"`
	}
	e.ckanOK("organization_list", url.Values{"all_fields": {"true"}, "organizations": {`["metropole"]`}}, nil, "", &orgs)
	if len(orgs) != 1 || orgs[0].PackageCount != 1 {
		t.Errorf("anonymous organization_list counts only what it sees: %+v", orgs)
	}
	var org struct {
		Name     string
		Packages []struct{ Name string } `json:"packages"`
	}
	e.ckanOK("organization_show", nil, map[string]any{"id": "metropole", "include_datasets": true}, steward, &org)
	if len(org.Packages) != 2 {
		t.Errorf("organization_show with datasets: %+v", org)
	}
}

func checkCKANErrors(t *testing.T, e *env, steward string) {
	cases := []struct {
		name   string
		action string
		query  url.Values
		body   any
		key    string
		code   int
		typ    string
	}{
		{"restricted package anonymous", "package_show", url.Values{"id": {"secret"}}, nil, "", 404, "Not Found Error"},
		{"restricted datastore anonymous", "datastore_search", url.Values{"resource_id": {"secret"}}, nil, "", 404, "Not Found Error"},
		{"missing resource", "resource_show", url.Values{"id": {"0123456789abcdef-csv"}}, nil, "", 404, "Not Found Error"},
		{"missing id", "package_show", nil, nil, "", 409, "Validation Error"},
		{"bad fq", "package_search", url.Values{"fq": {"colour:red"}}, nil, "", 400, "Search Query Error"},
		{"bad sort", "package_search", url.Values{"sort": {"popularity desc"}}, nil, "", 400, "Search Query Error"},
		{"bad rows", "package_search", url.Values{"rows": {"many"}}, nil, "", 409, "Validation Error"},
		{"bad filters", "datastore_search", nil, map[string]any{"resource_id": "interop", "filters": map[string]any{"nombre": map[string]any{"like": 1}}}, "", 409, "Validation Error"},
		{"bad filter value", "datastore_search", nil, map[string]any{"resource_id": "interop", "filters": map[string]any{"jour": "hier"}}, "", 409, "Validation Error"},
		{"bad datastore sort", "datastore_search", nil, map[string]any{"resource_id": "interop", "sort": "nope"}, "", 409, "Validation Error"},
		{"unknown action", "package_create", nil, map[string]any{}, "", 400, "Bad Request"},
		{"wrong key", "package_list", nil, nil, "not-a-valid-key-at-all", 403, "Authorization Error"},
	}
	for _, c := range cases {
		code, a := e.ckanCall(c.action, c.query, c.body, c.key)
		if code != c.code || a.Success || a.Error["__type"] != c.typ {
			t.Errorf("%s: %d %v, want %d %s", c.name, code, a.Error, c.code, c.typ)
		}
	}
	var found struct{ Count int }
	e.ckanOK("package_search", url.Values{"apikey": {steward}, "include_private": {"true"}}, nil, "", &found)
	if found.Count != 2 {
		t.Errorf("package_search with ?apikey: %+v", found)
	}
	e.ckanOK("package_search", url.Values{"include_private": {"true"}}, nil, "", &found)
	if found.Count != 1 {
		t.Errorf("anonymous include_private sees a restricted dataset: %+v", found)
	}
	pre, _ := http.NewRequest("OPTIONS", e.base+"/api/3/action/package_search", nil)
	pre.Header.Set("Origin", "https://reuser.example")
	pre.Header.Set("Access-Control-Request-Method", "POST")
	if resp, err := http.DefaultClient.Do(pre); err != nil {
		t.Fatal(err)
	} else if resp.Body.Close(); resp.StatusCode != 204 || !strings.Contains(resp.Header.Get("Access-Control-Allow-Methods"), "POST") ||
		!strings.Contains(resp.Header.Get("Access-Control-Allow-Headers"), "Content-Type") {
		t.Errorf("CORS preflight of a POST: %d %v", resp.StatusCode, resp.Header)
	}
	req, _ := http.NewRequest("POST", e.base+"/api/3/action/package_list", strings.NewReader("{not json"))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 400 {
		t.Errorf("bad JSON body: %d", resp.StatusCode)
	}
}
