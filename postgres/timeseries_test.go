package postgres

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/socle/socle/internal/sensors"
)

// TestPurgeDropsWholePartitions checks that a purge drops the month
// partitions whose every device is past its domain's retention, and only
// deletes rows from a partition that holds a device of another domain.
func TestPurgeDropsWholePartitions(t *testing.T) {
	db := openTest(t)
	defer db.Close()
	ctx := context.Background()
	for _, d := range []*sensors.Device{
		{ID: "w", Name: "Compteur", Type: "WaterMeter", Domain: "water", Status: sensors.StatusActive},
		{ID: "a", Name: "Air", Type: "AirQualityObserved", Domain: "air", Status: sensors.StatusActive},
	} {
		if err := db.PutDevice(ctx, d); err != nil {
			t.Fatal(err)
		}
	}
	at := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 12, 0, 0, 0, time.UTC) }
	b := sensors.Batch{Observations: []sensors.Observation{
		{Device: "w", Property: "flow", Time: at(2024, 1, 10), Value: 1},
		{Device: "w", Property: "flow", Time: at(2024, 1, 11), Value: 2},
		{Device: "w", Property: "flow", Time: at(2024, 2, 10), Value: 3},
		{Device: "a", Property: "no2", Time: at(2024, 2, 10), Value: 4},  // air keeps 2024-02
		{Device: "w", Property: "flow", Time: at(2024, 3, 10), Value: 5}, // after the cutoff
	}}
	if _, _, err := db.AppendBatch(ctx, b); err != nil {
		t.Fatal(err)
	}
	rep, err := db.PurgeRaw(ctx, map[string]time.Time{"water": at(2024, 3, 1).Truncate(24 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Rows != 3 || !slices.Equal(rep.Partitions, []string{"observations_2024_01"}) {
		t.Errorf("purge: %+v; want 3 rows, partition observations_2024_01 dropped", rep)
	}
	wantStrings(t, db, "partitions", `SELECT c.relname::text FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
		WHERE i.inhparent = 'observations'::regclass ORDER BY 1`,
		"observations_2024_02", "observations_2024_03", "observations_default")
	// Late data for a dropped month gets its partition again.
	b.Observations = b.Observations[:1]
	b.Observations[0].Time = at(2024, 1, 20)
	if n, _, err := db.AppendBatch(ctx, b); err != nil || n != 1 {
		t.Fatalf("late data: %d, %v", n, err)
	}
}
