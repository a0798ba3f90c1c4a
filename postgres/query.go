package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/socle/socle/internal/catalog"
	"github.com/socle/socle/internal/errs"
	"github.com/socle/socle/internal/odsql"
	"github.com/socle/socle/internal/records"
)

// snapshot is a read-only REPEATABLE READ transaction in which a dataset's
// current table and fields were resolved, so that a query never straddles a
// version swap.
type snapshot struct {
	db     *DB
	conn   *pgx.Conn
	tx     pgx.Tx
	table  string
	fields []catalog.Field
}

func (db *DB) snapshot(ctx context.Context, id string) (*snapshot, error) {
	conn, err := db.pool.acquire(ctx)
	if err != nil {
		return nil, err
	}
	s := &snapshot{db: db, conn: conn}
	if err := s.begin(ctx, id); err != nil {
		s.end()
		return nil, err
	}
	return s, nil
}

func (s *snapshot) begin(ctx context.Context, id string) error {
	var err error
	s.tx, err = s.conn.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return fmt.Errorf("begin read: %w", err)
	}
	if _, err := s.tx.Exec(ctx, fmt.Sprintf(`SET LOCAL statement_timeout = %d`, statementTimeout(ctx).Milliseconds())); err != nil {
		return fmt.Errorf("statement timeout: %w", err)
	}
	var fields []byte
	err = s.tx.QueryRow(ctx, `SELECT v.table_name, v.fields FROM datasets d
		JOIN dataset_versions v ON v.dataset_id = d.id AND v.version = d.version WHERE d.id = $1`, id).Scan(&s.table, &fields)
	if errors.Is(err, pgx.ErrNoRows) {
		return errs.E(errs.NotFound, "dataset %q has no records yet", id)
	} else if err != nil {
		return fmt.Errorf("current version of %s: %w", id, err)
	}
	return json.Unmarshal(fields, &s.fields)
}

// statementTimeout is the time left before ctx's deadline, so that the
// server stops work the client will no longer wait for. The HTTP layer sets
// a deadline per kind of request (long for exports); without one (a CLI
// export of a large table) there is no limit: 0 disables it.
func statementTimeout(ctx context.Context) time.Duration {
	if dl, ok := ctx.Deadline(); ok {
		return max(time.Until(dl), time.Millisecond)
	}
	return 0
}

// end rolls the transaction back and returns the connection to the pool.
func (s *snapshot) end() error {
	var err error
	if s.tx != nil {
		err = s.tx.Rollback(context.Background())
		if errors.Is(err, pgx.ErrTxClosed) {
			err = nil
		}
	}
	s.db.pool.release(s.conn)
	return err
}

// Query streams the rows of q over the dataset's current version.
func (db *DB) Query(ctx context.Context, ds *catalog.Dataset, q *odsql.Query) (records.Rows, error) {
	rows, _, err := db.records(ctx, ds, q, false)
	return rows, err
}

// Page is Query plus the total count, from one snapshot.
func (db *DB) Page(ctx context.Context, ds *catalog.Dataset, q *odsql.Query) (records.Rows, int64, error) {
	return db.records(ctx, ds, q, true)
}

func (db *DB) records(ctx context.Context, ds *catalog.Dataset, q *odsql.Query, withTotal bool) (records.Rows, int64, error) {
	s, err := db.snapshot(ctx, ds.ID)
	if err != nil {
		return nil, 0, err
	}
	c, err := odsql.Compile(q, s.fields, s.table, odsql.Postgres)
	if err != nil {
		s.end()
		return nil, 0, err
	}
	var total int64
	if withTotal {
		if total, err = s.count(ctx, c); err != nil {
			s.end()
			return nil, 0, err
		}
	}
	rs, err := s.tx.Query(ctx, c.SQL, c.Args...)
	if err != nil {
		s.end()
		return nil, 0, queryError(err)
	}
	return newRows(rs, c, s.end), total, nil
}

// Count returns how many rows or groups q matches.
func (db *DB) Count(ctx context.Context, ds *catalog.Dataset, q *odsql.Query) (int64, error) {
	s, err := db.snapshot(ctx, ds.ID)
	if err != nil {
		return 0, err
	}
	defer s.end()
	c, err := odsql.Compile(q, s.fields, s.table, odsql.Postgres)
	if err != nil {
		return 0, err
	}
	return s.count(ctx, c)
}

// count runs c's count query, or reads the version's recorded row count
// when the query neither filters nor groups (no full scan).
func (s *snapshot) count(ctx context.Context, c *odsql.Compiled) (int64, error) {
	countSQL, args := c.CountSQL, c.CountArgs
	if c.AllRows {
		countSQL, args = `SELECT records FROM dataset_versions WHERE table_name = $1`, []any{s.table}
	}
	var n int64
	if err := s.tx.QueryRow(ctx, countSQL, args...).Scan(&n); err != nil {
		return 0, queryError(err)
	}
	return n, nil
}

// Facet counts the values of field under q's filters.
func (db *DB) Facet(ctx context.Context, ds *catalog.Dataset, q *odsql.Query, field string, limit int) ([]records.FacetValue, error) {
	s, err := db.snapshot(ctx, ds.ID)
	if err != nil {
		return nil, err
	}
	defer s.end()
	c, err := odsql.CompileFacet(q, s.fields, s.table, field, odsql.Postgres, limit)
	if err != nil {
		return nil, err
	}
	rs, err := s.tx.Query(ctx, c.SQL, c.Args...)
	if err != nil {
		return nil, queryError(err)
	}
	return facets(rs, c)
}

// Record returns one record by ID.
func (db *DB) Record(ctx context.Context, ds *catalog.Dataset, id int64) (catalog.Row, error) {
	s, err := db.snapshot(ctx, ds.ID)
	if err != nil {
		return nil, err
	}
	defer s.end()
	cols := columnNames(s.fields)
	rs, err := s.tx.Query(ctx, `SELECT `+quoteList(cols)+` FROM `+quoteIdent(s.table)+` WHERE _id = $1`, id)
	if err != nil {
		return nil, queryError(err)
	}
	defer rs.Close()
	if !rs.Next() {
		if err := rs.Err(); err != nil {
			return nil, queryError(err)
		}
		return nil, errs.E(errs.NotFound, "record %d not found", id)
	}
	raw, err := rs.Values()
	if err != nil {
		return nil, queryError(err)
	}
	return fromSQL(s.fields, raw), nil
}

// queryError classifies a failed query: an interrupted or timed-out one is
// Unavailable; anything else is internal (the compiler should not produce
// bad SQL).
func queryError(err error) error {
	var pe *pgconn.PgError
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) ||
		(errors.As(err, &pe) && pe.Code == "57014") { // query_canceled: statement_timeout
		return errs.Wrap(errs.Unavailable, err, "query took too long")
	}
	// Class 22 (data exception: overflow, division, invalid values) and
	// 54001 (statement too complex) are the query's fault, not the server's.
	if errors.As(err, &pe) && (strings.HasPrefix(pe.Code, "22") || pe.Code == "54001") {
		return errs.Wrap(errs.Invalid, err, "the query cannot be computed: %s", pe.Message)
	}
	return fmt.Errorf("query: %w", err)
}
