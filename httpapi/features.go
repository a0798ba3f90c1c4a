package httpapi

import (
	"context"
	"net/http"
	"net/url"
	"time"

	"github.com/socle/socle/internal/catalog"
	"github.com/socle/socle/internal/errs"
	oaf "github.com/socle/socle/internal/features"
)

// The OGC API – Features (Part 1: Core, OGC 17-069r4) surface: every
// visible dataset with a geometry field is a collection whose items are its
// records as GeoJSON features. Visibility, personal-field views, agreements
// and audit are those of the Explore API: the same app.Dataset and
// records.Store path. Errors answer the standard's exception shape.

const featuresRoot = "/api/features"

// Media types of the surface.
const (
	mimeJSONAPI = "application/json"
	mimeOpenAPI = "application/vnd.oai.openapi+json;version=3.0"
)

func (s *Server) routesFeatures() {
	s.mux.HandleFunc("GET "+featuresRoot, s.handleFeaturesLanding)
	s.mux.HandleFunc("GET "+featuresRoot+"/conformance", s.handleFeaturesConformance)
	s.mux.HandleFunc("GET "+featuresRoot+"/collections", s.handleFeaturesCollections)
	s.mux.HandleFunc("GET "+featuresRoot+"/collections/{id}", s.handleFeaturesCollection)
	s.mux.HandleFunc("GET "+featuresRoot+"/collections/{id}/items", s.handleFeaturesItems)
	s.mux.HandleFunc("GET "+featuresRoot+"/collections/{id}/items/{featureId}", s.handleFeaturesItem)
}

// featuresLink is a link of the standard (RFC 8288 fields).
type featuresLink struct {
	Href  string `json:"href"`
	Rel   string `json:"rel"`
	Type  string `json:"type,omitempty"`
	Title string `json:"title,omitempty"`
}

// featuresException is the standard's error body.
type featuresException struct {
	Code        string `json:"code"`
	Description string `json:"description"`
}

// featuresError answers err in the exception shape; the status comes from
// the one kind-to-status mapping, internal errors are logged, not shown.
func (s *Server) featuresError(w http.ResponseWriter, r *http.Request, err error) {
	k := errs.KindOf(err)
	desc := errs.Message(err)
	if k == errs.Internal {
		s.logger.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
		desc = "internal error"
	}
	code := map[errs.Kind]string{errs.Invalid: "InvalidParameterValue", errs.NotFound: "NotFound",
		errs.Unauthorized: "Unauthorized", errs.Forbidden: "Forbidden", errs.TooLarge: "TooLarge",
		errs.Unavailable: "ServiceUnavailable"}[k]
	if code == "" {
		code = "InternalError"
	}
	writeJSON(w, status(k), featuresException{Code: code, Description: desc})
}

// checkFormat accepts f=json (and f=geojson where GeoJSON is served): the
// only encodings of this surface.
func checkFormat(v url.Values, geo bool) error {
	switch v.Get("f") {
	case "", "json":
		return nil
	case "geojson":
		if geo {
			return nil
		}
	}
	return errs.E(errs.Invalid, "unsupported f=%q: only json is served", v.Get("f"))
}

func (s *Server) handleFeaturesLanding(w http.ResponseWriter, r *http.Request) {
	if err := checkFormat(r.URL.Query(), false); err != nil {
		s.featuresError(w, r, err)
		return
	}
	root := baseURL(r) + featuresRoot
	writeJSON(w, http.StatusOK, map[string]any{
		"title":       "Socle — OGC API – Features",
		"description": "The datasets with a geometry, as collections of GeoJSON features (OGC API – Features Part 1: Core).",
		"links": []featuresLink{
			{Href: root, Rel: "self", Type: mimeJSONAPI, Title: "This document"},
			{Href: baseURL(r) + "/api/openapi.json", Rel: "service-desc", Type: mimeOpenAPI, Title: "The API definition"},
			{Href: root + "/conformance", Rel: "conformance", Type: mimeJSONAPI, Title: "Conformance classes"},
			{Href: root + "/conformance", Rel: "http://www.opengis.net/def/rel/ogc/1.0/conformance", Type: mimeJSONAPI},
			{Href: root + "/collections", Rel: "data", Type: mimeJSONAPI, Title: "Collections"},
			{Href: root + "/collections", Rel: "http://www.opengis.net/def/rel/ogc/1.0/data", Type: mimeJSONAPI},
		},
	})
}

func (s *Server) handleFeaturesConformance(w http.ResponseWriter, r *http.Request) {
	if err := checkFormat(r.URL.Query(), false); err != nil {
		s.featuresError(w, r, err)
		return
	}
	classes := []string{oaf.ConformanceCore, oaf.ConformanceGeoJSON}
	if s.servesOpenAPI(r) {
		classes = append(classes, oaf.ConformanceOAS30)
	}
	writeJSON(w, http.StatusOK, map[string]any{"conformsTo": classes})
}

