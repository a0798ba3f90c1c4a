package bench

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/socle/socle/internal/app"
	"github.com/socle/socle/internal/catalog"
	"github.com/socle/socle/internal/export"
	"github.com/socle/socle/internal/importer"
	"github.com/socle/socle/internal/odsql"
	"github.com/socle/socle/postgres"
	"github.com/socle/socle/sqlite"
)

// Benchmarks read their input size from SOCLE_BENCH_ROWS (default 100,000),
// or use the CSV file named by SOCLE_BENCH_CSV (e.g. the 1M-row file of
// scripts/bench.sh, to profile an import with -cpuprofile).
const defaultRows = 100_000

// engine opens a fresh, empty store.
type engine struct {
	name string
	open func(tb testing.TB) app.Store
}

// engines is SQLite, plus PostgreSQL when SOCLE_TEST_POSTGRES_URL is set.
func engines() []engine {
	es := []engine{{"sqlite", openSQLite}}
	if os.Getenv("SOCLE_TEST_POSTGRES_URL") != "" {
		es = append(es, engine{"postgres", openPostgres})
	}
	return es
}

func openSQLite(tb testing.TB) app.Store {
	tb.Helper()
	db, err := sqlite.Open(context.Background(), filepath.Join(tb.TempDir(), "socle.db"))
	if err != nil {
		tb.Fatalf("open sqlite: %v", err)
	}
	return db
}

// openPostgres opens a private schema that is dropped when tb ends.
func openPostgres(tb testing.TB) app.Store {
	tb.Helper()
	base := os.Getenv("SOCLE_TEST_POSTGRES_URL")
	b := make([]byte, 6)
	rand.Read(b)
	schema := "socle_bench_" + hex.EncodeToString(b)
	tb.Cleanup(func() {
		ctx := context.Background()
		conn, err := pgx.Connect(ctx, base)
		if err != nil {
			tb.Errorf("drop schema: %v", err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, `DROP SCHEMA IF EXISTS "`+schema+`" CASCADE`); err != nil {
			tb.Errorf("drop schema: %v", err)
		}
	})
	sep := "?"
	if strings.Contains(base, "?") {
		sep = "&"
	}
	db, err := postgres.Open(context.Background(), base+sep+"schema="+schema)
	if err != nil {
		tb.Fatalf("open postgres: %v", err)
	}
	return db
}

// input returns the CSV to import and its number of rows.
func input(tb testing.TB) (string, int) {
	tb.Helper()
	if path := os.Getenv("SOCLE_BENCH_CSV"); path != "" {
		data, err := os.ReadFile(path)
		if err != nil {
			tb.Fatal(err)
		}
		return path, bytes.Count(data, []byte{'\n'}) - 1
	}
	n := defaultRows
	if s := os.Getenv("SOCLE_BENCH_ROWS"); s != "" {
		var err error
		if n, err = strconv.Atoi(s); err != nil {
			tb.Fatalf("SOCLE_BENCH_ROWS: %v", err)
		}
	}
	return writeInput(tb, n), n
}

func writeInput(tb testing.TB, n int) string {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "bench.csv")
	f, err := os.Create(path)
	if err != nil {
		tb.Fatal(err)
	}
	if err := WriteCSV(f, n, 1); err != nil {
		tb.Fatal(err)
	}
	if err := f.Close(); err != nil {
		tb.Fatal(err)
	}
	return path
}

func importFile(tb testing.TB, a *app.App, path string) *importer.Summary {
	tb.Helper()
	sum, err := importer.Import(context.Background(), a, app.System, importer.Request{
		Path:    path,
		Dataset: catalog.Dataset{ID: "bench", Access: catalog.AccessPublic, Meta: catalog.Metadata{Title: "Bench"}},
	})
	if err != nil {
		tb.Fatalf("import: %v", err)
	}
	return sum
}

