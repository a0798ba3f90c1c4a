package odsql

import (
	"strconv"
	"strings"
	"testing"

	"github.com/socle/socle/internal/catalog"
)

// repeat joins n copies of s, with each "%d" replaced by the copy's index.
func repeat(n int, s, sep string) string {
	parts := make([]string, n)
	for i := range parts {
		parts[i] = strings.ReplaceAll(s, "%d", strconv.Itoa(i))
	}
	return strings.Join(parts, sep)
}

func TestParseLimits(t *testing.T) {
	nested := func(n int) string { return strings.Repeat("(", n) + "pop > 1" + strings.Repeat(")", n) }
	items := repeat(100, "pop + %d * 2 - 1", ", ") // 7 nodes each: the 501st is item 71's '*'
	ors := repeat(200, "pop = %d", " or ")         // 4 nodes each but the first: the 501st is comparison 125's field
	for _, tc := range []struct {
		name, param, in string
		pos             int // -1: accepted
		msg             string
	}{
		// "pop" then " + 1" n times: the 501st node is the 250th literal,
		// at 3 + 4*249 + 3.
		{"a chain of 1000 additions is too complex", "where", "pop" + strings.Repeat(" + 1", 1000) + " > 0", 1002, "expression too complex (more than 500 terms)"},
		{"a chain of 249 additions is accepted", "where", "pop" + strings.Repeat(" + 1", 248) + " > 0", -1, ""},
		{"nodes add up across select items", "select", items, strings.Index(items, "71 * 2") + 3, "expression too complex (more than 500 terms)"},
		{"an or chain of 200 comparisons is too complex", "where", ors, strings.Index(ors, "pop = 125 "), "expression too complex"},
		{"101 select items are too many", "select", repeat(101, "pop", ", "), 500, "too many items (more than 100)"},
		{"100 select items are accepted", "select", repeat(100, "pop", ", "), -1, ""},
		{"101 group_by items are too many", "group_by", repeat(101, "pop", ", "), 500, "too many items (more than 100)"},
		{"101 order_by items are too many", "order_by", repeat(101, "pop", ", "), 500, "too many items (more than 100)"},
		{"an IN list of 1001 values is too long", "where", "pop in (" + repeat(1001, "1", ",") + ")", 8 + 2000, "IN list too long (more than 1000 values)"},
		{"an IN list of 1000 literals is accepted", "where", "pop in (" + repeat(1000, "%d", ", ") + ")", -1, ""},
		{"IN list expressions count as terms", "where", "pop in (" + repeat(300, "pop + 1", ", ") + ")", 8 + 166*9, "expression too complex"},
		// Nesting counts parentheses, calls, NOT and unary minus.
		{"101 nested parentheses are too deep", "where", nested(101), 100, "nested too deeply"},
		{"51 nested negations are too deep", "where", strings.Repeat("-(", 51) + "pop" + strings.Repeat(")", 51), 100, "nested too deeply"},
		{"99 nested parentheses are accepted", "where", nested(99), -1, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var err error
			switch tc.param {
			case "where":
				_, err = ParseWhere(tc.in)
			case "select":
				_, err = ParseSelect(tc.in)
			case "group_by":
				_, err = ParseGroupBy(tc.in)
			case "order_by":
				_, err = ParseOrderBy(tc.in)
			}
			if tc.pos < 0 {
				if err != nil {
					t.Fatalf("err = %v, want none", err)
				}
				return
			}
			checkParseError(t, err, tc.param, tc.pos, tc.msg)
		})
	}
}

func TestCompileLimits(t *testing.T) {
	in := "pop in (" + repeat(1000, "%d", ",") + ")"
	for _, tc := range []struct {
		name   string
		where  []string
		param  string
		errMsg string
	}{
		{"thirty long IN lists are too many values", slicesRepeat(in, 30), "query", "query too complex (more than 20000 values)"},
		{"ten long IN lists are accepted", slicesRepeat(in, 10), "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q := &Query{Limit: 10}
			for _, w := range tc.where {
				e, err := ParseWhere(w)
				if err != nil {
					t.Fatal(err)
				}
				q.Where = append(q.Where, e)
			}
			_, err := Compile(q, testFields, "recs", SQLite)
			if tc.errMsg == "" {
				if err != nil {
					t.Fatalf("err = %v, want none", err)
				}
				return
			}
			checkParseError(t, err, tc.param, 0, tc.errMsg)
		})
	}
}

