package odsql

import (
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/socle/socle/internal/errs"
)

func TestParseWhere(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"and binds tighter than or", "a = 1 or b = 2 and c = 3", "((a = 1) OR ((b = 2) AND (c = 3)))"},
		{"keywords are case-insensitive", "a = 1 AnD NoT b", "((a = 1) AND NOT (b))"},
		{"arithmetic precedence", "a + b * 2 > -3", "((a + (b * 2)) > -3)"},
		{"not equal spellings", "a <> 1 and b != 2", "((a != 1) AND (b != 2))"},
		{"in and not in", "a in (1, 'x') and b not in (2)", `(a IN (1, "x") AND b NOT IN (2))`},
		{"ranges", "a in [1..5] and b IN ]1.5..2[ and c in [* TO 3]", "((a IN [1..5] AND b IN ]1.5..2[) AND c IN [..3])"},
		{"is null and booleans", "a is not null or b IS TRUE or c is not false", "((a IS NOT NULL OR b IS TRUE) OR c IS NOT FALSE)"},
		{"shorthand with bare word", "city:Paris", `(city : "Paris")`},
		{"bare string", `"full text"`, `"full text"`},
		{"escapes in strings", `a = 'it\'s' and b = "say \"hi\""`, `((a = "it's") AND (b = "say \"hi\""))`},
		{"backquoted keyword", "`and` = TRUE", "(and = true)"},
		{"date literal", "d >= date'2018/04/01'", "(d >= date'2018/04/01')"},
		{"geo predicate with unit", "within_distance(loc, geom'POINT(2 48)', 5km)", "within_distance(loc, geom'POINT(2 48)', 5 km)"},
		{"search with star", `search(*, "x")`, `search(*, "x")`},
		{"like and not like", "a like 'x*' and not b like 'y'", `((a LIKE "x*") AND NOT ((b LIKE "y")))`},
		{"null literal", "a = null", "(a = null)"},
		{"empty is nil", "   ", "<nil>"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e, err := ParseWhere(tc.in)
			if err != nil {
				t.Fatal(err)
			}
			got := "<nil>"
			if e != nil {
				got = e.String()
			}
			if got != tc.want {
				t.Errorf("got  %s\nwant %s", got, tc.want)
			}
		})
	}
}

func TestParseSelectGroupOrder(t *testing.T) {
	sel, err := ParseSelect("*, count(*) , avg(x) AS `m`, include(pop*, a), exclude(b)")
	if err != nil {
		t.Fatal(err)
	}
	if len(sel) != 5 || sel[0].Kind != SelectAll || sel[1].Text != "count(*)" || sel[2].Alias != "m" ||
		sel[3].Kind != SelectInclude || strings.Join(sel[3].Patterns, ",") != "pop*,a" || sel[4].Kind != SelectExclude {
		t.Errorf("select parsed as %+v", sel)
	}
	gb, err := ParseGroupBy("range(x, *, 1, 2, *) as r, year(d), range(d, 1 day)")
	if err != nil {
		t.Fatal(err)
	}
	if len(gb) != 3 || gb[0].Alias != "r" || gb[0].Expr.String() != "range(x, *, 1, 2, *)" || gb[2].Expr.String() != "range(d, 1 day)" {
		t.Errorf("group_by parsed as %+v", gb)
	}
	ob, err := ParseOrderBy("avg(age) DESC, gender asc, random(3)")
	if err != nil {
		t.Fatal(err)
	}
	if len(ob) != 3 || !ob[0].Desc || ob[1].Desc || ob[0].Text != "avg(age)" || ob[2].Expr.String() != "random(3)" {
		t.Errorf("order_by parsed as %+v", ob)
	}
	r, err := ParseRefine("time:12:30")
	if err != nil || r.Facet != "time" || r.Value != "12:30" {
		t.Errorf("refine parsed as %+v, %v", r, err)
	}
}

