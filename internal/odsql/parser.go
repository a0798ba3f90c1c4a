package odsql

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/socle/socle/internal/errs"
)

// ParseError locates a fault in one ODSQL parameter.
type ParseError struct {
	Param string // "where", "select", "group_by", "order_by", "refine", "exclude"
	Pos   int    // 0-based byte offset into the parameter
	Msg   string
}

func (e *ParseError) Error() string {
	return fmt.Sprintf("%s: %s at position %d", e.Param, e.Msg, e.Pos)
}

// wrap classifies a *ParseError as errs.Invalid with the ODS message.
func (e *ParseError) wrap() error {
	return errs.Wrap(errs.Invalid, e, "ODSQL query is malformed: %s", e.Error())
}

// Size limits of one parameter. They keep the compiled SQL within what
// both engines accept (SQLite refuses expressions more than 1,000 levels
// deep) and bound the work a single request can ask for.
const (
	// maxDepth bounds expression nesting (parentheses, function calls, NOT
	// and unary minus) so that hostile input cannot exhaust the stack.
	maxDepth = 100
	// maxNodes bounds the AST nodes of one parameter; the literal values
	// of IN lists do not count, they have their own limit.
	maxNodes = 500
	// maxItems bounds the comma-separated items of select, group_by and
	// order_by.
	maxItems = 100
	// maxInValues bounds the length of one IN list.
	maxInValues = 1000
)

type parser struct {
	src   string
	param string
	toks  []token
	i     int
	depth int
	nodes int // AST nodes built so far, against maxNodes
}

// node counts one AST node starting at pos against maxNodes.
func (p *parser) node(pos int) {
	p.nodes++
	if p.nodes > maxNodes {
		p.fail(pos, "expression too complex (more than %d terms)", maxNodes)
	}
}

// item checks that the n-th item (0-based) of a list parameter, starting
// at pos, is within maxItems.
func (p *parser) item(n, pos int) {
	if n >= maxItems {
		p.fail(pos, "too many items (more than %d)", maxItems)
	}
}

// nest enters one level of nesting at pos; call the returned func to leave.
func (p *parser) nest(pos int) func() {
	p.depth++
	if p.depth > maxDepth {
		p.fail(pos, "expression nested too deeply")
	}
	return func() { p.depth-- }
}

// run parses src with fn, turning the parser's panics into errors.
func run[T any](param, src string, fn func(p *parser) T) (out T, err error) {
	toks, perr := tokenize(src)
	if perr != nil {
		perr.Param = param
		return out, perr.wrap()
	}
	p := &parser{src: src, param: param, toks: toks}
	defer func() {
		if r := recover(); r != nil {
			pe, ok := r.(*ParseError)
			if !ok {
				panic(r)
			}
			err = pe.wrap()
		}
	}()
	return fn(p), nil
}

func (p *parser) fail(pos int, format string, args ...any) {
	panic(&ParseError{Param: p.param, Pos: pos, Msg: fmt.Sprintf(format, args...)})
}

func (p *parser) peek() token { return p.toks[p.i] }
func (p *parser) peekAt(n int) token {
	if p.i+n < len(p.toks) {
		return p.toks[p.i+n]
	}
	return p.toks[len(p.toks)-1]
}
func (p *parser) advance() token {
	t := p.toks[p.i]
	if t.kind != tEOF {
		p.i++
	}
	return t
}

func (p *parser) isOp(op string) bool {
	t := p.peek()
	return t.kind == tOp && t.text == op
}

// isKw reports whether the next token is the (unquoted) keyword kw.
func (p *parser) isKw(kw string) bool {
	t := p.peek()
	return t.kind == tIdent && !t.quoted && strings.EqualFold(t.text, kw)
}

func (p *parser) expectOp(op string) token {
	if !p.isOp(op) {
		p.unexpected("'" + op + "'")
	}
	return p.advance()
}

