package rdf

import (
	"encoding/json"
	"io"
)

// WriteJSONLD writes g as a JSON-LD 1.1 document: a @context holding the
// prefixes (Prefixes when nil) and a flattened @graph with one node object
// per subject, in first-appearance order. Property keys are compact IRIs
// when a prefix covers them, values are always arrays of explicit value or
// node objects (no type coercion in the context), so that any JSON-LD
// processor reads back exactly g. rdf:type objects that are IRIs go in
// @type. Keys are sorted (encoding/json) and the output is deterministic.
func WriteJSONLD(w io.Writer, g *Graph, prefixes map[string]string) error {
	if prefixes == nil {
		prefixes = Prefixes
	}
	if err := checkGraph(g); err != nil {
		return err
	}
	pt := newPrefixTable(prefixes)
	ctx := map[string]string{}
	compact := func(iri string) string {
		if p, local, ok := pt.compact(iri); ok {
			ctx[p] = prefixes[p]
			return p + ":" + local
		}
		return iri
	}
	var nodes []map[string]any
	for _, sg := range groupBySubject(g) {
		n := map[string]any{"@id": jsonldID(sg.S)}
		for _, pg := range sg.Props {
			var types, vals []any
			for _, o := range pg.Objs {
				if pg.P == RDF+"type" && o.IsIRI() {
					types = append(types, compact(o.Value))
				} else {
					vals = append(vals, jsonldValue(o))
				}
			}
			if types != nil {
				n["@type"] = types
			}
			if vals != nil {
				n[compact(pg.P)] = vals
			}
		}
		nodes = append(nodes, n)
	}
	if nodes == nil {
		nodes = []map[string]any{}
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(map[string]any{"@context": ctx, "@graph": nodes})
}

func jsonldID(t Term) string {
	if t.IsBlank() {
		return "_:" + blankLabel(t.Value)
	}
	return iriEscape(t.Value)
}

func jsonldValue(t Term) map[string]string {
	switch t.Kind {
	case IRIKind, BlankKind:
		return map[string]string{"@id": jsonldID(t)}
	}
	v := map[string]string{"@value": t.Value}
	switch {
	case t.Lang != "":
		v["@language"] = t.Lang
	case t.Datatype != "":
		v["@type"] = iriEscape(t.Datatype)
	}
	return v
}