func TestSyntaxErrorsCarryPositions(t *testing.T) {
	for _, tc := range []struct {
		name, param, in string
		pos             int
		msg             string
	}{
		{"unterminated string", "where", `a = "abc`, 4, "unterminated string"},
		{"dangling operator", "where", "a = ", 4, "unexpected end of input"},
		{"unexpected character", "where", "a = 1 ; b", 6, "unexpected character"},
		{"missing closing parenthesis", "where", "(a = 1", 6, "expected ')'"},
		{"keyword as value", "where", "a = and", 4, "expected a value"},
		{"bad date", "where", "d > date'2019-13-45'", 4, "invalid date"},
		{"bad geometry", "where", "within_distance(l, geom'LINE(1 2)', 1km)", 19, "invalid geometry"},
		{"trailing comma in select", "select", "a,", 2, "unexpected end of input"},
		{"missing alias", "select", "a as", 4, "expected an alias"},
		{"order direction typo", "order_by", "a dsc", 2, "expected end of input"},
		{"group by garbage", "group_by", "a b", 2, "expected end of input"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var err error
			switch tc.param {
			case "where":
				_, err = ParseWhere(tc.in)
			case "select":
				_, err = ParseSelect(tc.in)
			case "order_by":
				_, err = ParseOrderBy(tc.in)
			case "group_by":
				_, err = ParseGroupBy(tc.in)
			}
			checkParseError(t, err, tc.param, tc.pos, tc.msg)
		})
	}
}

func checkParseError(t *testing.T, err error, param string, pos int, msg string) {
	t.Helper()
	if !errs.Is(err, errs.Invalid) {
		t.Fatalf("err = %v, want an Invalid error", err)
	}
	var pe *ParseError
	if !errors.As(err, &pe) {
		t.Fatalf("err = %v, want a *ParseError inside", err)
	}
	if pe.Param != param || pe.Pos != pos || !strings.Contains(pe.Msg, msg) {
		t.Errorf("got %s: %q at %d, want %s: %q at %d", pe.Param, pe.Msg, pe.Pos, param, msg, pos)
	}
	if want := "ODSQL query is malformed: " + param + ": "; !strings.HasPrefix(errs.Message(err), want) {
		t.Errorf("message %q does not start with %q", errs.Message(err), want)
	}
}

func TestSemanticErrors(t *testing.T) {
	for _, tc := range []struct {
		name  string
		q     qs
		param string
		pos   int
		msg   string
	}{
		{"unknown field in where", qs{where: "pop > 1 and nope = 2"}, "where", 12, `unknown field "nope"`},
		{"unknown field in select", qs{sel: "name, upper(nope)"}, "select", 12, `unknown field "nope"`},
		{"aggregate in where", qs{where: "count(*) > 1"}, "where", 0, "aggregate count() is not allowed"},
		{"field not grouped", qs{sel: "city, name", group: "city"}, "select", 6, `field "name" must be in group_by`},
		{"field mixed with aggregate", qs{sel: "name, count(*)"}, "select", 0, `field "name" must be in group_by`},
		{"order by non-key with group_by", qs{group: "city", order: "pop"}, "order_by", 0, `field "pop" must be in group_by`},
		{"text compared with date", qs{where: "name > born"}, "where", 5, "cannot compare text with date"},
		{"unparsable number for int", qs{where: "pop = 'many'"}, "where", 6, "cannot use"},
		{"like on a number", qs{where: "pop like '1*'"}, "where", 4, "LIKE needs a text field"},
		{"unknown function", qs{sel: "frobnicate(pop)"}, "select", 0, "unknown or unsupported function"},
		{"range outside group_by", qs{sel: "range(pop, 10)"}, "select", 0, "only allowed in group_by"},
		{"negative range width", qs{group: "range(pop, -10)"}, "group_by", 11, "width must be positive"},
		{"date pattern letters", qs{sel: "date_format(born, 'EEEE')"}, "select", 18, "unsupported date pattern"},
		{"within_distance on text", qs{where: "within_distance(name, geom'POINT(1 2)', 1km)"}, "where", 16, "expected a geo_point_2d"},
		{"unknown refine facet", qs{refine: []string{"nope:1"}}, "refine", 0, `unknown field "nope"`},
		{"bad refine date", qs{refine: []string{"born:19xx"}}, "refine", 5, "invalid date"},
		{"order by geo", qs{order: "loc"}, "order_by", 0, "cannot order by"},
		{"bad time zone", qs{tz: "Mars/Olympus"}, "timezone", 0, "unknown timezone"},
		{"server local time zone is refused", qs{tz: "Local"}, "timezone", 0, `unknown timezone "Local"`},
		{"range inside a function", qs{group: "lower(range(pop, 10))"}, "group_by", 6, "only allowed in group_by"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Compile(buildQuery(t, tc.q), testFields, "recs", SQLite)
			checkParseError(t, err, tc.param, tc.pos, tc.msg)
		})
	}
}