// servesOpenAPI reports whether the API definition the landing page links
// is routed: oas30 is claimed only then.
func (s *Server) servesOpenAPI(r *http.Request) bool {
	probe, err := http.NewRequestWithContext(r.Context(), http.MethodGet, "/api/openapi.json", nil)
	if err != nil {
		return false
	}
	_, pattern := s.mux.Handler(probe)
	return pattern != ""
}

// featuresCollection is a collection description.
type featuresCollection struct {
	ID          string          `json:"id"`
	Title       string          `json:"title"`
	Description string          `json:"description,omitempty"`
	Links       []featuresLink  `json:"links"`
	Extent      *featuresExtent `json:"extent,omitempty"`
	ItemType    string          `json:"itemType"`
	CRS         []string        `json:"crs"`
	StorageCRS  string          `json:"storageCrs,omitempty"`
}

type featuresExtent struct {
	Spatial  *spatialExtent  `json:"spatial,omitempty"`
	Temporal *temporalExtent `json:"temporal,omitempty"`
}

type spatialExtent struct {
	BBox [][4]float64 `json:"bbox"`
	CRS  string       `json:"crs"`
}

type temporalExtent struct {
	Interval [][2]*string `json:"interval"`
	TRS      string       `json:"trs"`
}

func (s *Server) handleFeaturesCollections(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), s.limits.QueryTimeout)
	defer cancel()
	if err := checkFormat(r.URL.Query(), false); err != nil {
		s.featuresError(w, r, err)
		return
	}
	all, err := s.app.Datasets(ctx, principal(r))
	if err != nil {
		s.featuresError(w, r, err)
		return
	}
	root := baseURL(r) + featuresRoot + "/collections"
	out := []featuresCollection{}
	for _, d := range all {
		if !d.HasGeo() {
			continue
		}
		c, err := s.collection(ctx, r, d)
		if err != nil {
			s.featuresError(w, r, err)
			return
		}
		out = append(out, c)
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"links":       []featuresLink{{Href: root, Rel: "self", Type: mimeJSONAPI, Title: "This document"}},
		"collections": out,
	})
}

func (s *Server) handleFeaturesCollection(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), s.limits.QueryTimeout)
	defer cancel()
	d, ok := s.formatAndCollection(ctx, w, r, false)
	if !ok {
		return
	}
	c, err := s.collection(ctx, r, d)
	if err != nil {
		s.featuresError(w, r, err)
		return
	}
	s.app.AuditRead(ctx, principal(r), d, "dataset.read", 0)
	writeJSON(w, http.StatusOK, c)
}

// geoDataset is the collection {id}: a dataset the caller may see and that
// has a geometry field; anything else does not exist here.
func (s *Server) geoDataset(ctx context.Context, r *http.Request) (*catalog.Dataset, error) {
	id := r.PathValue("id")
	d, err := s.app.Dataset(ctx, principal(r), id)
	if err != nil {
		return nil, err
	}
	if !d.HasGeo() {
		return nil, errs.E(errs.NotFound, "collection %q not found", id)
	}
	return d, nil
}

// formatAndCollection checks the f parameter (geo: GeoJSON may be asked
// for), then reads the collection {id}; on error it has answered.
func (s *Server) formatAndCollection(ctx context.Context, w http.ResponseWriter, r *http.Request, geo bool) (*catalog.Dataset, bool) {
	if err := checkFormat(r.URL.Query(), geo); err != nil {
		s.featuresError(w, r, err)
		return nil, false
	}
	d, err := s.geoDataset(ctx, r)
	if err != nil {
		s.featuresError(w, r, err)
		return nil, false
	}
	return d, true
}

func (s *Server) collection(ctx context.Context, r *http.Request, d *catalog.Dataset) (featuresCollection, error) {
	self := baseURL(r) + featuresRoot + "/collections/" + d.ID
	c := featuresCollection{
		ID: d.ID, Title: d.Meta.Title, Description: d.Meta.Description, ItemType: "feature",
		CRS: []string{oaf.CRS84}, StorageCRS: oaf.CRS84,
		Links: []featuresLink{
			{Href: self, Rel: "self", Type: mimeJSONAPI, Title: "This collection"},
			{Href: self + "/items", Rel: "items", Type: mimeGeoJSON, Title: "Its features"},
		},
	}
	if c.Title == "" {
		c.Title = d.ID
	}
	ext, err := s.extent(ctx, d)
	if err != nil {
		return c, err
	}
	var e featuresExtent
	if box, ok := ext.BBox(); ok {
		e.Spatial = &spatialExtent{BBox: [][4]float64{box}, CRS: oaf.CRS84}
	}
	if first, last, ok := ext.Interval(); ok {
		a, b := first.UTC().Format(time.RFC3339), last.UTC().Format(time.RFC3339)
		e.Temporal = &temporalExtent{Interval: [][2]*string{{&a, &b}}, TRS: "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian"}
	}
	if e.Spatial != nil || e.Temporal != nil {
		c.Extent = &e
	}
	return c, nil
}
