package web

import (
	"net/http"
	"slices"
	"strings"

	"github.com/socle/socle/internal/catalog"
)

// homePage is the data of the home page.
type homePage struct {
	Datasets, Records, Organizations, Downloads int64
	Themes                                      []facetValue
	Latest, Popular                             []*entry
}

func (s *Server) handleHome(w http.ResponseWriter, r *http.Request, es []*entry, orgs map[string]*catalog.Organization) {
	p := homePage{Datasets: int64(len(es))}
	for _, e := range es {
		p.Records += e.D.Records
		p.Downloads += e.Downloads
	}
	p.Organizations = int64(len(orgs))
	p.Themes = s.countFacet(es, "theme", func(e *entry) []string { return e.D.Meta.Themes }, nil)
	slices.SortFunc(p.Themes, func(a, b facetValue) int { return strings.Compare(a.Label, b.Label) })
	p.Latest = firstN(es, "modified", 6)
	p.Popular = firstN(es, "popular", 6)
	s.render(w, r, http.StatusOK, "home", s.msgs.T("home.title"), p)
}

// firstN returns the first n entries in the given order, without
// reordering es.
func firstN(es []*entry, by string, n int) []*entry {
	c := slices.Clone(es)
	sortEntries(c, by)
	return c[:min(n, len(c))]
}
