package main

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/socle/socle/internal/alerts"
)

// TestContainerForecastCheck writes a container_forecast rule through the
// API, sends a container filling at 6 %/h, and sees `socle alerts check`
// open its alert (full before the round three hours away), then resolve it
// once the container is emptied; on both engines.
func TestContainerForecastCheck(t *testing.T) {
	for _, e := range engines(t) {
		t.Run(e.name, func(t *testing.T) {
			e.t = t
			seedOrgs(t, e)
			e.mustRun("user", "add", "--login", "steward", "--role", "steward", "--org", "metropole")
			steward := strings.TrimSpace(e.mustRun("apikey", "create", "--login", "steward"))
			e.start()
			mustPut(e, "/api/v1/devices/bac-1", steward, `{"name":"Bac 1","type":"WasteContainer","domain":"waste",
				"properties":[{"name":"fillingLevel","unit":"%","min":0,"max":100}],"period_seconds":3600}`)
			round := time.Now().In(alerts.Local).Add(3 * time.Hour).Format("15:04")
			mustPut(e, "/api/v1/rules/collecte", steward, `{"name":"Plein avant la collecte","kind":"container_forecast","domain":"waste",
				"threshold":90,"hysteresis":20,"rounds":["`+round+`"],"enabled":true}`)
			send := func(ago time.Duration, v float64) {
				t.Helper()
				at := time.Now().UTC().Add(-ago).Format(time.RFC3339)
				body := fmt.Sprintf(`[{"device":"bac-1","property":"fillingLevel","time":%q,"value":%v}]`, at, v)
				if code, b := e.post("POST", "/api/v1/observations", steward, []byte(body)); code != 201 {
					t.Fatalf("post: %d %s", code, b)
				}
			}
			for i, v := range []float64{60, 66, 72, 78} {
				send(time.Duration(3-i)*time.Hour+time.Minute, v)
			}
			// The server's own periodic check, run once as it starts, may open
			// the alert first under load: what matters is that one is open.
			if out := e.mustRun("alerts", "check"); !strings.Contains(out, "leak and containers: 1 checked, ") {
				t.Errorf("check: %q", out)
			}
			var open alertList
			e.getJSON("/api/v1/alerts?status=open&device=bac-1", steward, 200, &open)
			if open.TotalCount != 1 || open.Results[0].RuleID != "collecte" ||
				!strings.HasPrefix(open.Results[0].Message, "Conteneur plein avant la collecte de "+round+" : 78 % à ") {
				t.Fatalf("open alerts %+v", open)
			}
			send(0, 5)
			if out := e.mustRun("alerts", "check"); !strings.Contains(out, "1 checked, 0 opened, 1 resolved") {
				t.Errorf("check after emptying: %q", out)
			}
		})
	}
}
