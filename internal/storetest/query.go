package storetest

import (
	"encoding/json"
	"fmt"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/socle/socle/internal/catalog"
	"github.com/socle/socle/internal/errs"
	"github.com/socle/socle/internal/odsql"
)

var qFields = []catalog.Field{
	{Name: "name", Type: catalog.TypeText},
	{Name: "kind", Type: catalog.TypeText, Facet: true},
	{Name: "n", Type: catalog.TypeInt},
	{Name: "d", Type: catalog.TypeDate},
	{Name: "score", Type: catalog.TypeDouble},
}

var qRows = []catalog.Row{
	{"Éclairage public", "lampe", int64(10), day(2024, 1, 5), 1.5},
	{"Eclairage festif", "lampe", int64(20), day(2023, 12, 24), 2.5},
	{"Banc", "mobilier", int64(5), day(2024, 3, 1), nil},
	{"Poubelle", "mobilier", nil, nil, 0.25},
	{"Fontaine", nil, int64(30), day(2022, 6, 21), -1.0},
}

func queryDataset(t *testing.T, s Store) *catalog.Dataset {
	t.Helper()
	ds := newDataset(t, s, "furniture")
	load(t, s, "furniture", catalog.ModeReplace, qFields, qRows)
	return ds
}

func names(rows []catalog.Row) string {
	return fmt.Sprint(column(rows, 0))
}

func testQueries(t *testing.T, s Store) {
	ds := queryDataset(t, s)
	for _, tc := range []struct {
		name, sel, where, groupBy, orderBy string
		limit                              int
		want                               string // fmt.Sprint of the rows
	}{
		{"comparison", "name", "n > 8", "", "n", 100, "[[Éclairage public] [Eclairage festif] [Fontaine]]"},
		{"IN list", "name", "n IN (5, 10)", "", "n", 100, "[[Banc] [Éclairage public]]"},
		{"LIKE with wildcard, case-insensitive", "name", `name LIKE "poub*"`, "", "", 100, "[[Poubelle]]"},
		{"is null", "name", "kind IS NULL", "", "", 100, "[[Fontaine]]"},
		{"date comparison", "name", "d >= date'2024-01-01'", "", "d", 100, "[[Éclairage public] [Banc]]"},
		{"order by desc with limit", "name, n", "", "", "n desc", 2, "[[Fontaine 30] [Eclairage festif 20]]"},
		{"nulls last ascending", "name", "", "", "score", 100, "[[Fontaine] [Poubelle] [Éclairage public] [Eclairage festif] [Banc]]"},
		{"full text folds accents", "name", `"eclairage"`, "", "", 100, "[[Éclairage public] [Eclairage festif]]"},
		{"search() folds accents and case", "name", `search(name, "ÉCLAIRAGE pub")`, "", "", 100, "[[Éclairage public]]"},
		{"group by with count", "kind, count(*) as c", "", "kind", "kind", 100, "[[lampe 2] [mobilier 2] [<nil> 1]]"},
		{"group by under a filter", "kind, count(*) as c", "n >= 10", "kind", "c desc, kind", 100, "[[lampe 2] [<nil> 1]]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := run(t, s, ds, query(t, tc.sel, tc.where, tc.groupBy, tc.orderBy, tc.limit))
			if got := fmt.Sprint(res.rows); got != tc.want {
				t.Errorf("got  %s\nwant %s", got, tc.want)
			}
		})
	}
	for where, want := range map[string]int64{"": 5, "n > 8": 3, `"eclairage"`: 2, "kind = 'mobilier'": 2} {
		if n := count(t, s, ds, where); n != want {
			t.Errorf("count %q = %d, want %d", where, n, want)
		}
	}
	n, err := s.Count(ctx, ds, query(t, "kind, count(*) as c", "", "kind", "", 100))
	must(t, err)
	if n != 3 {
		t.Errorf("count of groups = %d, want 3", n)
	}
	for where, want := range map[string]int64{"": 5, "n > 8": 3} {
		rows, total, err := s.Page(ctx, ds, query(t, "name", where, "", "", 2))
		must(t, err)
		got := 0
		for ; ; got++ {
			if _, err := rows.Next(); err != nil {
				break
			}
		}
		rows.Close()
		if total != want || got != 2 {
			t.Errorf("page %q: total %d (want %d), %d rows (want 2)", where, total, want, got)
		}
	}
	_, err = s.Query(ctx, ds, query(t, "", "nope = 1", "", "", 10))
	wantKind(t, err, errs.Invalid)
	_, err = s.Query(ctx, &catalog.Dataset{ID: "ghost"}, query(t, "", "", "", "", 10))
	wantKind(t, err, errs.NotFound)
}

func testRecord(t *testing.T, s Store) {
	ds := newDataset(t, s, "all")
	load(t, s, "all", catalog.ModeReplace, allFields, allRows)
	for i, want := range allRows {
		got, err := s.Record(ctx, ds, int64(i+1))
		must(t, err)
		if !sameRow(got, want) {
			t.Errorf("record %d:\n got %#v\nwant %#v", i+1, got, want)
		}
	}
	_, err := s.Record(ctx, ds, 99)
	wantKind(t, err, errs.NotFound)
}

