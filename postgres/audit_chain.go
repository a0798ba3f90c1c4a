package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/socle/socle/internal/audit"
)

// VerifyAudit streams the whole log in ID order through audit.Verifier,
// then compares it with the chain head, in one REPEATABLE READ snapshot so
// that appends during the walk do not look like a broken tail.
func (db *DB) VerifyAudit(ctx context.Context) (audit.Report, error) {
	var rep audit.Report
	err := db.inTx(ctx, pgx.TxOptions{AccessMode: pgx.ReadOnly, IsoLevel: pgx.RepeatableRead}, func(tx pgx.Tx) error {
		var h audit.Head
		if err := tx.QueryRow(ctx, `SELECT last_id, hash FROM audit_head WHERE k = 1`).Scan(&h.LastID, &h.Hash); err != nil {
			return fmt.Errorf("head: %w", err)
		}
		rows, err := tx.Query(ctx, `SELECT id, time, actor, action, target, records, detail, prev_hash, hash FROM audit_log ORDER BY id`)
		if err != nil {
			return err
		}
		defer rows.Close()
		var v audit.Verifier
		for rows.Next() {
			var e audit.Entry
			if err := rows.Scan(&e.ID, &e.Time, &e.Actor, &e.Action, &e.Target, &e.Records, &e.Detail, &e.PrevHash, &e.Hash); err != nil {
				return err
			}
			if !v.Add(&e) {
				rep = v.Finish(h)
				return nil
			}
		}
		if err := rows.Err(); err != nil {
			return err
		}
		rep = v.Finish(h)
		return nil
	})
	if err != nil {
		return audit.Report{}, fmt.Errorf("verify audit: %w", err)
	}
	return rep, nil
}
