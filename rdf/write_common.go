package rdf

import (
	"encoding/hex"
	"regexp"
	"sort"
	"strings"
)

// What the writers share: grouping by subject (in first-appearance order, so
// that output follows the graph's order and golden files are stable), IRI
// splitting into namespace and local name, and safe blank node labels.

// subjectGroup is one subject with its predicates, each with its objects,
// in the order they first appear in the graph.
type subjectGroup struct {
	S     Term
	Props []predGroup
}

type predGroup struct {
	P    string
	Objs []Term
}

// groupBySubject groups g's triples by subject then predicate, keeping
// first-appearance order; duplicate triples are written once.
func groupBySubject(g *Graph) []subjectGroup {
	var out []subjectGroup
	subj := map[Term]int{}
	type key struct {
		s Term
		p string
	}
	pred := map[key]int{}
	seen := map[Triple]bool{}
	for _, t := range g.Triples {
		if seen[t] {
			continue
		}
		seen[t] = true
		i, ok := subj[t.S]
		if !ok {
			i = len(out)
			subj[t.S] = i
			out = append(out, subjectGroup{S: t.S})
		}
		k := key{t.S, t.P.Value}
		j, ok := pred[k]
		if !ok {
			j = len(out[i].Props)
			pred[k] = j
			out[i].Props = append(out[i].Props, predGroup{P: t.P.Value})
		}
		out[i].Props[j].Objs = append(out[i].Props[j].Objs, t.O)
	}
	return out
}

// localName is a conservative local name: valid as a Turtle PN_LOCAL, an
// XML NCName and a JSON-LD compact IRI suffix alike.
var localName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_-]*$`)

// splitIRI splits iri after its last '#', '/' or ':' (URNs) when the rest
// is a localName.
func splitIRI(iri string) (ns, local string, ok bool) {
	i := strings.LastIndexAny(iri, "#/:")
	if i < 0 || i == len(iri)-1 || !localName.MatchString(iri[i+1:]) {
		return "", "", false
	}
	return iri[:i+1], iri[i+1:], true
}

// prefixTable maps namespaces to prefixes, longest namespace first wins.
type prefixTable struct {
	byNS map[string]string
}

func newPrefixTable(prefixes map[string]string) prefixTable {
	if prefixes == nil {
		prefixes = Prefixes
	}
	t := prefixTable{byNS: map[string]string{}}
	for _, p := range sortedKeys(prefixes) {
		if _, dup := t.byNS[prefixes[p]]; !dup {
			t.byNS[prefixes[p]] = p
		}
	}
	return t
}

// compact returns prefix:local for iri when a prefix covers its namespace.
func (t prefixTable) compact(iri string) (prefix, local string, ok bool) {
	ns, local, ok := splitIRI(iri)
	if !ok {
		return "", "", false
	}
	p, ok := t.byNS[ns]
	return p, local, ok
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// blankLabel returns a label valid in every syntax (Turtle, N-Triples,
// RDF/XML nodeID, JSON-LD): the label itself when it is a localName, else
// a hex form of it that cannot collide with one.
func blankLabel(label string) string {
	if localName.MatchString(label) && !strings.HasPrefix(label, "x_") {
		return label
	}
	return "x_" + hex.EncodeToString([]byte(label))
}

// iriEscape percent-encodes the characters an IRI reference may not hold in
// Turtle, N-Triples and JSON-LD (controls, space, <>"{}|^`\), and replaces
// invalid UTF-8, so that no IRI can break out of its delimiters.
func iriEscape(iri string) string {
	iri = strings.ToValidUTF8(iri, "\uFFFD")
	if !strings.ContainsFunc(iri, badIRIRune) {
		return iri
	}
	var b strings.Builder
	for _, r := range iri {
		if badIRIRune(r) {
			b.WriteString("%" + strings.ToUpper(hex.EncodeToString([]byte{byte(r)})))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

func badIRIRune(r rune) bool {
	return r <= 0x20 || r == 0x7f || strings.ContainsRune("<>\"{}|^`\\", r)
}
