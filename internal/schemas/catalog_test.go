package schemas

import (
	"bytes"
	"strings"
	"testing"

	"github.com/socle/socle/internal/errs"
	"github.com/socle/socle/internal/tableschema"
)

// TestSnapshot checks that the embedded catalog parses and that every
// version it lists has its document embedded, a Table Schema Socle reads.
func TestSnapshot(t *testing.T) {
	c := Snapshot()
	if len(c.Schemas) != 7 {
		t.Fatalf("%d schemas", len(c.Schemas))
	}
	cur := &Current{Catalog: c}
	for _, s := range c.Schemas {
		if s.SchemaType != TableSchema || s.Title == "" {
			t.Errorf("%s: type %q title %q", s.Name, s.SchemaType, s.Title)
		}
		for _, v := range s.Versions {
			doc, ok := cur.Document(v.SchemaURL)
			if !ok {
				t.Errorf("%s %s: no document for %s", s.Name, v.Name, v.SchemaURL)
				continue
			}
			if _, err := tableschema.Parse(bytes.NewReader(doc)); err != nil {
				t.Errorf("%s %s: %v", s.Name, v.Name, err)
			}
		}
	}
	s, err := c.Find("scdl/subventions")
	if err != nil {
		t.Fatal(err)
	}
	if v, err := s.Pick("latest"); err != nil || v.Name != "2.1.1" {
		t.Errorf("latest subventions: %+v %v", v, err)
	}
	if _, ok := SnapshotDocument("https://schema.data.gouv.fr/schemas/../catalog.go"); ok {
		t.Error("a path outside the snapshot was served")
	}
}

const sample = `{"$schema":"https://opendataschema.frama.io/catalog/schema-catalog.json","version":1,"schemas":[
 {"name":"scdl/deliberations","title":"Délibérations","schema_url":"https://x/latest/schema.json","schema_type":"tableschema",
  "versions":[{"version_name":"2.1.5","schema_url":"https://x/2.1.5/schema.json"},{"version_name":"v2.10.0","schema_url":"https://x/2.10.0/schema.json"},
   {"version_name":"2.1.5-rc1","schema_url":"https://x/rc/schema.json"},{"version_name":"1.0","schema_url":"https://x/1.0/schema.json"}]},
 {"name":"etalab/schema-irve","title":"IRVE","schema_url":"u","schema_type":"datapackage","versions":[]}]}`

func TestParseAndPick(t *testing.T) {
	c, err := Parse(strings.NewReader(sample))
	if err != nil {
		t.Fatal(err)
	}
	if c.Schemas[0].Name != "etalab/schema-irve" {
		t.Errorf("schemas not sorted by name: %s", c.Schemas[0].Name)
	}
	s, err := c.Find("scdl/deliberations")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, v := range s.Versions {
		names = append(names, v.Name)
	}
	if strings.Join(names, " ") != "1.0 2.1.5-rc1 2.1.5 v2.10.0" {
		t.Errorf("version order: %v", names)
	}
	cases := []struct{ in, want string }{{"", "v2.10.0"}, {"latest", "v2.10.0"}, {"2.1.5", "2.1.5"}, {"v1.0", "1.0"}, {"2.10.0", "v2.10.0"}}
	for _, c := range cases {
		if v, err := s.Pick(c.in); err != nil || v.Name != c.want {
			t.Errorf("Pick(%q) = %+v, %v; want %s", c.in, v, err, c.want)
		}
	}
	if _, err := s.Pick("9.9.9"); !errs.Is(err, errs.NotFound) {
		t.Errorf("missing version: %v", err)
	}
	if _, err := c.Find("nope/nope"); !errs.Is(err, errs.NotFound) {
		t.Errorf("missing schema: %v", err)
	}
	irve, _ := c.Find("etalab/schema-irve")
	if _, err := irve.Pick(""); !errs.Is(err, errs.NotFound) {
		t.Errorf("no versions: %v", err)
	}
}

func TestParseRefuses(t *testing.T) {
	for name, in := range map[string]string{
		"not json":       `{`,
		"wrong version":  `{"version":2,"schemas":[]}`,
		"bad name":       `{"version":1,"schemas":[{"name":"../x","versions":[]}]}`,
		"repeated name":  `{"version":1,"schemas":[{"name":"a/b","versions":[]},{"name":"a/b","versions":[]}]}`,
		"version no url": `{"version":1,"schemas":[{"name":"a/b","versions":[{"version_name":"1.0"}]}]}`,
		"too large":      `{"version":1,"schemas":[],"x":"` + strings.Repeat("x", MaxCatalogBytes) + `"}`,
	} {
		if _, err := Parse(strings.NewReader(in)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestCompareVersions(t *testing.T) {
	cases := []struct {
		a, b string
		want int
	}{{"1.0.0", "1.0.0", 0}, {"1.2", "1.10", -1}, {"v2.0.0", "1.9.9", 1}, {"1.0.0-rc1", "1.0.0", -1}, {"1.0", "1.0.0", 0}, {"a", "b", -1}}
	for _, c := range cases {
		if got := CompareVersions(c.a, c.b); got != c.want {
			t.Errorf("CompareVersions(%q, %q) = %d, want %d", c.a, c.b, got, c.want)
		}
		if got := CompareVersions(c.b, c.a); got != -c.want {
			t.Errorf("CompareVersions(%q, %q) = %d, want %d", c.b, c.a, got, -c.want)
		}
	}
}

func FuzzParse(f *testing.F) {
	f.Add(sample)
	f.Add(`{"version":1,"schemas":[]}`)
	f.Fuzz(func(t *testing.T, in string) {
		c, err := Parse(strings.NewReader(in))
		if err != nil {
			return
		}
		for _, s := range c.Schemas {
			if !ValidName(s.Name) {
				t.Fatalf("invalid name kept: %q", s.Name)
			}
			if len(s.Versions) > 0 {
				if _, err := s.Pick(""); err != nil {
					t.Fatal(err)
				}
			}
		}
	})
}

func FuzzCompareVersions(f *testing.F) {
	f.Add("1.0.0", "1.0.0-rc1")
	f.Fuzz(func(t *testing.T, a, b string) {
		if CompareVersions(a, b) != -CompareVersions(b, a) {
			t.Fatalf("not antisymmetric: %q %q", a, b)
		}
	})
}
