package odsql

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"math"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	sqlite3 "github.com/mattn/go-sqlite3"

	"github.com/socle/socle/internal/catalog"
)

var registerOnce sync.Once

// openSQLite opens an in-memory SQLite database with the helper functions
// registered, as the SQLite storage engine does.
func openSQLite(t *testing.T) *testDB {
	t.Helper()
	registerOnce.Do(func() {
		sql.Register("sqlite3_odsql", &sqlite3.SQLiteDriver{
			ConnectHook: func(conn *sqlite3.SQLiteConn) error {
				for name, fn := range SQLiteFunctions() {
					if err := conn.RegisterFunc(name, fn, true); err != nil {
						return err
					}
				}
				return conn.RegisterAggregator("socle_percentile", NewPercentileAgg, true)
			},
		})
	})
	db, err := sql.Open("sqlite3_odsql", ":memory:")
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	t.Cleanup(func() { db.Close() })
	return &testDB{sqlite: db, d: SQLite}
}

// openPostgres opens a private schema on SOCLE_TEST_POSTGRES_URL with the
// helper functions created, or skips.
func openPostgres(t *testing.T) *testDB {
	t.Helper()
	url := os.Getenv("SOCLE_TEST_POSTGRES_URL")
	if url == "" {
		t.Skip("SOCLE_TEST_POSTGRES_URL not set: skipping PostgreSQL execution tests")
	}
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	b := make([]byte, 6)
	rand.Read(b)
	schema := "odsql_test_" + hex.EncodeToString(b)
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		conn.Exec(ctx, "DROP SCHEMA "+schema+" CASCADE")
		conn.Close(ctx)
	})
	if _, err := conn.Exec(ctx, "SET search_path TO "+schema); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(ctx, PostgresFunctionsSQL); err != nil {
		t.Fatal(err)
	}
	return &testDB{pg: conn, d: Postgres}
}

// testDB runs SQL on either engine.
type testDB struct {
	sqlite *sql.DB
	pg     *pgx.Conn
	d      Dialect
}

func (db *testDB) Exec(q string, args ...any) (any, error) {
	if db.pg != nil {
		return db.pg.Exec(context.Background(), q, args...)
	}
	return db.sqlite.Exec(q, args...)
}

// rows returns all rows of a query as scanned values.
func (db *testDB) rows(q string, args []any) ([][]any, error) {
	var out [][]any
	if db.pg != nil {
		rows, err := db.pg.Query(context.Background(), q, args...)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		for rows.Next() {
			vals, err := rows.Values()
			if err != nil {
				return nil, err
			}
			out = append(out, vals)
		}
		return out, rows.Err()
	}
	rows, err := db.sqlite.Query(q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		out = append(out, vals)
	}
	return out, rows.Err()
}

var testFields = []catalog.Field{
	{Name: "name", Type: catalog.TypeText},
	{Name: "city", Type: catalog.TypeText, Facet: true},
	{Name: "pop", Type: catalog.TypeInt},
	{Name: "score", Type: catalog.TypeDouble},
	{Name: "active", Type: catalog.TypeBoolean},
	{Name: "born", Type: catalog.TypeDate},
	{Name: "seen", Type: catalog.TypeDateTime},
	{Name: "loc", Type: catalog.TypeGeoPoint},
	{Name: "and", Type: catalog.TypeText}, // a keyword as field name
}

type testRow struct {
	name, city any // string
	pop        any // int64
	score      any // float64
	active     any // bool
	born       any // "YYYY-MM-DD"
	seen       any // RFC 3339 UTC
	loc        any // [2]float64{lat, lon}
	and        any
}

