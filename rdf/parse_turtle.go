package rdf

import (
	"fmt"
	"io"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Parsers share these limits: a document is read whole (the harvester
// bounds its size first), and nesting of blank nodes, collections and XML
// elements is capped so that a hostile document cannot exhaust the stack.
const (
	maxDepth   = 64
	maxTriples = 5_000_000
)

// ParseTurtle reads a Turtle 1.1 document: @prefix/@base and SPARQL-style
// PREFIX/BASE, prefixed names, 'a', blank nodes (_:x, [], [ … ]),
// collections ( … ), literals with language or datatype, long strings,
// numbers and booleans. Relative IRIs resolve against base (which the
// document may change). Blank node labels are renamed b1, b2… in order.
func ParseTurtle(r io.Reader, base string) (*Graph, error) {
	src, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	p := &turtle{s: string(src), base: base, prefixes: map[string]string{}, blank: newBlanks(), g: &Graph{}}
	if err := p.document(); err != nil {
		line := 1 + strings.Count(p.s[:min(p.i, len(p.s))], "\n")
		return nil, fmt.Errorf("turtle: line %d: %w", line, err)
	}
	return p.g, nil
}

// blanks renames a document's blank node labels and makes fresh ones.
type blanks struct {
	n      int
	labels map[string]string
}

func newBlanks() *blanks { return &blanks{labels: map[string]string{}} }

func (b *blanks) fresh() Term {
	b.n++
	return Blank("b" + strconv.Itoa(b.n))
}

func (b *blanks) named(label string) Term {
	if l, ok := b.labels[label]; ok {
		return Blank(l)
	}
	t := b.fresh()
	b.labels[label] = t.Value
	return t
}

type turtle struct {
	s        string
	i        int
	base     string
	prefixes map[string]string
	blank    *blanks
	g        *Graph
	depth    int
}

func (p *turtle) add(s, pr, o Term) error {
	if len(p.g.Triples) >= maxTriples {
		return fmt.Errorf("more than %d triples", maxTriples)
	}
	p.g.Add(s, pr, o)
	return nil
}

// ws skips white space and comments.
func (p *turtle) ws() {
	for p.i < len(p.s) {
		switch c := p.s[p.i]; {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			p.i++
		case c == '#':
			for p.i < len(p.s) && p.s[p.i] != '\n' {
				p.i++
			}
		default:
			return
		}
	}
}

func (p *turtle) eof() bool { p.ws(); return p.i >= len(p.s) }

func (p *turtle) peek() byte {
	if p.i < len(p.s) {
		return p.s[p.i]
	}
	return 0
}

func (p *turtle) expect(c byte) error {
	p.ws()
	if p.peek() != c {
		return p.unexpected(fmt.Sprintf("%q", c))
	}
	p.i++
	return nil
}

func (p *turtle) unexpected(want string) error {
	if p.i >= len(p.s) {
		return fmt.Errorf("unexpected end of document, want %s", want)
	}
	r, _ := utf8.DecodeRuneInString(p.s[p.i:])
	return fmt.Errorf("unexpected %q, want %s", r, want)
}

// keyword reports whether the input continues with kw (case-insensitive
// when fold) followed by a non-name character, and consumes it.
func (p *turtle) keyword(kw string, fold bool) bool {
	if len(p.s)-p.i < len(kw) {
		return false
	}
	w := p.s[p.i : p.i+len(kw)]
	if w != kw && !(fold && strings.EqualFold(w, kw)) {
		return false
	}
	if j := p.i + len(kw); j < len(p.s) && isNameChar(p.s[j]) {
		return false
	}
	p.i += len(kw)
	return true
}

func isNameChar(c byte) bool {
	return c == '_' || c == '-' || c == ':' || c >= 0x80 || ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z') || ('0' <= c && c <= '9')
}

func (p *turtle) document() error {
	for !p.eof() {
		if err := p.statement(); err != nil {
			return err
		}
	}
	return nil
}

func (p *turtle) statement() error {
	switch {
	case p.keyword("@prefix", false):
		return p.prefix(true)
	case p.keyword("@base", false):
		return p.baseDirective(true)
	case p.keyword("PREFIX", true):
		return p.prefix(false)
	case p.keyword("BASE", true):
		return p.baseDirective(false)
	}
	if err := p.triples(); err != nil {
		return err
	}
	return p.expect('.')
}

func (p *turtle) prefix(dot bool) error {
	p.ws()
	j := p.i
	for p.i < len(p.s) && p.s[p.i] != ':' && isNameChar(p.s[p.i]) {
		p.i++
	}
	name := p.s[j:p.i]
	if err := p.expect(':'); err != nil {
		return err
	}
	p.ws()
	iri, err := p.iriRef()
	if err != nil {
		return err
	}
	p.prefixes[name] = iri
	if dot {
		return p.expect('.')
	}
	return nil
}

func (p *turtle) baseDirective(dot bool) error {
	p.ws()
	iri, err := p.iriRef()
	if err != nil {
		return err
	}
	p.base = iri
	if dot {
		return p.expect('.')
	}
	return nil
}

func (p *turtle) triples() error {
	p.ws()
	if p.peek() == '[' {
		s, empty, err := p.blankNodeList()
		if err != nil {
			return err
		}
		p.ws()
		if !empty && p.peek() == '.' {
			return nil // a bare [ … ] is a whole statement
		}
		return p.predicateObjects(s)
	}
	s, err := p.subject()
	if err != nil {
		return err
	}
	return p.predicateObjects(s)
}

func (p *turtle) subject() (Term, error) {
	p.ws()
	switch c := p.peek(); {
	case c == '(':
		return p.collection()
	case c == '_' && strings.HasPrefix(p.s[p.i:], "_:"):
		return p.blankLabel()
	}
	iri, err := p.iri()
	return IRI(iri), err
}

func (p *turtle) predicateObjects(s Term) error {
	for {
		p.ws()
		var pred Term
		if p.peek() == 'a' && p.keyword("a", false) {
			pred = IRI(RDF + "type")
		} else {
			iri, err := p.iri()
			if err != nil {
				return err
			}
			pred = IRI(iri)
		}
		for {
			o, err := p.object()
			if err != nil {
				return err
			}
			if err := p.add(s, pred, o); err != nil {
				return err
			}
			p.ws()
			if p.peek() != ',' {
				break
			}
			p.i++
		}
		// One or more ';' may end a predicate-object list.
		p.ws()
		if p.peek() != ';' {
			return nil
		}
		for p.peek() == ';' {
			p.i++
			p.ws()
		}
		if c := p.peek(); c == '.' || c == ']' || c == 0 {
			return nil
		}
	}
}

func (p *turtle) object() (Term, error) {
	p.ws()
	switch c := p.peek(); {
	case c == '[':
		s, _, err := p.blankNodeList()
		return s, err
	case c == '(':
		return p.collection()
	case c == '_' && strings.HasPrefix(p.s[p.i:], "_:"):
		return p.blankLabel()
	case c == '"' || c == '\'':
		return p.literal()
	case c == '+' || c == '-' || c == '.' || ('0' <= c && c <= '9'):
		return p.number()
	case p.keyword("true", false):
		return Typed("true", XSD+"boolean"), nil
	case p.keyword("false", false):
		return Typed("false", XSD+"boolean"), nil
	}
	iri, err := p.iri()
	return IRI(iri), err
}

func (p *turtle) nest() error {
	p.depth++
	if p.depth > maxDepth {
		return fmt.Errorf("nesting deeper than %d", maxDepth)
	}
	return nil
}

// blankNodeList reads [ … ] and returns its node and whether it was empty.
func (p *turtle) blankNodeList() (Term, bool, error) {
	if err := p.nest(); err != nil {
		return Term{}, false, err
	}
	defer func() { p.depth-- }()
	p.i++ // '['
	s := p.blank.fresh()
	p.ws()
	if p.peek() == ']' {
		p.i++
		return s, true, nil
	}
	if err := p.predicateObjects(s); err != nil {
		return Term{}, false, err
	}
	return s, false, p.expect(']')
}

func (p *turtle) collection() (Term, error) {
	if err := p.nest(); err != nil {
		return Term{}, err
	}
	defer func() { p.depth-- }()
	p.i++ // '('
	var items []Term
	for {
		p.ws()
		if p.peek() == ')' {
			p.i++
			break
		}
		if p.i >= len(p.s) {
			return Term{}, p.unexpected("')'")
		}
		o, err := p.object()
		if err != nil {
			return Term{}, err
		}
		items = append(items, o)
	}
	head := IRI(RDF + "nil")
	for i := len(items) - 1; i >= 0; i-- {
		n := p.blank.fresh()
		if err := p.add(n, IRI(RDF+"first"), items[i]); err != nil {
			return Term{}, err
		}
		if err := p.add(n, IRI(RDF+"rest"), head); err != nil {
			return Term{}, err
		}
		head = n
	}
	return head, nil
}

func (p *turtle) blankLabel() (Term, error) {
	p.i += 2
	j := p.i
	for p.i < len(p.s) && (isNameChar(p.s[p.i]) && p.s[p.i] != ':' || p.s[p.i] == '.' && p.i+1 < len(p.s) && isNameChar(p.s[p.i+1])) {
		p.i++
	}
	if p.i == j {
		return Term{}, p.unexpected("a blank node label")
	}
	return p.blank.named(p.s[j:p.i]), nil
}

// iri reads an IRI reference or a prefixed name.
func (p *turtle) iri() (string, error) {
	p.ws()
	if p.peek() == '<' {
		return p.iriRef()
	}
	j := p.i
	for p.i < len(p.s) && p.s[p.i] != ':' && isNameChar(p.s[p.i]) || p.i < len(p.s) && p.s[p.i] == '.' && p.i > j && p.i+1 < len(p.s) && isNameChar(p.s[p.i+1]) && p.s[p.i+1] != ':' {
		p.i++
	}
	if p.peek() != ':' {
		p.i = j
		return "", p.unexpected("an IRI")
	}
	prefix := p.s[j:p.i]
	ns, ok := p.prefixes[prefix]
	if !ok {
		return "", fmt.Errorf("undeclared prefix %q", prefix)
	}
	p.i++
	local, err := p.localName()
	return ns + local, err
}

// localName reads PN_LOCAL with its escapes and %XX (kept as written).
func (p *turtle) localName() (string, error) {
	var b strings.Builder
	for p.i < len(p.s) {
		c := p.s[p.i]
		switch {
		case c == '\\' && p.i+1 < len(p.s) && strings.IndexByte("_~.-!$&'()*+,;=/?#@%", p.s[p.i+1]) >= 0:
			b.WriteByte(p.s[p.i+1])
			p.i += 2
		case c == '%' && p.i+2 < len(p.s) && isHex(p.s[p.i+1]) && isHex(p.s[p.i+2]):
			b.WriteString(p.s[p.i : p.i+3])
			p.i += 3
		case c == '.':
			// A dot inside a name, never at its end.
			if p.i+1 < len(p.s) && (isNameChar(p.s[p.i+1]) || p.s[p.i+1] == '%' || p.s[p.i+1] == '\\') {
				b.WriteByte(c)
				p.i++
				continue
			}
			return b.String(), nil
		case isNameChar(c):
			b.WriteByte(c)
			p.i++
		default:
			return b.String(), nil
		}
	}
	return b.String(), nil
}

func isHex(c byte) bool { return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F' }

// iriRef reads <…>, unescapes \u and \U, and resolves it against the base.
func (p *turtle) iriRef() (string, error) {
	if p.peek() != '<' {
		return "", p.unexpected("'<'")
	}
	p.i++
	var b strings.Builder
	for {
		if p.i >= len(p.s) {
			return "", p.unexpected("'>'")
		}
		c := p.s[p.i]
		switch {
		case c == '>':
			p.i++
			return resolve(p.base, b.String()), nil
		case c == '\\':
			r, err := p.uchar()
			if err != nil {
				return "", err
			}
			b.WriteRune(r)
		case c <= ' ' || strings.IndexByte("<\"{}|^`", c) >= 0:
			return "", fmt.Errorf("character %q not allowed in an IRI", c)
		default:
			b.WriteByte(c)
			p.i++
		}
	}
}

// uchar reads \uXXXX or \UXXXXXXXX at p.i.
func (p *turtle) uchar() (rune, error) {
	if p.i+1 >= len(p.s) {
		return 0, p.unexpected("an escape")
	}
	n := 0
	switch p.s[p.i+1] {
	case 'u':
		n = 4
	case 'U':
		n = 8
	default:
		return 0, fmt.Errorf("bad escape \\%c", p.s[p.i+1])
	}
	if p.i+2+n > len(p.s) {
		return 0, p.unexpected("hex digits")
	}
	v, err := strconv.ParseUint(p.s[p.i+2:p.i+2+n], 16, 32)
	if err != nil || v > utf8.MaxRune {
		return 0, fmt.Errorf("bad escape %s", p.s[p.i:p.i+2+n])
	}
	p.i += 2 + n
	return rune(v), nil
}

// resolve makes ref absolute against base, when both parse.
func resolve(base, ref string) string {
	if base == "" {
		return ref
	}
	if r, err := url.Parse(ref); err == nil && r.IsAbs() {
		return ref
	}
	b, err := url.Parse(base)
	if err != nil {
		return ref
	}
	r, err := url.Parse(ref)
	if err != nil {
		return ref
	}
	out := b.ResolveReference(r).String()
	if strings.HasSuffix(ref, "#") && !strings.HasSuffix(out, "#") {
		out += "#" // an empty fragment matters in a namespace
	}
	return out
}

func (p *turtle) literal() (Term, error) {
	v, err := p.str()
	if err != nil {
		return Term{}, err
	}
	switch p.peek() {
	case '@':
		p.i++
		j := p.i
		for p.i < len(p.s) && (isAlnum(p.s[p.i]) || p.s[p.i] == '-' && p.i > j) {
			p.i++
		}
		if p.i == j {
			return Term{}, p.unexpected("a language tag")
		}
		return LangLiteral(v, p.s[j:p.i]), nil
	case '^':
		if !strings.HasPrefix(p.s[p.i:], "^^") {
			return Term{}, p.unexpected("'^^'")
		}
		p.i += 2
		dt, err := p.iri()
		if err != nil {
			return Term{}, err
		}
		return Typed(v, dt), nil
	}
	return Literal(v), nil
}

func isAlnum(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}

// str reads a short or long string in either quote.
func (p *turtle) str() (string, error) {
	q := p.s[p.i]
	long := strings.HasPrefix(p.s[p.i:], strings.Repeat(string(q), 3))
	if long {
		p.i += 3
	} else {
		p.i++
	}
	var b strings.Builder
	for {
		if p.i >= len(p.s) {
			return "", p.unexpected("the end of the string")
		}
		c := p.s[p.i]
		switch {
		case long && strings.HasPrefix(p.s[p.i:], strings.Repeat(string(q), 3)):
			p.i += 3
			// """a"""" ends with a quote inside: quotes past three belong to the string.
			for p.i < len(p.s) && p.s[p.i] == q {
				b.WriteByte(q)
				p.i++
			}
			return b.String(), nil
		case !long && c == q:
			p.i++
			return b.String(), nil
		case !long && (c == '\n' || c == '\r'):
			return "", fmt.Errorf("line break in a short string")
		case c == '\\':
			if err := p.escape(&b); err != nil {
				return "", err
			}
		default:
			b.WriteByte(c)
			p.i++
		}
	}
}

func (p *turtle) escape(b *strings.Builder) error {
	if p.i+1 >= len(p.s) {
		return p.unexpected("an escape")
	}
	if c := p.s[p.i+1]; c == 'u' || c == 'U' {
		r, err := p.uchar()
		if err != nil {
			return err
		}
		b.WriteRune(r)
		return nil
	}
	r, ok := map[byte]byte{'t': '\t', 'b': '\b', 'n': '\n', 'r': '\r', 'f': '\f', '"': '"', '\'': '\'', '\\': '\\'}[p.s[p.i+1]]
	if !ok {
		return fmt.Errorf("bad escape \\%c", p.s[p.i+1])
	}
	b.WriteByte(r)
	p.i += 2
	return nil
}

// number reads an integer, decimal or double.
func (p *turtle) number() (Term, error) {
	j := p.i
	if c := p.peek(); c == '+' || c == '-' {
		p.i++
	}
	digits := func() int {
		k := p.i
		for p.i < len(p.s) && '0' <= p.s[p.i] && p.s[p.i] <= '9' {
			p.i++
		}
		return p.i - k
	}
	n := digits()
	dt := XSD + "integer"
	if p.peek() == '.' && p.i+1 < len(p.s) && '0' <= p.s[p.i+1] && p.s[p.i+1] <= '9' {
		p.i++
		n += digits()
		dt = XSD + "decimal"
	}
	if n == 0 {
		p.i = j
		return Term{}, p.unexpected("a number")
	}
	if c := p.peek(); c == 'e' || c == 'E' {
		p.i++
		if c := p.peek(); c == '+' || c == '-' {
			p.i++
		}
		if digits() == 0 {
			return Term{}, p.unexpected("an exponent")
		}
		dt = XSD + "double"
	}
	return Typed(p.s[j:p.i], dt), nil
}
