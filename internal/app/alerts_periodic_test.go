package app_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/socle/socle/internal/alerts"
	"github.com/socle/socle/internal/app"
	"github.com/socle/socle/internal/sensors"
)

// periodicSite opens an App with one device and one rule.
func periodicSite(t *testing.T, d *sensors.Device, r *alerts.Rule) *app.App {
	t.Helper()
	a := openAt(t, filepath.Join(t.TempDir(), "socle.db"))
	ctx := context.Background()
	d.Status = sensors.StatusActive
	if err := a.PutDevice(ctx, app.System, d); err != nil {
		t.Fatal(err)
	}
	r.Name, r.Enabled = "Règle "+r.ID, true
	if err := a.PutRule(ctx, app.System, r); err != nil {
		t.Fatal(err)
	}
	return a
}

func store(t *testing.T, a *app.App, obs []sensors.Observation) {
	t.Helper()
	if _, _, err := a.Store.AppendBatch(context.Background(), sensors.Batch{Observations: obs}); err != nil {
		t.Fatal(err)
	}
}

// check runs CheckPeriodic at now and returns the device's alerts.
func check(t *testing.T, a *app.App, now time.Time, opened, resolved int) []*alerts.Alert {
	t.Helper()
	rep, err := a.CheckPeriodic(context.Background(), now)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Opened != opened || rep.Resolved != resolved {
		t.Fatalf("check at %v: %+v; want %d opened, %d resolved", now, rep, opened, resolved)
	}
	list, err := a.Alerts(context.Background(), app.System, alerts.Filter{Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	return list
}

var paris = alerts.Local

// hourlyFlow stores one flow value per hour from start for hours hours:
// night (local 02:00–05:00) gives the night flow of that night, the day
// 30 m3/h.
func hourlyFlow(t *testing.T, a *app.App, start time.Time, hours int, night func(day int) float64) {
	t.Helper()
	var obs []sensors.Observation
	for h := range hours {
		at := start.Add(time.Duration(h) * time.Hour)
		v, l := 30.0, at.In(paris)
		if l.Hour() >= 2 && l.Hour() < 5 {
			v = night(int(at.Sub(start) / (24 * time.Hour)))
		}
		obs = append(obs, sensors.Observation{Device: "sector-1", Property: "flow", Time: at, Value: v})
	}
	store(t, a, obs)
}

func TestLeakAppearsOverNightsAndDisappears(t *testing.T) {
	a := periodicSite(t, &sensors.Device{ID: "sector-1", Type: "WaterMeter", Domain: "water",
		Properties: []sensors.Property{{Name: "flow", Unit: "m3/h"}}},
		&alerts.Rule{ID: "fuite", Kind: alerts.KindLeak, Params: alerts.Params{Nights: 2, BaselineNights: 3, Factor: 1.5, Margin: 2}})
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, paris)
	// Five nights at 5 m3/h, then a leak adds 10 from the sixth night.
	hourlyFlow(t, a, start, 5*24+8, func(day int) float64 { return 5 })
	check(t, a, time.Date(2026, 1, 6, 8, 0, 0, 0, paris), 0, 0)
	hourlyFlow(t, a, start.Add((5*24+8)*time.Hour), 24, func(int) float64 { return 15 })
	if list := check(t, a, time.Date(2026, 1, 6, 8, 0, 0, 0, paris), 0, 0); len(list) != 0 {
		t.Fatalf("one high night opened %+v", list)
	}
	hourlyFlow(t, a, start.Add((6*24+8)*time.Hour), 24, func(int) float64 { return 15 })
	list := check(t, a, time.Date(2026, 1, 8, 8, 0, 0, 0, paris), 1, 0)
	if want := "Fuite probable : débit minimum de nuit 15 m3/h depuis 2 nuits (référence 5 m3/h)"; len(list) != 1 || list[0].Message != want || list[0].Value != 15 {
		t.Fatalf("alerts %+v, want one with %q", list, want)
	}
	check(t, a, time.Date(2026, 1, 8, 9, 0, 0, 0, paris), 0, 0)  // idempotent
	check(t, a, time.Date(2026, 1, 10, 9, 0, 0, 0, paris), 0, 0) // no data for the last night: nothing concluded, still open
	// Repaired: the next night is back to 5.
	hourlyFlow(t, a, start.Add((7*24+8)*time.Hour), 24, func(int) float64 { return 5 })
	list = check(t, a, time.Date(2026, 1, 9, 8, 0, 0, 0, paris), 0, 1)
	if list[0].Status != alerts.StatusResolved {
		t.Errorf("after a normal night: %+v, want resolved", list[0])
	}
}

func TestDemandFarFromForecast(t *testing.T) {
	a := periodicSite(t, &sensors.Device{ID: "sector-1", Type: "WaterMeter", Domain: "water",
		Properties: []sensors.Property{{Name: "flow", Unit: "m3/h"}}},
		&alerts.Rule{ID: "fuite", Kind: alerts.KindLeak, Params: alerts.Params{Weeks: 3}})
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, paris)
	hourlyFlow(t, a, start, 3*7*24+14, func(day int) float64 { return 5 + float64(day%3) }) // up to Thursday 22 January 14:00
	burst := time.Date(2026, 1, 22, 14, 0, 0, 0, paris)
	store(t, a, []sensors.Observation{{Device: "sector-1", Property: "flow", Time: burst, Value: 90}})
	list := check(t, a, burst.Add(70*time.Minute), 1, 0)
	if want := "Consommation anormale : 90 m3/h entre 14 h et 15 h, prévision 30 m3/h (± 0,3)"; len(list) != 1 || list[0].Message != want {
		t.Fatalf("alerts %+v, want one with %q", list, want)
	}
	store(t, a, []sensors.Observation{{Device: "sector-1", Property: "flow", Time: burst.Add(time.Hour), Value: 30}})
	list = check(t, a, burst.Add(130*time.Minute), 0, 1)
	if list[0].Status != alerts.StatusResolved {
		t.Errorf("after a normal hour: %+v, want resolved", list[0])
	}
}

