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
		k := groupKey{canon: g.Expr.String(), alias: g.Alias, text: g.Text}
		if call, ok := g.Expr.(*Call); ok && call.Name == "range" {
			k.f, k.label = c.rangeKey(call)
		} else {
			k.f = c.expr(g.Expr)
		}
		switch k.f.typ {
		case catalog.TypeGeoPoint, catalog.TypeGeoShape, typGeom, typQuantity:
			c.fail(g.Pos, "cannot group by a value of type %s", k.f.typ)
		}
		if k.f.typ == typNull {
			k.f.typ = catalog.TypeText
		}
		k.typ = k.f.typ
		if k.label != nil {
			k.typ = catalog.TypeText
		}
		c.keys = append(c.keys, k)
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
		var f frag
		if i, ok := c.orderKey(o.Expr); ok {
			f = c.innerRef(i) // range keys sort by number, not as text
		} else {
			f = c.expr(o.Expr)
			c.orderable(f, o.Pos)
		}
		order = append(order, cat(f, dirSQL(o.Desc)))
	}
	if len(q.OrderBy) == 0 {
		for i := range c.keys {
			order = append(order, cat(c.innerRef(i), " ASC NULLS LAST"))
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
		from = cat(from, " WHERE ", balanced(where, "AND"))
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

// innerRef is the i-th group key's column of the inner query.
func (c *compiler) innerRef(i int) frag {
	k := c.keys[i]
	return frag{sql: `g."_k` + strconv.Itoa(i) + `"`, typ: k.f.typ, bound: k.f.bound}
}

// keyRef is the i-th group key's value as the outer query outputs it.
func (c *compiler) keyRef(i int) frag {
	if c.keys[i].label != nil {
		return c.keys[i].label(c.innerRef(i))
	}
	return c.innerRef(i)
}

// keyIndex resolves e to a group key: same canonical text, or the key's
// alias.
func (c *compiler) keyIndex(e Expr) (int, bool) {
	canon := e.String()
	id, isIdent := e.(*Ident)
	for i, k := range c.keys {
		if k.canon == canon || isIdent && k.alias != "" && k.alias == id.Name {
			return i, true
		}
	}
	return 0, false
}

func (c *compiler) groupRef(e Expr) (frag, bool) {
	i, ok := c.keyIndex(e)
	if !ok {
		return frag{}, false
	}
	return c.keyRef(i), true
}

// orderKey resolves an order_by item to a range() group key, directly or
// through a select alias.
func (c *compiler) orderKey(e Expr) (int, bool) {
	i, ok := c.keyIndex(e)
	if id, isIdent := e.(*Ident); !ok && isIdent && c.aliases[id.Name] != nil {
		i, ok = c.keyIndex(c.aliases[id.Name])
	}
	return i, ok && c.keys[i].label != nil
}

var calendarUnits = map[string]bool{"year": true, "month": true, "week": true, "day": true, "hour": true, "minute": true, "second": true}

// rangeKey compiles range(f, width), range(f, *, b1, b2, *) and
// range(date_f, 1 unit). Numeric ranges group by a number that sorts as
// the ranges do (the bucket's index) and return the function that renders
// it as the "[lo, hi[" label; calendar ranges group by the period's start,
// which sorts right as it is.
func (c *compiler) rangeKey(x *Call) (frag, func(frag) frag) {
	c.arity(x, 2, -1)
	f := c.expr(x.Args[0])
	if lit, ok := x.Args[1].(*Literal); ok && len(x.Args) == 2 && lit.Kind == LitQuantity {
		return c.calendarRange(f, lit, x), nil
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
		// The stored layouts are fixed width and zero-padded: text order
		// is time order.
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

// widthRange buckets numbers into [n*w, (n+1)*w[ labelled "[10, 20[". It
// groups by n = floor(f / w), computed as a double so that no value or
// width can overflow an integer.
func (c *compiler) widthRange(f frag, we Expr) (frag, func(frag) frag) {
	w := c.numberLit(we)
	if w <= 0 {
		c.fail(we.Pos(), "range width must be positive")
	}
	q := cat("(", c.toDouble(f), " / ", c.param(w, catalog.TypeDouble), ")")
	var n frag
	if c.d.pg() {
		n = cat("floor", q)
	} else {
		// SQLite may lack floor(). Doubles of magnitude 2^52 and more are
		// integers already; below, truncate and step down for negatives.
		n = cat("(CASE WHEN abs", q, " >= 4503599627370496.0 THEN ", q,
			" ELSE CAST(", q, " AS INTEGER) - (", q, " < CAST(", q, " AS INTEGER)) END)")
	}
	label := func(n frag) frag {
		wd := c.param(w, catalog.TypeDouble)
		lo := c.numText(cat("(", n, " * ", wd, ")"))
		hi := c.numText(cat("((", n, " + 1) * ", c.param(w, catalog.TypeDouble), ")"))
		return typed(cat("('[' || ", lo, " || ', ' || ", hi, " || '[')"), catalog.TypeText)
	}
	return typed(n, catalog.TypeDouble), label
}

// numText renders a double as text, integral values without ".0" or
// exponent (up to 10^15, beyond which the engines' own formats differ).
func (c *compiler) numText(v frag) frag {
	if c.d.pg() {
		return cat("(CASE WHEN abs(", v, ") < 1e15 AND ", v, " = trunc(", v, ") THEN CAST(CAST(", v,
			" AS bigint) AS text) ELSE CAST(", v, " AS text) END)")
	}
	return cat("(CASE WHEN abs(", v, ") < 1e15 AND ", v, " = CAST(", v, " AS INTEGER) THEN CAST(CAST(", v,
		" AS INTEGER) AS TEXT) ELSE CAST(", v, " AS TEXT) END)")
}

func fmtNum(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }

// boundsRange buckets numbers between explicit bounds; '*' first or last
// opens the ends. Values outside closed ends fall into the null group. It
// groups by the bucket's index: 0 for "[*, b0[", i for "[b(i-1), bi[".
func (c *compiler) boundsRange(f frag, args []Expr, pos int) (frag, func(frag) frag) {
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
	labels := make([]string, len(bounds)+1)
	labels[0] = "[*, " + fmtNum(bounds[0]) + "["
	for i := 1; i < len(bounds); i++ {
		labels[i] = "[" + fmtNum(bounds[i-1]) + ", " + fmtNum(bounds[i]) + "["
	}
	labels[len(bounds)] = "[" + fmtNum(bounds[len(bounds)-1]) + ", *["
	index := func(i int) string {
		if i == 0 && !openLo || i == len(bounds) && !openHi {
			return "NULL"
		}
		return strconv.Itoa(i)
	}
	parts := []any{"(CASE WHEN ", f, " IS NULL THEN NULL"}
	for i, b := range bounds {
		parts = append(parts, " WHEN ", f, " < ", c.param(b, catalog.TypeDouble), " THEN ", index(i))
	}
	parts = append(parts, " ELSE ", index(len(bounds)), " END)")
	label := func(n frag) frag {
		parts := []any{"(CASE ", n}
		for i, l := range labels {
			if index(i) != "NULL" {
				parts = append(parts, " WHEN ", strconv.Itoa(i), " THEN ", c.param(l, catalog.TypeText))
			}
		}
		return typed(cat(append(parts, " END)")...), catalog.TypeText)
	}
	return typed(cat(parts...), catalog.TypeInt), label
}
