package odsql

import "testing"

// compileNoPanic compiles q on both dialects; errors are fine, panics are
// not (the fuzzer reports them).
func compileNoPanic(q *Query) {
	for _, d := range []Dialect{SQLite, Postgres} {
		Compile(q, testFields, "recs", d)
		CompileFacet(q, testFields, "recs", "city", d, 10)
	}
}

var fuzzSeeds = []string{
	"pop > 1000 and city = 'Paris'", `"full text" or not active`, "year(seen) = 2021",
	"within_distance(loc, geom'POINT(2.35 48.86)', 3km)", "in_bbox(loc, 1, 2, 3, 4)", "pop in [1..2[",
	"name like 'a*'", "city:Lyon", "`and` is not null", "search(*, 'x')", "born >= date'2019/01/01'",
	"count(*)", "range(pop, *, 1, 2, *)", "range(seen, 1 day)", "date_format(born, 'yyyy-MM')",
	"avg(score) desc, city", "pop / 0", "ifnull(pop, 0) + 1 as x", "include(p*), exclude(name)", "random(3)",
	"percentile(pop, 90)", "now(days=-7)", "((((a))))", "-", "'", "date'", "]..[", "a in ()",
}

func FuzzParseWhere(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		e, err := ParseWhere(s)
		if err != nil || e == nil {
			return
		}
		_ = e.String()
		compileNoPanic(&Query{Where: []Expr{e}, Limit: 10})
	})
}

func FuzzParseSelect(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		items, err := ParseSelect(s)
		if err != nil {
			return
		}
		compileNoPanic(&Query{Select: items, Limit: 10})
		compileNoPanic(&Query{Select: items, GroupBy: []GroupItem{{Expr: &Ident{Name: "city"}, Text: "city"}}, Limit: 10})
	})
}

func FuzzParseGroupBy(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		items, err := ParseGroupBy(s)
		if err != nil {
			return
		}
		compileNoPanic(&Query{GroupBy: items, Limit: 10})
	})
}

func FuzzParseOrderBy(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		items, err := ParseOrderBy(s)
		if err != nil {
			return
		}
		compileNoPanic(&Query{OrderBy: items, Limit: 10, After: &Cursor{Values: make([]any, len(items)), ID: 3}})
		compileNoPanic(&Query{OrderBy: items, GroupBy: []GroupItem{{Expr: &Ident{Name: "city"}, Text: "city"}}, Limit: 10})
	})
}
