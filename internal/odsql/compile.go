package odsql

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/socle/socle/internal/catalog"
)

// Query is a complete ODSQL query for one dataset.
type Query struct {
	Select  []SelectItem
	Where   []Expr // ANDed (repeated where= params)
	GroupBy []GroupItem
	OrderBy []OrderItem
	Refine  []Refine
	Exclude []Refine
	Limit   int // < 0: no limit (exports)
	Offset  int // rows to skip
	// Timezone is an IANA name, "" = UTC; "Local" is refused. It applies to date functions,
	// date literals without offset, and date refines on datetimes.
	Timezone string
	// After asks for the rows strictly after this position in the
	// ORDER BY (+ _id) order: keyset pagination. Ignored with group_by.
	After *Cursor
}

// Cursor is a keyset position: the values of the order-by expressions of
// the last row returned, then its _id, as scanned from the CursorCols
// hidden columns of a Compiled query.
type Cursor struct {
	Values []any
	ID     int64
}

// Column describes one output column.
type Column struct {
	Name    string
	Type    catalog.FieldType
	SQLCols int // 2 for geo_point_2d (lat, lon), else 1
}

// Compiled is a query ready to run.
//
// Values scan as the engine returns them: on SQLite dates and datetimes are
// text in the stored layouts (StoredDateLayout, StoredDateTimeLayout) and
// booleans are 0/1 integers; Column.Type tells how to decode them.
type Compiled struct {
	SQL     string
	Args    []any
	Columns []Column // output columns in order; rows scan into sum(SQLCols) values
	// CursorCols, when non-zero, is the number of hidden trailing columns:
	// the order-by values then _id, to build the next Cursor. Zero with
	// group_by or aggregates.
	CursorCols int
	CountSQL   string // SELECT count(*) …: total_count (number of groups with group_by)
	CountArgs  []any
	// AllRows is true when the query neither filters nor groups: its count
	// is the table's row count, which engines know without a scan.
	AllRows bool
}

// frag is a compiled SQL fragment with its arguments, in text order.
type frag struct {
	sql  string
	args []any
	typ  catalog.FieldType
	lat  *frag    // geo_point_2d: the latitude column
	lon  *frag    // geo_point_2d: the longitude column
	lit  *Literal // set when the fragment is an uncoerced literal
	agg  bool     // contains an aggregate
	// bound, when non-zero, is a known bound on the magnitude of an int
	// value: |value| <= bound. Zero means unknown (an int field can hold
	// any 64-bit value). Integer arithmetic stays integer only within it.
	bound float64
}

// Pseudo types of expressions that are no field type.
const (
	typNull     catalog.FieldType = "null"
	typGeom     catalog.FieldType = "geom"
	typQuantity catalog.FieldType = "quantity"
)

// cat concatenates SQL pieces: strings are SQL text, frags bring their args.
func cat(parts ...any) frag {
	var b strings.Builder
	var args []any
	agg := false
	for _, p := range parts {
		switch v := p.(type) {
		case string:
			b.WriteString(v)
		case frag:
			b.WriteString(v.sql)
			args = append(args, v.args...)
			agg = agg || v.agg
		case *frag:
			b.WriteString(v.sql)
			args = append(args, v.args...)
			agg = agg || v.agg
		default:
			panic(fmt.Sprintf("odsql: cat of %T", p))
		}
	}
	return frag{sql: b.String(), args: args, agg: agg}
}

func join(fs []frag, sep string) frag {
	parts := make([]any, 0, 2*len(fs))
	for i, f := range fs {
		if i > 0 {
			parts = append(parts, sep)
		}
		parts = append(parts, f)
	}
	return cat(parts...)
}

func typed(f frag, t catalog.FieldType) frag { f.typ = t; return f }

// balanced joins fs with the associative operator op ("AND", "OR") as a
// balanced tree, so that long lists stay shallow in the engine's parser.
func balanced(fs []frag, op string) frag {
	if len(fs) == 1 {
		return fs[0]
	}
	m := len(fs) / 2
	return cat("(", balanced(fs[:m], op), " ", op, " ", balanced(fs[m:], op), ")")
}

