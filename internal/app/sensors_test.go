package app_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/socle/socle/internal/app"
	"github.com/socle/socle/internal/auth"
	"github.com/socle/socle/internal/sensors"
)

func ptr(f float64) *float64 { return &f }

// meterSite registers one water meter with a physical range, and returns
// the app at a fixed clock.
func meterSite(t *testing.T) (*app.App, time.Time) {
	t.Helper()
	a := newApp(t)
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	a.Now = func() time.Time { return now }
	d := &sensors.Device{ID: "meter-1", EUI: "70B3D57ED0000001", Name: "Compteur", Type: "WaterMeter", Domain: "water",
		Properties: []sensors.Property{{Name: "flow", Unit: "m3/h", Min: ptr(0), Max: ptr(500)}, {Name: "battery", Unit: "V"}}}
	if err := a.PutDevice(context.Background(), app.System, d); err != nil {
		t.Fatal(err)
	}
	if d.EUI != "70b3d57ed0000001" {
		t.Fatalf("EUI not normalised: %q", d.EUI)
	}
	return a, now
}

func TestIngestUplink(t *testing.T) {
	ctx := context.Background()
	a, now := meterSite(t)
	up := sensors.Uplink{Source: "chirpstack", DevEUI: "70b3d57ed0000001", Key: "dedup-1", Time: now.Add(-time.Minute),
		Object: map[string]any{"flow": 12.5, "battery": 3.6, "label": "x", "temperature": 9.0}}
	if err := a.IngestUplink(ctx, up); err != nil {
		t.Fatal(err)
	}
	if err := a.IngestUplink(ctx, up); err != nil { // the same uplink through a second gateway
		t.Fatal(err)
	}
	obs, err := a.Store.Observations(ctx, "meter-1", now.Add(-time.Hour), now, 100)
	if err != nil || len(obs) != 2 {
		t.Fatalf("observations %+v, %v; want flow and battery once", obs, err)
	}
	for _, tc := range []struct {
		name string
		up   sensors.Uplink
		flag sensors.Flag
	}{
		{"a value above the physical range is flagged", sensors.Uplink{DevEUI: "70b3d57ed0000001", Time: now.Add(-30 * time.Second), Object: map[string]any{"flow": 9000.0}}, sensors.FlagOutOfRange},
		{"a time an hour ahead is flagged", sensors.Uplink{DevEUI: "70b3d57ed0000001", Time: now.Add(time.Hour), Object: map[string]any{"flow": 1.0}}, sensors.FlagFuture},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := a.IngestUplink(ctx, tc.up); err != nil {
				t.Fatal(err)
			}
			got, _ := a.Store.Observations(ctx, "meter-1", tc.up.Time, tc.up.Time.Add(time.Millisecond), 10)
			if len(got) != 1 || got[0].Flag != tc.flag {
				t.Errorf("got %+v, want flag %q", got, tc.flag)
			}
		})
	}
	latest, err := a.Store.Latest(ctx, []string{"meter-1"})
	if err != nil || len(latest) != 2 || latest[1].Property != "flow" || latest[1].Value != 12.5 {
		t.Errorf("latest %+v, %v: flagged values must not become the latest state", latest, err)
	}
}

func TestUnattributableUplinksAreQuarantined(t *testing.T) {
	ctx := context.Background()
	a, _ := meterSite(t)
	for _, up := range []sensors.Uplink{
		{Source: "chirpstack", DevEUI: "0000000000000bad", Object: map[string]any{"flow": 1.0}, Raw: []byte(`{"unknown":true}`)},
		{Source: "tts", DevEUI: "70b3d57ed0000001", Payload: []byte{1, 2}, Raw: []byte(`{"raw":"AQI="}`)},
	} {
		if err := a.IngestUplink(ctx, up); err != nil {
			t.Fatal(err)
		}
	}
	q, err := a.Store.QuarantineList(ctx, 10)
	if err != nil || len(q) != 2 {
		t.Fatalf("quarantine %+v, %v", q, err)
	}
	if q[1].DeviceRef != "0000000000000bad" || q[1].Reason != "unknown device" || q[1].Payload != `{"unknown":true}` {
		t.Errorf("unknown device kept as %+v", q[1])
	}
}

func TestIngestReadings(t *testing.T) {
	ctx := context.Background()
	a, now := meterSite(t)
	producer := auth.Principal{User: &auth.User{Login: "gw", Role: auth.RoleProducer}}
	res, err := a.IngestReadings(ctx, producer, []app.Reading{
		{Device: "meter-1", Property: "flow", Time: now.Add(-2 * time.Minute), Value: ptr(3)},
		{Device: "meter-1", Property: "colour", Time: now, Value: ptr(1)},
		{Device: "nobody", Property: "flow", Time: now, Value: ptr(1)},
	})
	if err != nil {
		t.Fatal(err)
	}
	if res != (app.IngestResult{Inserted: 1, Ignored: 1, Quarantined: 1}) {
		t.Errorf("result %+v", res)
	}
	if q, err := a.Store.QuarantineList(ctx, 1); err != nil || len(q) != 1 || !strings.Contains(q[0].Payload, `"device":"nobody","property":"flow"`) {
		t.Errorf("the unknown device's readings are not kept readable: %+v, %v", q, err)
	}
	if _, err := a.IngestReadings(ctx, producer, []app.Reading{{Device: "meter-1", Property: "flow"}}); err == nil {
		t.Error("a reading without value was accepted")
	}
	agent := auth.Principal{User: &auth.User{Login: "ag", Role: auth.RoleAgent}}
	if _, err := a.IngestReadings(ctx, agent, nil); err == nil {
		t.Error("an agent's key fed sensors")
	}
}
