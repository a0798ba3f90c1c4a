package sqlite

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/socle/socle/internal/errs"
	"github.com/socle/socle/internal/sensors"
)

// AppendBatch stores b in one transaction on the writer connection: the
// batch key first (a conflict means the batch is a duplicate: nothing is
// written), then each observation through one prepared statement (a
// primary-key conflict is a resend, ignored), then the latest state of the
// series that got newer trusted values. errs.Invalid for a NaN or infinite
// value.
//
// It returns after the commit. With WAL and synchronous=NORMAL (Open's
// settings) a committed batch survives a crash of the process; a power loss
// or an OS crash may lose the batches committed since the last WAL sync
// (they roll back, the file is never corrupt). synchronous=FULL would make
// every commit wait for fsync.
func (db *DB) AppendBatch(ctx context.Context, b sensors.Batch) (inserted int, dup bool, err error) {
	if err := checkValues(b.Observations); err != nil {
		return 0, false, err
	}
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return 0, false, fmt.Errorf("append batch: %w", err)
	}
	defer tx.Rollback()
	if b.Key != "" {
		res, err := tx.ExecContext(ctx, `INSERT INTO uplink_keys (key, received) VALUES (?, ?) ON CONFLICT DO NOTHING`,
			b.Key, time.Now().UnixMilli())
		if err != nil {
			return 0, false, fmt.Errorf("append batch: key: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return 0, true, nil
		}
	}
	inserted, newest, hourly, err := insertObservations(ctx, tx, b.Observations)
	if err != nil {
		return 0, false, fmt.Errorf("append batch: %w", err)
	}
	set, gen, err := upsertLatestSet(ctx, tx, newest)
	if err != nil {
		return 0, false, fmt.Errorf("append batch: latest: %w", err)
	}
	if err := upsertRollups(ctx, tx, hourly); err != nil {
		return 0, false, fmt.Errorf("append batch: roll-ups: %w", err)
	}
	if err := tx.Commit(); err != nil {
		db.latest.Invalidate() // committed or not: the cache may be stale
		return 0, false, fmt.Errorf("append batch: commit: %w", err)
	}
	if len(set) > 0 {
		db.latest.Apply(0, gen, set)
	}
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

// series identifies a device's property.
type series struct{ device, property string }

// point is a series' value at a time (Unix milliseconds).
type point struct {
	t int64
	v float64
}

// insertObservations inserts obs, ignoring resends, and returns how many
// rows were new, per series the newest new trusted point, and the hourly
// partials of the new trusted rows (what the roll-ups gain).
func insertObservations(ctx context.Context, tx *sql.Tx, obs []sensors.Observation) (int, map[series]point, rollups, error) {
	stmt, err := tx.PrepareContext(ctx, `INSERT INTO observations (device, property, t, value, flag) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`)
	if err != nil {
		return 0, nil, nil, err
	}
	defer stmt.Close()
	inserted, newest, hourly := 0, map[series]point{}, rollups{}
	for _, o := range obs {
		t := o.Time.UnixMilli()
		res, err := stmt.ExecContext(ctx, o.Device, o.Property, t, o.Value, string(o.Flag))
		if err != nil {
			return 0, nil, nil, err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			continue
		}
		inserted++
		if o.Flag != sensors.FlagNone {
			continue
		}
		k := series{o.Device, o.Property}
		if p, ok := newest[k]; !ok || t > p.t {
			newest[k] = point{t, o.Value}
		}
		hourly.add(k, t, o.Value)
	}
	return inserted, newest, hourly, nil
}

// upsertLatest moves the latest state of each series forward to its point,
// never back; series in key order. When it moved any, it increments the
// latest state's generation (observations_latest.go).
func upsertLatest(ctx context.Context, tx *sql.Tx, newest map[series]point) error {
	_, _, err := upsertLatestSet(ctx, tx, newest)
	return err
}

// upsertLatestSet is upsertLatest that also returns the series it moved
// and the generation, for the cache to follow after the commit.
func upsertLatestSet(ctx context.Context, tx *sql.Tx, newest map[series]point) ([]sensors.Latest, int64, error) {
	if len(newest) == 0 {
		return nil, 0, nil
	}
	stmt, err := tx.PrepareContext(ctx, `INSERT INTO latest (device, property, t, value) VALUES (?, ?, ?, ?)
		ON CONFLICT (device, property) DO UPDATE SET t = excluded.t, value = excluded.value WHERE excluded.t > latest.t`)
	if err != nil {
		return nil, 0, err
	}
	defer stmt.Close()
	var set []sensors.Latest
	for _, k := range sortedSeries(newest) {
		p := newest[k]
		res, err := stmt.ExecContext(ctx, k.device, k.property, p.t, p.v)
		if err != nil {
			return nil, 0, err
		}
		if n, _ := res.RowsAffected(); n > 0 {
			set = append(set, sensors.Latest{Device: k.device, Property: k.property, Time: time.UnixMilli(p.t).UTC(), Value: p.v})
		}
	}
	gen, err := bumpLatestGen(ctx, tx, set)
	return set, gen, err
}

func sortedSeries(m map[series]point) []series {
	keys := make([]series, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b series) int {
		return cmp.Or(cmp.Compare(a.device, b.device), cmp.Compare(a.property, b.property))
	})
	return keys
}

