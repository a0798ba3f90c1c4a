package odsql

import (
	"strconv"

	"github.com/socle/socle/internal/catalog"
)

// compileGrouped compiles a query with group_by or aggregates as
//
//	SELECT <outputs over g> FROM (
//	    SELECT <keys> AS "_k0"…, <aggregates> AS "_a0"… FROM t WHERE … GROUP BY 1, 2…
//	) AS g ORDER BY … LIMIT …
//
// so that the outer query refers to each key and aggregate by name: on
// PostgreSQL, repeating a key expression would not match GROUP BY because
// its placeholders differ.
func (c *compiler) compileGrouped(q *Query, table string, where []frag) *Compiled {
	c.clause = "group_by"
	c.grouped = false
	c.noAgg = true
	for _, g := range q.GroupBy {
		c.groupCtx = true
		f := c.expr(g.Expr)
		c.groupCtx = false
		switch f.typ {
		case catalog.TypeGeoPoint, catalog.TypeGeoShape, typGeom, typQuantity:
			c.fail(g.Pos, "cannot group by a value of type %s", f.typ)
		}
		if f.typ == typNull {
			f.typ = catalog.TypeText
		}
		c.keys = append(c.keys, groupKey{canon: g.Expr.String(), alias: g.Alias, text: g.Text, f: f, typ: f.typ})
	}
	c.noAgg = false
	c.grouped = true

	c.clause = "select"
	// Group keys are always part of the result, as on Opendatasoft: those
	// the select does not name come first.
	selected := map[string]bool{}
	for _, it := range q.Select {
		selected[outputName(it)] = true
		if it.Expr != nil {
			selected[it.Expr.String()] = true
		}
	}
	var cols []outCol
	for i, k := range c.keys {
		name := k.alias
		if name == "" {
			name = k.text
		}
		if !selected[name] && !selected[k.canon] {
			cols = append(cols, outCol{name, c.keyRef(i)})
		}
	}
	for _, it := range q.Select {
		if it.Kind != SelectExpr {
			c.fail(it.Pos, "%s is not allowed with group_by or aggregates", it.Text)
		}
		f := c.expr(it.Expr)
		if f.typ == typGeom || f.typ == typQuantity {
			c.fail(it.Pos, "a geometry or quantity literal cannot be selected")
		}
		cols = append(cols, outCol{outputName(it), f})
	}

	c.clause = "order_by"
	c.aliases = selectAliases(q.Select)
	var order []frag
	for _, o := range q.OrderBy {
		f := c.expr(o.Expr)
		c.orderable(f, o.Pos)
		order = append(order, cat(f, dirSQL(o.Desc)))
	}
	if len(q.OrderBy) == 0 {
		for i := range c.keys {
			order = append(order, cat(c.keyRef(i), " ASC NULLS LAST"))
		}
	}

	var innerCols, keyCols, positions []frag
	for i, k := range c.keys {
		col := cat(k.f, ` AS "_k`, strconv.Itoa(i), `"`)
		innerCols = append(innerCols, col)
		keyCols = append(keyCols, col)
		positions = append(positions, frag{sql: strconv.Itoa(i + 1)})
	}
	for i, a := range c.aggs {
		innerCols = append(innerCols, cat(a, ` AS "_a`, strconv.Itoa(i), `"`))
	}
	from := cat(" FROM ", quoteTable(table))
	if len(where) > 0 {
		from = cat(from, " WHERE ", join(where, " AND "))
	}
	groupBy := frag{}
	if len(positions) > 0 {
		groupBy = cat(" GROUP BY ", join(positions, ", "))
	}
	inner := cat("SELECT ", join(innerCols, ", "), from, groupBy)
	var list []frag
	for _, oc := range cols {
		list = append(list, c.outputFrags(oc.f)...)
	}
	full := cat("SELECT ", join(list, ", "), " FROM (", inner, ") AS g")
	if len(order) > 0 {
		full = cat(full, " ORDER BY ", join(order, ", "))
	}
	full = cat(full, c.limitSQL(q))
	count := frag{sql: "SELECT 1"}
	if len(keyCols) > 0 {
		count = cat("SELECT count(*) FROM (SELECT ", join(keyCols, ", "), from, groupBy, ") AS g")
	}
	return c.finish(full, count, cols, 0)
}

func (c *compiler) keyRef(i int) frag {
	return frag{sql: `g."_k` + strconv.Itoa(i) + `"`, typ: c.keys[i].typ}
}

// groupRef resolves e to a group key: same canonical text, or the key's
// alias.
func (c *compiler) groupRef(e Expr) (frag, bool) {
	canon := e.String()
	id, isIdent := e.(*Ident)
	for i, k := range c.keys {
		if k.canon == canon || isIdent && k.alias != "" && k.alias == id.Name {
			return c.keyRef(i), true
		}
	}
	return frag{}, false
}

var calendarUnits = map[string]bool{"year": true, "month": true, "week": true, "day": true, "hour": true, "minute": true, "second": true}

