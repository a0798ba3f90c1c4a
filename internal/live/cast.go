package live

import (
	"bytes"
	"encoding/json"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/socle/socle/internal/catalog"
	"github.com/socle/socle/internal/errs"
)

// Record is one pushed record: field name → JSON value.
type Record map[string]json.RawMessage

// DecodeRecords parses a push body: one JSON object or an array of objects,
// at most MaxRecords. Anything else is errs.Invalid.
func DecodeRecords(body []byte) ([]Record, error) {
	body = bytes.TrimSpace(body)
	if len(body) == 0 {
		return nil, errs.E(errs.Invalid, "the body is empty: send a JSON object or an array of objects")
	}
	if body[0] == '{' {
		var r Record
		if err := json.Unmarshal(body, &r); err != nil {
			return nil, errs.Wrap(errs.Invalid, err, "the body is not a JSON object")
		}
		return []Record{r}, nil
	}
	if body[0] != '[' {
		return nil, errs.E(errs.Invalid, "the body must be a JSON object or an array of objects")
	}
	var raw []json.RawMessage
	if err := json.Unmarshal(body, &raw); err != nil {
		return nil, errs.Wrap(errs.Invalid, err, "the body is not a JSON array")
	}
	if len(raw) > MaxRecords {
		return nil, errs.E(errs.TooLarge, "%d records in one request: at most %d", len(raw), MaxRecords)
	}
	out := make([]Record, len(raw))
	for i, m := range raw {
		if err := json.Unmarshal(m, &out[i]); err != nil || out[i] == nil {
			return nil, errs.E(errs.Invalid, "record %d is not a JSON object", i+1)
		}
	}
	return out, nil
}

// CastRecords casts records into rows aligned with fields; see CastRecord.
func CastRecords(fields []catalog.Field, recs []Record) ([]catalog.Row, error) {
	rows := make([]catalog.Row, len(recs))
	for i, rec := range recs {
		row, err := CastRecord(fields, rec)
		if err != nil {
			return nil, errs.Wrap(errs.Invalid, err, "record %d: %s", i+1, errs.Message(err))
		}
		rows[i] = row
	}
	return rows, nil
}

// CastRecord casts one record into a row aligned with fields: a field the
// record lacks is null; a name that is not a field is errs.Invalid, as is
// a value that does not cast to its field's type.
func CastRecord(fields []catalog.Field, rec Record) (catalog.Row, error) {
	idx := make(map[string]int, len(fields))
	for i, f := range fields {
		idx[f.Name] = i
	}
	row := make(catalog.Row, len(fields))
	for name, raw := range rec {
		i, ok := idx[name]
		if !ok {
			return nil, errs.E(errs.Invalid, "unknown field %q", truncate(name))
		}
		v, err := CastValue(fields[i].Type, raw)
		if err != nil {
			return nil, errs.E(errs.Invalid, "field %q (%s): %s", name, fields[i].Type, errs.Message(err))
		}
		row[i] = v
	}
	return row, nil
}

// CastValue casts one JSON value to the Go value of type t (see
// catalog.FieldType); JSON null is nil.
func CastValue(t catalog.FieldType, raw json.RawMessage) (any, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	switch t {
	case catalog.TypeText:
		return castText(raw)
	case catalog.TypeInt:
		return castInt(raw)
	case catalog.TypeDouble:
		return castDouble(raw)
	case catalog.TypeBoolean:
		return castBool(raw)
	case catalog.TypeDate:
		return castTime(raw, true)
	case catalog.TypeDateTime:
		return castTime(raw, false)
	case catalog.TypeGeoPoint:
		return castPoint(raw)
	case catalog.TypeGeoShape:
		return castShape(raw)
	case catalog.TypeJSON:
		return compact(raw)
	}
	return nil, errs.E(errs.Invalid, "unknown type %q", t)
}

func bad(raw json.RawMessage, what string) error {
	return errs.E(errs.Invalid, "%s is not %s", truncate(string(raw)), what)
}

// truncate keeps error messages short whatever the client sent.
func truncate(s string) string {
	if len(s) > 40 {
		return strings.ToValidUTF8(s[:40], "") + "…"
	}
	return s
}

// scalar returns a JSON string's content or a number's or boolean's
// literal; ok is false for objects and arrays.
func scalar(raw json.RawMessage) (s string, quoted, ok bool) {
	switch raw[0] {
	case '"':
		if err := json.Unmarshal(raw, &s); err != nil {
			return "", false, false
		}
		return s, true, true
	case '{', '[':
		return "", false, false
	}
	return string(raw), false, json.Valid(raw)
}

