package storetest

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/socle/socle/internal/sensors"
)

// runTimeSeries runs its capability's conformance tests: roll-ups give the
// aggregates raw data gives, before and after a purge.
func runTimeSeries(t *testing.T, fresh func(t *testing.T) Store) {
	for _, tc := range []struct {
		name string
		fn   func(t *testing.T, s Store)
	}{
		{"aggregates read through the roll-ups equal those computed from every raw value, late data and resends included", testRollupsExact},
		{"a purge deletes the raw data of the expired domains only and leaves aggregates unchanged", testPurge},
		{"rebuilding roll-ups from raw data changes nothing and keeps the purged hours", testRebuildRollups},
		{"the latest state of the whole fleet, read again and again, follows new series, newer values and not late ones", testLatestFleet},
	} {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, fresh(t)) })
	}
}

// tsStart is the start of the time series tests' data.
var tsStart = day(2024, time.January, 30)

// seriesData is 3 days of 20-minute values of two series of dev in three
// batches: in time order, late data (out of order, the first day's odd
// values), and a resend of a few rows with other values (ignored). Values
// are multiples of 1/4 (exact sums in any order); one in 13 is flagged.
func seriesData(dev string) []sensors.Batch {
	var inOrder, late, resend []sensors.Observation
	for i := range 3 * 72 {
		at := tsStart.Add(time.Duration(i) * 20 * time.Minute)
		flag := sensors.FlagNone
		if i%13 == 12 {
			flag = sensors.FlagOutOfRange
		}
		o := sensors.Observation{Device: dev, Property: "flow", Time: at, Value: float64(i%37)/4 - 2, Flag: flag}
		p := sensors.Observation{Device: dev, Property: "level", Time: at, Value: float64(i % 5)}
		if i < 72 && i%2 == 1 {
			late = append(late, o, p)
		} else {
			inOrder = append(inOrder, o, p)
		}
		if i%50 == 0 {
			o.Value += 1000
			resend = append(resend, o)
		}
	}
	return []sensors.Batch{{Observations: inOrder}, {Observations: late}, {Observations: resend}}
}

// rawBuckets is the reference: the buckets of width w over [from, to) of
// the first stored value of each time of a series, computed in Go.
func rawBuckets(batches []sensors.Batch, dev, prop string, from, to time.Time, w time.Duration) []sensors.Bucket {
	seen := map[time.Time]bool{}
	var parts []sensors.Bucket
	for _, b := range batches {
		for _, o := range b.Observations {
			if o.Device != dev || o.Property != prop || seen[o.Time] {
				continue
			}
			seen[o.Time] = true
			if o.Flag != sensors.FlagNone || o.Time.Before(from) || !o.Time.Before(to) {
				continue
			}
			start := time.UnixMilli(sensors.FloorDiv(o.Time.UnixMilli(), w.Milliseconds()) * w.Milliseconds()).UTC()
			parts = append(parts, sensors.Bucket{Start: start, Count: 1, Min: o.Value, Max: o.Value, Sum: o.Value})
		}
	}
	return sensors.MergeBuckets(parts)
}

// aggregateCases are queries whose widths and bounds take every path:
// raw only (10 min, 7 h's partial ends), hourly, daily, and ranges cut
// inside an hour and inside a day.
func aggregateCases() []sensors.AggregateQuery {
	end := tsStart.AddDate(0, 0, 3)
	var out []sensors.AggregateQuery
	for _, w := range []time.Duration{10 * time.Minute, time.Hour, 2 * time.Hour, 7 * time.Hour, sensors.Day, 2 * sensors.Day} {
		for _, r := range [][2]time.Time{
			{tsStart, end},
			{tsStart.Add(30 * time.Minute), end.Add(-50 * time.Minute)},
			{tsStart.Add(5*time.Hour + 1), tsStart.Add(53*time.Hour + 20*time.Minute)},
			{tsStart.Add(-sensors.Day), end.Add(sensors.Day)},
		} {
			out = append(out, sensors.AggregateQuery{Device: "m", Property: "flow", From: r[0], To: r[1], Width: w})
		}
	}
	return out
}

