// Package audit is the append-only record of who did what: every write, and
// every read of non-public data, with the number of records involved.
package audit

import (
	"context"
	"time"
)

// Entry is one audited event.
type Entry struct {
	ID      int64     `json:"id"`
	Time    time.Time `json:"time"`
	Actor   string    `json:"actor"`  // login, or "anonymous", or "system"
	Action  string    `json:"action"` // e.g. dataset.import, records.read
	Target  string    `json:"target"` // e.g. dataset ID
	Records int64     `json:"records"`
	Detail  string    `json:"detail,omitempty"`
}

// Store appends and lists entries; it offers no update nor delete.
type Store interface {
	AppendAudit(ctx context.Context, e *Entry) error
	// Audit lists entries newest first, at most limit, optionally for one target.
	Audit(ctx context.Context, target string, limit int) ([]*Entry, error)
}
