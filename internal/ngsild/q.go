package ngsild

import (
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/socle/socle/internal/errs"
)

// The NGSI-LD query language (q), the subset of ETSI GS CIM 009 §4.9:
//
//	expr  = and *( "|" and )          ; OR
//	and   = term *( ";" term )        ; AND, binds tighter
//	term  = "(" expr ")" | "!" path | path [ op values ]
//	path  = name *( "." name ) *( "[" name "]" )
//	op    = "==" | "!=" | ">=" | "<=" | ">" | "<" | "~=" | "!~="
//	values = value ".." value | value *( "," value )
//	value = quoted string | number | true | false | bare token (date, URI)
//
// A bare path means the attribute exists, "!path" that it does not. The
// first name is an attribute (expanded through the context), a dotted one
// a sub-attribute (observedAt, unitCode…), a bracketed one a key of the
// value (a JSON object or a language map). A Relationship compares its
// object. When the value is an array, one element matching is enough.

// QExpr is a parsed q: an OR of ANDs of terms, or one term.
type QExpr struct {
	Or   []*QExpr // alternatives, when len > 0
	And  []*QExpr // conjuncts, when len > 0
	Term *QTerm
}

// QTerm is one comparison.
type QTerm struct {
	Attr   string   // as written
	IRI    string   // expanded (Expand)
	Sub    []string // sub-attribute path
	Keys   []string // bracketed keys
	Op     string   // "" for existence
	Not    bool     // "!attr"
	Values []any    // float64, string, bool
	Range  bool     // Values are [low, high]
	re     *regexp.Regexp
}

// maxQDepth bounds parenthesis nesting; maxQTerms the terms of a q.
const (
	maxQDepth = 16
	maxQTerms = 64
)

// ParseQ parses a q expression. errs.Invalid (BadRequestData).
func ParseQ(s string) (*QExpr, error) {
	if len(s) > MaxQueryLength {
		return nil, qError("longer than %d bytes", MaxQueryLength)
	}
	p := &qParser{s: s}
	e, err := p.expr(0)
	if err != nil {
		return nil, err
	}
	if p.i < len(s) {
		return nil, qError("unexpected %q at %d", s[p.i:p.i+1], p.i)
	}
	return e, nil
}

func qError(format string, args ...any) error {
	return errs.WithCode(errs.Invalid, "BadRequestData", "invalid q: "+format, args...)
}

type qParser struct {
	s     string
	i     int
	terms int
}

func (p *qParser) peek() byte {
	if p.i < len(p.s) {
		return p.s[p.i]
	}
	return 0
}

func (p *qParser) expr(depth int) (*QExpr, error) {
	if depth > maxQDepth {
		return nil, qError("parentheses nest deeper than %d", maxQDepth)
	}
	var alts []*QExpr
	for {
		a, err := p.and(depth)
		if err != nil {
			return nil, err
		}
		alts = append(alts, a)
		if p.peek() != '|' {
			break
		}
		p.i++
	}
	if len(alts) == 1 {
		return alts[0], nil
	}
	return &QExpr{Or: alts}, nil
}

func (p *qParser) and(depth int) (*QExpr, error) {
	var conj []*QExpr
	for {
		t, err := p.term(depth)
		if err != nil {
			return nil, err
		}
		conj = append(conj, t)
		if p.peek() != ';' {
			break
		}
		p.i++
	}
	if len(conj) == 1 {
		return conj[0], nil
	}
	return &QExpr{And: conj}, nil
}

