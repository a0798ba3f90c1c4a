package web

import (
	"bytes"
	"io"
	"math"
	"net/http"
	"net/url"
	"time"

	"github.com/socle/socle/httpapi"
	"github.com/socle/socle/internal/app"
	"github.com/socle/socle/internal/errs"
)

// The waste round page: /hyperviseur/rounds?date=YYYY-MM-DD[&threshold=80][&depot=lat,lon]
// lists the containers to empty in route order, draws the route on a map
// (map.js over /hyperviseur/rounds.geojson) and links the CSV and GeoJSON
// downloads. The parameters are the API's (httpapi.ParseRoundQuery).

// hvRoundPage is the data of the round page.
type hvRoundPage struct {
	R          *app.Round
	Date       string
	Threshold  string
	GeoJSONURL string // the map's data and the downloads, with the parameters
	CSVURL     string
	LengthKm   string
	Error      string // a refused parameter, in French
	StopsCount int
	Stops      []hvStop
}

// hvStop is a stop of the round as the page shows it.
type hvStop struct {
	app.RoundStop
	Fill, Km string // formatted for French readers
}

func (b *backOffice) handleHyperviseurRound(w http.ResponseWriter, r *http.Request) {
	p, ok := b.requireDevices(w, r)
	if !ok {
		return
	}
	pg := &hvRoundPage{Date: b.app.Now().In(paris).Format(time.DateOnly), Threshold: r.URL.Query().Get("threshold")}
	o, err := httpapi.ParseRoundQuery(r.URL.Query(), b.app.Now().In(paris))
	status := http.StatusOK
	if err == nil {
		pg.R, err = b.app.WasteRound(r.Context(), p, o)
	}
	if err != nil {
		if errs.KindOf(err) != errs.Invalid {
			b.renderError(w, r, err)
			return
		}
		pg.Error, status = b.failure(r, err), http.StatusBadRequest
	} else {
		pg.Date, pg.StopsCount = pg.R.Date, len(pg.R.Stops)
		pg.LengthKm = frKm(pg.R.Length)
		for _, st := range pg.R.Stops {
			hs := hvStop{RoundStop: st, Km: frKm(st.Distance) + " km"}
			if st.Fill != nil {
				hs.Fill = frNumber(*st.Fill) + " %"
			}
			pg.Stops = append(pg.Stops, hs)
		}
		q := url.Values{"date": {pg.R.Date}}
		for _, k := range []string{"threshold", "depot"} {
			if v := r.URL.Query().Get(k); v != "" {
				q.Set(k, v)
			}
		}
		pg.GeoJSONURL, pg.CSVURL = "/hyperviseur/rounds.geojson?"+q.Encode(), "/hyperviseur/rounds.csv?"+q.Encode()
	}
	b.render(w, r, status, "hyperviseur_rounds", b.msgs.T("hyperviseur.round.title"), pg)
}

func (b *backOffice) handleHyperviseurRoundGeoJSON(w http.ResponseWriter, r *http.Request) {
	b.roundFile(w, r, "application/geo+json", "geojson", app.WriteRoundGeoJSON)
}

func (b *backOffice) handleHyperviseurRoundCSV(w http.ResponseWriter, r *http.Request) {
	b.roundFile(w, r, "text/csv; charset=utf-8", "csv", app.WriteRoundCSV)
}

// roundFile writes the round of the query as a file.
func (b *backOffice) roundFile(w http.ResponseWriter, r *http.Request, ctype, ext string, write func(io.Writer, *app.Round) error) {
	p, ok := b.requireDevices(w, r)
	if !ok {
		return
	}
	o, err := httpapi.ParseRoundQuery(r.URL.Query(), b.app.Now().In(paris))
	var rd *app.Round
	if err == nil {
		rd, err = b.app.WasteRound(r.Context(), p, o)
	}
	var buf bytes.Buffer
	if err == nil {
		err = write(&buf, rd)
	}
	if err != nil {
		b.renderError(w, r, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", ctype)
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Disposition", `attachment; filename="tournee-`+rd.Date+`.`+ext+`"`)
	w.Write(buf.Bytes())
}

// frKm writes metres as kilometres with one decimal.
func frKm(m float64) string { return frNumber(math.Round(m/100) / 10) }
