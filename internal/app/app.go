// Package app is Socle's use-case layer: it combines the domain stores with
// the access policy and the audit log, so that every entry point (HTTP API,
// CLI, demo) reads and writes data the same way. It imports no
// infrastructure: storage engines are passed in as a Store.
package app

import (
	"context"
	"log/slog"
	"time"

	"github.com/socle/socle/internal/audit"
	"github.com/socle/socle/internal/auth"
	"github.com/socle/socle/internal/catalog"
	"github.com/socle/socle/internal/records"
)

// Store is everything a storage engine provides.
type Store interface {
	catalog.Store
	records.Store
	auth.Store
	audit.Store
	Engine() string
	Ping(ctx context.Context) error
	Close() error
}

// App holds the services' dependencies.
type App struct {
	Store  Store
	Logger *slog.Logger
	// Now is the clock, replaceable in tests.
	Now func() time.Time
}

// New returns an App over store.
func New(store Store, logger *slog.Logger) *App {
	if logger == nil {
		logger = slog.Default()
	}
	return &App{Store: store, Logger: logger, Now: func() time.Time { return time.Now().UTC() }}
}

// Audit appends an entry; a failure is logged, never hidden, and returned.
func (a *App) Audit(ctx context.Context, p auth.Principal, action, target string, n int64, detail string) error {
	err := a.Store.AppendAudit(ctx, &audit.Entry{Time: a.Now(), Actor: p.Login(), Action: action, Target: target, Records: n, Detail: detail})
	if err != nil {
		a.Logger.Error("audit append failed", "action", action, "target", target, "err", err)
	}
	return err
}
