package web

import (
	"bufio"
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/socle/socle/internal/app"
	"github.com/socle/socle/internal/auth"
	"github.com/socle/socle/internal/catalog"
	"github.com/socle/socle/internal/maintenance"
	"github.com/socle/socle/internal/sensors"
)

// The alert panel assigns and comments; a work order opens from an alert,
// moves along and is listed; every form needs its token.
func TestHyperviseurAssignCommentAndWorkOrders(t *testing.T) {
	s, al := hvSite(t)
	b := s.login(t, "agent")
	ctx := context.Background()
	id := strconv.FormatInt(al.ID, 10)
	home := b.get("/hyperviseur")
	wantStatus(t, "home", home, http.StatusOK, `action="/hyperviseur/alerts/`+id+`/assign"`, `<option value="root">root</option>`,
		`action="/hyperviseur/alerts/`+id+`/comment"`, `data-events-url="/hyperviseur/events"`, "Indicateurs de la stratégie",
		`id="hv-live-alerts"`, "Aucune donnée disponible pour vous.")
	wantStatus(t, "assign without token", b.post("/hyperviseur/alerts/"+id+"/assign", url.Values{"assignee": {"root"}}), http.StatusForbidden)
	csrf := b.token("/hyperviseur")
	res := b.post("/hyperviseur/alerts/"+id+"/assign", url.Values{"csrf": {csrf}, "assignee": {"root"}, "back": {"/hyperviseur"}})
	if res.status != http.StatusSeeOther || res.location != "/hyperviseur?ok=alert-assigned" {
		t.Fatalf("assign: %d to %q", res.status, res.location)
	}
	wantStatus(t, "comment", b.post("/hyperviseur/alerts/"+id+"/comment", url.Values{"csrf": {csrf}, "note": {"Équipe en route"}}), http.StatusSeeOther)
	wantStatus(t, "empty comment", b.post("/hyperviseur/alerts/"+id+"/comment", url.Values{"csrf": {csrf}, "note": {" "}}), http.StatusBadRequest)
	a, err := s.app.Alert(ctx, app.System, al.ID)
	must(t, err)
	if a.Assignee != "root" || a.History[len(a.History)-1].Note != "Équipe en route" {
		t.Errorf("alert after assign and comment: %+v", a)
	}
	wantStatus(t, "panel", b.get("/hyperviseur"), http.StatusOK, "attribuée à root", `<option value="root" selected>`)

	back := "/hyperviseur/devices/m1?window=day"
	wantStatus(t, "work order from alert", b.post("/hyperviseur/alerts/"+id+"/workorder", url.Values{"csrf": {csrf}, "back": {back}}), http.StatusSeeOther)
	wantStatus(t, "work order by hand", b.post("/hyperviseur/devices/m2/workorders", url.Values{"csrf": {csrf}, "back": {back},
		"title": {"Changer la pile"}, "priority": {"low"}, "assignee": {"agent"}}), http.StatusSeeOther)
	list, err := s.app.WorkOrders(ctx, app.System, maintenance.Filter{})
	must(t, err)
	if len(list) != 2 || list[1].Device != "m1" || list[1].AlertID == nil || list[0].Status != maintenance.StatusAssigned {
		t.Fatalf("work orders %+v", list)
	}
	wo := strconv.FormatInt(list[1].ID, 10)
	wantStatus(t, "start", b.post("/hyperviseur/workorders/"+wo, url.Values{"csrf": {csrf}, "status": {"in_progress"}, "back": {back}}), http.StatusSeeOther)
	wantStatus(t, "back to open", b.post("/hyperviseur/workorders/"+wo, url.Values{"csrf": {csrf}, "status": {"open"}}), http.StatusConflict)
	wantStatus(t, "device page", b.get(back), http.StatusOK, "Ordres de travail du capteur", "En cours", al.Message,
		`action="/hyperviseur/devices/m1/workorders"`, "Urgente")
	wantStatus(t, "list", b.get("/hyperviseur/workorders?status=assigned"), http.StatusOK, "Changer la pile", "Compteur m2")
	if strings.Contains(b.get("/hyperviseur/workorders?status=assigned").body, "Compteur m1") {
		t.Error("the assigned filter lists m1's work order, which is in progress")
	}
}

