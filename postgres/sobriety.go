package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/socle/socle/internal/catalog"
)

// tableBytesSQL sums pg_total_relation_size (heap, indexes, TOAST) of the
// schema's tables, partitions counted in their parent.
const tableBytesSQL = `SELECT coalesce(p.relname, c.relname), sum(pg_total_relation_size(c.oid))::bigint
	FROM pg_class c
	JOIN pg_namespace n ON n.oid = c.relnamespace
	LEFT JOIN pg_inherits i ON i.inhrelid = c.oid
	LEFT JOIN pg_class p ON p.oid = i.inhparent
	WHERE n.nspname = current_schema() AND c.relkind = 'r'
	GROUP BY 1`

// TableBytes returns the bytes each table of the schema takes.
func (db *DB) TableBytes(ctx context.Context) (map[string]int64, error) {
	out := map[string]int64{}
	err := db.query(ctx, tableBytesSQL, nil, func(rs pgx.Rows) error {
		var name string
		var n int64
		if err := rs.Scan(&name, &n); err != nil {
			return err
		}
		out[name] += n
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("table bytes: %w", err)
	}
	return out, nil
}

// LastUsed returns the last day each dataset was viewed or downloaded.
func (db *DB) LastUsed(ctx context.Context) (map[string]time.Time, error) {
	out := map[string]time.Time{}
	err := db.query(ctx, `SELECT dataset_id, max(day) FROM dataset_usage WHERE views > 0 OR downloads > 0 GROUP BY dataset_id`, nil,
		func(rs pgx.Rows) error {
			var id string
			var day time.Time
			if err := rs.Scan(&id, &day); err != nil {
				return err
			}
			out[id] = day.UTC()
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("last used: %w", err)
	}
	return out, nil
}

// SensorRows counts the raw observations and the roll-up rows.
func (db *DB) SensorRows(ctx context.Context) (raw, hourly, daily int64, err error) {
	err = db.queryRow(ctx, `SELECT (SELECT count(*) FROM observations), (SELECT count(*) FROM obs_hourly), (SELECT count(*) FROM obs_daily)`,
		nil, &raw, &hourly, &daily)
	if err != nil {
		err = fmt.Errorf("sensor rows: %w", err)
	}
	return raw, hourly, daily, err
}

// UsageBetween sums the usage of the days in [from, to).
func (db *DB) UsageBetween(ctx context.Context, from, to time.Time) (map[string]catalog.Usage, error) {
	out := map[string]catalog.Usage{}
	err := db.query(ctx, `SELECT dataset_id, sum(views)::bigint, sum(downloads)::bigint FROM dataset_usage
		WHERE day >= $1::date AND day < $2::date GROUP BY dataset_id HAVING sum(views) > 0 OR sum(downloads) > 0`,
		[]any{from.UTC().Format(time.DateOnly), to.UTC().Format(time.DateOnly)}, func(rs pgx.Rows) error {
			var u catalog.Usage
			if err := rs.Scan(&u.DatasetID, &u.Views, &u.Downloads); err != nil {
				return err
			}
			out[u.DatasetID] = u
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("usage between: %w", err)
	}
	return out, nil
}