type groupKey struct {
	canon string
	alias string
	text  string
	f     frag // inner expression, the "_kN" column the query groups by
	typ   catalog.FieldType
	// label, for range() keys, renders the inner value, a number that
	// sorts as the ranges do, as the key's output text "[10, 20[".
	label func(inner frag) frag
}

type compiler struct {
	d      Dialect
	fields []catalog.Field
	byName map[string]catalog.Field
	tz     string
	loc    *time.Location
	clause string // the parameter being compiled, for errors

	grouped  bool
	keys     []groupKey
	aggs     []frag
	aggCanon map[string]int
	inAgg    bool
	noAgg    bool // where, refine: aggregates are errors
	aliases  map[string]Expr
}

func (c *compiler) fail(pos int, format string, args ...any) {
	panic(&ParseError{Param: c.clause, Pos: pos, Msg: fmt.Sprintf(format, args...)})
}

func newCompiler(q *Query, fields []catalog.Field, d Dialect) (*compiler, error) {
	c := &compiler{d: d, fields: fields, byName: map[string]catalog.Field{}, tz: q.Timezone, aggCanon: map[string]int{}}
	for _, f := range fields {
		c.byName[f.Name] = f
	}
	if q.Timezone == "" {
		c.tz = "UTC"
	}
	c.loc = loadZone(c.tz)
	if c.loc == nil {
		return nil, (&ParseError{Param: "timezone", Msg: fmt.Sprintf("unknown timezone %q", q.Timezone)}).wrap()
	}
	return c, nil
}

// catching runs fn, turning compiler panics into errors.
func catching(fn func()) (err error) {
	defer func() {
		if r := recover(); r != nil {
			pe, ok := r.(*ParseError)
			if !ok {
				panic(r)
			}
			err = pe.wrap()
		}
	}()
	fn()
	return nil
}

// Compile turns q into SQL for table (a records table laid out as the
// storage engines create it) in dialect d.
func Compile(q *Query, fields []catalog.Field, table string, d Dialect) (*Compiled, error) {
	c, err := newCompiler(q, fields, d)
	if err != nil {
		return nil, err
	}
	var out *Compiled
	err = catching(func() { out = c.compile(q, table) })
	return out, err
}

type outCol struct {
	name string
	f    frag
}

func (c *compiler) compile(q *Query, table string) *Compiled {
	where := c.filters(q)
	c.grouped = len(q.GroupBy) > 0 || c.hasAggregate(q)
	if c.grouped {
		return c.compileGrouped(q, table, where)
	}

	cols := c.selectCols(q)
	c.clause = "order_by"
	c.aliases = selectAliases(q.Select)
	var orderExprs []frag
	var desc []bool
	for _, o := range q.OrderBy {
		f := c.expr(o.Expr)
		c.orderable(f, o.Pos)
		orderExprs = append(orderExprs, f)
		desc = append(desc, o.Desc)
	}
	idCol := frag{sql: `"_id"`, typ: catalog.TypeInt}
	var list []frag
	for _, oc := range cols {
		list = append(list, c.outputFrags(oc.f)...)
	}
	list = append(list, orderExprs...)
	list = append(list, idCol)
	body := cat(" FROM ", quoteTable(table))
	conds := where
	if q.After != nil {
		conds = append(append([]frag{}, where...), c.cursorCond(q.After, orderExprs, desc, idCol))
	}
	if len(conds) > 0 {
		body = cat(body, " WHERE ", balanced(conds, "AND"))
	}
	var order []frag
	for i, f := range orderExprs {
		order = append(order, cat(f, dirSQL(desc[i])))
	}
	order = append(order, cat(idCol, " ASC"))
	full := cat("SELECT ", join(list, ", "), body, " ORDER BY ", join(order, ", "), c.limitSQL(q))
	count := cat("SELECT count(*) FROM ", quoteTable(table))
	if len(where) > 0 {
		count = cat(count, " WHERE ", balanced(where, "AND"))
	}
	out := c.finish(full, count, cols, len(orderExprs)+1)
	out.AllRows = len(where) == 0
	return out
}

