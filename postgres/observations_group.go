package postgres

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/socle/socle/internal/sensors"
)

// groupAppendSQL is appendSQL returning the rows it inserted (so that a
// group's rows are attributed to their batches) and, as appendFollowSQL
// does, the latest state's counter it incremented and the series it moved
// (so that the in-memory latest state follows the commit).
var groupAppendSQL = func() string {
	const count = "SELECT count(*) FROM ins"
	if !strings.HasSuffix(appendSQL, count) {
		panic("postgres: appendSQL no longer ends with " + count)
	}
	return strings.TrimSuffix(appendSQL, count) + `SELECT
		(SELECT array_agg(device) FROM ins), (SELECT array_agg(property) FROM ins), (SELECT array_agg(t) FROM ins),
		coalesce((SELECT shard FROM gen), -1), coalesce((SELECT n FROM gen), 0),
		(SELECT array_agg(device ORDER BY device, property) FROM up), (SELECT array_agg(property ORDER BY device, property) FROM up),
		(SELECT array_agg(t ORDER BY device, property) FROM up), (SELECT array_agg(value ORDER BY device, property) FROM up)`
}()

// AppendBatches stores bs in one transaction (a group commit): the keys
// of the batches (one statement), then the rows of every batch that is
// not a duplicate in one appendSQL statement — one latest-state and
// roll-up update for the whole group — and the commit once. A batch with a
// NaN or infinite value is left out and reported in its result. Rows are
// attributed to the first batch of the group that carries them, as a
// resend within one batch is.
func (db *DB) AppendBatches(ctx context.Context, bs []sensors.Batch) ([]sensors.AppendResult, error) {
	res := make([]sensors.AppendResult, len(bs))
	var keys []string
	months := map[time.Time]bool{}
	for i, b := range bs {
		if res[i].Err = checkValues(b.Observations); res[i].Err != nil {
			continue
		}
		if b.Key != "" {
			keys = append(keys, b.Key)
		}
		for _, o := range b.Observations {
			months[month(o.Time)] = true
		}
	}
	// Partitions first, each in its own transaction, as AppendBatch does.
	if err := db.ensurePartitions(ctx, months); err != nil {
		return nil, fmt.Errorf("append batches: %w", err)
	}
	moved := latestMoved{shard: -1}
	err := db.inTx(ctx, pgx.TxOptions{}, func(tx pgx.Tx) error {
		moved = latestMoved{shard: -1} // a retried transaction starts over
		fresh, err := insertKeys(ctx, tx, keys)
		if err != nil {
			return err
		}
		var obs []sensors.Observation
		for i, b := range bs {
			res[i].Inserted, res[i].Dup = 0, false
			if res[i].Err != nil {
				continue
			}
			if b.Key != "" {
				if !fresh[b.Key] {
					res[i].Dup = true
					continue
				}
				delete(fresh, b.Key) // a second batch of the key in the group is a duplicate
			}
			obs = append(obs, b.Observations...)
		}
		if len(obs) == 0 {
			return nil
		}
		inserted, m, err := insertedRows(ctx, tx, columnsOf(obs))
		if err != nil {
			return err
		}
		moved = m
		attribute(bs, res, inserted)
		return nil
	})
	if err != nil {
		db.latest.Invalidate() // committed or not: the cache may be stale
		return nil, fmt.Errorf("append batches: %w", err)
	}
	moved.apply(&db.latest)
	return res, nil
}

// insertKeys records the batch keys and returns those that were new.
func insertKeys(ctx context.Context, tx pgx.Tx, keys []string) (map[string]bool, error) {
	fresh := map[string]bool{}
	if len(keys) == 0 {
		return fresh, nil
	}
	rows, err := tx.Query(ctx, `INSERT INTO uplink_keys (key, received) SELECT DISTINCT k, now() FROM unnest($1::text[]) k
		ON CONFLICT DO NOTHING RETURNING key`, keys)
	if err != nil {
		return nil, fmt.Errorf("keys: %w", err)
	}
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			return nil, err
		}
		fresh[k] = true
	}
	return fresh, rows.Err()
}

// rowKey identifies an observation row: device, property, Unix ms.
type rowKey struct {
	device, property string
	t                int64
}

// insertedRows runs groupAppendSQL and returns the keys of the new rows
// and what moved in the latest state.
func insertedRows(ctx context.Context, tx pgx.Tx, c columns) (map[rowKey]bool, latestMoved, error) {
	var devs, props []string
	var ts []time.Time
	var m latestMoved
	err := tx.QueryRow(ctx, groupAppendSQL, c.device, c.property, c.t, c.value, c.flag).
		Scan(&devs, &props, &ts, &m.shard, &m.n, &m.device, &m.property, &m.t, &m.value)
	if err != nil {
		return nil, m, err
	}
	out := make(map[rowKey]bool, len(devs))
	for i := range devs {
		out[rowKey{devs[i], props[i], ts[i].UnixMilli()}] = true
	}
	return out, m, nil
}

// attribute counts each new row for the first batch that carries it.
func attribute(bs []sensors.Batch, res []sensors.AppendResult, inserted map[rowKey]bool) {
	for i, b := range bs {
		if res[i].Err != nil || res[i].Dup {
			continue
		}
		for _, o := range b.Observations {
			k := rowKey{o.Device, o.Property, o.Time.UnixMilli()}
			if inserted[k] {
				res[i].Inserted++
				delete(inserted, k)
			}
		}
	}
}
