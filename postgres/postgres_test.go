package postgres

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/socle/socle/internal/audit"
	"github.com/socle/socle/internal/sensors"
	"github.com/socle/socle/internal/storetest"
)

// testDSN returns the test server's DSN with a fresh schema that is dropped
// when the test ends, or skips the test without SOCLE_TEST_POSTGRES_URL.
func testDSN(tb testing.TB) (dsn, schema string) {
	tb.Helper()
	base := os.Getenv("SOCLE_TEST_POSTGRES_URL")
	if base == "" {
		tb.Skip("SOCLE_TEST_POSTGRES_URL not set")
	}
	b := make([]byte, 6)
	rand.Read(b)
	schema = "socle_test_" + hex.EncodeToString(b)
	tb.Cleanup(func() {
		conn, err := pgx.Connect(context.Background(), base)
		if err != nil {
			tb.Errorf("drop schema: %v", err)
			return
		}
		defer conn.Close(context.Background())
		if _, err := conn.Exec(context.Background(), `DROP SCHEMA IF EXISTS `+quoteIdent(schema)+` CASCADE`); err != nil {
			tb.Errorf("drop schema: %v", err)
		}
	})
	sep := "?"
	if strings.Contains(base, "?") {
		sep = "&"
	}
	return base + sep + "schema=" + schema, schema
}

func openTest(tb testing.TB) *DB {
	tb.Helper()
	dsn, _ := testDSN(tb)
	db, err := Open(context.Background(), dsn)
	if err != nil {
		tb.Fatalf("open: %v", err)
	}
	return db
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) storetest.Store { return openTest(t) })
}

func TestAuditLogRefusesChanges(t *testing.T) {
	db := openTest(t)
	defer db.Close()
	ctx := context.Background()
	if err := db.AppendAudit(ctx, &audit.Entry{Actor: "a", Action: "x", Target: "t"}); err != nil {
		t.Fatal(err)
	}
	for _, stmt := range []string{`UPDATE audit_log SET actor = 'b'`, `DELETE FROM audit_log`, `TRUNCATE audit_log`} {
		if err := db.exec(ctx, stmt); err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("%s: got %v, want the append-only refusal", stmt, err)
		}
	}
}

func TestConcurrentOpenMigratesOnce(t *testing.T) {
	dsn, _ := testDSN(t)
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			db, err := Open(context.Background(), dsn)
			if err == nil {
				db.Close()
			}
			errs[i] = err
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Errorf("open: %v", err)
		}
	}
}

func TestSplitSchema(t *testing.T) {
	for _, tc := range []struct{ in, dsn, schema string }{
		{"postgres://u@h/db?sslmode=disable&schema=s1", "postgres://u@h/db?sslmode=disable", "s1"},
		{"postgres://u@h/db", "postgres://u@h/db", ""},
		{"host=h dbname=db", "host=h dbname=db", ""},
	} {
		dsn, schema, err := splitSchema(tc.in)
		if err != nil || dsn != tc.dsn || schema != tc.schema {
			t.Errorf("splitSchema(%q) = %q, %q, %v; want %q, %q", tc.in, dsn, schema, err, tc.dsn, tc.schema)
		}
	}
	if _, _, err := splitSchema("postgres://h/db?schema=a;drop"); err == nil {
		t.Error("a malformed schema name was accepted")
	}
}

func BenchmarkLoad(b *testing.B) {
	db := openTest(b)
	defer db.Close()
	storetest.BenchLoad(b, db)
}

