package odsql

import (
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/socle/socle/internal/catalog"
)

func (c *compiler) textFields() []catalog.Field {
	var out []catalog.Field
	for _, f := range c.fields {
		if f.Type == catalog.TypeText {
			out = append(out, f)
		}
	}
	return out
}

// fullText matches when every whitespace-separated term of text appears,
// accent- and case-insensitively, in at least one of fields.
func (c *compiler) fullText(text string, fields []catalog.Field, pos int) frag {
	terms := strings.Fields(Fold(text))
	if len(terms) == 0 {
		return frag{sql: "(1 = 1)", typ: catalog.TypeBoolean}
	}
	if len(fields) == 0 {
		return frag{sql: "(1 = 0)", typ: catalog.TypeBoolean}
	}
	var ands []frag
	for _, t := range terms {
		var ors []frag
		for _, f := range fields {
			ors = append(ors, c.foldLike(c.field(f), "%"+likeEscape(t)+"%"))
		}
		ands = append(ands, cat("(", balanced(ors, "OR"), ")"))
	}
	return typed(cat("(", balanced(ands, "AND"), ")"), catalog.TypeBoolean)
}

// search compiles search(f1, f2 | *, "text") and suggest(…): the fields
// (all text fields for * or none) must contain every term. Fuzzy matching
// is not implemented: terms match as folded substrings.
func (c *compiler) search(x *Call) frag {
	c.arity(x, 1, -1)
	text := c.stringLit(x.Args[len(x.Args)-1])
	var fields []catalog.Field
	for _, a := range x.Args[:len(x.Args)-1] {
		switch a := a.(type) {
		case *Star:
			fields = c.textFields()
		case *Ident:
			f := c.lookup(a.Name, a.P)
			if f.Type != catalog.TypeText {
				c.fail(a.P, "%s() needs text fields, %q is %s", x.Name, a.Name, f.Type)
			}
			fields = append(fields, f)
		default:
			c.fail(a.Pos(), "%s() takes field names", x.Name)
		}
	}
	if len(x.Args) == 1 {
		fields = c.textFields()
	}
	return c.fullText(text, fields, x.P)
}

var metres = map[string]float64{"m": 1, "km": 1000, "mi": 1609.344, "yd": 0.9144, "ft": 0.3048, "cm": 0.01, "mm": 0.001}

func (c *compiler) withinDistance(x *Call) frag {
	c.arity(x, 3, 3)
	g := c.geoArg(x.Args[0])
	lon, lat := c.pointArg(x.Args[1])
	var d float64
	lit, ok := x.Args[2].(*Literal)
	switch {
	case ok && lit.Kind == LitQuantity:
		m, ok := metres[lit.Unit]
		if !ok {
			c.fail(lit.P, "unknown distance unit %q", lit.Unit)
		}
		d = lit.Float * m
	default:
		d = c.numberLit(x.Args[2])
	}
	return typed(cat("(socle_distance(", g.lat, ", ", g.lon, ", ", c.param(lat, catalog.TypeDouble), ", ",
		c.param(lon, catalog.TypeDouble), ") <= ", c.param(d, catalog.TypeDouble), ")"), catalog.TypeBoolean)
}

func (c *compiler) inBBox(x *Call) frag {
	c.arity(x, 5, 5)
	g := c.geoArg(x.Args[0])
	lat1, lon1 := c.numberLit(x.Args[1]), c.numberLit(x.Args[2])
	lat2, lon2 := c.numberLit(x.Args[3]), c.numberLit(x.Args[4])
	d := func(v float64) frag { return c.param(v, catalog.TypeDouble) }
	return typed(cat("(", g.lat, " BETWEEN ", d(math.Min(lat1, lat2)), " AND ", d(math.Max(lat1, lat2)),
		" AND ", g.lon, " BETWEEN ", d(math.Min(lon1, lon2)), " AND ", d(math.Max(lon1, lon2)), ")"), catalog.TypeBoolean)
}

// refine compiles facet:value as equality; dates take whole periods.
func (c *compiler) refine(r Refine) frag {
	f, ok := c.find(r.Facet)
	if !ok {
		c.fail(0, "unknown field %q", r.Facet)
	}
	col := c.field(f)
	switch f.Type {
	case catalog.TypeDate, catalog.TypeDateTime:
		lo, hi, ok := c.period(r.Value)
		if !ok {
			c.fail(len(r.Facet)+1, "invalid date %q", r.Value)
		}
		return typed(cat("(", col, " >= ", c.timeParam(lo, f.Type), " AND ", col, " < ", c.timeParam(hi, f.Type), ")"), catalog.TypeBoolean)
	case catalog.TypeGeoPoint, catalog.TypeGeoShape, catalog.TypeJSON:
		c.fail(0, "cannot refine on %s field %q", f.Type, r.Facet)
	}
	v := c.coerce(&Literal{Kind: LitString, Str: r.Value, Raw: r.Value, P: len(r.Facet) + 1}, f.Type)
	return typed(cat("(", col, " = ", v, ")"), catalog.TypeBoolean)
}

