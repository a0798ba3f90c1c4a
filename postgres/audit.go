package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/socle/socle/internal/audit"
)

// AppendAudit appends an entry and sets its ID.
func (db *DB) AppendAudit(ctx context.Context, e *audit.Entry) error {
	if e.Time.IsZero() {
		e.Time = time.Now().UTC()
	}
	err := db.queryRow(ctx, `INSERT INTO audit_log (time, actor, action, target, records, detail) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id, prev_hash, hash`,
		[]any{e.Time, e.Actor, e.Action, e.Target, e.Records, e.Detail}, &e.ID, &e.PrevHash, &e.Hash)
	if err != nil {
		return fmt.Errorf("append audit: %w", err)
	}
	return nil
}

// Audit lists entries newest first.
func (db *DB) Audit(ctx context.Context, target string, limit int) ([]*audit.Entry, error) {
	q := `SELECT id, time, actor, action, target, records, detail, prev_hash, hash FROM audit_log`
	args := []any{}
	if target != "" {
		q += ` WHERE target = $1`
		args = append(args, target)
	}
	q += fmt.Sprintf(` ORDER BY id DESC LIMIT $%d`, len(args)+1)
	var lim any = limit
	if limit < 0 {
		lim = nil // no limit, as in SQLite
	}
	args = append(args, lim)
	var out []*audit.Entry
	err := db.query(ctx, q, args, func(r pgx.Rows) error {
		var e audit.Entry
		if err := r.Scan(&e.ID, &e.Time, &e.Actor, &e.Action, &e.Target, &e.Records, &e.Detail, &e.PrevHash, &e.Hash); err != nil {
			return err
		}
		e.Time = e.Time.UTC()
		out = append(out, &e)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("audit: %w", err)
	}
	return out, nil
}
