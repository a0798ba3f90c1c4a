package odsql

import (
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/socle/socle/internal/catalog"
)

// param emits a placeholder for v, typed on PostgreSQL so that the server
// never has to guess.
func (c *compiler) param(v any, t catalog.FieldType) frag {
	sql := "?"
	if c.d.pg() {
		sql = "?::" + pgType(t)
	}
	return frag{sql: sql, args: []any{v}, typ: t}
}

func pgType(t catalog.FieldType) string {
	switch t {
	case catalog.TypeInt:
		return "bigint"
	case catalog.TypeDouble:
		return "double precision"
	case catalog.TypeBoolean:
		return "boolean"
	case catalog.TypeDate:
		return "date"
	case catalog.TypeDateTime:
		return "timestamptz"
	}
	return "text"
}

// timeParam emits a date or datetime value in the engine's representation.
func (c *compiler) timeParam(t time.Time, typ catalog.FieldType) frag {
	if typ == catalog.TypeDate {
		t = time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
		if c.d.pg() {
			return c.param(t, typ)
		}
		return c.param(t.Format(StoredDateLayout), typ)
	}
	if c.d.pg() {
		return c.param(t.UTC(), typ)
	}
	return c.param(t.UTC().Format(StoredDateTimeLayout), typ)
}

// tzParam is the time zone argument of date functions.
func (c *compiler) tzParam() frag { return c.param(c.tz, catalog.TypeText) }

// expr compiles a value expression in the current scope.
func (c *compiler) expr(e Expr) frag {
	if c.grouped && !c.inAgg {
		if f, ok := c.groupRef(e); ok {
			return f
		}
	}
	switch x := e.(type) {
	case *Ident:
		if c.aliases != nil {
			if a, ok := c.aliases[x.Name]; ok {
				saved := c.aliases
				c.aliases = nil // no recursion through aliases
				f := c.expr(a)
				c.aliases = saved
				return f
			}
		}
		if c.grouped && !c.inAgg {
			c.fail(x.P, "field %q must be in group_by or inside an aggregate", x.Name)
		}
		return c.field(c.lookup(x.Name, x.P))
	case *Star:
		c.fail(x.P, "unexpected '*'")
	case *Literal:
		return c.literal(x)
	case *Unary:
		if x.Op == "NOT" {
			return c.cond(x)
		}
		f := c.expr(x.X)
		if !f.typ.Numeric() {
			c.fail(x.P, "cannot negate a value of type %s", f.typ)
		}
		if f.typ == catalog.TypeInt && f.bound == 0 {
			f = c.toDouble(f) // -(-2^63) does not fit in 64 bits
		}
		out := typed(cat("(-", f, ")"), f.typ)
		out.bound = f.bound
		return out
	case *Binary:
		switch x.Op {
		case "+", "-", "*", "/":
			return c.arith(x)
		}
		return c.cond(x)
	case *In, *Between, *IsNull, *IsBool:
		return c.cond(x)
	case *Call:
		return c.call(x)
	}
	c.fail(e.Pos(), "unsupported expression")
	return frag{}
}

func (c *compiler) literal(x *Literal) frag {
	var f frag
	switch x.Kind {
	case LitNull:
		f = frag{sql: "NULL", typ: typNull}
	case LitString:
		f = c.param(x.Str, catalog.TypeText)
	case LitInt:
		f = c.param(x.Int, catalog.TypeInt)
		f.bound = math.Max(1, math.Abs(float64(x.Int)))
	case LitFloat:
		f = c.param(x.Float, catalog.TypeDouble)
	case LitBool:
		f = c.param(x.Bool, catalog.TypeBoolean)
	case LitDate:
		if x.DateOnly {
			f = c.timeParam(x.Time, catalog.TypeDate)
		} else {
			f = c.timeParam(c.instant(x), catalog.TypeDateTime)
		}
	case LitGeom:
		f = frag{typ: typGeom}
	case LitQuantity:
		f = frag{typ: typQuantity}
	}
	f.lit = x
	return f
}

