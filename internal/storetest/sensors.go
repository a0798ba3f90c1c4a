package storetest

import (
	"encoding/json"
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/socle/socle/internal/catalog"
	"github.com/socle/socle/internal/errs"
	"github.com/socle/socle/internal/sensors"
)

func float(f float64) *float64 { return &f }

func testDevices(t *testing.T, s Store) {
	installed := ts("2023-11-02T08:30:00Z")
	meter := &sensors.Device{ID: "wm-0042", EUI: "70b3d5e75e000042", Name: "Compteur rue Haute", Type: "WaterMeter",
		Model: "acme-wm2", Domain: "water", Location: &catalog.GeoPoint{Lon: 4.8357, Lat: 45.764}, Commune: "69123",
		Org: "metropole", Operator: "Eau du Grand Lyon",
		Properties:    []sensors.Property{{Name: "volume", Unit: "MTQ", Min: float(0)}, {Name: "temperature", Unit: "CEL", Min: float(-30), Max: float(80)}},
		PeriodSeconds: 3600, InstalledAt: &installed, Status: sensors.StatusActive, CreatedAt: ts("2024-01-05T10:00:00.123456Z")}
	valve := &sensors.Device{ID: "valve-7", Name: "Vanne 7", Type: "Valve", Domain: "water", Properties: []sensors.Property{},
		Status: sensors.StatusMaintenance, CreatedAt: ts("2024-01-06T10:00:00Z")}
	air := &sensors.Device{ID: "aq-1", EUI: "a81758fffe000001", Name: "Air 1", Type: "AirQualityObserved", Domain: "air",
		Properties: []sensors.Property{{Name: "no2", Unit: "GQ"}}, Status: sensors.StatusActive, CreatedAt: ts("2024-01-07T10:00:00Z")}
	for _, d := range []*sensors.Device{meter, valve, air} {
		c := *d
		must(t, s.PutDevice(ctx, &c))
		wantDevice(t, s, d)
	}
	got, err := s.DeviceByEUI(ctx, "70b3d5e75e000042")
	must(t, err)
	if got.ID != "wm-0042" {
		t.Errorf("device by EUI: got %s, want wm-0042", got.ID)
	}
	for _, eui := range []string{"0000000000000000", ""} {
		_, err := s.DeviceByEUI(ctx, eui)
		wantKind(t, err, errs.NotFound)
	}
	_, err = s.Device(ctx, "unknown")
	wantKind(t, err, errs.NotFound)

	// An EUI belongs to one device: the refused put changes nothing.
	wantKind(t, s.PutDevice(ctx, &sensors.Device{ID: "valve-7", EUI: "a81758fffe000001", Domain: "water"}), errs.Conflict)
	wantKind(t, s.PutDevice(ctx, &sensors.Device{ID: "new", EUI: "a81758fffe000001", Domain: "air"}), errs.Conflict)
	wantDevice(t, s, valve)
	_, err = s.Device(ctx, "new")
	wantKind(t, err, errs.NotFound)

	// A replace keeps the creation time and may move the EUI and the domain;
	// the EUI it gives up is free for another device.
	moved := *air
	moved.EUI, moved.Domain, moved.Name, moved.CreatedAt = "", "other", "Air 1 (déplacé)", ts("2025-01-01T00:00:00Z")
	put := moved
	must(t, s.PutDevice(ctx, &put))
	if !sameValue(air.CreatedAt, put.CreatedAt) {
		t.Errorf("replace set CreatedAt %v, want the stored %v", put.CreatedAt, air.CreatedAt)
	}
	moved.CreatedAt = air.CreatedAt
	wantDevice(t, s, &moved)
	_, err = s.DeviceByEUI(ctx, "a81758fffe000001")
	wantKind(t, err, errs.NotFound)
	must(t, s.PutDevice(ctx, &sensors.Device{ID: "valve-7", EUI: "a81758fffe000001", Name: "Vanne 7", Type: "Valve",
		Domain: "water", Status: sensors.StatusActive}))

	wantDeviceIDs(t, s, "", "aq-1", "valve-7", "wm-0042")
	wantDeviceIDs(t, s, "water", "valve-7", "wm-0042")
	wantDeviceIDs(t, s, "other", "aq-1")
	wantDeviceIDs(t, s, "air")
}

