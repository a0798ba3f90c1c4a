package odsql

import (
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/socle/socle/internal/catalog"
)

func (c *compiler) arity(x *Call, min, max int) {
	if len(x.Args) < min || max >= 0 && len(x.Args) > max {
		c.fail(x.P, "wrong number of arguments to %s()", x.Name)
	}
	if x.Distinct && x.Name != "count" {
		c.fail(x.P, "DISTINCT is only allowed in count()")
	}
}

// call compiles function, aggregate and predicate calls.
func (c *compiler) call(x *Call) frag {
	if aggregates[x.Name] {
		return c.aggregate(x)
	}
	switch x.Name {
	case "year", "month", "day", "hour", "minute", "second":
		c.arity(x, 1, 1)
		f := c.datePart(x.Name, c.dateArg(x.Args[0]))
		f.bound = datePartBound
		return f
	case "lower", "upper":
		c.arity(x, 1, 1)
		f := c.textArg(x.Args[0])
		return typed(cat(x.Name, "(", f, ")"), catalog.TypeText)
	case "length":
		c.arity(x, 1, 1)
		f := c.toBigint(cat("length(", c.textArg(x.Args[0]), ")"))
		f.bound = lengthBound
		return f
	case "ifnull", "coalesce":
		c.arity(x, 2, -1)
		return c.coalesce(x)
	case "date_format":
		c.arity(x, 2, 2)
		return c.dateFormat(c.dateArg(x.Args[0]), x.Args[1])
	case "distance":
		c.arity(x, 2, 2)
		g := c.geoArg(x.Args[0])
		lon, lat := c.pointArg(x.Args[1])
		return typed(cat("socle_distance(", g.lat, ", ", g.lon, ", ", c.param(lat, catalog.TypeDouble), ", ", c.param(lon, catalog.TypeDouble), ")"), catalog.TypeDouble)
	case "now":
		return c.now(x)
	case "random":
		c.arity(x, 0, 1)
		if c.grouped {
			c.fail(x.P, "random() is not allowed with group_by or aggregates")
		}
		var seed int64
		if len(x.Args) == 1 {
			lit, ok := x.Args[0].(*Literal)
			if !ok || lit.Kind != LitInt {
				c.fail(x.Args[0].Pos(), "random() needs an integer seed")
			}
			seed = lit.Int % 2147483648
		}
		f := typed(cat(`(("_id" * 1103515245 + `, c.param(seed, catalog.TypeInt), ") % 2147483648)"), catalog.TypeInt)
		f.bound = 2147483648
		return f
	case "search", "suggest":
		return c.search(x)
	case "startswith":
		c.arity(x, 2, 2)
		f := c.textArg(x.Args[0])
		s := c.stringLit(x.Args[1])
		return c.foldLike(f, likeEscape(Fold(s))+"%")
	case "within_distance":
		return c.withinDistance(x)
	case "in_bbox":
		return c.inBBox(x)
	case "range":
		c.fail(x.P, "range() is only allowed in group_by, as a whole item")
	}
	c.fail(x.P, "unknown or unsupported function %s()", x.Name)
	return frag{}
}

func (c *compiler) stringLit(e Expr) string {
	lit, ok := e.(*Literal)
	if !ok || lit.Kind != LitString {
		c.fail(e.Pos(), "expected a string literal")
	}
	return lit.Str
}

func (c *compiler) numberLit(e Expr) float64 {
	lit, ok := e.(*Literal)
	if ok && lit.Kind == LitInt {
		return float64(lit.Int)
	}
	if !ok || lit.Kind != LitFloat {
		c.fail(e.Pos(), "expected a number")
	}
	return lit.Float
}

func (c *compiler) textArg(e Expr) frag {
	f := c.expr(e)
	if f.lit != nil && f.typ != catalog.TypeText {
		f = c.coerce(f.lit, catalog.TypeText)
	}
	if f.typ != catalog.TypeText && f.typ != typNull {
		c.fail(e.Pos(), "expected text, got %s", f.typ)
	}
	return f
}

func (c *compiler) dateArg(e Expr) frag {
	f := c.expr(e)
	if f.typ != catalog.TypeDate && f.typ != catalog.TypeDateTime {
		c.fail(e.Pos(), "expected a date or datetime, got %s", f.typ)
	}
	return f
}

func (c *compiler) geoArg(e Expr) frag {
	f := c.expr(e)
	if f.typ != catalog.TypeGeoPoint {
		c.fail(e.Pos(), "expected a geo_point_2d field, got %s", f.typ)
	}
	return f
}

func (c *compiler) pointArg(e Expr) (lon, lat float64) {
	lit, ok := e.(*Literal)
	if !ok || lit.Kind != LitGeom {
		c.fail(e.Pos(), "expected geom'POINT(lon lat)'")
	}
	return lit.Lon, lit.Lat
}