// instant resolves a date literal to an instant: texts without offset are
// wall-clock times in the query's time zone.
func (c *compiler) instant(x *Literal) time.Time {
	if x.Zoned {
		return x.Time
	}
	t := x.Time
	return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), c.loc)
}

// coerce converts a literal to a value of type t, the type of what it is
// compared with.
func (c *compiler) coerce(x *Literal, t catalog.FieldType) frag {
	bad := func() frag {
		c.fail(x.P, "cannot use %s as a value of type %s", x.String(), t)
		return frag{}
	}
	if x.Kind == LitNull {
		return frag{sql: "NULL", typ: typNull, lit: x}
	}
	switch t {
	case catalog.TypeText, catalog.TypeGeoShape, catalog.TypeJSON:
		switch x.Kind {
		case LitString:
			return c.param(x.Str, catalog.TypeText)
		case LitInt, LitFloat, LitDate:
			return c.param(x.Raw, catalog.TypeText)
		case LitBool:
			return c.param(strconv.FormatBool(x.Bool), catalog.TypeText)
		}
	case catalog.TypeInt, catalog.TypeDouble:
		switch x.Kind {
		case LitInt:
			if t == catalog.TypeDouble {
				return c.param(float64(x.Int), t)
			}
			return c.param(x.Int, t)
		case LitFloat:
			return c.param(x.Float, catalog.TypeDouble)
		case LitString:
			s := strings.TrimSpace(x.Str)
			if n, err := strconv.ParseInt(s, 10, 64); err == nil {
				return c.coerce(&Literal{Kind: LitInt, Int: n, P: x.P}, t)
			}
			if f, err := strconv.ParseFloat(s, 64); err == nil {
				return c.param(f, catalog.TypeDouble)
			}
		}
	case catalog.TypeBoolean:
		switch x.Kind {
		case LitBool:
			return c.param(x.Bool, t)
		case LitInt:
			if x.Int == 0 || x.Int == 1 {
				return c.param(x.Int == 1, t)
			}
		case LitString:
			if b, err := strconv.ParseBool(strings.TrimSpace(x.Str)); err == nil {
				return c.param(b, t)
			}
		}
	case catalog.TypeDate, catalog.TypeDateTime:
		lit := x
		if x.Kind == LitString {
			tm, dateOnly, zoned, ok := parseDateText(x.Str)
			if !ok {
				return bad()
			}
			lit = &Literal{Kind: LitDate, Time: tm, DateOnly: dateOnly, Zoned: zoned, P: x.P}
		}
		if lit.Kind != LitDate {
			return bad()
		}
		if t == catalog.TypeDateTime {
			return c.timeParam(c.instant(lit), t)
		}
		if lit.DateOnly {
			return c.timeParam(lit.Time, t)
		}
		return c.timeParam(c.instant(lit).In(c.loc), t)
	default:
		if x.Kind == LitNull {
			return frag{sql: "NULL", typ: typNull}
		}
	}
	return bad()
}

// pair compiles two operands, coercing a literal on one side to the type
// of the other.
func (c *compiler) pair(l, r Expr) (frag, frag) {
	lf, rf := c.expr(l), c.expr(r)
	switch {
	case rf.lit != nil && lf.lit == nil:
		rf = c.coerce(rf.lit, lf.typ)
	case lf.lit != nil && rf.lit == nil:
		lf = c.coerce(lf.lit, rf.typ)
	}
	return lf, rf
}

func comparable(a, b catalog.FieldType) bool {
	if a == typNull || b == typNull {
		return true
	}
	if a.Numeric() && b.Numeric() {
		return true
	}
	text := func(t catalog.FieldType) bool {
		return t == catalog.TypeText || t == catalog.TypeJSON || t == catalog.TypeGeoShape
	}
	if text(a) && text(b) {
		return true
	}
	return a == b && a != catalog.TypeGeoPoint && a != typGeom && a != typQuantity
}

