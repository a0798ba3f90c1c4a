package postgres

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/socle/socle/internal/errs"
	"github.com/socle/socle/internal/sensors"
)

// errDuplicate rolls back the transaction of a batch whose key is known.
var errDuplicate = errors.New("duplicate batch")

// appendSQL inserts a batch given as five arrays in one statement, ignoring
// resends, moves the latest state of each series that got new trusted
// rows to the newest of them (never back) and then increments the latest
// state's generation (observations_latest.go), and adds the new trusted rows
// to their hourly and daily roll-ups (the hourly partials, summed by day
// for the daily ones). It returns the rows inserted. DISTINCT ON and GROUP
// BY leave one row per key: an upsert may not touch a row twice.
const appendSQL = `WITH ins AS (
		INSERT INTO observations (device, property, t, value, flag)
		SELECT * FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::float8[], $5::text[])
		ON CONFLICT DO NOTHING
		RETURNING device, property, t, value, flag
	), up AS (
		INSERT INTO latest (device, property, t, value)
		SELECT DISTINCT ON (device, property) device, property, t, value FROM ins WHERE flag = ''
		ORDER BY device, property, t DESC
		ON CONFLICT (device, property) DO UPDATE SET t = excluded.t, value = excluded.value WHERE excluded.t > latest.t
		RETURNING device, property, t, value
	), gen AS (
		UPDATE latest_gen SET n = n + 1 WHERE shard = pg_backend_pid() % 16 AND EXISTS (SELECT 1 FROM up)
		RETURNING shard, n
	), hours AS (
		SELECT device, property, date_bin(interval '1 hour', t, timestamptz '1970-01-01 00:00:00+00') AS t,
			count(*) AS n, min(value) AS lo, max(value) AS hi, sum(value) AS total
		FROM ins WHERE flag = '' GROUP BY 1, 2, 3
	), hr AS (
		INSERT INTO obs_hourly AS r (device, property, t, n, lo, hi, total)
		SELECT * FROM hours ORDER BY 1, 2, 3
		ON CONFLICT (device, property, t) DO UPDATE SET n = r.n + excluded.n, lo = least(r.lo, excluded.lo),
			hi = greatest(r.hi, excluded.hi), total = r.total + excluded.total
	), dy AS (
		INSERT INTO obs_daily AS r (device, property, t, n, lo, hi, total)
		SELECT device, property, date_bin(interval '1 day', t, timestamptz '1970-01-01 00:00:00+00') AS d,
			sum(n), min(lo), max(hi), sum(total)
		FROM hours GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
		ON CONFLICT (device, property, t) DO UPDATE SET n = r.n + excluded.n, lo = least(r.lo, excluded.lo),
			hi = greatest(r.hi, excluded.hi), total = r.total + excluded.total
	)
	SELECT count(*) FROM ins`

// AppendBatch stores b in one transaction: the batch key first (a conflict
// means the batch is a duplicate: the transaction rolls back, nothing is
// written), then every observation in one statement (appendSQL). The
// partitions of the batch's months are created before, each in its own
// transaction. errs.Invalid for a NaN or infinite value. It returns after
// the commit, which synchronous_commit=on (PostgreSQL's default) makes
// durable.
func (db *DB) AppendBatch(ctx context.Context, b sensors.Batch) (inserted int, dup bool, err error) {
	if err := checkValues(b.Observations); err != nil {
		return 0, false, err
	}
	cols := columnsOf(b.Observations)
	if err := db.ensurePartitions(ctx, cols.months); err != nil {
		return 0, false, fmt.Errorf("append batch: %w", err)
	}
	var moved latestMoved
	err = db.inTx(ctx, pgx.TxOptions{}, func(tx pgx.Tx) error {
		if b.Key != "" {
			tag, err := tx.Exec(ctx, `INSERT INTO uplink_keys (key, received) VALUES ($1, now()) ON CONFLICT DO NOTHING`, b.Key)
			if err != nil {
				return fmt.Errorf("key: %w", err)
			}
			if tag.RowsAffected() == 0 {
				return errDuplicate
			}
		}
		if len(b.Observations) == 0 {
			return nil
		}
		var err error
		inserted, moved, err = appendAndFollow(ctx, tx, cols)
		return err
	})
	switch {
	case errors.Is(err, errDuplicate):
		return 0, true, nil
	case err != nil:
		db.latest.Invalidate() // committed or not: the cache may be stale
		return 0, false, fmt.Errorf("append batch: %w", err)
	}
	moved.apply(&db.latest)
	return inserted, false, nil
}

// checkValues refuses values that SQL cannot compare or aggregate.
func checkValues(obs []sensors.Observation) error {
	for _, o := range obs {
		if math.IsNaN(o.Value) || math.IsInf(o.Value, 0) {
			return errs.E(errs.Invalid, "%s %s at %s: value %v is not a number", o.Device, o.Property, o.Time.Format(time.RFC3339), o.Value)
		}
	}
	return nil
}

// columns are a batch's observations as arrays, times cut to the
// millisecond (what SQLite keeps), sorted by key so that concurrent
// batches lock rows in the same order; among equal keys the first in the
// batch stays first, and is the one stored.
type columns struct {
	device, property, flag []string
	t                      []time.Time
	value                  []float64
	months                 map[time.Time]bool
}

