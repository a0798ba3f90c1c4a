package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

// pushRecords reads the records of a dataset as spot → libres (null as -1)
// and the total count, through the Explore API.
func pushRecords(t *testing.T, e *env, id string) (map[string]float64, int) {
	t.Helper()
	var page struct {
		TotalCount int `json:"total_count"`
		Results    []struct {
			Spot   string   `json:"spot"`
			Libres *float64 `json:"libres"`
		}
	}
	e.getJSON(records(id, "limit", "100"), "", 200, &page)
	out := map[string]float64{}
	for _, r := range page.Results {
		out[r.Spot] = -1
		if r.Libres != nil {
			out[r.Spot] = *r.Libres
		}
	}
	return out, page.TotalCount
}

// wantPushError checks an ODS-shaped error reply.
func wantPushError(t *testing.T, what string, code int, body []byte, wantCode int, wantMsg string) {
	t.Helper()
	var e struct {
		ErrorCode string `json:"error_code"`
		Message   string `json:"message"`
	}
	if err := json.Unmarshal(body, &e); err != nil || code != wantCode || e.ErrorCode == "" || !strings.Contains(e.Message, wantMsg) {
		t.Errorf("%s: %d %s, want %d with a message containing %q", what, code, body, wantCode, wantMsg)
	}
}

