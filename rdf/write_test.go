package rdf

import (
	"bytes"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// sample is a graph with what trips writers up: quotes, backslashes,
// newlines, controls, non-ASCII, language tags, datatypes, blank nodes with
// unsafe labels, IRIs with characters that must be escaped and IRIs no
// prefix covers.
func sample() *Graph {
	g := &Graph{}
	ds := IRI("https://data.example.fr/datasets/velos")
	g.Add(ds, IRI(RDF+"type"), IRI(DCAT+"Dataset"))
	g.Add(ds, IRI(DCT+"title"), LangLiteral(`Vélos "libre-service" \ Angers`, "FR"))
	g.Add(ds, IRI(DCT+"description"), Literal("line 1\nline 2\r\ttab <b>&amp;</b> ]]>"))
	g.Add(ds, IRI(DCAT+"keyword"), Literal("mobilité"))
	g.Add(ds, IRI(DCAT+"keyword"), Literal("vélo"))
	g.Add(ds, IRI(DCT+"issued"), Typed("2024-01-02T03:04:05Z", XSD+"dateTime"))
	g.Add(ds, IRI(DCAT+"theme"), IRI(EUTheme+"TRAN"))
	g.Add(ds, IRI(DCAT+"landingPage"), IRI("https://data.example.fr/datasets/velos?a=1&b=<2> \"x\""))
	g.Add(ds, IRI("https://vocab.example.org/x#custom"), Literal("custom"))
	g.Add(ds, IRI(DCT+"temporal"), Blank("t 1"))
	g.Add(ds, IRI(DCAT+"keyword"), Literal("vélo")) // duplicate: written once
	g.Add(Blank("t 1"), IRI(RDF+"type"), IRI(DCT+"PeriodOfTime"))
	g.Add(Blank("t 1"), IRI(DCAT+"startDate"), Typed("2024-01-01", XSD+"date"))
	g.Add(Blank("t 1"), IRI(DCAT+"endDate"), Typed("2024-12-31", XSD+"date"))
	g.Add(ds, IRI(DCAT+"byteSize"), Typed("1024", XSD+"nonNegativeInteger"))
	g.Add(ds, IRI(DCAT+"spatial"), Typed("POINT(-0.55 47.47)", GSP+"wktLiteral"))
	return g
}

func TestWritersMatchGoldenFiles(t *testing.T) {
	for _, tc := range writers {
		t.Run(tc.ext, func(t *testing.T) {
			var b bytes.Buffer
			if err := tc.write(&b, sample()); err != nil {
				t.Fatal(err)
			}
			golden := filepath.Join("testdata", "sample."+tc.ext)
			if *update {
				if err := os.WriteFile(golden, b.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(b.Bytes(), want) {
				t.Errorf("output differs from %s (run with -update after checking):\n%s", golden, b.String())
			}
			var again bytes.Buffer
			tc.write(&again, sample())
			if !bytes.Equal(b.Bytes(), again.Bytes()) {
				t.Error("two writes of the same graph differ")
			}
		})
	}
}

var writers = []struct {
	ext, rdflib string
	write       func(*bytes.Buffer, *Graph) error
}{
	{"nt", "nt", func(b *bytes.Buffer, g *Graph) error { return WriteNTriples(b, g) }},
	{"ttl", "turtle", func(b *bytes.Buffer, g *Graph) error { return WriteTurtle(b, g, nil) }},
	{"rdf", "xml", func(b *bytes.Buffer, g *Graph) error { return WriteRDFXML(b, g, nil) }},
	{"jsonld", "json-ld", func(b *bytes.Buffer, g *Graph) error { return WriteJSONLD(b, g, nil) }},
}

// TestEscapeString covers what the sample cannot (XML 1.0 cannot carry C0
// controls, so the RDF/XML writer replaces them).
func TestEscapeString(t *testing.T) {
	for in, want := range map[string]string{
		"plain é":       "plain é",
		"a\"b\\c":       `a\"b\\c`,
		"\x01\x7f\b\f":  `\u0001\u007F\b\f`,
		"bad \xff utf8": "bad \uFFFD utf8",
	} {
		if got := escapeString(in); got != want {
			t.Errorf("escapeString(%q) = %q, want %q", in, got, want)
		}
	}
	if got := xmlEscape("a\x01b"); got != "a\uFFFDb" {
		t.Errorf("xmlEscape kept a control: %q", got)
	}
	if got := iriEscape("https://a/b c<d>"); got != "https://a/b%20c%3Cd%3E" {
		t.Errorf("iriEscape = %q", got)
	}
}

func TestWritersRefuseWhatNoSyntaxCanHold(t *testing.T) {
	bad := map[string]Triple{
		"literal subject":   {Literal("x"), IRI(DCT + "title"), Literal("y")},
		"blank predicate":   {IRI("https://a"), Blank("p"), Literal("y")},
		"zero object":       {IRI("https://a"), IRI(DCT + "title"), Term{}},
		"invalid language":  {IRI("https://a"), IRI(DCT + "title"), LangLiteral("y", "fr\"@x")},
		"no XML local name": {IRI("https://a"), IRI("https://vocab.example.org/1"), Literal("y")},
	}
	for name, tr := range bad {
		t.Run(name, func(t *testing.T) {
			g := &Graph{Triples: []Triple{tr}}
			for _, tc := range writers {
				err := tc.write(&bytes.Buffer{}, g)
				wantErr := name != "no XML local name" || tc.ext == "rdf"
				if (err != nil) != wantErr {
					t.Errorf("%s: err = %v, want error %v", tc.ext, err, wantErr)
				}
			}
		})
	}
}

// TestWritersReadBackByRDFLib parses each serialisation with rdflib, a
// third-party RDF library, and checks that each is isomorphic to the
// N-Triples form and holds exactly the sample's triples.
func TestWritersReadBackByRDFLib(t *testing.T) {
	py := "/usr/bin/python3"
	if exec.Command(py, "-c", "import rdflib").Run() != nil {
		if os.Getenv("SOCLE_REQUIRE_INTEROP") != "" {
			t.Fatal("python3-rdflib is missing and SOCLE_REQUIRE_INTEROP is set")
		}
		t.Skip("python3-rdflib is missing (apt-get install python3-rdflib)")
	}
	dir := t.TempDir()
	args := []string{"-c", rdflibCheck}
	for _, tc := range writers {
		var b bytes.Buffer
		if err := tc.write(&b, sample()); err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, "sample."+tc.ext)
		os.WriteFile(path, b.Bytes(), 0o644)
		args = append(args, tc.rdflib+"="+path)
	}
	out, err := exec.Command(py, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("rdflib: %v\n%s", err, out)
	}
	if got := strings.TrimSpace(string(out)); got != "ok 15" {
		t.Errorf("rdflib says %q, want ok 15 (triples)", got)
	}
}

const rdflibCheck = `
import sys, rdflib
from rdflib.compare import isomorphic
graphs = []
for arg in sys.argv[1:]:
    fmt, path = arg.split("=", 1)
    g = rdflib.Graph()
    g.parse(path, format=fmt)
    graphs.append((fmt, g))
ref = graphs[0][1]
for fmt, g in graphs[1:]:
    if not isomorphic(ref, g):
        sys.exit(fmt + " differs from nt:\n" + g.serialize(format="nt"))
ds = rdflib.URIRef("https://data.example.fr/datasets/velos")
title = ref.value(ds, rdflib.URIRef("http://purl.org/dc/terms/title"))
if str(title) != 'Vélos "libre-service" \\ Angers' or title.language != "fr":
    sys.exit("title read back as %r" % title)
desc = str(ref.value(ds, rdflib.URIRef("http://purl.org/dc/terms/description")))
if desc != "line 1\nline 2\r\ttab <b>&amp;</b> ]]>":
    sys.exit("description read back as %r" % desc)
print("ok", len(ref))
`
