//go:build sqlite_dbstat

package sqlite

import (
	"context"
	"testing"

	"github.com/socle/socle/internal/storetest"
)

// Built with -tags sqlite_dbstat only: the dbstat table is not in the
// default build of mattn/go-sqlite3.

// BenchmarkSensorStorage reports the bytes each table takes for
// BenchYear's data (a year of 10-minute values of three series), from
// SQLite's dbstat: per raw observation, per hourly and daily roll-up row,
// and the roll-ups' share of the raw table.
func BenchmarkSensorStorage(b *testing.B) {
	db := openTest(b)
	defer db.Close()
	storetest.BenchYear(b, db)
	ctx := context.Background()
	size := func(table string) (bytes, rows float64) {
		if err := db.read.QueryRowContext(ctx, `SELECT sum(pgsize) FROM dbstat WHERE name = ?`, table).Scan(&bytes); err != nil {
			b.Fatal(err)
		}
		if err := db.read.QueryRowContext(ctx, `SELECT count(*) FROM `+table).Scan(&rows); err != nil {
			b.Fatal(err)
		}
		return bytes, rows
	}
	for b.Loop() {
	}
	raw, rawRows := size("observations")
	hourly, hourlyRows := size("obs_hourly")
	daily, dailyRows := size("obs_daily")
	b.ReportMetric(raw/rawRows, "B/raw-obs")
	b.ReportMetric(hourly/hourlyRows, "B/hourly-row")
	b.ReportMetric(daily/dailyRows, "B/daily-row")
	b.ReportMetric((hourly+daily)/raw, "rollups/raw")
	b.ReportMetric(0, "ns/op")
}
