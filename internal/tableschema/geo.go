package tableschema

import (
	"bytes"
	"encoding/json"
	"strings"

	"github.com/socle/socle/internal/catalog"
)

// castGeoPoint reads the three geopoint formats: "lon, lat" (default),
// "[lon, lat]" (array) and {"lon": …, "lat": …} (object).
func castGeoPoint(format, raw string) (any, bool, string) {
	switch format {
	case "array", "object":
		var v any
		if err := json.Unmarshal([]byte(raw), &v); err != nil {
			return nil, false, "not JSON"
		}
		return geoPointNative(format, v)
	}
	lon, lat, ok := strings.Cut(raw, ",")
	if !ok {
		return nil, false, `expected "lon, lat"`
	}
	x, ok1 := parseFloat(strings.TrimSpace(lon))
	y, ok2 := parseFloat(strings.TrimSpace(lat))
	if !ok1 || !ok2 {
		return nil, false, `expected "lon, lat"`
	}
	return geoPoint(x, y)
}

// geoPointNative reads a decoded JSON array or object.
func geoPointNative(format string, v any) (any, bool, string) {
	switch t := v.(type) {
	case []any:
		if format == "object" || len(t) != 2 {
			return nil, false, "expected [lon, lat]"
		}
		x, ok1 := toFloat(t[0])
		y, ok2 := toFloat(t[1])
		if !ok1 || !ok2 {
			return nil, false, "expected [lon, lat]"
		}
		return geoPoint(x, y)
	case map[string]any:
		if format != "object" || len(t) != 2 {
			return nil, false, `expected {"lon": …, "lat": …}`
		}
		x, ok1 := toFloat(t["lon"])
		y, ok2 := toFloat(t["lat"])
		if !ok1 || !ok2 {
			return nil, false, `expected {"lon": …, "lat": …}`
		}
		return geoPoint(x, y)
	}
	return nil, false, "not a point"
}

// geoPoint rejects coordinates outside WGS84 bounds (NaN included).
func geoPoint(lon, lat float64) (any, bool, string) {
	if !(lon >= -180 && lon <= 180 && lat >= -90 && lat <= 90) {
		return nil, false, "coordinates out of range"
	}
	return catalog.GeoPoint{Lon: lon, Lat: lat}, true, ""
}

// toFloat accepts JSON numbers and numeric strings (Python's Decimal()
// accepts both inside a geopoint).
func toFloat(v any) (float64, bool) {
	switch n := v.(type) {
	case float64:
		return n, true
	case int:
		return float64(n), true
	case int64:
		return float64(n), true
	case json.Number:
		x, err := n.Float64()
		return x, err == nil
	case string:
		return parseFloat(strings.TrimSpace(n))
	}
	return 0, false
}

// castJSON reads object and array cells; the value is the compact JSON.
func castJSON(typ, raw string) (any, bool, string) {
	var v any
	if err := json.Unmarshal([]byte(raw), &v); err != nil {
		return nil, false, "not JSON"
	}
	return jsonNative(typ, v)
}

func jsonNative(typ string, v any) (any, bool, string) {
	switch v.(type) {
	case map[string]any:
		if typ != "object" {
			return nil, false, "expected a JSON array"
		}
	case []any:
		if typ != "array" {
			return nil, false, "expected a JSON object"
		}
	default:
		return nil, false, "expected a JSON " + typ
	}
	return compactJSON(v), true, ""
}

func compactJSON(v any) json.RawMessage {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v) // values come from json.Unmarshal: always encodable
	return json.RawMessage(bytes.TrimSpace(buf.Bytes()))
}

// castGeoJSON reads a GeoJSON (or, with format topojson, TopoJSON) object.
func castGeoJSON(format, raw string) (any, bool, string) {
	var v any
	if err := json.Unmarshal([]byte(raw), &v); err != nil {
		return nil, false, "not JSON"
	}
	return geoJSONNative(format, v)
}

func geoJSONNative(format string, v any) (any, bool, string) {
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, false, "expected a JSON object"
	}
	if format == "topojson" {
		if _, ok := obj["type"].(string); !ok {
			return nil, false, "TopoJSON object without a type"
		}
		return compactJSON(v), true, ""
	}
	if !validGeoJSON(obj) {
		return nil, false, "not a GeoJSON geometry, feature or feature collection"
	}
	return compactJSON(v), true, ""
}

// positionDepth is how deeply each geometry type nests its positions.
var positionDepth = map[string]int{
	"Point": 0, "MultiPoint": 1, "LineString": 1, "MultiLineString": 2,
	"Polygon": 2, "MultiPolygon": 3,
}

// validGeoJSON checks the structure of RFC 7946 objects: types, nesting
// and positions of two or three numbers.
func validGeoJSON(obj map[string]any) bool {
	typ, _ := obj["type"].(string)
	switch typ {
	case "Feature":
		g, present := obj["geometry"]
		if !present {
			return false
		}
		if g == nil {
			return true // an unlocated feature is valid GeoJSON
		}
		gm, ok := g.(map[string]any)
		return ok && validGeometry(gm)
	case "FeatureCollection":
		fs, ok := obj["features"].([]any)
		if !ok {
			return false
		}
		for _, f := range fs {
			fm, ok := f.(map[string]any)
			if !ok || fm["type"] != "Feature" || !validGeoJSON(fm) {
				return false
			}
		}
		return true
	}
	return validGeometry(obj)
}

func validGeometry(obj map[string]any) bool {
	typ, _ := obj["type"].(string)
	if typ == "GeometryCollection" {
		gs, ok := obj["geometries"].([]any)
		if !ok {
			return false
		}
		for _, g := range gs {
			gm, ok := g.(map[string]any)
			if !ok || !validGeometry(gm) {
				return false
			}
		}
		return true
	}
	depth, ok := positionDepth[typ]
	return ok && validCoordinates(obj["coordinates"], depth)
}

func validCoordinates(v any, depth int) bool {
	arr, ok := v.([]any)
	if !ok {
		return false
	}
	if depth == 0 {
		if len(arr) < 2 || len(arr) > 3 {
			return false
		}
		for _, n := range arr {
			if _, isString := n.(string); isString {
				return false
			}
			if _, ok := toFloat(n); !ok {
				return false
			}
		}
		return true
	}
	for _, c := range arr {
		if !validCoordinates(c, depth-1) {
			return false
		}
	}
	return true
}
