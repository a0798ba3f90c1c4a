package app_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/socle/socle/internal/app"
	"github.com/socle/socle/internal/sensors"
)

// TestRetentionJobPurgesAndAudits starts the retention job over a water
// meter with data older than its domain's period and another's, and finds
// the old water data purged at once, the rest kept, and the purge audited.
func TestRetentionJobPurgesAndAudits(t *testing.T) {
	a := openAt(t, filepath.Join(t.TempDir(), "socle.db"))
	ctx := context.Background()
	for _, d := range []*sensors.Device{
		{ID: "m1", Type: "WaterMeter", Domain: "water", Status: sensors.StatusActive, Properties: []sensors.Property{{Name: "flow"}}},
		{ID: "a1", Type: "AirQualityObserved", Domain: "air", Status: sensors.StatusActive, Properties: []sensors.Property{{Name: "no2"}}},
	} {
		if err := a.PutDevice(ctx, app.System, d); err != nil {
			t.Fatal(err)
		}
	}
	old, recent := a.Now().AddDate(0, 0, -10), a.Now().Add(-time.Hour)
	var obs []sensors.Observation
	for _, dev := range []string{"m1", "a1"} {
		obs = append(obs, sensors.Observation{Device: dev, Property: "v", Time: old, Value: 1},
			sensors.Observation{Device: dev, Property: "v", Time: recent, Value: 2})
	}
	if _, _, err := a.Store.AppendBatch(ctx, sensors.Batch{Observations: obs}); err != nil {
		t.Fatal(err)
	}
	r, err := sensors.ParseRetention("water=7d")
	if err != nil {
		t.Fatal(err)
	}
	j := a.NewRetentionJob(r, time.Hour)
	j.Start()
	deadline := time.Now().Add(10 * time.Second)
	for {
		got, err := a.Store.Observations(ctx, "m1", time.Time{}, a.Now(), -1)
		if err != nil {
			t.Fatal(err)
		}
		// The purge's audit entry is its last step: wait for it too, so that
		// Stop (which interrupts a purge in progress) comes after.
		if logged, _ := a.Store.Audit(ctx, "observations", 10); len(got) == 1 && len(logged) > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("water meter still has %d raw rows", len(got))
		}
		time.Sleep(20 * time.Millisecond)
	}
	j.Stop()
	if got, _ := a.Store.Observations(ctx, "a1", time.Time{}, a.Now(), -1); len(got) != 2 {
		t.Errorf("air station: %d raw rows, want both kept", len(got))
	}
	entries, err := a.Store.Audit(ctx, "observations", 10)
	if err != nil || len(entries) != 1 || entries[0].Action != "timeseries.purge" || entries[0].Records != 1 || entries[0].Actor != "system" {
		t.Fatalf("audit %+v, %v; want one purge of 1 row by system", entries, err)
	}
	if b, err := a.Store.Aggregate(ctx, sensors.AggregateQuery{Device: "m1", Property: "v", From: old.Add(-sensors.Day), To: a.Now(), Width: sensors.Day}); err != nil || len(b) != 2 {
		t.Errorf("daily aggregates after the purge: %+v, %v; want the purged day kept", b, err)
	}
}
