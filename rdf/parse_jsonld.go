package rdf

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
)

// ParseJSONLD reads the JSON-LD that catalogs publish: node objects
// (compacted or expanded) with inline @context definitions (prefixes,
// terms with @id, @type coercion to @id/@vocab or a datatype, @container
// @list, @language), @vocab, @base, @graph (every graph's triples go into
// the one Graph), @id, @type, value objects, @list, nested and scoped
// contexts. Keys that expand to no absolute IRI are dropped, as JSON-LD
// does. Remote @context documents are never fetched: a harvester must not
// make requests on a document's behalf, outside its limits; such a
// document is refused with an error naming the context. Blank nodes are
// renamed b1, b2… in order.
//
// It is written here rather than taken from github.com/piprate/json-gold
// because that module's own dependencies (cayleygraph/quad,
// pquerna/cachecontrol) are not in go.sum.
func ParseJSONLD(r io.Reader, base string) (*Graph, error) {
	dec := json.NewDecoder(r)
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("json-ld: %w", err)
	}
	p := &jsonld{blank: newBlanks(), g: &Graph{}}
	c := &ldContext{base: base, terms: map[string]ldTerm{}}
	if err := p.top(doc, c); err != nil {
		return nil, fmt.Errorf("json-ld: %w", err)
	}
	return p.g, nil
}

type jsonld struct {
	blank *blanks
	g     *Graph
	depth int
}

// ldTerm is a term definition.
type ldTerm struct {
	id        string
	typ       string // "@id", "@vocab", a datatype IRI, or ""
	container string
	lang      *string
}

// ldContext is the active context.
type ldContext struct {
	base, vocab, lang string
	terms             map[string]ldTerm
}

func (c *ldContext) clone() *ldContext {
	n := *c
	n.terms = make(map[string]ldTerm, len(c.terms))
	for k, v := range c.terms {
		n.terms[k] = v
	}
	return &n
}

// apply returns the context with def (an object, array, string or null)
// applied.
func (c *ldContext) apply(def any) (*ldContext, error) {
	switch d := def.(type) {
	case nil:
		return &ldContext{base: c.base, terms: map[string]ldTerm{}}, nil
	case string:
		return nil, fmt.Errorf("remote context %s is not fetched: inline the @context", d)
	case []any:
		var err error
		for _, e := range d {
			if c, err = c.apply(e); err != nil {
				return nil, err
			}
		}
		return c, nil
	case map[string]any:
		n := c.clone()
		if v, ok := d["@base"].(string); ok {
			n.base = resolve(c.base, v)
		}
		if v, ok := d["@vocab"].(string); ok {
			n.vocab = n.expand(v, true)
		}
		if v, ok := d["@language"].(string); ok {
			n.lang = v
		}
		// Two passes: terms may use prefixes defined in the same context.
		for pass := 0; pass < 2; pass++ {
			for k, v := range d {
				if strings.HasPrefix(k, "@") {
					continue
				}
				t, err := n.define(k, v)
				if err != nil {
					return nil, err
				}
				n.terms[k] = t
			}
		}
		return n, nil
	}
	return nil, fmt.Errorf("invalid @context of type %T", def)
}

func (c *ldContext) define(k string, v any) (ldTerm, error) {
	switch d := v.(type) {
	case string:
		return ldTerm{id: c.expand(d, true)}, nil
	case nil:
		return ldTerm{}, nil
	case map[string]any:
		t := ldTerm{}
		if id, ok := d["@id"].(string); ok {
			t.id = c.expand(id, true)
		} else {
			t.id = c.expandNew(k)
		}
		if typ, ok := d["@type"].(string); ok {
			if typ == "@id" || typ == "@vocab" {
				t.typ = typ
			} else {
				t.typ = c.expand(typ, true)
			}
		}
		if ct, ok := d["@container"].(string); ok {
			t.container = ct
		}
		if l, ok := d["@language"]; ok {
			s, _ := l.(string)
			t.lang = &s
		}
		return t, nil
	}
	return ldTerm{}, fmt.Errorf("invalid definition of term %q", k)
}

// expandNew expands a term defined without @id: a compact IRI or the vocab.
func (c *ldContext) expandNew(k string) string { return c.expand(k, true) }

