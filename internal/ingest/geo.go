package ingest

import (
	"bytes"
	"encoding/json"
	"errors"
	"strconv"
	"strings"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
	"github.com/socle/socle/internal/catalog"
)

// geoPointField is the name of the derived point field, as on Opendatasoft.
const geoPointField = "geo_point_2d"

// geoPointNameParts mark a column whose "lat, lon" cells are points. A name
// is required: "1, 2" in an arbitrary column is more likely a list.
var geoPointNameParts = []string{"geo_point", "geopoint", "coordonnee", "coordinate", "coords", "latlon", "lat_lon", "latlng", "lat_lng", "geoloc", "localisation", "location", "wgs84", "gps"}

func isGeoPointName(name string) bool {
	for _, p := range geoPointNameParts {
		if strings.Contains(name, p) {
			return true
		}
	}
	return false
}

// Names of latitude and longitude columns, normalised by catalog.NormalizeName.
var (
	latNames = map[string]bool{"lat": true, "latitude": true, "y_lat": true, "ylat": true, "y_latitude": true}
	lonNames = map[string]bool{"lon": true, "lng": true, "long": true, "longitude": true, "xlong": true, "x_long": true, "x_lon": true, "xlon": true, "x_longitude": true}
)

// latLonColumns finds the one latitude and one longitude column of a header,
// by normalised name; -1, -1 when there is not exactly one of each.
func latLonColumns(names []string) (lat, lon int) {
	lat, lon = -1, -1
	for i, n := range names {
		switch {
		case latNames[n] && lat == -1:
			lat = i
		case latNames[n]:
			return -1, -1
		case lonNames[n] && lon == -1:
			lon = i
		case lonNames[n]:
			return -1, -1
		}
	}
	if lat < 0 || lon < 0 {
		return -1, -1
	}
	return lat, lon
}

// parseGeoPoint reads "lat, lon" (Opendatasoft's geo_point_2d text form) or a
// JSON array [lat, lon]. Both coordinates must be in range.
func parseGeoPoint(s string) (catalog.GeoPoint, bool) {
	s = strings.TrimSpace(s)
	if strings.HasPrefix(s, "[") && strings.HasSuffix(s, "]") {
		s = s[1 : len(s)-1]
	}
	latText, lonText, ok := strings.Cut(s, ",")
	if !ok {
		return catalog.GeoPoint{}, false
	}
	lat, err1 := strconv.ParseFloat(strings.TrimSpace(latText), 64)
	lon, err2 := strconv.ParseFloat(strings.TrimSpace(lonText), 64)
	if err1 != nil || err2 != nil || !inLatRange(lat) || !inLonRange(lon) {
		return catalog.GeoPoint{}, false
	}
	return catalog.GeoPoint{Lat: lat, Lon: lon}, true
}

func inLatRange(v float64) bool { return v >= -90 && v <= 90 }
func inLonRange(v float64) bool { return v >= -180 && v <= 180 }

// parseGeometry reads a GeoJSON geometry object and returns it compacted.
func parseGeometry(s string) (json.RawMessage, orb.Geometry, bool) {
	s = strings.TrimSpace(s)
	if !strings.HasPrefix(s, "{") || !strings.Contains(s, `"type"`) {
		return nil, nil, false
	}
	g, err := decodeGeometry([]byte(s))
	if err != nil {
		if inner, ok := featureGeometry(s); ok {
			return parseGeometry(string(inner))
		}
		return nil, nil, false
	}
	return compactJSON(s), g, true
}

// featureGeometry returns the geometry of a GeoJSON Feature: Opendatasoft
// writes geo_shape values as Features in its JSON exports (and Socle's
// Explore API does too), so a harvested or re-imported export keeps its
// shapes.
func featureGeometry(s string) (json.RawMessage, bool) {
	var f struct {
		Type     string          `json:"type"`
		Geometry json.RawMessage `json:"geometry"`
	}
	if json.Unmarshal([]byte(s), &f) != nil || f.Type != "Feature" || len(f.Geometry) == 0 || string(f.Geometry) == "null" {
		return nil, false
	}
	return f.Geometry, true
}