func testFacets(t *testing.T, s Store) {
	ds := queryDataset(t, s)
	check := func(where string, want map[string]int64) {
		t.Helper()
		fv, err := s.Facet(ctx, ds, query(t, "", where, "", "", 10), "kind", 10)
		must(t, err)
		got := map[string]int64{}
		for _, v := range fv {
			if v.Value != "" {
				got[v.Value] = v.Count
			}
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("facet kind under %q: got %v, want %v", where, got, want)
		}
	}
	check("", map[string]int64{"lampe": 2, "mobilier": 2})
	check("n >= 10", map[string]int64{"lampe": 2})
}

// pageFields and pageRows make 250 rows whose grp and d repeat and are
// sometimes null.
var pageFields = []catalog.Field{
	{Name: "label", Type: catalog.TypeText},
	{Name: "grp", Type: catalog.TypeInt},
	{Name: "d", Type: catalog.TypeDate},
	{Name: "at", Type: catalog.TypeDateTime},
}

func pageRows() []catalog.Row {
	rows := make([]catalog.Row, 250)
	for i := range rows {
		r := catalog.Row{fmt.Sprintf("r%03d", (i*37)%250), int64(i % 7), day(2024, 1, 1+i%5),
			ts("2024-01-01T00:00:00Z").Add(time.Duration(i%11) * 1500 * time.Microsecond)}
		if i%10 == 0 {
			r[1] = nil
		}
		if i%9 == 0 {
			r[2] = nil
		}
		rows[i] = r
	}
	return rows
}

// expectedOrder lists record IDs as ORDER BY col [DESC] NULLS LAST, _id would.
func expectedOrder(rows []catalog.Row, col int, desc bool) []int64 {
	idx := make([]int, len(rows))
	for i := range idx {
		idx[i] = i
	}
	key := func(v any) float64 {
		switch x := v.(type) {
		case int64:
			return float64(x)
		case time.Time:
			return float64(x.UnixMicro())
		}
		panic("unsortable")
	}
	sort.SliceStable(idx, func(a, b int) bool {
		va, vb := rows[idx[a]][col], rows[idx[b]][col]
		if va == nil || vb == nil {
			return va != nil && vb == nil
		}
		if desc {
			return key(va) > key(vb)
		}
		return key(va) < key(vb)
	})
	out := make([]int64, len(idx))
	for i, j := range idx {
		out[i] = int64(j + 1)
	}
	return out
}

// roundTrip passes a cursor through JSON as the HTTP layer's token does.
func roundTrip(t *testing.T, c *odsql.Cursor) *odsql.Cursor {
	t.Helper()
	b, err := json.Marshal(c.Values)
	must(t, err)
	var vals []any
	must(t, json.Unmarshal(b, &vals))
	return &odsql.Cursor{Values: vals, ID: c.ID}
}

func testCursor(t *testing.T, s Store) {
	ds := newDataset(t, s, "pages")
	rows := pageRows()
	load(t, s, "pages", catalog.ModeReplace, pageFields, rows)
	all := make([]int64, len(rows))
	for i := range all {
		all[i] = int64(i + 1)
	}
	for _, tc := range []struct {
		orderBy string
		want    []int64
	}{
		{"", all},
		{"grp desc", expectedOrder(rows, 1, true)},
		{"grp", expectedOrder(rows, 1, false)},
		{"d", expectedOrder(rows, 2, false)},
		{"d desc", expectedOrder(rows, 2, true)},
		{"at desc", expectedOrder(rows, 3, true)},
	} {
		t.Run("order by "+tc.orderBy, func(t *testing.T) {
			var got []int64
			var after *odsql.Cursor
			for page := 0; page < 5; page++ {
				q := query(t, "", "", "", tc.orderBy, 100)
				q.After = after
				res := run(t, s, ds, q)
				got = append(got, res.ids...)
				if len(res.rows) < 100 {
					break
				}
				after = roundTrip(t, res.cursor)
			}
			if fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Errorf("got %d IDs %v\nwant %d IDs %v", len(got), got, len(tc.want), tc.want)
			}
		})
	}
}

func testConcurrentReader(t *testing.T, s Store) {
	ds := newDataset(t, s, "kv")
	load(t, s, "kv", catalog.ModeReplace, kvFields, bigRows(1000))
	paused, resume := make(chan struct{}), make(chan struct{})
	src := &rowsSource{rows: bigRows(5000), hook: func(i int) {
		if i == 2500 {
			close(paused)
			<-resume
		}
	}}
	var wg sync.WaitGroup
	wg.Add(1)
	var loadErr error
	go func() {
		defer wg.Done()
		_, loadErr = s.LoadVersion(ctx, catalog.LoadRequest{DatasetID: "kv", Fields: kvFields, Mode: catalog.ModeAppend, Rows: src})
	}()
	stop := make(chan struct{})
	var readers sync.WaitGroup
	for r := 0; r < 3; r++ {
		readers.Add(1)
		go func() {
			defer readers.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				n, err := s.Count(ctx, ds, &odsql.Query{Limit: 10})
				if err != nil {
					t.Errorf("count during load: %v", err)
					return
				}
				if n != 1000 && n != 6000 {
					t.Errorf("count during load = %d, want 1000 or 6000", n)
					return
				}
			}
		}()
	}
	<-paused
	if n := count(t, s, ds, ""); n != 1000 {
		t.Errorf("mid-load count = %d, want the old 1000", n)
	}
	close(resume)
	wg.Wait()
	close(stop)
	readers.Wait()
	must(t, loadErr)
	if n := count(t, s, ds, ""); n != 6000 {
		t.Errorf("after load count = %d, want 6000", n)
	}
}
