package web

import (
	"crypto/rand"
	"encoding/json"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/socle/socle/internal/app"
	"github.com/socle/socle/internal/dtpr"
	"github.com/socle/socle/internal/errs"
)

// Sensor transparency (DTPR), public pages without login: the sensor map
// and its list (this file), each sensor's page and printable sign
// (sensors_page.go), the citizens' opinions and their moderation in the
// back-office (opinions.go). Only public sensors exist here
// (app.PublicSensors); their DevEUI never shows.

// transparency holds the pages' state: the secret that signs the anonymous
// opinion forms (drawn at start: a restart invalidates open forms).
type transparency struct {
	*Server
	secret []byte
}

// sensorRoutes registers the public sensor pages and their moderation.
func (s *Server) sensorRoutes() {
	tr := &transparency{Server: s, secret: make([]byte, 32)}
	rand.Read(tr.secret)
	for _, rt := range []struct {
		pattern string
		h       http.HandlerFunc
	}{
		{"GET /capteurs", tr.handleSensors},
		{"GET /capteurs.geojson", tr.handleSensorsGeoJSON},
		{"GET /capteurs/lieux/{commune}", tr.handlePlace},
		{"GET /capteurs/{id}", tr.handleSensor},
		{"GET /capteurs/{id}/{file}", tr.handleSign}, // panneau.svg; /capteurs/lieux/{commune} is more specific
		{"POST /capteurs/{id}/avis", tr.handleOpinion},
		{"GET /admin/avis", tr.handleModeration},
		{"POST /admin/avis/{oid}", tr.handleModerate},
	} {
		s.mux.HandleFunc(rt.pattern, rt.h)
	}
}

// sensorFilter is the map's and list's filter: a purpose and a colour.
type sensorFilter struct {
	Purpose string
	Colour  dtpr.Colour
	Page    int
}

// sensorsPerPage bounds the list under the map.
const sensorsPerPage = 50

func parseSensorFilter(r *http.Request) (sensorFilter, error) {
	q := r.URL.Query()
	f := sensorFilter{Purpose: q.Get("finalite"), Colour: dtpr.Colour(q.Get("couleur")), Page: 1}
	if _, ok := dtpr.Lookup("purpose", f.Purpose); f.Purpose != "" && !ok {
		return f, errBadParam
	}
	if f.Colour != "" && !f.Colour.Valid() {
		return f, errBadParam
	}
	if p := q.Get("page"); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 10_000 {
			return f, errBadParam
		}
		f.Page = n
	}
	return f, nil
}

func (f sensorFilter) match(ps *app.PublicSensor) bool {
	return (f.Purpose == "" || slices.Contains(ps.Chain.Purpose, f.Purpose)) && (f.Colour == "" || ps.Colour == f.Colour)
}

// query is the filter as a query string (page left out).
func (f sensorFilter) query() string {
	v := url.Values{}
	if f.Purpose != "" {
		v.Set("finalite", f.Purpose)
	}
	if f.Colour != "" {
		v.Set("couleur", string(f.Colour))
	}
	return v.Encode()
}

// filtered returns the public sensors f selects.
func (tr *transparency) filtered(r *http.Request, f sensorFilter) ([]*app.PublicSensor, error) {
	ctx, cancel := tr.queryContext(r)
	defer cancel()
	all, err := tr.app.PublicSensors(ctx)
	if err != nil {
		return nil, err
	}
	var out []*app.PublicSensor // all is shared: never filtered in place
	for _, ps := range all {
		if f.match(ps) {
			out = append(out, ps)
		}
	}
	return out, nil
}

// sensorsPage is the data of templates/sensors.html.
type sensorsPage struct {
	Filter      sensorFilter
	Purposes    []dtpr.Element
	Colours     []dtpr.Colour
	GeoJSONURL  string
	Total       int
	Sensors     []sensorRow
	Prev, Next  string
	Places      []string
	Attribution string
	Source      string
}

// sensorRow is one line of the list.
type sensorRow struct {
	ID, Name, Commune, Purposes, Domain string
	Colour                              dtpr.Colour
}

func (tr *transparency) handleSensors(w http.ResponseWriter, r *http.Request) {
	f, err := parseSensorFilter(r)
	if err != nil {
		tr.renderError(w, r, err)
		return
	}
	list, err := tr.filtered(r, f)
	if err != nil {
		tr.renderError(w, r, err)
		return
	}
	purposes := dtpr.Categories()[1].Elements
	p := &sensorsPage{Filter: f, Purposes: purposes, Colours: dtpr.Colours, Total: len(list),
		GeoJSONURL: "/capteurs.geojson?" + f.query(), Attribution: dtpr.Attribution, Source: dtpr.SourceURL}
	places := map[string]bool{}
	for _, ps := range list {
		if ps.Device.Commune != "" {
			places[ps.Device.Commune] = true
		}
	}
	for c := range places {
		p.Places = append(p.Places, c)
	}
	slices.Sort(p.Places)
	from := (f.Page - 1) * sensorsPerPage
	for _, ps := range list[min(from, len(list)):min(from+sensorsPerPage, len(list))] {
		p.Sensors = append(p.Sensors, rowOf(ps))
	}
	base := "/capteurs?" + f.query()
	if f.Page > 1 {
		p.Prev = base + "&page=" + strconv.Itoa(f.Page-1)
	}
	if from+sensorsPerPage < len(list) {
		p.Next = base + "&page=" + strconv.Itoa(f.Page+1)
	}
	tr.render(w, r, http.StatusOK, "sensors", tr.msgs.T("trust.sensors.title"), p)
}

