package postgres

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgtype"

	"github.com/socle/socle/internal/catalog"
	"github.com/socle/socle/internal/odsql"
	"github.com/socle/socle/internal/sqlrows"
)

// Storage layout of a records table (odsql's Postgres dialect relies on
// it): _id bigint primary key, then one column per field, except
// geo_point_2d fields which take two double precision columns name__lat and
// name__lon.
func columnType(t catalog.FieldType) string {
	switch t {
	case catalog.TypeInt:
		return "bigint"
	case catalog.TypeDouble, catalog.TypeGeoPoint:
		return "double precision"
	case catalog.TypeBoolean:
		return "boolean"
	case catalog.TypeDate:
		return "date"
	case catalog.TypeDateTime:
		return "timestamptz"
	}
	return "text" // text, geo_shape (GeoJSON), json
}

func columnNames(fields []catalog.Field) []string { return sqlrows.ColumnNames(fields) }

func createTableSQL(table string, fields []catalog.Field) string {
	var b strings.Builder
	b.WriteString("CREATE TABLE " + quoteIdent(table) + " (_id bigint PRIMARY KEY")
	for _, f := range fields {
		for _, c := range columnNames([]catalog.Field{f}) {
			b.WriteString(", " + quoteIdent(c) + " " + columnType(f.Type))
		}
	}
	b.WriteString(")")
	return b.String()
}

// appendValues appends the SQL values of row (aligned with fields) to vals.
func appendValues(vals []any, fields []catalog.Field, row catalog.Row) ([]any, error) {
	if len(row) != len(fields) {
		return nil, fmt.Errorf("row has %d values for %d fields", len(row), len(fields))
	}
	for i, f := range fields {
		if f.Type == catalog.TypeGeoPoint {
			switch p := row[i].(type) {
			case catalog.GeoPoint:
				vals = append(vals, p.Lat, p.Lon)
			case nil:
				vals = append(vals, nil, nil)
			default:
				return nil, fmt.Errorf("field %s: unsupported value %T", f.Name, row[i])
			}
			continue
		}
		v, err := toSQL(f.Type, row[i])
		if err != nil {
			return nil, fmt.Errorf("field %s: %w", f.Name, err)
		}
		vals = append(vals, v)
	}
	return vals, nil
}

// toSQL checks that v is the Go representation of type t (see
// catalog.FieldType) and returns what pgx encodes into the column.
func toSQL(t catalog.FieldType, v any) (any, error) {
	if v == nil {
		return nil, nil
	}
	switch t {
	case catalog.TypeText:
		if s, ok := v.(string); ok {
			return s, nil
		}
	case catalog.TypeInt:
		switch x := v.(type) {
		case int64:
			return x, nil
		case int:
			return int64(x), nil
		}
	case catalog.TypeDouble:
		switch x := v.(type) {
		case float64:
			if math.IsNaN(x) || math.IsInf(x, 0) {
				return nil, nil // as in SQLite, which stores no NaN
			}
			return x, nil
		case int64:
			return float64(x), nil
		case int:
			return float64(x), nil
		}
	case catalog.TypeBoolean:
		if b, ok := v.(bool); ok {
			return b, nil
		}
	case catalog.TypeDate:
		if d, ok := v.(time.Time); ok {
			return time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, time.UTC), nil
		}
	case catalog.TypeDateTime:
		if d, ok := v.(time.Time); ok {
			return d.UTC(), nil
		}
	case catalog.TypeGeoShape, catalog.TypeJSON:
		switch x := v.(type) {
		case json.RawMessage:
			return string(x), nil
		case string:
			return x, nil
		case []byte:
			return string(x), nil
		}
	}
	return nil, fmt.Errorf("unsupported %s value %T", t, v)
}

// fromSQL converts decoded SQL values into catalog values, consuming two
// values for geo points.
func fromSQL(cols []catalog.Field, raw []any) catalog.Row {
	return sqlrows.AssembleRow(cols, raw, convert)
}

// convert turns one value decoded by pgx into the Go representation of t.
func convert(t catalog.FieldType, v any) any {
	if v == nil {
		return nil
	}
	switch t {
	case catalog.TypeInt:
		if i, ok := v.(int64); ok {
			return i
		}
		if f, ok := asFloat(v); ok {
			return int64(math.Round(f))
		}
	case catalog.TypeDouble:
		if f, ok := asFloat(v); ok {
			return f
		}
	case catalog.TypeBoolean:
		if b, ok := v.(bool); ok {
			return b
		}
		if f, ok := asFloat(v); ok {
			return f != 0
		}
	case catalog.TypeDate:
		if d, ok := asTime(v); ok {
			return time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, time.UTC)
		}
	case catalog.TypeDateTime:
		if d, ok := asTime(v); ok {
			return d.UTC()
		}
	case catalog.TypeGeoShape, catalog.TypeJSON:
		switch x := v.(type) {
		case string:
			return json.RawMessage(x)
		case []byte:
			return json.RawMessage(x)
		}
		b, err := json.Marshal(v)
		if err == nil {
			return json.RawMessage(b)
		}
	default:
		return asString(v)
	}
	return nil
}

func asTime(v any) (time.Time, bool) {
	switch x := v.(type) {
	case time.Time:
		return x, true
	case string:
		for _, layout := range []string{time.RFC3339Nano, odsql.StoredDateLayout, "2006-01-02 15:04:05"} {
			if t, err := time.Parse(layout, x); err == nil {
				return t, true
			}
		}
	}
	return time.Time{}, false
}

func asFloat(v any) (float64, bool) {
	switch x := v.(type) {
	case int64:
		return float64(x), true
	case int32:
		return float64(x), true
	case int16:
		return float64(x), true
	case float64:
		return x, true
	case float32:
		return float64(x), true
	case pgtype.Numeric:
		f, err := x.Float64Value()
		return f.Float64, err == nil && f.Valid
	}
	return 0, false
}

// asString renders a value as text the way SQLite would show it.
func asString(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case []byte:
		return string(x)
	case time.Time:
		return x.UTC().Format(odsql.StoredDateTimeLayout)
	case pgtype.Numeric:
		if f, ok := asFloat(x); ok {
			return fmt.Sprint(f)
		}
	}
	return fmt.Sprint(v)
}
