package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

// NGSI-LD contexts as FIWARE clients name them.
const (
	ldCore     = "https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.8.jsonld"
	ldWaste    = "https://raw.githubusercontent.com/smart-data-models/dataModel.WasteManagement/master/context.jsonld"
	ldSDM      = "https://smartdatamodels.org/context.jsonld"
	ldLinkRel  = `; rel="http://www.w3.org/ns/json-ld#context"; type="application/ld+json"`
	ldWasteURN = "urn:ngsi-ld:WasteContainer:angers:"
)

// ldRequest is one NGSI-LD request as a FIWARE client sends it.
type ldRequest struct {
	method, path, key string
	ctype, link       string // Content-Type; the context URL of a Link header
	accept, body      string
}

// ld sends a request and returns the status, body and headers.
func (e *env) ld(rq ldRequest) (int, []byte, http.Header) {
	e.t.Helper()
	req, err := http.NewRequest(rq.method, e.base+rq.path, strings.NewReader(rq.body))
	if err != nil {
		e.t.Fatal(err)
	}
	if rq.ctype != "" {
		req.Header.Set("Content-Type", rq.ctype)
	}
	if rq.link != "" {
		req.Header.Set("Link", "<"+rq.link+">"+ldLinkRel)
	}
	if rq.accept != "" {
		req.Header.Set("Accept", rq.accept)
	}
	if rq.key != "" {
		req.Header.Set("Authorization", "Apikey "+rq.key)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatalf("%s %s: %v", rq.method, rq.path, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, body, resp.Header
}

// ldWant sends a request, requires the status and decodes the body into v.
func (e *env) ldWant(rq ldRequest, want int, v any) http.Header {
	e.t.Helper()
	code, body, h := e.ld(rq)
	if code != want {
		e.t.Fatalf("%s %s: status %d, want %d; body %s", rq.method, rq.path, code, want, body)
	}
	if v != nil {
		if err := json.Unmarshal(body, v); err != nil {
			e.t.Fatalf("%s %s: %v in %s", rq.method, rq.path, err, body)
		}
	}
	return h
}

// cityEntities are Smart Data Models entities in the normalized form, each
// with its @context (application/ld+json): five waste containers 150 m
// apart along a street, three parking spots, two water observations.
func cityEntities() string {
	var es []string
	levels := []float64{0.25, 0.5, 0.75, 0.9, 0.1}
	for i, lvl := range levels {
		status := "ok"
		if i == 3 {
			status = "lidOpen"
		}
		es = append(es, fmt.Sprintf(`{"id":"%sw%d","type":"WasteContainer",
			"fillingLevel":{"type":"Property","value":%v,"unitCode":"C62","observedAt":"2026-01-10T10:00:00Z"},
			"status":{"type":"Property","value":%q},
			"location":{"type":"GeoProperty","value":{"type":"Point","coordinates":[%v,47.47]}},
			"@context":[%q,%q]}`, ldWasteURN, i+1, lvl, status, -0.55+0.002*float64(i), ldWaste, ldCore))
	}
	for i, st := range []string{"free", "occupied", "free"} {
		es = append(es, fmt.Sprintf(`{"id":"urn:ngsi-ld:ParkingSpot:angers:p%d","type":"ParkingSpot",
			"status":{"type":"Property","value":%q,"observedAt":"2026-01-10T10:00:00Z"},"category":{"type":"Property","value":["onStreet"]},
			"refParkingSite":{"type":"Relationship","object":"urn:ngsi-ld:ParkingSite:angers:s1"},
			"location":{"type":"GeoProperty","value":{"type":"Point","coordinates":[-0.56,47.4%d]}},
			"@context":%q}`, i+1, st, i+1, ldSDM))
	}
	for i, flow := range []float64{12.5, 30} {
		es = append(es, fmt.Sprintf(`{"id":"urn:ngsi-ld:WaterObserved:angers:o%d","type":"WaterObserved",
			"flow":{"type":"Property","value":%v,"unitCode":"MQH","observedAt":"2026-01-10T10:00:00Z"},
			"dateObserved":{"type":"Property","value":{"@type":"DateTime","@value":"2026-01-10T10:00:00Z"}},
			"location":{"type":"GeoProperty","value":{"type":"Point","coordinates":[-0.54,47.48]}},
			"@context":%q}`, i+1, flow, ldSDM))
	}
	return "[" + strings.Join(es, ",") + "]"
}

// TestNGSILD speaks NGSI-LD to Socle as a FIWARE client does, on both
// engines: batch upserts of Smart Data Models entities, queries, temporal
// aggregation, a subscription notifying a real endpoint, and bad input.
func TestNGSILD(t *testing.T) {
	for _, e := range engines(t) {
		t.Run(e.name, func(t *testing.T) {
			e.t = t
			seedOrgs(t, e)
			e.mustRun("user", "add", "--login", "steward", "--role", "steward", "--org", "metropole")
			e.mustRun("user", "add", "--login", "outsider", "--role", "partner", "--org", "partenaire")
			key := strings.TrimSpace(e.mustRun("apikey", "create", "--login", "steward"))
			outsider := strings.TrimSpace(e.mustRun("apikey", "create", "--login", "outsider"))
			e.start()
			ldFeed(t, e, key)
			ldQueries(t, e, key)
			ldTemporal(t, e, key)
			ldSubscription(t, e, key)
			ldAttributes(t, e, key)
			ldRefusals(t, e, key, outsider)
		})
	}
}

// ldFeed sends the city's entities, then four more fill levels of w1.
func ldFeed(t *testing.T, e *env, key string) {
	var created []string
	e.ldWant(ldRequest{method: "POST", path: "/ngsi-ld/v1/entityOperations/upsert", key: key, ctype: "application/ld+json", body: cityEntities()}, 201, &created)
	if len(created) != 10 || created[0] != ldWasteURN+"w1" || created[9] != "urn:ngsi-ld:WaterObserved:angers:o2" {
		t.Fatalf("created %v", created)
	}
	for _, step := range []struct {
		at    string
		level float64
	}{{"10:20", 0.5}, {"10:40", 0.75}, {"11:00", 0.5}, {"11:30", 1}} {
		body := fmt.Sprintf(`[{"id":"%sw1","type":"WasteContainer","fillingLevel":{"type":"Property","value":%v,"observedAt":"2026-01-10T%s:00Z"}}]`, ldWasteURN, step.level, step.at)
		e.ldWant(ldRequest{method: "POST", path: "/ngsi-ld/v1/entityOperations/upsert?options=update", key: key, ctype: "application/json", link: ldWaste, body: body}, 204, nil)
	}
	// The entity is a device of the registry, its fill level a series.
	var dev struct {
		Domain, Type string
		Properties   []struct{ Name, Unit string }
	}
	e.getJSON("/api/v1/devices/ngsi.wastecontainer.angers.w1", key, 200, &dev)
	if dev.Domain != "waste" || dev.Type != "WasteContainer" || len(dev.Properties) != 1 || dev.Properties[0].Unit != "C62" {
		t.Errorf("device %+v", dev)
	}
}

func ldQueries(t *testing.T, e *env, key string) {
	ids := func(list []map[string]any) string {
		var out []string
		for _, m := range list {
			id := m["id"].(string)
			out = append(out, id[strings.LastIndex(id, ":")+1:])
		}
		return strings.Join(out, ",")
	}
	for _, tc := range []struct {
		name, query, want string
	}{
		{"q with AND and a string", `type=WasteContainer&q=fillingLevel>0.6;status=="ok"`, "w1,w3"},
		{"q with a range OR a value", `type=WasteContainer&q=fillingLevel==0.2..0.6|status=="lidOpen"`, "w2,w4"},
		{"near with maxDistance", `type=WasteContainer&georel=near;maxDistance==250&geometry=Point&coordinates=[-0.55,47.47]`, "w1,w2"},
		{"relationship object", `type=ParkingSpot&q=refParkingSite==urn:ngsi-ld:ParkingSite:angers:s1;status=="free"`, "p1,p3"},
		{"several types", `type=WaterObserved,ParkingSpot&limit=3`, "p1,p2,p3"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got []map[string]any
			e.ldWant(ldRequest{method: "GET", path: "/ngsi-ld/v1/entities?" + strings.ReplaceAll(tc.query, `"`, "%22"), key: key, link: ldSDM}, 200, &got)
			if ids(got) != tc.want {
				t.Errorf("got %s, want %s", ids(got), tc.want)
			}
		})
	}
	var posted []map[string]any
	body := `{"type":"Query","entities":[{"type":"WasteContainer"}],"q":"fillingLevel>0.6;status==\"ok\"",
		"geoQ":{"georel":"near;maxDistance==400","geometry":"Point","coordinates":[-0.55,47.47]},"attrs":["fillingLevel"]}`
	e.ldWant(ldRequest{method: "POST", path: "/ngsi-ld/v1/entityOperations/query?options=keyValues", key: key, ctype: "application/json", link: ldSDM, body: body}, 200, &posted)
	if ids(posted) != "w1,w3" || len(posted[1]) != 3 || posted[1]["fillingLevel"] != 0.75 {
		t.Errorf("POST query: %v", posted)
	}
	var page []map[string]any
	h := e.ldWant(ldRequest{method: "GET", path: "/ngsi-ld/v1/entities?type=WasteContainer&count=true&limit=2&options=keyValues", key: key, link: ldWaste}, 200, &page)
	if ids(page) != "w1,w2" || h.Get("NGSILD-Results-Count") != "5" || page[0]["fillingLevel"] != 1.0 || page[1]["type"] != "WasteContainer" {
		t.Errorf("first page %v, count %q", page, h.Get("NGSILD-Results-Count"))
	}
	next := ""
	for _, l := range h.Values("Link") {
		if strings.Contains(l, `rel="next"`) {
			next = l[1:strings.Index(l, ">")]
		}
	}
	e.ldWant(ldRequest{method: "GET", path: next, key: key, link: ldWaste}, 200, &page)
	if ids(page) != "w3,w4" {
		t.Errorf("next page %s (from %q)", ids(page), next)
	}
	// Under the core context alone, WasteContainer is another type.
	e.ldWant(ldRequest{method: "GET", path: "/ngsi-ld/v1/entities?type=WasteContainer", key: key}, 200, &page)
	if len(page) != 0 {
		t.Errorf("core context: %d entities", len(page))
	}
	var one map[string]any
	h = e.ldWant(ldRequest{method: "GET", path: "/ngsi-ld/v1/entities/" + ldWasteURN + "w2", key: key, link: ldWaste, accept: "application/ld+json"}, 200, &one)
	fl, _ := one["fillingLevel"].(map[string]any)
	if one["type"] != "WasteContainer" || fl["value"] != 0.5 || fl["observedAt"] != "2026-01-10T10:00:00.000Z" || one["@context"] != ldWaste || h.Get("Content-Type") != "application/ld+json" {
		t.Errorf("entity %v (%s)", one, h.Get("Content-Type"))
	}
	var fc struct {
		Type     string
		Features []struct {
			ID       string
			Geometry struct{ Coordinates []float64 }
		}
	}
	e.ldWant(ldRequest{method: "GET", path: "/ngsi-ld/v1/entities?type=ParkingSpot", key: key, link: ldSDM, accept: "application/geo+json"}, 200, &fc)
	if fc.Type != "FeatureCollection" || len(fc.Features) != 3 || fc.Features[1].Geometry.Coordinates[1] != 47.42 {
		t.Errorf("GeoJSON %+v", fc)
	}
	var types struct{ TypeList []string }
	e.ldWant(ldRequest{method: "GET", path: "/ngsi-ld/v1/types", key: key, link: ldSDM}, 200, &types)
	if strings.Join(types.TypeList, ",") != "ParkingSpot,WasteContainer,WaterObserved" {
		t.Errorf("types %v", types.TypeList)
	}
}

func ldTemporal(t *testing.T, e *env, key string) {
	var got map[string]map[string][][]any
	q := url.Values{"attrs": {"fillingLevel"}, "timerel": {"between"}, "timeAt": {"2026-01-10T10:00:00Z"}, "endTimeAt": {"2026-01-10T12:00:00Z"},
		"options": {"aggregatedValues"}, "aggrMethods": {"avg,max,totalCount"}, "aggrPeriodDuration": {"PT1H"}}
	var raw map[string]json.RawMessage
	e.ldWant(ldRequest{method: "GET", path: "/ngsi-ld/v1/temporal/entities/" + ldWasteURN + "w1?" + q.Encode(), key: key, link: ldWaste}, 200, &raw)
	json.Unmarshal(raw["fillingLevel"], &map[string]any{})
	var agg struct{ Avg, Max, TotalCount [][]any }
	json.Unmarshal(raw["fillingLevel"], &agg)
	want := `{[[0.5 2026-01-10T10:00:00.000Z 2026-01-10T11:00:00.000Z] [0.75 2026-01-10T11:00:00.000Z 2026-01-10T12:00:00.000Z]] ` +
		`[[0.75 2026-01-10T10:00:00.000Z 2026-01-10T11:00:00.000Z] [1 2026-01-10T11:00:00.000Z 2026-01-10T12:00:00.000Z]] ` +
		`[[3 2026-01-10T10:00:00.000Z 2026-01-10T11:00:00.000Z] [2 2026-01-10T11:00:00.000Z 2026-01-10T12:00:00.000Z]]}`
	if fmt.Sprint(agg) != want {
		t.Errorf("hourly aggregates\n got %v\nwant %s", agg, want)
	}
	_ = got
	var last []struct {
		ID           string
		FillingLevel struct{ Values [][]any }
	}
	e.ldWant(ldRequest{method: "GET", path: "/ngsi-ld/v1/temporal/entities?type=WasteContainer&id=" + ldWasteURN + "w1&lastN=2&options=temporalValues", key: key, link: ldWaste}, 200, &last)
	if len(last) != 1 || fmt.Sprint(last[0].FillingLevel.Values) != "[[0.5 2026-01-10T11:00:00.000Z] [1 2026-01-10T11:30:00.000Z]]" {
		t.Errorf("lastN %+v", last)
	}
}

func ldSubscription(t *testing.T, e *env, key string) {
	got := make(chan []byte, 10)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got <- b
	}))
	defer srv.Close()
	sub := `{"type":"Subscription","entities":[{"type":"WasteContainer"}],"watchedAttributes":["fillingLevel"],"q":"fillingLevel>0.8",
		"notification":{"format":"keyValues","attributes":["fillingLevel"],"endpoint":{"uri":"` + srv.URL + `","accept":"application/json"}}}`
	h := e.ldWant(ldRequest{method: "POST", path: "/ngsi-ld/v1/subscriptions", key: key, ctype: "application/json", link: ldWaste, body: sub}, 201, nil)
	loc := h.Get("Location")
	if !strings.HasPrefix(loc, "/ngsi-ld/v1/subscriptions/urn:ngsi-ld:Subscription:") {
		t.Fatalf("Location %q", loc)
	}
	for _, lvl := range []string{"0.3", "0.95"} {
		body := `[{"id":"` + ldWasteURN + `w5","type":"WasteContainer","fillingLevel":{"type":"Property","value":` + lvl + `,"observedAt":"2026-01-10T12:00:00Z"}}]`
		e.ldWant(ldRequest{method: "POST", path: "/ngsi-ld/v1/entityOperations/upsert?options=update", key: key, ctype: "application/json", link: ldWaste, body: body}, 204, nil)
	}
	select {
	case b := <-got:
		var n struct {
			Type, SubscriptionID string
			Data                 []map[string]any
		}
		json.Unmarshal(b, &n)
		if n.Type != "Notification" || !strings.HasSuffix(loc, n.SubscriptionID) || len(n.Data) != 1 || n.Data[0]["fillingLevel"] != 0.95 || n.Data[0]["id"] != ldWasteURN+"w5" {
			t.Fatalf("notification %s", b)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no notification")
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		var s struct {
			Status       string
			Notification struct{ TimesSent, TimesFailed int }
		}
		e.ldWant(ldRequest{method: "GET", path: loc, key: key}, 200, &s)
		if s.Notification.TimesSent == 1 && s.Status == "active" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("subscription %+v", s)
		}
		time.Sleep(50 * time.Millisecond)
	}
	e.ldWant(ldRequest{method: "DELETE", path: loc, key: key}, 204, nil)
	e.ldWant(ldRequest{method: "DELETE", path: loc, key: key}, 404, nil)
}