func castText(raw json.RawMessage) (any, error) {
	s, _, ok := scalar(raw)
	if !ok {
		return nil, bad(raw, "text")
	}
	return s, nil
}

func castInt(raw json.RawMessage) (any, error) {
	s, _, ok := scalar(raw)
	if !ok {
		return nil, bad(raw, "an integer")
	}
	s = strings.TrimSpace(s)
	if i, err := strconv.ParseInt(s, 10, 64); err == nil {
		return i, nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f != math.Trunc(f) || math.Abs(f) > 1<<53 {
		return nil, bad(raw, "an integer")
	}
	return int64(f), nil
}

func castDouble(raw json.RawMessage) (any, error) {
	s, _, ok := scalar(raw)
	if !ok {
		return nil, bad(raw, "a number")
	}
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return nil, bad(raw, "a number")
	}
	return f, nil
}

func castBool(raw json.RawMessage) (any, error) {
	s, _, ok := scalar(raw)
	switch {
	case ok && s == "true":
		return true, nil
	case ok && s == "false":
		return false, nil
	}
	return nil, bad(raw, "a boolean")
}

// timeLayouts are the accepted date and datetime forms; a time without a
// zone is UTC.
var timeLayouts = []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02T15:04", "2006-01-02"}

func castTime(raw json.RawMessage, dateOnly bool) (any, error) {
	what := "a datetime (RFC 3339)"
	if dateOnly {
		what = "a date (YYYY-MM-DD)"
	}
	s, quoted, ok := scalar(raw)
	if !ok || !quoted {
		return nil, bad(raw, what)
	}
	for _, l := range timeLayouts {
		t, err := time.Parse(l, strings.TrimSpace(s))
		if err != nil {
			continue
		}
		if t.Year() < 1 || t.Year() > 9999 {
			break
		}
		if dateOnly {
			return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC), nil
		}
		return t.UTC(), nil
	}
	return nil, bad(raw, what)
}

// castPoint accepts {"lon":…,"lat":…}, [lat, lon] and "lat, lon" (the
// forms Opendatasoft accepts) and a GeoJSON Point.
func castPoint(raw json.RawMessage) (any, error) {
	var p struct {
		Lon, Lat    *float64
		Type        string
		Coordinates []float64
	}
	var pair []float64
	var s string
	switch {
	case json.Unmarshal(raw, &pair) == nil && len(pair) == 2:
		return point(pair[0], pair[1], raw)
	case json.Unmarshal(raw, &s) == nil:
		a, b, ok := strings.Cut(s, ",")
		lat, err1 := strconv.ParseFloat(strings.TrimSpace(a), 64)
		lon, err2 := strconv.ParseFloat(strings.TrimSpace(b), 64)
		if ok && err1 == nil && err2 == nil {
			return point(lat, lon, raw)
		}
	case json.Unmarshal(raw, &p) == nil && raw[0] == '{':
		if p.Lon != nil && p.Lat != nil {
			return point(*p.Lat, *p.Lon, raw)
		}
		if p.Type == "Point" && len(p.Coordinates) == 2 {
			return point(p.Coordinates[1], p.Coordinates[0], raw)
		}
	}
	return nil, bad(raw, "a point ({\"lon\":…,\"lat\":…}, [lat, lon] or \"lat, lon\")")
}

func point(lat, lon float64, raw json.RawMessage) (any, error) {
	if !(lat >= -90 && lat <= 90 && lon >= -180 && lon <= 180) {
		return nil, bad(raw, "a point within WGS84 bounds")
	}
	return catalog.GeoPoint{Lat: lat, Lon: lon}, nil
}

// geometryTypes are the GeoJSON geometry types a geo_shape may hold.
var geometryTypes = map[string]bool{"Point": true, "MultiPoint": true, "LineString": true, "MultiLineString": true,
	"Polygon": true, "MultiPolygon": true, "GeometryCollection": true}

func castShape(raw json.RawMessage) (any, error) {
	var g struct{ Type string }
	if raw[0] != '{' || json.Unmarshal(raw, &g) != nil || !geometryTypes[g.Type] {
		return nil, bad(raw, "a GeoJSON geometry")
	}
	return compact(raw)
}

func compact(raw json.RawMessage) (any, error) {
	var b bytes.Buffer
	if err := json.Compact(&b, raw); err != nil {
		return nil, bad(raw, "JSON")
	}
	return json.RawMessage(b.Bytes()), nil
}
