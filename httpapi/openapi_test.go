package httpapi

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/socle/socle/httpapi/openapi"
	"github.com/socle/socle/httpapi/openapi/openapitest"
)

// wildcard matches a path parameter, of the mux ({x}, {x...}) or of
// OpenAPI ({x}).
var wildcard = regexp.MustCompile(`\{[^}]*\}`)

// normalise makes path templates comparable: parameter names and Go's
// "..." wildcards do not matter.
func normalise(path string) string { return wildcard.ReplaceAllString(path, "{}") }

func testServer(t *testing.T) *Server {
	t.Helper()
	return New(nil, slog.New(slog.NewTextHandler(io.Discard, nil)), DefaultLimits)
}

func loadDocument(t *testing.T) map[string]any {
	t.Helper()
	raw, err := OpenAPIDocument()
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	return doc
}

// TestOpenAPIMatchesRoutes checks both ways that every route the server
// registers is described and every described operation is routed: each
// operation's path, with sample values for its parameters, must reach the
// route of the same (normalised) template, and each route must be reached.
// The DCAT paths the portal serves (x-socle-served-by: portal) are checked
// end to end in cmd/socle instead.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	s := testServer(t)
	doc := loadDocument(t)
	reached := map[string]bool{}
	for path, item := range doc["paths"].(map[string]any) {
		for _, m := range openapi.Methods {
			op, ok := item.(map[string]any)[m].(map[string]any)
			if !ok {
				continue
			}
			if op["x-socle-served-by"] == "portal" {
				continue
			}
			probe := httptest.NewRequest(strings.ToUpper(m), wildcard.ReplaceAllString(path, "x1"), nil)
			_, pattern := s.mux.Handler(probe)
			if pattern == "" {
				t.Errorf("%s %s is in the document but no route takes it", strings.ToUpper(m), path)
				continue
			}
			reached[pattern] = true
			method, tpl, _ := strings.Cut(pattern, " ")
			if method != strings.ToUpper(m) {
				t.Errorf("%s %s reaches route %q", strings.ToUpper(m), path, pattern)
			}
			// A literal path may specialise a wildcard route (the CKAN
			// actions); a template must match the route's template.
			if strings.Contains(path, "{") && normalise(path) != normalise(tpl) {
				t.Errorf("%s %s reaches route %q: templates differ", strings.ToUpper(m), path, pattern)
			}
		}
	}
	if len(s.mux.patterns) < 100 {
		t.Fatalf("only %d routes recorded", len(s.mux.patterns))
	}
	for _, p := range s.mux.patterns {
		if !reached[p] {
			t.Errorf("route %q is not in the document", p)
		}
	}
}

// TestOpenAPIDocumentIsValid checks the document's structure as OpenAPI
// 3.1 requires it (no external validator is available): top-level fields,
// every $ref resolving, path parameters declared both ways, unique
// operation IDs, declared tags, responses with a success status, and
// every schema compiling as JSON Schema 2020-12.
func TestOpenAPIDocumentIsValid(t *testing.T) {
	doc := loadDocument(t)
	if doc["openapi"] != "3.1.0" {
		t.Errorf("openapi = %v", doc["openapi"])
	}
	info, _ := doc["info"].(map[string]any)
	if info["title"] == "" || info["version"] != Version {
		t.Errorf("info = %v", info)
	}
	if servers, _ := doc["servers"].([]any); len(servers) != 1 || servers[0].(map[string]any)["url"] != "/" {
		t.Errorf("servers = %v", doc["servers"])
	}
	checkRefs(t, doc, doc, "#")
	tags := map[string]bool{}
	for _, tag := range doc["tags"].([]any) {
		tags[tag.(map[string]any)["name"].(string)] = true
	}
	params := doc["components"].(map[string]any)["parameters"].(map[string]any)
	ids := map[string]string{}
	for path, item := range doc["paths"].(map[string]any) {
		if !strings.HasPrefix(path, "/") {
			t.Errorf("path %q does not start with /", path)
		}
		for key, raw := range item.(map[string]any) {
			if !slices.Contains(openapi.Methods, key) {
				t.Errorf("%s: unexpected key %q", path, key)
				continue
			}
			op := raw.(map[string]any)
			where := strings.ToUpper(key) + " " + path
			id, _ := op["operationId"].(string)
			if id == "" || ids[id] != "" {
				t.Errorf("%s: operationId %q missing or also used by %s", where, id, ids[id])
			}
			ids[id] = where
			for _, tag := range op["tags"].([]any) {
				if !tags[tag.(string)] {
					t.Errorf("%s: tag %q is not declared", where, tag)
				}
			}
			if s, _ := op["summary"].(string); s == "" {
				t.Errorf("%s: no summary", where)
			}
			checkPathParams(t, where, path, op, params)
			checkResponses(t, where, op)
		}
	}
	v, err := openapitest.NewValidator(openapi.Document)
	if err != nil {
		t.Fatal(err)
	}
	for name := range doc["components"].(map[string]any)["schemas"].(map[string]any) {
		if err := v.ValidateSchema(name, []byte("null")); err != nil {
			var ve *jsonschema.ValidationError
			if !errorsAs(err, &ve) {
				t.Errorf("schema %s does not compile: %v", name, err)
			}
		}
	}
}