// wantDevice fails unless the device stored with want's ID equals want.
func wantDevice(t *testing.T, s Store, want *sensors.Device) {
	t.Helper()
	got, err := s.Device(ctx, want.ID)
	if err != nil {
		t.Fatalf("device %s: %v", want.ID, err)
	}
	if !sameValue(want.CreatedAt, got.CreatedAt) {
		t.Errorf("device %s: created at %v, want %v (UTC)", want.ID, got.CreatedAt, want.CreatedAt)
	}
	g, _ := json.Marshal(got)
	w, _ := json.Marshal(want)
	if string(g) != string(w) {
		t.Errorf("device %s:\n got %s\nwant %s", want.ID, g, w)
	}
}

func wantDeviceIDs(t *testing.T, s Store, domain string, want ...string) {
	t.Helper()
	ds, err := s.Devices(ctx, domain)
	must(t, err)
	var got []string
	for _, d := range ds {
		got = append(got, d.ID)
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("devices of domain %q: got %v, want %v", domain, got, want)
	}
}

// obs is an observation at an RFC 3339 time.
func obs(device, property, at string, v float64, flag sensors.Flag) sensors.Observation {
	return sensors.Observation{Device: device, Property: property, Time: ts(at), Value: v, Flag: flag}
}

func testAppendBatch(t *testing.T, s Store) {
	first := sensors.Batch{Key: "k1", Observations: []sensors.Observation{
		obs("d1", "temp", "2024-03-01T10:00:00Z", 20.5, ""),
		obs("d1", "temp", "2024-03-01T10:10:00Z", 21, ""),
		obs("d1", "hum", "2024-03-01T10:00:00Z", 55, ""),
		obs("d2", "temp", "2024-03-01T10:00:00Z", 18, ""),
	}}
	wantAppend(t, s, first, 4, false)
	d1Latest := []sensors.Latest{
		{Device: "d1", Property: "hum", Time: ts("2024-03-01T10:00:00Z"), Value: 55},
		{Device: "d1", Property: "temp", Time: ts("2024-03-01T10:10:00Z"), Value: 21},
	}
	d2Latest := sensors.Latest{Device: "d2", Property: "temp", Time: ts("2024-03-01T10:00:00Z"), Value: 18}
	wantLatest(t, s, nil, append(d1Latest, d2Latest))

	// The same key again is a duplicate, whatever it carries: nothing is written.
	again := sensors.Batch{Key: "k1", Observations: []sensors.Observation{
		obs("d1", "temp", "2024-03-01T10:20:00Z", 30, ""), obs("d3", "temp", "2024-03-01T10:20:00Z", 1, "")}}
	wantAppend(t, s, again, 0, true)
	wantObservations(t, s, "d1", 100, first.Observations[2], first.Observations[0], first.Observations[1])
	wantObservations(t, s, "d3", 100)
	wantLatest(t, s, nil, append(d1Latest, d2Latest))

	// Without a key, a resend (same device, property and time) is ignored,
	// even with another value, and the rest of the batch is stored.
	resend := sensors.Batch{Observations: []sensors.Observation{
		obs("d1", "temp", "2024-03-01T10:10:00Z", 99, ""),
		obs("d1", "temp", "2024-03-01T10:20:00Z", 22, ""),
		obs("d1", "temp", "2024-03-01T10:20:00Z", 23, ""), // twice in one batch
	}}
	wantAppend(t, s, resend, 1, false)
	wantAppend(t, s, resend, 0, false)
	d1Latest[1] = sensors.Latest{Device: "d1", Property: "temp", Time: ts("2024-03-01T10:20:00Z"), Value: 22}
	wantLatest(t, s, []string{"d1"}, d1Latest)

	// Older data is accepted but does not move the latest state back;
	// flagged data is stored but never becomes the latest state.
	late := sensors.Batch{Key: "k2", Observations: []sensors.Observation{
		obs("d1", "temp", "2024-03-01T09:50:00Z", 19, ""),
		obs("d1", "temp", "2024-03-01T10:30:00Z", 999, sensors.FlagOutOfRange),
		obs("d2", "temp", "2024-03-01T10:40:00Z", 17, ""),
		obs("d2", "temp", "2024-03-01T10:20:00Z", 16, ""),
		obs("d2", "temp", "2024-03-01T10:50:00Z", 15, sensors.FlagFuture),
	}}
	wantAppend(t, s, late, 5, false)
	// A trusted resend of the flagged row's time is still a resend.
	wantAppend(t, s, sensors.Batch{Observations: []sensors.Observation{obs("d1", "temp", "2024-03-01T10:30:00Z", 24, "")}}, 0, false)
	wantLatest(t, s, []string{"d2", "d1"}, append(d1Latest,
		sensors.Latest{Device: "d2", Property: "temp", Time: ts("2024-03-01T10:40:00Z"), Value: 17}))
	wantObservations(t, s, "d1", 100,
		late.Observations[0], first.Observations[2], first.Observations[0], first.Observations[1],
		resend.Observations[1], late.Observations[1])

	// Times are kept to the millisecond: two times within one are the same.
	ms := sensors.Batch{Observations: []sensors.Observation{
		{Device: "d4", Property: "p", Time: ts("2024-03-01T10:00:00.001Z").Add(300 * time.Microsecond), Value: 1},
		{Device: "d4", Property: "p", Time: ts("2024-03-01T10:00:00.001Z").Add(700 * time.Microsecond), Value: 2},
	}}
	wantAppend(t, s, ms, 1, false)
	wantLatest(t, s, []string{"d4"}, []sensors.Latest{{Device: "d4", Property: "p", Time: ts("2024-03-01T10:00:00.001Z"), Value: 1}})

	// A value SQL cannot aggregate refuses the whole batch and keeps its key unused.
	bad := sensors.Batch{Key: "k3", Observations: []sensors.Observation{
		obs("d5", "p", "2024-03-01T10:00:00Z", 1, ""), obs("d5", "p", "2024-03-01T10:10:00Z", math.NaN(), "")}}
	_, _, err := s.AppendBatch(ctx, bad)
	wantKind(t, err, errs.Invalid)
	bad.Observations[1].Value = math.Inf(1)
	_, _, err = s.AppendBatch(ctx, bad)
	wantKind(t, err, errs.Invalid)
	wantObservations(t, s, "d5", 100)
	bad.Observations[1].Value = 2
	wantAppend(t, s, bad, 2, false)
	wantAppend(t, s, sensors.Batch{Key: "k4"}, 0, false) // an empty batch still uses its key
	wantAppend(t, s, sensors.Batch{Key: "k4", Observations: bad.Observations}, 0, true)

	wantLatest(t, s, []string{}, nil)
	wantLatest(t, s, []string{"unknown"}, nil)
}