// expand turns a term, compact IRI, or IRI into an absolute IRI; vocab
// tells whether a bare name is relative to @vocab (keys, types) or to
// @base (@id values).
func (c *ldContext) expand(v string, vocab bool) string {
	if strings.HasPrefix(v, "@") {
		return v
	}
	if vocab {
		if t, ok := c.terms[v]; ok && t.id != "" {
			return t.id
		}
	}
	if prefix, local, ok := strings.Cut(v, ":"); ok {
		if prefix == "_" || strings.HasPrefix(local, "//") {
			return v
		}
		if t, ok := c.terms[prefix]; ok && t.id != "" {
			return t.id + local
		}
		return v // an absolute IRI of another scheme
	}
	if vocab && c.vocab != "" {
		return c.vocab + v
	}
	if vocab {
		return "" // no IRI: dropped
	}
	return resolve(c.base, v)
}

func (p *jsonld) add(s, pr, o Term) error {
	if len(p.g.Triples) >= maxTriples {
		return fmt.Errorf("more than %d triples", maxTriples)
	}
	p.g.Add(s, pr, o)
	return nil
}

func (p *jsonld) nest() error {
	p.depth++
	if p.depth > maxDepth {
		return fmt.Errorf("nesting deeper than %d", maxDepth)
	}
	return nil
}

// top reads the document: a node, an array of nodes, or a @graph.
func (p *jsonld) top(doc any, c *ldContext) error {
	switch d := doc.(type) {
	case []any:
		for _, e := range d {
			if err := p.top(e, c); err != nil {
				return err
			}
		}
		return nil
	case map[string]any:
		_, err := p.node(d, c)
		return err
	}
	return fmt.Errorf("the document is a %T, not an object or array", doc)
}

// node reads a node object and returns its subject.
func (p *jsonld) node(m map[string]any, c *ldContext) (Term, error) {
	if err := p.nest(); err != nil {
		return Term{}, err
	}
	defer func() { p.depth-- }()
	if def, ok := m["@context"]; ok {
		var err error
		if c, err = c.apply(def); err != nil {
			return Term{}, err
		}
	}
	s := p.blank.fresh
	var subj Term
	if id, ok := m["@id"].(string); ok {
		subj = p.idTerm(id, c)
	}
	only := true
	for k := range m {
		only = only && (k == "@context" || k == "@graph")
	}
	if g, ok := m["@graph"]; ok {
		list, _ := g.([]any)
		if obj, ok := g.(map[string]any); ok {
			list = []any{obj}
		}
		for _, e := range list {
			if n, ok := e.(map[string]any); ok {
				if _, err := p.node(n, c); err != nil {
					return Term{}, err
				}
			}
		}
		if only {
			return Term{}, nil
		}
	}
	if subj.Kind == 0 {
		subj = s()
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys) // JSON objects are unordered; triples come in key order
	for _, k := range keys {
		if err := p.member(subj, k, m[k], c); err != nil {
			return Term{}, err
		}
	}
	return subj, nil
}

func (p *jsonld) idTerm(id string, c *ldContext) Term {
	if strings.HasPrefix(id, "_:") {
		return p.blank.named(id[2:])
	}
	return IRI(c.expand(id, false))
}

// member adds the triples of one key of a node object.
func (p *jsonld) member(s Term, k string, v any, c *ldContext) error {
	switch k {
	case "@context", "@id", "@graph", "@index", "@reverse", "@nest":
		return nil
	case "@type":
		for _, t := range asList(v) {
			if ts, ok := t.(string); ok {
				iri := c.expand(ts, true)
				if ts != "" && iri == "" {
					iri = resolve(c.base, ts)
				}
				if err := p.add(s, IRI(RDF+"type"), p.typeTerm(iri)); err != nil {
					return err
				}
			}
		}
		return nil
	}
	pred := c.expand(k, true)
	if pred == "" || strings.HasPrefix(pred, "@") || !strings.Contains(pred, ":") {
		return nil // not an IRI: dropped
	}
	def := c.terms[k]
	if def.container == "@list" {
		if m, ok := v.(map[string]any); !ok || m["@list"] == nil {
			v = map[string]any{"@list": v}
		}
	}
	for _, e := range asList(v) {
		o, ok, err := p.value(e, def, c)
		if err != nil {
			return err
		}
		if ok {
			if err := p.add(s, IRI(pred), o); err != nil {
				return err
			}
		}
	}
	return nil
}

