package sqlite

import (
	"context"
	"fmt"
	"time"

	"github.com/socle/socle/internal/sensors"
)

// AppendBatches stores bs in one transaction (a group commit): for each
// batch what AppendBatch does, the commit once. A batch with a NaN or
// infinite value is left out and reported in its result.
func (db *DB) AppendBatches(ctx context.Context, bs []sensors.Batch) ([]sensors.AppendResult, error) {
	res := make([]sensors.AppendResult, len(bs))
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("append batches: %w", err)
	}
	defer tx.Rollback()
	key, err := tx.PrepareContext(ctx, `INSERT INTO uplink_keys (key, received) VALUES (?, ?) ON CONFLICT DO NOTHING`)
	if err != nil {
		return nil, fmt.Errorf("append batches: %w", err)
	}
	defer key.Close()
	now := time.Now().UnixMilli()
	for i, b := range bs {
		if res[i].Err = checkValues(b.Observations); res[i].Err != nil {
			continue
		}
		if b.Key != "" {
			r, err := key.ExecContext(ctx, b.Key, now)
			if err != nil {
				return nil, fmt.Errorf("append batches: key: %w", err)
			}
			if n, _ := r.RowsAffected(); n == 0 {
				res[i].Dup = true
				continue
			}
		}
		inserted, newest, hourly, err := insertObservations(ctx, tx, b.Observations)
		if err != nil {
			return nil, fmt.Errorf("append batches: %w", err)
		}
		if err := upsertLatest(ctx, tx, newest); err != nil {
			return nil, fmt.Errorf("append batches: latest: %w", err)
		}
		if err := upsertRollups(ctx, tx, hourly); err != nil {
			return nil, fmt.Errorf("append batches: roll-ups: %w", err)
		}
		res[i].Inserted = inserted
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("append batches: commit: %w", err)
	}
	return res, nil
}