func dirSQL(desc bool) string {
	if desc {
		return " DESC NULLS LAST"
	}
	return " ASC NULLS LAST"
}

func (c *compiler) limitSQL(q *Query) string {
	s := ""
	if q.Limit >= 0 {
		s = " LIMIT " + strconv.Itoa(q.Limit)
	} else if q.Offset > 0 && !c.d.pg() {
		s = " LIMIT -1"
	}
	if q.Offset > 0 {
		s += " OFFSET " + strconv.Itoa(q.Offset)
	}
	return s
}

// maxArgs bounds the placeholders of one statement, well below SQLite's
// 32,766 and PostgreSQL's 65,535: repeated where= parameters, long IN
// lists and keyset cursors over many order_by items add up.
const maxArgs = 20000

func (c *compiler) finish(full, count frag, cols []outCol, cursorCols int) *Compiled {
	if len(full.args) > maxArgs || len(count.args) > maxArgs {
		c.clause = "query"
		c.fail(0, "query too complex (more than %d values)", maxArgs)
	}
	out := &Compiled{
		SQL:        numberPlaceholders(full.sql, c.d),
		Args:       full.args,
		CursorCols: cursorCols,
		CountSQL:   numberPlaceholders(count.sql, c.d),
		CountArgs:  count.args,
	}
	for _, oc := range cols {
		n := 1
		if oc.f.typ == catalog.TypeGeoPoint {
			n = 2
		}
		t := oc.f.typ
		if t == typNull {
			t = catalog.TypeText
		}
		out.Columns = append(out.Columns, Column{Name: oc.name, Type: t, SQLCols: n})
	}
	return out
}

// outputFrags returns the SQL columns of one output value.
func (c *compiler) outputFrags(f frag) []frag {
	if f.typ == catalog.TypeGeoPoint {
		return []frag{*f.lat, *f.lon}
	}
	if f.typ == typGeom || f.typ == typQuantity {
		c.fail(0, "a geometry or quantity literal cannot be selected")
	}
	return []frag{f}
}

func (c *compiler) orderable(f frag, pos int) {
	switch f.typ {
	case catalog.TypeGeoPoint, catalog.TypeGeoShape, catalog.TypeJSON, typGeom, typQuantity:
		c.fail(pos, "cannot order by a value of type %s", f.typ)
	}
}

// filters compiles where, refine and exclude into ANDed conditions.
func (c *compiler) filters(q *Query) []frag {
	c.noAgg = true
	defer func() { c.noAgg = false }()
	var out []frag
	c.clause = "where"
	for _, w := range q.Where {
		if w == nil {
			continue
		}
		out = append(out, cat("(", c.cond(w), ")"))
	}
	c.clause = "refine"
	for _, r := range q.Refine {
		out = append(out, cat("(", c.refine(r), ")"))
	}
	c.clause = "exclude"
	for _, r := range q.Exclude {
		out = append(out, cat("((", c.refine(r), ") IS NOT TRUE)"))
	}
	return out
}

func selectAliases(items []SelectItem) map[string]Expr {
	m := map[string]Expr{}
	for _, it := range items {
		if it.Kind == SelectExpr && it.Alias != "" {
			m[it.Alias] = it.Expr
		}
	}
	return m
}

// hasAggregate reports whether select or order_by use an aggregate.
func (c *compiler) hasAggregate(q *Query) bool {
	for _, it := range q.Select {
		if it.Kind == SelectExpr && containsAgg(it.Expr) {
			return true
		}
	}
	for _, o := range q.OrderBy {
		if containsAgg(o.Expr) {
			return true
		}
	}
	return false
}

var aggregates = map[string]bool{"count": true, "sum": true, "avg": true, "min": true, "max": true, "median": true, "percentile": true}

func containsAgg(e Expr) bool {
	found := false
	walk(e, func(x Expr) {
		if call, ok := x.(*Call); ok && aggregates[call.Name] {
			found = true
		}
	})
	return found
}