func (c *compiler) arith(x *Binary) frag {
	lf, rf := c.expr(x.L), c.expr(x.R)
	if lf.typ == typNull || rf.typ == typNull {
		return frag{sql: "NULL", typ: typNull}
	}
	if !lf.typ.Numeric() || !rf.typ.Numeric() {
		c.fail(x.P, "operator %s needs numbers, got %s and %s", x.Op, lf.typ, rf.typ)
	}
	if x.Op == "/" {
		return typed(cat("(", c.toDouble(lf), " / NULLIF(", rf, ", 0))"), catalog.TypeDouble)
	}
	if lf.typ == catalog.TypeInt && rf.typ == catalog.TypeInt {
		if b := intBound(x.Op, lf.bound, rf.bound); b > 0 {
			f := typed(cat("(", lf, " ", x.Op, " ", rf, ")"), catalog.TypeInt)
			f.bound = b
			return f
		}
		lf = c.toDouble(lf)
	}
	return typed(cat("(", lf, " ", x.Op, " ", rf, ")"), catalog.TypeDouble)
}

// maxIntBound is the largest magnitude an integer expression may reach and
// still be computed as an integer: well inside 64 bits, so that rounding in
// the float64 bound arithmetic cannot hide an overflow.
const maxIntBound = 1 << 62

// Known bounds of integer functions: date parts (PostgreSQL dates reach
// year 5874897), length() (both engines cap strings near 2^30 bytes) and
// count() (no table holds 2^48 rows).
const (
	datePartBound = 1e7
	lengthBound   = 1 << 31
	countBound    = 1 << 48
)

// intBound returns the bound on l op r for operands bounded by lb and rb,
// or 0 when an operand is unbounded or the result could exceed maxIntBound:
// the operation must then be computed as a double.
func intBound(op string, lb, rb float64) float64 {
	if lb == 0 || rb == 0 {
		return 0
	}
	b := lb + rb
	if op == "*" {
		b = lb * rb
	}
	if b > maxIntBound {
		return 0
	}
	return b
}

func (c *compiler) toDouble(f frag) frag {
	if c.d.pg() {
		return typed(cat("CAST(", f, " AS double precision)"), catalog.TypeDouble)
	}
	return typed(cat("CAST(", f, " AS REAL)"), catalog.TypeDouble)
}

func (c *compiler) toBigint(f frag) frag {
	if c.d.pg() {
		return typed(cat("CAST(", f, " AS bigint)"), catalog.TypeInt)
	}
	return typed(f, catalog.TypeInt)
}

// cond compiles a condition: a boolean expression, where a bare string is
// a full-text search.
func (c *compiler) cond(e Expr) frag {
	switch x := e.(type) {
	case *Literal:
		if x.Kind == LitString {
			if c.grouped && !c.inAgg {
				c.fail(x.P, "full-text search is not allowed here")
			}
			return c.fullText(x.Str, c.textFields(), x.P)
		}
	case *Unary:
		if x.Op == "NOT" {
			return typed(cat("(NOT ", c.cond(x.X), ")"), catalog.TypeBoolean)
		}
	case *Binary:
		switch x.Op {
		case "AND", "OR":
			return typed(cat("(", c.cond(x.L), " ", x.Op, " ", c.cond(x.R), ")"), catalog.TypeBoolean)
		case "=", "!=", "<", "<=", ">", ">=", ":":
			return c.compare(x)
		case "LIKE":
			return c.like(x)
		}
	case *In:
		return c.in(x)
	case *Between:
		return c.between(x)
	case *IsNull:
		f := c.expr(x.X)
		if f.typ == catalog.TypeGeoPoint {
			f = *f.lat
		}
		op := " IS NULL)"
		if x.Not {
			op = " IS NOT NULL)"
		}
		return typed(cat("(", f, op), catalog.TypeBoolean)
	case *IsBool:
		f := c.expr(x.X)
		if f.typ != catalog.TypeBoolean && f.typ != typNull {
			c.fail(x.P, "IS TRUE/FALSE needs a boolean, got %s", f.typ)
		}
		op := " IS "
		if x.Not {
			op = " IS NOT "
		}
		return typed(cat("(", f, op, strings.ToUpper(strconv.FormatBool(x.Value)), ")"), catalog.TypeBoolean)
	}
	f := c.expr(e)
	if f.typ != catalog.TypeBoolean {
		c.fail(e.Pos(), "expected a condition, got a value of type %s", f.typ)
	}
	return f
}

