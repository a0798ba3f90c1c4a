package postgres

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/socle/socle/internal/storetest"
)

// BenchmarkSensorLatestRawSQL is Latest's baseline: the plain query on the
// same table, the IDs as one array, every row scanned by pgx
// (BenchLatest's 40,000 devices).
func BenchmarkSensorLatestRawSQL(b *testing.B) {
	db := openTest(b)
	defer db.Close()
	ids := storetest.BenchLatestSetup(b, db)
	ctx := context.Background()
	for b.Loop() {
		n := 0
		err := db.query(ctx, `SELECT device, property, t, value FROM latest WHERE device = ANY($1::text[]) ORDER BY device, property`,
			[]any{ids}, func(r pgx.Rows) error {
				var d, p string
				var t time.Time
				var v float64
				n++
				return r.Scan(&d, &p, &t, &v)
			})
		if err != nil || n != 2*storetest.BenchDevices {
			b.Fatalf("%d rows, %v", n, err)
		}
	}
	b.ReportMetric(b.Elapsed().Seconds()*1000/float64(b.N), "ms/op")
	b.ReportMetric(0, "ns/op")
}

// BenchmarkSensorLatestFollow is BenchLatest with a batch moving 500
// devices before each read: the copy in memory follows the commits.
func BenchmarkSensorLatestFollow(b *testing.B) {
	db := openTest(b)
	defer db.Close()
	storetest.BenchLatestFollow(b, db)
}

// BenchmarkSensorLatestCold is BenchLatest with the copy in memory dropped
// before each read: the scan of the table that reloads it.
func BenchmarkSensorLatestCold(b *testing.B) {
	db := openTest(b)
	defer db.Close()
	ids := storetest.BenchLatestSetup(b, db)
	for b.Loop() {
		db.latest.Invalidate()
		if got, err := db.Latest(context.Background(), ids); err != nil || len(got) != 2*storetest.BenchDevices {
			b.Fatalf("latest: %d values, %v", len(got), err)
		}
	}
	b.ReportMetric(b.Elapsed().Seconds()*1000/float64(b.N), "ms/op")
	b.ReportMetric(0, "ns/op")
}

// BenchmarkSensorStorage reports the bytes each table takes for
// BenchYear's data (a year of 10-minute values of three series), from
// pg_total_relation_size (heap, indexes, TOAST; the month partitions
// summed): per raw observation, per hourly and daily roll-up row, and the
// roll-ups' share of the raw table.
func BenchmarkSensorStorage(b *testing.B) {
	db := openTest(b)
	defer db.Close()
	storetest.BenchYear(b, db)
	ctx := context.Background()
	if err := db.exec(ctx, `VACUUM ANALYZE`); err != nil {
		b.Fatal(err)
	}
	size := func(sizeSQL, table string) (bytes, rows float64) {
		if err := db.queryRow(ctx, sizeSQL, nil, &bytes); err != nil {
			b.Fatal(err)
		}
		if err := db.queryRow(ctx, `SELECT count(*)::float8 FROM `+table, nil, &rows); err != nil {
			b.Fatal(err)
		}
		return bytes, rows
	}
	for b.Loop() {
	}
	raw, rawRows := size(`SELECT sum(pg_total_relation_size(inhrelid))::float8 FROM pg_inherits WHERE inhparent = 'observations'::regclass`, "observations")
	hourly, hourlyRows := size(`SELECT pg_total_relation_size('obs_hourly')::float8`, "obs_hourly")
	daily, dailyRows := size(`SELECT pg_total_relation_size('obs_daily')::float8`, "obs_daily")
	b.ReportMetric(raw/rawRows, "B/raw-obs")
	b.ReportMetric(hourly/hourlyRows, "B/hourly-row")
	b.ReportMetric(daily/dailyRows, "B/daily-row")
	b.ReportMetric((hourly+daily)/raw, "rollups/raw")
	b.ReportMetric(0, "ns/op")
}