func wantAppend(t *testing.T, s Store, b sensors.Batch, inserted int, dup bool) {
	t.Helper()
	n, d, err := s.AppendBatch(ctx, b)
	must(t, err)
	if n != inserted || d != dup {
		t.Errorf("append batch %q: inserted %d, dup %v; want %d, %v", b.Key, n, d, inserted, dup)
	}
}

func wantLatest(t *testing.T, s Store, ids []string, want []sensors.Latest) {
	t.Helper()
	got, err := s.Latest(ctx, ids)
	must(t, err)
	if len(got) != len(want) {
		t.Fatalf("latest of %v: got %d values, want %d:\n got %+v\nwant %+v", ids, len(got), len(want), got, want)
	}
	for i, w := range want {
		g := got[i]
		if !sameValue(w.Time, g.Time) {
			t.Errorf("latest of %v, %d: time %v, want %v (UTC)", ids, i, g.Time, w.Time)
		}
		g.Time = w.Time
		if g != w {
			t.Errorf("latest of %v, %d:\n got %+v\nwant %+v", ids, i, g, w)
		}
	}
}

// wantObservations fails unless the device's observations in 2020–2030,
// at most limit, are want.
func wantObservations(t *testing.T, s Store, device string, limit int, want ...sensors.Observation) {
	t.Helper()
	wantObservationsIn(t, s, device, day(2020, 1, 1), day(2030, 1, 1), limit, want...)
}

