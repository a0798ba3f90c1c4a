package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/socle/socle/internal/catalog"
	"github.com/socle/socle/internal/odsql"
)

// searchPageSize is the number of datasets per results page.
const searchPageSize = 20

// facetValue is one value of a search facet with the URL that toggles it,
// so that facets work as plain links (Datasette's way).
type facetValue struct {
	Param        string
	Value, Label string
	Count        int
	Active       bool
	URL          string
}

// facet is one dimension of the catalogue search.
type facet struct {
	Param, Title string
	Values       []facetValue
}

// dimension describes how a facet reads its values from an entry.
type dimension struct {
	param  string
	label  string // catalogue prefix of value labels ("" = value as is)
	values func(*entry) []string
}

var dimensions = []dimension{
	{"theme", "theme", func(e *entry) []string { return e.D.Meta.Themes }},
	{"publisher", "", func(e *entry) []string { return []string{e.Publisher} }},
	{"keyword", "", func(e *entry) []string { return e.D.Meta.Keywords }},
	{"licence", "licence", func(e *entry) []string { return []string{e.D.Meta.License} }},
	{"feature", "feature", (*entry).features},
	{"access", "access", func(e *entry) []string { return []string{string(e.D.Access)} }},
}

// searchPage is the data of the catalogue search page.
type searchPage struct {
	Q, Sort    string
	Total      int
	Results    []*entry
	Facets     []facet
	Active     []facetValue // filters in force, each with its removal URL
	Page       int
	Pages      int
	PrevURL    string
	NextURL    string
	SortValues []string
}

func (s *Server) handleSearch(w http.ResponseWriter, r *http.Request, es []*entry, _ map[string]*catalog.Organization) {
	v := r.URL.Query()
	p := searchPage{Q: strings.TrimSpace(v.Get("q")), Sort: v.Get("sort"), SortValues: []string{"relevance", "modified", "popular", "title"}}
	hits := filterEntries(es, v, p.Q)
	for _, d := range dimensions {
		if d.param == "access" && !viewerOf(r).LoggedIn() {
			continue // every dataset an anonymous visitor sees is public
		}
		f := facet{Param: d.param, Title: s.msgs.T("search.facet." + d.param)}
		f.Values = s.countFacet(hits, d.label, d.values, v[d.param])
		for i := range f.Values {
			f.Values[i].URL = toggleURL(v, d.param, f.Values[i].Value)
		}
		for _, a := range v[d.param] {
			p.Active = append(p.Active, facetValue{Param: d.param, Value: a, Label: s.valueLabel(d.label, a), URL: toggleURL(v, d.param, a), Active: true})
		}
		if len(f.Values) > 0 {
			f.Values = f.Values[:min(len(f.Values), 12)]
			p.Facets = append(p.Facets, f)
		}
	}
	p.order(hits)
	p.paginate(hits, v)
	s.render(w, r, http.StatusOK, "search", s.msgs.T("search.title"), p)
}

// filterEntries keeps the entries matching the text query and every facet
// filter of v (values of one facet are ORed, facets ANDed).
func filterEntries(es []*entry, v url.Values, q string) []*entry {
	terms := strings.Fields(odsql.Fold(q))
	var out []*entry
	for _, e := range es {
		if e.score(terms) == 0 {
			continue
		}
		ok := true
		for _, d := range dimensions {
			want := v[d.param]
			if len(want) > 0 && !slices.ContainsFunc(d.values(e), func(x string) bool { return slices.Contains(want, x) }) {
				ok = false
				break
			}
		}
		if ok {
			out = append(out, e)
		}
	}
	return out
}

// order sorts hits: by relevance when there is a query, else by date.
func (p *searchPage) order(hits []*entry) {
	switch {
	case p.Sort == "relevance" && p.Q != "", p.Sort == "" && p.Q != "":
		terms := strings.Fields(odsql.Fold(p.Q))
		slices.SortStableFunc(hits, func(a, b *entry) int { return b.score(terms) - a.score(terms) })
		p.Sort = "relevance"
	case p.Sort == "popular", p.Sort == "title", p.Sort == "modified":
		sortEntries(hits, p.Sort)
	default:
		sortEntries(hits, "modified")
		p.Sort = "modified"
	}
}

func (p *searchPage) paginate(hits []*entry, v url.Values) {
	p.Total = len(hits)
	p.Pages = max(1, (len(hits)+searchPageSize-1)/searchPageSize)
	p.Page, _ = strconv.Atoi(v.Get("page"))
	p.Page = min(max(p.Page, 1), p.Pages)
	start := (p.Page - 1) * searchPageSize
	p.Results = hits[start:min(start+searchPageSize, len(hits))]
	if p.Page > 1 {
		p.PrevURL = urlWith(v.Encode(), "page", strconv.Itoa(p.Page-1))
	}
	if p.Page < p.Pages {
		p.NextURL = urlWith(v.Encode(), "page", strconv.Itoa(p.Page+1))
	}
}

// countFacet counts the values of one dimension over es, most frequent
// first; values in active are flagged.
func (s *Server) countFacet(es []*entry, label string, values func(*entry) []string, active []string) []facetValue {
	counts := map[string]int{}
	for _, e := range es {
		for _, x := range values(e) {
			if x != "" {
				counts[x]++
			}
		}
	}
	out := make([]facetValue, 0, len(counts))
	for x, n := range counts {
		out = append(out, facetValue{Value: x, Label: s.valueLabel(label, x), Count: n, Active: slices.Contains(active, x)})
	}
	slices.SortFunc(out, func(a, b facetValue) int {
		if a.Count != b.Count {
			return b.Count - a.Count
		}
		return strings.Compare(a.Label, b.Label)
	})
	return out
}

func (s *Server) valueLabel(kind, code string) string {
	if kind == "" {
		return code
	}
	return s.label(kind, code)
}

// toggleURL adds value to param in v, or removes it when present.
func toggleURL(v url.Values, param, value string) string {
	n := url.Values{}
	for k, vals := range v {
		if k != "page" && k != "ok" {
			n[k] = slices.Clone(vals)
		}
	}
	if i := slices.Index(n[param], value); i >= 0 {
		n[param] = slices.Delete(n[param], i, i+1)
	} else {
		n[param] = append(n[param], value)
	}
	if len(n[param]) == 0 {
		delete(n, param)
	}
	return "/datasets?" + n.Encode()
}