func (p *qParser) term(depth int) (*QExpr, error) {
	if p.peek() == '(' {
		p.i++
		e, err := p.expr(depth + 1)
		if err != nil {
			return nil, err
		}
		if p.peek() != ')' {
			return nil, qError("missing ) at %d", p.i)
		}
		p.i++
		return e, nil
	}
	if p.terms++; p.terms > maxQTerms {
		return nil, qError("more than %d terms", maxQTerms)
	}
	t := &QTerm{}
	if p.peek() == '!' && !strings.HasPrefix(p.s[p.i:], "!=") && !strings.HasPrefix(p.s[p.i:], "!~=") {
		t.Not = true
		p.i++
	}
	if err := p.path(t); err != nil {
		return nil, err
	}
	if t.Not {
		return &QExpr{Term: t}, nil
	}
	for _, op := range []string{"==", "!=", ">=", "<=", "!~=", "~=", ">", "<"} {
		if strings.HasPrefix(p.s[p.i:], op) {
			t.Op = op
			p.i += len(op)
			break
		}
	}
	if t.Op == "" {
		return &QExpr{Term: t}, nil
	}
	if err := p.values(t); err != nil {
		return nil, err
	}
	return &QExpr{Term: t}, nil
}

// nameChar reports whether c may appear in an attribute name in q.
func nameChar(c byte) bool {
	return c > ' ' && !strings.ContainsRune("=!<>~;|()[].,\"'", rune(c))
}

func (p *qParser) name() (string, error) {
	start := p.i
	for p.i < len(p.s) && nameChar(p.s[p.i]) {
		p.i++
	}
	if p.i == start {
		return "", qError("expected an attribute name at %d", start)
	}
	return p.s[start:p.i], nil
}

func (p *qParser) path(t *QTerm) error {
	var err error
	if t.Attr, err = p.name(); err != nil {
		return err
	}
	for p.peek() == '.' {
		p.i++
		n, err := p.name()
		if err != nil {
			return err
		}
		t.Sub = append(t.Sub, n)
	}
	for p.peek() == '[' {
		p.i++
		n, err := p.name()
		if err != nil {
			return err
		}
		if p.peek() != ']' {
			return qError("missing ] at %d", p.i)
		}
		p.i++
		t.Keys = append(t.Keys, n)
	}
	return nil
}

func (p *qParser) values(t *QTerm) error {
	for {
		v, err := p.value()
		if err != nil {
			return err
		}
		t.Values = append(t.Values, v)
		if strings.HasPrefix(p.s[p.i:], "..") && !t.Range && len(t.Values) == 1 {
			p.i += 2
			t.Range = true
			continue
		}
		if p.peek() != ',' || t.Range {
			break
		}
		p.i++
		if len(t.Values) > maxQTerms {
			return qError("more than %d values", maxQTerms)
		}
	}
	if (len(t.Values) > 1 || t.Range) && t.Op != "==" && t.Op != "!=" {
		return qError("lists and ranges go with == and != only")
	}
	if t.Op == "~=" || t.Op == "!~=" {
		s, ok := t.Values[0].(string)
		if !ok {
			return qError("%s takes a quoted pattern", t.Op)
		}
		re, err := regexp.Compile(s)
		if err != nil {
			return qError("bad pattern %q", truncate(s, 40))
		}
		t.re = re
	}
	return nil
}

func (p *qParser) value() (any, error) {
	if p.peek() == '"' || p.peek() == '\'' {
		return p.quoted()
	}
	start := p.i
	for p.i < len(p.s) && !strings.ContainsRune(";|),", rune(p.s[p.i])) && !strings.HasPrefix(p.s[p.i:], "..") {
		p.i++
	}
	tok := p.s[start:p.i]
	if tok == "" || strings.ContainsAny(tok, "<>=!~(\"'") {
		return nil, qError("expected a value at %d", start)
	}
	switch tok {
	case "true":
		return true, nil
	case "false":
		return false, nil
	}
	if f, err := strconv.ParseFloat(tok, 64); err == nil {
		return f, nil
	}
	return tok, nil
}

func (p *qParser) quoted() (any, error) {
	q := p.s[p.i]
	var b strings.Builder
	for p.i++; p.i < len(p.s); p.i++ {
		c := p.s[p.i]
		switch {
		case c == '\\' && p.i+1 < len(p.s):
			p.i++
			b.WriteByte(p.s[p.i])
		case c == q:
			p.i++
			return b.String(), nil
		default:
			b.WriteByte(c)
		}
	}
	return nil, qError("unterminated string")
}