func slicesRepeat(s string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = s
	}
	return out
}

func TestLimitsExecSQLite(t *testing.T) { runLimitCases(t, openSQLite(t)) }

func TestLimitsExecPostgres(t *testing.T) { runLimitCases(t, openPostgres(t)) }

// runLimitCases runs the largest queries the limits accept: each must
// execute, whatever the engine's own limits on depth and placeholders.
func runLimitCases(t *testing.T, db *testDB) {
	createTable(t, db)
	chain := repeat(249, "pop", " + ") + " > 0" // 499 nodes, 248 levels deep
	neg := strings.Repeat("-(", 49) + "pop" + strings.Repeat(")", 49) + " > 0"
	for _, tc := range []struct {
		name  string
		sel   string
		where []string
		group string
		order string
	}{
		{name: "a chain of 249 additions runs", where: []string{chain}},
		{name: "fifty such chains run", where: slicesRepeat(chain, 50)},
		{name: "a chain of 249 additions runs in select", sel: repeat(249, "pop", " + ")},
		{name: "an or chain of 124 comparisons runs", where: []string{repeat(124, "pop = %d", " or ")}},
		{name: "49 nested negations run", where: []string{neg}},
		{name: "49 nested nots run", where: []string{strings.Repeat("not (", 49) + "active" + strings.Repeat(")", 49)}},
		{name: "99 nested parentheses run", where: []string{strings.Repeat("(", 99) + "pop > 1" + strings.Repeat(")", 99)}},
		{name: "49 nested coalesces run", sel: strings.Repeat("coalesce(", 49) + "pop" + strings.Repeat(", 1)", 49)},
		{name: "an IN list of 1000 values runs", where: []string{"pop in (" + repeat(1000, "%d", ", ") + ")"}},
		{name: "a full-text search of 1000 terms runs", where: []string{`"` + repeat(1000, "x%d", " ") + `"`}},
		{name: "100 select, group_by and order_by items run", sel: repeat(100, "year(born) + %d", ", "), group: repeat(100, "year(born) + %d", ", "), order: repeat(100, "year(born) + %d", ", ")},
		{name: "a chain of 249 additions runs in order_by", order: repeat(249, "pop", " + ")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q := buildQuery(t, qs{sel: tc.sel, group: tc.group, order: tc.order, limit: 5})
			for _, w := range tc.where {
				e, err := ParseWhere(w)
				if err != nil {
					t.Fatal(err)
				}
				q.Where = append(q.Where, e)
			}
			c, err := Compile(q, testFields, "recs", db.d)
			if err != nil {
				t.Fatal(err)
			}
			runQuery(t, db, c)
			scalarCount(t, db, c)
		})
	}
}

func TestLimitsCursorSQLite(t *testing.T) { runLimitCursor(t, openSQLite(t)) }

func TestLimitsCursorPostgres(t *testing.T) { runLimitCursor(t, openPostgres(t)) }

// runLimitCursor pages with a keyset cursor over 100 order_by items: its
// condition repeats them quadratically, and must still run.
func runLimitCursor(t *testing.T, db *testDB) {
	createTable(t, db)
	t.Run("a cursor over 100 order_by items runs", func(t *testing.T) {
		q := buildQuery(t, qs{sel: "name", order: repeat(100, "pop + %d", ", "), limit: 3})
		q.After = &Cursor{Values: make([]any, 100), ID: 1}
		for i := range q.After.Values {
			q.After.Values[i] = float64(i)
		}
		c, err := Compile(q, testFields, "recs", db.d)
		if err != nil {
			t.Fatal(err)
		}
		if got, _ := runQuery(t, db, c); len(got) != 3 {
			t.Errorf("got %q, want 3 rows", got)
		}
	})
}

func TestIntegerOverflowSQLite(t *testing.T) { runOverflowCases(t, openSQLite(t)) }

