package sqlite

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/socle/socle/internal/sensors"
)

// Roll-ups (see internal/sensors/rollup.go): obs_hourly and obs_daily,
// upserted by AppendBatch in the batch's transaction from the rows it
// inserted, read by Aggregate for whole hours and days.

const (
	hourMs = int64(time.Hour / time.Millisecond)
	dayMs  = int64(sensors.Day / time.Millisecond)
)

// rollKey is one series' bucket (start in Unix milliseconds).
type rollKey struct {
	series
	t int64
}

// partial is the aggregate of some trusted values.
type partial struct {
	n      int64
	lo, hi float64
	total  float64
}

func (p *partial) add(q partial) {
	if p.n == 0 {
		*p = q
		return
	}
	p.n, p.lo, p.hi, p.total = p.n+q.n, min(p.lo, q.lo), max(p.hi, q.hi), p.total+q.total
}

// rollups accumulates the hourly partials of the rows a batch inserts.
type rollups map[rollKey]*partial

func (r rollups) add(k series, t int64, v float64) {
	key := rollKey{k, sensors.FloorDiv(t, hourMs) * hourMs}
	if p := r[key]; p != nil {
		p.add(partial{n: 1, lo: v, hi: v, total: v})
		return
	}
	r[key] = &partial{n: 1, lo: v, hi: v, total: v}
}

// daily sums the hourly partials by UTC day.
func (r rollups) daily() rollups {
	out := rollups{}
	for k, p := range r {
		dk := rollKey{k.series, sensors.FloorDiv(k.t, dayMs) * dayMs}
		if q := out[dk]; q != nil {
			q.add(*p)
		} else {
			c := *p
			out[dk] = &c
		}
	}
	return out
}

// sorted returns the keys in primary-key order: rows are touched in index
// order, page after page.
func (r rollups) sorted() []rollKey {
	keys := make([]rollKey, 0, len(r))
	for k := range r {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b rollKey) int {
		return cmp.Or(cmp.Compare(a.device, b.device), cmp.Compare(a.property, b.property), cmp.Compare(a.t, b.t))
	})
	return keys
}

// upsertRollupSQL adds partials to roll-up rows (%s: the table, then the
// rows' placeholders): many rows per statement, because a batch of 1,000
// series touches 2,000 roll-up rows and each statement executed costs more
// than the rows it writes.
const upsertRollupSQL = `INSERT INTO %s (device, property, t, n, lo, hi, total) VALUES %s
	ON CONFLICT (device, property, t) DO UPDATE SET n = n + excluded.n, lo = min(lo, excluded.lo),
	hi = max(hi, excluded.hi), total = total + excluded.total`

// rollupRowsPerStatement keeps a statement's parameters (7 per row) well
// under SQLite's limit of 32,766.
const rollupRowsPerStatement = 500

// upsertRollups adds the batch's hourly partials to obs_hourly and their
// daily sums to obs_daily.
func upsertRollups(ctx context.Context, tx *sql.Tx, hourly rollups) error {
	if len(hourly) == 0 {
		return nil
	}
	for _, tier := range []struct {
		table string
		parts rollups
	}{{"obs_hourly", hourly}, {"obs_daily", hourly.daily()}} {
		keys := tier.parts.sorted()
		for len(keys) > 0 {
			chunk := keys[:min(len(keys), rollupRowsPerStatement)]
			keys = keys[len(chunk):]
			args := make([]any, 0, 7*len(chunk))
			for _, k := range chunk {
				p := tier.parts[k]
				args = append(args, k.device, k.property, k.t, p.n, p.lo, p.hi, p.total)
			}
			values := strings.Repeat("(?, ?, ?, ?, ?, ?, ?), ", len(chunk))
			if _, err := tx.ExecContext(ctx, fmt.Sprintf(upsertRollupSQL, tier.table, values[:len(values)-2]), args...); err != nil {
				return err
			}
		}
	}
	return nil
}

// pieceSQL aggregates one piece of a query from a tier, by bucket of ?1
// milliseconds: (bucket number, count, min, max, sum). %s is the bucket
// expression, %s the source and its columns.
const pieceSQL = `SELECT %s AS b, %s FROM %s WHERE device = ?2 AND property = ?3 AND t >= ?4 AND t < ?5 %s GROUP BY b ORDER BY b`

// tierSQL are the statements of each tier, for times after 1970 and for
// ranges starting before (floor division, a quarter slower).
var tierSQL = map[sensors.Tier][2]string{}