func TestIndexedFieldsGetAnIndexInEveryVersion(t *testing.T) {
	db := openTest(t)
	defer db.Close()
	storetest.RunIndexes(t, db, func(t *testing.T, table string) []string {
		var out []string
		err := db.pool.with(context.Background(), func(c *pgx.Conn) error {
			rs, err := c.Query(context.Background(), `SELECT string_agg(a.attname, ',' ORDER BY k.n)
				FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class r ON r.oid = x.indrelid
				CROSS JOIN LATERAL unnest(x.indkey) WITH ORDINALITY AS k(attnum, n)
				JOIN pg_attribute a ON a.attrelid = r.oid AND a.attnum = k.attnum
				WHERE r.relname = $1 AND NOT x.indisprimary GROUP BY i.relname ORDER BY i.relname`, table)
			if err != nil {
				return err
			}
			out, err = pgx.CollectRows(rs, pgx.RowTo[string])
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return out
	})
}

func TestDeletingAUserEndsItsSessions(t *testing.T) {
	db := openTest(t)
	defer db.Close()
	storetest.RunSessionCascade(t, db, func(id int64) error {
		return db.exec(context.Background(), `DELETE FROM users WHERE id = $1`, id)
	})
}

func TestObservationsGetMonthPartitionsAndFarTimesTheDefault(t *testing.T) {
	ctx := context.Background()
	dsn, _ := testDSN(t)
	db, err := Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	// A row of June 2024 already in the default partition: June cannot get
	// its partition, and its later rows join that one.
	if err := db.exec(ctx, `INSERT INTO observations_default VALUES ('d', 'p', '2024-06-10T00:00:00Z', 1, '')`); err != nil {
		t.Fatal(err)
	}
	at := func(s string) sensors.Observation {
		tm, _ := time.Parse(time.RFC3339, s)
		return sensors.Observation{Device: "d", Property: "p", Time: tm, Value: 2}
	}
	b := sensors.Batch{Observations: []sensors.Observation{at("2024-03-05T00:00:00Z"), at("2024-04-05T00:00:00Z"),
		at("1990-01-01T00:00:00Z"), at("2024-06-11T00:00:00Z"), at("2999-01-01T00:00:00Z")}}
	if n, _, err := db.AppendBatch(ctx, b); err != nil || n != 5 {
		t.Fatalf("append: %d, %v; want 5 rows", n, err)
	}
	wantStrings(t, db, "partitions", `SELECT c.relname::text FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
		WHERE i.inhparent = 'observations'::regclass ORDER BY 1`,
		"observations_2024_03", "observations_2024_04", "observations_default")
	wantStrings(t, db, "default partition", `SELECT to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD') FROM observations_default ORDER BY t`,
		"1990-01-01", "2024-06-10", "2024-06-11", "2999-01-01")

	// Another process (an empty cache) finds the partitions in place.
	db2, err := Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db2.Close()
	b.Observations[0].Time = b.Observations[0].Time.Add(time.Hour)
	if n, _, err := db2.AppendBatch(ctx, b); err != nil || n != 1 {
		t.Fatalf("append again: %d, %v; want 1 row", n, err)
	}
	got, err := db2.Observations(ctx, "d", time.Time{}, time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC), -1)
	if err != nil || len(got) != 7 {
		t.Fatalf("observations: %d, %v; want 7", len(got), err)
	}
}

func wantStrings(t *testing.T, db *DB, what, q string, want ...string) {
	t.Helper()
	var got []string
	err := db.query(context.Background(), q, nil, func(r pgx.Rows) error {
		var s string
		err := r.Scan(&s)
		got = append(got, s)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("%s: got %v, want %v", what, got, want)
	}
}

func BenchmarkSensorAppend(b *testing.B) {
	db := openTest(b)
	defer db.Close()
	storetest.BenchAppend(b, db)
}

// BenchmarkSensorAppendRawInsert is AppendBatch's baseline: the same rows
// through the same driver, one plain INSERT per row in one transaction per
// batch, without keys, resend checks nor latest state.
func BenchmarkSensorAppendRawInsert(b *testing.B) {
	db := openTest(b)
	defer db.Close()
	storetest.BenchAppendFunc(b, func(ctx context.Context, batch sensors.Batch) error {
		if err := db.ensurePartitions(ctx, columnsOf(batch.Observations).months); err != nil {
			return err
		}
		return db.inTx(ctx, pgx.TxOptions{}, func(tx pgx.Tx) error {
			for _, o := range batch.Observations {
				if _, err := tx.Exec(ctx, `INSERT INTO observations (device, property, t, value, flag) VALUES ($1, $2, $3, $4, $5)`,
					o.Device, o.Property, o.Time, o.Value, string(o.Flag)); err != nil {
					return err
				}
			}
			return nil
		})
	})
}

// BenchmarkSensorAppendPgxBatch is the alternative AppendBatch did not
// take: the same work (key, resend-proof inserts, latest state) queued as
// one statement per row in a pgx.Batch, one round trip.
func BenchmarkSensorAppendPgxBatch(b *testing.B) {
	db := openTest(b)
	defer db.Close()
	storetest.BenchAppendFunc(b, func(ctx context.Context, batch sensors.Batch) error {
		cols := columnsOf(batch.Observations)
		if err := db.ensurePartitions(ctx, cols.months); err != nil {
			return err
		}
		return db.inTx(ctx, pgx.TxOptions{}, func(tx pgx.Tx) error {
			q := &pgx.Batch{}
			q.Queue(`INSERT INTO uplink_keys (key, received) VALUES ($1, now()) ON CONFLICT DO NOTHING`, batch.Key)
			for i := range cols.t {
				q.Queue(`INSERT INTO observations (device, property, t, value, flag) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`,
					cols.device[i], cols.property[i], cols.t[i], cols.value[i], cols.flag[i])
				if cols.flag[i] == "" {
					q.Queue(`INSERT INTO latest (device, property, t, value) VALUES ($1, $2, $3, $4)
						ON CONFLICT (device, property) DO UPDATE SET t = excluded.t, value = excluded.value WHERE excluded.t > latest.t`,
						cols.device[i], cols.property[i], cols.t[i], cols.value[i])
				}
			}
			return tx.SendBatch(ctx, q).Close()
		})
	})
}

// BenchmarkSensorAppendCopy is the other alternative: COPY into a
// temporary table, then appendSQL's statement reading from it.
func BenchmarkSensorAppendCopy(b *testing.B) {
	db := openTest(b)
	defer db.Close()
	fromTemp := strings.Replace(appendSQL, `SELECT * FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::float8[], $5::text[])`,
		`SELECT * FROM obs_in`, 1)
	storetest.BenchAppendFunc(b, func(ctx context.Context, batch sensors.Batch) error {
		cols := columnsOf(batch.Observations)
		if err := db.ensurePartitions(ctx, cols.months); err != nil {
			return err
		}
		return db.inTx(ctx, pgx.TxOptions{}, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, `INSERT INTO uplink_keys (key, received) VALUES ($1, now()) ON CONFLICT DO NOTHING`, batch.Key); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `CREATE TEMP TABLE IF NOT EXISTS obs_in (device text COLLATE "C", property text COLLATE "C",
				t timestamptz, value float8, flag text) ON COMMIT DELETE ROWS`); err != nil {
				return err
			}
			_, err := tx.CopyFrom(ctx, pgx.Identifier{"obs_in"}, []string{"device", "property", "t", "value", "flag"},
				pgx.CopyFromSlice(len(cols.t), func(i int) ([]any, error) {
					return []any{cols.device[i], cols.property[i], cols.t[i], cols.value[i], cols.flag[i]}, nil
				}))
			if err != nil {
				return err
			}
			var n int
			return tx.QueryRow(ctx, fromTemp).Scan(&n)
		})
	})
}

