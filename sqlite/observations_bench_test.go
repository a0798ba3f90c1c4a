package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"testing"

	"github.com/socle/socle/internal/storetest"
)

// BenchmarkSensorLatestRawSQL is Latest's baseline: the plain query on the
// same table, the IDs as one JSON array, every row scanned through
// database/sql into reused variables (BenchLatest's 40,000 devices).
func BenchmarkSensorLatestRawSQL(b *testing.B) {
	db := openTest(b)
	defer db.Close()
	ids := storetest.BenchLatestSetup(b, db)
	list, err := json.Marshal(ids)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	for b.Loop() {
		rows, err := db.read.QueryContext(ctx, `SELECT device, property, t, value FROM latest
			WHERE device IN (SELECT value FROM json_each(?)) ORDER BY device, property`, string(list))
		if err != nil {
			b.Fatal(err)
		}
		n := 0
		var dev, prop sql.RawBytes
		var t int64
		var v float64
		for rows.Next() {
			if err := rows.Scan(&dev, &prop, &t, &v); err != nil {
				b.Fatal(err)
			}
			n++
		}
		rows.Close()
		if n != 2*storetest.BenchDevices {
			b.Fatalf("%d rows", n)
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
// before each read: the packed walk of the table that reloads it.
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