func TestContainerForecastFullBeforeTheRound(t *testing.T) {
	a := periodicSite(t, &sensors.Device{ID: "bin-1", Type: "WasteContainer", Domain: "waste",
		Properties: []sensors.Property{{Name: "fillingLevel", Unit: "%"}}},
		&alerts.Rule{ID: "collecte", Kind: alerts.KindContainerForecast, Threshold: 90, Hysteresis: 20,
			Params: alerts.Params{Rounds: []string{"06:00", "18:00"}}})
	start := time.Date(2026, 1, 10, 8, 0, 0, 0, paris)
	fill := func(from, n int, v0, rate float64) {
		var obs []sensors.Observation
		for i := range n {
			obs = append(obs, sensors.Observation{Device: "bin-1", Property: "fillingLevel",
				Time: start.Add(time.Duration(from+i) * time.Hour), Value: v0 + rate*float64(i)})
		}
		store(t, a, obs)
	}
	fill(0, 4, 40, 2) // 08:00–11:00, 2 %/h: 46 % at 11:00, 60 % at 18:00
	check(t, a, start.Add(3*time.Hour+5*time.Minute), 0, 0)
	fill(4, 3, 56, 10) // faster: 76 % at 14:00; 6 %/h fitted over the 7 samples, 100 % at 18:00
	list := check(t, a, start.Add(6*time.Hour+5*time.Minute), 1, 0)
	if len(list) != 1 || !strings.HasPrefix(list[0].Message, "Conteneur plein avant la collecte de 18:00 : 76 % à 14:00, +6 %/h, plein vers 16:20") {
		t.Fatalf("alerts %+v, want a forecast for the 18:00 round", list)
	}
	// Emptied by the round.
	fill(10, 1, 4, 0)
	list = check(t, a, start.Add(10*time.Hour+5*time.Minute), 0, 1)
	if list[0].Status != alerts.StatusResolved || list[0].Value != 4 {
		t.Errorf("after emptying: %+v, want resolved at 4", list[0])
	}
}

func TestBatteryDropping(t *testing.T) {
	a := periodicSite(t, &sensors.Device{ID: "bin-1", Type: "WasteContainer", Domain: "waste",
		Properties: []sensors.Property{{Name: "battery", Unit: "V"}}},
		&alerts.Rule{ID: "pile", Kind: alerts.KindBattery, Threshold: 3.3, Hysteresis: 0.2})
	for i, v := range []float64{3.6, 3.4, 3.25, 3.4, 3.55} {
		val := v
		if _, err := a.IngestReadings(context.Background(), app.System, []app.Reading{{Device: "bin-1", Property: "battery",
			Time: t0.Add(time.Duration(i-4) * time.Hour), Value: &val}}); err != nil {
			t.Fatal(err)
		}
		list, err := a.Alerts(context.Background(), app.System, alerts.Filter{Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		want := map[int]string{0: "", 1: "", 2: alerts.StatusOpen, 3: alerts.StatusOpen, 4: alerts.StatusResolved}[i]
		got := ""
		if len(list) > 0 {
			got = list[0].Status
		}
		if got != want || len(list) > 1 {
			t.Fatalf("after %v V: alerts %+v, want one %q", v, list, want)
		}
		if i == 2 && list[0].Message != "Batterie faible : 3,25 V (seuil 3,3 V) — à remplacer" {
			t.Errorf("message %q", list[0].Message)
		}
	}
}
