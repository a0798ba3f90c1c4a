package httpapi

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/socle/socle/internal/auth"
	"github.com/socle/socle/internal/catalog"
	"github.com/socle/socle/internal/dcat"
	"github.com/socle/socle/internal/errs"
	"github.com/socle/socle/rdf"
)

// The catalog as DCAT-AP 3 (internal/dcat), for harvesters such as
// data.gouv.fr's: /catalog.{ttl,jsonld,rdf} (and /catalog by content
// negotiation), /datasets/{id}.{ttl,jsonld,rdf}
// (both reached through the portal, which owns those paths; see
// web/dcat.go) and Opendatasoft's /api/explore/v2.1/catalog/exports/dcat
// (RDF/XML, as ODS serves it). The catalog is paged with Hydra
// (?page=&page_size=) and filtered with ?modified_since=; only what the
// caller may see is described.

// DCAT page sizes: a harvester reads the whole catalog page by page.
const (
	dcatDefaultPageSize = 100
	dcatMaxPageSize     = 1000
)

// dcatSyntaxes are the serialisations by file extension.
var dcatSyntaxes = map[string]struct {
	contentType string
	write       func(*bytes.Buffer, *rdf.Graph) error
}{
	"ttl":    {"text/turtle; charset=utf-8", func(b *bytes.Buffer, g *rdf.Graph) error { return rdf.WriteTurtle(b, g, nil) }},
	"jsonld": {"application/ld+json", func(b *bytes.Buffer, g *rdf.Graph) error { return rdf.WriteJSONLD(b, g, nil) }},
	"rdf":    {"application/rdf+xml", func(b *bytes.Buffer, g *rdf.Graph) error { return rdf.WriteRDFXML(b, g, nil) }},
}

// DCATExtension returns the DCAT syntax extension ending name ("ttl",
// "jsonld", "rdf") and name without it, or ok false.
func DCATExtension(name string) (stem, ext string, ok bool) {
	i := strings.LastIndexByte(name, '.')
	if i <= 0 {
		return "", "", false
	}
	if _, ok := dcatSyntaxes[name[i+1:]]; !ok {
		return "", "", false
	}
	return name[:i], name[i+1:], true
}

func (s *Server) routesDCAT() {
	s.mux.HandleFunc("GET /api/explore/v2.1/catalog/exports/dcat", func(w http.ResponseWriter, r *http.Request) {
		s.serveDCATCatalog(w, r, principal(r), "rdf")
	})
}

// ServeDCAT serves r.URL.Path, /catalog.{ext} or /datasets/{id}.{ext}, to
// p: the portal's session user, else the holder of the request's API key
// (harvesters send one to see more than public data).
func (s *Server) ServeDCAT(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	if p.Anonymous() {
		var err error
		if p, err = s.authenticate(r); err != nil {
			s.writeError(w, r, err)
			return
		}
	}
	path := r.URL.Path
	if path == "/catalog" { // the catalog's IRI: its syntax by content negotiation
		w.Header().Set("Vary", "Accept")
		s.serveDCATCatalog(w, r, p, negotiateRDF(r.Header.Get("Accept")))
		return
	}
	if stem, ext, ok := DCATExtension(path); ok && stem == "/catalog" {
		s.serveDCATCatalog(w, r, p, ext)
		return
	}
	if stem, ext, ok := DCATExtension(strings.TrimPrefix(path, "/datasets/")); ok && strings.HasPrefix(path, "/datasets/") && !strings.Contains(stem, "/") {
		s.serveDCATDataset(w, r, p, stem, ext)
		return
	}
	s.writeError(w, r, errs.E(errs.NotFound, "no such endpoint: %s", path))
}

// negotiateRDF picks the first RDF syntax the Accept header names (q=0
// excluded), Turtle when it names none.
func negotiateRDF(accept string) string {
	for _, part := range strings.Split(accept, ",") {
		media, params, _ := strings.Cut(part, ";")
		if strings.ReplaceAll(strings.TrimSpace(params), " ", "") == "q=0" {
			continue
		}
		for ext, syn := range dcatSyntaxes {
			if mt, _, _ := strings.Cut(syn.contentType, ";"); strings.EqualFold(strings.TrimSpace(media), mt) {
				return ext
			}
		}
	}
	return "ttl"
}

func (s *Server) serveDCATCatalog(w http.ResponseWriter, r *http.Request, p auth.Principal, ext string) {
	ctx, cancel := context.WithTimeout(r.Context(), s.limits.QueryTimeout)
	defer cancel()
	page, size, since, err := dcatParams(r.URL.Query())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	all, err := s.app.Datasets(ctx, p)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var picked []*catalog.Dataset
	for _, d := range all {
		if !d.Modified.Before(since) {
			picked = append(picked, d)
		}
	}
	slices.SortFunc(picked, func(a, b *catalog.Dataset) int { return strings.Compare(a.ID, b.ID) })
	orgs, err := s.orgsByID(ctx)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	base := baseURL(r)
	c := dcat.Catalog{BaseURL: base, Orgs: orgs, Publisher: collectivity(orgs),
		Page: &dcat.Page{Number: page, Size: size, Total: len(picked), URL: pageURL(base, r, size)}}
	c.Title, c.Description = "Catalogue de données", "Les jeux de données publiés sur "+base+", décrits en DCAT-AP 3."
	if c.Publisher != nil {
		c.Title += " — " + c.Publisher.Name
		c.Description = "Les jeux de données de " + c.Publisher.Name + ", décrits en DCAT-AP 3."
	}
	for _, d := range picked[min((page-1)*size, len(picked)):min(page*size, len(picked))] {
		c.Entries = append(c.Entries, s.dcatEntry(ctx, d))
	}
	s.writeGraph(w, r, dcat.Graph(c), ext)
}

