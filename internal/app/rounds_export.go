package app

import (
	"encoding/csv"
	"encoding/json"
	"io"
	"strconv"
)

// A round's exports: CSV for a spreadsheet or a driver's sheet, GeoJSON
// for a GIS or a navigation tool.
//
// CSV: UTF-8, ',' separated, one header line, then one line per stop in
// round order: order, device, name, lat, lon, fill_level (% or empty),
// reason (fill or alert), alert_id (or empty), distance_m (driven from the
// depot, cumulative).
//
// GeoJSON: a FeatureCollection whose first feature is the route, a
// LineString from the depot through every stop back to the depot
// (properties: kind "route", date, threshold, length_m), then the depot
// (a Point, kind "depot"), then one Point per stop (kind "stop", order,
// device, name, fill_level, reason, alert_id, distance_m).

// RoundCSVColumns is the header of a round's CSV export.
var RoundCSVColumns = []string{"order", "device", "name", "lat", "lon", "fill_level", "reason", "alert_id", "distance_m"}

// WriteRoundCSV writes r as CSV.
func WriteRoundCSV(w io.Writer, r *Round) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(RoundCSVColumns); err != nil {
		return err
	}
	for _, s := range r.Stops {
		fill, alert := "", ""
		if s.Fill != nil {
			fill = num(*s.Fill)
		}
		if s.AlertID != 0 {
			alert = strconv.FormatInt(s.AlertID, 10)
		}
		rec := []string{strconv.Itoa(s.Order), s.Device, s.Name, num(s.Location.Lat), num(s.Location.Lon), fill, s.Reason, alert, num(s.Distance)}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

func num(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

type geoFeature struct {
	Type       string         `json:"type"`
	Geometry   geoGeometry    `json:"geometry"`
	Properties map[string]any `json:"properties"`
}

type geoGeometry struct {
	Type        string `json:"type"`
	Coordinates any    `json:"coordinates"`
}

// WriteRoundGeoJSON writes r as a GeoJSON FeatureCollection.
func WriteRoundGeoJSON(w io.Writer, r *Round) error {
	line := [][2]float64{{r.Depot.Lon, r.Depot.Lat}}
	for _, s := range r.Stops {
		line = append(line, [2]float64{s.Location.Lon, s.Location.Lat})
	}
	line = append(line, line[0])
	features := []geoFeature{
		{"Feature", geoGeometry{"LineString", line}, map[string]any{"kind": "route", "date": r.Date, "threshold": r.Threshold, "length_m": r.Length}},
		{"Feature", geoGeometry{"Point", line[0]}, map[string]any{"kind": "depot"}},
	}
	for _, s := range r.Stops {
		props := map[string]any{"kind": "stop", "order": s.Order, "device": s.Device, "name": s.Name,
			"fill_level": s.Fill, "reason": s.Reason, "distance_m": s.Distance}
		if s.AlertID != 0 {
			props["alert_id"] = s.AlertID
		}
		features = append(features, geoFeature{"Feature", geoGeometry{"Point", [2]float64{s.Location.Lon, s.Location.Lat}}, props})
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", " ")
	return enc.Encode(map[string]any{"type": "FeatureCollection", "features": features})
}