func wantObservationsIn(t *testing.T, s Store, device string, from, to time.Time, limit int, want ...sensors.Observation) {
	t.Helper()
	got, err := s.Observations(ctx, device, from, to, limit)
	must(t, err)
	if len(got) != len(want) {
		t.Fatalf("observations of %s, limit %d: got %d, want %d:\n got %+v\nwant %+v", device, limit, len(got), len(want), got, want)
	}
	for i, w := range want {
		g := got[i]
		if !sameValue(w.Time, g.Time) {
			t.Errorf("observation %d of %s: time %v, want %v (UTC)", i, device, g.Time, w.Time)
		}
		g.Time = w.Time
		if g != w {
			t.Errorf("observation %d of %s:\n got %+v\nwant %+v", i, device, g, w)
		}
	}
}

func testLatestOrder(t *testing.T, s Store) {
	// Byte order, whatever the database's collation: upper case first,
	// '-' before digits, before '_'.
	b := sensors.Batch{}
	for _, id := range []string{"a1", "a_1", "A2", "a-1"} {
		for _, p := range []string{"temp", "Temp"} {
			b.Observations = append(b.Observations, obs(id, p, "2024-03-01T10:00:00Z", 1, ""))
		}
	}
	wantAppend(t, s, b, 8, false)
	got, err := s.Latest(ctx, nil)
	must(t, err)
	var order []string
	for _, l := range got {
		order = append(order, l.Device+"/"+l.Property)
	}
	want := "[A2/Temp A2/temp a-1/Temp a-1/temp a1/Temp a1/temp a_1/Temp a_1/temp]"
	if fmt.Sprint(order) != want {
		t.Errorf("latest order:\n got %v\nwant %s", order, want)
	}
}

