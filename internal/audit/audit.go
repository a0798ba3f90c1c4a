// Package audit is the append-only record of who did what: every write, and
// every read of non-public data, with the number of records involved.
//
// The log is tamper-evident: each entry carries the hash of the entry before
// it (PrevHash) and its own Hash, the SHA-256 of its canonical encoding
// (chain.go). The engines compute both inside the inserting transaction, in a
// trigger, so every path that appends is chained; Verify recomputes the chain
// and names the first entry that does not match.
package audit

import (
	"context"
	"time"
)

// Entry is one audited event.
type Entry struct {
	ID       int64     `json:"id"`
	Time     time.Time `json:"time"`
	Actor    string    `json:"actor"`  // login, or "anonymous", or "system"
	Action   string    `json:"action"` // e.g. dataset.import, records.read
	Target   string    `json:"target"` // e.g. dataset ID
	Records  int64     `json:"records"`
	Detail   string    `json:"detail,omitempty"`
	PrevHash string    `json:"prev_hash,omitempty"` // hex; "" for the first entry
	Hash     string    `json:"hash,omitempty"`      // hex SHA-256 of Canonical(e)
}

// Head is the chain head an engine keeps beside the log: the last entry's ID
// and hash. It lets Verify notice entries removed from the end.
type Head struct {
	LastID int64
	Hash   string
}

// Store appends and lists entries; it offers no update nor delete.
type Store interface {
	AppendAudit(ctx context.Context, e *Entry) error
	// Audit lists entries newest first, at most limit, optionally for one target.
	Audit(ctx context.Context, target string, limit int) ([]*Entry, error)
	// VerifyAudit walks the whole log in ID order and checks its chain.
	VerifyAudit(ctx context.Context) (Report, error)
}
