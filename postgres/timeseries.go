package postgres

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/socle/socle/internal/sensors"
)

// Roll-ups (see internal/sensors/rollup.go): obs_hourly and obs_daily,
// upserted by appendSQL in the batch's statement, read by Aggregate for
// whole hours and days. Retention drops whole month partitions when it can.

// tierSQL aggregates one piece of a query from a tier, by bucket of $1
// seconds aligned on the epoch: (bucket start, count, min, max, sum).
var tierSQL = map[sensors.Tier]string{
	sensors.TierRaw:    pieceSQL("count(*), min(value), max(value), sum(value)", "observations", "AND flag = ''"),
	sensors.TierHourly: pieceSQL("sum(n)::bigint, min(lo), max(hi), sum(total)", "obs_hourly", ""),
	sensors.TierDaily:  pieceSQL("sum(n)::bigint, min(lo), max(hi), sum(total)", "obs_daily", ""),
}

func pieceSQL(cols, table, filter string) string {
	return `SELECT date_bin($1 * interval '1 second', t, timestamptz '1970-01-01 00:00:00+00') AS b, ` + cols +
		` FROM ` + table + ` WHERE device = $2 AND property = $3 AND t >= $4 AND t < $5 ` + filter + ` GROUP BY b ORDER BY b`
}

// PurgeRaw first drops the month partitions whose every row is past its
// domain's cutoff (the whole month before the cutoff of each device's
// domain found in it), then deletes the older raw rows left, device by
// device (one short transaction each). Roll-ups stay.
func (db *DB) PurgeRaw(ctx context.Context, cutoffs map[string]time.Time) (sensors.PurgeReport, error) {
	var rep sensors.PurgeReport
	if len(cutoffs) == 0 {
		return rep, nil
	}
	devices, err := db.Devices(ctx, "")
	if err != nil {
		return rep, fmt.Errorf("purge: %w", err)
	}
	domainOf := make(map[string]string, len(devices))
	for _, d := range devices {
		domainOf[d.ID] = d.Domain
	}
	if err := db.dropExpiredPartitions(ctx, cutoffs, domainOf, &rep); err != nil {
		return rep, fmt.Errorf("purge: %w", err)
	}
	for _, d := range devices {
		cutoff, ok := cutoffs[d.Domain]
		if !ok {
			continue
		}
		var n int64
		err := db.pool.with(ctx, func(c *pgx.Conn) error {
			tag, err := c.Exec(ctx, `DELETE FROM observations WHERE device = $1 AND t < $2`, d.ID, cutoff)
			n = tag.RowsAffected()
			return err
		})
		if err != nil {
			return rep, fmt.Errorf("purge %s: %w", d.ID, err)
		}
		rep.Rows += n
	}
	return rep, nil
}

// monthPartitions lists the month partitions of observations (the default
// one left out) with their first instant.
func (db *DB) monthPartitions(ctx context.Context) (map[string]time.Time, error) {
	out := map[string]time.Time{}
	err := db.query(ctx, `SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
		WHERE i.inhparent = 'observations'::regclass`, nil, func(r pgx.Rows) error {
		var name string
		if err := r.Scan(&name); err != nil {
			return err
		}
		if m, err := time.Parse("2006_01", strings.TrimPrefix(name, "observations_")); err == nil {
			out[name] = m
		}
		return nil
	})
	return out, err
}

// dropExpiredPartitions drops each month partition whose devices all
// belong to domains whose cutoff is at or after the month's end; a device
// absent from the registry keeps its partition.
func (db *DB) dropExpiredPartitions(ctx context.Context, cutoffs map[string]time.Time, domainOf map[string]string, rep *sensors.PurgeReport) error {
	parts, err := db.monthPartitions(ctx)
	if err != nil {
		return err
	}
	var latest time.Time
	for _, c := range cutoffs {
		if c.After(latest) {
			latest = c
		}
	}
	for name, m := range parts {
		end := m.AddDate(0, 1, 0)
		if end.After(latest) {
			continue
		}
		ok, err := db.partitionExpired(ctx, name, end, cutoffs, domainOf)
		if err != nil {
			return err
		}
		if !ok {
			continue
		}
		n, err := db.dropPartition(ctx, name)
		if err != nil {
			return fmt.Errorf("drop %s: %w", name, err)
		}
		db.months.Delete(m)
		rep.Rows += n
		rep.Partitions = append(rep.Partitions, name)
	}
	return nil
}