func walk(e Expr, fn func(Expr)) {
	if e == nil {
		return
	}
	fn(e)
	switch x := e.(type) {
	case *Unary:
		walk(x.X, fn)
	case *Binary:
		walk(x.L, fn)
		walk(x.R, fn)
	case *In:
		walk(x.X, fn)
		for _, a := range x.List {
			walk(a, fn)
		}
	case *Between:
		walk(x.X, fn)
		walk(x.Lo, fn)
		walk(x.Hi, fn)
	case *IsNull:
		walk(x.X, fn)
	case *IsBool:
		walk(x.X, fn)
	case *Call:
		for _, a := range x.Args {
			walk(a, fn)
		}
	}
}

// selectCols expands the select items of an ungrouped query.
func (c *compiler) selectCols(q *Query) []outCol {
	c.clause = "select"
	items := q.Select
	if len(items) == 0 {
		items = []SelectItem{{Kind: SelectAll}}
	}
	var cols []outCol
	onlyExclude := true
	for _, it := range items {
		if it.Kind != SelectExclude {
			onlyExclude = false
		}
	}
	if onlyExclude {
		items = append([]SelectItem{{Kind: SelectAll}}, items...)
	}
	var excluded []string
	for _, it := range items {
		if it.Kind == SelectExclude {
			excluded = append(excluded, it.Patterns...)
		}
	}
	for _, it := range items {
		switch it.Kind {
		case SelectAll:
			for _, f := range c.fields {
				if !matchAny(excluded, f.Name) {
					cols = append(cols, outCol{f.Name, c.field(f)})
				}
			}
		case SelectInclude:
			for _, f := range c.fields {
				if matchAny(it.Patterns, f.Name) && !matchAny(excluded, f.Name) {
					cols = append(cols, outCol{f.Name, c.field(f)})
				}
			}
		case SelectExpr:
			f := c.expr(it.Expr)
			cols = append(cols, outCol{outputName(it), f})
		}
	}
	return cols
}

func outputName(it SelectItem) string {
	if it.Alias != "" {
		return it.Alias
	}
	if id, ok := it.Expr.(*Ident); ok {
		return id.Name
	}
	return it.Text
}

func matchAny(patterns []string, name string) bool {
	for _, p := range patterns {
		if matchGlob(p, name) {
			return true
		}
	}
	return false
}

// matchGlob matches name against a pattern where '*' is any run.
func matchGlob(p, name string) bool {
	parts := strings.Split(p, "*")
	if len(parts) == 1 {
		return p == name
	}
	if !strings.HasPrefix(name, parts[0]) {
		return false
	}
	name = name[len(parts[0]):]
	for _, mid := range parts[1 : len(parts)-1] {
		i := strings.Index(name, mid)
		if i < 0 {
			return false
		}
		name = name[i+len(mid):]
	}
	return strings.HasSuffix(name, parts[len(parts)-1])
}

// find resolves a field name. Field names are normalized lower-case
// identifiers, as on Opendatasoft; a reuser who writes the source column's
// name ("nomBeneficiaire") gets the field it became ("nombeneficiaire").
func (c *compiler) find(name string) (catalog.Field, bool) {
	if f, ok := c.byName[name]; ok {
		return f, true
	}
	f, ok := c.byName[catalog.NormalizeName(name)]
	return f, ok
}

// field returns the fragment of a field's column(s).
func (c *compiler) field(f catalog.Field) frag {
	if f.Type == catalog.TypeGeoPoint {
		lat := frag{sql: quoteIdent(f.Name + "__lat"), typ: catalog.TypeDouble}
		lon := frag{sql: quoteIdent(f.Name + "__lon"), typ: catalog.TypeDouble}
		return frag{sql: lat.sql, typ: f.Type, lat: &lat, lon: &lon}
	}
	return frag{sql: quoteIdent(f.Name), typ: f.Type}
}

func (c *compiler) lookup(name string, pos int) catalog.Field {
	f, ok := c.find(name)
	if !ok {
		c.fail(pos, "unknown field %q", name)
	}
	return f
}