func (p *parser) unexpected(want string) {
	t := p.peek()
	if t.kind == tEOF {
		p.fail(t.pos, "unexpected end of input, expected %s", want)
	}
	p.fail(t.pos, "unexpected %s, expected %s", describe(t), want)
}

func describe(t token) string {
	switch t.kind {
	case tString:
		return "string"
	case tNumber:
		return "number " + t.text
	case tDate:
		return "date literal"
	case tGeom:
		return "geom literal"
	}
	return "'" + t.text + "'"
}

func (p *parser) expectEOF() {
	if p.peek().kind != tEOF {
		p.unexpected("end of input")
	}
}

var keywords = map[string]bool{
	"and": true, "or": true, "not": true, "in": true, "like": true, "is": true,
	"null": true, "true": true, "false": true, "as": true, "asc": true, "desc": true,
	"distinct": true, "to": true,
}

// ParseWhere parses a where= parameter. An empty parameter yields a nil Expr.
func ParseWhere(s string) (Expr, error) {
	return run("where", s, func(p *parser) Expr {
		if p.peek().kind == tEOF {
			return nil
		}
		e := p.expr()
		p.expectEOF()
		return e
	})
}

// ParseSelect parses a select= parameter. Empty means all fields.
func ParseSelect(s string) ([]SelectItem, error) {
	return run("select", s, func(p *parser) []SelectItem {
		var items []SelectItem
		if p.peek().kind == tEOF {
			return nil
		}
		for {
			p.item(len(items), p.peek().pos)
			items = append(items, p.selectItem())
			if !p.isOp(",") {
				break
			}
			p.advance()
		}
		p.expectEOF()
		return items
	})
}

func (p *parser) selectItem() SelectItem {
	t := p.peek()
	if t.kind == tOp && t.text == "*" {
		p.advance()
		return SelectItem{Kind: SelectAll, Text: "*", Pos: t.pos}
	}
	if t.kind == tIdent && !t.quoted && p.peekAt(1).kind == tOp && p.peekAt(1).text == "(" {
		if lw := strings.ToLower(t.text); lw == "include" || lw == "exclude" {
			kind := SelectInclude
			if lw == "exclude" {
				kind = SelectExclude
			}
			return SelectItem{Kind: kind, Patterns: p.patterns(), Text: p.src[t.pos:p.toks[p.i-1].end], Pos: t.pos}
		}
	}
	e := p.expr()
	text := strings.TrimSpace(p.src[t.pos:p.toks[p.i-1].end])
	alias := p.alias()
	return SelectItem{Kind: SelectExpr, Expr: e, Alias: alias, Text: text, Pos: t.pos}
}

// patterns reads include(a, pop*, `x`)'s raw field-name patterns.
func (p *parser) patterns() []string {
	p.advance()
	p.expectOp("(")
	var pats []string
	for {
		start := p.peek().pos
		var b strings.Builder
		for {
			t := p.peek()
			if t.kind == tEOF || t.kind == tOp && (t.text == "," || t.text == ")") {
				break
			}
			if t.kind != tIdent && !(t.kind == tOp && t.text == "*") && t.kind != tNumber {
				p.unexpected("a field name pattern")
			}
			b.WriteString(t.text)
			p.advance()
		}
		if b.Len() == 0 {
			p.fail(start, "empty field name pattern")
		}
		pats = append(pats, b.String())
		if !p.isOp(",") {
			break
		}
		p.advance()
	}
	p.expectOp(")")
	return pats
}

func (p *parser) alias() string {
	if !p.isKw("as") {
		return ""
	}
	p.advance()
	t := p.peek()
	if t.kind != tIdent && t.kind != tString {
		p.unexpected("an alias")
	}
	if t.kind == tIdent && !t.quoted && keywords[strings.ToLower(t.text)] {
		p.unexpected("an alias")
	}
	p.advance()
	if t.text == "" {
		p.fail(t.pos, "empty alias")
	}
	return t.text
}