// Latest returns the latest state of the given devices (all when ids is
// nil), ordered by device then property. All devices, or a list naming a
// large part of them, come from the copy in memory, or from a walk of the
// whole table that refreshes it (observations_latest.go); a shorter list
// from a seek of each device, the IDs travelling as one JSON array (one
// bind parameter however many).
func (db *DB) Latest(ctx context.Context, ids []string) ([]sensors.Latest, error) {
	if ids == nil || len(ids) > latestSeekMax {
		out, ok, err := db.latestAll(ctx, ids)
		if err != nil {
			return nil, fmt.Errorf("latest: %w", err)
		}
		if ok {
			return out, nil
		}
	}
	list, err := json.Marshal(ids)
	if err != nil {
		return nil, err
	}
	rows, err := db.read.QueryContext(ctx, `SELECT device, property, t, value FROM latest
		WHERE device IN (SELECT value FROM json_each(?)) ORDER BY device, property`, string(list))
	if err != nil {
		return nil, fmt.Errorf("latest: %w", err)
	}
	defer rows.Close()
	out, err := scanLatest(rows, 2*len(ids))
	if err != nil {
		return nil, fmt.Errorf("latest: %w", err)
	}
	return out, nil
}

// scanLatest reads rows of (device, property, t, value), about hint of
// them. Devices and properties repeat from row to row: their strings are
// shared rather than allocated for each row, which halves the time of a
// large read.
func scanLatest(rows *sql.Rows, hint int) ([]sensors.Latest, error) {
	out := make([]sensors.Latest, 0, hint)
	var dev, prop sql.RawBytes
	var t int64
	props := map[string]string{}
	l := sensors.Latest{}
	for rows.Next() {
		if err := rows.Scan(&dev, &prop, &t, &l.Value); err != nil {
			return nil, err
		}
		if string(dev) != l.Device {
			l.Device = string(dev)
		}
		if l.Property = props[string(prop)]; l.Property == "" {
			l.Property = string(prop)
			props[l.Property] = l.Property
		}
		l.Time = time.UnixMilli(t).UTC()
		out = append(out, l)
	}
	return out, rows.Err()
}

// Aggregate returns the non-empty buckets of q in time order, trusted
// values only: for a width that is a multiple of an hour, the whole hours
// (days) of the range come from the roll-ups and only its partial hours
// at either end from raw rows (sensors.PlanAggregate); otherwise
// everything comes from raw rows. errs.Invalid unless q.Width is a
// positive whole number of seconds.
func (db *DB) Aggregate(ctx context.Context, q sensors.AggregateQuery) ([]sensors.Bucket, error) {
	if err := checkWidth(q.Width); err != nil {
		return nil, err
	}
	var parts []sensors.Bucket
	var err error
	for _, p := range sensors.PlanAggregate(q.Width, time.UnixMilli(ceilMilli(q.From)), time.UnixMilli(ceilMilli(q.To))) {
		if parts, err = db.aggregatePiece(ctx, q, p, parts); err != nil {
			return nil, fmt.Errorf("aggregate: %w", err)
		}
	}
	return sensors.MergeBuckets(parts), nil
}

func checkWidth(w time.Duration) error {
	if w < time.Second || w%time.Second != 0 {
		return errs.E(errs.Invalid, "bucket width %s is not a whole number of seconds", w)
	}
	return nil
}

// ceilMilli is the first whole millisecond at or after t: the bound that
// selects, among rows stored to the millisecond, those at or after t.
func ceilMilli(t time.Time) int64 {
	ms := t.UnixMilli()
	if t.Sub(time.UnixMilli(ms)) > 0 {
		ms++
	}
	return ms
}

// observationsSQL reads a device's rows in [?2, ?3) in time order. The
// primary key starts with (device, property), so the recursive part lists
// the device's properties by skipping from one to the next through the
// index, and each property's range is then one index seek: the cost follows
// the rows read, not the device's whole history.
const observationsSQL = `WITH RECURSIVE props(name) AS (
		SELECT min(property) FROM observations WHERE device = ?1
		UNION ALL
		SELECT (SELECT min(property) FROM observations WHERE device = ?1 AND property > name) FROM props WHERE name IS NOT NULL
	)
	SELECT o.property, o.t, o.value, o.flag FROM props CROSS JOIN observations o
	WHERE o.device = ?1 AND o.property = props.name AND o.t >= ?2 AND o.t < ?3
	ORDER BY o.t, o.property LIMIT ?4`

// Observations returns raw observations of a device in [from, to), in time
// order (then by property), at most limit (all when negative), flagged
// ones included.
func (db *DB) Observations(ctx context.Context, device string, from, to time.Time, limit int) ([]sensors.Observation, error) {
	rows, err := db.read.QueryContext(ctx, observationsSQL, device, ceilMilli(from), ceilMilli(to), limit)
	if err != nil {
		return nil, fmt.Errorf("observations: %w", err)
	}
	defer rows.Close()
	var out []sensors.Observation
	for rows.Next() {
		o := sensors.Observation{Device: device}
		var t int64
		var flag string
		if err := rows.Scan(&o.Property, &t, &o.Value, &flag); err != nil {
			return nil, fmt.Errorf("observations: %w", err)
		}
		o.Time, o.Flag = time.UnixMilli(t).UTC(), sensors.Flag(flag)
		out = append(out, o)
	}
	return out, rows.Err()
}