// ldAttributes changes, appends and deletes attributes of one entity,
// then replaces and deletes the entity.
func ldAttributes(t *testing.T, e *env, key string) {
	path := "/ngsi-ld/v1/entities/" + ldWasteURN + "w3"
	get := func() map[string]any {
		t.Helper()
		var m map[string]any
		e.ldWant(ldRequest{method: "GET", path: path + "?options=keyValues", key: key, link: ldWaste}, 200, &m)
		return m
	}
	send := func(method, p, body string, want int) []byte {
		t.Helper()
		code, b, _ := e.ld(ldRequest{method: method, path: p, key: key, ctype: "application/json", link: ldWaste, body: body})
		if code != want {
			t.Fatalf("%s %s: %d, want %d: %s", method, p, code, want, b)
		}
		return b
	}
	send("PATCH", path+"/attrs/fillingLevel", `{"value":0.3}`, 204)
	var full map[string]any
	e.ldWant(ldRequest{method: "GET", path: path + "?attrs=fillingLevel", key: key, link: ldWaste}, 200, &full)
	fl, _ := full["fillingLevel"].(map[string]any)
	if fl["value"] != 0.3 || fl["unitCode"] != "C62" || len(full) != 3 {
		t.Errorf("after a partial attribute update: %v", full)
	}
	res := send("PATCH", path+"/attrs", `{"status":"dropped","binCapacity":240}`, 207)
	if !strings.Contains(string(res), `"updated":["status"]`) || !strings.Contains(string(res), `"attributeName":"binCapacity"`) {
		t.Errorf("update result %s", res)
	}
	send("POST", path+"/attrs?options=noOverwrite", `{"status":"ok","binCapacity":240}`, 204)
	if m := get(); m["status"] != "dropped" || m["binCapacity"] != 240.0 {
		t.Errorf("after append without overwrite: %v", m)
	}
	send("DELETE", path+"/attrs/binCapacity", "", 204)
	send("DELETE", path+"/attrs/binCapacity", "", 404)
	send("PUT", path, `{"type":"WasteContainer","fillingLevel":{"type":"Property","value":0.125}}`, 204)
	if m := get(); len(m) != 3 || m["fillingLevel"] != 0.125 {
		t.Errorf("after replace: %v", m)
	}
	send("PUT", "/ngsi-ld/v1/entities/"+ldWasteURN+"none", `{"type":"WasteContainer"}`, 404)
	send("DELETE", path, "", 204)
	send("DELETE", path, "", 404)
}

