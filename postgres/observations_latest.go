package postgres

import (
	"context"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/socle/socle/internal/sensors"
)

// The latest state of many devices (the map of the whole fleet) comes from
// a copy in memory (sensors.LatestCache), exact as long as the vector of
// latest_gen's 16 counters is the one it was read or kept at: appendSQL
// increments one of them in every transaction that moves the latest state
// (on this node or another), and AppendBatch updates the copy after its
// own commit. Otherwise it costs 40,000 index descents and 80,000 rows
// decoded; a shorter list of devices still reads them from the table.

// latestSeekMax is the longest ID list read by index descents.
const latestSeekMax = 512

// appendFollowSQL is appendSQL returning, besides the rows inserted, the
// counter it incremented and the series whose latest state it moved.
var appendFollowSQL = strings.Replace(appendSQL, `SELECT count(*) FROM ins`, `SELECT (SELECT count(*) FROM ins),
		coalesce((SELECT shard FROM gen), -1), coalesce((SELECT n FROM gen), 0),
		(SELECT array_agg(device ORDER BY device, property) FROM up), (SELECT array_agg(property ORDER BY device, property) FROM up),
		(SELECT array_agg(t ORDER BY device, property) FROM up), (SELECT array_agg(value ORDER BY device, property) FROM up)`, 1)

// latestMoved is what one batch did to the latest state.
type latestMoved struct {
	shard    int
	n        int64
	device   []string
	property []string
	t        []time.Time
	value    []float64
}

// appendAndFollow runs appendFollowSQL on the batch's columns.
func appendAndFollow(ctx context.Context, tx pgx.Tx, cols columns) (int, latestMoved, error) {
	var inserted int
	var m latestMoved
	err := tx.QueryRow(ctx, appendFollowSQL, cols.device, cols.property, cols.t, cols.value, cols.flag).
		Scan(&inserted, &m.shard, &m.n, &m.device, &m.property, &m.t, &m.value)
	return inserted, m, err
}

// apply tells the cache what the committed batch moved.
func (m latestMoved) apply(c *sensors.LatestCache) {
	if m.shard < 0 {
		return // the latest state did not move
	}
	set := make([]sensors.Latest, len(m.device))
	for i := range set {
		set[i] = sensors.Latest{Device: m.device[i], Property: m.property[i], Time: m.t[i].UTC(), Value: m.value[i]}
	}
	c.Apply(m.shard, m.n, set)
}

const latestGenSQL = `SELECT array_agg(n ORDER BY shard) FROM latest_gen`

// latestAll returns the latest state of the devices of ids (all when nil)
// from the cache when it reflects the stored generation, else from a scan
// of the table in one snapshot, which refreshes the cache.
func (db *DB) latestAll(ctx context.Context, ids []string) ([]sensors.Latest, error) {
	var gen []int64
	if err := db.queryRow(ctx, latestGenSQL, nil, &gen); err != nil {
		return nil, err
	}
	if out, ok := db.latest.Get(gen, ids); ok {
		return out, nil
	}
	var all []sensors.Latest
	err := db.inTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, latestGenSQL).Scan(&gen); err != nil {
			return err
		}
		var err error
		all, err = latestScan(ctx, tx)
		return err
	})
	if err != nil {
		return nil, err
	}
	db.latest.Store(gen, all)
	if ids == nil {
		return all, nil
	}
	return sensors.FilterLatest(all, ids), nil
}

// latestScan reads the whole latest table in device then property order.
func latestScan(ctx context.Context, tx pgx.Tx) ([]sensors.Latest, error) {
	rows, err := tx.Query(ctx, `SELECT device, property, t, value FROM latest ORDER BY device, property`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []sensors.Latest
	for rows.Next() {
		var l sensors.Latest
		if err := rows.Scan(&l.Device, &l.Property, &l.Time, &l.Value); err != nil {
			return nil, err
		}
		l.Time = l.Time.UTC()
		out = append(out, l)
	}
	return out, rows.Err()
}