// ParseGroupBy parses a group_by= parameter.
func ParseGroupBy(s string) ([]GroupItem, error) {
	return run("group_by", s, func(p *parser) []GroupItem {
		var items []GroupItem
		if p.peek().kind == tEOF {
			return nil
		}
		for {
			start := p.peek().pos
			p.item(len(items), start)
			e := p.expr()
			text := strings.TrimSpace(p.src[start:p.toks[p.i-1].end])
			items = append(items, GroupItem{Expr: e, Text: text, Alias: p.alias(), Pos: start})
			if !p.isOp(",") {
				break
			}
			p.advance()
		}
		p.expectEOF()
		return items
	})
}

// ParseOrderBy parses an order_by= parameter.
func ParseOrderBy(s string) ([]OrderItem, error) {
	return run("order_by", s, func(p *parser) []OrderItem {
		var items []OrderItem
		if p.peek().kind == tEOF {
			return nil
		}
		for {
			start := p.peek().pos
			p.item(len(items), start)
			e := p.expr()
			text := strings.TrimSpace(p.src[start:p.toks[p.i-1].end])
			it := OrderItem{Expr: e, Text: text, Pos: start}
			// "-field" means field DESC: the Opendatasoft client writes it so.
			if u, ok := e.(*Unary); ok && u.Op == "-" {
				if id, ok := u.X.(*Ident); ok {
					it.Expr, it.Desc, it.Text = id, true, strings.TrimSpace(strings.TrimPrefix(text, "-"))
				}
			}
			if p.isKw("desc") {
				p.advance()
				it.Desc = true
			} else if p.isKw("asc") {
				p.advance()
			}
			items = append(items, it)
			if !p.isOp(",") {
				break
			}
			p.advance()
		}
		p.expectEOF()
		return items
	})
}

// ParseRefine parses a refine= or exclude= value "facet:value"; the value
// is everything after the first ':' and may itself contain ':'.
func ParseRefine(s string) (Refine, error) {
	i := strings.IndexByte(s, ':')
	if i < 0 {
		return Refine{}, (&ParseError{Param: "refine", Pos: len(s), Msg: "expected facet:value"}).wrap()
	}
	facet := strings.TrimSpace(s[:i])
	if facet == "" {
		return Refine{}, (&ParseError{Param: "refine", Pos: 0, Msg: "empty facet name"}).wrap()
	}
	return Refine{Facet: strings.Trim(facet, "`"), Value: s[i+1:]}, nil
}

// expr parses OR-level expressions.
func (p *parser) expr() Expr {
	defer p.nest(p.peek().pos)()
	l := p.and()
	for p.isKw("or") {
		t := p.advance()
		p.node(t.pos)
		l = &Binary{Op: "OR", L: l, R: p.and(), P: t.pos}
	}
	return l
}

func (p *parser) and() Expr {
	l := p.not()
	for p.isKw("and") {
		t := p.advance()
		p.node(t.pos)
		l = &Binary{Op: "AND", L: l, R: p.not(), P: t.pos}
	}
	return l
}

func (p *parser) not() Expr {
	if p.isKw("not") {
		t := p.advance()
		defer p.nest(t.pos)()
		p.node(t.pos)
		return &Unary{Op: "NOT", X: p.not(), P: t.pos}
	}
	return p.comparison()
}

