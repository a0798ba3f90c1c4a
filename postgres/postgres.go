// Package postgres is Socle's server storage engine: catalog, records, users
// and audit log in PostgreSQL, through pgx v5.
//
// It behaves like package sqlite: the same tables (translated), the same
// version swap on load, the same errors. Records are loaded with COPY, each
// dataset version in its own table, published in one transaction; queries run
// in read-only REPEATABLE READ transactions with a statement timeout.
package postgres

import (
	"context"
	"fmt"
	"net/url"
	"regexp"
	"runtime"
	"sync"

	"github.com/jackc/pgx/v5"

	"github.com/socle/socle/internal/sensors"
)

// DB is an open Socle PostgreSQL database.
type DB struct {
	pool   *pool
	schema string
	months sync.Map            // time.Time → true: months whose observation partition exists (partitions.go)
	latest sensors.LatestCache // the latest state in memory (observations_latest.go)
}

var schemaName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]{0,62}$`)

// Open connects to the database at dsn (postgres://…) and migrates it. A
// query parameter schema=NAME is removed from the DSN: the schema is created
// if missing and every connection uses it as its search_path.
func Open(ctx context.Context, dsn string) (*DB, error) {
	dsn, schema, err := splitSchema(dsn)
	if err != nil {
		return nil, err
	}
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("postgres dsn: %w", err)
	}
	if schema != "" {
		if err := createSchema(ctx, cfg, schema); err != nil {
			return nil, err
		}
		cfg.RuntimeParams["search_path"] = quoteIdent(schema)
	}
	pl, err := newPool(ctx, cfg, max(4, runtime.NumCPU()*2))
	if err != nil {
		return nil, err
	}
	db := &DB{pool: pl, schema: schema}
	if err := db.migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// splitSchema removes the schema parameter from a URL-style DSN.
func splitSchema(dsn string) (string, string, error) {
	u, err := url.Parse(dsn)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return dsn, "", nil // keyword/value DSN: no schema parameter
	}
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return "", "", fmt.Errorf("postgres dsn: %w", err)
	}
	schema := q.Get("schema")
	if schema == "" {
		return dsn, "", nil
	}
	if !schemaName.MatchString(schema) {
		return "", "", fmt.Errorf("postgres dsn: invalid schema name %q", schema)
	}
	q.Del("schema")
	u.RawQuery = q.Encode()
	return u.String(), schema, nil
}

func createSchema(ctx context.Context, cfg *pgx.ConnConfig, schema string) error {
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return fmt.Errorf("connect: %w", err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx, `CREATE SCHEMA IF NOT EXISTS `+quoteIdent(schema)); err != nil {
		// Two processes creating the schema together may race on the catalog.
		if !isUniqueViolation(err) {
			return fmt.Errorf("create schema %s: %w", schema, err)
		}
	}
	return nil
}

// Close closes every connection.
func (db *DB) Close() error {
	db.pool.close()
	return nil
}

// Engine names the engine for logs and /healthz.
func (db *DB) Engine() string { return "postgres" }

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error {
	return db.pool.with(ctx, func(c *pgx.Conn) error { return c.Ping(ctx) })
}
