package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
)

// post sends body to path with an optional API key.
func (e *env) post(method, path, key string, body []byte) (int, []byte) {
	e.t.Helper()
	req, err := http.NewRequest(method, e.base+path, bytes.NewReader(body))
	if err != nil {
		e.t.Fatal(err)
	}
	if key != "" {
		req.Header.Set("Authorization", "ApiKey "+key)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, out
}

// TestUploadsAreAtomicAndBounded: bad uploads are refused with a clear
// error, nothing is published half-way, and the server keeps serving.
func TestUploadsAreAtomicAndBounded(t *testing.T) {
	for _, e := range engines(t) {
		t.Run(e.name, func(t *testing.T) {
			e.t = t
			seedOrgs(t, e)
			e.mustRun("user", "add", "--login", "prod", "--role", "producer", "--org", "metropole")
			e.mustRun("user", "add", "--login", "agent", "--role", "agent", "--org", "metropole")
			key := strings.TrimSpace(e.mustRun("apikey", "create", "--login", "prod"))
			agent := strings.TrimSpace(e.mustRun("apikey", "create", "--login", "agent"))
			e.start()
			up := "/api/socle/v1/datasets/comptages/data?title=Comptages"
			good := []byte("site;date;nombre\nA;2024-01-02;12\nB;2024-01-03;7\n")
			if code, body := e.post("POST", up, "", good); code != 401 {
				t.Errorf("anonymous upload: %d %s", code, body)
			}
			if code, body := e.post("POST", up, agent, good); code != 403 {
				t.Errorf("agent upload: %d, want 403: %s", code, body)
			}
			code, body := e.post("POST", up, key, good)
			if code != 200 {
				t.Fatalf("upload: %d %s", code, body)
			}
			var sum struct {
				Rows   int `json:"rows"`
				Fields []struct{ Name, Type string }
			}
			json.Unmarshal(body, &sum)
			if sum.Rows != 2 || len(sum.Fields) != 3 || sum.Fields[1].Type != "date" || sum.Fields[2].Type != "int" {
				t.Errorf("summary %s", body)
			}
			big := bytes.Repeat([]byte("x;2024-01-01;1\n"), testMaxUpload/10)
			if code, body := e.post("POST", up, key, append([]byte("site;date;nombre\n"), big...)); code != 413 {
				t.Errorf("oversized upload: %d, want 413: %.200s", code, body)
			}
			bad := []byte("site;date;nombre\nC;2024-01-04;3\nD;2024-01-05;4;extra;cells\n")
			if code, body := e.post("POST", up+"&mode=append", key, bad); code != 400 {
				t.Errorf("malformed CSV: %d, want 400: %s", code, body)
			}
			schema := `{"fields":[{"name":"site","type":"string","constraints":{"enum":["A","B"]}},{"name":"date","type":"date"},{"name":"nombre","type":"integer"}]}`
			invalid := []byte("site;date;nombre\nZ;2024-01-04;3\n")
			code, body = e.post("POST", up+"&schema="+urlEscape(schema), key, invalid)
			if code != 400 || !strings.Contains(string(body), "constraint-error") {
				t.Errorf("invalid against schema: %d %s", code, body)
			}
			var page recordsPageJSON
			e.getJSON(records("comptages"), "", 200, &page)
			if page.TotalCount != 2 {
				t.Errorf("after refused uploads: %d records, want 2", page.TotalCount)
			}
			code, body = e.post("PUT", "/api/socle/v1/datasets/comptages", key, []byte(`{"access":"internal","meta":{"title":"Comptages vélo","license":"etalab-2.0","publisher":"metropole"}}`))
			if code != 200 {
				t.Fatalf("metadata update: %d %s", code, body)
			}
			if code, _, _ := e.get(records("comptages"), ""); code != 404 {
				t.Errorf("internal dataset visible anonymously: %d", code)
			}
			if code, _, _ := e.get(records("comptages"), agent); code != 200 {
				t.Errorf("internal dataset hidden from an agent: %d", code)
			}
			var ds struct {
				Metas struct{ Default map[string]any } `json:"metas"`
			}
			e.getJSON("/api/explore/v2.1/catalog/datasets/comptages", key, 200, &ds)
			if ds.Metas.Default["title"] != "Comptages vélo" || ds.Metas.Default["language"] != "fr" {
				t.Errorf("metadata update is not a merge: %v", ds.Metas.Default)
			}
			if code, body := e.post("PUT", "/api/socle/v1/datasets/comptages", key, []byte(`{"meta":{"publisher":"partenaire"}}`)); code != 403 {
				t.Errorf("a producer moved a dataset to another organization: %d %s", code, body)
			}
			if code, body := e.post("POST", "/api/socle/v1/datasets/autre/data?org=partenaire", key, good); code != 403 {
				t.Errorf("a producer published for another organization: %d %s", code, body)
			}
			if code, body := e.post("POST", "/api/socle/v1/datasets/neuf/data", key, []byte("a;b\n1;2;3\n")); code != 400 {
				t.Errorf("malformed first upload: %d %s", code, body)
			}
			if code, _, _ := e.get("/api/explore/v2.1/catalog/datasets/neuf", key); code != 404 {
				t.Errorf("a refused first import left dataset neuf behind: %d", code)
			}
		})
	}
}

func urlEscape(s string) string {
	r := strings.NewReplacer("%", "%25", "&", "%26", "+", "%2B", "#", "%23", " ", "%20", "\"", "%22", "{", "%7B", "}", "%7D", "[", "%5B", "]", "%5D")
	return r.Replace(s)
}
