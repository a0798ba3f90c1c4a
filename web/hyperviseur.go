package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/socle/socle/internal/alerts"
	"github.com/socle/socle/internal/app"
	"github.com/socle/socle/internal/auth"
	"github.com/socle/socle/internal/errs"
	"github.com/socle/socle/internal/sensors"
)

// The hyperviseur is the control room of the collectivity's sensors: a
// map of every device with its state, counts per domain and state, the
// alerts to handle, and one page per device with its series. It is for
// those who may see devices (app.CanSeeDevices); anyone else logged in
// gets 404.

// Device states on the hyperviseur, from the active (open or acknowledged)
// alerts: a silence rule's alert makes a device silent, any other alert
// makes it alert (which wins).
const (
	stateOK     = "ok"
	stateAlert  = "alert"
	stateSilent = "silent"
)

var hvStates = []string{stateOK, stateAlert, stateSilent}

// hvMaxAlerts bounds the alerts of each active status the panel lists.
const hvMaxAlerts = 200

// SeesDevices reports whether the viewer may open the hyperviseur (for the
// back-office navigation).
func (v *viewer) SeesDevices() bool { return v.LoggedIn() && app.CanSeeDevices(v.P) }

// requireDevices is requireLogin for the hyperviseur: a viewer who may
// not see devices gets 404.
func (b *backOffice) requireDevices(w http.ResponseWriter, r *http.Request) (auth.Principal, bool) {
	p, ok := b.requireLogin(w, r)
	if !ok {
		return p, false
	}
	if !app.CanSeeDevices(p) {
		b.renderError(w, r, errs.E(errs.NotFound, "page not found"))
		return p, false
	}
	return p, true
}

// fleet is the devices with their state and the active alerts.
type fleet struct {
	devices []*sensors.Device
	byID    map[string]*sensors.Device
	state   map[string]string
	active  []*alerts.Alert // open then acknowledged, newest first in each
}

func (b *backOffice) loadFleet(ctx context.Context, p auth.Principal) (*fleet, error) {
	ds, err := b.app.Store.Devices(ctx, "")
	if err != nil {
		return nil, err
	}
	rules, err := b.app.Rules(ctx, p)
	if err != nil {
		return nil, err
	}
	silence := map[string]bool{}
	for _, r := range rules {
		silence[r.ID] = r.Kind == alerts.KindSilence
	}
	f := &fleet{devices: ds, byID: map[string]*sensors.Device{}, state: map[string]string{}}
	for _, d := range ds {
		f.byID[d.ID] = d
		f.state[d.ID] = stateOK
	}
	for _, st := range []string{alerts.StatusOpen, alerts.StatusAcknowledged} {
		list, err := b.app.Alerts(ctx, p, alerts.Filter{Status: st, Limit: hvMaxAlerts})
		if err != nil {
			return nil, err
		}
		f.active = append(f.active, list...)
	}
	for _, a := range f.active {
		switch {
		case !silence[a.RuleID]:
			f.state[a.Device] = stateAlert
		case f.state[a.Device] != stateAlert:
			f.state[a.Device] = stateSilent
		}
	}
	return f, nil
}

// hvTile is a count shown as a DSFR tile, linking to its filter.
type hvTile struct {
	Label, URL string
	Count      int
	Alerts     int // devices in alert, for domain tiles
	Current    bool
}

// hvAlert is an alert as the pages show it: with its device's name, and
// what its forms carry (the anti-forgery token, the page to come back to).
type hvAlert struct {
	*alerts.Alert
	DeviceName string
	CSRF, Back string
	Users      []string // who it may be assigned to
}

// hvPage is the data of the hyperviseur's home.
type hvPage struct {
	Domain, State string
	DomainLabel   string
	Total         int
	Domains       []hvTile
	States        []hvTile
	GeoJSONURL    string
	Alerts        []hvAlert
	Back          string // where the alert forms come back to
	Indicators    []hvIndicator
	LayerLabels   string // JSON: domain → label, for the map's layer control
}

// hvFilter reads ?domain= and ?state=, dropping unknown values.
func hvFilter(r *http.Request) (domain, state string) {
	q := r.URL.Query()
	if d := q.Get("domain"); slices.Contains(sensors.Domains, d) {
		domain = d
	}
	if s := q.Get("state"); slices.Contains(hvStates, s) {
		state = s
	}
	return domain, state
}

