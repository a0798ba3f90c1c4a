package ckan

import (
	"slices"
	"strings"
	"testing"

	"github.com/socle/socle/internal/errs"
)

func TestParseSearch(t *testing.T) {
	cases := []struct {
		name, q, fq string
		want        string // clauses then terms, as clauseString prints them
	}{
		{"everything", "*:*", "", ""},
		{"empty", "", "", ""},
		{"free text folded", "Vélo  Angers", "", "terms[velo angers]"},
		{"field in q", "tags:velo", "", "tags=velo"},
		{"fq quoted", "", `organization:"ville d'angers"`, "organization=ville d'angers"},
		{"fq negated", "", "-res_format:CSV", "!res_format=CSV"},
		{"NOT keyword", "", "NOT groups:tran", "!groups=tran"},
		{"AND and plus", "", "+tags:a AND +license_id:etalab-2.0", "tags=a license_id=etalab-2.0"},
		{"group", "", `tags:(velo OR "pistes cyclables")`, "tags=velo|pistes cyclables"},
		{"wildcard", "", "organization:*", "organization=*"},
		{"mixed", "arbres res_format:CSV", "groups:envi", "res_format=CSV groups=envi terms[arbres]"},
		{"escaped colon", "", `name:a\:b`, "name=a:b"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, err := ParseSearch(c.q, c.fq)
			if err != nil {
				t.Fatal(err)
			}
			if got := searchString(s); got != c.want {
				t.Errorf("got %q, want %q", got, c.want)
			}
		})
	}
}

func searchString(s Search) string {
	var parts []string
	for _, c := range s.Clauses {
		neg := ""
		if c.Negate {
			neg = "!"
		}
		parts = append(parts, neg+c.Field+"="+strings.Join(c.Values, "|"))
	}
	if len(s.Terms) > 0 {
		parts = append(parts, "terms["+strings.Join(s.Terms, " ")+"]")
	}
	return strings.Join(parts, " ")
}

func TestParseSearchRefuses(t *testing.T) {
	cases := []struct{ name, q, fq string }{
		{"unknown field", "", "colour:red"},
		{"bare word in fq", "", "velo"},
		{"OR between clauses", "", "tags:a OR tags:b"},
		{"unterminated quote", "", `tags:"velo`},
		{"unclosed group", "", "tags:(a OR b"},
		{"empty group", "", "tags:()"},
		{"missing value", "", "tags:"},
		{"dangling NOT", "", "tags:a NOT"},
		{"negated free text", "-velo", ""},
		{"too long", strings.Repeat("a", 3000), ""},
		{"too many terms", strings.Repeat("a ", 60), ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := ParseSearch(c.q, c.fq)
			if err == nil {
				t.Fatal("accepted")
			}
			if errs.KindOf(err) != errs.Invalid || errs.CodeOf(err) != QueryErrorType {
				t.Errorf("error %v: kind %v code %q", err, errs.KindOf(err), errs.CodeOf(err))
			}
		})
	}
}

func testPackages() []Package {
	org := &Organization{ID: "metropole", Name: "metropole", Title: "Angers Loire Métropole"}
	mk := func(name, title, mod string, tags []string, groups ...string) Package {
		p := Package{Name: name, ID: "id-" + name, Title: title, MetadataModified: mod, LicenseID: "etalab-2.0",
			Resources: []Resource{{Format: "JSON"}, {Format: "CSV"}}}
		for _, tg := range tags {
			p.Tags = append(p.Tags, Tag{Name: tg})
		}
		for _, g := range groups {
			p.Groups = append(p.Groups, Group{Name: g, Title: strings.ToUpper(g)})
		}
		return p
	}
	a := mk("arbres", "Arbres d'alignement", "2024-02-01T00:00:00.000000", []string{"nature", "arbres"}, "envi")
	a.Organization, a.OwnerOrg = org, &org.ID
	b := mk("velos", "Comptages vélo", "2024-03-01T00:00:00.000000", []string{"mobilité"}, "tran")
	b.Organization, b.OwnerOrg = org, &org.ID
	c := mk("budget", "Budget primitif", "2024-01-01T00:00:00.000000", nil, "econ")
	c.Resources = nil
	return []Package{a, b, c}
}

