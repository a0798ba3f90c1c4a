package postgres

import (
	"fmt"
	"io"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/socle/socle/internal/catalog"
	"github.com/socle/socle/internal/odsql"
	"github.com/socle/socle/internal/records"
)

// rows adapts a pgx result set of a compiled ODSQL query to records.Rows,
// as package sqlrows does for database/sql.
type rows struct {
	rs     pgx.Rows
	c      *odsql.Compiled
	cols   []catalog.Field
	done   func() error
	width  int // SQL columns of the visible part
	cursor *odsql.Cursor
	id     int64
	closed bool
}

func newRows(rs pgx.Rows, c *odsql.Compiled, done func() error) records.Rows {
	r := &rows{rs: rs, c: c, done: done}
	for _, col := range c.Columns {
		r.cols = append(r.cols, catalog.Field{Name: col.Name, Label: col.Name, Type: col.Type})
		r.width += col.SQLCols
	}
	return r
}

func (r *rows) Columns() []catalog.Field { return r.cols }

func (r *rows) Next() (catalog.Row, error) {
	if !r.rs.Next() {
		if err := r.rs.Err(); err != nil {
			return nil, queryError(fmt.Errorf("read rows: %w", err))
		}
		return nil, io.EOF
	}
	raw, err := r.rs.Values()
	if err != nil {
		return nil, fmt.Errorf("decode row: %w", err)
	}
	row := fromSQL(r.cols, raw[:r.width])
	if r.c.CursorCols > 0 {
		hidden := raw[r.width:]
		descs := r.rs.FieldDescriptions()[r.width:]
		vals := make([]any, len(hidden)-1)
		for i, v := range hidden[:len(hidden)-1] {
			vals[i] = cursorValue(v, descs[i].DataTypeOID)
		}
		r.id, _ = hidden[len(hidden)-1].(int64)
		r.cursor = &odsql.Cursor{Values: vals, ID: r.id}
	}
	return row, nil
}

func (r *rows) Cursor() *odsql.Cursor { return r.cursor }
func (r *rows) ID() int64             { return r.id }

func (r *rows) Close() error {
	if r.closed {
		return nil
	}
	r.closed = true
	r.rs.Close()
	err := r.rs.Err()
	if err2 := r.done(); err == nil {
		err = err2
	}
	return err
}

// cursorValue makes a decoded value JSON-friendly for keyset cursors, in the
// form SQLite stores and odsql parses back: dates and datetimes as text in
// odsql's stored layouts, numerics as float64.
func cursorValue(v any, oid uint32) any {
	switch x := v.(type) {
	case time.Time:
		if oid == pgtype.DateOID {
			return x.Format(odsql.StoredDateLayout)
		}
		return x.UTC().Format(odsql.StoredDateTimeLayout)
	case []byte:
		return string(x)
	case pgtype.Numeric:
		if f, ok := asFloat(x); ok {
			return f
		}
	}
	return v
}

// facets reads a compiled facet query: each row is (value, count).
func facets(rs pgx.Rows, c *odsql.Compiled) ([]records.FacetValue, error) {
	defer rs.Close()
	var out []records.FacetValue
	for rs.Next() {
		raw, err := rs.Values()
		if err != nil {
			return nil, fmt.Errorf("decode facet: %w", err)
		}
		label := ""
		if raw[0] != nil {
			label = facetLabel(raw[0], rs.FieldDescriptions()[0].DataTypeOID)
		}
		n, _ := asFloat(raw[1])
		out = append(out, records.FacetValue{Name: label, Value: label, Count: int64(n)})
	}
	if err := rs.Err(); err != nil {
		return nil, queryError(err)
	}
	return out, nil
}

func facetLabel(v any, oid uint32) string {
	if s, ok := cursorValue(v, oid).(string); ok {
		return s
	}
	return asString(v)
}