func init() {
	after, before := `t / ?1`, `CASE WHEN t >= 0 THEN t / ?1 ELSE (t + 1) / ?1 - 1 END`
	for tier, src := range map[sensors.Tier][3]string{
		sensors.TierRaw:    {"count(*), min(value), max(value), sum(value)", "observations", "AND flag = ''"},
		sensors.TierHourly: {"sum(n), min(lo), max(hi), sum(total)", "obs_hourly", ""},
		sensors.TierDaily:  {"sum(n), min(lo), max(hi), sum(total)", "obs_daily", ""},
	} {
		tierSQL[tier] = [2]string{fmt.Sprintf(pieceSQL, after, src[0], src[1], src[2]), fmt.Sprintf(pieceSQL, before, src[0], src[1], src[2])}
	}
}

// aggregatePiece appends the partial buckets of one piece to out.
func (db *DB) aggregatePiece(ctx context.Context, q sensors.AggregateQuery, p sensors.Piece, out []sensors.Bucket) ([]sensors.Bucket, error) {
	width, from := q.Width.Milliseconds(), p.From.UnixMilli()
	query := tierSQL[p.Tier][0]
	if from < 0 {
		query = tierSQL[p.Tier][1]
	}
	rows, err := db.read.QueryContext(ctx, query, width, q.Device, q.Property, from, p.To.UnixMilli())
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var b sensors.Bucket
		var n int64
		if err := rows.Scan(&n, &b.Count, &b.Min, &b.Max, &b.Sum); err != nil {
			return nil, err
		}
		b.Start = time.UnixMilli(n * width).UTC()
		out = append(out, b)
	}
	return out, rows.Err()
}

// PurgeRaw deletes, domain by domain and device by device (one short
// transaction each, so that ingestion waits at most one device's delete),
// the raw observations older than the domain's cutoff. Roll-ups stay.
func (db *DB) PurgeRaw(ctx context.Context, cutoffs map[string]time.Time) (sensors.PurgeReport, error) {
	var rep sensors.PurgeReport
	for _, domain := range sensors.Domains {
		cutoff, ok := cutoffs[domain]
		if !ok {
			continue
		}
		devices, err := db.Devices(ctx, domain)
		if err != nil {
			return rep, fmt.Errorf("purge: %w", err)
		}
		for _, d := range devices {
			res, err := db.write.ExecContext(ctx, `DELETE FROM observations WHERE device = ? AND t < ?`, d.ID, cutoff.UnixMilli())
			if err != nil {
				return rep, fmt.Errorf("purge %s: %w", d.ID, err)
			}
			n, _ := res.RowsAffected()
			rep.Rows += n
		}
	}
	return rep, nil
}

// RebuildRollups recomputes, in one transaction, the hourly roll-ups of the
// hours of [from, to) that have raw rows, then the daily roll-ups of the
// days those hours touch from their hours.
func (db *DB) RebuildRollups(ctx context.Context, from, to time.Time) (int, error) {
	h0 := sensors.FloorDiv(from.UnixMilli(), hourMs) * hourMs
	h1 := sensors.FloorDiv(to.UnixMilli()+hourMs-1, hourMs) * hourMs
	d0, d1 := sensors.FloorDiv(h0, dayMs)*dayMs, sensors.FloorDiv(h1+dayMs-1, dayMs)*dayMs
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("rebuild roll-ups: %w", err)
	}
	defer tx.Rollback()
	var hours int64
	for i, stmt := range []string{
		`DELETE FROM obs_hourly WHERE t >= ?1 AND t < ?2 AND EXISTS (SELECT 1 FROM observations o
			WHERE o.device = obs_hourly.device AND o.property = obs_hourly.property AND o.t >= obs_hourly.t AND o.t < obs_hourly.t + 3600000)`,
		`INSERT INTO obs_hourly (device, property, t, n, lo, hi, total)
			SELECT device, property, (CASE WHEN t >= 0 THEN t / 3600000 ELSE (t + 1) / 3600000 - 1 END) * 3600000 AS h,
			count(*), min(value), max(value), sum(value) FROM observations WHERE t >= ?1 AND t < ?2 AND flag = ''
			GROUP BY device, property, h
			ON CONFLICT (device, property, t) DO UPDATE SET n = excluded.n, lo = excluded.lo, hi = excluded.hi, total = excluded.total`,
		`DELETE FROM obs_daily WHERE t >= ?3 AND t < ?4`,
		`INSERT INTO obs_daily (device, property, t, n, lo, hi, total)
			SELECT device, property, (CASE WHEN t >= 0 THEN t / 86400000 ELSE (t + 1) / 86400000 - 1 END) * 86400000 AS d,
			sum(n), min(lo), max(hi), sum(total) FROM obs_hourly WHERE t >= ?3 AND t < ?4 GROUP BY device, property, d`,
	} {
		res, err := tx.ExecContext(ctx, stmt, h0, h1, d0, d1)
		if err != nil {
			return 0, fmt.Errorf("rebuild roll-ups: %w", err)
		}
		if i == 1 {
			hours, _ = res.RowsAffected() // the hours rebuilt: those with trusted raw rows
		}
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("rebuild roll-ups: %w", err)
	}
	return int(hours), nil
}