// period resolves "2019", "2019/08", "2019-08", "2019/08/05", "2019-08-05"
// (or a datetime, a one-second period) to [lo, hi) in the query's zone.
func (c *compiler) period(v string) (lo, hi time.Time, ok bool) {
	v = strings.TrimSpace(v)
	parts := strings.FieldsFunc(v, func(r rune) bool { return r == '/' || r == '-' })
	if len(parts) >= 1 && len(parts) <= 3 && !strings.ContainsAny(v, "T :") {
		n := make([]int, 3)
		n[1], n[2] = 1, 1
		for i, p := range parts {
			x, err := strconv.Atoi(p)
			if err != nil {
				return lo, hi, false
			}
			n[i] = x
		}
		if n[0] < 1 || n[0] > 9999 || n[1] < 1 || n[1] > 12 || n[2] < 1 || n[2] > 31 {
			return lo, hi, false
		}
		lo = time.Date(n[0], time.Month(n[1]), n[2], 0, 0, 0, 0, c.loc)
		switch len(parts) {
		case 1:
			hi = lo.AddDate(1, 0, 0)
		case 2:
			hi = lo.AddDate(0, 1, 0)
		default:
			hi = lo.AddDate(0, 0, 1)
		}
		return lo, hi, true
	}
	t, dateOnly, zoned, ok := parseDateText(v)
	if !ok || dateOnly {
		return lo, hi, false
	}
	lo = c.instant(&Literal{Kind: LitDate, Time: t, Zoned: zoned})
	return lo, lo.Add(time.Second), true
}

// cursorCond selects rows strictly after cur in the order (exprs, _id),
// nulls last in both directions:
//
//	(e1 after v1) OR (e1 = v1 AND e2 after v2) OR … OR (all equal AND _id > id)
func (c *compiler) cursorCond(cur *Cursor, exprs []frag, desc []bool, id frag) frag {
	if len(cur.Values) != len(exprs) {
		c.clause = "cursor"
		c.fail(0, "cursor does not match the order_by")
	}
	var ors []frag
	var eqs []frag
	for i, e := range exprs {
		v := cur.Values[i]
		if v != nil {
			p := c.valueParam(v, e.typ)
			op := " > "
			if desc[i] {
				op = " < "
			}
			ors = append(ors, cat("(", join(append(append([]frag{}, eqs...), cat("(", e, op, p, " OR ", e, " IS NULL)")), " AND "), ")"))
			eqs = append(eqs, cat(e, " = ", p))
		} else {
			eqs = append(eqs, cat(e, " IS NULL"))
		}
	}
	last := cat(id, " > ", c.param(cur.ID, catalog.TypeInt))
	ors = append(ors, cat("(", join(append(eqs, last), " AND "), ")"))
	return cat("(", join(ors, " OR "), ")")
}

// valueParam turns a scanned value back into an argument of type t.
func (c *compiler) valueParam(v any, t catalog.FieldType) frag {
	c.clause = "cursor"
	bad := func() frag {
		c.fail(0, "invalid cursor value")
		return frag{}
	}
	if b, ok := v.([]byte); ok {
		v = string(b)
	}
	switch t {
	case catalog.TypeInt:
		switch x := v.(type) {
		case int64:
			return c.param(x, t)
		case int:
			return c.param(int64(x), t)
		case int32:
			return c.param(int64(x), t)
		case float64:
			return c.param(int64(x), t)
		case string:
			if n, err := strconv.ParseInt(x, 10, 64); err == nil {
				return c.param(n, t)
			}
		}
	case catalog.TypeDouble:
		switch x := v.(type) {
		case float64:
			return c.param(x, t)
		case int64:
			return c.param(float64(x), t)
		case int:
			return c.param(float64(x), t)
		case string:
			if f, err := strconv.ParseFloat(x, 64); err == nil {
				return c.param(f, t)
			}
		}
	case catalog.TypeBoolean:
		switch x := v.(type) {
		case bool:
			return c.param(x, t)
		case int64:
			return c.param(x != 0, t)
		case float64: // SQLite's 0/1 after a JSON round trip
			return c.param(x != 0, t)
		}
	case catalog.TypeDate, catalog.TypeDateTime:
		switch x := v.(type) {
		case time.Time:
			return c.timeParam(x, t)
		case string:
			if tm, isDate, ok := parseStored(x); ok && (isDate || t == catalog.TypeDateTime) {
				if isDate && t == catalog.TypeDateTime {
					return bad()
				}
				return c.timeParam(tm, t)
			}
		}
	case catalog.TypeText:
		if s, ok := v.(string); ok {
			return c.param(s, t)
		}
	}
	return bad()
}
