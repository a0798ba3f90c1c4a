package odsql

import (
	"slices"
	"testing"
)

func TestCursorSQLite(t *testing.T) { runCursorCases(t, openSQLite(t)) }

func TestCursorPostgres(t *testing.T) { runCursorCases(t, openPostgres(t)) }

// runCursorCases pages through each ordering three rows at a time with
// keyset cursors and checks the pages add up to the unpaged result.
func runCursorCases(t *testing.T, db *testDB) {
	createTable(t, db)
	for _, tc := range []struct{ name, order string }{
		{"id order only", ""},
		{"int desc with nulls", "pop desc"},
		{"text asc then double desc", "city, score desc"},
		{"date asc", "born"},
		{"datetime desc then text", "seen desc, name"},
		{"expression", "distance(loc, geom'POINT(2.35 48.86)')"},
		{"boolean", "active desc"},
	} {
		t.Run(tc.name+" pages equal the full result", func(t *testing.T) {
			q := buildQuery(t, qs{sel: "name", order: tc.order})
			full, err := Compile(q, testFields, "recs", db.d)
			if err != nil {
				t.Fatal(err)
			}
			want, _ := runQuery(t, db, full)
			var got []string
			q.Limit = 3
			for page := 0; page < 20; page++ {
				c, err := Compile(q, testFields, "recs", db.d)
				if err != nil {
					t.Fatal(err)
				}
				if c.CursorCols != len(q.OrderBy)+1 {
					t.Fatalf("CursorCols = %d", c.CursorCols)
				}
				rows, hidden := runQuery(t, db, c)
				got = append(got, rows...)
				if len(rows) < 3 {
					break
				}
				id, ok := hidden[len(hidden)-1].(int64)
				if !ok {
					t.Fatalf("_id scanned as %T", hidden[len(hidden)-1])
				}
				q.After = &Cursor{Values: hidden[:len(hidden)-1], ID: id}
			}
			if !slices.Equal(got, want) || len(want) != len(testRows) {
				t.Errorf("paged %q\nfull  %q", got, want)
			}
		})
	}
}

func TestFacetSQLite(t *testing.T) { runFacetCases(t, openSQLite(t)) }

func TestFacetPostgres(t *testing.T) { runFacetCases(t, openPostgres(t)) }

func runFacetCases(t *testing.T, db *testDB) {
	createTable(t, db)
	for _, tc := range []struct {
		name  string
		q     qs
		field string
		limit int
		want  []string
		count int64
	}{
		{"text facet by count then value", qs{}, "city", 3, []string{"Paris|6", "Lyon|4", "Marseille|3"}, 6},
		{"facet under refine and where", qs{refine: []string{"active:true"}, where: "pop > 500"}, "city", 0,
			[]string{"Paris|3", "Lyon|2", "Marseille|2", "Nice|1"}, 4},
		{"boolean facet", qs{exclude: []string{"city:Paris"}}, "active", 0, []string{"true|6", "false|5"}, 2},
		{"date facet by day", qs{where: "year(born) = 1990"}, "born", 0, []string{"1990-01-01|1", "1990-01-15|3", "1990-07-04|1"}, 3},
		{"datetime facet by day in zone", qs{where: "name in ('Bob', 'Élodie', 'Alice', 'Gus')", tz: "Europe/Paris"}, "seen", 0,
			[]string{"2021-01-01|1", "2021-03-01|2", "2021-03-02|1"}, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := CompileFacet(buildQuery(t, tc.q), testFields, "recs", tc.field, db.d, tc.limit)
			if err != nil {
				t.Fatal(err)
			}
			got, _ := runQuery(t, db, c)
			if !slices.Equal(got, tc.want) {
				t.Errorf("got  %q\nwant %q\nSQL: %s", got, tc.want, c.SQL)
			}
			if n := scalarCount(t, db, c); n != tc.count {
				t.Errorf("count = %d, want %d", n, tc.count)
			}
		})
	}
}

func TestFoldDateFacets(t *testing.T) {
	got := FoldDateFacets([]string{"2019-08-05", "2019-08-06", "2019-09-01", "2020-01-01"}, []int64{1, 2, 3, 4})
	if len(got) != 2 || got[0].Name != "2019" || got[0].Count != 6 || len(got[0].Facets) != 2 ||
		got[0].Facets[0].Name != "2019/08" || got[0].Facets[0].Count != 3 ||
		got[0].Facets[0].Facets[1].Name != "2019/08/06" || got[1].Count != 4 {
		t.Errorf("got %+v", got)
	}
}
