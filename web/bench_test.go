package web

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/socle/socle/httpapi"
	"github.com/socle/socle/internal/app"
	"github.com/socle/socle/internal/catalog"
	"github.com/socle/socle/internal/odsql"
	"github.com/socle/socle/internal/records"
	"github.com/socle/socle/internal/storetest"
	"github.com/socle/socle/postgres"
	"github.com/socle/socle/sqlite"
)

// BenchmarkDatasetPage measures the server-side render of the pages of a
// 1M-row dataset (SOCLE_BENCH_ROWS overrides the size), on SQLite and,
// when SOCLE_TEST_POSTGRES_URL is set, PostgreSQL. The baseline is the raw
// store query the table tab runs (first page and total), on the same
// table: pages/baseline is the cost of everything else (catalog lookup,
// usage counters, template).
//
//	go test ./web -run '^$' -bench DatasetPage -benchtime 50x
func BenchmarkDatasetPage(b *testing.B) {
	n := 1_000_000
	if v := os.Getenv("SOCLE_BENCH_ROWS"); v != "" {
		n = atoi(v)
	}
	engines := map[string]func(b *testing.B) app.Store{"sqlite": func(b *testing.B) app.Store {
		db, err := sqlite.Open(context.Background(), filepath.Join(b.TempDir(), "socle.db"))
		if err != nil {
			b.Fatal(err)
		}
		return db
	}}
	if dsn := os.Getenv("SOCLE_TEST_POSTGRES_URL"); dsn != "" {
		engines["postgres"] = func(b *testing.B) app.Store {
			db, err := postgres.Open(context.Background(), dsn)
			if err != nil {
				b.Fatal(err)
			}
			db.DeleteDataset(context.Background(), "big")
			return db
		}
	}
	for name, open := range engines {
		b.Run(name, func(b *testing.B) { benchPages(b, open(b), n) })
	}
}

func benchPages(b *testing.B, store app.Store, n int) {
	ctx := context.Background()
	a := app.New(store, nil)
	defer a.Close()
	d := &catalog.Dataset{ID: "big", UID: app.NewUID(), Access: catalog.AccessPublic, Meta: catalog.Metadata{Title: "Big", License: catalog.DefaultLicense}}
	if err := store.CreateDataset(ctx, d); err != nil {
		b.Fatal(err)
	}
	defer store.DeleteDataset(ctx, "big")
	if _, err := store.LoadVersion(ctx, catalog.LoadRequest{DatasetID: "big", Fields: storetest.BenchFields(), Mode: catalog.ModeReplace, Rows: storetest.BenchRows(n)}); err != nil {
		b.Fatal(err)
	}
	site, err := New(a, httpapi.New(a, a.Logger, httpapi.DefaultLimits), a.Logger, DefaultConfig())
	if err != nil {
		b.Fatal(err)
	}
	d, _ = store.Dataset(ctx, "big")
	baselines := []struct{ name, where, order, sel, group string }{
		{name: "first-page"},
		{name: "filtered-sorted-page", where: "`c7` = 42", order: "`c1` desc"},
		{name: "group-by", sel: "`c6` as x, count(*) as v", group: "`c6` as x", order: "v desc"},
	}
	for _, bl := range baselines {
		b.Run("baseline-raw-"+bl.name, func(b *testing.B) {
			q := rawQuery(b, bl.where, bl.order, bl.sel, bl.group)
			for b.Loop() {
				var rows records.Rows
				var err error
				if bl.group == "" {
					rows, _, err = store.Page(ctx, d, q)
				} else {
					rows, err = store.Query(ctx, d, q)
				}
				if err != nil {
					b.Fatal(err)
				}
				for _, err := rows.Next(); err == nil; _, err = rows.Next() {
				}
				rows.Close()
			}
		})
	}
	for _, path := range []string{"/datasets/big", "/datasets/big/table", "/datasets/big/table?sort=-c1&f.c7=42",
		"/datasets/big/downloads", "/datasets/big/api", "/datasets/big/chart?x=c6&agg=count"} {
		b.Run(path, func(b *testing.B) {
			for b.Loop() {
				w := httptest.NewRecorder()
				site.ServeHTTP(w, httptest.NewRequest(http.MethodGet, path, nil))
				if w.Code != http.StatusOK {
					b.Fatalf("%s: %d %s", path, w.Code, w.Body)
				}
				io.Copy(io.Discard, w.Body)
			}
		})
	}
}

// rawQuery is the store query a page runs, built the same way.
func rawQuery(b *testing.B, where, order, sel, group string) *odsql.Query {
	q := &odsql.Query{Limit: defaultTableSize}
	var err error
	if where != "" {
		e, err := odsql.ParseWhere(where)
		if err != nil {
			b.Fatal(err)
		}
		q.Where = []odsql.Expr{e}
	}
	if order != "" {
		if q.OrderBy, err = odsql.ParseOrderBy(order); err != nil {
			b.Fatal(err)
		}
	}
	if sel != "" {
		q.Limit = chartMaxGroups + 1
		if q.Select, err = odsql.ParseSelect(sel); err != nil {
			b.Fatal(err)
		}
		if q.GroupBy, err = odsql.ParseGroupBy(group); err != nil {
			b.Fatal(err)
		}
	}
	return q
}

func atoi(s string) int {
	n := 0
	for _, c := range s {
		n = n*10 + int(c-'0')
	}
	return n
}