// rangeKey compiles range(f, width), range(f, *, b1, b2, *) and
// range(date_f, 1 unit).
func (c *compiler) rangeKey(x *Call) frag {
	c.arity(x, 2, -1)
	f := c.expr(x.Args[0])
	if lit, ok := x.Args[1].(*Literal); ok && len(x.Args) == 2 && lit.Kind == LitQuantity {
		return c.calendarRange(f, lit, x)
	}
	if !f.typ.Numeric() {
		c.fail(x.Args[0].Pos(), "range() needs a number or a date, got %s", f.typ)
	}
	if len(x.Args) == 2 {
		if _, ok := x.Args[1].(*Star); !ok {
			return c.widthRange(f, x.Args[1])
		}
	}
	return c.boundsRange(f, x.Args[1:], x.P)
}

func (c *compiler) calendarRange(f frag, lit *Literal, x *Call) frag {
	if f.typ != catalog.TypeDate && f.typ != catalog.TypeDateTime {
		c.fail(x.Args[0].Pos(), "range() by %s needs a date or datetime, got %s", lit.Unit, f.typ)
	}
	if !calendarUnits[lit.Unit] || lit.Float != 1 {
		c.fail(lit.P, "range() accepts 1 year, month, week, day, hour, minute or second")
	}
	if f.typ == catalog.TypeDate && (lit.Unit == "hour" || lit.Unit == "minute" || lit.Unit == "second") {
		c.fail(lit.P, "a date has no %s", lit.Unit)
	}
	if !c.d.pg() {
		tz := c.param("", catalog.TypeText)
		if f.typ == catalog.TypeDateTime {
			tz = c.tzParam()
		}
		return typed(cat("socle_datetrunc('", lit.Unit, "', ", f, ", ", tz, ")"), f.typ)
	}
	if f.typ == catalog.TypeDate {
		return typed(cat("CAST(date_trunc('", lit.Unit, "', ", f, ") AS date)"), f.typ)
	}
	return typed(cat("(date_trunc('", lit.Unit, "', ", f, " AT TIME ZONE ", c.tzParam(), ") AT TIME ZONE ", c.tzParam(), ")"), f.typ)
}

// widthRange buckets numbers into [n*w, (n+1)*w[ labelled "[10, 20[".
func (c *compiler) widthRange(f frag, we Expr) frag {
	w := c.numberLit(we)
	if w <= 0 {
		c.fail(we.Pos(), "range width must be positive")
	}
	var n frag // floor(f / w), an integer
	q := cat("(", c.toDouble(f), " / ", c.param(w, catalog.TypeDouble), ")")
	if c.d.pg() {
		n = cat("CAST(floor", q, " AS bigint)")
	} else {
		n = cat("(CAST(", q, " AS INTEGER) - (", q, " < CAST(", q, " AS INTEGER)))")
	}
	var lo, hi frag
	if w == float64(int64(w)) {
		wi := c.param(int64(w), catalog.TypeInt)
		lo = cat("(", n, " * ", wi, ")")
		hi = cat("((", n, " + 1) * ", wi, ")")
	} else {
		wd := c.param(w, catalog.TypeDouble)
		lo = c.numText(cat("(", n, " * ", wd, ")"))
		hi = c.numText(cat("((", n, " + 1) * ", wd, ")"))
	}
	return typed(cat("('[' || ", lo, " || ', ' || ", hi, " || '[')"), catalog.TypeText)
}

// numText renders a double as text, integral values without ".0".
func (c *compiler) numText(v frag) frag {
	if c.d.pg() {
		return cat("CAST(", v, " AS text)")
	}
	return cat("(CASE WHEN ", v, " = CAST(", v, " AS INTEGER) THEN CAST(CAST(", v, " AS INTEGER) AS TEXT) ELSE CAST(", v, " AS TEXT) END)")
}

func fmtNum(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }

// boundsRange buckets numbers between explicit bounds; '*' first or last
// opens the ends. Values outside closed ends fall into the null group.
func (c *compiler) boundsRange(f frag, args []Expr, pos int) frag {
	openLo, openHi := false, false
	if _, ok := args[0].(*Star); ok {
		openLo = true
		args = args[1:]
	}
	if len(args) > 0 {
		if _, ok := args[len(args)-1].(*Star); ok {
			openHi = true
			args = args[:len(args)-1]
		}
	}
	if len(args) == 0 {
		c.fail(pos, "range() needs at least one bound")
	}
	bounds := make([]float64, len(args))
	for i, a := range args {
		bounds[i] = c.numberLit(a)
		if i > 0 && bounds[i] <= bounds[i-1] {
			c.fail(a.Pos(), "range() bounds must increase")
		}
	}
	d := func(v float64) frag { return c.param(v, catalog.TypeDouble) }
	label := func(lo, hi string) frag { return c.param("["+lo+", "+hi+"[", catalog.TypeText) }
	parts := []any{"(CASE WHEN ", f, " IS NULL THEN NULL"}
	if openLo {
		parts = append(parts, " WHEN ", f, " < ", d(bounds[0]), " THEN ", label("*", fmtNum(bounds[0])))
	} else {
		parts = append(parts, " WHEN ", f, " < ", d(bounds[0]), " THEN NULL")
	}
	for i := 1; i < len(bounds); i++ {
		parts = append(parts, " WHEN ", f, " < ", d(bounds[i]), " THEN ", label(fmtNum(bounds[i-1]), fmtNum(bounds[i])))
	}
	if openHi {
		parts = append(parts, " ELSE ", label(fmtNum(bounds[len(bounds)-1]), "*"))
	}
	parts = append(parts, " END)")
	return typed(cat(parts...), catalog.TypeText)
}
