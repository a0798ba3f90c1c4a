package main

import (
	"encoding/csv"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/socle/socle/internal/maintenance"
)

// maintenanceSite seeds users and returns their API keys: steward, agent,
// admin, outsider (a partner).
func maintenanceSite(t *testing.T, e *env) (steward, agent, admin, outsider string) {
	t.Helper()
	seedOrgs(t, e)
	keys := map[string]string{}
	for _, u := range []struct{ login, role, org string }{
		{"steward", "steward", "metropole"}, {"agent", "agent", "metropole"},
		{"boss", "admin", "metropole"}, {"outsider", "partner", "partenaire"},
	} {
		e.mustRun("user", "add", "--login", u.login, "--role", u.role, "--org", u.org)
		keys[u.login] = strings.TrimSpace(e.mustRun("apikey", "create", "--login", u.login))
	}
	return keys["steward"], keys["agent"], keys["boss"], keys["outsider"]
}

// observe posts one value per device of property prop, an hour ago.
func observe(t *testing.T, e *env, key, prop string, values map[string]float64) {
	t.Helper()
	at := time.Now().UTC().Add(-time.Hour).Truncate(time.Second).Format(time.RFC3339)
	var rs []string
	for d, v := range values {
		rs = append(rs, fmt.Sprintf(`{"device":%q,"property":%q,"time":%q,"value":%v}`, d, prop, at, v))
	}
	if code, body := e.post("POST", "/api/v1/observations", key, []byte("["+strings.Join(rs, ",")+"]")); code != 201 {
		t.Fatalf("post observations: %d %s", code, body)
	}
}

// plantContainers registers five containers around the depot 47.48,-0.55
// and their levels: every one but b4 is to be emptied at 80 %.
func plantContainers(t *testing.T, e *env, steward string) {
	t.Helper()
	for _, c := range []struct {
		id       string
		lat, lon float64
	}{{"b1", 47.481, -0.530}, {"b2", 47.493, -0.536}, {"b3", 47.503, -0.552}, {"b4", 47.494, -0.566}, {"b5", 47.486, -0.571}} {
		mustPut(e, "/api/v1/devices/"+c.id, steward, fmt.Sprintf(`{"name":"Colonne %s","type":"WasteContainer","domain":"waste",
			"location":{"lat":%v,"lon":%v},"properties":[{"name":"fillingLevel","unit":"%%","min":0,"max":100}],"period_seconds":3600}`, c.id, c.lat, c.lon))
	}
	observe(t, e, steward, "fillingLevel", map[string]float64{"b1": 90, "b2": 85, "b3": 95, "b4": 30, "b5": 81})
}

// TestWasteRoundOverHTTP plans the round of planted containers as JSON,
// CSV and GeoJSON, on both engines.
func TestWasteRoundOverHTTP(t *testing.T) {
	for _, e := range engines(t) {
		t.Run(e.name, func(t *testing.T) {
			e.t = t
			steward, agent, _, outsider := maintenanceSite(t, e)
			e.start()
			plantContainers(t, e, steward)
			q := "?date=" + time.Now().UTC().Format(time.DateOnly) + "&depot=47.48,-0.55"
			want := []string{"b1", "b2", "b3", "b5"}
			var round struct {
				Stops []struct {
					Order     int
					Device    string
					Reason    string
					Distance  float64 `json:"distance_m"`
					FillLevel float64 `json:"fill_level"`
				}
				Length float64 `json:"length_m"`
			}
			e.getJSON("/api/v1/rounds"+q, agent, 200, &round)
			var got []string
			for i, s := range round.Stops {
				got = append(got, s.Device)
				if s.Order != i+1 || s.Reason != "fill" || (i > 0 && s.Distance <= round.Stops[i-1].Distance) {
					t.Errorf("stop %d: %+v", i, s)
				}
			}
			if strings.Join(got, " ") != strings.Join(want, " ") || round.Length <= round.Stops[len(round.Stops)-1].Distance {
				t.Fatalf("round %v (length %v), want %v", got, round.Length, want)
			}

			code, body, h := e.get("/api/v1/rounds.csv"+q, agent)
			recs, err := csv.NewReader(strings.NewReader(string(body))).ReadAll()
			if code != 200 || err != nil || h.Get("Content-Type") != "text/csv; charset=utf-8" || len(recs) != 5 ||
				strings.Join(recs[0], ",") != "order,device,name,lat,lon,fill_level,reason,alert_id,distance_m" {
				t.Fatalf("CSV: %d %v %s", code, err, body)
			}
			for i, d := range want {
				if recs[i+1][0] != fmt.Sprint(i+1) || recs[i+1][1] != d {
					t.Errorf("CSV line %d: %v, want %s", i+2, recs[i+1], d)
				}
			}

			var fc struct {
				Features []struct {
					Geometry   struct{ Type string }
					Properties map[string]any
				}
			}
			e.getJSON("/api/v1/rounds.geojson"+q, agent, 200, &fc)
			if len(fc.Features) != 6 || fc.Features[0].Geometry.Type != "LineString" || fc.Features[1].Properties["kind"] != "depot" {
				t.Fatalf("GeoJSON %+v", fc)
			}
			for i, d := range want {
				if p := fc.Features[i+2].Properties; p["device"] != d || p["order"] != float64(i+1) {
					t.Errorf("GeoJSON stop %d: %v, want %s", i+1, p, d)
				}
			}

			e.getJSON("/api/v1/rounds"+q+"&threshold=90", agent, 200, &round)
			if len(round.Stops) != 2 {
				t.Errorf("at 90 %%: %+v, want b1 and b3", round.Stops)
			}
			for path, want := range map[string]int{"/api/v1/rounds?date=2026-13-01": 400, "/api/v1/rounds": 404} {
				key := agent
				if want == 404 {
					key = outsider
				}
				if code, _, _ := e.get(path, key); code != want {
					t.Errorf("GET %s: %d, want %d", path, code, want)
				}
			}
		})
	}
}

