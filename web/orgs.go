package web

import (
	"net/http"
	"slices"
	"strings"

	"github.com/socle/socle/internal/catalog"
	"github.com/socle/socle/internal/errs"
)

// orgItem is an organization with the datasets the viewer may see.
type orgItem struct {
	O        *catalog.Organization
	Datasets []*entry
}

func (s *Server) handleOrganizations(w http.ResponseWriter, r *http.Request, es []*entry, orgs map[string]*catalog.Organization) {
	items := map[string]*orgItem{}
	for _, o := range orgs {
		items[o.ID] = &orgItem{O: o}
	}
	for _, e := range es {
		if it := items[e.D.Meta.Publisher]; it != nil {
			it.Datasets = append(it.Datasets, e)
		}
	}
	list := make([]*orgItem, 0, len(items))
	for _, it := range items {
		list = append(list, it)
	}
	slices.SortFunc(list, func(a, b *orgItem) int {
		if len(a.Datasets) != len(b.Datasets) {
			return len(b.Datasets) - len(a.Datasets)
		}
		return strings.Compare(a.O.Name, b.O.Name)
	})
	s.render(w, r, http.StatusOK, "organizations", s.msgs.T("orgs.title"), list)
}

func (s *Server) handleOrganization(w http.ResponseWriter, r *http.Request, es []*entry, orgs map[string]*catalog.Organization) {
	o := orgs[r.PathValue("id")]
	if o == nil {
		s.renderError(w, r, errs.E(errs.NotFound, "no such organization"))
		return
	}
	it := &orgItem{O: o}
	for _, e := range es {
		if e.D.Meta.Publisher == o.ID {
			it.Datasets = append(it.Datasets, e)
		}
	}
	sortEntries(it.Datasets, "modified")
	s.render(w, r, http.StatusOK, "organization", o.Name, it)
}

// licenceItem is a licence with the number of visible datasets under it.
type licenceItem struct {
	ID    string
	Count int
}

// knownLicences are described on the licences page even when unused.
var knownLicences = []string{"etalab-2.0", "ODbL-1.0", "CC-BY-4.0", "CC-BY-SA-4.0", "CC0-1.0"}

func (s *Server) handleLicences(w http.ResponseWriter, r *http.Request, es []*entry, _ map[string]*catalog.Organization) {
	counts := map[string]int{}
	for _, e := range es {
		counts[e.D.Meta.License]++
	}
	var list []licenceItem
	for _, id := range knownLicences {
		list = append(list, licenceItem{ID: id, Count: counts[id]})
		delete(counts, id)
	}
	for id, n := range counts {
		list = append(list, licenceItem{ID: id, Count: n})
	}
	s.render(w, r, http.StatusOK, "licences", s.msgs.T("licences.title"), list)
}

// handleLogo serves the configured logo file, if any.
func (s *Server) handleLogo(w http.ResponseWriter, r *http.Request) {
	if s.cfg.LogoFile == "" {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Cache-Control", "public, max-age=3600")
	http.ServeFile(w, r, s.cfg.LogoFile)
}
