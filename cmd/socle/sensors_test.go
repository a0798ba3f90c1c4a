package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestSensorsHTTP registers a device over the API, sends observations,
// and reads them back as latest state, raw series and daily aggregates, on
// both engines; it checks who may do what.
func TestSensorsHTTP(t *testing.T) {
	for _, e := range engines(t) {
		t.Run(e.name, func(t *testing.T) {
			e.t = t
			seedOrgs(t, e)
			e.mustRun("user", "add", "--login", "steward", "--role", "steward", "--org", "metropole")
			e.mustRun("user", "add", "--login", "outsider", "--role", "partner", "--org", "partenaire")
			steward := strings.TrimSpace(e.mustRun("apikey", "create", "--login", "steward"))
			outsider := strings.TrimSpace(e.mustRun("apikey", "create", "--login", "outsider"))
			e.start()

			device := `{"eui":"70B3D57ED0000042","name":"Compteur secteur nord","type":"WaterMeter","domain":"water",
				"properties":[{"name":"flow","unit":"m3/h","min":0,"max":500}],"period_seconds":600}`
			if code, body := e.post("PUT", "/api/v1/devices/meter-42", steward, []byte(device)); code != 200 {
				t.Fatalf("put device: %d %s", code, body)
			}
			if code, _ := e.post("PUT", "/api/v1/devices/meter-43", outsider, []byte(device)); code != 404 {
				t.Errorf("a partner registered a device: %d", code)
			}
			day := time.Date(2026, 1, 10, 0, 0, 0, 0, time.UTC)
			var batch []string
			for i := range 288 { // two days of 10-minute values: 0, 1, 2… per day
				at := day.Add(time.Duration(i) * 10 * time.Minute)
				batch = append(batch, fmt.Sprintf(`{"device":"meter-42","property":"flow","time":%q,"value":%d}`, at.Format(time.RFC3339), i%144))
			}
			batch = append(batch, `{"device":"ghost","property":"flow","time":"2026-01-10T00:00:00Z","value":1}`,
				`{"device":"meter-42","property":"flow","time":"2026-01-10T00:05:00Z","value":9999}`)
			code, body := e.post("POST", "/api/v1/observations", steward, []byte("["+strings.Join(batch, ",")+"]"))
			if code != 201 || string(body) != "{\"inserted\":289,\"flagged\":1,\"ignored\":0,\"quarantined\":1}\n" {
				t.Fatalf("post observations: %d %s", code, body)
			}
			if code, body := e.post("POST", "/api/v1/observations", steward, []byte(`[{"device":"meter-42"`)); code != 400 {
				t.Errorf("malformed body: %d %s", code, body)
			}
			if code, _ := e.post("POST", "/api/v1/observations", "", []byte(`[]`)); code != 401 {
				t.Errorf("anonymous post: %d", code)
			}

			var agg struct {
				Results []struct {
					Start              string
					Count              int64
					Min, Max, Avg, Sum float64
				}
			}
			e.getJSON("/api/v1/devices/meter-42/aggregates?property=flow&bucket=1d&from=2026-01-09T00:00:00Z&to=2026-01-13T00:00:00Z", steward, 200, &agg)
			if len(agg.Results) != 2 || agg.Results[0].Count != 144 || agg.Results[0].Sum != 143*144/2 || agg.Results[1].Max != 143 || agg.Results[0].Start != "2026-01-10T00:00:00Z" {
				t.Errorf("daily aggregates %+v (the flagged 9999 must be left out)", agg.Results)
			}
			var latest struct{ Results []map[string]any }
			e.getJSON("/api/v1/latest?domain=water", steward, 200, &latest)
			if len(latest.Results) != 1 || latest.Results[0]["value"] != 143.0 || latest.Results[0]["time"] != "2026-01-11T23:50:00Z" {
				t.Errorf("latest %+v", latest.Results)
			}
			var q struct{ Results []map[string]any }
			e.getJSON("/api/v1/quarantine", steward, 200, &q)
			if len(q.Results) != 1 || q.Results[0]["device_ref"] != "ghost" {
				t.Errorf("quarantine %+v", q.Results)
			}
			for _, p := range []string{"/api/v1/devices", "/api/v1/devices/meter-42", "/api/v1/latest", "/api/v1/quarantine"} {
				if code, _, _ := e.get(p, outsider); code != 404 {
					t.Errorf("partner GET %s: %d, want 404", p, code)
				}
				if code, _, _ := e.get(p, ""); code != 401 {
					t.Errorf("anonymous GET %s: %d, want 401", p, code)
				}
			}
			var d map[string]any
			e.getJSON("/api/v1/devices/meter-42", steward, 200, &d)
			if d["eui"] != "70b3d57ed0000042" {
				raw, _ := json.Marshal(d)
				t.Errorf("device %s", raw)
			}
		})
	}
}

// TestWebhooks posts ChirpStack and The Things Stack uplinks as their HTTP
// integrations do, on both engines.
func TestWebhooks(t *testing.T) {
	for _, e := range engines(t) {
		t.Run(e.name, func(t *testing.T) {
			e.t = t
			seedOrgs(t, e)
			e.mustRun("user", "add", "--login", "gateway", "--role", "producer", "--org", "metropole")
			e.mustRun("user", "add", "--login", "steward", "--role", "steward", "--org", "metropole")
			gw := strings.TrimSpace(e.mustRun("apikey", "create", "--login", "gateway"))
			steward := strings.TrimSpace(e.mustRun("apikey", "create", "--login", "steward"))
			e.start()
			dev := `{"eui":"a84041000181c0aa","type":"WasteContainer","domain":"waste","properties":[{"name":"fillingLevel","unit":"%","min":0,"max":100}]}`
			if code, body := e.post("PUT", "/api/v1/devices/bin-aa", steward, []byte(dev)); code != 200 {
				t.Fatalf("put device: %d %s", code, body)
			}
			for _, tc := range []struct {
				name, path, key, body string
				status                int
			}{
				{"a ChirpStack uplink is stored", "/api/v1/integrations/chirpstack?event=up", gw, chirpstackUplink("a84041000181c0aa", "w1", 64), 204},
				{"the same uplink again is absorbed", "/api/v1/integrations/chirpstack?event=up", gw, chirpstackUplink("a84041000181c0aa", "w1", 64), 204},
				{"a join event is ignored", "/api/v1/integrations/chirpstack?event=join", gw, `{}`, 204},
				{"a TTS uplink is stored", "/api/v1/integrations/tts", gw, ttsUplink("bin-aa", "A84041000181C0AA", 65), 204},
				{"a malformed uplink is quarantined and refused", "/api/v1/integrations/tts", gw, `{"end_device_ids":{}}`, 400},
				{"an anonymous post is refused", "/api/v1/integrations/chirpstack?event=up", "", chirpstackUplink("a84041000181c0aa", "w2", 1), 401},
			} {
				if code, body := e.post("POST", tc.path, tc.key, []byte(tc.body)); code != tc.status {
					t.Errorf("%s: %d %s, want %d", tc.name, code, body, tc.status)
				}
			}
			var obs struct{ Results []map[string]any }
			e.getJSON("/api/v1/devices/bin-aa/observations?from=2026-01-01T00:00:00Z&to=2030-01-01T00:00:00Z", steward, 200, &obs)
			if len(obs.Results) != 2 || obs.Results[0]["value"] != 64.0 || obs.Results[1]["value"] != 65.0 {
				t.Errorf("observations %+v, want 64 then 65", obs.Results)
			}
			waitFor(t, e, steward, "/api/v1/quarantine", `"source":"webhook:tts"`)
		})
	}
}