// datePart extracts an integer part of a date or datetime; datetimes are
// seen in the query's time zone.
func (c *compiler) datePart(part string, f frag) frag {
	if !c.d.pg() {
		tz := c.param("", catalog.TypeText)
		if f.typ == catalog.TypeDateTime {
			tz = c.tzParam()
		}
		return typed(cat("socle_datepart('", part, "', ", f, ", ", tz, ")"), catalog.TypeInt)
	}
	src := f
	if f.typ == catalog.TypeDateTime {
		src = cat("(", f, " AT TIME ZONE ", c.tzParam(), ")")
	}
	if part == "second" {
		return typed(cat("CAST(floor(extract(second from ", src, ")) AS bigint)"), catalog.TypeInt)
	}
	return typed(cat("CAST(extract(", part, " from ", src, ") AS bigint)"), catalog.TypeInt)
}

// localTS is, on PostgreSQL, a datetime moved to the query's wall clock.
func (c *compiler) localTS(f frag) frag {
	if f.typ == catalog.TypeDateTime {
		return cat("(", f, " AT TIME ZONE ", c.tzParam(), ")")
	}
	return f
}

func (c *compiler) dateFormat(f frag, pat Expr) frag {
	p := c.stringLit(pat)
	strf, pgf, err := convertJavaPattern(p)
	if err != "" {
		c.fail(pat.Pos(), "%s", err)
	}
	if c.d.pg() {
		return typed(cat("to_char(", c.localTS(f), ", ", c.param(pgf, catalog.TypeText), ")"), catalog.TypeText)
	}
	tz := c.param("", catalog.TypeText)
	if f.typ == catalog.TypeDateTime {
		tz = c.tzParam()
	}
	return typed(cat("socle_datefmt(", c.param(strf, catalog.TypeText), ", ", f, ", ", tz, ")"), catalog.TypeText)
}

