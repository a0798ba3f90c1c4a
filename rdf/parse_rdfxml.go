package rdf

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// XMLNS is the XML namespace (xml:lang, xml:base).
const XMLNS = "http://www.w3.org/XML/1998/namespace"

// ParseRDFXML reads an RDF/XML document: rdf:RDF or a single node element
// at the root; node elements typed by their name or rdf:Description, named
// by rdf:about, rdf:ID or rdf:nodeID; property attributes; property
// elements with rdf:resource, rdf:nodeID, rdf:datatype, xml:lang,
// rdf:parseType="Resource", "Collection" and "Literal" (kept as its text),
// nested node elements and rdf:li; xml:base. Blank nodes are renamed b1,
// b2… in order.
func ParseRDFXML(r io.Reader, base string) (*Graph, error) {
	root, err := readXMLTree(r)
	if err != nil {
		return nil, fmt.Errorf("rdf/xml: %w", err)
	}
	p := &rdfxml{blank: newBlanks(), g: &Graph{}}
	root.inherit(base, "")
	if root.name.Space == RDF && root.name.Local == "RDF" {
		for _, c := range root.children {
			if _, err := p.node(c); err != nil {
				return nil, fmt.Errorf("rdf/xml: %w", err)
			}
		}
	} else if _, err := p.node(root); err != nil {
		return nil, fmt.Errorf("rdf/xml: %w", err)
	}
	return p.g, nil
}

// xmlElem is an element of the document with its in-scope base and lang.
type xmlElem struct {
	name       xml.Name
	attrs      []xml.Attr
	children   []*xmlElem
	text       strings.Builder
	base, lang string
	line       int
}

func (e *xmlElem) attr(space, local string) (string, bool) {
	for _, a := range e.attrs {
		if a.Name.Space == space && a.Name.Local == local {
			return a.Value, true
		}
	}
	return "", false
}

// inherit sets base and lang from the parent's and the element's own
// xml:base and xml:lang, recursively.
func (e *xmlElem) inherit(base, lang string) {
	if b, ok := e.attr(XMLNS, "base"); ok {
		base = resolve(base, b)
	}
	if l, ok := e.attr(XMLNS, "lang"); ok {
		lang = l
	}
	e.base, e.lang = base, lang
	for _, c := range e.children {
		c.inherit(base, lang)
	}
}

// readXMLTree reads the document into a tree, at most maxDepth deep.
func readXMLTree(r io.Reader) (*xmlElem, error) {
	src, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	dec := xml.NewDecoder(bytes.NewReader(src))
	var stack []*xmlElem
	var root *xmlElem
	// line counts newlines from the last position only: linear in the document.
	lastOff, lastLine := int64(0), 1
	line := func() int {
		off := dec.InputOffset()
		lastLine += bytes.Count(src[lastOff:off], []byte("\n"))
		lastOff = off
		return lastLine
	}
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		} else if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if len(stack) >= maxDepth {
				return nil, fmt.Errorf("line %d: nesting deeper than %d", line(), maxDepth)
			}
			e := &xmlElem{name: t.Name, attrs: t.Attr, line: line()}
			if len(stack) == 0 {
				if root != nil {
					return nil, fmt.Errorf("line %d: a second root element", e.line)
				}
				root = e
			} else {
				p := stack[len(stack)-1]
				p.children = append(p.children, e)
			}
			stack = append(stack, e)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) > 0 {
				stack[len(stack)-1].text.Write(t)
			}
		}
	}
	if root == nil {
		return nil, fmt.Errorf("no root element")
	}
	return root, nil
}

type rdfxml struct {
	blank *blanks
	g     *Graph
}

func (p *rdfxml) add(s, pr, o Term) error {
	if len(p.g.Triples) >= maxTriples {
		return fmt.Errorf("more than %d triples", maxTriples)
	}
	p.g.Add(s, pr, o)
	return nil
}

// isSyntax reports rdf: and xml: attributes that are not property attributes.
func isSyntax(n xml.Name) bool {
	if n.Space == XMLNS || n.Space == "xmlns" || n.Space == "" && (n.Local == "xmlns" || strings.HasPrefix(n.Local, "xml")) {
		return true
	}
	if n.Space == RDF {
		switch n.Local {
		case "about", "ID", "nodeID", "resource", "datatype", "parseType", "bagID", "aboutEach", "aboutEachPrefix":
			return true
		}
	}
	return false
}

