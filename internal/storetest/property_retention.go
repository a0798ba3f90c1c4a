package storetest

import (
	"testing"
	"time"

	"github.com/socle/socle/internal/errs"
	"github.com/socle/socle/internal/sensors"
)

// runPropertyRetention runs the conformance tests of the retention rules
// per device property and of PurgeProperty.
func runPropertyRetention(t *testing.T, fresh func(t *testing.T) Store) {
	for _, tc := range []struct {
		name string
		fn   func(t *testing.T, s Store)
	}{
		{"property retention rules are put, replaced with their creation time kept, listed by ID and deleted", testPropertyRules},
		{"a property purge deletes that property's older raw rows of the named devices only, roll-ups kept", testPurgePropertyRaw},
		{"a property purge with roll-ups deletes the older roll-ups of that property too", testPurgePropertyAll},
	} {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, fresh(t)) })
	}
}

func testPropertyRules(t *testing.T, s Store) {
	t0 := ts("2024-05-01T10:00:00Z")
	r := &sensors.PropertyRule{ID: "debit", Domain: "water", Property: "flow", Days: 90, Action: sensors.PurgeRawOnly, Created: t0, Updated: t0}
	must(t, s.PutPropertyRule(ctx, r))
	must(t, s.PutPropertyRule(ctx, &sensors.PropertyRule{ID: "air", Domain: "air", Property: "pm10", Processing: "capteurs", Action: sensors.PurgeAll, Updated: t0}))
	later := t0.Add(time.Hour)
	r2 := &sensors.PropertyRule{ID: "debit", Domain: "water", DeviceType: "WaterMeter", Property: "flow", Days: 30, Action: sensors.PurgeAll, LegalHold: true, Updated: later}
	must(t, s.PutPropertyRule(ctx, r2))
	got, err := s.PropertyRule(ctx, "debit")
	must(t, err)
	if got.Days != 30 || !got.LegalHold || got.DeviceType != "WaterMeter" || got.Action != sensors.PurgeAll || !got.Created.Equal(t0) || !got.Updated.Equal(later) {
		t.Errorf("replaced rule %+v", got)
	}
	list, err := s.PropertyRules(ctx)
	must(t, err)
	if len(list) != 2 || list[0].ID != "air" || list[1].ID != "debit" || list[0].Processing != "capteurs" {
		t.Errorf("rules %+v", list)
	}
	// The rules share no list with the RGPD register.
	if ps, err := s.Processings(ctx); err != nil || len(ps) != 0 {
		t.Errorf("processings %v %v", ps, err)
	}
	must(t, s.DeletePropertyRule(ctx, "air"))
	wantKind(t, s.DeletePropertyRule(ctx, "air"), errs.NotFound)
	_, err = s.PropertyRule(ctx, "air")
	wantKind(t, err, errs.NotFound)
}

// seedProperties stores 3 days of hourly flow and level of devices m1, m2
// and m3 from tsStart.
func seedProperties(t *testing.T, s Store) {
	t.Helper()
	var obs []sensors.Observation
	for _, dev := range []string{"m1", "m2", "m3"} {
		must(t, s.PutDevice(ctx, &sensors.Device{ID: dev, Name: dev, Type: "WaterMeter", Domain: "water", Status: sensors.StatusActive}))
		for i := range 72 {
			at := tsStart.Add(time.Duration(i) * time.Hour)
			obs = append(obs, sensors.Observation{Device: dev, Property: "flow", Time: at, Value: float64(i)},
				sensors.Observation{Device: dev, Property: "level", Time: at, Value: 1})
		}
	}
	appendAll(t, s, []sensors.Batch{{Observations: obs}})
}

func rawCount(t *testing.T, s Store, dev, prop string) int {
	t.Helper()
	got, err := s.Observations(ctx, dev, time.Time{}, tsStart.AddDate(1, 0, 0), -1)
	must(t, err)
	n := 0
	for _, o := range got {
		if o.Property == prop {
			n++
		}
	}
	return n
}

func dailyCount(t *testing.T, s Store, dev, prop string) int64 {
	t.Helper()
	bs, err := s.Aggregate(ctx, sensors.AggregateQuery{Device: dev, Property: prop, From: tsStart, To: tsStart.AddDate(0, 0, 3), Width: sensors.Day})
	must(t, err)
	var n int64
	for _, b := range bs {
		n += b.Count
	}
	return n
}

func testPurgePropertyRaw(t *testing.T, s Store) {
	seedProperties(t, s)
	cutoff := tsStart.AddDate(0, 0, 2)
	rep, err := s.PurgeProperty(ctx, []string{"m1", "m2"}, "flow", cutoff, false)
	must(t, err)
	if rep.Raw != 2*48 || rep.Rollups != 0 {
		t.Errorf("purge %+v, want %d raw rows", rep, 2*48)
	}
	for _, c := range []struct {
		dev, prop string
		want      int
	}{{"m1", "flow", 24}, {"m2", "flow", 24}, {"m1", "level", 72}, {"m3", "flow", 72}} {
		if got := rawCount(t, s, c.dev, c.prop); got != c.want {
			t.Errorf("%s %s: %d raw rows, want %d", c.dev, c.prop, got, c.want)
		}
	}
	if n := dailyCount(t, s, "m1", "flow"); n != 72 {
		t.Errorf("daily roll-ups count %d values after a raw purge, want 72 (kept)", n)
	}
	rep, err = s.PurgeProperty(ctx, []string{"m1", "m2"}, "flow", cutoff, false)
	must(t, err)
	if rep.Raw != 0 {
		t.Errorf("second purge %+v", rep)
	}
}

func testPurgePropertyAll(t *testing.T, s Store) {
	seedProperties(t, s)
	cutoff := tsStart.AddDate(0, 0, 2)
	rep, err := s.PurgeProperty(ctx, []string{"m1"}, "flow", cutoff, true)
	must(t, err)
	if rep.Raw != 48 || rep.Rollups != 48+2 { // 48 hours and 2 days
		t.Errorf("purge %+v, want 48 raw rows and 50 roll-up rows", rep)
	}
	if n := dailyCount(t, s, "m1", "flow"); n != 24 {
		t.Errorf("m1 flow's roll-ups count %d values, want the 24 kept", n)
	}
	for _, c := range []struct{ dev, prop string }{{"m1", "level"}, {"m2", "flow"}} {
		if n := dailyCount(t, s, c.dev, c.prop); n != 72 {
			t.Errorf("%s %s roll-ups count %d values, want 72", c.dev, c.prop, n)
		}
	}
}
