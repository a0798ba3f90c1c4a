package postgres

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/socle/socle/internal/sensors"
)

// TestLatestFollowsAnotherNode writes through one handle on a database and
// reads the whole latest state through another, whose copy in memory must
// notice every commit of the first.
func TestLatestFollowsAnotherNode(t *testing.T) {
	ctx := context.Background()
	dsn, _ := testDSN(t)
	reader, err := Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer reader.Close()
	writer, err := Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer writer.Close()
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range 5 {
		var b sensors.Batch
		for d := range 600 {
			b.Observations = append(b.Observations, sensors.Observation{Device: fmt.Sprintf("d%03d", d), Property: "fill",
				Time: at.Add(time.Duration(i) * time.Minute), Value: float64(i*1000 + d)})
		}
		if _, _, err := writer.AppendBatch(ctx, b); err != nil {
			t.Fatal(err)
		}
		for _, db := range []*DB{reader, writer} {
			got, err := db.Latest(ctx, nil)
			if err != nil || len(got) != 600 || got[599].Value != float64(i*1000+599) {
				t.Fatalf("after batch %d: %d values, last %+v, %v", i, len(got), got[len(got)-1], err)
			}
		}
	}
}
