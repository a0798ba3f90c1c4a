package rdf

import (
	"os"
	"strings"
	"testing"
)

func parseTTL(t *testing.T, src, base string) *Graph {
	t.Helper()
	g, err := ParseTurtle(strings.NewReader(src), base)
	if err != nil {
		t.Fatalf("parse: %v\n%s", err, src)
	}
	return g
}

func TestParseTurtleTerms(t *testing.T) {
	const ex = "http://example.org/"
	for _, tc := range []struct {
		name string
		src  string
		want []Triple
	}{
		{"prefixed names, a and a language-tagged literal", `@prefix ex: <http://example.org/> . ex:s a ex:C ; ex:p "v"@FR-fr .`,
			[]Triple{{IRI(ex + "s"), IRI(RDF + "type"), IRI(ex + "C")}, {IRI(ex + "s"), IRI(ex + "p"), LangLiteral("v", "fr-fr")}}},
		{"SPARQL-style PREFIX and BASE resolve relative IRIs", "BASE <http://example.org/a/>\nPREFIX ex: <x#>\n<s> ex:p <../o> .",
			[]Triple{{IRI(ex + "a/s"), IRI(ex + "a/x#p"), IRI(ex + "o")}}},
		{"datatypes, numbers and booleans", `@prefix xsd: <http://www.w3.org/2001/XMLSchema#> . <s> <p> "2024-01-02"^^xsd:date, 12, -1.5, 1e3, true, false .`,
			[]Triple{{IRI("s"), IRI("p"), Typed("2024-01-02", XSD+"date")}, {IRI("s"), IRI("p"), Typed("12", XSD+"integer")},
				{IRI("s"), IRI("p"), Typed("-1.5", XSD+"decimal")}, {IRI("s"), IRI("p"), Typed("1e3", XSD+"double")},
				{IRI("s"), IRI("p"), Typed("true", XSD+"boolean")}, {IRI("s"), IRI("p"), Typed("false", XSD+"boolean")}}},
		{"long strings with quotes, line breaks and escapes", "<s> <p> \"\"\"a \"quoted\"\nline\"\"\", '''b''', \"t\\u00e9\\n\\\"\" .",
			[]Triple{{IRI("s"), IRI("p"), Literal("a \"quoted\"\nline")}, {IRI("s"), IRI("p"), Literal("b")}, {IRI("s"), IRI("p"), Literal("té\n\"")}}},
		{"blank node property lists nest and labels are renamed", `<s> <p> [ <q> [ <r> "x" ] ] . _:n <p> _:n .`,
			[]Triple{{Blank("b2"), IRI("r"), Literal("x")}, {Blank("b1"), IRI("q"), Blank("b2")}, {IRI("s"), IRI("p"), Blank("b1")},
				{Blank("b3"), IRI("p"), Blank("b3")}}},
		{"collections become rdf:first/rest lists", `<s> <p> ( "a" <b> ) , () .`,
			[]Triple{{Blank("b1"), IRI(RDF + "first"), IRI("b")}, {Blank("b1"), IRI(RDF + "rest"), IRI(RDF + "nil")},
				{Blank("b2"), IRI(RDF + "first"), Literal("a")}, {Blank("b2"), IRI(RDF + "rest"), Blank("b1")},
				{IRI("s"), IRI("p"), Blank("b2")}, {IRI("s"), IRI("p"), IRI(RDF + "nil")}}},
		{"a bare blank node property list is a statement; trailing semicolons and comments are fine", "[ <p> 1 ; ] . # done\n",
			[]Triple{{Blank("b1"), IRI("p"), Typed("1", XSD+"integer")}}},
		{"local names with dots, dashes and escapes", `@prefix ex: <http://example.org/> . ex:a.b ex:c-d ex:e\,f .`,
			[]Triple{{IRI(ex + "a.b"), IRI(ex + "c-d"), IRI(ex + "e,f")}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := parseTTL(t, tc.src, "")
			if len(g.Triples) != len(tc.want) {
				t.Fatalf("got %d triples %v, want %v", len(g.Triples), g.Triples, tc.want)
			}
			for i, tr := range g.Triples {
				if tr != tc.want[i] {
					t.Errorf("triple %d: got %v, want %v", i, tr, tc.want[i])
				}
			}
		})
	}
}

func TestParseTurtleRefusesBadInput(t *testing.T) {
	for name, src := range map[string]string{
		"an undeclared prefix":        `ex:s <p> <o> .`,
		"a missing final dot":         `<s> <p> <o>`,
		"an unterminated string":      `<s> <p> "abc .`,
		"a line break in a short one": "<s> <p> \"a\nb\" .",
		"a space in an IRI":           `<s x> <p> <o> .`,
		"a literal as predicate":      `<s> "p" <o> .`,
		"nesting too deep":            "<s> <p> " + strings.Repeat("[ <p> ", 100) + strings.Repeat("]", 100) + " .",
		"a bad escape":                `<s> <p> "\q" .`,
	} {
		t.Run(name, func(t *testing.T) {
			if g, err := ParseTurtle(strings.NewReader(src), ""); err == nil {
				t.Errorf("parsed %v", g.Triples)
			} else if !strings.Contains(err.Error(), "line ") {
				t.Errorf("error without line: %v", err)
			}
		})
	}
}

