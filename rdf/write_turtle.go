package rdf

import (
	"bytes"
	"io"
	"strings"
)

// WriteTurtle writes g as Turtle: subjects in first-appearance order, each
// with its predicates grouped ("p o1, o2 ;"), rdf:type as "a", IRIs as
// prefixed names when prefixes (Prefixes when nil) cover them, and a
// @prefix line for each prefix actually used, sorted.
func WriteTurtle(w io.Writer, g *Graph, prefixes map[string]string) error {
	if prefixes == nil {
		prefixes = Prefixes
	}
	if err := checkGraph(g); err != nil {
		return err
	}
	tw := turtleWriter{pt: newPrefixTable(prefixes), used: map[string]bool{}}
	var body bytes.Buffer
	for i, sg := range groupBySubject(g) {
		if i > 0 {
			body.WriteByte('\n')
		}
		body.WriteString(tw.term(sg.S))
		for j, pg := range sg.Props {
			if j == 0 {
				body.WriteString(" ")
			} else {
				body.WriteString(" ;\n    ")
			}
			if pg.P == RDF+"type" {
				body.WriteString("a ")
			} else {
				body.WriteString(tw.iri(pg.P) + " ")
			}
			for k, o := range pg.Objs {
				if k > 0 {
					body.WriteString(", ")
				}
				body.WriteString(tw.term(o))
			}
		}
		body.WriteString(" .\n")
	}
	var head bytes.Buffer
	for _, p := range sortedKeys(prefixes) {
		if tw.used[p] {
			head.WriteString("@prefix " + p + ": <" + iriEscape(prefixes[p]) + "> .\n")
		}
	}
	if head.Len() > 0 {
		head.WriteByte('\n')
	}
	if _, err := w.Write(head.Bytes()); err != nil {
		return err
	}
	_, err := w.Write(body.Bytes())
	return err
}

type turtleWriter struct {
	pt   prefixTable
	used map[string]bool
}

func (tw turtleWriter) iri(v string) string {
	if p, local, ok := tw.pt.compact(v); ok && !strings.HasSuffix(local, ".") {
		tw.used[p] = true
		return p + ":" + local
	}
	return "<" + iriEscape(v) + ">"
}

func (tw turtleWriter) term(t Term) string {
	switch t.Kind {
	case IRIKind:
		return tw.iri(t.Value)
	case BlankKind:
		return "_:" + blankLabel(t.Value)
	}
	s := `"` + escapeString(t.Value) + `"`
	switch {
	case t.Lang != "":
		return s + "@" + t.Lang
	case t.Datatype != "":
		return s + "^^" + tw.iri(t.Datatype)
	}
	return s
}
