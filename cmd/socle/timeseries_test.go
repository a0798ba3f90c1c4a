package main

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestTimeSeriesPurge stores old and recent observations, purges the raw
// data older than 90 days with `socle timeseries purge`, and finds the old
// rows gone while their daily aggregate stays; `socle timeseries rollup`
// rebuilds the recent hours; on both engines.
func TestTimeSeriesPurge(t *testing.T) {
	for _, e := range engines(t) {
		t.Run(e.name, func(t *testing.T) {
			e.t = t
			seedOrgs(t, e)
			e.mustRun("user", "add", "--login", "steward", "--role", "steward", "--org", "metropole")
			steward := strings.TrimSpace(e.mustRun("apikey", "create", "--login", "steward"))
			e.start()
			mustPut(e, "/api/v1/devices/meter-1", steward, `{"name":"Compteur","type":"WaterMeter","domain":"water",
				"properties":[{"name":"flow","unit":"m3/h"}],"period_seconds":600}`)
			oldDay := time.Now().UTC().AddDate(0, 0, -200).Truncate(24 * time.Hour)
			recent := time.Now().UTC().Add(-2 * time.Hour).Truncate(time.Hour)
			var rs []string
			for i, at := range []time.Time{oldDay.Add(time.Hour), oldDay.Add(2 * time.Hour), oldDay.Add(3 * time.Hour), recent, recent.Add(10 * time.Minute)} {
				rs = append(rs, fmt.Sprintf(`{"device":"meter-1","property":"flow","time":%q,"value":%d}`, at.Format(time.RFC3339), i+1))
			}
			if code, body := e.post("POST", "/api/v1/observations", steward, []byte("["+strings.Join(rs, ",")+"]")); code != 201 {
				t.Fatalf("post observations: %d %s", code, body)
			}

			if _, errOut, code := e.run("", "timeseries", "purge", "--raw-retention", "lava=3d"); code == 0 || !strings.Contains(errOut, "unknown domain") {
				t.Errorf("an unknown domain: exit %d, %s; want a failure and the reason", code, errOut)
			}
			if out := e.mustRun("timeseries", "purge", "--raw-retention", "water=90d"); out != "3 raw observations purged, 0 partitions dropped\n" &&
				out != "3 raw observations purged, 1 partitions dropped\n" {
				t.Errorf("purge: %q", out)
			}
			from := oldDay.AddDate(0, 0, -1).Format(time.RFC3339)
			var raw struct {
				TotalCount int `json:"total_count"`
			}
			e.getJSON("/api/v1/devices/meter-1/observations?from="+from, steward, 200, &raw)
			if raw.TotalCount != 2 {
				t.Errorf("raw observations after the purge: %d, want the 2 recent ones", raw.TotalCount)
			}
			var agg struct {
				Results []struct {
					Start time.Time
					Count int
					Sum   float64
				}
			}
			e.getJSON("/api/v1/devices/meter-1/aggregates?property=flow&bucket=1d&from="+from, steward, 200, &agg)
			if len(agg.Results) < 2 || !agg.Results[0].Start.Equal(oldDay) || agg.Results[0].Count != 3 || agg.Results[0].Sum != 6 {
				t.Errorf("daily aggregates after the purge: %+v; want the old day's 3 values summing to 6 first", agg.Results)
			}
			if out := e.mustRun("timeseries", "rollup"); out != "1 series-hours rebuilt\n" {
				t.Errorf("rollup: %q, want the one recent hour", out)
			}
		})
	}
}
