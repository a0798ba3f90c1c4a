package ingest

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/socle/socle/internal/catalog"
)

// typeSet is a set of candidate types, one bit per non-text catalog type.
type typeSet uint16

const (
	tInt typeSet = 1 << iota
	tDouble
	tBool
	tDate
	tDateTime
	tGeoPoint
	tGeoShape
	tJSON
	tAll = tInt | tDouble | tBool | tDate | tDateTime | tGeoPoint | tGeoShape | tJSON
)

// typeOrder is the order in which surviving candidates win: the narrowest
// type that every cell of the column satisfies.
var typeOrder = []struct {
	bit typeSet
	typ catalog.FieldType
}{
	{tInt, catalog.TypeInt}, {tDouble, catalog.TypeDouble}, {tBool, catalog.TypeBoolean},
	{tDate, catalog.TypeDate}, {tDateTime, catalog.TypeDateTime}, {tGeoPoint, catalog.TypeGeoPoint},
	{tGeoShape, catalog.TypeGeoShape}, {tJSON, catalog.TypeJSON},
}

func (s typeSet) best() catalog.FieldType {
	for _, t := range typeOrder {
		if s&t.bit != 0 {
			return t.typ
		}
	}
	return catalog.TypeText
}

// Warning is something about the data a human may want to know; it does not
// stop ingestion.
type Warning struct {
	Line    int
	Field   string
	Message string
}

// column is what inference remembers about one column: a handful of numbers,
// whatever the number of rows.
type column struct {
	cand     typeSet
	seen     int // non-empty cells
	min, max float64
	ranged   bool // track min and max (latitude and longitude candidates)
}

// Inferrer decides the type of every column by looking at every cell: a type
// holds only if no cell contradicts it, so a column of 10,000 integers and one
// "abc" is text. Feed it with Add, then call Fields.
type Inferrer struct {
	header       []string
	names        []string
	cols         []column
	commaDecimal bool
	lat, lon     int
	line         int
	warnings     []Warning
}

// NewInferrer prepares inference for a source with this header. A decimal
// comma is accepted only when the delimiter is not a comma, since "1,5" in a
// comma-separated file has already been split by the producer's own tool.
func NewInferrer(header []string, delimiter rune) *Inferrer {
	in := &Inferrer{
		header:       header,
		names:        catalog.UniqueNames(header),
		cols:         make([]column, len(header)),
		commaDecimal: delimiter != ',',
		line:         1,
	}
	in.lat, in.lon = latLonColumns(in.names)
	for i := range in.cols {
		in.cols[i] = in.initialColumn(i)
	}
	return in
}

func (in *Inferrer) initialColumn(i int) column {
	c := column{cand: tAll &^ tGeoPoint, min: 1e308, max: -1e308}
	if isGeoPointName(in.names[i]) {
		c.cand |= tGeoPoint
	}
	if isIdentifierName(in.names[i]) {
		c.cand &^= tInt | tDouble
	}
	c.ranged = i == in.lat || i == in.lon
	return c
}

// identifierWords mark columns of codes that look like numbers but are not
// quantities: SIRET and SIREN (serialised as 14 digits or even as floats by
// spreadsheets), INSEE codes and postcodes (leading zeros lost in "1053"),
// RNA numbers…
var identifierWords = map[string]bool{
	"siret": true, "siren": true, "insee": true, "rna": true, "postal": true, "codepostal": true, "cp": true,
	"code": true, "telephone": true, "tel": true, "uai": true, "finess": true, "idattribuant": true,
	"idbeneficiaire": true, "identifiant": true, "nic": true, "ape": true, "naf": true,
}

func isIdentifierName(name string) bool {
	for _, w := range strings.Split(name, "_") {
		if identifierWords[w] || strings.HasPrefix(w, "siret") || strings.HasPrefix(w, "siren") {
			return true
		}
	}
	return false
}

// Add looks at one record, aligned with the header.
func (in *Inferrer) Add(cells []string) {
	in.line++
	for i := range in.cols {
		if i >= len(cells) || isEmpty(cells[i]) {
			continue
		}
		in.addCell(i, cells[i])
	}
}