// workOrderView is a work order as the API shows it.
type workOrderView struct {
	ID       int64
	Device   string
	AlertID  int64 `json:"alert_id"`
	Status   string
	Assignee string
	Priority string
	History  []struct{ Actor, Action, Note string }
}

// TestWorkOrdersFromAlerts opens a work order from an alert, moves it
// along and lists it per device, on both engines.
func TestWorkOrdersFromAlerts(t *testing.T) {
	for _, e := range engines(t) {
		t.Run(e.name, func(t *testing.T) {
			e.t = t
			steward, agent, _, outsider := maintenanceSite(t, e)
			e.start()
			plantContainers(t, e, steward)
			mustPut(e, "/api/v1/rules/plein", steward, `{"name":"Plein","kind":"threshold","domain":"waste","property":"fillingLevel",
				"op":">","threshold":92,"hysteresis":10,"severity":"critical","enabled":true}`)
			observe(t, e, steward, "fillingLevel", map[string]float64{"b3": 97})
			var open alertList
			e.getJSON("/api/v1/alerts?status=open&device=b3", agent, 200, &open)
			if len(open.Results) != 1 {
				t.Fatalf("alerts %+v", open)
			}
			var w workOrderView
			postJSON(e, "/api/v1/workorders", agent, fmt.Sprintf(`{"alert_id":%d}`, open.Results[0].ID), 201, &w)
			if w.Device != "b3" || w.AlertID != open.Results[0].ID || w.Status != "open" || w.Priority != "urgent" {
				t.Fatalf("work order %+v", w)
			}
			path := fmt.Sprintf("/api/v1/workorders/%d", w.ID)
			if code, body := e.post("PATCH", path, agent, []byte(`{"assignee":"steward"}`)); code != 200 || !strings.Contains(string(body), `"status":"assigned"`) {
				t.Fatalf("assign: %d %s", code, body)
			}
			if code, body := e.post("PATCH", path, agent, []byte(`{"status":"open"}`)); code != 409 {
				t.Errorf("back to open: %d %s", code, body)
			}
			postJSON(e, path+"/comments", steward, `{"note":"Collecte ajoutée"}`, 201, &w)
			if code, body := e.post("PATCH", path, steward, []byte(`{"status":"done"}`)); code != 200 {
				t.Fatalf("done: %d %s", code, body)
			}
			postJSON(e, "/api/v1/workorders", agent, `{"device":"b1","title":"Couvercle cassé","priority":"low","due":"2030-01-31"}`, 201, &w)
			var list struct {
				TotalCount int `json:"total_count"`
				Results    []workOrderView
			}
			e.getJSON("/api/v1/devices/b3/workorders", agent, 200, &list)
			if list.TotalCount != 1 || list.Results[0].Status != "done" {
				t.Errorf("b3's work orders %+v", list)
			}
			e.getJSON(path, agent, 200, &w)
			var actions []string
			for _, h := range w.History {
				actions = append(actions, h.Actor+":"+h.Action)
			}
			if got := strings.Join(actions, " "); got != "agent:create agent:assign agent:status steward:comment steward:status" {
				t.Errorf("history %s", got)
			}
			e.getJSON("/api/v1/workorders?status=open", agent, 200, &list)
			if list.TotalCount != 1 || list.Results[0].Device != "b1" {
				t.Errorf("open work orders %+v", list)
			}
			for _, req := range []struct{ method, path, body string }{
				{"GET", "/api/v1/workorders", ""}, {"GET", path, ""}, {"POST", "/api/v1/workorders", `{"device":"b1","title":"x"}`},
			} {
				if code, _ := e.post(req.method, req.path, outsider, []byte(req.body)); code != 404 {
					t.Errorf("outsider %s %s: %d, want 404", req.method, req.path, code)
				}
			}
		})
	}
}