func testAggregate(t *testing.T, s Store) {
	wantAppend(t, s, sensors.Batch{Observations: []sensors.Observation{
		obs("m", "flow", "2024-02-29T23:59:59.999Z", 500, ""), // before From
		obs("m", "flow", "2024-03-01T00:00:00Z", 1.5, ""),
		obs("m", "flow", "2024-03-01T06:00:00Z", 2.5, ""),
		obs("m", "flow", "2024-03-01T18:00:00Z", 0.25, ""),
		obs("m", "flow", "2024-03-01T12:00:00Z", 4, ""), // out of order
		obs("m", "flow", "2024-03-02T00:00:00Z", -1, ""),
		obs("m", "flow", "2024-03-02T06:00:00Z", 1000, sensors.FlagOutOfRange),
		obs("m", "flow", "2024-03-02T12:00:00Z", 3, ""),
		obs("m", "flow", "2024-03-03T09:00:00Z", 50, sensors.FlagFuture), // a day of flagged values only
		obs("m", "flow", "2024-03-04T23:59:59.999Z", 7.75, ""),
		obs("m", "flow", "2024-03-05T00:00:00Z", 100, ""), // at To, excluded
		obs("m", "temp", "2024-03-01T12:00:00Z", 9999, ""),
		obs("n", "flow", "2024-03-01T12:00:00Z", 8888, ""),
	}}, 13, false)
	q := sensors.AggregateQuery{Device: "m", Property: "flow", From: day(2024, 3, 1), To: day(2024, 3, 5), Width: 24 * time.Hour}
	wantBuckets(t, s, q, []sensors.Bucket{
		{Start: day(2024, 3, 1), Count: 4, Min: 0.25, Max: 4, Avg: 2.0625, Sum: 8.25},
		{Start: day(2024, 3, 2), Count: 2, Min: -1, Max: 3, Avg: 1, Sum: 2},
		{Start: day(2024, 3, 4), Count: 1, Min: 7.75, Max: 7.75, Avg: 7.75, Sum: 7.75},
	})
	// Buckets are aligned on the epoch, not on From.
	q.From, q.Width = ts("2024-03-01T06:00:00Z"), 12*time.Hour
	wantBuckets(t, s, q, []sensors.Bucket{
		{Start: day(2024, 3, 1), Count: 1, Min: 2.5, Max: 2.5, Avg: 2.5, Sum: 2.5},
		{Start: ts("2024-03-01T12:00:00Z"), Count: 2, Min: 0.25, Max: 4, Avg: 2.125, Sum: 4.25},
		{Start: day(2024, 3, 2), Count: 1, Min: -1, Max: -1, Avg: -1, Sum: -1},
		{Start: ts("2024-03-02T12:00:00Z"), Count: 1, Min: 3, Max: 3, Avg: 3, Sum: 3},
		{Start: ts("2024-03-04T12:00:00Z"), Count: 1, Min: 7.75, Max: 7.75, Avg: 7.75, Sum: 7.75},
	})
	// 7 hours do not divide a day: 2024-03-01 falls in the bucket that
	// starts at 21:00 the day before (1709251200 s = 67827 × 25200 + 10800).
	q.From, q.To, q.Width = day(2024, 3, 1), ts("2024-03-02T06:00:00Z"), 7*time.Hour
	wantBuckets(t, s, q, []sensors.Bucket{
		{Start: ts("2024-02-29T21:00:00Z"), Count: 1, Min: 1.5, Max: 1.5, Avg: 1.5, Sum: 1.5},
		{Start: ts("2024-03-01T04:00:00Z"), Count: 1, Min: 2.5, Max: 2.5, Avg: 2.5, Sum: 2.5},
		{Start: ts("2024-03-01T11:00:00Z"), Count: 1, Min: 4, Max: 4, Avg: 4, Sum: 4},
		{Start: ts("2024-03-01T18:00:00Z"), Count: 2, Min: -1, Max: 0.25, Avg: -0.375, Sum: -0.75},
	})
	q.From, q.To = day(2024, 3, 3), day(2024, 3, 4)
	wantBuckets(t, s, q, nil)

	for _, w := range []time.Duration{0, -time.Hour, 1500 * time.Millisecond, time.Millisecond} {
		q.Width = w
		_, err := s.Aggregate(ctx, q)
		wantKind(t, err, errs.Invalid)
	}
}

func testAggregateBefore1970(t *testing.T, s Store) {
	wantAppend(t, s, sensors.Batch{Observations: []sensors.Observation{
		obs("old", "p", "1969-12-31T00:00:00Z", 1, ""),
		obs("old", "p", "1969-12-31T23:00:00Z", 2, ""),
		obs("old", "p", "1970-01-01T01:00:00Z", 4, ""),
	}}, 3, false)
	q := sensors.AggregateQuery{Device: "old", Property: "p", From: day(1969, 12, 1), To: day(1970, 2, 1), Width: 24 * time.Hour}
	wantBuckets(t, s, q, []sensors.Bucket{
		{Start: day(1969, 12, 31), Count: 2, Min: 1, Max: 2, Avg: 1.5, Sum: 3},
		{Start: day(1970, 1, 1), Count: 1, Min: 4, Max: 4, Avg: 4, Sum: 4},
	})
}

func wantBuckets(t *testing.T, s Store, q sensors.AggregateQuery, want []sensors.Bucket) {
	t.Helper()
	got, err := s.Aggregate(ctx, q)
	must(t, err)
	if len(got) != len(want) {
		t.Fatalf("aggregate by %s from %v: got %d buckets, want %d:\n got %+v\nwant %+v", q.Width, q.From, len(got), len(want), got, want)
	}
	for i, w := range want {
		g := got[i]
		if !sameValue(w.Start, g.Start) {
			t.Errorf("aggregate by %s, bucket %d: start %v, want %v (UTC)", q.Width, i, g.Start, w.Start)
		}
		g.Start = w.Start
		if g != w {
			t.Errorf("aggregate by %s, bucket %d:\n got %+v\nwant %+v", q.Width, i, g, w)
		}
	}
}