func errorsAs(err error, target **jsonschema.ValidationError) bool {
	ve, ok := err.(*jsonschema.ValidationError)
	*target = ve
	return ok
}

// checkRefs requires every "$ref" under v to resolve in doc.
func checkRefs(t *testing.T, doc map[string]any, v any, at string) {
	t.Helper()
	switch v := v.(type) {
	case map[string]any:
		if ref, ok := v["$ref"].(string); ok {
			if !resolves(doc, ref) {
				t.Errorf("%s: $ref %q does not resolve", at, ref)
			}
		}
		for k, x := range v {
			checkRefs(t, doc, x, at+"/"+k)
		}
	case []any:
		for _, x := range v {
			checkRefs(t, doc, x, at)
		}
	}
}

func resolves(doc map[string]any, ref string) bool {
	ptr, ok := strings.CutPrefix(ref, "#/")
	if !ok {
		return false
	}
	var cur any = doc
	for _, tok := range strings.Split(ptr, "/") {
		m, ok := cur.(map[string]any)
		if !ok {
			return false
		}
		if cur, ok = m[strings.NewReplacer("~1", "/", "~0", "~").Replace(tok)]; !ok {
			return false
		}
	}
	return true
}

// checkPathParams requires each {name} of path to be declared as a
// required path parameter, and each path parameter to be in the path.
func checkPathParams(t *testing.T, where, path string, op, components map[string]any) {
	t.Helper()
	declared := map[string]bool{}
	list, _ := op["parameters"].([]any)
	for _, raw := range list {
		p := raw.(map[string]any)
		if ref, ok := p["$ref"].(string); ok {
			p, _ = components[strings.TrimPrefix(ref, "#/components/parameters/")].(map[string]any)
		}
		if p["name"] == "" || p["in"] == nil {
			t.Errorf("%s: parameter without name or in: %v", where, p)
			continue
		}
		if _, ok := p["schema"]; !ok {
			t.Errorf("%s: parameter %v has no schema", where, p["name"])
		}
		if p["in"] == "path" {
			declared[p["name"].(string)] = true
			if p["required"] != true {
				t.Errorf("%s: path parameter %v is not required", where, p["name"])
			}
		}
	}
	inPath := map[string]bool{}
	for _, m := range wildcard.FindAllString(path, -1) {
		name := strings.Trim(m, "{}")
		inPath[name] = true
		if !declared[name] {
			t.Errorf("%s: path parameter %s is not declared", where, name)
		}
	}
	for name := range declared {
		if !inPath[name] {
			t.Errorf("%s: parameter %s is not in the path", where, name)
		}
	}
}

func checkResponses(t *testing.T, where string, op map[string]any) {
	t.Helper()
	responses, _ := op["responses"].(map[string]any)
	success := false
	for code := range responses {
		if code != "default" && (len(code) != 3 || code[0] < '1' || code[0] > '5') {
			t.Errorf("%s: response code %q", where, code)
		}
		success = success || code[0] == '2'
	}
	if !success {
		t.Errorf("%s: no success response", where)
	}
	for code, raw := range responses {
		r := raw.(map[string]any)
		if _, ok := r["$ref"]; !ok && r["description"] == nil {
			t.Errorf("%s %s: no description", where, code)
		}
		checkContent(t, where+" "+code, r["content"])
	}
	if body, ok := op["requestBody"].(map[string]any); ok {
		if body["content"] == nil {
			t.Errorf("%s: request body without content", where)
		}
		checkContent(t, where+" request body", body["content"])
	}
}

// checkContent requires a schema for each media type of a content map.
func checkContent(t *testing.T, where string, content any) {
	t.Helper()
	m, _ := content.(map[string]any)
	for mt, raw := range m {
		if _, ok := raw.(map[string]any)["schema"]; !ok {
			t.Errorf("%s: %s has no schema", where, mt)
		}
	}
}