func (p *parser) comparison() Expr {
	l := p.additive()
	t := p.peek()
	switch {
	case t.kind == tOp && (t.text == "=" || t.text == "!=" || t.text == "<>" || t.text == "<" || t.text == "<=" || t.text == ">" || t.text == ">="):
		p.advance()
		p.node(t.pos)
		op := t.text
		if op == "<>" {
			op = "!="
		}
		return &Binary{Op: op, L: l, R: p.additive(), P: t.pos}
	case t.kind == tOp && t.text == ":":
		p.advance()
		p.node(t.pos)
		return &Binary{Op: ":", L: l, R: p.shorthandValue(), P: t.pos}
	case p.isKw("like"):
		p.advance()
		p.node(t.pos)
		return &Binary{Op: "LIKE", L: l, R: p.additive(), P: t.pos}
	case p.isKw("not") && p.peekAt(1).kind == tIdent && strings.EqualFold(p.peekAt(1).text, "like"):
		p.advance()
		p.advance()
		p.node(t.pos)
		p.node(t.pos)
		return &Unary{Op: "NOT", X: &Binary{Op: "LIKE", L: l, R: p.additive(), P: t.pos}, P: t.pos}
	case p.isKw("not") && p.peekAt(1).kind == tIdent && strings.EqualFold(p.peekAt(1).text, "in"):
		p.advance()
		p.advance()
		p.node(t.pos)
		return p.in(l, true, t.pos)
	case p.isKw("in"):
		p.advance()
		p.node(t.pos)
		return p.in(l, false, t.pos)
	case p.isKw("is"):
		p.advance()
		p.node(t.pos)
		not := false
		if p.isKw("not") {
			p.advance()
			not = true
		}
		switch {
		case p.isKw("null"):
			p.advance()
			return &IsNull{X: l, Not: not, P: t.pos}
		case p.isKw("true"), p.isKw("false"):
			v := strings.EqualFold(p.advance().text, "true")
			return &IsBool{X: l, Value: v, Not: not, P: t.pos}
		}
		p.unexpected("NULL, TRUE or FALSE")
	}
	return l
}

// shorthandValue reads the v of "f:v": a bare word is a string.
func (p *parser) shorthandValue() Expr {
	t := p.peek()
	if t.kind == tIdent && !t.quoted && !keywords[strings.ToLower(t.text)] &&
		!(p.peekAt(1).kind == tOp && p.peekAt(1).text == "(") {
		p.advance()
		p.node(t.pos)
		return &Literal{Kind: LitString, Str: t.text, Raw: t.text, P: t.pos}
	}
	return p.additive()
}

func (p *parser) in(x Expr, not bool, pos int) Expr {
	t := p.peek()
	if t.kind == tOp && (t.text == "[" || t.text == "]") && !not {
		p.advance()
		b := &Between{X: x, LoIncl: t.text == "[", P: pos}
		b.Lo = p.bound()
		if p.isKw("to") {
			p.advance()
		} else {
			p.expectOp("..")
		}
		b.Hi = p.bound()
		end := p.peek()
		if end.kind != tOp || end.text != "]" && end.text != "[" {
			p.unexpected("']' or '['")
		}
		p.advance()
		b.HiIncl = end.text == "]"
		return b
	}
	p.expectOp("(")
	in := &In{X: x, Not: not, P: pos}
	if p.isOp(")") {
		p.unexpected("a value")
	}
	for {
		if len(in.List) == maxInValues {
			p.fail(p.peek().pos, "IN list too long (more than %d values)", maxInValues)
		}
		before := p.nodes
		v := p.additive()
		if _, ok := v.(*Literal); ok {
			p.nodes = before // a literal value counts against maxInValues only
		}
		in.List = append(in.List, v)
		if !p.isOp(",") {
			break
		}
		p.advance()
	}
	p.expectOp(")")
	return in
}

// bound reads a range bound; '*' or nothing is open.
func (p *parser) bound() Expr {
	if p.isOp("*") {
		p.advance()
		return nil
	}
	if p.isOp("..") || p.isKw("to") || p.isOp("]") || p.isOp("[") {
		return nil
	}
	return p.additive()
}

func (p *parser) additive() Expr {
	l := p.multiplicative()
	for p.isOp("+") || p.isOp("-") {
		t := p.advance()
		p.node(t.pos)
		l = &Binary{Op: t.text, L: l, R: p.multiplicative(), P: t.pos}
	}
	return l
}

func (p *parser) multiplicative() Expr {
	l := p.unary()
	for p.isOp("*") || p.isOp("/") {
		t := p.advance()
		p.node(t.pos)
		l = &Binary{Op: t.text, L: l, R: p.unary(), P: t.pos}
	}
	return l
}

