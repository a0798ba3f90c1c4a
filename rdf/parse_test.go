package rdf

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
)

// canonical lists a graph's triples as sorted strings, blank nodes
// anonymised: enough to compare small graphs with one blank node per
// subject shape.
func canonical(g *Graph) []string {
	term := func(t Term) string {
		if t.IsBlank() {
			return "_"
		}
		return fmt.Sprintf("%d|%s|%s|%s", t.Kind, t.Value, t.Datatype, t.Lang)
	}
	var out []string
	for _, t := range g.Triples {
		out = append(out, term(t.S)+" "+term(t.P)+" "+term(t.O))
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// TestParsersAgree reads the same DCAT catalog page written in Turtle,
// RDF/XML and JSON-LD and expects the same triples from the three.
func TestParsersAgree(t *testing.T) {
	parsers := map[string]func(f *os.File) (*Graph, error){
		"catalog.ttl":    func(f *os.File) (*Graph, error) { return ParseTurtle(f, "https://data.example.fr/") },
		"catalog.rdf":    func(f *os.File) (*Graph, error) { return ParseRDFXML(f, "https://data.example.fr/other") },
		"catalog.jsonld": func(f *os.File) (*Graph, error) { return ParseJSONLD(f, "https://data.example.fr/other") },
	}
	got := map[string][]string{}
	for name, parse := range parsers {
		f, err := os.Open("testdata/parse/" + name)
		if err != nil {
			t.Fatal(err)
		}
		g, err := parse(f)
		f.Close()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		got[name] = canonical(g)
	}
	want := got["catalog.ttl"]
	if len(want) != 21 {
		t.Errorf("turtle: %d triples, want 21:\n%s", len(want), strings.Join(want, "\n"))
	}
	for _, name := range []string{"catalog.rdf", "catalog.jsonld"} {
		if !slices.Equal(got[name], want) {
			for _, l := range got[name] {
				if !slices.Contains(want, l) {
					t.Errorf("%s has extra %s", name, l)
				}
			}
			for _, l := range want {
				if !slices.Contains(got[name], l) {
					t.Errorf("%s lacks %s", name, l)
				}
			}
		}
	}
}

func TestParseRDFXMLForms(t *testing.T) {
	const head = `<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="http://e/">`
	for _, tc := range []struct {
		name, body string
		want       []string
	}{
		{"nodeID links two descriptions", `<rdf:Description rdf:about="http://e/s"><ex:p rdf:nodeID="n"/></rdf:Description>
			<rdf:Description rdf:nodeID="n" ex:q="v"/>`,
			[]string{"_ 1|http://e/q|| 3|v||", "1|http://e/s|| 1|http://e/p|| _"}},
		{"property attributes on a property element make a blank node", `<rdf:Description rdf:about="http://e/s"><ex:p ex:q="v"/></rdf:Description>`,
			[]string{"1|http://e/s|| 1|http://e/p|| _", "_ 1|http://e/q|| 3|v||"}},
		{"rdf:li numbers members, xml:lang is inherited", `<ex:Bag rdf:about="http://e/b" xml:lang="fr"><rdf:li>a</rdf:li><rdf:li>b</rdf:li></ex:Bag>`,
			[]string{"1|http://e/b|| 1|" + RDF + "_1|| 3|a||fr", "1|http://e/b|| 1|" + RDF + "_2|| 3|b||fr", "1|http://e/b|| 1|" + RDF + "type|| 1|http://e/Bag||"}},
		{"a collection", `<rdf:Description rdf:about="http://e/s"><ex:p rdf:parseType="Collection"><rdf:Description rdf:about="http://e/a"/></ex:p></rdf:Description>`,
			[]string{"1|http://e/s|| 1|http://e/p|| _", "_ 1|" + RDF + "first|| 1|http://e/a||", "_ 1|" + RDF + "rest|| 1|" + RDF + "nil||"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g, err := ParseRDFXML(strings.NewReader(head+tc.body+"</rdf:RDF>"), "")
			if err != nil {
				t.Fatal(err)
			}
			want := slices.Clone(tc.want)
			slices.Sort(want)
			if got := canonical(g); !slices.Equal(got, want) {
				t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
		})
	}
	for name, src := range map[string]string{
		"not XML":                 "<rdf:RDF",
		"two nodes in a property": head + `<rdf:Description rdf:about="http://e/s"><ex:p><ex:A/><ex:B/></ex:p></rdf:Description></rdf:RDF>`,
		"about and nodeID":        head + `<rdf:Description rdf:about="http://e/s" rdf:nodeID="x"/></rdf:RDF>`,
		"nesting too deep":        head + strings.Repeat(`<ex:p rdf:parseType="Resource">`, 100) + strings.Repeat(`</ex:p>`, 100) + "</rdf:RDF>",
	} {
		if _, err := ParseRDFXML(strings.NewReader(src), ""); err == nil {
			t.Errorf("%s: parsed", name)
		}
	}
}

func TestParseJSONLDForms(t *testing.T) {
	for name, tc := range map[string]struct {
		src  string
		want []string
	}{
		"@vocab, numbers, booleans and an expanded list": {`{"@context": {"@vocab": "http://e/"}, "@id": "http://e/s", "n": 2, "d": 1.5, "b": true,
			"l": {"@list": ["a"]}, "_ignored": null}`,
			[]string{"1|http://e/s|| 1|http://e/b|| 3|true|" + XSD + "boolean|", "1|http://e/s|| 1|http://e/d|| 3|1.5E0|" + XSD + "double|",
				"1|http://e/s|| 1|http://e/l|| _", "1|http://e/s|| 1|http://e/n|| 3|2|" + XSD + "integer|"}},
		"keys without an IRI are dropped; @type @vocab coercion": {`{"@context": {"ex": "http://e/", "k": {"@id": "ex:k", "@type": "@vocab"}},
			"@id": "ex:s", "k": "ex:v", "plain": "dropped"}`,
			[]string{"1|http://e/s|| 1|http://e/k|| 1|http://e/v||"}},
	} {
		t.Run(name, func(t *testing.T) {
			g, err := ParseJSONLD(strings.NewReader(tc.src), "")
			if err != nil {
				t.Fatal(err)
			}
			got := canonical(g)
			got = slices.DeleteFunc(got, func(s string) bool { return strings.Contains(s, RDF+"first") || strings.Contains(s, RDF+"rest") })
			want := slices.Clone(tc.want)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
		})
	}
	for name, src := range map[string]string{
		"a remote context": `{"@context": "https://example.org/context.jsonld", "@id": "http://e/s"}`,
		"not JSON":         `{"@id": `,
		"a scalar":         `42`,
		"nesting too deep": strings.Repeat(`{"http://e/p": `, 100) + "1" + strings.Repeat("}", 100),
	} {
		if _, err := ParseJSONLD(strings.NewReader(src), ""); err == nil {
			t.Errorf("%s: parsed", name)
		} else if name == "a remote context" && !strings.Contains(err.Error(), "https://example.org/context.jsonld") {
			t.Errorf("remote context error %v", err)
		}
	}
}

func FuzzParseRDFXML(f *testing.F) {
	for _, name := range []string{"catalog.rdf"} {
		b, _ := os.ReadFile("testdata/parse/" + name)
		f.Add(string(b))
	}
	f.Fuzz(func(t *testing.T, s string) {
		g, err := ParseRDFXML(strings.NewReader(s), "http://example.org/")
		if err == nil {
			checkTriples(t, g)
		}
	})
}

func FuzzParseJSONLD(f *testing.F) {
	b, _ := os.ReadFile("testdata/parse/catalog.jsonld")
	f.Add(string(b))
	f.Add(`[{"@id": "_:a", "http://e/p": [{"@list": [1, {"@id": "_:a"}]}]}]`)
	f.Fuzz(func(t *testing.T, s string) {
		g, err := ParseJSONLD(strings.NewReader(s), "http://example.org/")
		if err == nil {
			checkTriples(t, g)
		}
	})
}

func checkTriples(t *testing.T, g *Graph) {
	t.Helper()
	for _, tr := range g.Triples {
		if tr.S.IsLiteral() || tr.S.Kind == 0 || !tr.P.IsIRI() || tr.O.Kind == 0 {
			t.Fatalf("bad triple %v", tr)
		}
	}
}