// TestAPIDocsPage reads the page and its stylesheet through the server:
// every operation is listed, in French, under the strict CSP (no script,
// no inline style).
func TestAPIDocsPage(t *testing.T) {
	s := testServer(t)
	get := func(path string) *httptest.ResponseRecorder {
		w := httptest.NewRecorder()
		s.ServeHTTP(w, httptest.NewRequest("GET", path, nil))
		if w.Code != http.StatusOK {
			t.Fatalf("GET %s: %d %s", path, w.Code, w.Body)
		}
		return w
	}
	page := get("/api/docs")
	if csp := page.Header().Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") || strings.Contains(csp, "unsafe") {
		t.Errorf("CSP %q", csp)
	}
	body := page.Body.String()
	for _, bad := range []string{"<script", "style=", "<style", "http://", "https://"} {
		if strings.Contains(body, bad) {
			t.Errorf("the page contains %q", bad)
		}
	}
	for _, want := range []string{`<html lang="fr">`, "Documentation des API", "Paramètres", "Réponses", `href="/api/openapi.json"`, `href="/api/docs.css"`,
		"<code>404</code> Introuvable ou non visible pour l’appelant", "<code>200</code> Une page d’enregistrements", "<code>where</code></td><td>requête</td>"} {
		if !strings.Contains(body, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	doc := loadDocument(t)
	for path, item := range doc["paths"].(map[string]any) {
		for m := range item.(map[string]any) {
			esc := strings.NewReplacer("&", "&amp;", "'", "&#39;").Replace(path)
			if !strings.Contains(body, ">"+strings.ToUpper(m)+"</span> <code>"+esc+"</code>") {
				t.Errorf("the page does not list %s %s", strings.ToUpper(m), path)
			}
		}
	}
	if css := get("/api/docs.css"); !strings.HasPrefix(css.Header().Get("Content-Type"), "text/css") || css.Body.Len() == 0 {
		t.Errorf("stylesheet: %q, %d bytes", css.Header().Get("Content-Type"), css.Body.Len())
	}
	js := get("/api/openapi.json")
	if !strings.Contains(js.Header().Get("Content-Type"), "openapi+json") || !json.Valid(js.Body.Bytes()) {
		t.Errorf("document: %q", js.Header().Get("Content-Type"))
	}
}

// TestValidator checks that the validator the end-to-end tests rely on
// refuses what does not match the document.
func TestValidator(t *testing.T) {
	v, err := openapitest.NewValidator(openapi.Document)
	if err != nil {
		t.Fatal(err)
	}
	const records = "/api/explore/v2.1/catalog/datasets/bancs/records"
	for _, tc := range []struct {
		name, method, path string
		status             int
		ctype, body        string
		ok                 bool
	}{
		{"a records page passes", "GET", records, 200, "application/json; charset=utf-8", `{"total_count":1,"results":[{"a":1}]}`, true},
		{"a page without total_count fails", "GET", records, 200, "application/json", `{"results":[]}`, false},
		{"an ODS error passes as the default response", "GET", records, 500, "application/json", `{"error_code":"InternalError","message":"x"}`, true},
		{"an error in another shape fails", "GET", records, 400, "application/json", `{"error":"x"}`, false},
		{"an undocumented media type fails", "GET", records, 200, "text/html", `<p>`, false},
		{"an unknown path fails", "GET", "/api/explore/v2.1/nowhere", 200, "application/json", `{}`, false},
		{"a method the path lacks fails", "DELETE", records, 200, "application/json", `{}`, false},
		{"a literal CKAN action wins over nothing", "GET", "/api/3/action/package_list", 200, "application/json", `{"help":"h","success":true,"result":["a"]}`, true},
		{"a CKAN list of numbers fails", "GET", "/api/3/action/package_list", 200, "application/json", `{"help":"h","success":true,"result":[1]}`, false},
		{"a ProblemDetails passes on NGSI-LD", "GET", "/ngsi-ld/v1/entities/urn:x", 404, "application/json", `{"type":"https://uri.etsi.org/ngsi-ld/errors/ResourceNotFound","title":"x","status":404}`, true},
		{"an ODS error fails on NGSI-LD", "GET", "/ngsi-ld/v1/entities/urn:x", 404, "application/json", `{"error_code":"NotFound","message":"x"}`, false},
		{"a body where none is documented fails", "DELETE", "/ngsi-ld/v1/entities/urn:x", 204, "", `x`, false},
		{"a last parameter spans segments ({name...})", "GET", "/api/socle/v1/schemas/etalab/schema-irve", 200, "application/json", `{"name":"etalab/schema-irve"}`, true},
		{"a middle parameter does not span segments", "GET", "/api/v1/devices/a/b/latest", 200, "application/json", `{}`, false},
		{"the DCAT export specialises the catalog export", "GET", "/api/explore/v2.1/catalog/exports/dcat", 200, "application/rdf+xml", `<rdf/>`, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := v.Validate(tc.method, tc.path, tc.status, tc.ctype, []byte(tc.body))
			if (err == nil) != tc.ok {
				t.Errorf("err = %v, want ok %v", err, tc.ok)
			}
		})
	}
}

// FuzzValidate feeds arbitrary requests and bodies to the validator: it
// must answer (an error or nil) without panicking, and only accept a
// path the document describes.
func FuzzValidate(f *testing.F) {
	v, err := openapitest.NewValidator(openapi.Document)
	if err != nil {
		f.Fatal(err)
	}
	f.Add("GET", "/api/explore/v2.1/catalog/datasets/x/records", 200, "application/json", `{"total_count":0,"results":[]}`)
	f.Add("POST", "/api/3/action/package_show", 200, "application/json; charset=utf-8", `{"success":true}`)
	f.Add("DELETE", "/ngsi-ld/v1/entities/a/attrs/b", 204, "", ``)
	f.Add("GET", "/api/socle/v1/schemas/a/b/c", 200, "text/html", `<`)
	f.Fuzz(func(t *testing.T, method, path string, status int, ctype, body string) {
		err := v.Validate(method, path, status, ctype, []byte(body))
		if _, ok := v.Template(method, path); !ok && err == nil {
			t.Fatalf("%s %s accepted without an operation", method, path)
		}
	})
}