// TestParseTurtleRealFiles reads the DCAT-AP 3.0.1 SHACL shapes and a
// specification example.
func TestParseTurtleRealFiles(t *testing.T) {
	for _, tc := range []struct {
		file    string
		triples int
		check   func(t *testing.T, g *Graph)
	}{
		{"example-bee-population.ttl", 4, func(t *testing.T, g *Graph) {
			ds := g.SubjectsOfType(DCAT + "Dataset")
			if len(ds) != 1 || ds[0].Value != "https://data.gov.gr/id/dataset/BeePopulation" {
				t.Fatalf("datasets %v", ds)
			}
			if o, _ := g.Object(ds[0], DCT+"title"); o != LangLiteral("Bee population", "en") {
				t.Errorf("title %v", o)
			}
		}},
		{"dcat-ap-SHACL.ttl", 0, func(t *testing.T, g *Graph) {
			if n := len(g.SubjectsOfType("http://www.w3.org/ns/shacl#NodeShape")); n != 33 {
				t.Errorf("%d node shapes, want 33", n)
			}
		}},
	} {
		t.Run(tc.file, func(t *testing.T) {
			f, err := os.Open("testdata/parse/" + tc.file)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			g, err := ParseTurtle(f, "http://example.org/")
			if err != nil {
				t.Fatal(err)
			}
			if tc.triples > 0 && len(g.Triples) != tc.triples {
				t.Errorf("%d triples, want %d", len(g.Triples), tc.triples)
			}
			tc.check(t, g)
		})
	}
}

func TestParseNTriples(t *testing.T) {
	f, err := os.Open("testdata/parse/example1.nt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	g, err := ParseNTriples(f)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := os.ReadFile("testdata/parse/example1.nt")
	if want := strings.Count(strings.TrimSpace(string(raw)), "\n") + 1; len(g.Triples) != want {
		t.Errorf("%d triples, want %d", len(g.Triples), want)
	}
	if ds := g.SubjectsOfType(DCAT + "Dataset"); len(ds) != 1 {
		t.Errorf("datasets %v", ds)
	}
	// The same file read as Turtle gives the same graph.
	tg := parseTTL(t, string(raw), "")
	if len(tg.Triples) != len(g.Triples) {
		t.Fatalf("turtle %d triples, n-triples %d", len(tg.Triples), len(g.Triples))
	}
	for i := range g.Triples {
		if g.Triples[i] != tg.Triples[i] {
			t.Errorf("triple %d: %v vs %v", i, g.Triples[i], tg.Triples[i])
		}
	}
	for name, src := range map[string]string{
		"a prefixed name": "<http://a/s> ex:p <http://a/o> .",
		"a relative IRI":  "<s> <http://a/p> <http://a/o> .",
		"two triples":     "<http://a/s> <http://a/p> <http://a/o> . <http://a/s> <http://a/p> <http://a/o> .",
	} {
		if _, err := ParseNTriples(strings.NewReader(src)); err == nil {
			t.Errorf("%s parsed", name)
		}
	}
}

func FuzzParseTurtle(f *testing.F) {
	for _, s := range []string{`@prefix ex: <http://e/> . ex:s a ex:C ; ex:p "v"@fr, ( 1 2.5 ) , [ ex:q """x""" ] .`,
		"BASE <http://e/>\n<s> <p> 'a'^^<http://t> .", "_:a <p> -1e5 ."} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		g, err := ParseTurtle(strings.NewReader(s), "http://example.org/")
		if err != nil {
			return
		}
		for _, tr := range g.Triples {
			if tr.S.IsLiteral() || !tr.P.IsIRI() || tr.O.Kind == 0 {
				t.Fatalf("bad triple %v", tr)
			}
		}
	})
}

func FuzzParseNTriples(f *testing.F) {
	f.Add("<http://a/s> <http://a/p> \"x\"@en .\n_:b <http://a/p> \"1\"^^<http://www.w3.org/2001/XMLSchema#integer> .")
	f.Fuzz(func(t *testing.T, s string) {
		g, err := ParseNTriples(strings.NewReader(s))
		if err != nil {
			return
		}
		for _, tr := range g.Triples {
			if tr.S.IsLiteral() || !tr.P.IsIRI() || tr.O.Kind == 0 {
				t.Fatalf("bad triple %v", tr)
			}
		}
	})
}