// rawGeometry is a GeoJSON geometry object before its coordinates are typed.
type rawGeometry struct {
	Type        string            `json:"type"`
	Coordinates json.RawMessage   `json:"coordinates"`
	Geometries  []json.RawMessage `json:"geometries"`
}

// decodeGeometry turns GeoJSON into an orb geometry. It is written here
// rather than taken from orb/geojson, whose BSON support pulls in a module
// this repository does not carry.
func decodeGeometry(data []byte) (orb.Geometry, error) {
	var raw rawGeometry
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, err
	}
	if raw.Type == "GeometryCollection" {
		c := orb.Collection{}
		for _, part := range raw.Geometries {
			g, err := decodeGeometry(part)
			if err != nil {
				return nil, err
			}
			c = append(c, g)
		}
		return c, nil
	}
	if len(raw.Coordinates) == 0 {
		return nil, errNotGeometry
	}
	return decodeCoordinates(raw.Type, raw.Coordinates)
}

var errNotGeometry = errors.New("not a GeoJSON geometry")

func decodeCoordinates(typ string, c json.RawMessage) (orb.Geometry, error) {
	var err error
	switch typ {
	case "Point":
		var p orb.Point
		err = decodePosition(c, &p)
		return p, err
	case "MultiPoint":
		var v orb.MultiPoint
		err = json.Unmarshal(c, &v)
		return v, err
	case "LineString":
		var v orb.LineString
		err = json.Unmarshal(c, &v)
		return v, err
	case "MultiLineString":
		var v orb.MultiLineString
		err = json.Unmarshal(c, &v)
		return v, err
	case "Polygon":
		var v orb.Polygon
		err = json.Unmarshal(c, &v)
		return v, err
	case "MultiPolygon":
		var v orb.MultiPolygon
		err = json.Unmarshal(c, &v)
		return v, err
	}
	return nil, errNotGeometry
}

// decodePosition accepts [x, y] and [x, y, z], ignoring the altitude that
// orb.Point, a fixed pair, would refuse.
func decodePosition(c json.RawMessage, p *orb.Point) error {
	var xs []float64
	if err := json.Unmarshal(c, &xs); err != nil {
		return err
	}
	if len(xs) < 2 {
		return errNotGeometry
	}
	*p = orb.Point{xs[0], xs[1]}
	return nil
}

// representativePoint is the point itself for a point and the centroid for
// anything else, as geo_point_2d is on Opendatasoft.
func representativePoint(g orb.Geometry) (catalog.GeoPoint, bool) {
	var p orb.Point
	switch g := g.(type) {
	case orb.Point:
		p = g
	default:
		if g.Bound().IsEmpty() && g.Dimensions() > 0 {
			return catalog.GeoPoint{}, false
		}
		p, _ = planar.CentroidArea(g)
	}
	if !inLatRange(p.Lat()) || !inLonRange(p.Lon()) {
		return catalog.GeoPoint{}, false
	}
	return catalog.GeoPoint{Lat: p.Lat(), Lon: p.Lon()}, true
}

// formatGeoPoint writes the "lat, lon" text form.
func formatGeoPoint(p catalog.GeoPoint) string {
	return strconv.FormatFloat(p.Lat, 'f', -1, 64) + ", " + strconv.FormatFloat(p.Lon, 'f', -1, 64)
}

// compactJSON returns s without insignificant whitespace, or nil if s is not
// valid JSON.
func compactJSON(s string) json.RawMessage {
	var b bytes.Buffer
	b.Grow(len(s))
	if err := json.Compact(&b, []byte(s)); err != nil {
		return nil
	}
	return b.Bytes()
}
