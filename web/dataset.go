package web

import (
	"context"
	"net/http"

	"github.com/socle/socle/internal/auth"
	"github.com/socle/socle/internal/catalog"
	"github.com/socle/socle/internal/errs"
)

// datasetPage is the data of every tab of a dataset page.
type datasetPage struct {
	E        *entry
	Org      *catalog.Organization
	Tab      string
	Tabs     []tabLink
	F        *filters
	Filter   string // the filter parameters, encoded, for links between tabs
	CanWrite bool
	Table    *tableTab
	Map      *mapTab
	Chart    *chartTab
	API      *apiTab
	Files    []download
	Quality  *qualityTab
	// Conformance is the schema badge (schemas.go): valid, invalid, unchecked or "".
	Conformance string
}

type tabLink struct {
	Tab, Label, URL, Icon string
	Current               bool
}

// tabs maps each tab to the function that loads its data.
var tabs = []struct {
	name, icon string
	show       func(*catalog.Dataset) bool
	load       func(s *Server, ctx context.Context, r *http.Request, p *datasetPage) error
}{
	{"", "fr-icon-information-line", nil, nil},
	{"table", "fr-icon-table-line", nil, (*Server).loadTable},
	{"map", "fr-icon-map-pin-2-line", (*catalog.Dataset).HasGeo, (*Server).loadMap},
	{"chart", "fr-icon-bar-chart-box-line", nil, (*Server).loadChart},
	{"api", "fr-icon-code-s-slash-line", nil, (*Server).loadAPI},
	{"downloads", "fr-icon-download-line", nil, (*Server).loadDownloads},
	{"quality", "fr-icon-checkbox-circle-line", func(d *catalog.Dataset) bool { return d.Meta.TableSchemaJSON != "" }, (*Server).loadQuality},
}

func (s *Server) handleDatasetPage(w http.ResponseWriter, r *http.Request) {
	if r.PathValue("tab") == "" && dcatFile(r.PathValue("id")) { // /datasets/{id}.ttl…: web/dcat.go
		s.handleDCAT(w, r)
		return
	}
	ctx, cancel := s.queryContext(r)
	defer cancel()
	p, err := s.datasetPage(ctx, r)
	if err == nil {
		for _, t := range tabs {
			if t.name == p.Tab && t.load != nil {
				err = t.load(s, ctx, r, p)
			}
		}
	}
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	if r.Header.Get(liveHeader) == "" { // a live table reload is no new view
		s.app.CountView(p.E.D.ID)
	}
	title := p.E.D.Meta.Title
	if p.Tab != "" {
		title = s.msgs.T("tab."+tabKey(p.Tab)) + " — " + title
	}
	s.render(w, r, http.StatusOK, "dataset", title, p)
}

// datasetPage loads the dataset, its publisher and the filters, and checks
// the tab exists for it (a map tab without geometry is a 404).
func (s *Server) datasetPage(ctx context.Context, r *http.Request) (*datasetPage, error) {
	pr := principal(r)
	d, err := s.app.Dataset(ctx, pr, r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	orgs, err := s.orgMap(ctx)
	if err != nil {
		return nil, err
	}
	usage, err := s.app.UsageTotals(ctx)
	if err != nil {
		return nil, err
	}
	p := &datasetPage{E: newEntry(d, orgs, usage[d.ID]), Org: orgs[d.Meta.Publisher], Tab: r.PathValue("tab"), CanWrite: pr.User != nil && auth.CanWrite(pr, d)}
	if p.F, err = parseFilters(d, r.URL.Query()); err != nil {
		return nil, err
	}
	p.Filter = p.F.Params.Encode()
	if p.Conformance, err = s.conformance(ctx, d); err != nil {
		return nil, err
	}
	found := false
	for _, t := range tabs {
		if t.show != nil && !t.show(d) {
			continue
		}
		url := "/datasets/" + d.ID
		if t.name != "" {
			url += "/" + t.name
		}
		if p.Filter != "" {
			url += "?" + p.Filter
		}
		p.Tabs = append(p.Tabs, tabLink{Tab: t.name, Label: s.msgs.T("tab." + tabKey(t.name)), URL: url, Icon: t.icon, Current: t.name == p.Tab})
		found = found || t.name == p.Tab
	}
	if !found {
		return nil, errs.E(errs.NotFound, "no such tab")
	}
	return p, nil
}

func tabKey(name string) string {
	if name == "" {
		return "info"
	}
	return name
}
