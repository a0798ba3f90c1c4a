package sqlite

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/socle/socle/internal/catalog"
	"github.com/socle/socle/internal/errs"
)

// TableBytes reads SQLite's dbstat table: the pages of each table and of
// its indexes. The table exists when the driver is built with the
// sqlite_dbstat tag (the Makefile and CI build so); without it the sizes
// are Unavailable.
func (db *DB) TableBytes(ctx context.Context) (map[string]int64, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT coalesce(m.tbl_name, d.name), sum(d.pgsize)
		FROM dbstat AS d LEFT JOIN sqlite_master AS m ON m.name = d.name GROUP BY 1`)
	if err != nil {
		if strings.Contains(err.Error(), "no such table: dbstat") {
			return nil, errs.E(errs.Unavailable, "table sizes not measured: socle was built without the sqlite_dbstat tag")
		}
		return nil, fmt.Errorf("table bytes: %w", err)
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var name string
		var n int64
		if err := rows.Scan(&name, &n); err != nil {
			return nil, fmt.Errorf("table bytes: %w", err)
		}
		out[name] += n
	}
	return out, rows.Err()
}

// LastUsed returns the last day each dataset was viewed or downloaded.
func (db *DB) LastUsed(ctx context.Context) (map[string]time.Time, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT dataset_id, max(day) FROM dataset_usage WHERE views > 0 OR downloads > 0 GROUP BY dataset_id`)
	if err != nil {
		return nil, fmt.Errorf("last used: %w", err)
	}
	defer rows.Close()
	out := map[string]time.Time{}
	for rows.Next() {
		var id, day string
		if err := rows.Scan(&id, &day); err != nil {
			return nil, fmt.Errorf("last used: %w", err)
		}
		t, err := time.Parse(time.DateOnly, day)
		if err != nil {
			return nil, fmt.Errorf("last used %s: %w", id, err)
		}
		out[id] = t
	}
	return out, rows.Err()
}

// SensorRows counts the raw observations and the roll-up rows.
func (db *DB) SensorRows(ctx context.Context) (raw, hourly, daily int64, err error) {
	err = db.read.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM observations), (SELECT count(*) FROM obs_hourly), (SELECT count(*) FROM obs_daily)`).
		Scan(&raw, &hourly, &daily)
	if err != nil {
		err = fmt.Errorf("sensor rows: %w", err)
	}
	return raw, hourly, daily, err
}

// UsageBetween sums the usage of the days in [from, to).
func (db *DB) UsageBetween(ctx context.Context, from, to time.Time) (map[string]catalog.Usage, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT dataset_id, sum(views), sum(downloads) FROM dataset_usage
		WHERE day >= ? AND day < ? GROUP BY dataset_id HAVING sum(views) > 0 OR sum(downloads) > 0`,
		from.UTC().Format(time.DateOnly), to.UTC().Format(time.DateOnly))
	if err != nil {
		return nil, fmt.Errorf("usage between: %w", err)
	}
	defer rows.Close()
	out := map[string]catalog.Usage{}
	for rows.Next() {
		var u catalog.Usage
		if err := rows.Scan(&u.DatasetID, &u.Views, &u.Downloads); err != nil {
			return nil, fmt.Errorf("usage between: %w", err)
		}
		out[u.DatasetID] = u
	}
	return out, rows.Err()
}
