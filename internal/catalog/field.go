package catalog

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// FieldType is the type of a dataset field, named as in Opendatasoft's
// Explore API v2.1 so that the records API can expose it unchanged.
type FieldType string

// The field types. Go representation of a non-null value of each type, used
// everywhere rows travel between packages (ingest → store → export):
//
//	text          string
//	int           int64
//	double        float64
//	boolean       bool
//	date          time.Time, UTC midnight of the calendar day
//	datetime      time.Time, in UTC
//	geo_point_2d  GeoPoint
//	geo_shape     json.RawMessage holding a GeoJSON geometry object
//	json          json.RawMessage
//
// A null value is a nil interface.
const (
	TypeText     FieldType = "text"
	TypeInt      FieldType = "int"
	TypeDouble   FieldType = "double"
	TypeBoolean  FieldType = "boolean"
	TypeDate     FieldType = "date"
	TypeDateTime FieldType = "datetime"
	TypeGeoPoint FieldType = "geo_point_2d"
	TypeGeoShape FieldType = "geo_shape"
	TypeJSON     FieldType = "json"
)

// Valid reports whether t is one of the known types.
func (t FieldType) Valid() bool {
	switch t {
	case TypeText, TypeInt, TypeDouble, TypeBoolean, TypeDate, TypeDateTime,
		TypeGeoPoint, TypeGeoShape, TypeJSON:
		return true
	}
	return false
}

// Numeric reports whether values of t are numbers.
func (t FieldType) Numeric() bool { return t == TypeInt || t == TypeDouble }

// GeoPoint is a WGS84 point. JSON encodes as ODS does: {"lon":…,"lat":…}.
type GeoPoint struct {
	Lon float64 `json:"lon"`
	Lat float64 `json:"lat"`
}

// Field describes one column of a dataset.
type Field struct {
	Name        string    `json:"name"` // normalized identifier, see NormalizeName
	Label       string    `json:"label"`
	Type        FieldType `json:"type"`
	Description string    `json:"description,omitempty"`
	Unit        string    `json:"unit,omitempty"`
	// Facet marks fields offered as facets (refine/exclude and /facets).
	Facet bool `json:"facet,omitempty"`
	// Indexed fields get a database index in every version, for fast
	// filters on large datasets (each costs time at import).
	Indexed bool `json:"indexed,omitempty"`
}

// Row is one record: values aligned with a []Field, typed as documented on
// FieldType.
type Row []any

// NormalizeName turns a column label into a field name the way Opendatasoft
// does: accents folded, lower case, runs of other characters collapsed to
// '_', no leading digit. It never returns an empty string.
func NormalizeName(label string) string {
	var b strings.Builder
	underscore := false
	for _, r := range norm.NFD.String(strings.TrimSpace(label)) {
		switch {
		case unicode.Is(unicode.Mn, r):
			continue
		case r < 128 && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			b.WriteRune(unicode.ToLower(r))
			underscore = false
		default:
			if !underscore && b.Len() > 0 {
				b.WriteByte('_')
				underscore = true
			}
		}
	}
	s := strings.TrimRight(b.String(), "_")
	if s == "" {
		return "field"
	}
	if s[0] >= '0' && s[0] <= '9' {
		s = "f_" + s
	}
	if len(s) > maxNameLen {
		s = strings.TrimRight(s[:maxNameLen], "_")
	}
	return s
}

// maxNameLen keeps a field's storage columns (a geo point adds "__lat",
// a duplicate "_NN") within PostgreSQL's 63-byte identifier limit.
const maxNameLen = 52

// UniqueNames normalizes labels and suffixes duplicates with _2, _3… so that
// every field name of a dataset is distinct.
func UniqueNames(labels []string) []string {
	seen := make(map[string]bool, len(labels))
	out := make([]string, len(labels))
	for i, l := range labels {
		base := NormalizeName(l)
		name := base
		for n := 2; seen[name] || reserved(name); n++ {
			name = base + "_" + itoa(n) // within the limit: base is ≤ 52 bytes
		}
		seen[name] = true
		out[i] = name
	}
	return out
}

// reserved names collide with columns every records table has.
func reserved(name string) bool { return name == "_id" || strings.HasPrefix(name, "_socle") }

func itoa(n int) string {
	if n < 10 {
		return string(rune('0' + n))
	}
	return itoa(n/10) + string(rune('0'+n%10))
}
