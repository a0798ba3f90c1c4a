package storetest

import (
	"math"
	"testing"

	"github.com/socle/socle/internal/errs"
	"github.com/socle/socle/internal/sensors"
)

// runGroupCommit runs the conformance tests of AppendBatches.
func runGroupCommit(t *testing.T, fresh func(t *testing.T) Store) {
	t.Run("a group of batches stores each as AppendBatch would, in one call", func(t *testing.T) {
		testAppendBatches(t, fresh(t))
	})
}

func testAppendBatches(t *testing.T, s Store) {
	wantAppend(t, s, sensors.Batch{Key: "old", Observations: []sensors.Observation{obs("d1", "temp", "2024-03-01T09:00:00Z", 10, "")}}, 1, false)
	group := []sensors.Batch{
		{Key: "a", Observations: []sensors.Observation{obs("d1", "temp", "2024-03-01T10:00:00Z", 20, ""), obs("d2", "temp", "2024-03-01T10:00:00Z", 5, "")}},
		{Key: "old", Observations: []sensors.Observation{obs("d1", "temp", "2024-03-01T11:00:00Z", 99, "")}}, // stored before
		{Key: "b", Observations: []sensors.Observation{obs("d1", "temp", "2024-03-01T10:30:00Z", 21, "")}},
		{Key: "a", Observations: []sensors.Observation{obs("d1", "temp", "2024-03-01T12:00:00Z", 98, "")}}, // earlier in the group
		{Key: "nan", Observations: []sensors.Observation{obs("d3", "temp", "2024-03-01T10:00:00Z", math.NaN(), "")}},
		{Observations: []sensors.Observation{obs("d1", "temp", "2024-03-01T10:30:00Z", 77, ""), obs("d1", "temp", "2024-03-01T10:40:00Z", 22, "")}}, // one resend
	}
	res, err := s.AppendBatches(ctx, group)
	must(t, err)
	want := []sensors.AppendResult{{Inserted: 2}, {Dup: true}, {Inserted: 1}, {Dup: true}, {}, {Inserted: 1}}
	if len(res) != len(want) {
		t.Fatalf("%d results, want %d", len(res), len(want))
	}
	for i, w := range want {
		if i == 4 {
			wantKind(t, res[i].Err, errs.Invalid)
			continue
		}
		if res[i].Err != nil || res[i].Inserted != w.Inserted || res[i].Dup != w.Dup {
			t.Errorf("batch %d: got %+v, want %+v", i, res[i], w)
		}
	}
	wantObservations(t, s, "d1", 100,
		obs("d1", "temp", "2024-03-01T09:00:00Z", 10, ""), obs("d1", "temp", "2024-03-01T10:00:00Z", 20, ""),
		obs("d1", "temp", "2024-03-01T10:30:00Z", 21, ""), obs("d1", "temp", "2024-03-01T10:40:00Z", 22, ""))
	wantObservations(t, s, "d3", 100)
	wantLatest(t, s, nil, []sensors.Latest{
		{Device: "d1", Property: "temp", Time: ts("2024-03-01T10:40:00Z"), Value: 22},
		{Device: "d2", Property: "temp", Time: ts("2024-03-01T10:00:00Z"), Value: 5},
	})
	// The key of the invalid batch was not taken: it may come again, valid.
	wantAppend(t, s, sensors.Batch{Key: "nan", Observations: []sensors.Observation{obs("d3", "temp", "2024-03-01T10:00:00Z", 1, "")}}, 1, false)
	res, err = s.AppendBatches(ctx, nil)
	if err != nil || len(res) != 0 {
		t.Fatalf("empty group: %v %v", res, err)
	}
}
