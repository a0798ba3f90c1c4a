package ingest

import (
	"strings"

	"github.com/socle/socle/internal/catalog"
	"github.com/socle/socle/internal/errs"
)

// castFunc converts one non-empty cell.
type castFunc func(s string) (any, bool)

// Caster turns raw cells into catalog rows typed as documented on
// catalog.FieldType.
type Caster struct {
	fields []catalog.Field
	cols   []int // source column of each field, -1 if none
	casts  []castFunc
	point  int // index of the derived geo_point_2d field, -1 if none
	lat    int
	lon    int
	comma  bool
}

// NewCaster prepares casting of records with this header into fields, which
// are matched to columns by name (catalog.UniqueNames of the header), so that
// fields may be reordered or retyped after inference. A geo_point_2d field
// that matches no column is derived from the latitude and longitude columns;
// any other unmatched field is always null.
func NewCaster(fields []catalog.Field, header []string, delimiter rune) *Caster {
	names := catalog.UniqueNames(header)
	index := make(map[string]int, len(names))
	for i, n := range names {
		index[n] = i
	}
	c := &Caster{fields: fields, point: -1, comma: delimiter != ','}
	c.lat, c.lon = latLonColumns(names)
	for i, f := range fields {
		col, ok := index[f.Name]
		if !ok {
			col = -1
			if f.Type == catalog.TypeGeoPoint && c.lat >= 0 && c.point < 0 {
				c.point = i
			}
		}
		c.cols = append(c.cols, col)
		c.casts = append(c.casts, c.castFor(f.Type))
	}
	return c
}

func (c *Caster) castFor(t catalog.FieldType) castFunc {
	switch t {
	case catalog.TypeInt:
		return func(s string) (any, bool) { return ok2any(parseInt(s, c.comma)) }
	case catalog.TypeDouble:
		return func(s string) (any, bool) { return ok2any(parseFloat(s, c.comma)) }
	case catalog.TypeBoolean:
		return func(s string) (any, bool) { return ok2any(parseBool(s)) }
	case catalog.TypeDate:
		return func(s string) (any, bool) { return ok2any(parseDate(s)) }
	case catalog.TypeDateTime:
		return castDateTime
	case catalog.TypeGeoPoint:
		return castGeoPoint
	case catalog.TypeGeoShape:
		return castGeoShape
	case catalog.TypeJSON:
		return castJSON
	}
	return func(s string) (any, bool) { return s, true }
}

func ok2any[T any](v T, ok bool) (any, bool) { return v, ok }

// castGeoPoint accepts the point forms of parseGeoPoint and GeoJSON
// geometries, whose representative point it takes.
func castGeoPoint(s string) (any, bool) {
	if p, ok := parseGeoPoint(s); ok {
		return p, true
	}
	if _, g, ok := parseGeometry(s); ok {
		return ok2any(representativePoint(g))
	}
	return nil, false
}

// castDateTime also accepts a bare date, as inference does for a column
// mixing dates and datetimes: midnight UTC of that day.
func castDateTime(s string) (any, bool) {
	if t, ok := parseDateTime(s); ok {
		return t, true
	}
	return ok2any(parseDate(s))
}

func castGeoShape(s string) (any, bool) {
	raw, _, ok := parseGeometry(s)
	return raw, ok
}

func castJSON(s string) (any, bool) {
	raw := compactJSON(strings.TrimSpace(s))
	return raw, raw != nil
}

// Cast converts one record aligned with the header into a row aligned with
// the fields. Empty cells and Null become nil. A cell that does not fit its
// field's type is an errs.Invalid error naming the field and the value.
func (c *Caster) Cast(cells []string) (catalog.Row, error) {
	row := make(catalog.Row, len(c.fields))
	for i, col := range c.cols {
		if col < 0 || col >= len(cells) || isEmpty(cells[col]) {
			continue
		}
		v, ok := c.casts[i](cells[col])
		if !ok {
			return nil, errs.E(errs.Invalid, "field %s: %q is not a valid %s", c.fields[i].Name, truncate(cells[col]), c.fields[i].Type)
		}
		row[i] = v
	}
	if c.point >= 0 {
		row[c.point] = c.derivedPoint(cells)
	}
	return row, nil
}

// derivedPoint builds geo_point_2d from the latitude and longitude cells; nil
// when either is missing or out of range (their own fields report bad numbers).
func (c *Caster) derivedPoint(cells []string) any {
	if c.lat >= len(cells) || c.lon >= len(cells) {
		return nil
	}
	lat, ok1 := parseFloat(cells[c.lat], c.comma)
	lon, ok2 := parseFloat(cells[c.lon], c.comma)
	if !ok1 || !ok2 || !inLatRange(lat) || !inLonRange(lon) {
		return nil
	}
	return catalog.GeoPoint{Lat: lat, Lon: lon}
}
