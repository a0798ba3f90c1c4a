package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/socle/socle/internal/catalog"
	"github.com/socle/socle/internal/errs"
	"github.com/socle/socle/internal/odsql"
	"github.com/socle/socle/internal/records"
	"github.com/socle/socle/internal/sqlrows"
)

// snapshot opens a read transaction and resolves the dataset's current
// table and fields inside it, so that a query never straddles a version swap.
func (db *DB) snapshot(ctx context.Context, id string) (*sql.Tx, string, []catalog.Field, error) {
	tx, err := db.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, "", nil, fmt.Errorf("begin read: %w", err)
	}
	var table, fields string
	err = tx.QueryRowContext(ctx, `SELECT v.table_name, v.fields FROM datasets d
		JOIN dataset_versions v ON v.dataset_id = d.id AND v.version = d.version WHERE d.id = ?`, id).Scan(&table, &fields)
	if errors.Is(err, sql.ErrNoRows) {
		tx.Rollback()
		return nil, "", nil, errs.E(errs.NotFound, "dataset %q has no records yet", id)
	} else if err != nil {
		tx.Rollback()
		return nil, "", nil, fmt.Errorf("current version of %s: %w", id, err)
	}
	var ff []catalog.Field
	if err := json.Unmarshal([]byte(fields), &ff); err != nil {
		tx.Rollback()
		return nil, "", nil, err
	}
	return tx, table, ff, nil
}

// Query streams the rows of q over the dataset's current version.
func (db *DB) Query(ctx context.Context, ds *catalog.Dataset, q *odsql.Query) (records.Rows, error) {
	rows, _, err := db.query(ctx, ds, q, false)
	return rows, err
}

// Page is Query plus the total count, from one snapshot.
func (db *DB) Page(ctx context.Context, ds *catalog.Dataset, q *odsql.Query) (records.Rows, int64, error) {
	return db.query(ctx, ds, q, true)
}

// Count returns how many rows or groups q matches.
func (db *DB) Count(ctx context.Context, ds *catalog.Dataset, q *odsql.Query) (int64, error) {
	tx, table, fields, err := db.snapshot(ctx, ds.ID)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	c, err := odsql.Compile(q, fields, table, odsql.SQLite)
	if err != nil {
		return 0, err
	}
	return count(ctx, tx, c, table)
}

func (db *DB) query(ctx context.Context, ds *catalog.Dataset, q *odsql.Query, withTotal bool) (records.Rows, int64, error) {
	tx, table, fields, err := db.snapshot(ctx, ds.ID)
	if err != nil {
		return nil, 0, err
	}
	c, err := odsql.Compile(q, fields, table, odsql.SQLite)
	if err != nil {
		tx.Rollback()
		return nil, 0, err
	}
	var total int64
	if withTotal {
		if total, err = count(ctx, tx, c, table); err != nil {
			tx.Rollback()
			return nil, 0, err
		}
	}
	rows, err := tx.QueryContext(ctx, c.SQL, c.Args...)
	if err != nil {
		tx.Rollback()
		return nil, 0, queryError(err)
	}
	return sqlrows.New(rows, c, fromSQL, tx.Rollback), total, nil
}

// count runs c's count query, or reads the version's recorded row count
// when the query neither filters nor groups (no full scan).
func count(ctx context.Context, tx *sql.Tx, c *odsql.Compiled, table string) (int64, error) {
	countSQL, args := c.CountSQL, c.CountArgs
	if c.AllRows {
		countSQL, args = `SELECT records FROM dataset_versions WHERE table_name = ?`, []any{table}
	}
	var n int64
	if err := tx.QueryRowContext(ctx, countSQL, args...).Scan(&n); err != nil {
		return 0, queryError(err)
	}
	return n, nil
}

// Facet counts the values of field under q's filters.
func (db *DB) Facet(ctx context.Context, ds *catalog.Dataset, q *odsql.Query, field string, limit int) ([]records.FacetValue, error) {
	tx, table, fields, err := db.snapshot(ctx, ds.ID)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	c, err := odsql.CompileFacet(q, fields, table, field, odsql.SQLite, limit)
	if err != nil {
		return nil, err
	}
	rows, err := tx.QueryContext(ctx, c.SQL, c.Args...)
	if err != nil {
		return nil, queryError(err)
	}
	return sqlrows.Facets(rows, c, fromSQL)
}

// Record returns one record by ID.
func (db *DB) Record(ctx context.Context, ds *catalog.Dataset, id int64) (catalog.Row, error) {
	tx, table, fields, err := db.snapshot(ctx, ds.ID)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	cols := quoteList(columnNames(fields))
	raw := make([]any, len(columnNames(fields)))
	ptrs := make([]any, len(raw))
	for i := range raw {
		ptrs[i] = &raw[i]
	}
	err = tx.QueryRowContext(ctx, `SELECT `+cols+` FROM `+quoteIdent(table)+` WHERE _id = ?`, id).Scan(ptrs...)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errs.E(errs.NotFound, "record %d not found", id)
	} else if err != nil {
		return nil, queryError(err)
	}
	return fromSQL(fields, raw), nil
}

// queryError classifies a failed query: an interrupted one is Unavailable;
// anything else is internal (the compiler should not produce bad SQL).
func queryError(err error) error {
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return errs.Wrap(errs.Unavailable, err, "query took too long")
	}
	// Arithmetic a query asked for but SQLite cannot do is the query's
	// fault, not the server's.
	msg := err.Error()
	for _, m := range []string{"integer overflow", "too large", "Expression tree is too large", "too many terms"} {
		if strings.Contains(msg, m) {
			return errs.Wrap(errs.Invalid, err, "the query cannot be computed: %s", m)
		}
	}
	return fmt.Errorf("query: %w", err)
}
