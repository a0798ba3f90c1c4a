package rdf

import (
	"bytes"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// TestWrittenGraphsParseBack is a round-trip property: random graphs full
// of what needs escaping (quotes, backslashes, controls, non-BMP
// characters, IRIs with query strings and non-ASCII), written in N-Triples
// Turtle, RDF/XML and JSON-LD, parse back (parse_*.go) to the same triples
// (XML 1.0 cannot carry most C0 controls: RDF/XML writes U+FFFD instead). Blank node
// labels are renamed by parsers: they are compared as "some blank node",
// with the count of distinct ones.
func TestWrittenGraphsParseBack(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := range 300 {
		g := randomGraph(r)
		for _, tc := range []struct {
			name  string
			write func(*bytes.Buffer, *Graph) error
			parse func(*bytes.Buffer) (*Graph, error)
		}{
			{"ntriples", func(b *bytes.Buffer, g *Graph) error { return WriteNTriples(b, g) },
				func(b *bytes.Buffer) (*Graph, error) { return ParseNTriples(b) }},
			{"turtle", func(b *bytes.Buffer, g *Graph) error { return WriteTurtle(b, g, nil) },
				func(b *bytes.Buffer) (*Graph, error) { return ParseTurtle(b, "") }},
			{"rdfxml", func(b *bytes.Buffer, g *Graph) error { return WriteRDFXML(b, g, nil) },
				func(b *bytes.Buffer) (*Graph, error) { return ParseRDFXML(b, "") }},
			{"jsonld", func(b *bytes.Buffer, g *Graph) error { return WriteJSONLD(b, g, nil) },
				func(b *bytes.Buffer) (*Graph, error) { return ParseJSONLD(b, "") }},
		} {
			var b bytes.Buffer
			if err := tc.write(&b, g); err != nil {
				t.Fatalf("graph %d, %s: write: %v", i, tc.name, err)
			}
			text := b.String()
			back, err := tc.parse(&b)
			if err != nil {
				t.Fatalf("graph %d, %s: parse: %v\n%s", i, tc.name, err, text)
			}
			want := g
			if tc.name == "rdfxml" {
				want = xmlSafe(g)
			}
			if want, got := shape(want), shape(back); !slices.Equal(want, got) {
				t.Fatalf("graph %d, %s: read back differs\nwant %q\ngot  %q\n%s", i, tc.name, want, got, text)
			}
		}
	}
}

// shape is the sorted, deduplicated triples of g with blank nodes reduced to
// "_", followed by the number of distinct blank nodes.
func shape(g *Graph) []string {
	blanks := map[string]bool{}
	term := func(t Term) string {
		if t.IsBlank() {
			blanks[t.Value] = true
			return "_"
		}
		return ntTerm(t)
	}
	var out []string
	for _, tr := range g.Triples {
		out = append(out, term(tr.S)+" "+term(tr.P)+" "+term(tr.O))
	}
	slices.Sort(out)
	out = slices.Compact(out)
	return append(out, strings.Repeat("_", len(blanks)))
}

func randomGraph(r *rand.Rand) *Graph {
	g := &Graph{}
	subjects := []Term{IRI("https://data.example.fr/datasets/" + randomText(r, "abcé-_.~%20?&=#/")), Blank("n1"), Blank("n 2")}
	preds := []string{DCT + "title", DCAT + "keyword", RDF + "type", "https://vocab.example.org/p#x-y", "urn:x:y"}
	for range 1 + r.IntN(8) {
		s := subjects[r.IntN(len(subjects))]
		var o Term
		switch r.IntN(5) {
		case 0:
			o = IRI("https://example.org/" + randomText(r, "aé€𝄞#?&=:/"))
		case 1:
			o = subjects[r.IntN(len(subjects))]
		case 2:
			o = LangLiteral(randomText(r, ""), []string{"fr", "en-gb", "de-ch-1996"}[r.IntN(3)])
		case 3:
			o = Typed(randomText(r, ""), []string{XSD + "date", GSP + "wktLiteral", "https://example.org/dt#x"}[r.IntN(3)])
		default:
			o = Literal(randomText(r, ""))
		}
		g.Add(s, IRI(preds[r.IntN(len(preds))]), o)
	}
	return g
}

// randomText draws from alphabet, or, when it is empty, from the
// characters escaping is about.
func randomText(r *rand.Rand, alphabet string) string {
	if alphabet == "" {
		alphabet = "a\"\\\n\r\t\b\f\x01\x1f\x7f 'é€𝄞<>&]]>" + `"""''#@^.;,`
	}
	runes := []rune(alphabet)
	var b strings.Builder
	for range r.IntN(12) {
		b.WriteRune(runes[r.IntN(len(runes))])
	}
	return b.String()
}

// xmlSafe is g with the controls XML 1.0 cannot carry replaced as the
// RDF/XML writer replaces them.
func xmlSafe(g *Graph) *Graph {
	fix := func(t Term) Term {
		t.Value = strings.Map(func(r rune) rune {
			if (r < 0x20 && r != '\t' && r != '\n' && r != '\r') || r == 0xFFFE || r == 0xFFFF {
				return '\uFFFD'
			}
			return r
		}, t.Value)
		return t
	}
	out := &Graph{}
	for _, tr := range g.Triples {
		out.Add(tr.S, tr.P, fix(tr.O))
	}
	return out
}
