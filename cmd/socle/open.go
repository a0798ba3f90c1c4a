package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/socle/socle/internal/app"
	"github.com/socle/socle/postgres"
	"github.com/socle/socle/sqlite"
)

// storeFlags are the flags every command that opens the database shares.
type storeFlags struct {
	data string
	dsn  string
}

func (f *storeFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.data, "data", "./socle-data", "data directory")
	fs.StringVar(&f.dsn, "db", "", "database: postgres://… for PostgreSQL; default an SQLite file in the data directory")
}

// open opens the store the flags select and wraps it in an App.
func (f *storeFlags) open(ctx context.Context, logger *slog.Logger) (*app.App, error) {
	store, err := openStore(ctx, f.data, f.dsn)
	if err != nil {
		return nil, err
	}
	a := app.New(store, logger)
	a.PseudonymKey = pseudonymKeySource(f.data) // derive.go
	return a, nil
}

func openStore(ctx context.Context, dir, dsn string) (app.Store, error) {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		return postgres.Open(ctx, dsn)
	}
	path := strings.TrimPrefix(dsn, "sqlite:")
	if path == "" {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return nil, fmt.Errorf("data directory: %w", err)
		}
		path = filepath.Join(dir, "socle.db")
	}
	return sqlite.Open(ctx, path)
}

// newLogger logs to stderr at level, or at the level SOCLE_LOG_LEVEL names
// (debug, info, warn, error) when set.
func newLogger(level slog.Level) *slog.Logger {
	if v := os.Getenv("SOCLE_LOG_LEVEL"); v != "" {
		_ = level.UnmarshalText([]byte(v)) // an unknown name keeps the default
	}
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
}

// quietLogger is for one-shot commands: warnings and errors only.
func quietLogger() *slog.Logger { return newLogger(slog.LevelWarn) }
