package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/socle/socle/internal/sensors"
)

// AppendBatches stores bs in one transaction (a group commit): for each
// batch what AppendBatch does, the commit once. A batch with a NaN or
// infinite value is left out and reported in its result.
func (db *DB) AppendBatches(ctx context.Context, bs []sensors.Batch) ([]sensors.AppendResult, error) {
	res := make([]sensors.AppendResult, len(bs))
	cols := make([]columns, len(bs))
	months := map[time.Time]bool{}
	for i, b := range bs {
		if res[i].Err = checkValues(b.Observations); res[i].Err != nil {
			continue
		}
		cols[i] = columnsOf(b.Observations)
		for m := range cols[i].months {
			months[m] = true
		}
	}
	if err := db.ensurePartitions(ctx, months); err != nil {
		return nil, fmt.Errorf("append batches: %w", err)
	}
	err := db.inTx(ctx, pgx.TxOptions{}, func(tx pgx.Tx) error {
		for i, b := range bs {
			res[i].Inserted, res[i].Dup = 0, false
			if res[i].Err != nil {
				continue
			}
			if b.Key != "" {
				tag, err := tx.Exec(ctx, `INSERT INTO uplink_keys (key, received) VALUES ($1, now()) ON CONFLICT DO NOTHING`, b.Key)
				if err != nil {
					return fmt.Errorf("key: %w", err)
				}
				if tag.RowsAffected() == 0 {
					res[i].Dup = true
					continue
				}
			}
			if len(b.Observations) == 0 {
				continue
			}
			c := cols[i]
			if err := tx.QueryRow(ctx, appendSQL, c.device, c.property, c.t, c.value, c.flag).Scan(&res[i].Inserted); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("append batches: %w", err)
	}
	return res, nil
}