func (s *Server) serveDCATDataset(w http.ResponseWriter, r *http.Request, p auth.Principal, id, ext string) {
	ctx, cancel := context.WithTimeout(r.Context(), s.limits.QueryTimeout)
	defer cancel()
	d, err := s.app.Dataset(ctx, p, id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	orgs, err := s.orgsByID(ctx)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeGraph(w, r, dcat.DatasetGraph(baseURL(r), orgs, s.dcatEntry(ctx, d)), ext)
}

// dcatEntry adds to d what the mapping needs: its export formats (those
// the export list offers), their measured sizes and its extent.
func (s *Server) dcatEntry(ctx context.Context, d *catalog.Dataset) dcat.Entry {
	e := dcat.Entry{Dataset: d}
	if d.Version == 0 {
		return e // no records yet: nothing to download
	}
	for _, f := range exportFormats {
		if f == "geojson" && !d.HasGeo() {
			continue
		}
		n, _ := s.app.ExportSize(d.ID, d.Version, f)
		e.Exports = append(e.Exports, dcat.Export{Format: f, ByteSize: n})
	}
	ext, err := s.extent(ctx, d)
	if err != nil {
		// The extent is recommended, not mandatory: describe the rest.
		s.logger.Warn("dcat: dataset extent", "dataset", d.ID, "err", err)
		return e
	}
	if bb, ok := ext.BBox(); ok {
		e.BBox = &bb
	}
	return e
}

func (s *Server) orgsByID(ctx context.Context) (map[string]*catalog.Organization, error) {
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

// collectivity is the catalog's publisher: the collectivity's own
// organization (the first by ID, for a stable answer).
func collectivity(orgs map[string]*catalog.Organization) *catalog.Organization {
	var out *catalog.Organization
	for _, o := range orgs {
		if o.Kind == catalog.OrgMetropolis && (out == nil || o.ID < out.ID) {
			out = o
		}
	}
	return out
}

func (s *Server) writeGraph(w http.ResponseWriter, r *http.Request, g *rdf.Graph, ext string) {
	syn := dcatSyntaxes[ext]
	var b bytes.Buffer
	if err := syn.write(&b, g); err != nil {
		s.writeError(w, r, errs.Wrap(errs.Internal, err, "could not write the catalog"))
		return
	}
	w.Header().Set("Content-Type", syn.contentType)
	w.WriteHeader(http.StatusOK)
	w.Write(b.Bytes())
}

// dcatParams reads page (from 1), page_size and modified_since.
func dcatParams(v url.Values) (page, size int, since time.Time, err error) {
	page, size = 1, dcatDefaultPageSize
	if s := v.Get("page"); s != "" {
		if page, err = strconv.Atoi(s); err != nil || page < 1 || page > 1_000_000 {
			return 0, 0, since, errs.E(errs.Invalid, "page must be a whole number from 1")
		}
	}
	if s := v.Get("page_size"); s != "" {
		if size, err = strconv.Atoi(s); err != nil || size < 1 || size > dcatMaxPageSize {
			return 0, 0, since, errs.E(errs.Invalid, "page_size must be a whole number from 1 to %d", dcatMaxPageSize)
		}
	}
	if s := v.Get("modified_since"); s != "" {
		if since, err = parseSince(s); err != nil {
			return 0, 0, since, err
		}
	}
	return page, size, since, nil
}

// parseSince reads an ISO 8601 date or date-time; one without an offset is
// taken as UTC.
func parseSince(s string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02T15:04", time.DateOnly} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, errs.E(errs.Invalid,
		"modified_since must be an ISO 8601 date (2024-01-31) or date-time (2024-01-31T08:00:00Z), not %q", s)
}

// pageURL builds the Hydra links: the request's path and parameters with
// page and page_size set. The API key is left out: a link is not a
// credential, and a harvester sends its key in a header again.
func pageURL(base string, r *http.Request, size int) func(int) string {
	v := url.Values{}
	for k, vals := range r.URL.Query() {
		if k != "apikey" && k != "page" && k != "page_size" {
			v[k] = vals
		}
	}
	return func(n int) string {
		q := url.Values{}
		for k, vals := range v {
			q[k] = vals
		}
		q.Set("page", strconv.Itoa(n))
		q.Set("page_size", strconv.Itoa(size))
		return base + r.URL.Path + "?" + q.Encode()
	}
}
