package export

import (
	"encoding/json"
	"io"
	"reflect"
	"strconv"
	"time"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/compress"
	"github.com/parquet-go/parquet-go/encoding"

	"github.com/socle/socle/internal/catalog"
	"github.com/socle/socle/internal/errs"
)

// Parquet row groups end after RowGroupSize rows or once their values
// (before encoding) exceed rowGroupBytes, whichever comes first: the
// writer's memory grows with a row group, and long texts or shapes would
// otherwise make 64k rows weigh gigabytes. Readers parallelize over row
// groups.
const (
	RowGroupSize  = 64 << 10
	rowGroupBytes = 64 << 20
)

// parquetWriter writes one optional column per field, in field order:
//
//	text          BYTE_ARRAY  STRING
//	int           INT64
//	double        DOUBLE
//	boolean       BOOLEAN
//	date          INT32       DATE
//	datetime      INT64       TIMESTAMP(MICROS, isAdjustedToUTC=true)
//	geo_point_2d  optional group { required DOUBLE lon; required DOUBLE lat }
//	geo_shape     BYTE_ARRAY  STRING, the GeoJSON geometry
//	json          BYTE_ARRAY  JSON
//
// Points are a group rather than "lat, lon" text so that DuckDB, pandas or
// Spark read them as a struct of numbers (DuckDB: p.lon, p.lat). Shapes stay
// GeoJSON text: GeoParquet requires WKB, which Socle does not produce.
// Values are compressed with Snappy, which every reader supports.
type parquetWriter struct {
	pw     *parquet.Writer
	fields []catalog.Field
	row    parquet.Row
	rows   []parquet.Row // one-row batch handed to WriteRows
	n      int64         // rows in the current row group
	bytes  int           // approximate size of the current row group
}

func newParquetWriter(w io.Writer, fields []catalog.Field, opts Options) (*parquetWriter, error) {
	root := make(orderedGroup, len(fields))
	for i, f := range fields {
		node, err := parquetNode(f.Type)
		if err != nil {
			return nil, err
		}
		root[i] = namedNode{Node: parquet.Optional(node), name: f.Name}
	}
	options := []parquet.WriterOption{
		parquet.NewSchema("socle", root),
		parquet.Compression(&parquet.Snappy),
		parquet.CreatedBy("socle", "", ""),
	}
	if opts.Title != "" {
		options = append(options, parquet.KeyValueMetadata("title", opts.Title))
	}
	p := &parquetWriter{pw: parquet.NewWriter(w, options...), fields: fields}
	p.rows = make([]parquet.Row, 1)
	return p, nil
}

// parquetNode returns the (required) node of a field of type t.
func parquetNode(t catalog.FieldType) (parquet.Node, error) {
	switch t {
	case catalog.TypeText, catalog.TypeGeoShape:
		return parquet.String(), nil
	case catalog.TypeInt:
		return parquet.Leaf(parquet.Int64Type), nil
	case catalog.TypeDouble:
		return parquet.Leaf(parquet.DoubleType), nil
	case catalog.TypeBoolean:
		return parquet.Leaf(parquet.BooleanType), nil
	case catalog.TypeDate:
		return parquet.Date(), nil
	case catalog.TypeDateTime:
		return parquet.Timestamp(parquet.Microsecond), nil
	case catalog.TypeGeoPoint:
		return orderedGroup{
			{Node: parquet.Required(parquet.Leaf(parquet.DoubleType)), name: "lon"},
			{Node: parquet.Required(parquet.Leaf(parquet.DoubleType)), name: "lat"},
		}, nil
	case catalog.TypeJSON:
		return parquet.JSON(), nil
	}
	return nil, errs.E(errs.Invalid, "parquet export: unsupported field type %q", t)
}

func (p *parquetWriter) Write(row catalog.Row) error {
	if err := checkRow(row, p.fields); err != nil {
		return err
	}
	p.row = p.row[:0]
	for i, v := range row {
		p.row = appendParquet(p.row, p.fields[i].Type, v)
	}
	for _, v := range p.row {
		p.bytes += 8
		if !v.IsNull() && v.Kind() == parquet.ByteArray {
			p.bytes += len(v.ByteArray())
		}
	}
	p.rows[0] = p.row
	if _, err := p.pw.WriteRows(p.rows); err != nil {
		return errs.Wrap(errs.Internal, err, "export: writing a parquet row")
	}
	if p.n++; p.n >= RowGroupSize || p.bytes >= rowGroupBytes {
		p.n, p.bytes = 0, 0
		if err := p.pw.Flush(); err != nil {
			return errs.Wrap(errs.Internal, err, "export: flushing a parquet row group")
		}
	}
	return nil
}