func isEmpty(s string) bool { return s == "" || s == Null || strings.TrimSpace(s) == "" }

func (in *Inferrer) addCell(i int, s string) {
	c := &in.cols[i]
	if c.cand == 0 {
		c.seen++
		return
	}
	fits := in.cellTypes(c, s)
	if left := c.cand & fits; left == 0 && c.seen > 0 && len(in.warnings) < maxWarnings {
		in.warnings = append(in.warnings, Warning{Line: in.line, Field: in.names[i],
			Message: fmt.Sprintf("%q is not %s like the %d values before it: the field is text", truncate(s), c.cand.best(), c.seen)})
	}
	c.cand &= fits
	c.seen++
}

// maxWarnings bounds memory on files where every column goes wrong.
const maxWarnings = 100

func truncate(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}

// cellTypes returns the candidate types of c that the cell s satisfies.
func (in *Inferrer) cellTypes(c *column, s string) typeSet {
	var fits typeSet
	if c.cand&(tInt|tDouble) != 0 {
		if n, ok := parseNumber(s, in.commaDecimal); ok {
			fits |= tDouble
			if n.isInt {
				fits |= tInt
			}
			if c.ranged {
				v, _ := parseFloat(s, in.commaDecimal)
				c.min, c.max = min(c.min, v), max(c.max, v)
			}
		}
	}
	if c.cand&tBool != 0 {
		if _, ok := parseBool(s); ok {
			fits |= tBool
		}
	}
	if c.cand&tDate != 0 {
		if _, ok := parseDate(s); ok {
			fits |= tDate | tDateTime
		}
	}
	if c.cand&tDateTime != 0 && fits&tDateTime == 0 {
		if _, ok := parseDateTime(s); ok {
			fits |= tDateTime
		}
	}
	if c.cand&tGeoPoint != 0 {
		if _, ok := parseGeoPoint(s); ok {
			fits |= tGeoPoint
		}
	}
	return fits | in.jsonTypes(c, s)
}

// jsonTypes recognises geometries and other JSON objects and arrays.
func (in *Inferrer) jsonTypes(c *column, s string) typeSet {
	t := strings.TrimSpace(s)
	if c.cand&(tGeoShape|tJSON) == 0 || t == "" || (t[0] != '{' && t[0] != '[') {
		return 0
	}
	if c.cand&tGeoShape != 0 {
		if _, _, ok := parseGeometry(t); ok {
			return tGeoShape | tJSON
		}
	}
	if json.Valid([]byte(t)) {
		return tJSON
	}
	return 0
}

// Fields returns one field per header column, named with
// catalog.UniqueNames, followed by a derived geo_point_2d field when the
// source has a latitude and a longitude column but no point column.
func (in *Inferrer) Fields() []catalog.Field {
	fields := make([]catalog.Field, len(in.cols), len(in.cols)+1)
	for i, c := range in.cols {
		fields[i] = catalog.Field{Name: in.names[i], Label: in.header[i], Type: catalog.TypeText}
		if c.seen > 0 {
			fields[i].Type = c.cand.best()
		}
	}
	if in.derivesPoint(fields) {
		fields = append(fields, catalog.Field{Name: geoPointField, Label: geoPointField, Type: catalog.TypeGeoPoint})
	}
	return fields
}

// derivesPoint says whether the latitude and longitude columns hold numbers
// in range and no column already takes the geo_point_2d name.
func (in *Inferrer) derivesPoint(fields []catalog.Field) bool {
	if in.lat < 0 {
		return false
	}
	for _, n := range in.names {
		if n == geoPointField {
			return false
		}
	}
	lat, lon := in.cols[in.lat], in.cols[in.lon]
	return fields[in.lat].Type.Numeric() && fields[in.lon].Type.Numeric() &&
		lat.seen > 0 && lon.seen > 0 &&
		inLatRange(lat.min) && inLatRange(lat.max) && inLonRange(lon.min) && inLonRange(lon.max)
}

// Warnings returns what inference noticed, such as the single value that
// turned a numeric column into text, with its record number.
func (in *Inferrer) Warnings() []Warning { return in.warnings }