func (p *parser) unary() Expr {
	if p.isOp("-") || p.isOp("+") {
		t := p.advance()
		defer p.nest(t.pos)()
		x := p.unary()
		if t.text == "+" {
			return x
		}
		if lit, ok := x.(*Literal); ok && lit.Kind == LitInt && lit.Int != -lit.Int {
			return &Literal{Kind: LitInt, Int: -lit.Int, Raw: "-" + lit.Raw, P: t.pos}
		}
		if lit, ok := x.(*Literal); ok && lit.Kind == LitFloat {
			return &Literal{Kind: LitFloat, Float: -lit.Float, Raw: "-" + lit.Raw, P: t.pos}
		}
		if lit, ok := x.(*Literal); ok && lit.Kind == LitQuantity {
			return &Literal{Kind: LitQuantity, Float: -lit.Float, Unit: lit.Unit, Raw: "-" + lit.Raw, P: t.pos}
		}
		p.node(t.pos)
		return &Unary{Op: "-", X: x, P: t.pos}
	}
	return p.primary()
}

var units = map[string]string{
	"m": "m", "km": "km", "mi": "mi", "yd": "yd", "ft": "ft", "cm": "cm", "mm": "mm",
	"second": "second", "seconds": "second", "minute": "minute", "minutes": "minute",
	"hour": "hour", "hours": "hour", "day": "day", "days": "day", "week": "week", "weeks": "week",
	"month": "month", "months": "month", "year": "year", "years": "year",
}

func (p *parser) primary() Expr {
	t := p.peek()
	if t.kind != tOp {
		p.node(t.pos) // a literal, an identifier or a call
	}
	switch t.kind {
	case tNumber:
		p.advance()
		lit := numberLit(p, t)
		if n := p.peek(); n.kind == tIdent && !n.quoted {
			if u, ok := units[strings.ToLower(n.text)]; ok && !(p.peekAt(1).kind == tOp && p.peekAt(1).text == "(") {
				p.advance()
				f := lit.Float
				if lit.Kind == LitInt {
					f = float64(lit.Int)
				}
				return &Literal{Kind: LitQuantity, Float: f, Unit: u, Raw: p.src[t.pos:n.end], P: t.pos}
			}
		}
		return lit
	case tString:
		p.advance()
		return &Literal{Kind: LitString, Str: t.text, Raw: t.text, P: t.pos}
	case tDate:
		p.advance()
		tm, dateOnly, zoned, ok := parseDateText(t.text)
		if !ok {
			p.fail(t.pos, "invalid date %q", t.text)
		}
		return &Literal{Kind: LitDate, Time: tm, DateOnly: dateOnly, Zoned: zoned, Raw: t.text, P: t.pos}
	case tGeom:
		p.advance()
		lon, lat, ok := parseGeomPoint(t.text)
		if !ok {
			p.fail(t.pos, "invalid geometry %q, expected POINT(lon lat)", t.text)
		}
		return &Literal{Kind: LitGeom, Lon: lon, Lat: lat, Raw: t.text, P: t.pos}
	case tOp:
		if t.text == "(" {
			p.advance()
			e := p.expr()
			p.expectOp(")")
			return e
		}
	case tIdent:
		lw := strings.ToLower(t.text)
		if !t.quoted {
			switch lw {
			case "true", "false":
				p.advance()
				return &Literal{Kind: LitBool, Bool: lw == "true", Raw: t.text, P: t.pos}
			case "null":
				p.advance()
				return &Literal{Kind: LitNull, Raw: t.text, P: t.pos}
			}
			if p.peekAt(1).kind == tOp && p.peekAt(1).text == "(" {
				return p.call()
			}
			if keywords[lw] {
				p.unexpected("a value")
			}
		}
		p.advance()
		return &Ident{Name: t.text, Quoted: t.quoted, P: t.pos}
	}
	p.unexpected("a value")
	return nil
}