var testRows = []testRow{
	{"Alice", "Paris", int64(1200), 3.5, true, "1990-01-15", "2021-03-01T10:00:00Z", [2]float64{48.8566, 2.3522}, "x"},
	{"Bob", "Lyon", int64(800), 4.25, false, "1985-06-30", "2021-03-01T23:30:00Z", [2]float64{45.764, 4.8357}, nil},
	{"Élodie", "Saint-Étienne", int64(300), nil, true, "2000-12-31", "2020-12-31T23:30:00Z", [2]float64{45.4397, 4.3872}, nil},
	{"Chloé", "Paris", nil, 2.0, nil, nil, nil, nil, nil},
	{"François", "Marseille", int64(5000), 1.5, true, "1990-07-04", "2022-07-14T12:00:00Z", [2]float64{43.2965, 5.3698}, nil},
	{"zoë", "lyon", int64(800), 4.75, false, "1985-06-01", "2021-05-05T05:05:05Z", [2]float64{45.75, 4.85}, nil},
	{"Dave", nil, int64(150), 0.0, false, "2001-02-03", "2019-08-05T08:00:00Z", [2]float64{48.86, 2.35}, nil},
	{"Eve", "Paris", int64(2500), 3.0, true, "1999-09-09", "2019-08-31T22:30:00Z", [2]float64{48.85, 2.34}, "y"},
	{"O'Neil", "Lyon", int64(1000), 5.0, true, "1975-03-15", "2020-02-29T12:00:00Z", [2]float64{45.76, 4.84}, nil},
	{"100% pur_jus", "Marseille", int64(42), -1.25, nil, "2010-10-10", "2023-01-01T00:00:00Z", nil, nil},
	{nil, "Paris", int64(600), 2.5, false, "1990-01-01", "2021-01-01T00:00:00Z", [2]float64{48.9, 2.4}, nil},
	{"Ärger", "Nice", int64(3400), 4.0, true, "1968-05-10", "2018-11-11T11:11:11Z", [2]float64{43.7102, 7.262}, nil},
	{"Gus", "Lyon", int64(1000), 1.0, true, "1990-01-15", "2021-03-01T10:00:00Z", [2]float64{45.77, 4.83}, nil},
	{"Hana", "Paris", int64(1200), 3.5, false, "1995-05-05", "2022-02-02T02:02:02Z", [2]float64{48.87, 2.36}, nil},
	{"Ivan", "Nice", nil, nil, nil, "1980-08-08", "2020-06-15T15:00:00Z", [2]float64{43.7, 7.25}, nil},
	{"Jules", "Marseille", int64(700), 2.75, true, "2005-05-25", "2021-12-25T20:00:00Z", [2]float64{43.3, 5.4}, nil},
	{"Kévin", "Saint-Étienne", int64(300), 3.25, false, "1992-02-29", "2020-02-29T23:59:59Z", [2]float64{45.44, 4.39}, nil},
	{"Léa", "Paris", int64(900), 4.5, true, "1990-01-15", "2021-07-14T09:00:00Z", [2]float64{48.84, 2.32}, nil},
	{"Marc", "Lyon", int64(1100), 0.5, false, "1978-11-30", "2019-01-01T00:00:00Z", [2]float64{45.74, 4.86}, nil},
	{"Nina", nil, nil, nil, nil, nil, nil, nil, nil},
}

// createTable lays out the records table as the storage engines do.
func createTable(t *testing.T, db *testDB) {
	d := db.d
	t.Helper()
	typ := func(ft catalog.FieldType) string {
		if d.pg() {
			return map[catalog.FieldType]string{catalog.TypeText: "text", catalog.TypeInt: "bigint", catalog.TypeDouble: "double precision",
				catalog.TypeBoolean: "boolean", catalog.TypeDate: "date", catalog.TypeDateTime: "timestamptz"}[ft]
		}
		return map[catalog.FieldType]string{catalog.TypeText: "TEXT", catalog.TypeInt: "INTEGER", catalog.TypeDouble: "REAL",
			catalog.TypeBoolean: "INTEGER", catalog.TypeDate: "TEXT", catalog.TypeDateTime: "TEXT"}[ft]
	}
	cols := []string{`"_id" INTEGER PRIMARY KEY`}
	if d.pg() {
		cols = []string{`"_id" bigint PRIMARY KEY`}
	}
	var names []string
	for _, f := range testFields {
		if f.Type == catalog.TypeGeoPoint {
			dbl := "REAL"
			if d.pg() {
				dbl = "double precision"
			}
			cols = append(cols, quoteIdent(f.Name+"__lat")+" "+dbl, quoteIdent(f.Name+"__lon")+" "+dbl)
			names = append(names, quoteIdent(f.Name+"__lat"), quoteIdent(f.Name+"__lon"))
			continue
		}
		cols = append(cols, quoteIdent(f.Name)+" "+typ(f.Type))
		names = append(names, quoteIdent(f.Name))
	}
	if _, err := db.Exec("CREATE TABLE recs (" + strings.Join(cols, ", ") + ")"); err != nil {
		t.Fatal(err)
	}
	ph := make([]string, len(names)+1)
	for i := range ph {
		ph[i] = "?"
		if d.pg() {
			ph[i] = fmt.Sprintf("$%d", i+1)
		}
	}
	ins := `INSERT INTO recs ("_id", ` + strings.Join(names, ", ") + ") VALUES (" + strings.Join(ph, ", ") + ")"
	for i, r := range testRows {
		args := []any{int64(i + 1), r.name, r.city, r.pop, r.score, r.active}
		if r.born != nil && !d.pg() {
			args = append(args, r.born)
		} else if r.born != nil {
			tm, _ := time.Parse("2006-01-02", r.born.(string))
			args = append(args, tm)
		} else {
			args = append(args, nil)
		}
		if r.seen != nil {
			tm, _ := time.Parse(time.RFC3339, r.seen.(string))
			if d.pg() {
				args = append(args, tm)
			} else {
				args = append(args, tm.UTC().Format(StoredDateTimeLayout))
			}
		} else {
			args = append(args, nil)
		}
		if r.loc != nil {
			ll := r.loc.([2]float64)
			args = append(args, ll[0], ll[1])
		} else {
			args = append(args, nil, nil)
		}
		args = append(args, r.and)
		if _, err := db.Exec(ins, args...); err != nil {
			t.Fatal(err)
		}
	}
}

