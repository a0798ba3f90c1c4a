package sqlite

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/socle/socle/internal/catalog"
	"github.com/socle/socle/internal/sqlrows"
)

// Storage layout of a records table (odsql's SQLite dialect relies on it):
// _id INTEGER PRIMARY KEY, then one column per field, except geo_point_2d
// fields which take two REAL columns name__lat and name__lon. Dates are
// TEXT 'YYYY-MM-DD'; datetimes TEXT in UTC with a fixed width so that text
// order is time order.
const datetimeLayout = "2006-01-02T15:04:05.000000Z"

func columnType(t catalog.FieldType) string {
	switch t {
	case catalog.TypeInt, catalog.TypeBoolean:
		return "INTEGER"
	case catalog.TypeDouble:
		return "REAL"
	}
	return "TEXT"
}

func columnNames(fields []catalog.Field) []string { return sqlrows.ColumnNames(fields) }

func createTableSQL(table string, fields []catalog.Field) string {
	var b strings.Builder
	b.WriteString("CREATE TABLE " + quoteIdent(table) + " (_id INTEGER PRIMARY KEY")
	for _, f := range fields {
		if f.Type == catalog.TypeGeoPoint {
			b.WriteString(", " + quoteIdent(f.Name+"__lat") + " REAL, " + quoteIdent(f.Name+"__lon") + " REAL")
			continue
		}
		b.WriteString(", " + quoteIdent(f.Name) + " " + columnType(f.Type))
	}
	b.WriteString(")")
	return b.String()
}

// appendArgs appends the SQL arguments of row (aligned with fields) to args.
func appendArgs(args []any, fields []catalog.Field, row catalog.Row) ([]any, error) {
	if len(row) != len(fields) {
		return nil, fmt.Errorf("row has %d values for %d fields", len(row), len(fields))
	}
	for i, f := range fields {
		v := row[i]
		if f.Type == catalog.TypeGeoPoint {
			p, ok := v.(catalog.GeoPoint)
			if !ok {
				args = append(args, nil, nil)
				continue
			}
			args = append(args, p.Lat, p.Lon)
			continue
		}
		a, err := toSQL(f.Type, v)
		if err != nil {
			return nil, fmt.Errorf("field %s: %w", f.Name, err)
		}
		args = append(args, a)
	}
	return args, nil
}

func toSQL(t catalog.FieldType, v any) (any, error) {
	switch x := v.(type) {
	case nil:
		return nil, nil
	case time.Time:
		return formatStored(t, x), nil
	case bool:
		if x {
			return int64(1), nil
		}
		return int64(0), nil
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return nil, nil
		}
		return x, nil
	case json.RawMessage:
		return string(x), nil
	case string, int64:
		return x, nil
	case int:
		return int64(x), nil
	}
	return nil, fmt.Errorf("unsupported value %T", v)
}

// fromSQL converts scanned SQL values into catalog values, consuming two
// values for geo points. It returns the converted row.
func fromSQL(cols []catalog.Field, raw []any) catalog.Row {
	return sqlrows.AssembleRow(cols, raw, convert)
}

func convert(t catalog.FieldType, v any) any {
	if v == nil {
		return nil
	}
	switch t {
	case catalog.TypeInt:
		if f, ok := asFloat(v); ok {
			if i, isInt := v.(int64); isInt {
				return i
			}
			return int64(math.Round(f))
		}
	case catalog.TypeDouble:
		if f, ok := asFloat(v); ok {
			return f
		}
	case catalog.TypeBoolean:
		if f, ok := asFloat(v); ok {
			return f != 0
		}
		if b, ok := v.(bool); ok {
			return b
		}
	case catalog.TypeDate, catalog.TypeDateTime:
		return parseStoredTime(asString(v))
	case catalog.TypeGeoShape, catalog.TypeJSON:
		return json.RawMessage(asString(v))
	default:
		return asString(v)
	}
	return nil
}

// parseStoredTime reads the fixed-width stored forms directly: time.Parse
// with a layout was a fifth of an export's CPU.
func parseStoredTime(s string) any {
	if t, ok := parseFixed(s); ok {
		return t
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02 15:04:05"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC()
		}
	}
	return nil
}

// parseFixed parses "YYYY-MM-DD" and "YYYY-MM-DDTHH:MM:SS.ffffffZ".
func parseFixed(s string) (time.Time, bool) {
	if len(s) != 10 && len(s) != len(datetimeLayout) {
		return time.Time{}, false
	}
	num := func(i, n int) (int, bool) {
		v := 0
		for _, c := range []byte(s[i : i+n]) {
			if c < '0' || c > '9' {
				return 0, false
			}
			v = v*10 + int(c-'0')
		}
		return v, true
	}
	y, ok1 := num(0, 4)
	mo, ok2 := num(5, 2)
	d, ok3 := num(8, 2)
	if !ok1 || !ok2 || !ok3 || s[4] != '-' || s[7] != '-' {
		return time.Time{}, false
	}
	if len(s) == 10 {
		return time.Date(y, time.Month(mo), d, 0, 0, 0, 0, time.UTC), true
	}
	h, ok1 := num(11, 2)
	mi, ok2 := num(14, 2)
	sec, ok3 := num(17, 2)
	us, ok4 := num(20, 6)
	if !ok1 || !ok2 || !ok3 || !ok4 || s[10] != 'T' || s[19] != '.' || s[26] != 'Z' {
		return time.Time{}, false
	}
	return time.Date(y, time.Month(mo), d, h, mi, sec, us*1000, time.UTC), true
}

func asFloat(v any) (float64, bool) {
	switch x := v.(type) {
	case int64:
		return float64(x), true
	case float64:
		return x, true
	}
	return 0, false
}

func asString(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case []byte:
		return string(x)
	}
	return fmt.Sprint(v)
}

// formatStored writes a date or datetime in its fixed-width stored form by
// hand (time.Format was a tenth of an import's inserting goroutine).
func formatStored(t catalog.FieldType, x time.Time) string {
	x = x.UTC()
	y, mo, d := x.Date()
	if y < 0 || y > 9999 {
		if t == catalog.TypeDate {
			return x.Format("2006-01-02")
		}
		return x.Format(datetimeLayout)
	}
	var b [27]byte
	put := func(i, v, n int) {
		for j := i + n - 1; j >= i; j-- {
			b[j] = byte('0' + v%10)
			v /= 10
		}
	}
	put(0, y, 4)
	b[4] = '-'
	put(5, int(mo), 2)
	b[7] = '-'
	put(8, d, 2)
	if t == catalog.TypeDate {
		return string(b[:10])
	}
	h, mi, sec := x.Clock()
	b[10] = 'T'
	put(11, h, 2)
	b[13] = ':'
	put(14, mi, 2)
	b[16] = ':'
	put(17, sec, 2)
	b[19] = '.'
	put(20, x.Nanosecond()/1000, 6)
	b[26] = 'Z'
	return string(b[:])
}
