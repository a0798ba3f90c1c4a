// Package records is the domain of querying a dataset's records: the query
// shape (an ODSQL query, see package odsql), the result stream, and the
// Store interface that storage engines implement for it.
package records

import (
	"context"

	"github.com/socle/socle/internal/catalog"
	"github.com/socle/socle/internal/odsql"
)

// Store runs ODSQL queries against a dataset's current version.
type Store interface {
	// Query streams the rows of q. The caller must Close the result.
	Query(ctx context.Context, ds *catalog.Dataset, q *odsql.Query) (Rows, error)
	// Page is Query plus the total Count, both read from one snapshot so
	// that a page and its total_count always describe the same version.
	Page(ctx context.Context, ds *catalog.Dataset, q *odsql.Query) (Rows, int64, error)
	// Count returns the number of rows (or groups) q matches, ignoring limit,
	// offset and cursor.
	Count(ctx context.Context, ds *catalog.Dataset, q *odsql.Query) (int64, error)
	// Facet counts the values of one field under q's filters.
	Facet(ctx context.Context, ds *catalog.Dataset, q *odsql.Query, field string, limit int) ([]FacetValue, error)
	// Record returns one record by its ID.
	Record(ctx context.Context, ds *catalog.Dataset, id int64) (catalog.Row, error)
}

// Rows is a stream of query results.
type Rows interface {
	Columns() []catalog.Field
	// Next returns the next row, or (nil, io.EOF).
	Next() (catalog.Row, error)
	// Cursor is the keyset position after the last row returned, nil when
	// the query cannot be paged by cursor (group_by).
	Cursor() *odsql.Cursor
	// ID is the record ID of the last row returned (0 for groups).
	ID() int64
	Close() error
}

// FacetValue is one value of a facet and how many rows have it.
type FacetValue struct {
	Name  string       `json:"name"`
	Value string       `json:"value"`
	Count int64        `json:"count"`
	State string       `json:"state,omitempty"` // "displayed", "refined" or "excluded"
	Sub   []FacetValue `json:"facets,omitempty"`
}
