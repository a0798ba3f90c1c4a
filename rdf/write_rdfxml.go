package rdf

import (
	"bufio"
	"encoding/xml"
	"fmt"
	"io"
	"strings"
)

// WriteRDFXML writes g as RDF/XML: one rdf:Description per subject, in
// first-appearance order, with its property elements in graph order.
// Predicates take the prefix prefixes (Prefixes when nil) gives their
// namespace, else a generated one (ns1, ns2…). A predicate whose IRI cannot
// end in an XML name cannot be written in RDF/XML: that is an error.
func WriteRDFXML(w io.Writer, g *Graph, prefixes map[string]string) error {
	if err := checkGraph(g); err != nil {
		return err
	}
	groups := groupBySubject(g)
	pt := newPrefixTable(prefixes)
	ns := map[string]string{"rdf": RDF} // prefix → namespace, declared on the root
	qname := map[string]string{}        // predicate IRI → qualified name
	gen := 0
	for _, sg := range groups {
		for _, pg := range sg.Props {
			if _, ok := qname[pg.P]; ok {
				continue
			}
			space, local, ok := splitIRI(pg.P)
			if !ok {
				return fmt.Errorf("rdf: predicate %q has no XML local name", pg.P)
			}
			p, ok := pt.byNS[space]
			if !ok || (ns[p] != "" && ns[p] != space) {
				if p, ok = generatedPrefix(ns, space); !ok {
					gen++
					p = fmt.Sprintf("ns%d", gen)
				}
			}
			ns[p] = space
			qname[pg.P] = p + ":" + local
		}
	}
	bw := bufio.NewWriter(w)
	bw.WriteString(xml.Header + "<rdf:RDF")
	for _, p := range sortedKeys(ns) {
		bw.WriteString("\n    xmlns:" + p + `="` + xmlEscape(ns[p]) + `"`)
	}
	bw.WriteString(">\n")
	for _, sg := range groups {
		if sg.S.IsBlank() {
			bw.WriteString(`  <rdf:Description rdf:nodeID="` + blankLabel(sg.S.Value) + "\">\n")
		} else {
			bw.WriteString(`  <rdf:Description rdf:about="` + xmlEscape(iriEscape(sg.S.Value)) + "\">\n")
		}
		for _, pg := range sg.Props {
			for _, o := range pg.Objs {
				bw.WriteString("    " + xmlProperty(qname[pg.P], o) + "\n")
			}
		}
		bw.WriteString("  </rdf:Description>\n")
	}
	bw.WriteString("</rdf:RDF>\n")
	return bw.Flush()
}

// generatedPrefix finds the prefix already generated for space.
func generatedPrefix(ns map[string]string, space string) (string, bool) {
	for p, s := range ns {
		if s == space && strings.HasPrefix(p, "ns") {
			return p, true
		}
	}
	return "", false
}

func xmlProperty(q string, o Term) string {
	switch o.Kind {
	case IRIKind:
		return "<" + q + ` rdf:resource="` + xmlEscape(iriEscape(o.Value)) + `"/>`
	case BlankKind:
		return "<" + q + ` rdf:nodeID="` + blankLabel(o.Value) + `"/>`
	}
	attr := ""
	switch {
	case o.Lang != "":
		attr = ` xml:lang="` + o.Lang + `"`
	case o.Datatype != "":
		attr = ` rdf:datatype="` + xmlEscape(iriEscape(o.Datatype)) + `"`
	}
	return "<" + q + attr + ">" + xmlEscape(o.Value) + "</" + q + ">"
}

// xmlEscape escapes text and attribute values alike; characters XML 1.0
// cannot carry at all (most C0 controls) become U+FFFD.
func xmlEscape(s string) string {
	var b strings.Builder
	xml.EscapeText(&b, []byte(s))
	return b.String()
}
