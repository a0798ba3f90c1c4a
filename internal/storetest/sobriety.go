package storetest

import (
	"strings"
	"testing"

	"github.com/socle/socle/internal/catalog"
	"github.com/socle/socle/internal/errs"
	"github.com/socle/socle/internal/sensors"
)

// runSobriety runs the conformance tests of sobriety.Store.
func runSobriety(t *testing.T, fresh func(t *testing.T) Store) {
	t.Run("table sizes grow with the data, the last day of use and the sensor rows are counted", func(t *testing.T) {
		testSobriety(t, fresh(t))
	})
	t.Run("the usage of a period sums its days only", func(t *testing.T) { testUsageBetween(t, fresh(t)) })
}

func testSobriety(t *testing.T, s Store) {
	d := newDataset(t, s, "arbres")
	fields := []catalog.Field{{Name: "nom", Type: catalog.TypeText}}
	load(t, s, d.ID, catalog.ModeReplace, fields, []catalog.Row{{"chêne"}})
	small, err := s.TableBytes(ctx)
	if err != nil && !(errs.Is(err, errs.Unavailable) && !sizesMeasured) {
		t.Fatalf("table bytes: %v", err)
	}
	rows := make([]catalog.Row, 20000)
	for i := range rows {
		rows[i] = catalog.Row{strings.Repeat("platane ", 8)}
	}
	load(t, s, d.ID, catalog.ModeReplace, fields, rows)
	if err == nil {
		big, err := s.TableBytes(ctx)
		must(t, err)
		if sum(big, "r_uid_arbres_") <= sum(small, "r_uid_arbres_") || sum(big, "r_uid_arbres_") < 20000*60 {
			t.Errorf("the dataset's tables take %d bytes after 20,000 rows of 64 bytes (%d before)", sum(big, "r_uid_arbres_"), sum(small, "r_uid_arbres_"))
		}
		if big["observations"] <= 0 || big["register_entries"] <= 0 {
			t.Errorf("tables missing from the sizes: %v", big)
		}
	}

	must(t, s.AddUsage(ctx, day(2026, 3, 1), []catalog.Usage{{DatasetID: "arbres", Views: 2}}))
	must(t, s.AddUsage(ctx, day(2026, 4, 1), []catalog.Usage{{DatasetID: "arbres", Downloads: 1}, {DatasetID: "bancs"}}))
	last, err := s.LastUsed(ctx)
	must(t, err)
	if len(last) != 1 || !last["arbres"].Equal(day(2026, 4, 1)) {
		t.Errorf("last used %v, want arbres on 2026-04-01 only", last)
	}

	wantAppend(t, s, sensors.Batch{Observations: []sensors.Observation{
		obs("m1", "flow", "2026-03-01T10:00:00Z", 1, ""), obs("m1", "flow", "2026-03-01T10:10:00Z", 2, ""),
		obs("m1", "flow", "2026-03-02T10:00:00Z", 3, "")}}, 3, false)
	raw, hourly, daily, err := s.SensorRows(ctx)
	must(t, err)
	if raw != 3 || hourly != 2 || daily != 2 {
		t.Errorf("sensor rows %d raw, %d hourly, %d daily; want 3, 2, 2", raw, hourly, daily)
	}
}

// sum adds the sizes of the tables whose name starts with prefix.
func sum(m map[string]int64, prefix string) int64 {
	var n int64
	for k, v := range m {
		if strings.HasPrefix(k, prefix) {
			n += v
		}
	}
	return n
}

// testUsageBetween: the usage of a period sums its UTC days only.
func testUsageBetween(t *testing.T, s Store) {
	must(t, s.AddUsage(ctx, day(2025, 12, 31), []catalog.Usage{{DatasetID: "a", Views: 100}}))
	must(t, s.AddUsage(ctx, day(2026, 1, 1), []catalog.Usage{{DatasetID: "a", Views: 1, Downloads: 2}, {DatasetID: "b", Downloads: 5}}))
	must(t, s.AddUsage(ctx, day(2026, 6, 30), []catalog.Usage{{DatasetID: "a", Views: 3}, {DatasetID: "c"}}))
	must(t, s.AddUsage(ctx, day(2027, 1, 1), []catalog.Usage{{DatasetID: "b", Downloads: 50}}))
	got, err := s.UsageBetween(ctx, day(2026, 1, 1), day(2027, 1, 1))
	must(t, err)
	if len(got) != 2 || got["a"] != (catalog.Usage{DatasetID: "a", Views: 4, Downloads: 2}) || got["b"] != (catalog.Usage{DatasetID: "b", Downloads: 5}) {
		t.Errorf("usage of 2026: %v", got)
	}
}
