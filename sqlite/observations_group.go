package sqlite

import (
	"context"
	"fmt"
	"time"

	"github.com/socle/socle/internal/sensors"
)

// AppendBatches stores bs in one transaction (a group commit): for each
// batch what AppendBatch does — its key, its rows — then the latest state
// and the roll-ups of the whole group, and the commit once. A batch with a NaN or
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
	newest, hourly := map[series]point{}, rollups{}
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
		inserted, nw, hr, err := insertObservations(ctx, tx, b.Observations)
		if err != nil {
			return nil, fmt.Errorf("append batches: %w", err)
		}
		res[i].Inserted = inserted
		mergeNewest(newest, nw)
		mergeRollups(hourly, hr)
	}
	// The latest state and the roll-ups once for the whole group: a series
	// many batches touch is written once.
	set, gen, err := upsertLatestSet(ctx, tx, newest)
	if err != nil {
		return nil, fmt.Errorf("append batches: latest: %w", err)
	}
	if err := upsertRollups(ctx, tx, hourly); err != nil {
		return nil, fmt.Errorf("append batches: roll-ups: %w", err)
	}
	if err := tx.Commit(); err != nil {
		db.latest.Invalidate() // committed or not: the cache may be stale
		return nil, fmt.Errorf("append batches: commit: %w", err)
	}
	if len(set) > 0 {
		db.latest.Apply(0, gen, set) // the in-memory latest state follows the commit
	}
	return res, nil
}

// mergeNewest keeps in into the newest point of each series.
func mergeNewest(into, from map[series]point) {
	for k, p := range from {
		if q, ok := into[k]; !ok || p.t > q.t {
			into[k] = p
		}
	}
}

// mergeRollups adds the partials of from to into.
func mergeRollups(into, from rollups) {
	for k, p := range from {
		if q := into[k]; q != nil {
			q.add(*p)
		} else {
			into[k] = p
		}
	}
}