func BenchmarkSensorLatest(b *testing.B) {
	db := openTest(b)
	defer db.Close()
	storetest.BenchLatest(b, db)
}

func BenchmarkSensorAggregate(b *testing.B) {
	db := openTest(b)
	defer db.Close()
	storetest.BenchAggregate(b, db)
}

// BenchmarkSensorAggregateRawSQL is Aggregate's baseline: the daily
// aggregate written by hand on the same table, rows scanned and dropped.
func BenchmarkSensorAggregateRawSQL(b *testing.B) {
	db := openTest(b)
	defer db.Close()
	q := storetest.BenchYear(b, db)
	ctx := context.Background()
	for b.Loop() {
		n := 0
		err := db.query(ctx, `SELECT date_trunc('day', t AT TIME ZONE 'UTC') AS b, count(*), min(value), max(value), avg(value), sum(value)
			FROM observations WHERE device = $1 AND property = $2 AND t >= $3 AND t < $4 AND flag = '' GROUP BY b ORDER BY b`,
			[]any{q.Device, q.Property, q.From, q.To}, func(r pgx.Rows) error {
				var day time.Time
				var count int64
				var lo, hi, avg, sum float64
				n++
				return r.Scan(&day, &count, &lo, &hi, &avg, &sum)
			})
		if err != nil || n != 365 {
			b.Fatalf("%d buckets, %v", n, err)
		}
	}
	b.ReportMetric(b.Elapsed().Seconds()*1000/float64(b.N), "ms/op")
	b.ReportMetric(0, "ns/op")
}
