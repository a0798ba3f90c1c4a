package sqlite

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/socle/socle/internal/audit"
	"github.com/socle/socle/internal/sensors"
	"github.com/socle/socle/internal/storetest"
)

func openTest(tb testing.TB) *DB {
	tb.Helper()
	db, err := Open(context.Background(), filepath.Join(tb.TempDir(), "socle.db"))
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
	for _, stmt := range []string{`UPDATE audit_log SET actor = 'b'`, `DELETE FROM audit_log`} {
		if _, err := db.write.ExecContext(ctx, stmt); err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("%s: got %v, want the append-only refusal", stmt, err)
		}
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
		rs, err := db.read.QueryContext(context.Background(), `SELECT group_concat(ii.name, ',') FROM sqlite_master m,
			pragma_index_info(m.name) ii WHERE m.type = 'index' AND m.tbl_name = ? GROUP BY m.name ORDER BY m.name`, table)
		if err != nil {
			t.Fatal(err)
		}
		defer rs.Close()
		var out []string
		for rs.Next() {
			var cols string
			rs.Scan(&cols)
			out = append(out, cols)
		}
		return out
	})
}

func TestDeletingAUserEndsItsSessions(t *testing.T) {
	db := openTest(t)
	defer db.Close()
	storetest.RunSessionCascade(t, db, func(id int64) error {
		_, err := db.write.ExecContext(context.Background(), `DELETE FROM users WHERE id = ?`, id)
		return err
	})
}

func BenchmarkSensorAppend(b *testing.B) {
	db := openTest(b)
	defer db.Close()
	storetest.BenchAppend(b, db)
}

// BenchmarkSensorAppendRawInsert is AppendBatch's baseline: the same rows
// through the same driver, one prepared plain INSERT per row in one
// transaction per batch, without keys, resend checks nor latest state.
func BenchmarkSensorAppendRawInsert(b *testing.B) {
	db := openTest(b)
	defer db.Close()
	storetest.BenchAppendFunc(b, func(ctx context.Context, batch sensors.Batch) error {
		tx, err := db.write.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		defer tx.Rollback()
		stmt, err := tx.PrepareContext(ctx, `INSERT INTO observations (device, property, t, value, flag) VALUES (?, ?, ?, ?, ?)`)
		if err != nil {
			return err
		}
		defer stmt.Close()
		for _, o := range batch.Observations {
			if _, err := stmt.ExecContext(ctx, o.Device, o.Property, o.Time.UnixMilli(), o.Value, string(o.Flag)); err != nil {
				return err
			}
		}
		return tx.Commit()
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
		rows, err := db.read.QueryContext(ctx, `SELECT t / 86400000 AS b, count(*), min(value), max(value), avg(value), sum(value)
			FROM observations WHERE device = ? AND property = ? AND t >= ? AND t < ? AND flag = '' GROUP BY b ORDER BY b`,
			q.Device, q.Property, q.From.UnixMilli(), q.To.UnixMilli())
		if err != nil {
			b.Fatal(err)
		}
		var n, day, count int64
		var lo, hi, avg, sum float64
		for rows.Next() {
			if err := rows.Scan(&day, &count, &lo, &hi, &avg, &sum); err != nil {
				b.Fatal(err)
			}
			n++
		}
		rows.Close()
		if n != 365 {
			b.Fatalf("%d buckets", n)
		}
	}
	b.ReportMetric(b.Elapsed().Seconds()*1000/float64(b.N), "ms/op")
	b.ReportMetric(0, "ns/op")
}
