// Package app is Socle's use-case layer: it combines the domain stores with
// the access policy and the audit log, so that every entry point (HTTP API,
// CLI, demo) reads and writes data the same way. It imports no
// infrastructure: storage engines are passed in as a Store.
package app

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/socle/socle/internal/agreements"
	"github.com/socle/socle/internal/alerts"
	"github.com/socle/socle/internal/audit"
	"github.com/socle/socle/internal/auth"
	"github.com/socle/socle/internal/backup"
	"github.com/socle/socle/internal/catalog"
	"github.com/socle/socle/internal/dtpr"
	"github.com/socle/socle/internal/harvest"
	"github.com/socle/socle/internal/live"
	"github.com/socle/socle/internal/maintenance"
	"github.com/socle/socle/internal/ngsild"
	"github.com/socle/socle/internal/records"
	"github.com/socle/socle/internal/registers"
	"github.com/socle/socle/internal/schemas"
	"github.com/socle/socle/internal/sensors"
	"github.com/socle/socle/internal/sobriety"
)

// Store is everything a storage engine provides.
type Store interface {
	catalog.Store
	records.Store
	auth.Store
	auth.SessionStore
	catalog.ActivityStore
	audit.Store
	live.Store
	sensors.Store
	sensors.BatchAppender
	sensors.PropertyRetentionStore
	alerts.Store
	maintenance.Store
	ngsild.Store
	dtpr.Store
	agreements.Store
	registers.Store
	sobriety.Store
	harvest.Store
	schemas.Store
	backup.Source
	backup.Target
	SchemaVersion(ctx context.Context) (int, error)
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
	// PseudonymKey returns the platform's pseudonymisation key (derive.go);
	// nil: derivations that pseudonymise are refused.
	PseudonymKey func() ([]byte, error)
	// Decoder reads raw LoRaWAN payloads by device model; nil: uplinks
	// without decoded values are quarantined.
	Decoder sensors.Decoder
	// Sobriety is the energy and carbon model of the sobriety reports; the
	// zero value is sobriety.DefaultModel.
	Sobriety sobriety.Model
	// Harvesting wires the harvest runs (harvest.go).
	Harvesting Harvesting

	refreshMu sync.Mutex     // serialises catalog index rebuilds
	reads     chan auditItem // read audits waiting to be written
	readsDone chan struct{}

	usage usageCounter
	sizes exportSizes

	events  hub         // live events (events.go)
	commits committer   // group commit of observations (groupcommit.go)
	devices deviceCache // devices seen by ingestion (devicecache.go)

	ngsi ngsiState // NGSI-LD subscriptions' notifications (ngsild_notify.go)

	opinions opinionGuard // citizens' opinion rate limits (opinions.go)
	public   publicCache  // the public sensors, cached briefly (dtpr.go)

	alertsOnce sync.Once
	alerts     *alertEngine // threshold evaluation state (alerts_eval.go)
	usageStop  chan struct{}
	usageDone  chan struct{}
}

// readQueue bounds the read audits waiting for the database. Reads are
// logged asynchronously so that a long import, which holds SQLite's single
// writer, does not stall every read of non-public data; when the queue is
// full, readers wait (nothing is dropped).
const readQueue = 4096

// New returns an App over store and starts its audit writer; Close stops it.
func New(store Store, logger *slog.Logger) *App {
	if logger == nil {
		logger = slog.Default()
	}
	a := &App{Store: shareStore{store}, Logger: logger, Now: func() time.Time { return time.Now().UTC() },
		reads: make(chan auditItem, readQueue), readsDone: make(chan struct{}),
		usageStop: make(chan struct{}), usageDone: make(chan struct{})}
	a.commits.stop = make(chan struct{})
	go a.writeReads()
	go a.flushUsageLoop(a.usageStop, a.usageDone)
	return a
}

// auditItem is a queued read audit, or (flushed set) a barrier that is
// released once everything queued before it is written.
type auditItem struct {
	e         *audit.Entry
	agreement string // the agreement a read went through (agreements_access.go)
	flushed   chan struct{}
}

func (a *App) writeReads() {
	defer close(a.readsDone)
	for it := range a.reads {
		if it.flushed != nil {
			close(it.flushed)
			continue
		}
		e := it.e
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		if err := a.Store.AppendAudit(ctx, e); err != nil {
			a.Logger.Error("audit append failed", "action", e.Action, "target", e.Target, "actor", e.Actor, "err", err)
		}
		a.countShared(ctx, it)
		cancel()
	}
}

// FlushAudit waits until the read audits queued so far are written, so
// that whoever reads the audit log sees every read that happened before.
func (a *App) FlushAudit(ctx context.Context) error {
	done := make(chan struct{})
	select {
	case a.reads <- auditItem{flushed: done}:
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Close writes the pending read audits and usage counts, then closes the
// store.
func (a *App) Close() error {
	a.stopCommits()
	close(a.usageStop)
	<-a.usageDone
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	a.FlushUsage(ctx)
	cancel()
	close(a.reads)
	<-a.readsDone
	return a.Store.Close()
}

// Audit appends an entry; a failure is logged, never hidden, and returned.
func (a *App) Audit(ctx context.Context, p auth.Principal, action, target string, n int64, detail string) error {
	err := a.Store.AppendAudit(ctx, &audit.Entry{Time: a.Now(), Actor: p.Login(), Action: action, Target: target, Records: n, Detail: detail})
	if err != nil {
		a.Logger.Error("audit append failed", "action", action, "target", target, "err", err)
	}
	return err
}