// wantSameAggregates checks every aggregate case against the reference.
func wantSameAggregates(t *testing.T, s Store, batches []sensors.Batch) {
	t.Helper()
	for _, q := range aggregateCases() {
		t.Run(fmt.Sprintf("by %s from %s to %s", q.Width, q.From.Format(time.RFC3339), q.To.Format(time.RFC3339)), func(t *testing.T) {
			wantBuckets(t, s, q, rawBuckets(batches, q.Device, q.Property, q.From, q.To, q.Width))
		})
	}
}

func appendAll(t *testing.T, s Store, batches []sensors.Batch) {
	t.Helper()
	for _, b := range batches {
		if _, _, err := s.AppendBatch(ctx, b); err != nil {
			t.Fatal(err)
		}
	}
}

func testRollupsExact(t *testing.T, s Store) {
	batches := seriesData("m")
	appendAll(t, s, batches)
	appendAll(t, s, seriesData("other"))
	wantSameAggregates(t, s, batches)
}

func testPurge(t *testing.T, s Store) {
	for _, d := range []*sensors.Device{
		{ID: "m", Name: "Compteur", Type: "WaterMeter", Domain: "water", Status: sensors.StatusActive},
		{ID: "a", Name: "Air", Type: "AirQualityObserved", Domain: "air", Status: sensors.StatusActive},
	} {
		must(t, s.PutDevice(ctx, d))
	}
	batches := seriesData("m")
	for _, dev := range []string{"m", "a", "unregistered"} {
		appendAll(t, s, seriesData(dev))
	}
	// Older data of the water meter, in earlier months (PostgreSQL drops
	// their partitions: no other device has data there).
	old := []sensors.Batch{{Observations: []sensors.Observation{
		{Device: "m", Property: "flow", Time: day(2023, time.November, 5), Value: 1.5},
		{Device: "m", Property: "flow", Time: day(2023, time.December, 24).Add(time.Hour), Value: 2.5},
	}}}
	appendAll(t, s, old)
	batches = append(old, batches...)

	cutoff := tsStart.AddDate(0, 0, 2) // the first two days of the series go
	rep, err := s.PurgeRaw(ctx, map[string]time.Time{"water": cutoff})
	must(t, err)
	if want := int64(2 + 2*2*72); rep.Rows != want {
		t.Errorf("purge: %d rows, want %d", rep.Rows, want)
	}
	got, err := s.Observations(ctx, "m", time.Time{}, cutoff.AddDate(1, 0, 0), -1)
	must(t, err)
	if len(got) != 2*72 || got[0].Time.Before(cutoff) {
		t.Errorf("water meter after the purge: %d raw rows from %v, want %d from %v", len(got), got[0].Time, 2*72, cutoff)
	}
	for _, dev := range []string{"a", "unregistered"} {
		got, err := s.Observations(ctx, dev, time.Time{}, cutoff.AddDate(1, 0, 0), -1)
		must(t, err)
		if len(got) != 2*3*72 {
			t.Errorf("%s after the purge: %d raw rows, want all %d", dev, len(got), 2*3*72)
		}
	}
	// Whole hours and days are unchanged; partial hours before the cutoff
	// have no raw data left, so only the aligned cases are compared.
	for _, w := range []time.Duration{time.Hour, 3 * time.Hour, sensors.Day} {
		q := sensors.AggregateQuery{Device: "m", Property: "flow", From: day(2023, time.November, 1), To: tsStart.AddDate(0, 0, 3), Width: w}
		wantBuckets(t, s, q, rawBuckets(batches, "m", "flow", q.From, q.To, w))
	}
	// Purging again finds nothing.
	rep, err = s.PurgeRaw(ctx, map[string]time.Time{"water": cutoff})
	must(t, err)
	if rep.Rows != 0 || len(rep.Partitions) != 0 {
		t.Errorf("second purge: %+v, want nothing", rep)
	}
}

