package web

import (
	"context"
	"net/http"
	"slices"
	"strings"

	"github.com/socle/socle/internal/catalog"
	"github.com/socle/socle/internal/odsql"
)

// entry is a dataset as the portal lists it.
type entry struct {
	D         *catalog.Dataset
	Publisher string // organization name
	Views     int64
	Downloads int64
	Geo       bool
	RealTime  bool
	Schema    bool
	text      string // folded title, description, keywords, publisher, field labels
	title     string // folded title
}

// realTimeFrequencies are the update frequencies shown as real-time data.
var realTimeFrequencies = map[string]bool{"UPDATE_CONT": true, "CONT": true, "CONTINUOUS": true, "REALTIME": true, "HOURLY": true}

// entries lists the datasets the viewer may see, with their publisher's
// name and usage counts. A catalogue of a few hundred datasets is small
// enough to filter in memory, which keeps search and facets simple.
func (s *Server) entries(ctx context.Context, r *http.Request) ([]*entry, map[string]*catalog.Organization, error) {
	ds, err := s.app.Datasets(ctx, principal(r))
	if err != nil {
		return nil, nil, err
	}
	orgs, err := s.orgMap(ctx)
	if err != nil {
		return nil, nil, err
	}
	usage, err := s.app.UsageTotals(ctx)
	if err != nil {
		return nil, nil, err
	}
	out := make([]*entry, 0, len(ds))
	for _, d := range ds {
		out = append(out, newEntry(d, orgs, usage[d.ID]))
	}
	return out, orgs, nil
}

// catalogPage is a page over the visible catalogue.
type catalogPage func(w http.ResponseWriter, r *http.Request, es []*entry, orgs map[string]*catalog.Organization)

// withEntries loads the visible catalogue for h, within the query time
// limit, and bounds the page's query string.
func (s *Server) withEntries(h catalogPage) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if len(r.URL.RawQuery) > 4096 {
			s.renderError(w, r, errBadParam)
			return
		}
		ctx, cancel := s.queryContext(r)
		defer cancel()
		es, orgs, err := s.entries(ctx, r)
		if err != nil {
			s.renderError(w, r, err)
			return
		}
		h(w, r, es, orgs)
	}
}

func newEntry(d *catalog.Dataset, orgs map[string]*catalog.Organization, u catalog.Usage) *entry {
	e := &entry{D: d, Publisher: d.Meta.Publisher, Views: u.Views, Downloads: u.Downloads,
		Geo: d.HasGeo(), RealTime: realTimeFrequencies[strings.ToUpper(d.Meta.Frequency)], Schema: d.Meta.TableSchemaJSON != ""}
	if o := orgs[d.Meta.Publisher]; o != nil {
		e.Publisher = o.Name
	}
	parts := []string{d.Meta.Title, d.Meta.Description, strings.Join(d.Meta.Keywords, " "), e.Publisher, d.ID}
	for _, f := range d.Fields {
		parts = append(parts, f.Label, f.Name)
	}
	e.text = odsql.Fold(strings.Join(parts, " "))
	e.title = odsql.Fold(d.Meta.Title)
	return e
}

func (s *Server) orgMap(ctx context.Context) (map[string]*catalog.Organization, error) {
	list, err := s.app.Store.Organizations(ctx)
	if err != nil {
		return nil, err
	}
	m := make(map[string]*catalog.Organization, len(list))
	for _, o := range list {
		m[o.ID] = o
	}
	return m, nil
}

// score tells how well e matches the folded query terms: 0 when a term is
// missing, more when terms are in the title.
func (e *entry) score(terms []string) int {
	n := 1
	for _, t := range terms {
		if !strings.Contains(e.text, t) {
			return 0
		}
		if strings.Contains(e.title, t) {
			n += 3
		}
	}
	return n
}

// features lists the feature codes of e (geo, realtime, schema).
func (e *entry) features() []string {
	var out []string
	if e.Geo {
		out = append(out, "geo")
	}
	if e.RealTime {
		out = append(out, "realtime")
	}
	if e.Schema {
		out = append(out, "schema")
	}
	return out
}

// sortEntries orders entries by the named key.
func sortEntries(es []*entry, by string) {
	slices.SortStableFunc(es, func(a, b *entry) int {
		switch by {
		case "popular":
			return int(b.Views+b.Downloads*3) - int(a.Views+a.Downloads*3)
		case "title":
			return strings.Compare(a.title, b.title)
		default: // modified
			return b.D.Modified.Compare(a.D.Modified)
		}
	})
}
