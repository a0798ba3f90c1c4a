package app_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/socle/socle/internal/alerts"
	"github.com/socle/socle/internal/app"
	"github.com/socle/socle/internal/auth"
	"github.com/socle/socle/internal/errs"
	"github.com/socle/socle/internal/sensors"
	"github.com/socle/socle/sqlite"
)

var t0 = time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)

// openAt opens an App over the SQLite file path at a fixed clock; two Apps
// over one file stand for a server before and after a restart.
func openAt(t *testing.T, path string) *app.App {
	t.Helper()
	db, err := sqlite.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	a := app.New(db, nil)
	a.Now = func() time.Time { return t0.Add(time.Hour) }
	t.Cleanup(func() { a.Close() })
	return a
}

// alertSite registers a water meter and a flow rule held for 10 minutes.
func alertSite(t *testing.T) (*app.App, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "socle.db")
	a := openAt(t, path)
	ctx := context.Background()
	d := &sensors.Device{ID: "m1", Type: "WaterMeter", Domain: "water", PeriodSeconds: 600,
		Properties: []sensors.Property{{Name: "flow", Unit: "m3/h", Min: ptr(0), Max: ptr(5000)}}}
	if err := a.PutDevice(ctx, app.System, d); err != nil {
		t.Fatal(err)
	}
	r := &alerts.Rule{ID: "flow-high", Name: "Débit fort", Kind: alerts.KindThreshold, Domain: "water", Property: "flow",
		Op: ">", Threshold: 500, Hysteresis: 50, For: alerts.Duration(10 * time.Minute), Enabled: true}
	if err := a.PutRule(ctx, app.System, r); err != nil {
		t.Fatal(err)
	}
	return a, path
}

// feed sends one flow value at t0 + minutes.
func feed(t *testing.T, a *app.App, minutes int, v float64) {
	t.Helper()
	at := t0.Add(time.Duration(minutes) * time.Minute)
	if _, err := a.IngestReadings(context.Background(), app.System, []app.Reading{{Device: "m1", Property: "flow", Time: at, Value: &v}}); err != nil {
		t.Fatal(err)
	}
}

func activeAlerts(t *testing.T, a *app.App) []*alerts.Alert {
	t.Helper()
	list, err := a.Alerts(context.Background(), app.System, alerts.Filter{Status: alerts.StatusOpen})
	if err != nil {
		t.Fatal(err)
	}
	return list
}

func TestThresholdAcrossBatches(t *testing.T) {
	a, _ := alertSite(t)
	feed(t, a, 0, 600)
	feed(t, a, 9, 600)
	if n := len(activeAlerts(t, a)); n != 0 {
		t.Fatalf("%d alerts before For", n)
	}
	feed(t, a, 10, 620)
	list := activeAlerts(t, a)
	if len(list) != 1 || list[0].Message != "Débit 620 m3/h au-dessus du seuil 500 depuis 10 min" || !list[0].OpenedAt.Equal(t0.Add(10*time.Minute)) {
		t.Fatalf("alerts %+v", list)
	}
	// An out-of-range value is flagged, not evaluated.
	feed(t, a, 11, 9000)
	feed(t, a, 12, 100)
	got, err := a.Alert(context.Background(), app.System, list[0].ID)
	if err != nil || got.Status != alerts.StatusResolved || got.Value != 100 {
		t.Fatalf("after 100: %+v %v", got, err)
	}
}

func TestRestartKeepsTheOpenAlert(t *testing.T) {
	a, path := alertSite(t)
	feed(t, a, 0, 600)
	feed(t, a, 10, 600)
	b := openAt(t, path) // the server after a restart
	feed(t, b, 11, 700)
	if n := len(activeAlerts(t, b)); n != 1 {
		t.Fatalf("%d open alerts after restart, want the one", n)
	}
	feed(t, b, 12, 300)
	if n := len(activeAlerts(t, b)); n != 0 {
		t.Fatalf("the alert known from before the restart did not resolve")
	}
}

func TestHandResolveWhileBeyond(t *testing.T) {
	a, _ := alertSite(t)
	ctx := context.Background()
	feed(t, a, 0, 600)
	feed(t, a, 10, 600)
	first := activeAlerts(t, a)[0]
	agent := auth.Principal{User: &auth.User{Login: "agent", Role: auth.RoleAgent}, OrgKind: app.System.OrgKind}
	if _, err := a.ResolveAlert(ctx, agent, first.ID, "fausse alerte"); err != nil {
		t.Fatal(err)
	}
	if _, err := a.ResolveAlert(ctx, agent, first.ID, ""); errs.KindOf(err) != errs.Conflict {
		t.Fatalf("second resolve: %v, want Conflict", err)
	}
	// Still beyond the threshold: a new alert after another For.
	feed(t, a, 11, 600)
	feed(t, a, 20, 600)
	if n := len(activeAlerts(t, a)); n != 0 {
		t.Fatalf("reopened before For")
	}
	feed(t, a, 21, 600)
	if list := activeAlerts(t, a); len(list) != 1 || list[0].ID == first.ID {
		t.Fatalf("alerts %+v, want a new one", list)
	}
	partner := auth.Principal{User: &auth.User{Login: "p", Role: auth.RolePartner}}
	if _, err := a.AckAlert(ctx, partner, first.ID, ""); errs.KindOf(err) != errs.NotFound {
		t.Fatalf("a partner acknowledged: %v", err)
	}
	if err := a.PutRule(ctx, agent, &alerts.Rule{ID: "x"}); errs.KindOf(err) != errs.Forbidden {
		t.Fatalf("an agent wrote a rule: %v", err)
	}
}

func TestCheckSilence(t *testing.T) {
	a, _ := alertSite(t)
	ctx := context.Background()
	r := &alerts.Rule{ID: "offline", Name: "Muet", Kind: alerts.KindSilence, Periods: 3, Enabled: true}
	if err := a.PutRule(ctx, app.System, r); err != nil {
		t.Fatal(err)
	}
	feed(t, a, 0, 100)
	for _, tc := range []struct {
		name     string
		at       time.Duration
		opened   int
		resolved int
	}{
		{"within three periods: nothing", 30 * time.Minute, 0, 0},
		{"beyond: offline", 31 * time.Minute, 1, 0},
		{"again: no second alert", 40 * time.Minute, 0, 0},
	} {
		rep, err := a.CheckSilence(ctx, t0.Add(tc.at))
		if err != nil || rep.Opened != tc.opened || rep.Resolved != tc.resolved {
			t.Fatalf("%s: %+v %v", tc.name, rep, err)
		}
	}
	feed(t, a, 45, 100)
	rep, err := a.CheckSilence(ctx, t0.Add(46*time.Minute))
	if err != nil || rep.Resolved != 1 {
		t.Fatalf("data came back: %+v %v", rep, err)
	}
}
