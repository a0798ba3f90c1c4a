package sqlite

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/socle/socle/internal/audit"
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