// hookServer records the deliveries it gets and answers 500 to the first.
type hookServer struct {
	mu   sync.Mutex
	got  []*http.Request
	body [][]byte
	seen chan struct{}
}

func (h *hookServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	h.mu.Lock()
	h.got, h.body = append(h.got, r), append(h.body, b)
	first := len(h.got) == 1
	h.mu.Unlock()
	h.seen <- struct{}{}
	if first {
		w.WriteHeader(http.StatusInternalServerError)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// TestWebhookDeliveries registers a webhook, sees a signed delivery
// retried after a 500, and nothing after the webhook is deleted.
func TestWebhookDeliveries(t *testing.T) {
	for _, e := range engines(t) {
		t.Run(e.name, func(t *testing.T) {
			e.t = t
			steward, agent, admin, _ := maintenanceSite(t, e)
			e.start()
			hooks := &hookServer{seen: make(chan struct{}, 10)}
			srv := httptest.NewServer(hooks)
			defer srv.Close()
			body := `{"url":"` + srv.URL + `/socle","events":["alert.opened"]}`
			if code, _ := e.post("POST", "/api/v1/webhooks", agent, []byte(body)); code != 404 {
				t.Errorf("an agent registered a webhook: %d", code)
			}
			var h maintenance.Webhook
			postJSON(e, "/api/v1/webhooks", admin, body, 201, &h)
			if code, _ := e.post("POST", "/api/v1/webhooks", admin, []byte(`{"url":"ftp://example.org/","events":["alert.opened"]}`)); code != 400 {
				t.Errorf("an ftp webhook: %d, want 400", code)
			}
			var listed struct{ Results []maintenance.Webhook }
			e.getJSON("/api/v1/webhooks", admin, 200, &listed)
			if len(listed.Results) != 1 || strings.Contains(listed.Results[0].Secret, h.Secret[6:20]) {
				t.Errorf("listing shows the secret: %+v", listed)
			}
			plantContainers(t, e, steward)
			mustPut(e, "/api/v1/rules/plein", steward, `{"name":"Plein","kind":"threshold","domain":"waste","property":"fillingLevel",
				"op":">","threshold":92,"enabled":true}`)
			observe(t, e, steward, "fillingLevel", map[string]float64{"b3": 97})
			for i := range 2 {
				select {
				case <-hooks.seen:
				case <-time.After(15 * time.Second):
					t.Fatalf("delivery %d did not come", i+1)
				}
			}
			hooks.mu.Lock()
			for i, r := range hooks.got {
				ts := r.Header.Get("X-Socle-Timestamp")
				if sig := maintenance.Signature(h.Secret, ts, hooks.body[i]); r.Header.Get("X-Socle-Signature") != sig {
					t.Errorf("attempt %d: signature %q, want %q", i+1, r.Header.Get("X-Socle-Signature"), sig)
				}
				if r.Header.Get("X-Socle-Event") != "alert.opened" || r.Header.Get("X-Socle-Delivery") != hooks.got[0].Header.Get("X-Socle-Delivery") {
					t.Errorf("attempt %d headers %v", i+1, r.Header)
				}
			}
			if !strings.Contains(string(hooks.body[1]), `"device":"b3"`) {
				t.Errorf("body %s", hooks.body[1])
			}
			hooks.mu.Unlock()
			var log struct {
				Results []maintenance.Delivery
			}
			deadline := time.Now().Add(5 * time.Second)
			for {
				e.getJSON(fmt.Sprintf("/api/v1/webhooks/%d/deliveries", h.ID), admin, 200, &log)
				if len(log.Results) == 1 && log.Results[0].Status == "delivered" || time.Now().After(deadline) {
					break
				}
				time.Sleep(100 * time.Millisecond)
			}
			if len(log.Results) != 1 || log.Results[0].Status != "delivered" || log.Results[0].Attempts != 2 {
				t.Errorf("delivery log %+v", log.Results)
			}

			if code, _ := e.post("DELETE", fmt.Sprintf("/api/v1/webhooks/%d", h.ID), admin, nil); code != 204 {
				t.Fatalf("delete: %d", code)
			}
			observe(t, e, steward, "fillingLevel", map[string]float64{"b1": 99})
			select {
			case <-hooks.seen:
				t.Error("a delivery came after the webhook was deleted")
			case <-time.After(2 * time.Second):
			}
		})
	}
}
