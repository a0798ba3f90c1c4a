package sqlite

import (
	"context"
	"fmt"
	"time"

	sqlite3 "github.com/mattn/go-sqlite3"

	"github.com/socle/socle/internal/audit"
)

// registerAuditHash registers socle_audit_hash, the function the audit
// chain's trigger calls (migration 0009_trust.sql), on a connection.
func registerAuditHash(c *sqlite3.SQLiteConn) error {
	return c.RegisterFunc("socle_audit_hash", auditHash, true)
}

// auditHash is audit.HashFields over the stored text form of the time.
func auditHash(id int64, t, actor, action, target string, records int64, detail, prev string) (string, error) {
	tm, err := time.Parse(timeLayout, t)
	if err != nil {
		return "", fmt.Errorf("audit time %q: %w", t, err)
	}
	return audit.HashFields(id, tm, actor, action, target, records, detail, prev), nil
}

// VerifyAudit streams the whole log in ID order through audit.Verifier,
// then compares it with the chain head, in one read snapshot.
func (db *DB) VerifyAudit(ctx context.Context) (audit.Report, error) {
	tx, err := db.read.BeginTx(ctx, nil)
	if err != nil {
		return audit.Report{}, fmt.Errorf("verify audit: %w", err)
	}
	defer tx.Rollback()
	var h audit.Head
	if err := tx.QueryRowContext(ctx, `SELECT last_id, hash FROM audit_head WHERE k = 1`).Scan(&h.LastID, &h.Hash); err != nil {
		return audit.Report{}, fmt.Errorf("verify audit: head: %w", err)
	}
	rows, err := tx.QueryContext(ctx, `SELECT id, time, actor, action, target, records, detail, prev_hash, hash FROM audit_log ORDER BY id`)
	if err != nil {
		return audit.Report{}, fmt.Errorf("verify audit: %w", err)
	}
	defer rows.Close()
	var v audit.Verifier
	for rows.Next() {
		var e audit.Entry
		var t string
		if err := rows.Scan(&e.ID, &t, &e.Actor, &e.Action, &e.Target, &e.Records, &e.Detail, &e.PrevHash, &e.Hash); err != nil {
			return audit.Report{}, fmt.Errorf("verify audit: %w", err)
		}
		e.Time = parseTime(t)
		if !v.Add(&e) {
			return v.Finish(h), nil
		}
	}
	if err := rows.Err(); err != nil {
		return audit.Report{}, fmt.Errorf("verify audit: %w", err)
	}
	return v.Finish(h), nil
}
