package httpapi

import (
	"bytes"
	"io"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/socle/socle/internal/app"
	"github.com/socle/socle/internal/catalog"
	"github.com/socle/socle/internal/errs"
)

// Waste rounds: GET /api/v1/rounds?date=YYYY-MM-DD[&threshold=80][&depot=lat,lon]
// as JSON, and the same URL ending in .csv or .geojson for the exports
// (app.WriteRoundCSV documents both layouts). date defaults to today (UTC).

func (s *Server) handleRound(w http.ResponseWriter, r *http.Request) {
	rd, err := s.round(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, rd)
}

func (s *Server) handleRoundCSV(w http.ResponseWriter, r *http.Request) {
	s.exportRound(w, r, "text/csv; charset=utf-8", "csv", app.WriteRoundCSV)
}

func (s *Server) handleRoundGeoJSON(w http.ResponseWriter, r *http.Request) {
	s.exportRound(w, r, "application/geo+json", "geojson", app.WriteRoundGeoJSON)
}

// exportRound writes the round to a buffer first, so that a failure is
// answered with an error rather than a truncated file.
func (s *Server) exportRound(w http.ResponseWriter, r *http.Request, ctype, ext string, write func(io.Writer, *app.Round) error) {
	rd, err := s.round(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var buf bytes.Buffer
	if err := write(&buf, rd); err != nil {
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Content-Disposition", `attachment; filename="tournee-`+rd.Date+`.`+ext+`"`)
	w.Write(buf.Bytes())
}

func (s *Server) round(r *http.Request) (*app.Round, error) {
	p := principal(r)
	if err := sensorsReader(p); err != nil {
		return nil, err
	}
	o, err := ParseRoundQuery(r.URL.Query(), s.app.Now())
	if err != nil {
		return nil, err
	}
	return s.app.WasteRound(r.Context(), p, o)
}

// ParseRoundQuery reads a round's parameters: date (YYYY-MM-DD, default
// the day of now), threshold (a number in [0, 100]) and depot ("lat,lon").
// errs.Invalid.
func ParseRoundQuery(v url.Values, now time.Time) (app.RoundOptions, error) {
	o := app.RoundOptions{Date: now}
	if d := v.Get("date"); d != "" {
		t, err := time.Parse(time.DateOnly, d)
		if err != nil || t.Year() < 2000 || t.Year() > 2200 {
			return o, restError("date must be a day YYYY-MM-DD between 2000 and 2200")
		}
		o.Date = t
	}
	if th := v.Get("threshold"); th != "" {
		f, err := strconv.ParseFloat(th, 64)
		if err != nil || math.IsNaN(f) || f <= 0 || f > 100 {
			return o, restError("threshold must be a filling level in %% between 0 (excluded) and 100")
		}
		o.Threshold = f
	}
	if dp := v.Get("depot"); dp != "" {
		pt, err := parseLatLon(dp)
		if err != nil {
			return o, err
		}
		o.Depot = pt
	}
	return o, nil
}

// parseLatLon reads "lat,lon" in decimal degrees.
func parseLatLon(s string) (*catalog.GeoPoint, error) {
	bad := errs.E(errs.Invalid, "depot must be lat,lon in decimal degrees")
	la, lo, ok := strings.Cut(s, ",")
	if !ok {
		return nil, bad
	}
	lat, err1 := strconv.ParseFloat(strings.TrimSpace(la), 64)
	lon, err2 := strconv.ParseFloat(strings.TrimSpace(lo), 64)
	if err1 != nil || err2 != nil || !(lat >= -90 && lat <= 90) || !(lon >= -180 && lon <= 180) {
		return nil, bad
	}
	return &catalog.GeoPoint{Lat: lat, Lon: lon}, nil
}