// subject names a node element.
func (p *rdfxml) subject(e *xmlElem) (Term, error) {
	about, hasAbout := e.attr(RDF, "about")
	id, hasID := e.attr(RDF, "ID")
	node, hasNode := e.attr(RDF, "nodeID")
	switch {
	case btoi(hasAbout)+btoi(hasID)+btoi(hasNode) > 1:
		return Term{}, fmt.Errorf("line %d: rdf:about, rdf:ID and rdf:nodeID are exclusive", e.line)
	case hasAbout:
		return IRI(resolve(e.base, about)), nil
	case hasID:
		return IRI(resolve(e.base, "#"+id)), nil
	case hasNode:
		return p.blank.named(node), nil
	}
	return p.blank.fresh(), nil
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// node reads a node element and returns its subject.
func (p *rdfxml) node(e *xmlElem) (Term, error) {
	s, err := p.subject(e)
	if err != nil {
		return Term{}, err
	}
	if e.name.Space == "" {
		return Term{}, fmt.Errorf("line %d: element <%s> has no namespace", e.line, e.name.Local)
	}
	if !(e.name.Space == RDF && e.name.Local == "Description") {
		if err := p.add(s, IRI(RDF+"type"), IRI(e.name.Space+e.name.Local)); err != nil {
			return Term{}, err
		}
	}
	if err := p.propertyAttrs(s, e); err != nil {
		return Term{}, err
	}
	li := 0
	for _, c := range e.children {
		if err := p.property(s, c, &li); err != nil {
			return Term{}, err
		}
	}
	return s, nil
}

func (p *rdfxml) propertyAttrs(s Term, e *xmlElem) error {
	for _, a := range e.attrs {
		if isSyntax(a.Name) || a.Name.Space == "" {
			continue
		}
		var o Term
		if a.Name.Space == RDF && a.Name.Local == "type" {
			o = IRI(resolve(e.base, a.Value))
		} else {
			o = p.literal(a.Value, "", e.lang)
		}
		if err := p.add(s, IRI(a.Name.Space+a.Name.Local), o); err != nil {
			return err
		}
	}
	return nil
}

func (p *rdfxml) literal(v, datatype, lang string) Term {
	if datatype != "" {
		return Typed(v, datatype)
	}
	if lang != "" {
		return LangLiteral(v, lang)
	}
	return Literal(v)
}

// property reads a property element of subject s.
func (p *rdfxml) property(s Term, e *xmlElem, li *int) error {
	if e.name.Space == "" {
		return fmt.Errorf("line %d: element <%s> has no namespace", e.line, e.name.Local)
	}
	pred := IRI(e.name.Space + e.name.Local)
	if e.name.Space == RDF && e.name.Local == "li" {
		*li++
		pred = IRI(RDF + "_" + strconv.Itoa(*li))
	}
	o, err := p.object(e)
	if err != nil {
		return err
	}
	if err := p.add(s, pred, o); err != nil {
		return err
	}
	if id, ok := e.attr(RDF, "ID"); ok { // reification
		st := IRI(resolve(e.base, "#"+id))
		for _, t := range []Triple{{st, IRI(RDF + "type"), IRI(RDF + "Statement")}, {st, IRI(RDF + "subject"), s},
			{st, IRI(RDF + "predicate"), pred}, {st, IRI(RDF + "object"), o}} {
			if err := p.add(t.S, t.P, t.O); err != nil {
				return err
			}
		}
	}
	return nil
}

// object reads the value of a property element.
func (p *rdfxml) object(e *xmlElem) (Term, error) {
	switch pt, _ := e.attr(RDF, "parseType"); pt {
	case "Resource":
		n := p.blank.fresh()
		li := 0
		for _, c := range e.children {
			if err := p.property(n, c, &li); err != nil {
				return Term{}, err
			}
		}
		return n, nil
	case "Collection":
		var items []Term
		for _, c := range e.children {
			t, err := p.node(c)
			if err != nil {
				return Term{}, err
			}
			items = append(items, t)
		}
		head := IRI(RDF + "nil")
		for i := len(items) - 1; i >= 0; i-- {
			n := p.blank.fresh()
			p.add(n, IRI(RDF+"first"), items[i])
			if err := p.add(n, IRI(RDF+"rest"), head); err != nil {
				return Term{}, err
			}
			head = n
		}
		return head, nil
	case "Literal":
		return Typed(allText(e), RDF+"XMLLiteral"), nil
	case "":
	default:
		return Typed(allText(e), RDF+"XMLLiteral"), nil // other parse types are literals too
	}
	if len(e.children) > 1 {
		return Term{}, fmt.Errorf("line %d: property <%s> holds %d nodes, want one", e.line, e.name.Local, len(e.children))
	}
	if len(e.children) == 1 {
		return p.node(e.children[0])
	}
	res, hasRes := e.attr(RDF, "resource")
	node, hasNode := e.attr(RDF, "nodeID")
	if dt, ok := e.attr(RDF, "datatype"); ok && !hasRes && !hasNode {
		return Typed(e.text.String(), resolve(e.base, dt)), nil
	}
	var o Term
	switch {
	case hasRes && hasNode:
		return Term{}, fmt.Errorf("line %d: rdf:resource and rdf:nodeID are exclusive", e.line)
	case hasRes:
		o = IRI(resolve(e.base, res))
	case hasNode:
		o = p.blank.named(node)
	case p.hasPropertyAttrs(e):
		o = p.blank.fresh()
	default:
		return p.literal(e.text.String(), "", e.lang), nil
	}
	return o, p.propertyAttrs(o, e)
}

func (p *rdfxml) hasPropertyAttrs(e *xmlElem) bool {
	for _, a := range e.attrs {
		if !isSyntax(a.Name) && a.Name.Space != "" {
			return true
		}
	}
	return false
}

// allText is the text of e and its descendants.
func allText(e *xmlElem) string {
	var b strings.Builder
	var walk func(*xmlElem)
	walk = func(e *xmlElem) {
		b.WriteString(e.text.String())
		for _, c := range e.children {
			walk(c)
		}
	}
	walk(e)
	return b.String()
}