// The round page lists the containers in order, draws them and links the
// downloads; the files come with the session.
func TestHyperviseurRoundPage(t *testing.T) {
	s, _ := hvSite(t)
	ctx := context.Background()
	now := time.Now().Add(-time.Hour)
	for i, lvl := range []float64{92, 40, 85} {
		id := "bac-" + strconv.Itoa(i+1)
		must(t, s.app.PutDevice(ctx, app.System, &sensors.Device{ID: id, Name: "Bac " + strconv.Itoa(i+1), Type: "WasteContainer", Domain: "waste",
			Location:   &catalog.GeoPoint{Lat: app.DefaultDepot.Lat + float64(i+1)/100, Lon: app.DefaultDepot.Lon},
			Properties: []sensors.Property{{Name: app.FillProperty, Unit: "%"}}}))
		v := lvl
		_, err := s.app.IngestReadings(ctx, app.System, []app.Reading{{Device: id, Property: app.FillProperty, Time: now, Value: &v}})
		must(t, err)
	}
	b := s.login(t, "agent")
	pg := b.get("/hyperviseur/rounds")
	wantStatus(t, "round", pg, http.StatusOK, "2 conteneurs à vider", `data-geojson-url="/hyperviseur/rounds.geojson?date=`,
		`href="/hyperviseur/rounds.csv?date=`, "Bac 1", "Bac 3", "92 %")
	if i1, i3 := strings.Index(pg.body, "Bac 1"), strings.Index(pg.body, "Bac 3"); i1 > i3 || strings.Contains(pg.body, ">Bac 2<") {
		t.Errorf("the stops are not Bac 1 then Bac 3")
	}
	wantStatus(t, "bad date", b.get("/hyperviseur/rounds?date=hier"), http.StatusBadRequest, "date must be")
	csv := b.get("/hyperviseur/rounds.csv?threshold=90")
	if csv.status != http.StatusOK || !strings.HasPrefix(csv.body, "order,device,") || strings.Count(csv.body, "\n") != 2 {
		t.Errorf("CSV %d %q", csv.status, csv.body)
	}
	wantStatus(t, "geojson", b.get("/hyperviseur/rounds.geojson"), http.StatusOK, `"LineString"`, `"bac-3"`)
}

// The event stream tells of a new alert.
func TestHyperviseurEvents(t *testing.T) {
	s, _ := hvSite(t)
	b := s.login(t, "agent")
	req, err := http.NewRequest("GET", s.srv.URL+"/hyperviseur/events", nil)
	must(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	res, err := b.c.Do(req.WithContext(ctx))
	must(t, err)
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("events: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	r := bufio.NewReader(res.Body)
	line, _ := r.ReadString('\n')
	if line != "retry: 5000\n" {
		t.Fatalf("first line %q", line)
	}
	v := 700.0
	_, err = s.app.IngestReadings(context.Background(), app.System, []app.Reading{{Device: "m2", Property: "flow", Time: time.Now().Add(-time.Minute), Value: &v}})
	must(t, err)
	var got []string
	for len(got) < 2 {
		line, err := r.ReadString('\n')
		if err != nil {
			t.Fatalf("stream ended after %v: %v", got, err)
		}
		if strings.HasPrefix(line, "event: ") {
			got = append(got, strings.TrimSpace(strings.TrimPrefix(line, "event: ")))
		}
	}
	if strings.Join(got, " ") != "alert devices" {
		t.Errorf("events %v, want an alert then the devices", got)
	}
	p := s.browser(t).get("/hyperviseur/events")
	if p.status != http.StatusSeeOther {
		t.Errorf("anonymous stream: %d", p.status)
	}
}

// Partners get 404 on every maintenance page and form.
func TestHyperviseurMaintenanceIsForAgents(t *testing.T) {
	s, al := hvSite(t)
	must(t, s.app.AddUser(context.Background(), &auth.User{Login: "part", Role: auth.RolePartner, Org: "autre"}, testPassword))
	b := s.login(t, "part")
	for _, p := range []string{"/hyperviseur/rounds", "/hyperviseur/rounds.csv", "/hyperviseur/rounds.geojson", "/hyperviseur/workorders", "/hyperviseur/events"} {
		wantStatus(t, "partner GET "+p, b.get(p), http.StatusNotFound)
	}
	csrf := b.token("/admin/keys")
	id := strconv.FormatInt(al.ID, 10)
	for _, p := range []string{"/hyperviseur/alerts/" + id + "/assign", "/hyperviseur/alerts/" + id + "/comment",
		"/hyperviseur/alerts/" + id + "/workorder", "/hyperviseur/devices/m1/workorders"} {
		wantStatus(t, "partner POST "+p, b.post(p, url.Values{"csrf": {csrf}, "note": {"x"}, "title": {"x"}}), http.StatusNotFound)
	}
}