func columnsOf(obs []sensors.Observation) columns {
	sorted := slices.Clone(obs)
	for i := range sorted {
		sorted[i].Time = time.UnixMilli(sorted[i].Time.UnixMilli())
	}
	slices.SortStableFunc(sorted, func(a, b sensors.Observation) int {
		return cmp.Or(cmp.Compare(a.Device, b.Device), cmp.Compare(a.Property, b.Property), a.Time.Compare(b.Time))
	})
	c := columns{months: map[time.Time]bool{}}
	for _, o := range sorted {
		c.device, c.property, c.flag = append(c.device, o.Device), append(c.property, o.Property), append(c.flag, string(o.Flag))
		c.t, c.value = append(c.t, o.Time), append(c.value, o.Value)
		c.months[month(o.Time)] = true
	}
	return c
}

// Latest returns the latest state of the given devices (all when ids is
// nil), ordered by device then property: all devices, or a list of more
// than latestSeekMax, from the copy in memory or a scan that refreshes it
// (observations_latest.go); a shorter list by index descents.
func (db *DB) Latest(ctx context.Context, ids []string) ([]sensors.Latest, error) {
	if ids == nil || len(ids) > latestSeekMax {
		out, err := db.latestAll(ctx, ids)
		if err != nil {
			return nil, fmt.Errorf("latest: %w", err)
		}
		return out, nil
	}
	var out []sensors.Latest
	err := db.query(ctx, `SELECT device, property, t, value FROM latest WHERE device = ANY($1::text[]) ORDER BY device, property`, []any{ids}, func(r pgx.Rows) error {
		var l sensors.Latest
		if err := r.Scan(&l.Device, &l.Property, &l.Time, &l.Value); err != nil {
			return err
		}
		l.Time = l.Time.UTC()
		out = append(out, l)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("latest: %w", err)
	}
	return out, nil
}

// Aggregate returns the non-empty buckets of q in time order, trusted
// values only: for a width that is a multiple of an hour, the whole hours
// (days) of the range come from the roll-ups and only its partial hours
// at either end from raw rows (sensors.PlanAggregate); otherwise
// everything comes from raw rows. errs.Invalid unless q.Width is a
// positive whole number of seconds.
func (db *DB) Aggregate(ctx context.Context, q sensors.AggregateQuery) ([]sensors.Bucket, error) {
	if q.Width < time.Second || q.Width%time.Second != 0 {
		return nil, errs.E(errs.Invalid, "bucket width %s is not a whole number of seconds", q.Width)
	}
	var parts []sensors.Bucket
	for _, p := range sensors.PlanAggregate(q.Width, ceilMilli(q.From), ceilMilli(q.To)) {
		args := []any{int64(q.Width / time.Second), q.Device, q.Property, p.From, p.To}
		err := db.query(ctx, tierSQL[p.Tier], args, func(r pgx.Rows) error {
			var b sensors.Bucket
			if err := r.Scan(&b.Start, &b.Count, &b.Min, &b.Max, &b.Sum); err != nil {
				return err
			}
			b.Start = b.Start.UTC()
			parts = append(parts, b)
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("aggregate: %w", err)
		}
	}
	return sensors.MergeBuckets(parts), nil
}

// ceilMilli is the first whole millisecond at or after t: the bound that
// selects, among rows stored to the millisecond, those at or after t.
func ceilMilli(t time.Time) time.Time {
	ms := time.UnixMilli(t.UnixMilli())
	if t.After(ms) {
		ms = ms.Add(time.Millisecond)
	}
	return ms
}

// observationsSQL reads a device's rows in [$2, $3) in time order. The
// primary key starts with (device, property), so the recursive part lists
// the device's properties by skipping from one to the next through the
// index (PostgreSQL 15 has no skip scan), and each property's range is
// then one index seek per partition.
const observationsSQL = `WITH RECURSIVE props(name) AS (
		SELECT min(property) FROM observations WHERE device = $1
		UNION ALL
		SELECT (SELECT min(property) FROM observations WHERE device = $1 AND property > name) FROM props WHERE name IS NOT NULL
	)
	SELECT o.property, o.t, o.value, o.flag FROM props JOIN observations o ON o.device = $1 AND o.property = props.name
	WHERE o.t >= $2 AND o.t < $3
	ORDER BY o.t, o.property LIMIT $4`

// Observations returns raw observations of a device in [from, to), in time
// order (then by property), at most limit (all when negative), flagged
// ones included.
func (db *DB) Observations(ctx context.Context, device string, from, to time.Time, limit int) ([]sensors.Observation, error) {
	var out []sensors.Observation
	err := db.query(ctx, observationsSQL, []any{device, ceilMilli(from), ceilMilli(to), sqlLimit(limit)}, func(r pgx.Rows) error {
		o := sensors.Observation{Device: device}
		var flag string
		if err := r.Scan(&o.Property, &o.Time, &o.Value, &flag); err != nil {
			return err
		}
		o.Time, o.Flag = o.Time.UTC(), sensors.Flag(flag)
		out = append(out, o)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("observations: %w", err)
	}
	return out, nil
}
