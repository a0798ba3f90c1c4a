package export

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/socle/socle/internal/catalog"
)

// Layouts of dates and datetimes as ODS prints them: datetimes in UTC with
// an explicit "+00:00" offset rather than "Z".
const (
	dateLayout     = "2006-01-02"
	dateTimeLayout = "2006-01-02T15:04:05.999999999-07:00"
)

// shapeFeature is the ODS v2.1 JSON shape of a geo_shape value.
type shapeFeature struct {
	Type       string          `json:"type"`
	Geometry   json.RawMessage `json:"geometry"`
	Properties struct{}        `json:"properties"`
}

// JSONValue returns the ODS Explore v2.1 JSON representation of v, a value
// of type t, ready for encoding/json: dates as "2006-01-02", datetimes as
// RFC 3339 with a "+00:00" offset, points as {"lon","lat"}, shapes as a
// GeoJSON Feature with empty properties, json as the raw JSON. NaN and
// infinities become nil (JSON null). The result always marshals without
// error: invalid raw JSON is returned as a string.
func JSONValue(t catalog.FieldType, v any) any {
	switch v := v.(type) {
	case nil:
		return nil
	case string:
		if t == catalog.TypeJSON || t == catalog.TypeGeoShape {
			return jsonOfRaw(t, []byte(v))
		}
		return v
	case int64, bool:
		return v
	case float64:
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil
		}
		return v
	case time.Time:
		if t == catalog.TypeDate {
			return formatDate(v.UTC())
		}
		return formatDateTime(v.UTC())
	case catalog.GeoPoint:
		if !finite(v.Lon) || !finite(v.Lat) {
			return nil
		}
		return v
	case json.RawMessage:
		return jsonOfRaw(t, v)
	case []byte:
		return jsonOfRaw(t, v)
	}
	return fmt.Sprint(v)
}

// jsonOfRaw returns raw JSON as a value of type t: a geo_shape Feature or
// the JSON itself; invalid JSON degrades to a string.
func jsonOfRaw(t catalog.FieldType, raw []byte) any {
	if !json.Valid(raw) {
		if t == catalog.TypeGeoShape {
			return nil
		}
		return string(raw)
	}
	if t == catalog.TypeGeoShape {
		return shapeFeature{Type: "Feature", Geometry: raw}
	}
	return json.RawMessage(raw)
}

// TextValue returns the CSV and XLSX text of v, a value of type t: dates as
// "2006-01-02", datetimes as RFC 3339 with "+00:00", points as "lat, lon"
// (the ODS CSV convention), shapes as their GeoJSON geometry, doubles
// without exponent for ordinary magnitudes. Null, NaN and infinities give "".
func TextValue(t catalog.FieldType, v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return v
	case int64:
		return strconv.FormatInt(v, 10)
	case float64:
		return formatDouble(v)
	case bool:
		return strconv.FormatBool(v)
	case time.Time:
		if t == catalog.TypeDate {
			return formatDate(v.UTC())
		}
		return formatDateTime(v.UTC())
	case catalog.GeoPoint:
		if !finite(v.Lon) || !finite(v.Lat) {
			return ""
		}
		return formatDouble(v.Lat) + ", " + formatDouble(v.Lon)
	case json.RawMessage:
		return string(v)
	case []byte:
		return string(v)
	}
	return fmt.Sprint(v)
}

// formatDouble prints f in plain decimal notation when 1e-6 ≤ |f| < 1e21
// (as JSON does), in exponent notation beyond, and "" for NaN and ±Inf.
func formatDouble(f float64) string {
	if !finite(f) {
		return ""
	}
	if a := math.Abs(f); a != 0 && (a < 1e-6 || a >= 1e21) {
		return strconv.FormatFloat(f, 'g', -1, 64)
	}
	return strconv.FormatFloat(f, 'f', -1, 64)
}

func finite(f float64) bool { return !math.IsNaN(f) && !math.IsInf(f, 0) }

// formatDate and formatDateTime write the common case by hand: Format with
// a layout was a tenth of an export's CPU. Years outside 0..9999 and times
// with fractions of a second go through Format.
func formatDate(t time.Time) string {
	y, m, d := t.Date()
	if y < 0 || y > 9999 {
		return t.Format(dateLayout)
	}
	var b [10]byte
	put4(b[0:], y)
	b[4] = '-'
	put2(b[5:], int(m))
	b[7] = '-'
	put2(b[8:], d)
	return string(b[:])
}

func formatDateTime(t time.Time) string {
	y := t.Year()
	if y < 0 || y > 9999 || t.Nanosecond() != 0 {
		return t.Format(dateTimeLayout)
	}
	_, m, d := t.Date()
	hh, mm, ss := t.Clock()
	var b [25]byte
	put4(b[0:], y)
	b[4] = '-'
	put2(b[5:], int(m))
	b[7] = '-'
	put2(b[8:], d)
	b[10] = 'T'
	put2(b[11:], hh)
	b[13] = ':'
	put2(b[14:], mm)
	b[16] = ':'
	put2(b[17:], ss)
	copy(b[19:], "+00:00")
	return string(b[:])
}

func put2(b []byte, v int) { b[0], b[1] = byte('0'+v/10), byte('0'+v%10) }

func put4(b []byte, v int) {
	put2(b, v/100)
	put2(b[2:], v%100)
}
