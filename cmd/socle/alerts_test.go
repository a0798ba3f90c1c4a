package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"
)

// alertView is an alert as the API shows it.
type alertView struct {
	ID       int64  `json:"id"`
	RuleID   string `json:"rule_id"`
	Device   string `json:"device"`
	Status   string `json:"status"`
	Assignee string `json:"assignee"`
	Value    float64
	Message  string
	History  []struct{ Actor, Action, Note string }
}

type alertList struct {
	TotalCount int         `json:"total_count"`
	Results    []alertView `json:"results"`
}

// TestAlerts opens a threshold alert from observations, acknowledges it,
// keeps it through the hysteresis band and sees it resolve by itself; then
// `socle alerts check` finds a silent device; on both engines.
func TestAlerts(t *testing.T) {
	for _, e := range engines(t) {
		t.Run(e.name, func(t *testing.T) {
			e.t = t
			seedOrgs(t, e)
			e.mustRun("user", "add", "--login", "steward", "--role", "steward", "--org", "metropole")
			e.mustRun("user", "add", "--login", "agent", "--role", "agent", "--org", "metropole")
			e.mustRun("user", "add", "--login", "outsider", "--role", "partner", "--org", "partenaire")
			steward := strings.TrimSpace(e.mustRun("apikey", "create", "--login", "steward"))
			agent := strings.TrimSpace(e.mustRun("apikey", "create", "--login", "agent"))
			outsider := strings.TrimSpace(e.mustRun("apikey", "create", "--login", "outsider"))
			e.start()

			mustPut(e, "/api/v1/devices/meter-42", steward, `{"name":"Compteur nord","type":"WaterMeter","domain":"water",
				"properties":[{"name":"flow","unit":"m3/h","min":0,"max":5000}],"period_seconds":600}`)
			rule := `{"name":"Débit anormal","kind":"threshold","domain":"water","property":"flow","op":">","threshold":500,
				"hysteresis":50,"for":0,"severity":"critical","enabled":true}`
			if code, _ := e.post("PUT", "/api/v1/rules/flow-high", agent, []byte(rule)); code != 403 {
				t.Errorf("an agent wrote a rule: %d", code)
			}
			mustPut(e, "/api/v1/rules/flow-high", steward, rule)

			base := time.Now().UTC().Add(-time.Hour).Truncate(time.Second)
			send := func(minutes int, values ...float64) {
				t.Helper()
				var rs []string
				for i, v := range values {
					at := base.Add(time.Duration(minutes+i) * time.Minute).Format(time.RFC3339)
					rs = append(rs, fmt.Sprintf(`{"device":"meter-42","property":"flow","time":%q,"value":%v}`, at, v))
				}
				if code, body := e.post("POST", "/api/v1/observations", steward, []byte("["+strings.Join(rs, ",")+"]")); code != 201 {
					t.Fatalf("post observations: %d %s", code, body)
				}
			}
			send(0, 300, 620)
			send(5, 700) // a second value beyond the threshold
			var open alertList
			e.getJSON("/api/v1/alerts?status=open", agent, 200, &open)
			if open.TotalCount != 1 || len(open.Results) != 1 || open.Results[0].Device != "meter-42" || open.Results[0].RuleID != "flow-high" ||
				open.Results[0].Message != "Débit 620 m3/h au-dessus du seuil 500" {
				t.Fatalf("open alerts %+v, want exactly one for meter-42", open)
			}
			id := open.Results[0].ID
			path := fmt.Sprintf("/api/v1/alerts/%d", id)

			var a alertView
			postJSON(e, path+"/ack", agent, `{"note":"équipe prévenue"}`, 200, &a)
			if a.Status != "acknowledged" {
				t.Errorf("after ack: %+v", a)
			}
			if code, _ := e.post("POST", path+"/ack", agent, nil); code != 409 {
				t.Errorf("second ack: %d, want 409", code)
			}
			postJSON(e, path+"/assign", agent, `{"assignee":"steward"}`, 200, &a)
			if code, _ := e.post("POST", path+"/assign", agent, []byte(`{"assignee":"nobody"}`)); code != 400 {
				t.Errorf("assign to an unknown user: %d, want 400", code)
			}
			postJSON(e, path+"/comments", steward, `{"note":"vanne de secteur fermée"}`, 201, &a)

			send(10, 460) // inside the hysteresis band
			e.getJSON(path, agent, 200, &a)
			if a.Status != "acknowledged" {
				t.Fatalf("460 is inside the band, yet the alert is %s", a.Status)
			}
			send(15, 400)
			e.getJSON(path, agent, 200, &a)
			var actions []string
			for _, h := range a.History {
				actions = append(actions, h.Actor+":"+h.Action)
			}
			want := "system:open agent:ack agent:assign steward:comment system:resolve"
			if a.Status != "resolved" || a.Assignee != "steward" || a.Value != 400 || strings.Join(actions, " ") != want {
				t.Errorf("after 400: status %s, assignee %q, value %v, history %v; want resolved with %s", a.Status, a.Assignee, a.Value, actions, want)
			}
			e.getJSON("/api/v1/alerts?status=open", agent, 200, &open)
			if open.TotalCount != 0 {
				t.Errorf("open alerts after resolving: %+v", open)
			}

			// A silent device: data two hours old, a 10-minute period, 3 periods allowed.
			mustPut(e, "/api/v1/devices/bin-7", steward, `{"name":"Colonne 7","type":"WasteContainer","domain":"waste",
				"properties":[{"name":"fillingLevel","unit":"%"}],"period_seconds":600}`)
			old := time.Now().UTC().Add(-2 * time.Hour).Format(time.RFC3339)
			if code, body := e.post("POST", "/api/v1/observations", steward, []byte(`[{"device":"bin-7","property":"fillingLevel","time":"`+old+`","value":40}]`)); code != 201 {
				t.Fatalf("post: %d %s", code, body)
			}
			mustPut(e, "/api/v1/rules/offline", steward, `{"name":"Capteur muet","kind":"silence","domain":"waste","periods":3,"enabled":true}`)
			e.mustRun("alerts", "check")
			var silent alertList
			e.getJSON("/api/v1/alerts?status=open&device=bin-7", agent, 200, &silent)
			if silent.TotalCount != 1 || silent.Results[0].RuleID != "offline" || !strings.HasPrefix(silent.Results[0].Message, "Capteur hors ligne : aucune donnée depuis 2 h") {
				t.Fatalf("offline alerts %+v", silent)
			}
			e.mustRun("alerts", "check") // idempotent
			e.getJSON("/api/v1/alerts?device=bin-7", agent, 200, &silent)
			if silent.TotalCount != 1 {
				t.Errorf("a second check opened another alert: %+v", silent)
			}
			now := time.Now().UTC().Format(time.RFC3339)
			e.post("POST", "/api/v1/observations", steward, []byte(`[{"device":"bin-7","property":"fillingLevel","time":"`+now+`","value":41}]`))
			e.mustRun("alerts", "check")
			e.getJSON("/api/v1/alerts?status=resolved&device=bin-7", agent, 200, &silent)
			if silent.TotalCount != 1 {
				t.Errorf("the offline alert was not resolved once data came back: %+v", silent)
			}

			for _, p := range []string{"/api/v1/alerts", path, "/api/v1/rules", "/api/v1/rules/flow-high"} {
				if code, _, _ := e.get(p, outsider); code != 404 {
					t.Errorf("partner GET %s: %d, want 404", p, code)
				}
				if code, _, _ := e.get(p, ""); code != 401 {
					t.Errorf("anonymous GET %s: %d, want 401", p, code)
				}
			}
			if code, _ := e.post("POST", path+"/comments", outsider, []byte(`{"note":"x"}`)); code != 404 {
				t.Errorf("partner comment: %d, want 404", code)
			}
			if code, _, _ := e.get("/api/v1/alerts?status=closed", agent); code != 400 {
				t.Errorf("unknown status: %d, want 400", code)
			}
		})
	}
}

func mustPut(e *env, path, key, body string) {
	e.t.Helper()
	if code, out := e.post("PUT", path, key, []byte(body)); code != 200 {
		e.t.Fatalf("PUT %s: %d %s", path, code, out)
	}
}

// postJSON posts body, requires status want and decodes the answer.
func postJSON(e *env, path, key, body string, want int, v any) {
	e.t.Helper()
	code, out := e.post("POST", path, key, []byte(body))
	if code != want {
		e.t.Fatalf("POST %s: %d %s, want %d", path, code, out, want)
	}
	if err := json.Unmarshal(out, v); err != nil {
		e.t.Fatalf("POST %s: %v in %s", path, err, out)
	}
}
