// Package sqlite is Socle's embedded storage engine: catalog, records,
// users and audit log in one SQLite file, through mattn/go-sqlite3.
//
// Following PocketBase, it keeps one writer connection and a separate pool
// of readers, in WAL mode, so that a long import never starves the API.
package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"runtime"
	"sync"

	sqlite3 "github.com/mattn/go-sqlite3"

	"github.com/socle/socle/internal/odsql"
	"github.com/socle/socle/internal/sensors"
)

// driverName is mattn's driver with Socle's SQL functions registered.
const driverName = "socle_sqlite3"

var registerOnce sync.Once

func registerDriver() {
	registerOnce.Do(func() {
		sql.Register(driverName, &sqlite3.SQLiteDriver{ConnectHook: connectHook})
	})
}

// connectHook registers on each connection the functions that odsql's
// SQLite dialect emits.
func connectHook(c *sqlite3.SQLiteConn) error {
	for name, fn := range odsql.SQLiteFunctions() {
		if err := c.RegisterFunc(name, fn, true); err != nil {
			return fmt.Errorf("register %s: %w", name, err)
		}
	}
	if err := registerAuditHash(c); err != nil {
		return err
	}
	return c.RegisterAggregator("socle_percentile", odsql.NewPercentileAgg, true)
}

// DB is an open Socle SQLite database.
type DB struct {
	path  string
	write *sql.DB // exactly one connection: SQLite has one writer anyway
	read  *sql.DB // a pool of read-only connections

	latest sensors.LatestCache // the latest state in memory (observations_latest.go)
}

// Open opens (creating if needed) the database file at path and migrates it.
func Open(ctx context.Context, path string) (*DB, error) {
	registerDriver()
	pragmas := "_journal_mode=WAL&_synchronous=NORMAL&_busy_timeout=10000&_foreign_keys=on&_txlock=immediate&_cache_size=-65536&cache=private"
	w, err := sql.Open(driverName, "file:"+path+"?"+pragmas)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	w.SetMaxOpenConns(1)
	r, err := sql.Open(driverName, "file:"+path+"?mode=ro&_journal_mode=WAL&_busy_timeout=10000&_query_only=1")
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	r.SetMaxOpenConns(max(4, runtime.NumCPU()*2))
	db := &DB{path: path, write: w, read: r}
	if err := db.migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// Close closes both pools.
func (db *DB) Close() error {
	err1 := db.read.Close()
	err2 := db.write.Close()
	if err1 != nil {
		return err1
	}
	return err2
}

// Engine names the engine for logs and /healthz.
func (db *DB) Engine() string { return "sqlite" }

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error { return db.read.PingContext(ctx) }