func ldRefusals(t *testing.T, e *env, key, outsider string) {
	many := make([]string, 1001)
	for i := range many {
		many[i] = fmt.Sprintf(`{"id":"urn:ngsi-ld:T:%d","type":"T"}`, i)
	}
	for _, tc := range []struct {
		name   string
		rq     ldRequest
		status int
		typ    string
	}{
		{"malformed JSON", ldRequest{method: "POST", path: "/ngsi-ld/v1/entities", ctype: "application/json", body: `{"id":`}, 400, "InvalidRequest"},
		{"unknown @context URL", ldRequest{method: "POST", path: "/ngsi-ld/v1/entities", ctype: "application/ld+json",
			body: `{"id":"urn:ngsi-ld:T:1","type":"T","@context":"https://example.org/ctx.jsonld"}`}, 503, "LdContextNotAvailable"},
		{"@context and Link at once", ldRequest{method: "POST", path: "/ngsi-ld/v1/entities", ctype: "application/ld+json", link: ldSDM,
			body: `{"id":"urn:ngsi-ld:T:1","type":"T","@context":"` + ldSDM + `"}`}, 400, "BadRequestData"},
		{"@context in an application/json body", ldRequest{method: "POST", path: "/ngsi-ld/v1/entities", ctype: "application/json",
			body: `{"id":"urn:ngsi-ld:T:1","type":"T","@context":"` + ldSDM + `"}`}, 400, "BadRequestData"},
		{"other media type", ldRequest{method: "POST", path: "/ngsi-ld/v1/entities", ctype: "text/plain", body: `{}`}, 415, "UnsupportedMediaType"},
		{"too many entities", ldRequest{method: "POST", path: "/ngsi-ld/v1/entityOperations/upsert", ctype: "application/json", body: "[" + strings.Join(many, ",") + "]"}, 413, "BadRequestData"},
		{"bad q", ldRequest{method: "GET", path: "/ngsi-ld/v1/entities?type=T&q=fillingLevel%3E%3E1"}, 400, "BadRequestData"},
		{"limit over 1000", ldRequest{method: "GET", path: "/ngsi-ld/v1/entities?type=T&limit=1001"}, 403, "TooManyResults"},
		{"unknown entity", ldRequest{method: "GET", path: "/ngsi-ld/v1/entities/urn:ngsi-ld:T:none"}, 404, "ResourceNotFound"},
		{"existing entity", ldRequest{method: "POST", path: "/ngsi-ld/v1/entities", ctype: "application/json", link: ldWaste,
			body: `{"id":"` + ldWasteURN + `w1","type":"WasteContainer"}`}, 409, "AlreadyExists"},
		{"month aggregation period", ldRequest{method: "GET", path: "/ngsi-ld/v1/temporal/entities/" + ldWasteURN + "w1?options=aggregatedValues&aggrMethods=avg&aggrPeriodDuration=P1M"}, 400, "BadRequestData"},
		{"unknown endpoint", ldRequest{method: "GET", path: "/ngsi-ld/v1/nothing"}, 404, "ResourceNotFound"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.rq.key = key
			var p struct {
				Type   string
				Status int
				Detail string
			}
			e.ldWant(tc.rq, tc.status, &p)
			if p.Type != "https://uri.etsi.org/ngsi-ld/errors/"+tc.typ || p.Status != tc.status || p.Detail == "" {
				t.Errorf("problem %+v", p)
			}
		})
	}
	var res struct {
		Success []string
		Errors  []struct {
			EntityID string
			Error    struct{ Type string }
		}
	}
	body := `[{"id":"` + ldWasteURN + `w1","type":"WasteContainer"},{"id":"` + ldWasteURN + `w9","type":"WasteContainer"},{"id":"nope","type":"T"}]`
	e.ldWant(ldRequest{method: "POST", path: "/ngsi-ld/v1/entityOperations/create", key: key, ctype: "application/json", link: ldWaste, body: body}, 207, &res)
	if fmt.Sprint(res.Success) != "["+ldWasteURN+"w9]" || len(res.Errors) != 2 || res.Errors[1].EntityID != ldWasteURN+"w1" ||
		res.Errors[1].Error.Type != "https://uri.etsi.org/ngsi-ld/errors/AlreadyExists" {
		t.Errorf("207 %+v", res)
	}
	e.ldWant(ldRequest{method: "POST", path: "/ngsi-ld/v1/entityOperations/delete", key: key, ctype: "application/json", body: `["` + ldWasteURN + `w9"]`}, 204, nil)
	for _, p := range []string{"/ngsi-ld/v1/entities?type=T", "/ngsi-ld/v1/entities/" + ldWasteURN + "w1", "/ngsi-ld/v1/types"} {
		if code, _, _ := e.ld(ldRequest{method: "GET", path: p, key: outsider}); code != 404 {
			t.Errorf("partner GET %s: %d, want 404", p, code)
		}
		if code, _, _ := e.ld(ldRequest{method: "GET", path: p}); code != 401 {
			t.Errorf("anonymous GET %s: %d, want 401", p, code)
		}
	}
	if code, body, _ := e.ld(ldRequest{method: "GET", path: "/ngsi-ld/contexts/smart-data-models.jsonld"}); code != 200 || !bytes.Contains(body, []byte(`"WasteContainer"`)) {
		t.Errorf("served context: %d", code)
	}
}
