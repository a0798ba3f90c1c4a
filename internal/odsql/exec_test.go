package odsql

import (
	"slices"
	"strings"
	"testing"
	"time"
)

// qs is a query as its URL parameters.
type qs struct {
	sel, where, group, order string
	refine, exclude          []string
	limit, offset            int // limit 0 = none
	tz                       string
}

func buildQuery(t *testing.T, s qs) *Query {
	t.Helper()
	var q Query
	var err error
	if q.Select, err = ParseSelect(s.sel); err != nil {
		t.Fatal(err)
	}
	w, err := ParseWhere(s.where)
	if err != nil {
		t.Fatal(err)
	}
	if w != nil {
		q.Where = []Expr{w}
	}
	if q.GroupBy, err = ParseGroupBy(s.group); err != nil {
		t.Fatal(err)
	}
	if q.OrderBy, err = ParseOrderBy(s.order); err != nil {
		t.Fatal(err)
	}
	for _, r := range s.refine {
		rf, err := ParseRefine(r)
		if err != nil {
			t.Fatal(err)
		}
		q.Refine = append(q.Refine, rf)
	}
	for _, r := range s.exclude {
		rf, err := ParseRefine(r)
		if err != nil {
			t.Fatal(err)
		}
		q.Exclude = append(q.Exclude, rf)
	}
	q.Limit = s.limit
	if q.Limit == 0 {
		q.Limit = -1
	}
	q.Offset = s.offset
	q.Timezone = s.tz
	return &q
}

type execCase struct {
	name  string
	q     qs
	want  []string
	keep  func(r testRow) bool // when set, want = names of kept rows, select "name"
	count int64                // expected CountSQL result; -1 = len(want)
}

func names(keep func(r testRow) bool) []string {
	var out []string
	for _, r := range testRows {
		if keep(r) {
			out = append(out, norm(r.name, "text"))
		}
	}
	return out
}

func num(v any) (float64, bool) {
	switch x := v.(type) {
	case int64:
		return float64(x), true
	case float64:
		return x, true
	}
	return 0, false
}

func seenIn(r testRow, tz string) (time.Time, bool) {
	if r.seen == nil {
		return time.Time{}, false
	}
	loc, _ := time.LoadLocation(tz)
	tm, _ := time.Parse(time.RFC3339, r.seen.(string))
	return tm.In(loc), true
}

