package main

import (
	"testing"
	"time"

	"github.com/socle/socle/internal/alerts"
	"github.com/socle/socle/internal/demo"
)

// TestDemoSensors seeds the demo on SQLite and checks that the planted
// anomalies of the simulated uplinks opened their alerts, and only those.
func TestDemoSensors(t *testing.T) {
	a, err := (&storeFlags{data: t.TempDir()}).open(t.Context(), quietLogger())
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	terr := demo.New()
	if created, err := seedDemo(t.Context(), a, terr); err != nil || !created {
		t.Fatalf("seed: created=%v err=%v", created, err)
	}
	devs, err := a.Store.Devices(t.Context(), "")
	// The fleet, and the square's two DTPR sensors, which send no data.
	if err != nil || len(devs) != len(terr.Devices())+len(terr.SquareDevices()) {
		t.Fatalf("%d devices registered (%v), want %d", len(devs), err, len(terr.Devices())+len(terr.SquareDevices()))
	}
	latest, err := a.Store.Latest(t.Context(), nil)
	if err != nil || len(latest) != len(terr.Devices()) {
		t.Errorf("%d latest values (%v) for %d devices", len(latest), err, len(terr.Devices()))
	}
	if q, err := a.Store.QuarantineList(t.Context(), -1); err != nil || len(q) != 0 {
		t.Errorf("quarantined uplinks: %d (%v)", len(q), err)
	}
	open, err := a.Store.Alerts(t.Context(), alerts.Filter{Status: alerts.StatusOpen, Limit: -1})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{} // device → rule
	for _, al := range open {
		if r, dup := got[al.Device]; dup {
			t.Errorf("device %s has alerts of rules %s and %s", al.Device, r, al.RuleID)
		}
		got[al.Device] = al.RuleID
	}
	an := terr.Anomalies()
	want := map[string]string{an.Leak: "fuite-reseau", an.Full[0]: "conteneur-plein", an.Full[1]: "conteneur-plein",
		an.Dark: "panne-eclairage", an.Silent: "capteur-muet", an.NightLeak: "fuite-nocturne", an.Filling: "conteneur-plein"}
	for dev, rule := range want {
		if got[dev] != rule {
			t.Errorf("device %s: open alert of rule %q, want %q", dev, got[dev], rule)
		}
	}
	if len(got) != len(want) {
		t.Errorf("open alerts on %v, want exactly %v", got, want)
	}

	// Two hours later, as the running demo's simulation would: the fleet
	// keeps reporting (no silence alert beyond the planted one), and what
	// was fed already is not fed again.
	later := a.Now().Add(2 * time.Hour)
	a.Now = func() time.Time { return later }
	since := later.Add(-2 * time.Hour)
	due := terr.UplinksSince(since, later)
	if len(due) == 0 {
		t.Fatal("nothing came due in two hours")
	}
	if err := feedUplinks(t.Context(), a, due); err != nil {
		t.Fatal(err)
	}
	if again := terr.UplinksSince(later, later); len(again) != 0 {
		t.Errorf("%d uplinks due again at the same time, want none", len(again))
	}
	if _, err := a.CheckSilence(t.Context(), later); err != nil {
		t.Fatal(err)
	}
	silent, err := a.Store.Alerts(t.Context(), alerts.Filter{Status: alerts.StatusOpen, RuleID: "capteur-muet", Limit: -1})
	if err != nil || len(silent) != 1 || silent[0].Device != an.Silent {
		t.Errorf("silence alerts two hours on: %d (%v), want only %s", len(silent), err, an.Silent)
	}
}
