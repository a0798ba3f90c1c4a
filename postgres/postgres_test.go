package postgres

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/socle/socle/internal/audit"
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