// runQuery executes c and renders each row as "v1|v2|…", values normalized
// by column type so that both engines print alike. It returns the hidden
// cursor values of the last row too.
func runQuery(t *testing.T, db *testDB, c *Compiled) ([]string, []any) {
	t.Helper()
	rows, err := db.rows(c.SQL, c.Args)
	if err != nil {
		t.Fatalf("query: %v\nSQL: %s\nargs: %v", err, c.SQL, c.Args)
	}
	var out []string
	var hidden []any
	for _, vals := range rows {
		var parts []string
		i := 0
		for _, col := range c.Columns {
			if col.SQLCols == 2 {
				parts = append(parts, norm(vals[i], catalog.TypeDouble)+","+norm(vals[i+1], catalog.TypeDouble))
			} else {
				parts = append(parts, norm(vals[i], col.Type))
			}
			i += col.SQLCols
		}
		if len(vals) != i+c.CursorCols {
			t.Fatalf("got %d SQL columns, want %d", len(vals), i+c.CursorCols)
		}
		hidden = vals[i:]
		out = append(out, strings.Join(parts, "|"))
	}
	return out, hidden
}

func norm(v any, t catalog.FieldType) string {
	if v == nil {
		return "<nil>"
	}
	if b, ok := v.([]byte); ok {
		v = string(b)
	}
	switch t {
	case catalog.TypeBoolean:
		switch x := v.(type) {
		case int64:
			return fmt.Sprint(x != 0)
		}
	case catalog.TypeDouble:
		switch x := v.(type) {
		case float64:
			return fmt.Sprint(math.Round(x*1e4) / 1e4)
		case int64:
			return fmt.Sprint(x)
		}
	case catalog.TypeInt:
		switch x := v.(type) {
		case int32:
			return fmt.Sprint(x)
		case float64:
			return fmt.Sprint(x)
		}
	case catalog.TypeDate:
		switch x := v.(type) {
		case time.Time:
			return x.Format("2006-01-02")
		}
	case catalog.TypeDateTime:
		switch x := v.(type) {
		case time.Time:
			return x.UTC().Format(time.RFC3339)
		case string:
			if tm, err := time.Parse(time.RFC3339Nano, x); err == nil {
				return tm.UTC().Format(time.RFC3339)
			}
		}
	}
	return fmt.Sprint(v)
}

func scalarCount(t *testing.T, db *testDB, c *Compiled) int64 {
	t.Helper()
	rows, err := db.rows(c.CountSQL, c.CountArgs)
	if err != nil || len(rows) != 1 {
		t.Fatalf("count: %v\nSQL: %s", err, c.CountSQL)
	}
	switch n := rows[0][0].(type) {
	case int64:
		return n
	case int32:
		return int64(n)
	}
	t.Fatalf("count: unexpected %T", rows[0][0])
	return 0
}