// partitionDevicesSQL lists a partition's distinct devices by skipping
// from one to the next through its primary key (%s: the partition).
const partitionDevicesSQL = `WITH RECURSIVE d(id) AS (
		SELECT min(device) FROM %[1]s
		UNION ALL
		SELECT (SELECT min(device) FROM %[1]s WHERE device > d.id) FROM d WHERE d.id IS NOT NULL
	) SELECT id FROM d WHERE id IS NOT NULL`

// partitionExpired reports whether every device in partition name has a
// domain cutoff at or after end.
func (db *DB) partitionExpired(ctx context.Context, name string, end time.Time, cutoffs map[string]time.Time, domainOf map[string]string) (bool, error) {
	expired := true
	err := db.query(ctx, fmt.Sprintf(partitionDevicesSQL, quoteIdent(name)), nil, func(r pgx.Rows) error {
		var id string
		if err := r.Scan(&id); err != nil {
			return err
		}
		domain, known := domainOf[id]
		if c, ok := cutoffs[domain]; !known || !ok || c.Before(end) {
			expired = false
		}
		return nil
	})
	return expired, err
}

// dropPartition counts a partition's rows and drops it, in one
// transaction. Dropping locks the parent table: lock_timeout bounds how
// long a long reader can make the purge (and the queries queued behind
// its lock) wait.
func (db *DB) dropPartition(ctx context.Context, name string) (int64, error) {
	var n int64
	err := db.inTx(ctx, pgx.TxOptions{}, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SET LOCAL lock_timeout = '10s'`); err != nil {
			return err
		}
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM `+quoteIdent(name)).Scan(&n); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `DROP TABLE `+quoteIdent(name))
		return err
	})
	return n, err
}

// rebuildSQL are RebuildRollups' statements: $1, $2 bound the hours in the
// first two, the days they touch in the last two.
var rebuildSQL = []string{
	`DELETE FROM obs_hourly h WHERE t >= $1 AND t < $2 AND EXISTS (SELECT 1 FROM observations o
		WHERE o.device = h.device AND o.property = h.property AND o.t >= h.t AND o.t < h.t + interval '1 hour')`,
	`INSERT INTO obs_hourly (device, property, t, n, lo, hi, total)
		SELECT device, property, date_bin(interval '1 hour', t, timestamptz '1970-01-01 00:00:00+00') AS h,
		count(*), min(value), max(value), sum(value) FROM observations WHERE t >= $1 AND t < $2 AND flag = ''
		GROUP BY 1, 2, 3
		ON CONFLICT (device, property, t) DO UPDATE SET n = excluded.n, lo = excluded.lo, hi = excluded.hi, total = excluded.total`,
	`DELETE FROM obs_daily WHERE t >= $1 AND t < $2`,
	`INSERT INTO obs_daily (device, property, t, n, lo, hi, total)
		SELECT device, property, date_bin(interval '1 day', t, timestamptz '1970-01-01 00:00:00+00') AS d,
		sum(n), min(lo), max(hi), sum(total) FROM obs_hourly WHERE t >= $1 AND t < $2 GROUP BY 1, 2, 3`,
}

// RebuildRollups recomputes, in one transaction, the hourly roll-ups of the
// hours of [from, to) that have raw rows, then the daily roll-ups of the
// days those hours touch from their hours.
func (db *DB) RebuildRollups(ctx context.Context, from, to time.Time) (int, error) {
	h0, h1 := from.UTC().Truncate(time.Hour), to.UTC().Add(time.Hour-time.Nanosecond).Truncate(time.Hour)
	d0, d1 := h0.Truncate(sensors.Day), h1.Add(sensors.Day-time.Nanosecond).Truncate(sensors.Day)
	var hours int64
	err := db.inTx(ctx, pgx.TxOptions{}, func(tx pgx.Tx) error {
		for i, stmt := range rebuildSQL {
			args := []any{h0, h1}
			if i >= 2 {
				args = []any{d0, d1}
			}
			tag, err := tx.Exec(ctx, stmt, args...)
			if err != nil {
				return err
			}
			if i == 1 {
				hours = tag.RowsAffected()
			}
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("rebuild roll-ups: %w", err)
	}
	return int(hours), nil
}