func numberLit(p *parser, t token) *Literal {
	if n, err := strconv.ParseInt(t.text, 10, 64); err == nil {
		return &Literal{Kind: LitInt, Int: n, Raw: t.text, P: t.pos}
	}
	f, err := strconv.ParseFloat(t.text, 64)
	if err != nil {
		p.fail(t.pos, "invalid number %s", t.text)
	}
	return &Literal{Kind: LitFloat, Float: f, Raw: t.text, P: t.pos}
}

func (p *parser) call() Expr {
	name := p.advance()
	p.advance() // (
	c := &Call{Name: strings.ToLower(name.text), P: name.pos}
	defer p.nest(name.pos)()
	if p.isOp(")") {
		p.advance()
		return c
	}
	if p.isKw("distinct") {
		p.advance()
		c.Distinct = true
	}
	for {
		if p.isOp("*") && (p.peekAt(1).kind == tOp && (p.peekAt(1).text == "," || p.peekAt(1).text == ")")) {
			p.node(p.peek().pos)
			c.Args = append(c.Args, &Star{P: p.advance().pos})
		} else {
			c.Args = append(c.Args, p.expr())
		}
		if !p.isOp(",") {
			break
		}
		p.advance()
	}
	p.expectOp(")")
	return c
}

// parseDateText accepts ISO dates and datetimes (with or without seconds,
// fraction, offset) and YYYY/MM/DD.
func parseDateText(s string) (t time.Time, dateOnly, zoned, ok bool) {
	s = strings.TrimSpace(s)
	for _, l := range []string{"2006-01-02", "2006/01/02", "2006-1-2", "2006/1/2"} {
		if t, err := time.Parse(l, s); err == nil {
			return t, true, false, true
		}
	}
	for _, l := range []string{time.RFC3339Nano, "2006-01-02T15:04Z07:00", "2006-01-02 15:04:05Z07:00"} {
		if t, err := time.Parse(l, s); err == nil {
			return t, false, true, true
		}
	}
	for _, l := range []string{"2006-01-02T15:04:05.999999999", "2006-01-02T15:04", "2006-01-02 15:04:05.999999999", "2006-01-02 15:04", "2006/01/02 15:04:05", "2006/01/02 15:04"} {
		if t, err := time.Parse(l, s); err == nil {
			return t, false, false, true
		}
	}
	return time.Time{}, false, false, false
}

// parseGeomPoint reads WKT "POINT(lon lat)" or a GeoJSON Point.
func parseGeomPoint(s string) (lon, lat float64, ok bool) {
	s = strings.TrimSpace(s)
	if strings.HasPrefix(s, "{") {
		var g struct {
			Type        string    `json:"type"`
			Coordinates []float64 `json:"coordinates"`
		}
		if json.Unmarshal([]byte(s), &g) != nil || !strings.EqualFold(g.Type, "Point") || len(g.Coordinates) < 2 {
			return 0, 0, false
		}
		return g.Coordinates[0], g.Coordinates[1], validLonLat(g.Coordinates[0], g.Coordinates[1])
	}
	u := strings.ToUpper(s)
	if !strings.HasPrefix(u, "POINT") {
		return 0, 0, false
	}
	rest := strings.TrimSpace(s[len("POINT"):])
	if !strings.HasPrefix(rest, "(") || !strings.HasSuffix(rest, ")") {
		return 0, 0, false
	}
	parts := strings.Fields(rest[1 : len(rest)-1])
	if len(parts) != 2 {
		return 0, 0, false
	}
	lon, err1 := strconv.ParseFloat(parts[0], 64)
	lat, err2 := strconv.ParseFloat(parts[1], 64)
	if err1 != nil || err2 != nil {
		return 0, 0, false
	}
	return lon, lat, validLonLat(lon, lat)
}

func validLonLat(lon, lat float64) bool {
	return lon >= -180 && lon <= 180 && lat >= -90 && lat <= 90
}
