package web

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/socle/socle/internal/alerts"
	"github.com/socle/socle/internal/app"
	"github.com/socle/socle/internal/auth"
	"github.com/socle/socle/internal/catalog"
	"github.com/socle/socle/internal/sensors"
)

// hvSite is an admin site with two water meters, a flow rule and values:
// m1 is beyond the threshold (one open alert), m2 is fine.
func hvSite(t *testing.T) (*adminSite, *alerts.Alert) {
	t.Helper()
	s := newAdminSite(t, adminEngines(t)["sqlite"](t))
	ctx := context.Background()
	for i, id := range []string{"m1", "m2"} {
		d := &sensors.Device{ID: id, Name: "Compteur " + id, Type: "WaterMeter", Domain: "water", PeriodSeconds: 600,
			Location:   &catalog.GeoPoint{Lat: 47.39 + float64(i)/100, Lon: 0.68},
			Properties: []sensors.Property{{Name: "flow", Unit: "m3/h"}}}
		must(t, s.app.PutDevice(ctx, app.System, d))
	}
	must(t, s.app.PutRule(ctx, app.System, &alerts.Rule{ID: "flow-high", Name: "Débit fort", Kind: alerts.KindThreshold,
		Domain: "water", Property: "flow", Op: ">", Threshold: 500, Hysteresis: 50, Severity: alerts.SeverityCritical, Enabled: true}))
	now := time.Now().Add(-30 * time.Minute)
	var rs []app.Reading
	for i := range 3 {
		hi, lo := 600.0+float64(i), 10.0+float64(i)
		at := now.Add(time.Duration(i) * 10 * time.Minute)
		rs = append(rs, app.Reading{Device: "m1", Property: "flow", Time: at, Value: &hi},
			app.Reading{Device: "m2", Property: "flow", Time: at, Value: &lo})
	}
	_, err := s.app.IngestReadings(ctx, app.System, rs)
	must(t, err)
	open, err := s.app.Alerts(ctx, app.System, alerts.Filter{Status: alerts.StatusOpen})
	must(t, err)
	if len(open) != 1 || open[0].Device != "m1" {
		t.Fatalf("open alerts %+v, want one on m1", open)
	}
	return s, open[0]
}

func TestHyperviseurPages(t *testing.T) {
	s, al := hvSite(t)
	b := s.login(t, "agent")

	home := b.get("/hyperviseur")
	wantStatus(t, "hyperviseur", home, http.StatusOK, al.Message, `href="/hyperviseur/devices/m1"`, "Compteur m1", "Ouverte",
		`data-geojson-url="/hyperviseur/devices.geojson"`, "En alerte", "Eau")
	if strings.Contains(home.body, `href="/hyperviseur/devices/m2"`) {
		t.Error("the alert panel lists m2, which has no alert")
	}
	wantStatus(t, "back-office nav", b.get("/admin"), http.StatusOK, `href="/hyperviseur"`)
	wantStatus(t, "filtered", b.get("/hyperviseur?domain=water&state=alert"), http.StatusOK,
		`data-geojson-url="/hyperviseur/devices.geojson?domain=water&state=alert"`)

	states := func(path string) map[string]string {
		t.Helper()
		p := b.get(path)
		if p.status != http.StatusOK || p.res.Header.Get("Content-Type") != "application/geo+json" {
			t.Fatalf("GET %s: %d %s", path, p.status, p.res.Header.Get("Content-Type"))
		}
		var fc struct {
			Type     string
			Features []struct {
				Geometry struct {
					Type        string
					Coordinates []float64
				}
				Properties map[string]string
			}
		}
		must(t, json.Unmarshal([]byte(p.body), &fc))
		out := map[string]string{}
		for _, f := range fc.Features {
			if f.Geometry.Type != "Point" || len(f.Geometry.Coordinates) != 2 || f.Properties["domain"] != "water" {
				t.Errorf("feature %+v", f)
			}
			out[f.Properties["id"]] = f.Properties["state"] + "|" + f.Properties["values"]
		}
		return out
	}
	got := states("/hyperviseur/devices.geojson")
	if got["m1"] != "alert|flow : 602 m3/h" || got["m2"] != "ok|flow : 12 m3/h" || len(got) != 2 {
		t.Errorf("GeoJSON states and values: %v", got)
	}
	if got := states("/hyperviseur/devices.geojson?state=ok"); len(got) != 1 || got["m2"] == "" {
		t.Errorf("GeoJSON of the devices ok: %v", got)
	}

	dev := b.get("/hyperviseur/devices/m1?window=hour")
	wantStatus(t, "device page", dev, http.StatusOK, "Compteur m1", "WaterMeter", "602 m3/h", "<svg", `class="socle-line"`,
		al.Message, `aria-current="page">Dernière heure`)
	wantStatus(t, "unknown device", b.get("/hyperviseur/devices/nope"), http.StatusNotFound)

	id := strconv.FormatInt(al.ID, 10)
	wantStatus(t, "ack without token", b.post("/hyperviseur/alerts/"+id+"/ack", url.Values{}), http.StatusForbidden)
	csrf := b.token("/hyperviseur")
	ack := b.post("/hyperviseur/alerts/"+id+"/ack", url.Values{"csrf": {csrf}, "back": {"/hyperviseur?domain=water"}})
	wantStatus(t, "ack", ack, http.StatusSeeOther)
	if ack.location != "/hyperviseur?domain=water&ok=alert-acked" {
		t.Errorf("ack goes to %q", ack.location)
	}
	a, err := s.app.Alert(context.Background(), app.System, al.ID)
	must(t, err)
	if a.Status != alerts.StatusAcknowledged || a.History[len(a.History)-1].Actor != "agent" {
		t.Errorf("after ack: %s by %+v", a.Status, a.History)
	}
	wantStatus(t, "after ack", b.get(ack.location), http.StatusOK, "L'alerte est prise en compte.", "Prise en compte")
	wantStatus(t, "ack twice", b.post("/hyperviseur/alerts/"+id+"/ack", url.Values{"csrf": {csrf}}), http.StatusConflict)

	res := b.post("/hyperviseur/alerts/"+id+"/resolve", url.Values{"csrf": {csrf}, "back": {"https://evil.example/"}})
	if res.status != http.StatusSeeOther || res.location != "/hyperviseur?ok=alert-resolved" {
		t.Errorf("resolve: %d to %q", res.status, res.location)
	}
	wantStatus(t, "device after resolve", b.get("/hyperviseur/devices/m1"), http.StatusOK, "Résolue", "prise en compte", "résolution")
}