func testObservations(t *testing.T, s Store) {
	b := sensors.Batch{Observations: []sensors.Observation{
		obs("d", "temp", "2024-03-01T10:10:00Z", 2, ""),
		obs("d", "Temp", "2024-03-01T10:00:00Z", 3, ""),
		obs("d", "temp", "2024-03-01T10:00:00Z", 1, sensors.FlagOutOfRange),
		obs("d", "battery", "2024-03-01T10:05:00.5Z", 3.6, ""),
		obs("d", "temp", "2024-03-01T10:20:00Z", 4, ""),
		obs("d", "temp", "2024-03-01T09:59:59.999Z", 5, ""),
		obs("e", "temp", "2024-03-01T10:05:00Z", 6, ""),
	}}
	wantAppend(t, s, b, 7, false)
	o := b.Observations
	all := []sensors.Observation{o[5], o[1], o[2], o[3], o[0], o[4]}
	wantObservations(t, s, "d", -1, all...)
	wantObservations(t, s, "d", 100, all...)
	wantObservations(t, s, "d", 3, all[:3]...)
	wantObservations(t, s, "d", 0)
	// Half-open: from included, to excluded.
	wantObservationsIn(t, s, "d", ts("2024-03-01T10:00:00Z"), ts("2024-03-01T10:20:00Z"), 100, all[1:5]...)
	wantObservationsIn(t, s, "d", ts("2024-03-01T10:05:00.5Z"), ts("2024-03-01T10:05:00.501Z"), 100, o[3])
	wantObservationsIn(t, s, "d", ts("2024-03-01T10:05:00.5001Z"), ts("2024-03-01T10:10:00Z"), 100)
	wantObservations(t, s, "unknown", 100)
}

func testQuarantine(t *testing.T, s Store) {
	items := []*sensors.Quarantined{
		{Source: "mqtt:chirpstack", DeviceRef: "70b3d5e75e0000ff", Reason: "unknown device", Payload: `{"devEui":"70b3d5e75e0000ff"}`,
			Received: ts("2024-03-01T10:00:00.5Z")},
		{Source: "http", DeviceRef: "ghost", Reason: "undecodable payload", Payload: "\xff\x00\x01binaire",
			Received: ts("2024-03-01T10:00:00.000001Z")},
		{Source: "mqtt:tts", DeviceRef: "x", Reason: "unknown device", Payload: "", Received: ts("2024-03-01T10:00:00.5Z")},
	}
	var lastID int64
	for _, q := range items {
		must(t, s.AddQuarantine(ctx, q))
		if q.ID <= lastID {
			t.Fatalf("AddQuarantine set ID %d after %d", q.ID, lastID)
		}
		lastID = q.ID
	}
	newest := []*sensors.Quarantined{items[2], items[0], items[1]} // equal times: latest ID first
	wantQuarantine(t, s, 10, newest)
	wantQuarantine(t, s, 2, newest[:2])
	wantQuarantine(t, s, -1, newest)

	now := &sensors.Quarantined{Source: "http", DeviceRef: "y", Reason: "unknown device"}
	must(t, s.AddQuarantine(ctx, now))
	if time.Since(now.Received) > time.Minute || now.Received.Location() != time.UTC {
		t.Errorf("a zero Received became %v, want now (UTC)", now.Received)
	}
	got, err := s.QuarantineList(ctx, 1)
	must(t, err)
	if len(got) != 1 || got[0].ID != now.ID {
		t.Errorf("newest quarantined: got %+v, want ID %d", got, now.ID)
	}
}

func wantQuarantine(t *testing.T, s Store, limit int, want []*sensors.Quarantined) {
	t.Helper()
	got, err := s.QuarantineList(ctx, limit)
	must(t, err)
	if len(got) != len(want) {
		t.Fatalf("quarantine, limit %d: got %d items, want %d", limit, len(got), len(want))
	}
	for i, w := range want {
		g := *got[i]
		if !sameValue(w.Received, g.Received) {
			t.Errorf("quarantined %d: received %v, want %v (UTC)", i, g.Received, w.Received)
		}
		g.Received = w.Received
		if g != *w {
			t.Errorf("quarantined %d:\n got %+v\nwant %+v", i, g, *w)
		}
	}
}