// BenchmarkImport times importer.Import (inference pass, cast pass, load
// and publish) into a fresh store per iteration.
func BenchmarkImport(b *testing.B) {
	path, rows := input(b)
	for _, e := range engines() {
		b.Run(e.name, func(b *testing.B) {
			var elapsed time.Duration
			for b.Loop() {
				b.StopTimer()
				store := e.open(b)
				a := app.New(store, nil)
				b.StartTimer()
				start := time.Now()
				if sum := importFile(b, a, path); sum.Rows != int64(rows) {
					b.Fatalf("imported %d rows, want %d", sum.Rows, rows)
				}
				elapsed += time.Since(start)
				b.StopTimer()
				store.Close()
				b.StartTimer()
			}
			b.ReportMetric(float64(rows)*float64(b.N)/elapsed.Seconds(), "rows/s")
		})
	}
}

// BenchmarkExport times a full export (query, scan, cast to Go values,
// serialise) of an imported dataset to io.Discard.
func BenchmarkExport(b *testing.B) {
	path, rows := input(b)
	for _, e := range engines() {
		store := e.open(b)
		a := app.New(store, nil)
		importFile(b, a, path)
		for _, f := range []export.Format{export.CSV, export.Parquet} {
			b.Run(e.name+"/"+string(f), func(b *testing.B) {
				for b.Loop() {
					if n := exportAll(b, a, f); n != rows {
						b.Fatalf("exported %d rows, want %d", n, rows)
					}
				}
				b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
			})
		}
		store.Close()
	}
}

func exportAll(tb testing.TB, a *app.App, f export.Format) int {
	tb.Helper()
	ctx := context.Background()
	_, rows, err := a.Records(ctx, app.System, "bench", &odsql.Query{Limit: -1})
	if err != nil {
		tb.Fatalf("query: %v", err)
	}
	defer rows.Close()
	w, err := export.NewWriter(f, io.Discard, rows.Columns(), export.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	n := 0
	for {
		row, err := rows.Next()
		if err == io.EOF {
			break
		} else if err != nil {
			tb.Fatalf("row %d: %v", n, err)
		}
		if err := w.Write(row); err != nil {
			tb.Fatal(err)
		}
		n++
	}
	if err := w.Close(); err != nil {
		tb.Fatal(err)
	}
	return n
}

// TestInputTypes checks that the benchmark input exercises every common
// type: a regression here would make the import benchmark measure less
// work than it claims.
func TestInputTypes(t *testing.T) {
	path := writeInput(t, 500)
	store := openSQLite(t)
	defer store.Close()
	sum := importFile(t, app.New(store, nil), path)
	want := map[string]catalog.FieldType{
		"id": catalog.TypeInt, "nom": catalog.TypeText, "montant": catalog.TypeDouble,
		"date_releve": catalog.TypeDate, "horodatage": catalog.TypeDateTime, "actif": catalog.TypeBoolean,
		"quantite": catalog.TypeInt, "categorie": catalog.TypeText, "taux": catalog.TypeDouble,
		"commentaire": catalog.TypeText,
	}
	if len(sum.Fields) != len(want) || sum.Rows != 500 {
		t.Fatalf("imported %d rows, %d fields %+v; want 500 rows, %d fields", sum.Rows, len(sum.Fields), sum.Fields, len(want))
	}
	for _, f := range sum.Fields {
		if want[f.Name] != f.Type {
			t.Errorf("field %s: type %s, want %s", f.Name, f.Type, want[f.Name])
		}
	}
}

// TestWriteCSVDeterministic checks that one seed gives the same file.
func TestWriteCSVDeterministic(t *testing.T) {
	var a, b bytes.Buffer
	if err := WriteCSV(&a, 100, 7); err != nil {
		t.Fatal(err)
	}
	WriteCSV(&b, 100, 7)
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Fatal("same seed, different output")
	}
	if got := bytes.Count(a.Bytes(), []byte{'\n'}); got != 101 {
		t.Fatalf("%d lines, want 101", got)
	}
}
