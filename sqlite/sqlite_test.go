package sqlite

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/socle/socle/internal/audit"
	"github.com/socle/socle/internal/catalog"
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

// benchSource yields n synthetic rows of benchFields.
type benchSource struct{ i, n int }

var benchFields = func() []catalog.Field {
	types := []catalog.FieldType{catalog.TypeText, catalog.TypeInt, catalog.TypeDouble, catalog.TypeBoolean, catalog.TypeDate,
		catalog.TypeDateTime, catalog.TypeText, catalog.TypeInt, catalog.TypeDouble, catalog.TypeText}
	out := make([]catalog.Field, len(types))
	for i, t := range types {
		out[i] = catalog.Field{Name: fmt.Sprintf("c%d", i), Type: t}
	}
	return out
}()

func (s *benchSource) Next() (catalog.Row, error) {
	if s.i == s.n {
		return nil, io.EOF
	}
	s.i++
	i := s.i
	t := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Minute)
	return catalog.Row{fmt.Sprintf("name %d", i), int64(i), float64(i) / 3, i%2 == 0, t.Truncate(24 * time.Hour),
		t, "Lyon", int64(i % 100), 1.5, "quelque chose d'un peu plus long"}, nil
}

func BenchmarkLoad(b *testing.B) {
	db := openTest(b)
	defer db.Close()
	ctx := context.Background()
	if err := db.CreateDataset(ctx, &catalog.Dataset{ID: "bench", UID: "bench", Access: catalog.AccessPublic}); err != nil {
		b.Fatal(err)
	}
	const n = 100000
	for b.Loop() {
		_, err := db.LoadVersion(ctx, catalog.LoadRequest{DatasetID: "bench", Fields: benchFields, Mode: catalog.ModeReplace, Rows: &benchSource{n: n}})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
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