var execCases = []execCase{
	{name: "default select returns every field in order", q: qs{where: "pop = 42"},
		want: []string{"100% pur_jus|Marseille|42|-1.25|<nil>|2010-10-10|2023-01-01T00:00:00Z|<nil>,<nil>|<nil>"}},
	{name: "greater than filters ints", q: qs{where: "pop > 1000"}, keep: func(r testRow) bool { n, ok := num(r.pop); return ok && n > 1000 }},
	{name: "and binds tighter than or", q: qs{where: "city = 'Nice' OR city = 'Paris' AND pop >= 1200"},
		keep: func(r testRow) bool {
			n, _ := num(r.pop)
			return r.city == "Nice" || r.city == "Paris" && r.pop != nil && n >= 1200
		}},
	{name: "not excludes nulls", q: qs{where: "not active"}, keep: func(r testRow) bool { return r.active == false }},
	{name: "is true", q: qs{where: "active IS TRUE"}, keep: func(r testRow) bool { return r.active == true }},
	{name: "is not true keeps nulls", q: qs{where: "active is not true"}, keep: func(r testRow) bool { return r.active != true }},
	{name: "is null", q: qs{where: "city IS NULL"}, keep: func(r testRow) bool { return r.city == nil }},
	{name: "equals null means is null", q: qs{where: "pop = null"}, keep: func(r testRow) bool { return r.pop == nil }},
	{name: "in list", q: qs{where: "city IN ('Lyon', 'Nice')"}, keep: func(r testRow) bool { return r.city == "Lyon" || r.city == "Nice" }},
	{name: "not in list drops nulls", q: qs{where: "pop NOT IN (800, 1000)"},
		keep: func(r testRow) bool { return r.pop != nil && r.pop != int64(800) && r.pop != int64(1000) }},
	{name: "closed range", q: qs{where: "pop IN [300..800]"},
		keep: func(r testRow) bool { n, ok := num(r.pop); return ok && n >= 300 && n <= 800 }},
	{name: "open range", q: qs{where: "pop in ]300..800["},
		keep: func(r testRow) bool { n, ok := num(r.pop); return ok && n > 300 && n < 800 }},
	{name: "half-open range with TO and star", q: qs{where: "score IN [4 TO *]"},
		keep: func(r testRow) bool { n, ok := num(r.score); return ok && n >= 4 }},
	{name: "date literals compare to dates", q: qs{where: "born >= date'1990-01-01' and born < date'2000/01/01'"},
		keep: func(r testRow) bool { b, _ := r.born.(string); return b >= "1990-01-01" && b < "2000-01-01" }},
	{name: "string compared to date parses it", q: qs{where: `born = "1990-01-15"`}, keep: func(r testRow) bool { return r.born == "1990-01-15" }},
	{name: "date literal compared to datetime", q: qs{where: "seen >= date'2021-01-01'"},
		keep: func(r testRow) bool { s, _ := r.seen.(string); return s >= "2021-01-01" }},
	{name: "date literal in time zone", q: qs{where: "seen >= date'2021-01-01'", tz: "Europe/Paris"},
		keep: func(r testRow) bool { t, ok := seenIn(r, "Europe/Paris"); return ok && t.Year() >= 2021 }},
	{name: "year of date", q: qs{where: "year(born) = 1990"}, keep: func(r testRow) bool { b, _ := r.born.(string); return strings.HasPrefix(b, "1990") }},
	{name: "year of datetime in time zone", q: qs{where: "year(seen) = 2021", tz: "Europe/Paris"},
		keep: func(r testRow) bool { t, ok := seenIn(r, "Europe/Paris"); return ok && t.Year() == 2021 }},
	{name: "year of datetime in UTC", q: qs{where: "year(seen) = 2021"},
		keep: func(r testRow) bool { t, ok := seenIn(r, "UTC"); return ok && t.Year() == 2021 }},
	{name: "like with star is accent and case insensitive", q: qs{where: "name LIKE 'é*'"},
		keep: func(r testRow) bool { return r.name == "Élodie" || r.name == "Eve" }},
	{name: "like without wildcard is contains", q: qs{where: "name like 'RGE'"}, keep: func(r testRow) bool { return r.name == "Ärger" }},
	{name: "like escapes underscore", q: qs{where: "name like '*r_j*'"}, keep: func(r testRow) bool { return r.name == "100% pur_jus" }},
	{name: "bare string is full-text over text fields", q: qs{where: `"LODI"`}, keep: func(r testRow) bool { return r.name == "Élodie" }},
	{name: "full-text needs every term", q: qs{where: `"paris alice"`}, keep: func(r testRow) bool { return r.name == "Alice" }},
	{name: "full-text with accents", q: qs{where: `"etienne"`}, keep: func(r testRow) bool { return r.city == "Saint-Étienne" }},
	{name: "search on a field", q: qs{where: `search(name, "KEV")`}, keep: func(r testRow) bool { return r.name == "Kévin" }},
	{name: "search on star", q: qs{where: `search(*, "zoe")`}, keep: func(r testRow) bool { return r.name == "zoë" }},
	{name: "startswith", q: qs{where: `startswith(name, "ch")`}, keep: func(r testRow) bool { return r.name == "Chloé" }},
	{name: "field colon value shorthand", q: qs{where: "city:Lyon"}, keep: func(r testRow) bool { return r.city == "Lyon" }},
	{name: "string coerced to int", q: qs{where: "pop = '800'"}, keep: func(r testRow) bool { return r.pop == int64(800) }},
	{name: "number coerced to text", q: qs{where: "name = 42"}, keep: func(r testRow) bool { return false }},
	{name: "backquoted keyword field", q: qs{where: "`and` = 'x'"}, keep: func(r testRow) bool { return r.and == "x" }},
	{name: "within distance", q: qs{where: "within_distance(loc, geom'POINT(2.35 48.86)', 3km)"},
		keep: func(r testRow) bool {
			ll, ok := r.loc.([2]float64)
			return ok && Distance(ll[0], ll[1], 48.86, 2.35) <= 3000
		}},
	{name: "in bbox any corner order", q: qs{where: "in_bbox(loc, 46, 5, 45, 4)"},
		keep: func(r testRow) bool {
			ll, ok := r.loc.([2]float64)
			return ok && ll[0] >= 45 && ll[0] <= 46 && ll[1] >= 4 && ll[1] <= 5
		}},
	{name: "arithmetic in where", q: qs{where: "pop * 2 > 2000"}, keep: func(r testRow) bool { n, ok := num(r.pop); return ok && n*2 > 2000 }},
	{name: "division by zero is null", q: qs{where: "pop / 0 IS NULL"}, keep: func(r testRow) bool { return true }},
	{name: "not of a parenthesized condition", q: qs{where: "NOT (city = 'Paris')"},
		keep: func(r testRow) bool { return r.city != nil && r.city != "Paris" }},
	{name: "refine on text", q: qs{refine: []string{"city:Paris"}}, keep: func(r testRow) bool { return r.city == "Paris" }},
	{name: "exclude keeps nulls", q: qs{exclude: []string{"city:Paris"}}, keep: func(r testRow) bool { return r.city != "Paris" }},
	{name: "refine date by year", q: qs{refine: []string{"born:1990"}}, keep: func(r testRow) bool { b, _ := r.born.(string); return strings.HasPrefix(b, "1990") }},
	{name: "refine date by month", q: qs{refine: []string{"born:1990/01"}}, keep: func(r testRow) bool { b, _ := r.born.(string); return strings.HasPrefix(b, "1990-01") }},
	{name: "refine date by day", q: qs{refine: []string{"born:1990-01-15"}}, keep: func(r testRow) bool { return r.born == "1990-01-15" }},
	{name: "refine datetime by year in zone", q: qs{refine: []string{"seen:2021"}, tz: "Europe/Paris"},
		keep: func(r testRow) bool { t, ok := seenIn(r, "Europe/Paris"); return ok && t.Year() == 2021 }},
	{name: "refine boolean and exclude", q: qs{refine: []string{"active:true"}, exclude: []string{"city:Lyon"}},
		keep: func(r testRow) bool { return r.active == true && r.city != "Lyon" }},

	{name: "expressions and functions", q: qs{sel: "name, pop * 2 as double_pop, score / 0, upper(city), length(name), pop / 400", where: "name = 'Bob'"},
		want: []string{"Bob|1600|<nil>|LYON|3|2"}},
	{name: "date parts", q: qs{sel: "year(born), month(born), day(born), hour(seen), minute(seen), second(seen)", where: "name = 'Alice'"},
		want: []string{"1990|1|15|10|0|0"}},
	{name: "date parts in time zone", q: qs{sel: "day(seen), hour(seen)", where: "name = 'Bob'", tz: "Europe/Paris"},
		want: []string{"2|0"}},
	{name: "date format in time zone", q: qs{sel: "date_format(seen, 'yyyy-MM-dd HH:mm'), date_format(born, \"dd/MM/yy 'at' HH\")", where: "name = 'Bob'", tz: "Europe/Paris"},
		want: []string{"2021-03-02 00:30|30/06/85 at 00"}},
	{name: "distance in metres", q: qs{sel: "distance(loc, geom'POINT(2.3522 48.8566)') as d", where: "name = 'Alice'"}, want: []string{"0"}},
	{name: "geo point selects lat and lon", q: qs{sel: "loc", where: "name = 'Alice'"}, want: []string{"48.8566,2.3522"}},
	{name: "ifnull replaces null", q: qs{sel: "ifnull(pop, 0), coalesce(score, 1)", where: "name = 'Ivan'"}, want: []string{"0|1"}},
	{name: "comparison selected as boolean", q: qs{sel: "pop > 1000 as big", where: "name = 'Alice'"}, want: []string{"true"}},
	{name: "include and exclude patterns", q: qs{sel: "include(c*, p*), exclude(pop)", where: "name = 'Alice'"}, want: []string{"Paris"}},
	{name: "exclude alone keeps the rest", q: qs{sel: "exclude(name, s*, loc, and, b*, a*)", where: "name = 'Alice'"}, want: []string{"Paris|1200"}},

	{name: "order desc nulls last with id tiebreak", q: qs{sel: "name, pop", order: "pop DESC", limit: 5},
		want: []string{"François|5000", "Ärger|3400", "Eve|2500", "Alice|1200", "Hana|1200"}, count: 20},
	{name: "order asc then offset reaches nulls last", q: qs{sel: "name", order: "score", offset: 17},
		want: []string{"Élodie", "Ivan", "Nina"}, count: 20},
	{name: "order asc first rows", q: qs{sel: "name", order: "score asc", limit: 3},
		want: []string{"100% pur_jus", "Dave", "Marc"}, count: 20},
	{name: "order by alias", q: qs{sel: "name, pop * 2 as p2", order: "p2 desc", limit: 2}, want: []string{"François|10000", "Ärger|6800"}, count: 20},

	{name: "group by field with null group", q: qs{sel: "city, count(*) as n", group: "city"},
		want: []string{"Lyon|4", "Marseille|3", "Nice|2", "Paris|6", "Saint-Étienne|2", "lyon|1", "<nil>|2"}},
	{name: "order by aggregate alias", q: qs{sel: "city, count(*) as n", group: "city", order: "n desc, city", limit: 2},
		want: []string{"Paris|6", "Lyon|4"}, count: 7},
	{name: "aggregates per group", q: qs{sel: "city, sum(pop), avg(score), min(born), max(seen)", group: "city", where: "city = 'Lyon'"},
		want: []string{"Lyon|3900|2.6875|1975-03-15|2021-03-01T23:30:00Z"}},
	{name: "group alias ordered by aggregate", q: qs{sel: "y, count(*)", group: "year(born) as y", order: "count(*) desc, y", limit: 2},
		want: []string{"1990|5", "1985|2"}, count: 14},
	{name: "range with integer width", q: qs{sel: "range(pop, 1000) as r, count(*)", group: "range(pop, 1000) as r"},
		want: []string{"[0, 1000[|9", "[1000, 2000[|5", "[2000, 3000[|1", "[3000, 4000[|1", "[5000, 6000[|1", "<nil>|3"}},
	{name: "range with fractional width", q: qs{sel: "range(score, 2.5), count(*)", group: "range(score, 2.5)"},
		want: []string{"[-2.5, 0[|1", "[0, 2.5[|5", "[2.5, 5[|10", "[5, 7.5[|1", "<nil>|3"}},
	{name: "range with explicit bounds", q: qs{sel: "r, count(*)", group: "range(pop, *, 500, 1000, *) as r"},
		want: []string{"[*, 500[|4", "[500, 1000[|5", "[1000, *[|8", "<nil>|3"}},
	{name: "width range groups sort by number, not as text", q: qs{sel: "range(pop, 500) as r, count(*)", group: "range(pop, 500) as r"},
		want: []string{"[0, 500[|4", "[500, 1000[|5", "[1000, 1500[|5", "[2500, 3000[|1", "[3000, 3500[|1", "[5000, 5500[|1", "<nil>|3"}},
	{name: "order by a range alias sorts by number", q: qs{sel: "r, count(*)", group: "range(pop, 500) as r", order: "r desc", limit: 4},
		want: []string{"[5000, 5500[|1", "[3000, 3500[|1", "[2500, 3000[|1", "[1000, 1500[|5"}, count: 7},
	{name: "order by a select alias of a range sorts by number", q: qs{sel: "range(pop, 500) as x, count(*) as n", group: "range(pop, 500)", order: "n desc, x", limit: 2},
		want: []string{"[500, 1000[|5", "[1000, 1500[|5"}, count: 7},
	{name: "explicit bounds sort by number", q: qs{sel: "r, count(*)", group: "range(pop, 100, 1000, 10000, *) as r", order: "r"},
		want: []string{"[100, 1000[|8", "[1000, 10000[|8", "<nil>|4"}},
	{name: "range key with another key sorts by number within it", q: qs{sel: "active, range(score, 2) as r, count(*)", group: "active, range(score, 2) as r", where: "active"},
		want: []string{"true|[0, 2[|2", "true|[2, 4[|3", "true|[4, 6[|3", "true|<nil>|1"}},
	{name: "calendar range in UTC", q: qs{sel: "range(seen, 1 year), count(*)", group: "range(seen, 1 year)"},
		want: []string{"2018-01-01T00:00:00Z|1", "2019-01-01T00:00:00Z|3", "2020-01-01T00:00:00Z|4", "2021-01-01T00:00:00Z|7",
			"2022-01-01T00:00:00Z|2", "2023-01-01T00:00:00Z|1", "<nil>|2"}},
	{name: "calendar range in time zone", q: qs{sel: "m, count(*)", group: "range(seen, 1 year) as m", tz: "Europe/Paris", where: "seen < date'2021-06-01'", order: "m desc", limit: 2},
		want: []string{"2020-12-31T23:00:00Z|6", "2019-12-31T23:00:00Z|3"}, count: 4},
	{name: "calendar range of dates by month", q: qs{sel: "range(born, 1 month), count(*)", group: "range(born, 1 month)", where: "year(born) = 1990"},
		want: []string{"1990-01-01|4", "1990-07-01|1"}},
	{name: "calendar hour ranges sort chronologically", q: qs{sel: "range(seen, 1 hour) as h, count(*)", group: "range(seen, 1 hour) as h", where: "year(seen) = 2021"},
		want: []string{"2021-01-01T00:00:00Z|1", "2021-03-01T10:00:00Z|2", "2021-03-01T23:00:00Z|1", "2021-05-05T05:00:00Z|1",
			"2021-07-14T09:00:00Z|1", "2021-12-25T20:00:00Z|1"}},
	{name: "calendar day ranges of dates sort chronologically descending", q: qs{sel: "d, count(*)", group: "range(born, 1 day) as d", where: "year(born) = 1990", order: "d desc"},
		want: []string{"1990-07-04|1", "1990-01-15|3", "1990-01-01|1"}},
	{name: "date format group", q: qs{sel: "date_format(born, 'yyyy-MM') as ym, count(*)", group: "date_format(born, 'yyyy-MM') as ym", where: "born < date'1980-01-01'"},
		want: []string{"1968-05|1", "1975-03|1", "1978-11|1"}},
	{name: "median and percentile", q: qs{sel: "median(pop), percentile(pop, 90)", where: "city = 'Lyon'"},
		want: []string{"1000|1070"}, count: 1},
	{name: "counts without group", q: qs{sel: "count(*), count(city), count(distinct city)"}, want: []string{"20|18|6"}, count: 1},
	{name: "arithmetic over aggregates and keys", q: qs{sel: "city, sum(pop) / count(pop) as mean, max(pop) - min(pop)", group: "city", where: "city in ('Lyon', 'Paris')"},
		want: []string{"Lyon|975|300", "Paris|1280|1900"}},
	{name: "group keys by default select", q: qs{group: "active"}, want: []string{"false", "true", "<nil>"}},
}

func TestExecSQLite(t *testing.T) { runExecCases(t, openSQLite(t)) }

func TestExecPostgres(t *testing.T) { runExecCases(t, openPostgres(t)) }

func runExecCases(t *testing.T, db *testDB) {
	createTable(t, db)
	for _, tc := range execCases {
		t.Run(tc.name, func(t *testing.T) {
			q := tc.q
			want := tc.want
			if tc.keep != nil {
				if q.sel == "" {
					q.sel = "name"
				}
				want = names(tc.keep)
			}
			c, err := Compile(buildQuery(t, q), testFields, "recs", db.d)
			if err != nil {
				t.Fatal(err)
			}
			got, _ := runQuery(t, db, c)
			if want != nil && !slices.Equal(got, want) {
				t.Errorf("got  %q\nwant %q\nSQL: %s\nargs: %v", got, want, c.SQL, c.Args)
			}
			wantCount := tc.count
			if wantCount == 0 {
				wantCount = int64(len(want))
			}
			if want != nil {
				if n := scalarCount(t, db, c); n != wantCount {
					t.Errorf("count = %d, want %d\nSQL: %s", n, wantCount, c.CountSQL)
				}
			}
		})
	}
}
