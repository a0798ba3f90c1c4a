package ngsild

import (
	"testing"

	"github.com/socle/socle/internal/errs"
)

func testEntity(t *testing.T) *Entity {
	t.Helper()
	doc := map[string]any{
		"id": "urn:ngsi-ld:WasteContainer:angers:1", "type": "WasteContainer",
		"fillingLevel":    map[string]any{"type": "Property", "value": 0.8, "unitCode": "P1", "observedAt": "2025-01-01T12:00:00Z"},
		"status":          map[string]any{"type": "Property", "value": "ok"},
		"storedWasteKind": map[string]any{"type": "Property", "value": []any{"glass", "plastic"}},
		"name":            map[string]any{"type": "LanguageProperty", "languageMap": map[string]any{"fr": "Conteneur", "en": "Bin"}},
		"refDevice":       map[string]any{"type": "Relationship", "object": "urn:ngsi-ld:Device:d1"},
		"address":         map[string]any{"type": "Property", "value": map[string]any{"addressLocality": "Angers"}},
		"location":        map[string]any{"type": "GeoProperty", "value": map[string]any{"type": "Point", "coordinates": []any{-0.55, 47.47}}},
	}
	c, err := NewContext(CoreContextURL)
	if err != nil {
		t.Fatal(err)
	}
	e, err := ParseEntity(doc, c, false)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func TestQMatches(t *testing.T) {
	e := testEntity(t)
	for _, tc := range []struct {
		q    string
		want bool
	}{
		{"fillingLevel>0.5", true},
		{"fillingLevel>0.9", false},
		{"fillingLevel==0.5..0.9", true},
		{"fillingLevel!=0.5..0.9", false},
		{"fillingLevel>=0.8;status==\"ok\"", true},
		{"fillingLevel>0.9|status==\"ok\"", true},
		{"fillingLevel>0.9|status==\"ko\"", false},
		{"(fillingLevel>0.9|status==\"ok\");fillingLevel<1", true},
		{"status==\"ko\",\"ok\"", true},
		{"storedWasteKind==\"glass\"", true},
		{"storedWasteKind!=\"glass\"", false},
		{"refDevice==urn:ngsi-ld:Device:d1", true},
		{"fillingLevel.unitCode==\"P1\"", true},
		{"fillingLevel.observedAt>2024-12-31T00:00:00Z", true},
		{"name[fr]==\"Conteneur\"", true},
		{"address[addressLocality]~=\"^Ang\"", true},
		{"address[addressLocality]!~=\"^Ang\"", false},
		{"temperature", false},
		{"!temperature", true},
		{"fillingLevel", true},
		{"status>\"a\"", true},
		{"fillingLevel==\"0.8\"", false},
	} {
		t.Run(tc.q, func(t *testing.T) {
			q, err := ParseQ(tc.q)
			if err != nil {
				t.Fatal(err)
			}
			c, _ := NewContext(nil)
			q.Expand(c)
			if got := q.Match(e); got != tc.want {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestQRefused(t *testing.T) {
	for _, q := range []string{"", "a>", "(a==1", "a==1)", "a==\"x", "a>1..2", "a~=\"(\"", ";a==1", "a==1;", "a[b==1", "a..b==1", "a>>1", "a==<x>"} {
		t.Run(q, func(t *testing.T) {
			_, err := ParseQ(q)
			if !errs.Is(err, errs.Invalid) {
				t.Fatalf("ParseQ(%q) = %v, want Invalid", q, err)
			}
		})
	}
}

func FuzzParseQ(f *testing.F) {
	for _, s := range []string{"a>1", "a==1..3;b==\"x\"|c", "(a|b);!c", "a.b[c]~=\"x\"", "a==\"x\",\"y\"", "a!=2020-01-01T00:00:00Z"} {
		f.Add(s)
	}
	e := &Entity{ID: "urn:x:1", Attrs: map[string]Attribute{DefaultContext + "a": {"type": "Property", "value": 1.0}}}
	f.Fuzz(func(t *testing.T, s string) {
		q, err := ParseQ(s)
		if err != nil {
			if !errs.Is(err, errs.Invalid) {
				t.Fatalf("error of kind %s", errs.KindOf(err))
			}
			return
		}
		q.Expand(CoreContext())
		q.Match(e)
	})
}