func TestIntegerOverflowPostgres(t *testing.T) { runOverflowCases(t, openPostgres(t)) }

// runOverflowCases checks that integer arithmetic that may overflow 64 bits
// is computed as a double on both engines, and that provably small integer
// arithmetic stays integer.
func runOverflowCases(t *testing.T, db *testDB) {
	createTable(t, db)
	for _, tc := range []struct {
		name string
		q    qs
		want string
		typ  catalog.FieldType
	}{
		{"sum of the largest int is a double", qs{sel: "sum(9223372036854775807)"}, "1.844674407370955e+20", catalog.TypeDouble},
		{"sum of an int field is a double", qs{sel: "sum(pop)", where: "city = 'Lyon'"}, "3900", catalog.TypeDouble},
		{"largest int plus one is a double", qs{sel: "9223372036854775807 + 1"}, "9.223372036854776e+18", catalog.TypeDouble},
		{"smallest int minus one is a double", qs{sel: "-9223372036854775807 - 2"}, "-9.223372036854776e+18", catalog.TypeDouble},
		{"int field times a large int is a double", qs{sel: "pop * 9223372036854775807", where: "pop = 42"}, "3.873816255479006e+20", catalog.TypeDouble},
		{"int field plus one is a double", qs{sel: "pop + 1", where: "pop = 42"}, "43", catalog.TypeDouble},
		{"negated int field is a double", qs{sel: "-pop", where: "pop = 42"}, "-42", catalog.TypeDouble},
		{"huge int arithmetic in where does not fail", qs{sel: "count(*)", where: "pop * 9223372036854775807 > 0"}, "17", catalog.TypeInt},
		{"small literal arithmetic stays int", qs{sel: "2 * 3 + 1"}, "7", catalog.TypeInt},
		{"date parts arithmetic stays int", qs{sel: "year(born) * 12 + month(born)", where: "pop = 42"}, "24130", catalog.TypeInt},
		{"count arithmetic stays int", qs{sel: "count(*) * 1000 - 1"}, "19999", catalog.TypeInt},
		{"negated small int stays int", qs{sel: "-length(name)", where: "pop = 42"}, "-12", catalog.TypeInt},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q := tc.q
			q.limit = 1
			c, err := Compile(buildQuery(t, q), testFields, "recs", db.d)
			if err != nil {
				t.Fatal(err)
			}
			if len(c.Columns) != 1 || c.Columns[0].Type != tc.typ {
				t.Fatalf("columns = %+v, want one of type %s", c.Columns, tc.typ)
			}
			got, _ := runQuery(t, db, c)
			if len(got) != 1 || got[0] != tc.want {
				t.Errorf("got %q, want %q\nSQL: %s", got, tc.want, c.SQL)
			}
		})
	}
	t.Run("range over huge values runs", func(t *testing.T) {
		c, err := Compile(buildQuery(t, qs{sel: "count(*)", group: "range(pop * 9223372036854775807, 0.001)", where: "pop = 42"}), testFields, "recs", db.d)
		if err != nil {
			t.Fatal(err)
		}
		if got, _ := runQuery(t, db, c); len(got) != 1 || !strings.HasPrefix(got[0], "[3.87381625547") {
			t.Errorf("got %q\nSQL: %s", got, c.SQL)
		}
	})
}

func TestTimezones(t *testing.T) {
	for _, tc := range []struct {
		name, tz string
		ok       bool
	}{
		{"empty means UTC", "", true},
		{"UTC is accepted", "UTC", true},
		{"an IANA name is accepted", "America/Argentina/Buenos_Aires", true},
		{"Local is refused", "Local", false},
		{"an unknown name is refused", "Europe/Atlantis", false},
		{"a path is refused", "../etc/passwd", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q := &Query{Timezone: tc.tz, Limit: 10}
			_, err := Compile(q, testFields, "recs", Postgres)
			_, ferr := CompileFacet(q, testFields, "recs", "born", SQLite, 10)
			for _, err := range []error{err, ferr} {
				if tc.ok && err != nil {
					t.Errorf("err = %v, want none", err)
				}
				if !tc.ok {
					checkParseError(t, err, "timezone", 0, "unknown timezone")
				}
			}
		})
	}
}
