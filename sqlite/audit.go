package sqlite

import (
	"context"
	"fmt"
	"time"

	"github.com/socle/socle/internal/audit"
)

// AppendAudit appends an entry and sets its ID.
func (db *DB) AppendAudit(ctx context.Context, e *audit.Entry) error {
	if e.Time.IsZero() {
		e.Time = time.Now().UTC()
	}
	res, err := db.write.ExecContext(ctx, `INSERT INTO audit_log (time, actor, action, target, records, detail) VALUES (?, ?, ?, ?, ?, ?)`,
		fmtTime(e.Time), e.Actor, e.Action, e.Target, e.Records, e.Detail)
	if err != nil {
		return fmt.Errorf("append audit: %w", err)
	}
	e.ID, err = res.LastInsertId()
	return err
}

// Audit lists entries newest first.
func (db *DB) Audit(ctx context.Context, target string, limit int) ([]*audit.Entry, error) {
	q := `SELECT id, time, actor, action, target, records, detail, prev_hash, hash FROM audit_log`
	args := []any{}
	if target != "" {
		q += ` WHERE target = ?`
		args = append(args, target)
	}
	q += ` ORDER BY id DESC LIMIT ?`
	args = append(args, limit)
	rows, err := db.read.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("audit: %w", err)
	}
	defer rows.Close()
	var out []*audit.Entry
	for rows.Next() {
		var e audit.Entry
		var t string
		if err := rows.Scan(&e.ID, &t, &e.Actor, &e.Action, &e.Target, &e.Records, &e.Detail, &e.PrevHash, &e.Hash); err != nil {
			return nil, err
		}
		e.Time = parseTime(t)
		out = append(out, &e)
	}
	return out, rows.Err()
}
