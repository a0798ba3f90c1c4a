package app

import (
	"context"

	"github.com/socle/socle/internal/catalog"
	"github.com/socle/socle/internal/errs"
	"github.com/socle/socle/internal/odsql"
	"github.com/socle/socle/internal/records"
)

// shareStore wraps the engine's records.Store so that every query on a
// dataset view made for a partner (catalog.SharedView) sees only what the
// agreement shares: the caller's query may name only the visible fields,
// its full-text search covers only them, its default select lists only
// them, and the agreement's row filter is ANDed into it. Every reader of
// records (API, exports, portal pages) goes through App.Store, so this is
// the one place where agreements meet queries.
type shareStore struct{ Store }

// Query implements records.Store.
func (s shareStore) Query(ctx context.Context, ds *catalog.Dataset, q *odsql.Query) (records.Rows, error) {
	q, err := shareQuery(ds, q)
	if err != nil {
		return nil, err
	}
	return s.Store.Query(ctx, ds, q)
}

// Page implements records.Store.
func (s shareStore) Page(ctx context.Context, ds *catalog.Dataset, q *odsql.Query) (records.Rows, int64, error) {
	q, err := shareQuery(ds, q)
	if err != nil {
		return nil, 0, err
	}
	return s.Store.Page(ctx, ds, q)
}

// Count implements records.Store.
func (s shareStore) Count(ctx context.Context, ds *catalog.Dataset, q *odsql.Query) (int64, error) {
	q, err := shareQuery(ds, q)
	if err != nil {
		return 0, err
	}
	return s.Store.Count(ctx, ds, q)
}

// Facet implements records.Store; a hidden field has no facet.
func (s shareStore) Facet(ctx context.Context, ds *catalog.Dataset, q *odsql.Query, field string, limit int) ([]records.FacetValue, error) {
	if ds.Shared != nil {
		if _, ok := ds.Field(field); !ok {
			return nil, errs.E(errs.Invalid, "unknown facet field %q", field)
		}
	}
	q, err := shareQuery(ds, q)
	if err != nil {
		return nil, err
	}
	return s.Store.Facet(ctx, ds, q, field, limit)
}

// Record implements records.Store: a record outside the row filter is not
// found, and the row holds only the visible fields, in their order.
func (s shareStore) Record(ctx context.Context, ds *catalog.Dataset, id int64) (catalog.Row, error) {
	v := ds.Shared
	if v == nil {
		return s.Store.Record(ctx, ds, id)
	}
	if v.Filter != "" {
		if err := s.inFilter(ctx, ds, id); err != nil {
			return nil, err
		}
	}
	row, err := s.Store.Record(ctx, ds, id)
	if err != nil {
		return nil, err
	}
	out := make(catalog.Row, 0, len(ds.Fields))
	for i, f := range v.AllFields {
		if _, ok := ds.Field(f.Name); ok && i < len(row) {
			out = append(out, row[i])
		}
	}
	return out, nil
}

// inFilter checks that record id passes the view's row filter: the first
// row after id-1 (keyset on _id) under the filter must be id itself.
func (s shareStore) inFilter(ctx context.Context, ds *catalog.Dataset, id int64) error {
	w, err := odsql.ParseWhere(ds.Shared.Filter)
	if err != nil {
		return errs.Wrap(errs.Internal, err, "agreement row filter")
	}
	rows, err := s.Store.Query(ctx, ds, &odsql.Query{Where: []odsql.Expr{w}, Limit: 1, After: &odsql.Cursor{ID: id - 1}})
	if err != nil {
		return err
	}
	defer rows.Close()
	if _, err := rows.Next(); err != nil || rows.ID() != id {
		return errs.E(errs.NotFound, "record %d not found", id)
	}
	return nil
}

// shareQuery returns q as a view lets it run: checked against the visible
// fields, full-text search and the default select narrowed to them, and
// the row filter ANDed in. q itself is not changed.
func shareQuery(ds *catalog.Dataset, q *odsql.Query) (*odsql.Query, error) {
	v := ds.Shared
	if v == nil {
		return q, nil
	}
	out := *q
	hiding := len(ds.Fields) < len(v.AllFields)
	if hiding {
		sel, err := visibleSelect(ds.Fields, q.Select)
		if err != nil {
			return nil, err
		}
		out.Select = sel
		out.Where = make([]odsql.Expr, len(q.Where))
		for i, w := range q.Where {
			out.Where[i] = narrowSearch(w, ds.Fields)
		}
	}
	// The caller's query may name only what it sees.
	if _, err := odsql.Compile(&out, ds.Fields, "view", odsql.SQLite); err != nil {
		return nil, err
	}
	if hiding && len(out.Select) == 0 && len(out.GroupBy) == 0 {
		out.Select = fieldItems(ds.Fields)
	}
	if v.Filter != "" {
		w, err := odsql.ParseWhere(v.Filter)
		if err != nil {
			return nil, errs.Wrap(errs.Internal, err, "agreement row filter")
		}
		out.Where = append([]odsql.Expr{w}, out.Where...)
	}
	return &out, nil
}
