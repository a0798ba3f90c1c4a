package app_test

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/socle/socle/internal/alerts"
	"github.com/socle/socle/internal/app"
	"github.com/socle/socle/internal/auth"
	"github.com/socle/socle/internal/catalog"
	"github.com/socle/socle/internal/errs"
	"github.com/socle/socle/internal/sensors"
)

var updateGolden = flag.Bool("update", false, "rewrite the golden files under testdata/")

// wasteSite registers six containers around the default depot, a rule
// alerting above 60 %, and their levels at t0: c1 95, c2 85, c3 40, c4 80,
// c5 (no location) 99, c6 70 (alerted, under the round's threshold).
func wasteSite(t *testing.T) *app.App {
	t.Helper()
	a := openAt(t, filepath.Join(t.TempDir(), "socle.db"))
	ctx := context.Background()
	rule := &alerts.Rule{ID: "bac-presque-plein", Name: "Bac presque plein", Kind: alerts.KindThreshold, Domain: "waste",
		Property: app.FillProperty, Op: ">", Threshold: 60, Enabled: true}
	if err := a.PutRule(ctx, app.System, rule); err != nil {
		t.Fatal(err)
	}
	d0 := app.DefaultDepot
	for _, c := range []struct {
		id     string
		dx, dy float64 // hundredths of a degree from the depot
		level  float64
	}{{"c1", 2, 0, 95}, {"c2", 1, 1, 85}, {"c3", 3, 3, 40}, {"c4", 0, 2, 80}, {"c5", 0, 0, 99}, {"c6", 2, 2, 70}} {
		d := &sensors.Device{ID: c.id, Name: "Conteneur " + c.id, Type: "WasteContainer", Domain: "waste", PeriodSeconds: 3600,
			Properties: []sensors.Property{{Name: app.FillProperty, Unit: "%", Min: ptr(0), Max: ptr(100)}}}
		if c.id != "c5" {
			d.Location = &catalog.GeoPoint{Lon: d0.Lon + c.dx/100, Lat: d0.Lat + c.dy/100}
		}
		if err := a.PutDevice(ctx, app.System, d); err != nil {
			t.Fatal(err)
		}
		level := c.level
		if _, err := a.IngestReadings(ctx, app.System, []app.Reading{{Device: c.id, Property: app.FillProperty, Time: t0, Value: &level}}); err != nil {
			t.Fatal(err)
		}
	}
	return a
}

func stopIDs(r *app.Round) []string {
	var ids []string
	for _, s := range r.Stops {
		ids = append(ids, s.Device+":"+s.Reason)
	}
	return ids
}

func TestWasteRound(t *testing.T) {
	a := wasteSite(t)
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		o    app.RoundOptions
		want []string
	}{
		{"full containers and alerted ones are emptied in one loop from the depot, unlocated ones left out", app.RoundOptions{Date: t0},
			[]string{"c1:fill", "c6:alert", "c4:fill", "c2:fill"}},
		{"a higher threshold leaves fuller containers only, alerted ones kept", app.RoundOptions{Date: t0, Threshold: 90},
			[]string{"c1:fill", "c6:alert", "c4:alert", "c2:alert"}},
		{"a day before the levels were read keeps the alerted containers only", app.RoundOptions{Date: t0.AddDate(0, 0, -1)},
			[]string{"c1:alert", "c6:alert", "c4:alert", "c2:alert"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := a.WasteRound(ctx, app.System, tc.o)
			if err != nil {
				t.Fatal(err)
			}
			if got := stopIDs(r); !slices.Equal(got, tc.want) && !slices.Equal(got, reversed(tc.want)) {
				t.Errorf("stops %v, want %v (or reversed)", got, tc.want)
			}
		})
	}
	_, err := a.WasteRound(ctx, app.System, app.RoundOptions{Date: t0, Threshold: 120})
	if errs.KindOf(err) != errs.Invalid {
		t.Errorf("threshold 120: got %v, want Invalid", err)
	}
	_, err = a.WasteRound(ctx, auth.Principal{}, app.RoundOptions{Date: t0})
	if errs.KindOf(err) != errs.NotFound {
		t.Errorf("anonymous: got %v, want NotFound", err)
	}
}

func reversed(s []string) []string {
	r := slices.Clone(s)
	slices.Reverse(r)
	return r
}

func TestWasteRoundExports(t *testing.T) {
	a := wasteSite(t)
	r, err := a.WasteRound(context.Background(), app.System, app.RoundOptions{Date: t0})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		file  string
		write func(*bytes.Buffer) error
	}{
		{"round.csv", func(b *bytes.Buffer) error { return app.WriteRoundCSV(b, r) }},
		{"round.geojson", func(b *bytes.Buffer) error { return app.WriteRoundGeoJSON(b, r) }},
	} {
		t.Run(tc.file+" matches its golden file", func(t *testing.T) {
			var b bytes.Buffer
			if err := tc.write(&b); err != nil {
				t.Fatal(err)
			}
			golden := filepath.Join("testdata", tc.file)
			if *updateGolden {
				if err := os.MkdirAll("testdata", 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(golden, b.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(b.Bytes(), want) {
				t.Errorf("%s differs from %s:\n%s", tc.file, golden, b.Bytes())
			}
		})
	}
}

func TestWasteRoundTakesForecastAlerts(t *testing.T) {
	a := wasteSite(t)
	ctx := context.Background()
	// A forecast rule as the alert engine writes it: c3 (40 %) will be full
	// before the next round.
	rule := &alerts.Rule{ID: "plein-avant-collecte", Name: "Plein avant la collecte", Kind: alerts.KindContainerForecast,
		Domain: "waste", Threshold: 95, Severity: alerts.SeverityWarning, Enabled: true}
	if err := a.Store.PutRule(ctx, rule); err != nil {
		t.Fatal(err)
	}
	al := &alerts.Alert{RuleID: rule.ID, Device: "c3", Severity: alerts.SeverityWarning, OpenedAt: t0, Value: 40, Message: "Plein avant la collecte"}
	if _, err := a.Store.OpenAlert(ctx, al); err != nil {
		t.Fatal(err)
	}
	r, err := a.WasteRound(ctx, app.System, app.RoundOptions{Date: t0})
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(r.Stops, func(s app.RoundStop) bool { return s.Device == "c3" })
	if i < 0 || r.Stops[i].Reason != app.ReasonAlert || r.Stops[i].AlertID != al.ID || len(r.Stops) != 5 {
		t.Errorf("stops %+v, want c3 added for its forecast alert %d", r.Stops, al.ID)
	}
}
