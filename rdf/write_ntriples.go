package rdf

import (
	"bufio"
	"fmt"
	"io"
	"regexp"
	"strings"
)

// WriteNTriples writes g as N-Triples (RDF 1.1), one triple per line in the
// graph's order, duplicates once.
func WriteNTriples(w io.Writer, g *Graph) error {
	bw := bufio.NewWriter(w)
	seen := map[Triple]bool{}
	for _, t := range g.Triples {
		if seen[t] {
			continue
		}
		seen[t] = true
		if err := checkTriple(t); err != nil {
			return err
		}
		bw.WriteString(ntTerm(t.S) + " " + ntTerm(t.P) + " " + ntTerm(t.O) + " .\n")
	}
	return bw.Flush()
}

// checkGraph checks every triple of g with checkTriple.
func checkGraph(g *Graph) error {
	for _, t := range g.Triples {
		if err := checkTriple(t); err != nil {
			return err
		}
	}
	return nil
}

// checkTriple refuses what no syntax can write: a literal subject, a
// predicate that is not an IRI, an invalid term.
func checkTriple(t Triple) error {
	if !t.S.IsIRI() && !t.S.IsBlank() {
		return fmt.Errorf("rdf: subject %q is not an IRI or a blank node", t.S.Value)
	}
	if !t.P.IsIRI() {
		return fmt.Errorf("rdf: predicate %q is not an IRI", t.P.Value)
	}
	if t.O.Kind < IRIKind || t.O.Kind > LiteralKind {
		return fmt.Errorf("rdf: invalid object term after %s", t.P.Value)
	}
	if t.O.Lang != "" && !langTag.MatchString(t.O.Lang) {
		return fmt.Errorf("rdf: invalid language tag %q", t.O.Lang)
	}
	return nil
}

// langTag is the BCP 47 shape every syntax accepts.
var langTag = regexp.MustCompile(`^[a-z]{1,8}(-[a-z0-9]{1,8})*$`)

// ntTerm writes a term in N-Triples form (also valid Turtle).
func ntTerm(t Term) string {
	switch t.Kind {
	case IRIKind:
		return "<" + iriEscape(t.Value) + ">"
	case BlankKind:
		return "_:" + blankLabel(t.Value)
	}
	s := `"` + escapeString(t.Value) + `"`
	switch {
	case t.Lang != "":
		return s + "@" + t.Lang
	case t.Datatype != "":
		return s + "^^<" + iriEscape(t.Datatype) + ">"
	}
	return s
}

// escapeString escapes a literal's lexical form for Turtle and N-Triples
// double-quoted strings: ECHARs for the usual controls, \u for the rest.
// Invalid UTF-8 becomes U+FFFD.
func escapeString(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '\\':
			b.WriteString(`\\`)
		case '"':
			b.WriteString(`\"`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		case '\b':
			b.WriteString(`\b`)
		case '\f':
			b.WriteString(`\f`)
		default:
			if r < 0x20 || r == 0x7f {
				fmt.Fprintf(&b, `\u%04X`, r)
			} else {
				b.WriteRune(r)
			}
		}
	}
	return b.String()
}