func TestCompiledSQL(t *testing.T) {
	for _, tc := range []struct {
		name         string
		q            qs
		sqlite, pg   string
		args         string
		columns      string
		cursorColumn int
	}{
		{
			name:    "placeholders carry every literal and identifiers are quoted",
			q:       qs{sel: "name, loc", where: "name = 'x' and pop > 3", order: "score desc", limit: 10, offset: 20},
			sqlite:  `SELECT "name", "loc__lat", "loc__lon", "score", "_id" FROM "recs" WHERE ((("name" = ?) AND ("pop" > ?))) ORDER BY "score" DESC NULLS LAST, "_id" ASC LIMIT 10 OFFSET 20`,
			pg:      `SELECT "name", "loc__lat", "loc__lon", "score", "_id" FROM "recs" WHERE ((("name" = $1::text) AND ("pop" > $2::bigint))) ORDER BY "score" DESC NULLS LAST, "_id" ASC LIMIT 10 OFFSET 20`,
			args:    "[x 3]",
			columns: "name:text:1 loc:geo_point_2d:2",
		},
		{
			name:    "group by reads keys and aggregates from a subquery",
			q:       qs{sel: "year(born) as y, count(*)", group: "year(born) as y", tz: "Europe/Paris"},
			sqlite:  `SELECT g."_k0", g."_a0" FROM (SELECT socle_datepart('year', "born", ?) AS "_k0", count(*) AS "_a0" FROM "recs" GROUP BY 1) AS g ORDER BY g."_k0" ASC NULLS LAST`,
			pg:      `SELECT g."_k0", g."_a0" FROM (SELECT CAST(extract(year from "born") AS bigint) AS "_k0", count(*) AS "_a0" FROM "recs" GROUP BY 1) AS g ORDER BY g."_k0" ASC NULLS LAST`,
			columns: "y:int:1 count(*):int:1",
		},
		{
			name:    "datetime parts use the time zone",
			q:       qs{sel: "hour(seen)", tz: "Europe/Paris", limit: -1},
			sqlite:  `SELECT socle_datepart('hour', "seen", ?), "_id" FROM "recs" ORDER BY "_id" ASC`,
			pg:      `SELECT CAST(extract(hour from ("seen" AT TIME ZONE $1::text)) AS bigint), "_id" FROM "recs" ORDER BY "_id" ASC`,
			args:    "[Europe/Paris]",
			columns: "hour(seen):int:1",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, d := range []Dialect{SQLite, Postgres} {
				c, err := Compile(buildQuery(t, tc.q), testFields, "recs", d)
				if err != nil {
					t.Fatal(err)
				}
				want := tc.sqlite
				if d.pg() {
					want = tc.pg
				}
				if c.SQL != want {
					t.Errorf("%s SQL\ngot  %s\nwant %s", d.Name(), c.SQL, want)
				}
				if got := fmtArgs(c.Args); tc.args != "" && got != tc.args {
					t.Errorf("%s args = %s, want %s", d.Name(), got, tc.args)
				}
				var cols []string
				for _, col := range c.Columns {
					cols = append(cols, col.Name+":"+string(col.Type)+":"+strconv.Itoa(col.SQLCols))
				}
				if got := strings.Join(cols, " "); got != tc.columns {
					t.Errorf("columns = %s, want %s", got, tc.columns)
				}
			}
		})
	}
}

func fmtArgs(args []any) string {
	var parts []string
	for _, a := range args {
		parts = append(parts, norm(a, "text"))
	}
	return "[" + strings.Join(parts, " ") + "]"
}