// hvURL is path with the domain and state filters set.
func hvURL(path, domain, state string) string {
	q := url.Values{}
	if domain != "" {
		q.Set("domain", domain)
	}
	if state != "" {
		q.Set("state", state)
	}
	if len(q) == 0 {
		return path
	}
	return path + "?" + q.Encode()
}

func (b *backOffice) handleHyperviseur(w http.ResponseWriter, r *http.Request) {
	p, ok := b.requireDevices(w, r)
	if !ok {
		return
	}
	f, err := b.loadFleet(r.Context(), p)
	if err != nil {
		b.renderError(w, r, err)
		return
	}
	domain, state := hvFilter(r)
	pg := &hvPage{Domain: domain, State: state, GeoJSONURL: hvURL("/hyperviseur/devices.geojson", domain, state),
		Back: hvURL("/hyperviseur", domain, state)}
	if domain != "" {
		pg.DomainLabel = b.label("hyperviseur.domain", domain)
	}
	pg.LayerLabels = b.domainLabels()
	perDomain, alertsPerDomain, perState := map[string]int{}, map[string]int{}, map[string]int{}
	for _, d := range f.devices {
		st := f.state[d.ID]
		if state == "" || st == state {
			perDomain[d.Domain]++
			if st == stateAlert {
				alertsPerDomain[d.Domain]++
			}
		}
		if domain == "" || d.Domain == domain {
			perState[st]++
			if state == "" || st == state {
				pg.Total++
			}
		}
	}
	all := 0
	for _, n := range perDomain {
		all += n
	}
	pg.Domains = append(pg.Domains, hvTile{Label: b.msgs.T("hyperviseur.domain.all"), URL: hvURL("/hyperviseur", "", state),
		Count: all, Current: domain == ""})
	for _, d := range sensors.Domains {
		if perDomain[d] == 0 && d != domain {
			continue
		}
		pg.Domains = append(pg.Domains, hvTile{Label: b.label("hyperviseur.domain", d), URL: hvURL("/hyperviseur", d, state),
			Count: perDomain[d], Alerts: alertsPerDomain[d], Current: d == domain})
	}
	for _, st := range hvStates {
		url := hvURL("/hyperviseur", domain, st)
		if st == state {
			url = hvURL("/hyperviseur", domain, "")
		}
		pg.States = append(pg.States, hvTile{Label: b.label("hyperviseur.state", st), URL: url, Count: perState[st], Current: st == state})
	}
	for _, a := range f.active {
		d := f.byID[a.Device]
		if domain != "" && (d == nil || d.Domain != domain) {
			continue
		}
		ha := hvAlert{Alert: a, DeviceName: a.Device, CSRF: viewerOf(r).CSRF, Back: pg.Back}
		if d != nil && d.Name != "" {
			ha.DeviceName = d.Name
		}
		pg.Alerts = append(pg.Alerts, ha)
	}
	users, err := b.hvUsers(r.Context())
	if err != nil {
		b.renderError(w, r, err)
		return
	}
	alertUsers(pg.Alerts, users)
	if r.Header.Get("X-Socle-Live") == "" { // a live refresh replaces the panels only
		pg.Indicators = b.indicators(r.Context(), p)
	}
	b.render(w, r, http.StatusOK, "hyperviseur", b.msgs.T("hyperviseur.title"), pg)
}

// hvFeature is a device on the hyperviseur's map.
type hvFeature struct {
	Type       string         `json:"type"`
	Geometry   hvPoint        `json:"geometry"`
	Properties hvFeatureProps `json:"properties"`
}

type hvPoint struct {
	Type        string     `json:"type"`
	Coordinates [2]float64 `json:"coordinates"`
}

type hvFeatureProps struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	Domain string `json:"domain"`
	State  string `json:"state"`
	Values string `json:"values"`
}

