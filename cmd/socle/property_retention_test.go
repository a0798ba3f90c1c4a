package main

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestPropertyRetention sets retention rules per device property through
// the API on both engines: a rule taking its duration from an RGPD
// processing of the register, first under legal hold (`socle retention
// purge` deletes nothing), then lifted (only that property's old raw
// observations go, its daily aggregate stays, other properties and recent
// data stay); a second rule purging everything removes the roll-ups too.
// Every run is in the audit log (the purge log).
func TestPropertyRetention(t *testing.T) {
	for _, e := range engines(t) {
		t.Run(e.name, func(t *testing.T) {
			e.t = t
			seedOrgs(t, e)
			e.mustRun("user", "add", "--login", "steward", "--role", "steward", "--org", "metropole")
			steward := strings.TrimSpace(e.mustRun("apikey", "create", "--login", "steward"))
			e.mustRun("user", "add", "--login", "agent", "--role", "producer", "--org", "metropole")
			agent := strings.TrimSpace(e.mustRun("apikey", "create", "--login", "agent"))
			e.start()
			mustPut(e, "/api/v1/devices/meter-1", steward, `{"name":"Compteur","type":"WaterMeter","domain":"water",
				"properties":[{"name":"flow","unit":"m3/h"},{"name":"battery","unit":"%"}],"period_seconds":600}`)
			oldDay := time.Now().UTC().AddDate(0, 0, -200).Truncate(24 * time.Hour)
			recent := time.Now().UTC().Add(-2 * time.Hour).Truncate(time.Hour)
			var rs []string
			for i, at := range []time.Time{oldDay.Add(time.Hour), oldDay.Add(2 * time.Hour), oldDay.Add(3 * time.Hour), recent} {
				for _, prop := range []string{"flow", "battery"} {
					rs = append(rs, fmt.Sprintf(`{"device":"meter-1","property":%q,"time":%q,"value":%d}`, prop, at.Format(time.RFC3339), i+1))
				}
			}
			if code, body := e.post("POST", "/api/v1/observations", steward, []byte("["+strings.Join(rs, ",")+"]")); code != 201 {
				t.Fatalf("post observations: %d %s", code, body)
			}
			mustPut(e, "/api/socle/v1/registers/processing/releves-eau", steward, `{"name":"Relevés des compteurs d'eau",
				"controller":"Métropole","dpo":"dpo@example.org","purposes":["Facturation"],"legal_basis":"Art. 6(1)(e)",
				"data_subjects":["Abonnés"],"data_categories":["Consommation"],"retention":"Données brutes : 90 jours ; agrégats : 5 ans",
				"recipients":["Régie"],"security":["Chiffrement"]}`)

			const rules = "/api/socle/v1/retention/properties"
			for _, c := range []struct {
				name, key, body string
				want            int
			}{
				{"anonymous", "", `{"domain":"water","property":"flow","days":90}`, 401},
				{"a producer", agent, `{"domain":"water","property":"flow","days":90}`, 403},
				{"an unknown processing", steward, `{"domain":"water","property":"flow","processing":"inconnu"}`, 400},
				{"no device named", steward, `{"property":"flow","days":90}`, 400},
				{"days and a processing", steward, `{"domain":"water","property":"flow","days":9,"processing":"releves-eau"}`, 400},
				{"an unknown action", steward, `{"domain":"water","property":"flow","days":9,"action":"archive"}`, 400},
			} {
				if code, out := e.post("PUT", rules+"/debit", c.key, []byte(c.body)); code != c.want && !(c.want == 401 && code == 403) {
					t.Errorf("%s: %d %s, want %d", c.name, code, out, c.want)
				}
			}
			mustPut(e, rules+"/debit", steward, `{"domain":"water","device_type":"WaterMeter","property":"flow","processing":"releves-eau","legal_hold":true}`)
			var list struct {
				Results []struct {
					ID, Action string
					LegalHold  bool `json:"legal_hold"`
				}
			}
			e.getJSON(rules, steward, 200, &list)
			if len(list.Results) != 1 || list.Results[0].ID != "debit" || list.Results[0].Action != "raw" || !list.Results[0].LegalHold {
				t.Fatalf("rules %+v", list.Results)
			}
			if out := e.mustRun("retention", "purge"); !strings.Contains(out, "property rule debit: legal hold, nothing deleted") {
				t.Errorf("purge under legal hold: %q", out)
			}
			from := oldDay.AddDate(0, 0, -1).Format(time.RFC3339)
			count := func(prop string) int {
				var raw struct {
					Results []struct{ Property string }
				}
				e.getJSON("/api/v1/devices/meter-1/observations?limit=100&from="+from, steward, 200, &raw)
				n := 0
				for _, r := range raw.Results {
					if r.Property == prop {
						n++
					}
				}
				return n
			}
			if f, b := count("flow"), count("battery"); f != 4 || b != 4 {
				t.Fatalf("after a purge under legal hold: %d flow and %d battery rows, want 4 and 4", f, b)
			}
			mustPut(e, rules+"/debit", steward, `{"domain":"water","device_type":"WaterMeter","property":"flow","processing":"releves-eau"}`)
			if out := e.mustRun("retention", "purge"); !strings.Contains(out, "property rule debit: 3 observations and 0 roll-up rows before") {
				t.Errorf("purge: %q", out)
			}
			if f, b := count("flow"), count("battery"); f != 1 || b != 4 {
				t.Errorf("after the purge: %d flow and %d battery rows, want 1 (the recent one) and 4", f, b)
			}
			dayCount := func(prop string) int {
				var agg struct {
					Results []struct {
						Start time.Time
						Count int
					}
				}
				e.getJSON("/api/v1/devices/meter-1/aggregates?property="+prop+"&bucket=1d&from="+from, steward, 200, &agg)
				if len(agg.Results) == 0 || !agg.Results[0].Start.Equal(oldDay) {
					return 0
				}
				return agg.Results[0].Count
			}
			if n := dayCount("flow"); n != 3 {
				t.Errorf("the old day's flow aggregate counts %d values, want 3 (roll-ups kept)", n)
			}

			mustPut(e, rules+"/batterie", steward, `{"domain":"water","property":"battery","days":30,"action":"all"}`)
			if out := e.mustRun("retention", "purge"); !strings.Contains(out, "property rule batterie: 3 observations and 4 roll-up rows before") {
				t.Errorf("purge with roll-ups: %q", out) // 3 hours and 1 day
			}
			if n, f := dayCount("battery"), dayCount("flow"); n != 0 || f != 3 {
				t.Errorf("old day's aggregates: battery %d values (want none left), flow %d (want 3)", n, f)
			}
			if b := count("battery"); b != 1 {
				t.Errorf("%d battery rows left, want the recent one", b)
			}

			var log struct {
				Results []struct {
					Action  string `json:"action"`
					Records int64  `json:"records"`
					Detail  string `json:"detail"`
				} `json:"results"`
			}
			e.getJSON("/api/socle/v1/audit?target=property:debit", steward, 200, &log)
			var purges []string
			for _, l := range log.Results {
				if l.Action == "retention.purge" {
					purges = append(purges, fmt.Sprintf("%d %s", l.Records, l.Detail))
				}
			}
			// Newest first: the two purges since the hold was lifted, then the held one.
			if len(purges) != 3 || !strings.HasPrefix(purges[0], "0 water/WaterMeter flow") || !strings.HasPrefix(purges[1], "3 water/WaterMeter flow, the retention of processing releves-eau") ||
				!strings.HasPrefix(purges[2], "0 legal hold: nothing deleted") {
				t.Errorf("purge log %q", purges)
			}
			if code, _ := e.post("DELETE", rules+"/debit", steward, nil); code != 204 {
				t.Errorf("delete: %d", code)
			}
			if code, _, _ := e.get(rules+"/debit", steward); code != 404 {
				t.Errorf("a deleted rule answers %d", code)
			}
		})
	}
}
