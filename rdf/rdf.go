// Package rdf is the small RDF 1.1 model Socle needs to publish its catalog
// as DCAT-AP and to harvest other catalogs: terms, triples, a graph with
// lookups, and the namespaces of the vocabularies involved. Serialisers
// (Turtle, RDF/XML, JSON-LD, N-Triples) live in write_*.go, parsers in
// parse_*.go; both work on this model only, so a graph written by one can
// be read back by the other.
package rdf

import "strings"

// Kind tells which of the three RDF term kinds a Term is.
type Kind uint8

// The term kinds.
const (
	IRIKind Kind = iota + 1
	BlankKind
	LiteralKind
)

// Term is an IRI, a blank node or a literal. The zero Term is invalid.
type Term struct {
	Kind Kind
	// Value is the IRI, the blank node label (without "_:") or the
	// literal's lexical form.
	Value string
	// Datatype is the literal's datatype IRI ("" means xsd:string, or
	// rdf:langString when Lang is set).
	Datatype string
	// Lang is the literal's language tag, lower-cased.
	Lang string
}

// IRI returns an IRI term.
func IRI(v string) Term { return Term{Kind: IRIKind, Value: v} }

// Blank returns a blank node term with the given label.
func Blank(label string) Term { return Term{Kind: BlankKind, Value: label} }

// Literal returns a plain (xsd:string) literal.
func Literal(v string) Term { return Term{Kind: LiteralKind, Value: v} }

// LangLiteral returns a language-tagged literal.
func LangLiteral(v, lang string) Term {
	return Term{Kind: LiteralKind, Value: v, Lang: strings.ToLower(lang)}
}

// Typed returns a literal of the given datatype IRI.
func Typed(v, datatype string) Term {
	if datatype == XSD+"string" {
		datatype = ""
	}
	return Term{Kind: LiteralKind, Value: v, Datatype: datatype}
}

// IsIRI, IsBlank and IsLiteral report the term's kind.
func (t Term) IsIRI() bool     { return t.Kind == IRIKind }
func (t Term) IsBlank() bool   { return t.Kind == BlankKind }
func (t Term) IsLiteral() bool { return t.Kind == LiteralKind }

// Triple is one statement. Subject is an IRI or a blank node, Predicate an
// IRI, Object any term.
type Triple struct {
	S, P, O Term
}

// Graph is an ordered list of triples. Order is kept so that serialisations
// are deterministic (golden files); duplicates are the caller's concern.
type Graph struct {
	Triples []Triple
}

// Add appends a triple.
func (g *Graph) Add(s, p, o Term) { g.Triples = append(g.Triples, Triple{s, p, o}) }

// Objects returns the objects of (s, p, ?) in order.
func (g *Graph) Objects(s Term, p string) []Term {
	var out []Term
	for _, t := range g.Triples {
		if t.S == s && t.P.Value == p {
			out = append(out, t.O)
		}
	}
	return out
}

// Object returns the first object of (s, p, ?), if any.
func (g *Graph) Object(s Term, p string) (Term, bool) {
	for _, t := range g.Triples {
		if t.S == s && t.P.Value == p {
			return t.O, true
		}
	}
	return Term{}, false
}

// SubjectsOfType returns, in order and once each, the subjects with
// rdf:type class.
func (g *Graph) SubjectsOfType(class string) []Term {
	var out []Term
	seen := map[Term]bool{}
	for _, t := range g.Triples {
		if t.P.Value == RDF+"type" && t.O.IsIRI() && t.O.Value == class && !seen[t.S] {
			seen[t.S] = true
			out = append(out, t.S)
		}
	}
	return out
}

// Namespaces of the vocabularies DCAT-AP uses.
const (
	RDF     = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
	RDFS    = "http://www.w3.org/2000/01/rdf-schema#"
	XSD     = "http://www.w3.org/2001/XMLSchema#"
	DCAT    = "http://www.w3.org/ns/dcat#"
	DCT     = "http://purl.org/dc/terms/"
	FOAF    = "http://xmlns.com/foaf/0.1/"
	VCARD   = "http://www.w3.org/2006/vcard/ns#"
	ADMS    = "http://www.w3.org/ns/adms#"
	LOCN    = "http://www.w3.org/ns/locn#"
	GSP     = "http://www.opengis.net/ont/geosparql#"
	SKOS    = "http://www.w3.org/2004/02/skos/core#"
	HYDRA   = "http://www.w3.org/ns/hydra/core#"
	OWL     = "http://www.w3.org/2002/07/owl#"
	SPDX    = "http://spdx.org/rdf/terms#"
	PROV    = "http://www.w3.org/ns/prov#"
	DCATAP  = "http://data.europa.eu/r5r/"
	EUTheme = "http://publications.europa.eu/resource/authority/data-theme/"
	EUFile  = "http://publications.europa.eu/resource/authority/file-type/"
	EUFreq  = "http://publications.europa.eu/resource/authority/frequency/"
	EULang  = "http://publications.europa.eu/resource/authority/language/"
	EUAcc   = "http://publications.europa.eu/resource/authority/access-right/"
)

// Prefixes maps the usual prefix of each namespace above, for the Turtle
// writer and for readers of the output.
var Prefixes = map[string]string{
	"rdf": RDF, "rdfs": RDFS, "xsd": XSD, "dcat": DCAT, "dct": DCT, "foaf": FOAF,
	"vcard": VCARD, "adms": ADMS, "locn": LOCN, "gsp": GSP, "skos": SKOS,
	"hydra": HYDRA, "owl": OWL, "spdx": SPDX, "prov": PROV, "dcatap": DCATAP,
}