// handleHyperviseurGeoJSON answers the devices with a location, as the
// page's filters select them, as a GeoJSON FeatureCollection.
func (b *backOffice) handleHyperviseurGeoJSON(w http.ResponseWriter, r *http.Request) {
	p, ok := b.requireDevices(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	f, err := b.loadFleet(ctx, p)
	if err != nil {
		b.renderError(w, r, err)
		return
	}
	latest, err := b.app.Store.Latest(ctx, nil)
	if err != nil {
		b.renderError(w, r, err)
		return
	}
	values := map[string][]string{}
	for _, l := range latest {
		unit := ""
		if d := f.byID[l.Device]; d != nil {
			if pr, ok := d.Property(l.Property); ok && pr.Unit != "" {
				unit = " " + pr.Unit
			}
		}
		values[l.Device] = append(values[l.Device], l.Property+" : "+frNumber(l.Value)+unit)
	}
	domain, state := hvFilter(r)
	out := struct {
		Type     string      `json:"type"`
		Features []hvFeature `json:"features"`
	}{Type: "FeatureCollection", Features: []hvFeature{}}
	for _, d := range f.devices {
		st := f.state[d.ID]
		if d.Location == nil || domain != "" && d.Domain != domain || state != "" && st != state {
			continue
		}
		out.Features = append(out.Features, hvFeature{Type: "Feature",
			Geometry: hvPoint{Type: "Point", Coordinates: [2]float64{d.Location.Lon, d.Location.Lat}},
			Properties: hvFeatureProps{ID: d.ID, Name: d.Name, Domain: d.Domain, State: st,
				Values: strings.Join(values[d.ID], " ; ")}})
	}
	h := w.Header()
	h.Set("Content-Type", "application/geo+json")
	h.Set("Cache-Control", "no-store")
	if err := json.NewEncoder(w).Encode(out); err != nil {
		b.logger.Warn("hyperviseur geojson", "err", err)
	}
}

// hvWindow is a time window of the device charts and its bucket width.
type hvWindow struct {
	Span, Width time.Duration
	Layout      string // time layout of the x labels
}

var hvWindows = map[string]hvWindow{
	"hour":  {time.Hour, 5 * time.Minute, "15:04"},
	"day":   {24 * time.Hour, time.Hour, "15h"},
	"month": {30 * 24 * time.Hour, 24 * time.Hour, "02/01"},
	"year":  {365 * 24 * time.Hour, 7 * 24 * time.Hour, "02/01/06"},
}

var hvWindowNames = []string{"hour", "day", "month", "year"}

// hvValue is a latest value of a device.
type hvValue struct {
	Property, Value string
	Time            time.Time
}

// hvXLabel is an x axis label of a series chart.
type hvXLabel struct {
	X, Y float64
	Text string
}

// hvChart is the series of one property over the window.
type hvChart struct {
	chartPlot
	ID, Property, Unit string
	XLabels            []hvXLabel
}

// hvDevicePage is the data of a device's page.
type hvDevicePage struct {
	D           *sensors.Device
	State       string
	DomainLabel string
	Latest      []hvValue
	Alerts      []hvAlert // with their history
	Window      string
	Windows     []hvTile
	Charts      []hvChart
	Back        string
	WorkOrders  []hvWorkOrder
	Users       []string // who work may be assigned to
	Priorities  []string
	CSRF        string
}

func (b *backOffice) handleHyperviseurDevice(w http.ResponseWriter, r *http.Request) {
	p, ok := b.requireDevices(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	d, err := b.app.Store.Device(ctx, r.PathValue("id"))
	if err != nil {
		b.renderError(w, r, err)
		return
	}
	pg := &hvDevicePage{D: d, State: stateOK, DomainLabel: b.label("hyperviseur.domain", d.Domain), Window: r.URL.Query().Get("window")}
	if _, ok := hvWindows[pg.Window]; !ok {
		pg.Window = "day"
	}
	pg.Back = "/hyperviseur/devices/" + url.PathEscape(d.ID) + "?window=" + pg.Window
	for _, name := range hvWindowNames {
		pg.Windows = append(pg.Windows, hvTile{Label: b.msgs.T("hyperviseur.window." + name),
			URL: "/hyperviseur/devices/" + url.PathEscape(d.ID) + "?window=" + name, Current: name == pg.Window})
	}
	if err := b.deviceAlerts(ctx, p, pg, viewerOf(r).CSRF); err != nil {
		b.renderError(w, r, err)
		return
	}
	if err := b.deviceWorkOrders(ctx, p, pg, viewerOf(r).CSRF); err != nil {
		b.renderError(w, r, err)
		return
	}
	latest, err := b.app.Store.Latest(ctx, []string{d.ID})
	if err != nil {
		b.renderError(w, r, err)
		return
	}
	for _, l := range latest {
		v := frNumber(l.Value)
		if pr, ok := d.Property(l.Property); ok && pr.Unit != "" {
			v += " " + pr.Unit
		}
		pg.Latest = append(pg.Latest, hvValue{Property: l.Property, Value: v, Time: l.Time})
	}
	win := hvWindows[pg.Window]
	to := b.app.Now()
	for i, pr := range d.Properties {
		bs, err := b.app.Store.Aggregate(ctx, sensors.AggregateQuery{Device: d.ID, Property: pr.Name,
			From: to.Add(-win.Span), To: to.Add(time.Millisecond), Width: win.Width})
		if err != nil {
			b.renderError(w, r, err)
			return
		}
		pg.Charts = append(pg.Charts, seriesChart(fmt.Sprintf("serie-%d", i+1), pr, bs, win.Layout))
	}
	b.render(w, r, http.StatusOK, "hyperviseur_device", d.Name, pg)
}

// deviceAlerts fills the device's alerts, newest first, each with its
// history, and the device's state from the active ones.
func (b *backOffice) deviceAlerts(ctx context.Context, p auth.Principal, pg *hvDevicePage, csrf string) error {
	list, err := b.app.Alerts(ctx, p, alerts.Filter{Device: pg.D.ID, Limit: 20})
	if err != nil {
		return err
	}
	rules, err := b.app.Rules(ctx, p)
	if err != nil {
		return err
	}
	silence := map[string]bool{}
	for _, r := range rules {
		silence[r.ID] = r.Kind == alerts.KindSilence
	}
	for _, a := range list {
		full, err := b.app.Alert(ctx, p, a.ID)
		if err != nil {
			return err
		}
		pg.Alerts = append(pg.Alerts, hvAlert{Alert: full, DeviceName: pg.D.Name, CSRF: csrf, Back: pg.Back})
		if a.Status != alerts.StatusResolved {
			if !silence[a.RuleID] {
				pg.State = stateAlert
			} else if pg.State != stateAlert {
				pg.State = stateSilent
			}
		}
	}
	return nil
}

// hvMaxXLabels is how many x labels a series chart shows at most.
const hvMaxXLabels = 12

// seriesChart draws the averages of buckets bs as a line.
func seriesChart(id string, pr sensors.Property, bs []sensors.Bucket, layout string) hvChart {
	c := hvChart{chartPlot: newChartPlot(), ID: id, Property: pr.Name, Unit: pr.Unit}
	if len(bs) == 0 {
		return c
	}
	labels := make([]string, len(bs))
	values := make([]float64, len(bs))
	for i, bk := range bs {
		labels[i] = bk.Start.In(paris).Format(layout)
		values[i] = bk.Avg
	}
	c.layout(labels, values)
	step := (len(bs) + hvMaxXLabels - 1) / hvMaxXLabels
	for i := 0; i < len(c.Points); i += step {
		c.XLabels = append(c.XLabels, hvXLabel{X: c.Points[i].LX, Y: c.Points[i].LY, Text: c.Points[i].Label})
	}
	return c
}

// alertChange is AckAlert or ResolveAlert.
type alertChange func(ctx context.Context, p auth.Principal, id int64, note string) (*alerts.Alert, error)

func (b *backOffice) handleHyperviseurAck(w http.ResponseWriter, r *http.Request) {
	b.changeAlert(w, r, b.app.AckAlert, "alert-acked")
}

func (b *backOffice) handleHyperviseurResolve(w http.ResponseWriter, r *http.Request) {
	b.changeAlert(w, r, b.app.ResolveAlert, "alert-resolved")
}

// changeAlert applies change to the alert of the path as the viewer, then
// goes back to the page of the form (its "back" field, a hyperviseur page)
// with the flash message flash.<key>.
func (b *backOffice) changeAlert(w http.ResponseWriter, r *http.Request, change alertChange, key string) {
	p, ok := b.requireDevices(w, r)
	if !ok {
		return
	}
	id := pathID(r, "id")
	if id == 0 {
		b.renderError(w, r, errs.E(errs.NotFound, "alert not found"))
		return
	}
	if _, err := change(r.Context(), p, id, ""); err != nil {
		b.renderError(w, r, err)
		return
	}
	back := localPath(r.PostFormValue("back"))
	if back != "/hyperviseur" && !strings.HasPrefix(back, "/hyperviseur?") && !strings.HasPrefix(back, "/hyperviseur/devices/") {
		back = "/hyperviseur"
	}
	redirectOK(w, r, back, key)
}

// domainLabels is the JSON object of the domains' French labels.
func (b *backOffice) domainLabels() string {
	labels := map[string]string{}
	for _, d := range sensors.Domains {
		labels[d] = b.label("hyperviseur.domain", d)
	}
	out, _ := json.Marshal(labels)
	return string(out)
}
