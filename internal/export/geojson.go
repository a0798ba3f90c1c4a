package export

import (
	"bufio"
	"encoding/json"
	"io"
	"strconv"

	"github.com/socle/socle/internal/catalog"
	"github.com/socle/socle/internal/errs"
)

// geoJSONWriter writes a GeoJSON FeatureCollection (RFC 7946). The geometry
// of each feature is the first geo_shape field if the dataset has one, else
// the first geo_point_2d field as a Point; that field is left out of the
// properties, every other field goes in them as its JSONValue. A row whose
// geometry field is null gets "geometry": null.
type geoJSONWriter struct {
	w      *bufio.Writer
	fields []catalog.Field
	keys   [][]byte
	geom   int // index of the geometry field
	n      int
	enc    valueEncoder
}

func newGeoJSONWriter(w io.Writer, fields []catalog.Field) (*geoJSONWriter, error) {
	geom := GeometryField(fields)
	if geom < 0 {
		return nil, errs.E(errs.Invalid, "geojson export needs a geo_point_2d or geo_shape field")
	}
	return &geoJSONWriter{
		w:      bufio.NewWriterSize(w, bufferSize),
		fields: fields,
		keys:   encodeKeys(fields),
		geom:   geom,
		enc:    newValueEncoder(),
	}, nil
}

// GeometryField returns the index of the field holding the geometry of a
// feature: the first geo_shape field, else the first geo_point_2d one; -1
// if there is none. OGC API Features uses it too, so that a collection's
// features have the geometry of the dataset's GeoJSON export.
func GeometryField(fields []catalog.Field) int {
	point := -1
	for i, f := range fields {
		if f.Type == catalog.TypeGeoShape {
			return i
		}
		if f.Type == catalog.TypeGeoPoint && point < 0 {
			point = i
		}
	}
	return point
}

func (g *geoJSONWriter) Write(row catalog.Row) error {
	if err := checkRow(row, g.fields); err != nil {
		return err
	}
	if g.n == 0 {
		g.w.WriteString(`{"type":"FeatureCollection","features":[` + "\n")
	} else {
		g.w.WriteString(",\n")
	}
	g.n++
	g.w.WriteString(`{"type":"Feature","geometry":`)
	g.w.Write(geometryJSON(row[g.geom]))
	g.w.WriteString(`,"properties":{`)
	first := true
	for i, v := range row {
		if i == g.geom {
			continue
		}
		if !first {
			g.w.WriteByte(',')
		}
		first = false
		g.w.Write(g.keys[i])
		if err := g.enc.encode(g.w, JSONValue(g.fields[i].Type, v)); err != nil {
			return err
		}
	}
	_, err := g.w.WriteString("}}")
	return err
}

// geometryJSON returns the GeoJSON geometry of a geo_shape or geo_point_2d
// value, "null" when it is null or unusable.
func geometryJSON(v any) []byte {
	switch v := v.(type) {
	case json.RawMessage:
		if json.Valid(v) {
			return v
		}
	case string:
		if json.Valid([]byte(v)) {
			return []byte(v)
		}
	case catalog.GeoPoint:
		if finite(v.Lon) && finite(v.Lat) {
			b := []byte(`{"type":"Point","coordinates":[`)
			b = strconv.AppendFloat(b, v.Lon, 'g', -1, 64)
			b = append(b, ',')
			b = strconv.AppendFloat(b, v.Lat, 'g', -1, 64)
			return append(b, "]}"...)
		}
	}
	return []byte("null")
}

func (g *geoJSONWriter) Close() error {
	if g.n == 0 {
		g.w.WriteString(`{"type":"FeatureCollection","features":[` + "\n")
	}
	g.w.WriteString("\n]}\n")
	return g.w.Flush()
}