// TestPushAPI: records sent through the Opendatasoft push API are upserted
// in place by the dataset's key fields and read back through the Explore
// API; deletes by values and by ID work; a wrong key, a disabled push, an
// oversized body, a bad value or an unknown field get a clear ODS-shaped
// error and write nothing.
func TestPushAPI(t *testing.T) {
	for _, e := range engines(t) {
		t.Run(e.name, func(t *testing.T) {
			e.t = t
			seedOrgs(t, e)
			e.mustRun("user", "add", "--login", "prod", "--role", "producer", "--org", "metropole")
			e.mustRun("user", "add", "--login", "other", "--role", "producer", "--org", "partenaire")
			prod := strings.TrimSpace(e.mustRun("apikey", "create", "--login", "prod"))
			other := strings.TrimSpace(e.mustRun("apikey", "create", "--login", "other"))
			e.start()
			csv := []byte("spot;libres;capacite\nP1;10;100\nP2;0;50\n")
			if code, body := e.post("POST", "/api/socle/v1/datasets/parkings/data?title=Parkings", prod, csv); code != 200 {
				t.Fatalf("upload: %d %s", code, body)
			}
			if code, body := e.post("PUT", "/api/socle/v1/datasets/parkings", prod, []byte(`{"meta":{"key_fields":["spot"]}}`)); code != 200 {
				t.Fatalf("key fields: %d %s", code, body)
			}
			mgmt := "/api/socle/v1/datasets/parkings/push"
			if code, _ := e.post("POST", mgmt, other, nil); code != 403 {
				t.Errorf("another organization's producer enabled push: %d", code)
			}
			if code, body := e.post("GET", mgmt, prod, nil); code != 200 || !strings.Contains(string(body), `"enabled":false`) {
				t.Errorf("push status before: %d %s", code, body)
			}
			code, body := e.post("POST", mgmt, prod, nil)
			var st struct {
				Key     string `json:"pushkey"`
				Enabled bool
			}
			if json.Unmarshal(body, &st); code != 200 || !st.Enabled || !strings.HasPrefix(st.Key, "sp_") {
				t.Fatalf("enable push: %d %s", code, body)
			}
			push := func(op, key string, body []byte) (int, []byte) {
				return e.post("POST", "/api/push/1.0/parkings/realtime/"+op+"/?pushkey="+key, "", body)
			}

			code, body = push("push", st.Key, []byte(`{"spot":"P1","libres":7,"capacite":100}`))
			if code != 200 || strings.TrimSpace(string(body)) != `{"status":"OK"}` {
				t.Fatalf("push one: %d %s", code, body)
			}
			code, body = push("push", st.Key, []byte(`[{"spot":"P2","libres":"3"},{"spot":"P3","libres":1,"capacite":20}]`))
			if code != 200 {
				t.Fatalf("push array: %d %s", code, body)
			}
			got, total := pushRecords(t, e, "parkings")
			if total != 3 || got["P1"] != 7 || got["P2"] != 3 || got["P3"] != 1 {
				t.Fatalf("after pushes: %v (%d records)", got, total)
			}
			var rec map[string]any
			e.getJSON("/api/explore/v2.1/catalog/datasets/parkings/records/1", "", 200, &rec)
			if rec["spot"] != "P1" || rec["libres"] != 7.0 {
				t.Errorf("record 1 after the upsert: %v, want P1 kept its ID", rec)
			}
			var ds struct {
				Metas struct {
					Default struct {
						RecordsCount int `json:"records_count"`
					}
				}
			}
			e.getJSON("/api/explore/v2.1/catalog/datasets/parkings", "", 200, &ds)
			if ds.Metas.Default.RecordsCount != 3 {
				t.Errorf("records_count %d, want 3", ds.Metas.Default.RecordsCount)
			}

			for _, tc := range []struct {
				name, key string
				body      []byte
				code      int
				msg       string
			}{
				{"a wrong key", "sp_wrong", []byte(`{"spot":"P9"}`), 404, "unknown dataset or wrong push key"},
				{"no key", "", []byte(`{"spot":"P9"}`), 404, "unknown dataset or wrong push key"},
				{"a value of the wrong type", st.Key, []byte(`[{"spot":"P9","libres":1},{"spot":"P1","libres":"beaucoup"}]`), 400, `record 2: field "libres" (int)`},
				{"an unknown field", st.Key, []byte(`{"spot":"P1","eui":"70b3d57ed0000042"}`), 400, `unknown field "eui"`},
				{"a body that is not JSON", st.Key, []byte(`spot=P1`), 400, "JSON object"},
				{"an oversized body", st.Key, bytes.Repeat([]byte(" "), 5<<20+1), 413, "exceeds"},
			} {
				code, body := push("push", tc.key, tc.body)
				wantPushError(t, tc.name, code, body, tc.code, tc.msg)
			}
			code, body = e.post("POST", "/api/push/1.0/nowhere/realtime/push/?pushkey="+st.Key, "", []byte(`{}`))
			wantPushError(t, "an unknown dataset", code, body, 404, "unknown dataset or wrong push key")
			if got, total := pushRecords(t, e, "parkings"); total != 3 || got["P1"] != 7 {
				t.Fatalf("refused pushes wrote: %v (%d records)", got, total)
			}

			if code, body := push("delete", st.Key, []byte(`{"spot":"P3"}`)); code != 200 {
				t.Fatalf("delete by values: %d %s", code, body)
			}
			code, body = e.post("GET", "/api/push/1.0/parkings/realtime/1/delete/?pushkey="+st.Key, "", nil)
			if code != 200 {
				t.Fatalf("delete by id: %d %s", code, body)
			}
			code, body = e.post("GET", "/api/push/1.0/parkings/realtime/1/delete/?pushkey="+st.Key, "", nil)
			wantPushError(t, "deleting a deleted record", code, body, 404, "not found")
			if got, total := pushRecords(t, e, "parkings"); total != 1 || got["P2"] != 3 {
				t.Fatalf("after deletes: %v (%d records)", got, total)
			}

			if code, body := e.post("DELETE", mgmt, prod, nil); code != 200 {
				t.Fatalf("disable push: %d %s", code, body)
			}
			if code, body := e.post("GET", mgmt, prod, nil); code != 200 || !strings.Contains(string(body), `"enabled":false`) {
				t.Errorf("push status after disabling: %d %s", code, body)
			}
			code, body = push("push", st.Key, []byte(`{"spot":"P1","libres":1}`))
			wantPushError(t, "a disabled push", code, body, 403, "disabled")
			code, body = push("push", "sp_wrong", []byte(`{"spot":"P1","libres":1}`))
			wantPushError(t, "a wrong key to a disabled push", code, body, 404, "unknown dataset or wrong push key")
			if _, total := pushRecords(t, e, "parkings"); total != 1 {
				t.Errorf("a disabled push wrote: %d records", total)
			}
		})
	}
}