func testRebuildRollups(t *testing.T, s Store) {
	must(t, s.PutDevice(ctx, &sensors.Device{ID: "m", Name: "Compteur", Type: "WaterMeter", Domain: "water", Status: sensors.StatusActive}))
	batches := seriesData("m")
	appendAll(t, s, batches)
	cutoff := tsStart.AddDate(0, 0, 1)
	_, err := s.PurgeRaw(ctx, map[string]time.Time{"water": cutoff})
	must(t, err)
	hours, err := s.RebuildRollups(ctx, tsStart.Add(-time.Hour), tsStart.AddDate(0, 0, 4))
	must(t, err)
	if hours != 2*48 { // two series, the 48 hours still raw (every hour has trusted values)
		t.Errorf("rebuild: %d hours, want %d", hours, 2*48)
	}
	for _, w := range []time.Duration{time.Hour, sensors.Day} {
		q := sensors.AggregateQuery{Device: "m", Property: "flow", From: tsStart, To: tsStart.AddDate(0, 0, 3), Width: w}
		want := rawBuckets(batches, "m", "flow", q.From, q.To, w)
		wantBuckets(t, s, q, want)
		if w == sensors.Day && (len(want) != 3 || !want[0].Start.Equal(tsStart)) {
			t.Errorf("the reference lacks the purged day: %+v", want)
		}
	}
}

// testLatestFleet reads the latest state of 600 devices (more than a list
// any engine reads by seeks) after each of several batches, all of them
// and a named half, against the state computed in Go.
func testLatestFleet(t *testing.T, s Store) {
	want := map[[2]string]sensors.Latest{}
	var ids, half []string
	for i := range 600 {
		ids = append(ids, fmt.Sprintf("fleet-%03d", i))
	}
	half = ids[:300]
	step := func(name string, obs []sensors.Observation) {
		t.Helper()
		if _, _, err := s.AppendBatch(ctx, sensors.Batch{Observations: obs}); err != nil {
			t.Fatal(err)
		}
		for _, o := range obs {
			k := [2]string{o.Device, o.Property}
			if w, ok := want[k]; o.Flag == sensors.FlagNone && (!ok || o.Time.After(w.Time)) {
				want[k] = sensors.Latest{Device: o.Device, Property: o.Property, Time: o.Time, Value: o.Value}
			}
		}
		for _, list := range [][]string{nil, half} {
			got, err := s.Latest(ctx, list)
			must(t, err)
			var exp []sensors.Latest
			keep := map[string]bool{}
			for _, id := range list {
				keep[id] = true
			}
			for _, w := range want {
				if list == nil || keep[w.Device] {
					exp = append(exp, w)
				}
			}
			slices.SortFunc(exp, func(a, b sensors.Latest) int {
				return cmp.Or(strings.Compare(a.Device, b.Device), strings.Compare(a.Property, b.Property))
			})
			if len(got) != len(exp) {
				t.Fatalf("%s: %d values, want %d", name, len(got), len(exp))
			}
			for i := range exp {
				if got[i].Device != exp[i].Device || got[i].Property != exp[i].Property || !got[i].Time.Equal(exp[i].Time) || got[i].Value != exp[i].Value {
					t.Fatalf("%s, value %d: got %+v, want %+v", name, i, got[i], exp[i])
				}
			}
		}
	}
	at := tsStart
	fleet := func(prop string, dt time.Duration, v func(i int) float64, flag sensors.Flag) []sensors.Observation {
		var obs []sensors.Observation
		for i, id := range ids {
			obs = append(obs, sensors.Observation{Device: id, Property: prop, Time: at.Add(dt), Value: v(i), Flag: flag})
		}
		return obs
	}
	step("first values", fleet("fill", 0, func(i int) float64 { return float64(i) / 3 }, ""))
	step("newer values", fleet("fill", time.Hour, func(i int) float64 { return float64(i) + 0.1 }, ""))
	step("late values change nothing", fleet("fill", 30*time.Minute, func(int) float64 { return -1 }, ""))
	step("flagged newer values change nothing", fleet("fill", 2*time.Hour, func(int) float64 { return 1e9 }, sensors.FlagOutOfRange))
	step("a new property", fleet("battery", time.Hour, func(i int) float64 { return 3.6 - float64(i)/1000 }, ""))
	step("one device moves", []sensors.Observation{{Device: ids[7], Property: "fill", Time: at.Add(3 * time.Hour), Value: 77}})
	step("a new device", []sensors.Observation{{Device: "fleet-new", Property: "fill", Time: at, Value: 1}})
	step("no change", []sensors.Observation{{Device: ids[7], Property: "fill", Time: at, Value: 5}})
}
