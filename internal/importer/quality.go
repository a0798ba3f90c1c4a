package importer

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"io"
	"os"
	"strings"

	"github.com/socle/socle/internal/app"
	"github.com/socle/socle/internal/auth"
	"github.com/socle/socle/internal/catalog"
	"github.com/socle/socle/internal/errs"
	"github.com/socle/socle/internal/export"
	"github.com/socle/socle/internal/odsql"
	"github.com/socle/socle/internal/tableschema"
)

// QualitySource is the source name of the reports CheckSchema writes.
const QualitySource = "contrôle qualité"

// CheckSchema validates the published version of dataset id against the
// Table Schema it declares, as the file a reuser would download: records
// are written, in the schema's field names and value conventions (its
// trueValues, say), to a temporary CSV that tableschema.ValidateFile reads.
// The result is kept as an import report, which the portal's quality tab
// shows. Dataset fields are matched to schema fields by normalised name; a
// schema field with no match is left out of the file, so the report names
// it as missing.
func CheckSchema(ctx context.Context, a *app.App, p auth.Principal, id string) (*tableschema.Report, error) {
	d, err := a.Dataset(ctx, p, id)
	if err != nil {
		return nil, err
	}
	if !auth.CanWrite(p, d) {
		return nil, errs.E(errs.Forbidden, "you may not check dataset %q", id)
	}
	if d.Meta.TableSchemaJSON == "" || d.Version == 0 {
		return nil, errs.E(errs.Invalid, "dataset %q declares no Table Schema or has no records", id)
	}
	s, err := tableschema.Parse(strings.NewReader(d.Meta.TableSchemaJSON))
	if err != nil {
		return nil, errs.Wrap(errs.Invalid, err, "the declared Table Schema cannot be read")
	}
	path, err := writeSchemaCSV(ctx, a, d, s)
	if err != nil {
		return nil, err
	}
	defer os.Remove(path)
	rep, err := tableschema.ValidateFile(path, s, tableschema.Options{})
	if err != nil {
		return nil, err
	}
	raw, _ := json.Marshal(map[string]any{"report": rep})
	r := &catalog.ImportReport{DatasetID: id, At: a.Now(), Actor: p.Login(), Source: QualitySource, Mode: "check",
		OK: rep.Valid, Version: d.Version, Rows: int64(rep.Stats.Rows), Detail: string(raw)}
	if !rep.Valid {
		r.Error = "les données ne sont pas conformes au schéma déclaré"
	}
	return rep, a.Store.AddImportReport(ctx, r)
}

// schemaColumn maps a schema field to a column of the query.
type schemaColumn struct {
	name  string
	col   int
	field tableschema.Field
}

// writeSchemaCSV streams the dataset's records to a temporary CSV file in
// the schema's shape and returns its path.
func writeSchemaCSV(ctx context.Context, a *app.App, d *catalog.Dataset, s *tableschema.Schema) (string, error) {
	rows, err := a.Store.Query(ctx, d, &odsql.Query{Limit: -1})
	if err != nil {
		return "", err
	}
	defer rows.Close()
	cols := matchColumns(rows.Columns(), s)
	f, err := os.CreateTemp("", "socle-check-*.csv")
	if err != nil {
		return "", err
	}
	w := csv.NewWriter(f)
	header := make([]string, len(cols))
	for i, c := range cols {
		header[i] = c.name
	}
	w.Write(header)
	types := rows.Columns()
	for {
		row, err := rows.Next()
		if err == io.EOF {
			break
		} else if err != nil {
			f.Close()
			os.Remove(f.Name())
			return "", err
		}
		cells := make([]string, len(cols))
		for i, c := range cols {
			cells[i] = schemaText(c.field, types[c.col].Type, row[c.col])
		}
		w.Write(cells)
	}
	w.Flush()
	if err := w.Error(); err != nil {
		f.Close()
		return "", err
	}
	return f.Name(), f.Close()
}

func matchColumns(fields []catalog.Field, s *tableschema.Schema) []schemaColumn {
	var out []schemaColumn
	for _, sf := range s.Fields {
		want := catalog.NormalizeName(sf.Name)
		for i, f := range fields {
			if f.Name == want {
				out = append(out, schemaColumn{name: sf.Name, col: i, field: sf})
				break
			}
		}
	}
	return out
}

// schemaText writes v as the schema field expects it: booleans with the
// schema's first true or false value, the rest as exports write them.
func schemaText(sf tableschema.Field, t catalog.FieldType, v any) string {
	if b, ok := v.(bool); ok {
		vals := sf.FalseValues
		if b {
			vals = sf.TrueValues
		}
		if len(vals) > 0 {
			return vals[0]
		}
	}
	return export.TextValue(t, v)
}