func (p *jsonld) typeTerm(iri string) Term {
	if strings.HasPrefix(iri, "_:") {
		return p.blank.named(iri[2:])
	}
	return IRI(iri)
}

func asList(v any) []any {
	if l, ok := v.([]any); ok {
		return l
	}
	return []any{v}
}

// value turns one JSON value of a property into a term; ok is false for
// nulls and values that make no triple.
func (p *jsonld) value(v any, def ldTerm, c *ldContext) (Term, bool, error) {
	switch x := v.(type) {
	case nil:
		return Term{}, false, nil
	case string:
		switch def.typ {
		case "@id":
			return p.idTerm(x, c), true, nil
		case "@vocab":
			return IRI(c.expand(x, true)), true, nil
		case "":
			lang := c.lang
			if def.lang != nil {
				lang = *def.lang
			}
			if lang != "" {
				return LangLiteral(x, lang), true, nil
			}
			return Literal(x), true, nil
		}
		return Typed(x, def.typ), true, nil
	case bool:
		return Typed(strconv.FormatBool(x), XSD+"boolean"), true, nil
	case json.Number:
		return p.number(x, def), true, nil
	case map[string]any:
		if val, ok := x["@value"]; ok {
			return p.valueObject(val, x, c)
		}
		if l, ok := x["@list"]; ok {
			return p.list(asList(l), def, c)
		}
		if len(x) == 1 && x["@id"] != nil {
			if id, ok := x["@id"].(string); ok {
				return p.idTerm(id, c), true, nil
			}
		}
		t, err := p.node(x, c)
		return t, t.Kind != 0, err
	case []any: // a list of lists
		return p.list(x, def, c)
	}
	return Term{}, false, fmt.Errorf("unexpected value %T", v)
}

func (p *jsonld) number(n json.Number, def ldTerm) Term {
	if def.typ != "" && def.typ != "@id" && def.typ != "@vocab" {
		return Typed(n.String(), def.typ)
	}
	if i, err := n.Int64(); err == nil {
		return Typed(strconv.FormatInt(i, 10), XSD+"integer")
	}
	f, _ := n.Float64()
	if f == math.Trunc(f) && math.Abs(f) < 1e21 {
		return Typed(strconv.FormatFloat(f, 'f', 0, 64), XSD+"integer")
	}
	mant, exp, _ := strings.Cut(strconv.FormatFloat(f, 'E', -1, 64), "E")
	e, _ := strconv.Atoi(exp)
	if !strings.Contains(mant, ".") {
		mant += ".0"
	}
	return Typed(mant+"E"+strconv.Itoa(e), XSD+"double") // the canonical form, 1.5E0
}

func (p *jsonld) valueObject(val any, x map[string]any, c *ldContext) (Term, bool, error) {
	typ, _ := x["@type"].(string)
	if typ != "" {
		typ = c.expand(typ, true)
	}
	lang, hasLang := x["@language"].(string)
	switch v := val.(type) {
	case nil:
		return Term{}, false, nil
	case string:
		if typ != "" {
			return Typed(v, typ), true, nil
		}
		if hasLang {
			return LangLiteral(v, lang), true, nil
		}
		return Literal(v), true, nil
	case bool:
		return p.value(v, ldTerm{typ: typ}, c)
	case json.Number:
		return p.number(v, ldTerm{typ: typ}), true, nil
	}
	return Term{}, false, fmt.Errorf("invalid @value %T", val)
}

// list builds an rdf:first/rest list of the items.
func (p *jsonld) list(items []any, def ldTerm, c *ldContext) (Term, bool, error) {
	if err := p.nest(); err != nil {
		return Term{}, false, err
	}
	defer func() { p.depth-- }()
	def.container = ""
	var terms []Term
	for _, it := range items {
		t, ok, err := p.value(it, def, c)
		if err != nil {
			return Term{}, false, err
		}
		if ok {
			terms = append(terms, t)
		}
	}
	head := IRI(RDF + "nil")
	for i := len(terms) - 1; i >= 0; i-- {
		n := p.blank.fresh()
		if err := p.add(n, IRI(RDF+"first"), terms[i]); err != nil {
			return Term{}, false, err
		}
		if err := p.add(n, IRI(RDF+"rest"), head); err != nil {
			return Term{}, false, err
		}
		head = n
	}
	return head, true, nil
}