// appendParquet appends the column values of v, of type t, to row. A
// present value has definition level 1 (its optional field is set), a null
// one level 0; a point spans two columns.
func appendParquet(row parquet.Row, t catalog.FieldType, v any) parquet.Row {
	col := len(row)
	if t == catalog.TypeGeoPoint {
		if p, ok := v.(catalog.GeoPoint); ok {
			return append(row,
				parquet.DoubleValue(p.Lon).Level(0, 1, col),
				parquet.DoubleValue(p.Lat).Level(0, 1, col+1))
		}
		return append(row, parquet.NullValue().Level(0, 0, col), parquet.NullValue().Level(0, 0, col+1))
	}
	val, ok := parquetValue(t, v)
	if !ok {
		return append(row, parquet.NullValue().Level(0, 0, col))
	}
	return append(row, val.Level(0, 1, col))
}

// parquetValue converts a non-point value; ok is false for null and for
// values the column cannot hold.
func parquetValue(t catalog.FieldType, v any) (parquet.Value, bool) {
	switch v := v.(type) {
	case nil:
		return parquet.Value{}, false
	case int64:
		if t == catalog.TypeInt {
			return parquet.Int64Value(v), true
		}
	case float64:
		if t == catalog.TypeDouble {
			return parquet.DoubleValue(v), true
		}
	case bool:
		if t == catalog.TypeBoolean {
			return parquet.BooleanValue(v), true
		}
	case time.Time:
		switch t {
		case catalog.TypeDate:
			return parquet.Int32Value(int32(daysSinceEpoch(v))), true
		case catalog.TypeDateTime:
			return parquet.Int64Value(v.UnixMicro()), true
		}
	case json.RawMessage:
		if t == catalog.TypeJSON && !json.Valid(v) {
			return parquet.Value{}, false
		}
	}
	switch t {
	case catalog.TypeText, catalog.TypeGeoShape, catalog.TypeJSON:
		return parquet.ByteArrayValue([]byte(TextValue(t, v))), true
	}
	return parquet.Value{}, false
}

// daysSinceEpoch returns the number of days from 1970-01-01 to t's UTC
// calendar day, negative before.
func daysSinceEpoch(t time.Time) int64 {
	s := t.Unix()
	d := s / 86400
	if s%86400 < 0 {
		d--
	}
	return d
}

func (p *parquetWriter) Close() error {
	if err := p.pw.Close(); err != nil {
		return errs.Wrap(errs.Internal, err, "export: writing the parquet footer")
	}
	return nil
}

// orderedGroup is a parquet group whose columns keep the order given,
// unlike parquet.Group, a map whose columns come out sorted by name.
type orderedGroup []namedNode

// namedNode is a field of an orderedGroup.
type namedNode struct {
	parquet.Node
	name string
}

func (n namedNode) Name() string { return n.name }

// Value is only used to write Go values through reflection, which the
// export does not do.
func (n namedNode) Value(base reflect.Value) reflect.Value { return reflect.Value{} }

func (g orderedGroup) ID() int                     { return 0 }
func (g orderedGroup) String() string              { return "group" }
func (g orderedGroup) Type() parquet.Type          { return parquet.Group{}.Type() }
func (g orderedGroup) Optional() bool              { return false }
func (g orderedGroup) Repeated() bool              { return false }
func (g orderedGroup) Required() bool              { return true }
func (g orderedGroup) Leaf() bool                  { return false }
func (g orderedGroup) Encoding() encoding.Encoding { return nil }
func (g orderedGroup) Compression() compress.Codec { return nil }
func (g orderedGroup) Fields() []parquet.Field {
	fields := make([]parquet.Field, len(g))
	for i, f := range g {
		fields[i] = f
	}
	return fields
}

// GoType returns a struct with one field per column, named F0, F1… and
// tagged with the column name.
func (g orderedGroup) GoType() reflect.Type {
	fields := make([]reflect.StructField, len(g))
	for i, f := range g {
		fields[i] = reflect.StructField{
			Name: "F" + strconv.Itoa(i),
			Type: f.GoType(),
			Tag:  reflect.StructTag(`parquet:` + strconv.Quote(f.name)),
		}
	}
	return reflect.StructOf(fields)
}
