package postgres

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/socle/socle/internal/odsql"
)

//go:embed migrations/*.sql
var migrations embed.FS

// migrate applies, each in its own transaction, the embedded migrations
// newer than the schema's recorded version, then (re)creates the SQL
// functions that compiled ODSQL calls. Every step holds a transaction-level
// advisory lock keyed on the schema, so that two processes starting together
// apply each migration once.
func (db *DB) migrate(ctx context.Context) error {
	names, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		return err
	}
	sort.Strings(names)
	for {
		done, err := db.migrateStep(ctx, names)
		if err != nil || done {
			return err
		}
	}
}

// migrateStep applies the first pending migration, or the functions when
// none is pending (done).
func (db *DB) migrateStep(ctx context.Context, names []string) (done bool, err error) {
	err = db.inTx(ctx, pgx.TxOptions{}, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtext('socle_migrate:' || current_schema()))`); err != nil {
			return fmt.Errorf("migration lock: %w", err)
		}
		if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`); err != nil {
			return fmt.Errorf("migrations table: %w", err)
		}
		var current int
		if err := tx.QueryRow(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&current); err != nil {
			return fmt.Errorf("migration version: %w", err)
		}
		for _, name := range names {
			v, err := migrationVersion(name)
			if err != nil {
				return err
			}
			if v > current {
				return applyMigration(ctx, tx, name, v)
			}
		}
		done = true
		if _, err := tx.Exec(ctx, odsql.PostgresFunctionsSQL); err != nil {
			return fmt.Errorf("odsql functions: %w", err)
		}
		return nil
	})
	return done, err
}

func applyMigration(ctx context.Context, tx pgx.Tx, name string, v int) error {
	body, err := migrations.ReadFile(name)
	if err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, string(body)); err != nil {
		return fmt.Errorf("migration %s: %w", name, err)
	}
	_, err = tx.Exec(ctx, `INSERT INTO schema_migrations (version) VALUES ($1)`, v)
	return err
}

// migrationVersion reads N from "migrations/000N_name.sql".
func migrationVersion(name string) (int, error) {
	base := strings.TrimPrefix(name, "migrations/")
	num, _, _ := strings.Cut(base, "_")
	v, err := strconv.Atoi(num)
	if err != nil {
		return 0, fmt.Errorf("migration %s: bad version prefix", name)
	}
	return v, nil
}

// inTx runs fn in a transaction on a pooled connection, committing if fn
// returns nil.
func (db *DB) inTx(ctx context.Context, opts pgx.TxOptions, fn func(tx pgx.Tx) error) error {
	return db.pool.with(ctx, func(c *pgx.Conn) error {
		tx, err := c.BeginTx(ctx, opts)
		if err != nil {
			return fmt.Errorf("begin: %w", err)
		}
		defer tx.Rollback(context.Background())
		if err := fn(tx); err != nil {
			return err
		}
		if err := tx.Commit(ctx); err != nil {
			return fmt.Errorf("commit: %w", err)
		}
		return nil
	})
}
