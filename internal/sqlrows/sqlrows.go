// Package sqlrows adapts database/sql result sets of compiled ODSQL queries
// to records.Rows. Both storage engines share it; each passes its own
// conversion from scanned SQL values to catalog values.
package sqlrows

import (
	"database/sql"
	"fmt"
	"io"

	"github.com/socle/socle/internal/catalog"
	"github.com/socle/socle/internal/export"
	"github.com/socle/socle/internal/odsql"
	"github.com/socle/socle/internal/records"
)

// Convert turns the scanned SQL values of one row into catalog values.
type Convert func(cols []catalog.Field, raw []any) catalog.Row

type rows struct {
	rs      *sql.Rows
	c       *odsql.Compiled
	cols    []catalog.Field
	convert Convert
	done    func() error
	raw     []any
	ptrs    []any
	width   int // SQL columns of the visible part
	cursor  *odsql.Cursor
	id      int64
}

// New wraps rs; done is called on Close (e.g. to end the read transaction).
func New(rs *sql.Rows, c *odsql.Compiled, convert Convert, done func() error) records.Rows {
	r := &rows{rs: rs, c: c, convert: convert, done: done}
	for _, col := range c.Columns {
		r.cols = append(r.cols, catalog.Field{Name: col.Name, Label: col.Name, Type: col.Type})
		r.width += col.SQLCols
	}
	n := r.width + c.CursorCols
	r.raw = make([]any, n)
	r.ptrs = make([]any, n)
	for i := range r.raw {
		r.ptrs[i] = &r.raw[i]
	}
	return r
}

func (r *rows) Columns() []catalog.Field { return r.cols }

func (r *rows) Next() (catalog.Row, error) {
	if !r.rs.Next() {
		if err := r.rs.Err(); err != nil {
			return nil, fmt.Errorf("read rows: %w", err)
		}
		return nil, io.EOF
	}
	for i := range r.raw {
		r.raw[i] = nil
	}
	if err := r.rs.Scan(r.ptrs...); err != nil {
		return nil, fmt.Errorf("scan row: %w", err)
	}
	row := r.convert(r.cols, r.raw[:r.width])
	if r.c.CursorCols > 0 {
		hidden := r.raw[r.width:]
		vals := make([]any, len(hidden)-1)
		for i, v := range hidden[:len(hidden)-1] {
			vals[i] = normalize(v)
		}
		r.id = toInt(hidden[len(hidden)-1])
		r.cursor = &odsql.Cursor{Values: vals, ID: r.id}
	}
	return row, nil
}

func (r *rows) Cursor() *odsql.Cursor { return r.cursor }
func (r *rows) ID() int64             { return r.id }

func (r *rows) Close() error {
	err := r.rs.Close()
	if r.done != nil {
		if err2 := r.done(); err == nil && err2 != nil && err2 != sql.ErrTxDone {
			err = err2
		}
	}
	return err
}

// normalize makes driver values JSON-friendly for cursors.
func normalize(v any) any {
	if b, ok := v.([]byte); ok {
		return string(b)
	}
	return v
}

func toInt(v any) int64 {
	switch x := v.(type) {
	case int64:
		return x
	case int32:
		return int64(x)
	case float64:
		return int64(x)
	}
	return 0
}

// Facets reads a compiled facet query: each row is (value, count). Values
// are rendered as text through their type, so that both engines name a
// boolean "true"/"false" and a number the same way.
func Facets(rs *sql.Rows, c *odsql.Compiled, convert Convert) ([]records.FacetValue, error) {
	defer rs.Close()
	col := catalog.Field{Name: "value", Type: catalog.TypeText}
	if len(c.Columns) > 0 {
		col.Type = c.Columns[0].Type
	}
	var out []records.FacetValue
	for rs.Next() {
		var v any
		var n int64
		if err := rs.Scan(&v, &n); err != nil {
			return nil, fmt.Errorf("scan facet: %w", err)
		}
		label := export.TextValue(col.Type, convert([]catalog.Field{col}, []any{normalize(v)})[0])
		out = append(out, records.FacetValue{Name: label, Value: label, Count: n})
	}
	return out, rs.Err()
}