func TestRun(t *testing.T) {
	pkgs := testPackages()
	run := func(q, fq, sort string, rows, start int, facets ...string) SearchResult {
		t.Helper()
		s, err := ParseSearch(q, fq)
		if err != nil {
			t.Fatal(err)
		}
		keys, err := ParseSort(sort)
		if err != nil {
			t.Fatal(err)
		}
		return Run(pkgs, SearchParams{Search: s, Sort: keys, Rows: rows, Start: start, FacetFields: facets, FacetLimit: 50})
	}
	names := func(r SearchResult) []string {
		var out []string
		for _, p := range r.Results {
			out = append(out, p.Name)
		}
		return out
	}
	if r := run("", "", "", 10, 0); r.Count != 3 || !slices.Equal(names(r), []string{"velos", "arbres", "budget"}) {
		t.Errorf("default order (metadata_modified desc): %v", names(r))
	}
	if r := run("", "", "name asc", 1, 1); r.Count != 3 || !slices.Equal(names(r), []string{"budget"}) {
		t.Errorf("paged by name: %d %v", r.Count, names(r))
	}
	if r := run("velo", "", "", 10, 0); !slices.Equal(names(r), []string{"velos"}) {
		t.Errorf("free text folded: %v", names(r))
	}
	if r := run("metropole", "", "", 10, 0); r.Count != 2 {
		t.Errorf("free text on the organization title: %v", names(r))
	}
	if r := run("", "res_format:csv -groups:envi", "", 10, 0); !slices.Equal(names(r), []string{"velos"}) {
		t.Errorf("fq: %v", names(r))
	}
	if r := run("", "organization:*", "title_string desc", 10, 0); !slices.Equal(names(r), []string{"velos", "arbres"}) {
		t.Errorf("wildcard, title sort: %v", names(r))
	}
	r := run("", "", "", 0, 0, "organization", "tags", "res_format", "groups")
	if len(r.Results) != 0 || r.Count != 3 {
		t.Errorf("rows=0 still counts: %+v", r)
	}
	org := r.SearchFacets["organization"].Items
	if len(org) != 1 || org[0].Name != "metropole" || org[0].Count != 2 || org[0].DisplayName != "Angers Loire Métropole" {
		t.Errorf("organization facet: %+v", org)
	}
	if got := r.Facets["res_format"].(map[string]int); got["CSV"] != 2 || got["JSON"] != 2 {
		t.Errorf("res_format facet: %v", got)
	}
	if g := r.SearchFacets["groups"].Items; len(g) != 3 || g[0].DisplayName == g[0].Name {
		t.Errorf("groups facet: %+v", g)
	}
}

func TestParseSortRefuses(t *testing.T) {
	for _, s := range []string{"popularity desc", "name sideways", "name asc extra", ",", "name,"} {
		if _, err := ParseSort(s); err == nil || errs.CodeOf(err) != QueryErrorType {
			t.Errorf("ParseSort(%q) = %v", s, err)
		}
	}
	if CheckFacetFields([]string{"tags", "colour"}) == nil || CheckFacetFields([]string{"tags", "res_format"}) != nil {
		t.Error("facet fields not checked")
	}
}

func FuzzParseSearch(f *testing.F) {
	for _, s := range []string{"*:*", "tags:(a OR \"b c\")", "-res_format:CSV AND name:x", `"unterminated`, "a:b:c", "((", "NOT NOT x:y", `\`, "-"} {
		f.Add(s, s)
	}
	pkgs := testPackages()
	f.Fuzz(func(t *testing.T, q, fq string) {
		s, err := ParseSearch(q, fq)
		if err != nil {
			if errs.KindOf(err) != errs.Invalid {
				t.Fatalf("error of kind %v: %v", errs.KindOf(err), err)
			}
			return
		}
		for _, c := range s.Clauses {
			if _, ok := searchFields[c.Field]; !ok || len(c.Values) == 0 {
				t.Fatalf("bad clause %+v", c)
			}
		}
		Run(pkgs, SearchParams{Search: s, Rows: 10})
	})
}
