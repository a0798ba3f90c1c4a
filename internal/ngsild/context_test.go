package ngsild

import (
	"testing"

	"github.com/socle/socle/internal/errs"
)

func TestContextExpandsAndCompacts(t *testing.T) {
	sdm := "https://raw.githubusercontent.com/smart-data-models/dataModel.WasteManagement/master/context.jsonld"
	c, err := NewContext([]any{sdm, CoreContextURL, map[string]any{"myAttr": "https://example.org/myAttr"}})
	if err != nil {
		t.Fatal(err)
	}
	for term, iri := range map[string]string{
		"location":       LocationIRI,
		"fillingLevel":   "https://smartdatamodels.org/dataModel.WasteManagement/fillingLevel",
		"WasteContainer": "https://smartdatamodels.org/dataModel.WasteManagement/WasteContainer",
		"myAttr":         "https://example.org/myAttr",
		"speed":          DefaultContext + "speed",
		"urn:x:y":        "urn:x:y",
		"ngsi-ld:foo":    CoreNS + "foo",
	} {
		if got := c.Expand(term); got != iri {
			t.Errorf("Expand(%s) = %s, want %s", term, got, iri)
		}
		if got := c.Compact(iri); term != "ngsi-ld:foo" && term != "urn:x:y" && got != term {
			t.Errorf("Compact(%s) = %s, want %s", iri, got, term)
		}
	}
	if core := CoreContext(); core.Compact("https://smartdatamodels.org/dataModel.WasteManagement/fillingLevel") == "fillingLevel" {
		t.Error("the core context compacts a Smart Data Models IRI")
	}
}

func TestContextRefusesRemoteURLs(t *testing.T) {
	_, err := NewContext("https://example.org/context.jsonld")
	if !errs.Is(err, errs.Unavailable) || errs.CodeOf(err) != "LdContextNotAvailable" {
		t.Fatalf("got %v", err)
	}
	if _, err := NewContext(42.0); !errs.Is(err, errs.Invalid) {
		t.Fatalf("got %v", err)
	}
	for _, u := range []string{"http://localhost:8080/ngsi-ld/contexts/" + SDMFile, "https://fiware.github.io/data-models/context.jsonld",
		"https://raw.githubusercontent.com/smart-data-models/dataModel.Parking/master/context.jsonld"} {
		if c, err := NewContext(u); err != nil || c.Expand("fillingLevel") == DefaultContext+"fillingLevel" {
			t.Fatalf("%s is not recognised: %v", u, err)
		}
	}
	for _, u := range []string{"https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context.jsonld", "https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.3.jsonld"} {
		if _, err := NewContext(u); err != nil {
			t.Fatalf("%s is not recognised: %v", u, err)
		}
	}
}

func TestParseLink(t *testing.T) {
	for _, tc := range []struct{ header, want string }{
		{`<https://a/ctx.jsonld>; rel="http://www.w3.org/ns/json-ld#context"; type="application/ld+json"`, "https://a/ctx.jsonld"},
		{`<https://x/next>; rel="next", <https://a/c.jsonld>; rel="http://www.w3.org/ns/json-ld#context"`, "https://a/c.jsonld"},
		{`<https://x/next>; rel="next"`, ""},
	} {
		got, err := ParseLink([]string{tc.header})
		if err != nil || got != tc.want {
			t.Errorf("ParseLink(%s) = %q, %v", tc.header, got, err)
		}
	}
	two := `<a:1>; rel="http://www.w3.org/ns/json-ld#context", <a:2>; rel="http://www.w3.org/ns/json-ld#context"`
	for _, h := range []string{"https://a", two, "<https://a"} {
		if _, err := ParseLink([]string{h}); !errs.Is(err, errs.Invalid) {
			t.Errorf("ParseLink(%s): %v, want Invalid", h, err)
		}
	}
}

func FuzzParseLink(f *testing.F) {
	f.Add(`<https://a/c.jsonld>; rel="http://www.w3.org/ns/json-ld#context"; type="application/ld+json"`)
	f.Add(`<a>; rel=next, <b>; rel="x,y"`)
	f.Fuzz(func(t *testing.T, h string) {
		if _, err := ParseLink([]string{h}); err != nil && !errs.Is(err, errs.Invalid) {
			t.Fatalf("error of kind %s", errs.KindOf(err))
		}
	})
}