// Partners never see devices: every hyperviseur address is 404 for them;
// anonymous visitors are sent to the login page.
func TestHyperviseurIsForAgents(t *testing.T) {
	s, al := hvSite(t)
	must(t, s.app.AddUser(context.Background(), &auth.User{Login: "part", Role: auth.RolePartner, Org: "autre"}, testPassword))
	b := s.login(t, "part")
	for _, p := range []string{"/hyperviseur", "/hyperviseur/devices.geojson", "/hyperviseur/devices/m1"} {
		wantStatus(t, "partner GET "+p, b.get(p), http.StatusNotFound)
	}
	if strings.Contains(b.get("/admin").body, `href="/hyperviseur"`) {
		t.Error("the partner's back-office links to the hyperviseur")
	}
	csrf := b.token("/admin/keys")
	wantStatus(t, "partner ack", b.post("/hyperviseur/alerts/"+strconv.FormatInt(al.ID, 10)+"/ack", url.Values{"csrf": {csrf}}), http.StatusNotFound)
	a, err := s.app.Alert(context.Background(), app.System, al.ID)
	must(t, err)
	if a.Status != alerts.StatusOpen {
		t.Errorf("the partner's post changed the alert to %s", a.Status)
	}
	anon := s.browser(t).get("/hyperviseur")
	if anon.status != http.StatusSeeOther || !strings.HasPrefix(anon.location, "/login?next=%2Fhyperviseur") {
		t.Errorf("anonymous: %d to %q", anon.status, anon.location)
	}
}

// seriesChart lays out bucket averages with chartPlot, labelled in Paris
// time, with at most hvMaxXLabels axis labels.
func TestSeriesChart(t *testing.T) {
	start := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	var bs []sensors.Bucket
	for i := range 24 {
		bs = append(bs, sensors.Bucket{Start: start.Add(time.Duration(i) * time.Hour), Count: 1, Avg: float64(i)})
	}
	c := seriesChart("s", sensors.Property{Name: "flow", Unit: "m3/h"}, bs, hvWindows["day"].Layout)
	if len(c.Points) != 24 || c.Points[0].Label != "01h" || c.Points[23].Value != "23" || len(c.Ticks) != 5 {
		t.Fatalf("points %+v ticks %+v", c.Points[:1], c.Ticks)
	}
	if len(c.XLabels) > hvMaxXLabels || c.XLabels[0].Text != "01h" {
		t.Errorf("x labels %+v", c.XLabels)
	}
	if c.Ticks[4].Label != "50" || c.Points[23].Y >= c.Points[0].Y || !strings.Contains(c.Polyline, ",") {
		t.Errorf("scale: ticks %+v, first %+v, last %+v", c.Ticks, c.Points[0], c.Points[23])
	}
	if e := seriesChart("e", sensors.Property{Name: "flow"}, nil, "15:04"); len(e.Points) != 0 || e.W != chartW {
		t.Errorf("empty chart %+v", e)
	}
}
