package ckan

import (
	"cmp"
	"slices"
	"strings"
)

// DefaultSort is package_search's default order.
const DefaultSort = "score desc, metadata_modified desc"

// SortKey is one key of package_search's sort.
type SortKey struct {
	Field string
	Desc  bool
}

// sortFields are the fields package_search sorts by. Score is accepted
// and ignored: matches are not ranked.
var sortFields = map[string]func(a, b *Package) int{
	"name":              func(a, b *Package) int { return strings.Compare(a.Name, b.Name) },
	"title_string":      func(a, b *Package) int { return strings.Compare(strings.ToLower(a.Title), strings.ToLower(b.Title)) },
	"title":             func(a, b *Package) int { return strings.Compare(strings.ToLower(a.Title), strings.ToLower(b.Title)) },
	"metadata_modified": func(a, b *Package) int { return strings.Compare(a.MetadataModified, b.MetadataModified) },
	"metadata_created":  func(a, b *Package) int { return strings.Compare(a.MetadataCreated, b.MetadataCreated) },
	"num_resources":     func(a, b *Package) int { return cmp.Compare(a.NumResources, b.NumResources) },
	"num_tags":          func(a, b *Package) int { return cmp.Compare(a.NumTags, b.NumTags) },
	"score":             func(a, b *Package) int { return 0 },
}

// ParseSort parses package_search's sort: "field [asc|desc]" keys
// separated by commas.
func ParseSort(s string) ([]SortKey, error) {
	if strings.TrimSpace(s) == "" {
		s = DefaultSort
	}
	if len(s) > maxQueryLen {
		return nil, queryError("sort is limited to %d characters", maxQueryLen)
	}
	var out []SortKey
	for _, part := range strings.Split(s, ",") {
		words := strings.Fields(part)
		if len(words) == 0 || len(words) > 2 {
			return nil, queryError("invalid sort %q: use \"field asc|desc\"", strings.TrimSpace(part))
		}
		k := SortKey{Field: words[0]}
		if _, ok := sortFields[k.Field]; !ok {
			return nil, queryError("cannot sort by %q", k.Field)
		}
		if len(words) == 2 {
			switch strings.ToLower(words[1]) {
			case "asc":
			case "desc":
				k.Desc = true
			default:
				return nil, queryError("invalid sort direction %q", words[1])
			}
		}
		out = append(out, k)
		if len(out) > 10 {
			return nil, queryError("too many sort keys")
		}
	}
	return out, nil
}

// SearchParams are package_search's parameters, validated.
type SearchParams struct {
	Search      Search
	Sort        []SortKey
	SortText    string
	Rows, Start int
	FacetFields []string
	FacetLimit  int // < 0: no limit
}

// facetFields are the fields package_search counts, with their titles.
var facetFields = map[string]string{
	"organization": "Organisations", "tags": "Mots-clés", "groups": "Thèmes",
	"license_id": "Licences", "res_format": "Formats",
}

// CheckFacetFields refuses facet fields package_search cannot count.
func CheckFacetFields(names []string) error {
	for _, n := range names {
		if _, ok := facetFields[n]; !ok {
			return queryError("cannot facet on %q (known: groups, license_id, organization, res_format, tags)", n)
		}
	}
	return nil
}

// Run filters, sorts, pages and counts pkgs (all the packages the caller
// may see) as package_search does.
func Run(pkgs []Package, sp SearchParams) SearchResult {
	var hits []*Package
	for i := range pkgs {
		if sp.Search.Match(&pkgs[i]) {
			hits = append(hits, &pkgs[i])
		}
	}
	slices.SortStableFunc(hits, func(a, b *Package) int {
		for _, k := range sp.Sort {
			c := sortFields[k.Field](a, b)
			if k.Desc {
				c = -c
			}
			if c != 0 {
				return c
			}
		}
		return strings.Compare(a.Name, b.Name)
	})
	res := SearchResult{Count: len(hits), Sort: sp.SortText, Results: []Package{},
		Facets: map[string]any{}, SearchFacets: map[string]Facet{}}
	for i := sp.Start; i < len(hits) && i < sp.Start+sp.Rows; i++ {
		res.Results = append(res.Results, *hits[i])
	}
	for _, f := range sp.FacetFields {
		items := facetItems(hits, f, sp.FacetLimit)
		counts := map[string]int{}
		for _, it := range items {
			counts[it.Name] = it.Count
		}
		res.Facets[f] = counts
		res.SearchFacets[f] = Facet{Title: facetFields[f], Items: items}
	}
	return res
}

func facetItems(hits []*Package, field string, limit int) []FacetItem {
	counts := map[string]int{}
	display := map[string]string{}
	for _, p := range hits {
		seen := map[string]bool{}
		for _, v := range searchFields[field](p) {
			if v != "" && !seen[v] {
				seen[v] = true
				counts[v]++
			}
		}
		for _, g := range p.Groups {
			display["groups:"+g.Name] = g.Title
		}
		if p.Organization != nil {
			display["organization:"+p.Organization.Name] = p.Organization.Title
		}
	}
	items := make([]FacetItem, 0, len(counts))
	for v, n := range counts {
		items = append(items, FacetItem{Name: v, DisplayName: cmp.Or(display[field+":"+v], v), Count: n})
	}
	slices.SortFunc(items, func(a, b FacetItem) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), strings.Compare(a.Name, b.Name))
	})
	if limit >= 0 && len(items) > limit {
		items = items[:limit]
	}
	return items
}
