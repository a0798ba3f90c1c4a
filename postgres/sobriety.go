package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
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