// convertJavaPattern turns a Java date pattern (yyyy yy MM dd HH mm ss,
// 'quoted text') into a strftime layout and a PostgreSQL to_char format.
func convertJavaPattern(p string) (strf, pgf, err string) {
	var s, g strings.Builder
	lit := func(t string) {
		s.WriteString(strings.ReplaceAll(t, "%", "%%"))
		if t != "" {
			g.WriteString(`"` + t + `"`)
		}
	}
	for i := 0; i < len(p); {
		ch := p[i]
		if ch == '\'' {
			j := strings.IndexByte(p[i+1:], '\'')
			if j < 0 {
				return "", "", "unterminated quote in date pattern"
			}
			t := p[i+1 : i+1+j]
			if t == "" {
				t = "'"
			}
			if strings.ContainsAny(t, `"\`) {
				return "", "", "unsupported character in date pattern"
			}
			lit(t)
			i += j + 2
			continue
		}
		if !(ch >= 'a' && ch <= 'z' || ch >= 'A' && ch <= 'Z') {
			if ch == '"' || ch == '\\' {
				return "", "", "unsupported character in date pattern"
			}
			lit(string(ch))
			i++
			continue
		}
		j := i
		for j < len(p) && p[j] == ch {
			j++
		}
		run := p[i:j]
		switch run {
		case "yyyy", "YYYY", "uuuu":
			s.WriteString("%Y")
			g.WriteString("YYYY")
		case "yy", "YY", "uu":
			s.WriteString("%y")
			g.WriteString("YY")
		case "MM":
			s.WriteString("%m")
			g.WriteString("MM")
		case "dd":
			s.WriteString("%d")
			g.WriteString("DD")
		case "HH":
			s.WriteString("%H")
			g.WriteString("HH24")
		case "mm":
			s.WriteString("%M")
			g.WriteString("MI")
		case "ss":
			s.WriteString("%S")
			g.WriteString("SS")
		default:
			return "", "", "unsupported date pattern letters " + run
		}
		i = j
	}
	return s.String(), g.String(), ""
}

func (c *compiler) coalesce(x *Call) frag {
	var t catalog.FieldType = typNull
	fs := make([]frag, len(x.Args))
	for i, a := range x.Args {
		fs[i] = c.expr(a)
		if t == typNull && fs[i].lit == nil && fs[i].typ != typNull {
			t = fs[i].typ
		}
	}
	if t == typNull {
		for _, f := range fs {
			if f.typ != typNull {
				t = f.typ
				break
			}
		}
	}
	for i, f := range fs {
		if f.lit != nil && f.typ != t {
			fs[i] = c.coerce(f.lit, t)
		}
		if fs[i].typ == catalog.TypeGeoPoint || !comparable(fs[i].typ, t) {
			c.fail(x.Args[i].Pos(), "%s() arguments must have the same type", x.Name)
		}
	}
	if t == catalog.TypeDouble {
		for i, f := range fs {
			if f.typ == catalog.TypeInt {
				fs[i] = c.toDouble(f)
			}
		}
	}
	out := typed(cat("COALESCE(", join(fs, ", "), ")"), t)
	if t == catalog.TypeInt {
		for _, f := range fs {
			if f.typ == catalog.TypeInt && f.bound == 0 {
				return out
			}
			out.bound = math.Max(out.bound, f.bound)
		}
	}
	return out
}

// now evaluates now(days=-7, …) at compile time, in the query's zone.
func (c *compiler) now(x *Call) frag {
	t := time.Now().In(c.loc)
	for _, a := range x.Args {
		b, ok := a.(*Binary)
		var id *Ident
		var n float64
		if ok && b.Op == "=" {
			id, _ = b.L.(*Ident)
		}
		if id == nil {
			c.fail(a.Pos(), "now() takes unit=number arguments")
		}
		n = c.numberLit(b.R)
		k := int(n)
		switch strings.ToLower(id.Name) {
		case "years":
			t = t.AddDate(k, 0, 0)
		case "months":
			t = t.AddDate(0, k, 0)
		case "weeks":
			t = t.AddDate(0, 0, 7*k)
		case "days":
			t = t.AddDate(0, 0, k)
		case "hours":
			t = t.Add(time.Duration(n * float64(time.Hour)))
		case "minutes":
			t = t.Add(time.Duration(n * float64(time.Minute)))
		case "seconds":
			t = t.Add(time.Duration(n * float64(time.Second)))
		default:
			c.fail(id.P, "unknown now() unit %q", id.Name)
		}
	}
	return c.timeParam(t, catalog.TypeDateTime)
}

// aggregate compiles an aggregate call. In a grouped query it becomes a
// column of the inner query and the outer query reads it back.
func (c *compiler) aggregate(x *Call) frag {
	if c.noAgg || c.inAgg {
		c.fail(x.P, "aggregate %s() is not allowed here", x.Name)
	}
	c.inAgg = true
	f := c.aggregateSQL(x)
	c.inAgg = false
	if !c.grouped {
		return f
	}
	canon := x.String()
	i, ok := c.aggCanon[canon]
	if !ok {
		i = len(c.aggs)
		c.aggs = append(c.aggs, f)
		c.aggCanon[canon] = i
	}
	return frag{sql: `g."_a` + strconv.Itoa(i) + `"`, typ: f.typ, agg: true, bound: f.bound}
}

func (c *compiler) aggregateSQL(x *Call) frag {
	if x.Name == "count" {
		c.arity(x, 0, 1)
		if len(x.Args) == 0 {
			return frag{sql: "count(*)", typ: catalog.TypeInt, bound: countBound}
		}
		if _, ok := x.Args[0].(*Star); ok {
			if x.Distinct {
				c.fail(x.P, "count(distinct *) is not supported")
			}
			return frag{sql: "count(*)", typ: catalog.TypeInt, bound: countBound}
		}
		f := c.expr(x.Args[0])
		if f.typ == catalog.TypeGeoPoint {
			f = *f.lat
		}
		d := ""
		if x.Distinct {
			d = "DISTINCT "
		}
		out := typed(cat("count(", d, f, ")"), catalog.TypeInt)
		out.bound = countBound
		return out
	}
	switch x.Name {
	case "sum", "avg":
		// Both are doubles, also over ints: a sum of 64-bit integers can
		// overflow them (SQLite raises "integer overflow", PostgreSQL
		// "bigint out of range" when its numeric sum is cast back).
		c.arity(x, 1, 1)
		f := c.numArg(x.Args[0])
		if c.d.pg() {
			return typed(cat("CAST(", x.Name, "(", f, ") AS double precision)"), catalog.TypeDouble)
		}
		return typed(cat(x.Name, "(", c.toDouble(f), ")"), catalog.TypeDouble)
	case "min", "max":
		c.arity(x, 1, 1)
		f := c.expr(x.Args[0])
		switch f.typ {
		case catalog.TypeGeoPoint, catalog.TypeGeoShape, catalog.TypeJSON, catalog.TypeBoolean, typGeom, typQuantity:
			c.fail(x.Args[0].Pos(), "%s() cannot aggregate %s", x.Name, f.typ)
		}
		return typed(cat(x.Name, "(", f, ")"), f.typ)
	case "median", "percentile":
		p := 50.0
		if x.Name == "median" {
			c.arity(x, 1, 1)
		} else {
			c.arity(x, 2, 2)
			p = c.numberLit(x.Args[1])
			if p < 0 || p > 100 {
				c.fail(x.Args[1].Pos(), "percentile must be between 0 and 100")
			}
		}
		f := c.numArg(x.Args[0])
		if c.d.pg() {
			return typed(cat("percentile_cont(", c.param(p/100, catalog.TypeDouble), ") WITHIN GROUP (ORDER BY ", c.toDouble(f), ")"), catalog.TypeDouble)
		}
		return typed(cat("socle_percentile(", f, ", ", c.param(p, catalog.TypeDouble), ")"), catalog.TypeDouble)
	}
	c.fail(x.P, "unsupported aggregate %s()", x.Name)
	return frag{}
}

func (c *compiler) numArg(e Expr) frag {
	f := c.expr(e)
	if !f.typ.Numeric() {
		c.fail(e.Pos(), "expected a number, got %s", f.typ)
	}
	return f
}