func rowOf(ps *app.PublicSensor) sensorRow {
	return sensorRow{ID: ps.Device.ID, Name: ps.Device.Name, Commune: ps.Device.Commune, Domain: ps.Device.Domain,
		Purposes: strings.Join(purposeNames(ps.Chain), ", "), Colour: ps.Colour}
}

func purposeNames(c *dtpr.Chain) []string {
	var out []string
	for _, id := range c.Purpose {
		if e, ok := dtpr.Lookup("purpose", id); ok {
			out = append(out, e.Name)
		}
	}
	return out
}

// markerNames name the markers' classes (socle-map-point--jaune…, in
// sensors.css) in French, since the popup shows the value too.
var markerNames = map[dtpr.Colour]string{dtpr.Yellow: "jaune", dtpr.Blue: "bleu", dtpr.White: "blanc"}

// sensorFeature is a GeoJSON feature of the map; property names are the
// popup's French labels.
type sensorFeature struct {
	Type       string            `json:"type"`
	Geometry   hvPoint           `json:"geometry"`
	Properties map[string]string `json:"properties"`
}

func (tr *transparency) handleSensorsGeoJSON(w http.ResponseWriter, r *http.Request) {
	f, err := parseSensorFilter(r)
	if err != nil {
		tr.renderError(w, r, err)
		return
	}
	list, err := tr.filtered(r, f)
	if err != nil {
		tr.renderError(w, r, err)
		return
	}
	out := struct {
		Type     string          `json:"type"`
		Features []sensorFeature `json:"features"`
	}{Type: "FeatureCollection", Features: []sensorFeature{}}
	for _, ps := range list {
		d := ps.Device
		if d.Location == nil {
			continue
		}
		out.Features = append(out.Features, sensorFeature{Type: "Feature",
			Geometry: hvPoint{Type: "Point", Coordinates: [2]float64{d.Location.Lon, d.Location.Lat}},
			Properties: map[string]string{"nom": d.Name, "finalité": strings.Join(purposeNames(ps.Chain), ", "),
				"données": ps.Colour.Label(), "page": "/capteurs/" + d.ID, "marqueur": markerNames[ps.Colour]}})
	}
	w.Header().Set("Content-Type", "application/geo+json")
	w.Header().Set("Cache-Control", "no-cache")
	json.NewEncoder(w).Encode(out)
}

// placePage is the data of templates/sensors_place.html.
type placePage struct {
	Commune     string
	Stats       statsView
	Sensors     []placeSensor
	Attribution string
	Source      string
}

type placeSensor struct {
	sensorRow
	Stats statsView
}

// handlePlace shows the published results of a commune's sensors. A
// commune without public sensors does not exist.
func (tr *transparency) handlePlace(w http.ResponseWriter, r *http.Request) {
	commune := r.PathValue("commune")
	list, err := tr.filtered(r, sensorFilter{})
	if err != nil {
		tr.renderError(w, r, err)
		return
	}
	stats, err := tr.app.OpinionStats(r.Context())
	if err != nil {
		tr.renderError(w, r, err)
		return
	}
	p := &placePage{Commune: commune, Attribution: dtpr.Attribution, Source: dtpr.SourceURL}
	var sum dtpr.Stats
	for _, ps := range list {
		if ps.Device.Commune != commune {
			continue
		}
		st := stats[ps.Device.ID]
		sum.Add(st)
		p.Sensors = append(p.Sensors, placeSensor{rowOf(ps), viewStats(st)})
	}
	if len(p.Sensors) == 0 {
		tr.renderError(w, r, errs.E(errs.NotFound, "place not found"))
		return
	}
	p.Stats = viewStats(sum)
	tr.render(w, r, http.StatusOK, "sensors_place", tr.msgs.T("trust.place.title", commune), p)
}

// statsView is an aggregate ready to show.
type statsView struct {
	Count                 int
	Oui, Partiel, Non     int
	UsefulAvg, ComfortAvg string
}

func viewStats(s dtpr.Stats) statsView {
	return statsView{Count: s.Count, Oui: s.Understand[0], Partiel: s.Understand[1], Non: s.Understand[2],
		UsefulAvg: frNumber(round1(s.UsefulAvg())), ComfortAvg: frNumber(round1(s.ComfortAvg()))}
}

func round1(f float64) float64 { return float64(int(f*10+0.5)) / 10 }

// badgeHTML is a badge's inline SVG; dtpr.BadgeSVG escapes every text.
func badgeHTML(it dtpr.Item, chain dtpr.Colour) template.HTML {
	return template.HTML(dtpr.BadgeSVG(it, dtpr.BadgeColour(it, chain)))
}
