package sqlrows

import (
	"fmt"
	"strings"

	"github.com/socle/socle/internal/catalog"
	"github.com/socle/socle/internal/errs"
)

// The storage layout both engines share (odsql compiles against it): a
// records table has _id, then one column per field, except geo_point_2d
// fields which take two columns name__lat and name__lon.

// ColumnNames lists the SQL columns of fields, in storage order.
func ColumnNames(fields []catalog.Field) []string {
	var out []string
	for _, f := range fields {
		if f.Type == catalog.TypeGeoPoint {
			out = append(out, f.Name+"__lat", f.Name+"__lon")
			continue
		}
		out = append(out, f.Name)
	}
	return out
}

// QuoteIdent quotes an SQL identifier (the same rule on both engines).
func QuoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// QuoteList quotes and joins column names.
func QuoteList(cols []string) string {
	q := make([]string, len(cols))
	for i, c := range cols {
		q[i] = QuoteIdent(c)
	}
	return strings.Join(q, ", ")
}

// CommonFields returns the fields of incoming that the published version
// also has, for append and upsert loads that copy the published rows. A
// field whose type changed refuses the load.
func CommonFields(published, incoming []catalog.Field) ([]catalog.Field, error) {
	old := make(map[string]catalog.FieldType, len(published))
	for _, f := range published {
		old[f.Name] = f.Type
	}
	var common []catalog.Field
	for _, f := range incoming {
		t, ok := old[f.Name]
		if !ok {
			continue
		}
		if t != f.Type {
			return nil, errs.E(errs.Invalid, "field %q is %s in the published version but %s in the new data", f.Name, t, f.Type)
		}
		common = append(common, f)
	}
	return common, nil
}

// AssembleRow converts the scanned SQL values of one row into catalog
// values with the engine's per-value conversion, consuming two values for
// each geo point.
func AssembleRow(cols []catalog.Field, raw []any, convert func(catalog.FieldType, any) any) catalog.Row {
	row := make(catalog.Row, len(cols))
	j := 0
	for i, c := range cols {
		if c.Type == catalog.TypeGeoPoint {
			lat, ok1 := convert(catalog.TypeDouble, raw[j]).(float64)
			lon, ok2 := convert(catalog.TypeDouble, raw[j+1]).(float64)
			if ok1 && ok2 {
				row[i] = catalog.GeoPoint{Lat: lat, Lon: lon}
			}
			j += 2
			continue
		}
		row[i] = convert(c.Type, raw[j])
		j++
	}
	return row
}

// IndexSQL returns the CREATE INDEX statements for the indexed fields of a
// version table; a geo point is indexed on (lat, lon).
func IndexSQL(table string, fields []catalog.Field) []string {
	var out []string
	for i, f := range fields {
		if !f.Indexed {
			continue
		}
		name := fmt.Sprintf("%s_i%d", table, i)
		out = append(out, "CREATE INDEX "+QuoteIdent(name)+" ON "+QuoteIdent(table)+" ("+QuoteList(ColumnNames([]catalog.Field{f}))+")")
	}
	return out
}