// Expand resolves the attribute names of e through c.
func (e *QExpr) Expand(c *Context) {
	for _, k := range append(e.Or, e.And...) {
		k.Expand(c)
	}
	if t := e.Term; t != nil {
		t.IRI = c.Expand(t.Attr)
		for i, s := range t.Sub {
			if !keywords[s] {
				t.Sub[i] = c.Expand(s)
			}
		}
	}
}

// Match evaluates e on an entity.
func (e *QExpr) Match(ent *Entity) bool {
	switch {
	case len(e.Or) > 0:
		for _, k := range e.Or {
			if k.Match(ent) {
				return true
			}
		}
		return false
	case len(e.And) > 0:
		for _, k := range e.And {
			if !k.Match(ent) {
				return false
			}
		}
		return true
	}
	return e.Term.match(ent)
}

func (t *QTerm) match(ent *Entity) bool {
	v, ok := t.lookup(ent)
	if t.Not {
		return !ok
	}
	if !ok {
		return false
	}
	if t.Op == "" {
		return true
	}
	if list, isList := v.([]any); isList {
		if t.Op == "!=" || t.Op == "!~=" {
			for _, x := range list {
				if !t.compare(x) {
					return false
				}
			}
			return true
		}
		for _, x := range list {
			if t.compare(x) {
				return true
			}
		}
		return false
	}
	return t.compare(v)
}

// lookup finds the value the term compares.
func (t *QTerm) lookup(ent *Entity) (any, bool) {
	name := t.IRI
	if name == "" {
		name = DefaultContext + t.Attr
	}
	a, ok := ent.Attrs[name]
	if !ok {
		return nil, false
	}
	cur, v := a, a.Value()
	for i, s := range t.Sub {
		x, ok := cur[s]
		if !ok {
			return nil, false
		}
		if sa, isAttr := x.(map[string]any); isAttr && sa["type"] != nil {
			cur = Attribute(sa)
			v = cur.Value()
			continue
		}
		if i != len(t.Sub)-1 {
			return nil, false
		}
		v = x
	}
	for _, k := range t.Keys {
		m, ok := v.(map[string]any)
		if !ok {
			return nil, false
		}
		if v, ok = m[k]; !ok {
			return nil, false
		}
	}
	return v, true
}

// compare applies the operator to one value.
func (t *QTerm) compare(v any) bool {
	switch t.Op {
	case "~=", "!~=":
		s, ok := v.(string)
		return ok && t.re.MatchString(s) == (t.Op == "~=")
	case "==":
		return t.in(v)
	case "!=":
		return !t.in(v)
	}
	c, ok := order(v, t.Values[0])
	if !ok {
		return false
	}
	switch t.Op {
	case ">":
		return c > 0
	case ">=":
		return c >= 0
	case "<":
		return c < 0
	}
	return c <= 0
}

// in reports whether v equals one of the values, or lies in the range.
func (t *QTerm) in(v any) bool {
	if t.Range {
		lo, ok1 := order(v, t.Values[0])
		hi, ok2 := order(v, t.Values[1])
		return ok1 && ok2 && lo >= 0 && hi <= 0
	}
	for _, w := range t.Values {
		if c, ok := order(v, w); ok && c == 0 {
			return true
		}
	}
	return false
}

// order compares a stored value with a query value: numbers as numbers,
// date-times as instants, strings as bytes, booleans for equality.
// ok is false when they do not compare.
func order(v, w any) (int, bool) {
	switch x := v.(type) {
	case float64:
		y, ok := w.(float64)
		if !ok {
			return 0, false
		}
		return cmpFloat(x, y), true
	case string:
		y, ok := w.(string)
		if !ok {
			if f, isNum := w.(float64); isNum {
				y = strconv.FormatFloat(f, 'f', -1, 64)
			} else {
				return 0, false
			}
		}
		if tx, err := time.Parse(time.RFC3339Nano, x); err == nil {
			if ty, err := time.Parse(time.RFC3339Nano, y); err == nil {
				return tx.Compare(ty), true
			}
		}
		return strings.Compare(x, y), true
	case bool:
		y, ok := w.(bool)
		if !ok || x != y {
			return 1, ok
		}
		return 0, true
	}
	return 0, false
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