var sqlOps = map[string]string{"=": "=", ":": "=", "!=": "<>", "<": "<", "<=": "<=", ">": ">", ">=": ">="}

func (c *compiler) compare(x *Binary) frag {
	lf, rf := c.pair(x.L, x.R)
	if !comparable(lf.typ, rf.typ) {
		c.fail(x.P, "cannot compare %s with %s", lf.typ, rf.typ)
	}
	if lf.typ == typNull || rf.typ == typNull {
		other := lf
		if lf.typ == typNull {
			other = rf
		}
		if other.typ == catalog.TypeGeoPoint {
			other = *other.lat
		}
		switch x.Op {
		case "=", ":":
			return typed(cat("(", other, " IS NULL)"), catalog.TypeBoolean)
		case "!=":
			return typed(cat("(", other, " IS NOT NULL)"), catalog.TypeBoolean)
		}
		return frag{sql: "(1 = 0)", typ: catalog.TypeBoolean}
	}
	return typed(cat("(", lf, " ", sqlOps[x.Op], " ", rf, ")"), catalog.TypeBoolean)
}

func (c *compiler) in(x *In) frag {
	f := c.expr(x.X)
	if f.typ == catalog.TypeGeoPoint || f.typ == typGeom || f.typ == typQuantity {
		c.fail(x.P, "IN cannot test a value of type %s", f.typ)
	}
	var list []frag
	for _, e := range x.List {
		v := c.expr(e)
		if v.lit != nil && f.lit == nil {
			v = c.coerce(v.lit, f.typ)
		}
		if !comparable(f.typ, v.typ) {
			c.fail(e.Pos(), "cannot compare %s with %s", f.typ, v.typ)
		}
		list = append(list, v)
	}
	op := " IN ("
	if x.Not {
		op = " NOT IN ("
	}
	return typed(cat("(", f, op, join(list, ", "), "))"), catalog.TypeBoolean)
}

func (c *compiler) between(x *Between) frag {
	var parts []frag
	if x.Lo != nil {
		op := ">"
		if x.LoIncl {
			op = ">="
		}
		parts = append(parts, c.compare(&Binary{Op: op, L: x.X, R: x.Lo, P: x.P}))
	}
	if x.Hi != nil {
		op := "<"
		if x.HiIncl {
			op = "<="
		}
		parts = append(parts, c.compare(&Binary{Op: op, L: x.X, R: x.Hi, P: x.P}))
	}
	if len(parts) == 0 {
		f := c.expr(x.X)
		if f.typ == catalog.TypeGeoPoint {
			f = *f.lat
		}
		return typed(cat("(", f, " IS NOT NULL)"), catalog.TypeBoolean)
	}
	return typed(cat("(", join(parts, " AND "), ")"), catalog.TypeBoolean)
}

// likeEscape escapes LIKE metacharacters of folded text.
func likeEscape(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return r.Replace(s)
}

// like compiles f LIKE "pattern": '*' and '%' match any run, matching is
// accent- and case-insensitive; a pattern without wildcard matches as a
// substring (ODS "contains" semantics).
func (c *compiler) like(x *Binary) frag {
	f := c.expr(x.L)
	if f.typ != catalog.TypeText {
		c.fail(x.P, "LIKE needs a text field, got %s", f.typ)
	}
	lit, ok := x.R.(*Literal)
	if !ok || lit.Kind != LitString {
		c.fail(x.R.Pos(), "LIKE needs a string pattern")
	}
	pat := Fold(lit.Str)
	var b strings.Builder
	wild := false
	for _, r := range pat {
		switch r {
		case '*', '%':
			b.WriteByte('%')
			wild = true
		default:
			b.WriteString(likeEscape(string(r)))
		}
	}
	p := b.String()
	if !wild {
		p = "%" + p + "%"
	}
	return c.foldLike(f, p)
}

func (c *compiler) foldLike(f frag, pattern string) frag {
	return typed(cat("(socle_fold(", f, ") LIKE ", c.param(pattern, catalog.TypeText), ` ESCAPE '\')`), catalog.TypeBoolean)
}
