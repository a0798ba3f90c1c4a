// Package web serves Socle's human face: the public data portal (home,
// catalog search, dataset pages with table, map, chart, API and downloads,
// organizations, licences) and the back-office (login, uploads, metadata,
// users, organizations, API keys). Pages are html/template, rendered on the
// server in French through a message catalogue, styled with the vendored
// Système de Design de l'État (DSFR); the little JavaScript there is
// (map, copy buttons) only enhances pages that work without it.
package web

import (
	"context"
	"html/template"
	"log/slog"
	"net/http"
	"net/url"
	"runtime/debug"
	"strings"
	"time"

	"github.com/socle/socle/internal/app"
	"github.com/socle/socle/internal/auth"
	"github.com/socle/socle/internal/errs"
)

// Config is what an operator sets about the portal. The collectivity's name
// and logo are configuration, never code.
type Config struct {
	SiteName         string // the collectivity or portal name, in the header and page titles
	SiteTagline      string // a line under the name
	LogoFile         string // optional image file shown as the operator logo
	TilesURL         string // base map XYZ/WMTS template with {z} {x} {y}; "" for none
	TilesAttribution string
	SessionTTL       time.Duration
	MaxUpload        int64  // bytes of an uploaded data file
	StagingDir       string // uploaded files awaiting publication
	QueryTimeout     time.Duration
}

// IGNPlanTiles is the IGN Géoplateforme "Plan IGN" WMTS layer, the default
// base map.
const IGNPlanTiles = "https://data.geopf.fr/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER=GEOGRAPHICALGRIDSYSTEMS.PLANIGNV2&STYLE=normal&TILEMATRIXSET=PM&FORMAT=image/png&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}"

// DefaultConfig returns the settings of a fresh install.
func DefaultConfig() Config {
	return Config{
		SiteName:         "Socle",
		SiteTagline:      "Portail des données du territoire",
		TilesURL:         IGNPlanTiles,
		TilesAttribution: "© IGN Géoplateforme",
		SessionTTL:       8 * time.Hour,
		MaxUpload:        1 << 30,
		QueryTimeout:     10 * time.Second,
	}
}

// Exporter streams exports; the API server provides it, so that portal
// downloads and API exports share one code path, limits and counters.
type Exporter interface {
	ServeExport(w http.ResponseWriter, r *http.Request, p auth.Principal, id, format string)
}

// Server renders the portal.
type Server struct {
	app     *app.App
	exports Exporter
	cfg     Config
	logger  *slog.Logger
	msgs    *Messages
	pages   map[string]*template.Template
	assets  *assets
	mux     *http.ServeMux
	csp     string // the Content-Security-Policy of every page
}

// New parses templates, messages and assets once and builds the routes.
func New(a *app.App, exports Exporter, logger *slog.Logger, cfg Config) (*Server, error) {
	msgs, err := loadMessages("fr")
	if err != nil {
		return nil, err
	}
	as, err := loadAssets()
	if err != nil {
		return nil, err
	}
	s := &Server{app: a, exports: exports, cfg: cfg, logger: logger, msgs: msgs, assets: as, mux: http.NewServeMux()}
	s.csp = contentSecurityPolicy(cfg.TilesURL)
	if s.pages, err = s.parsePages(); err != nil {
		return nil, err
	}
	s.routes()
	return s, nil
}

// ServeHTTP applies headers, recovery and the session, then routes.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	defer s.recoverPanic(w, r)
	s.securityHeaders(w)
	r, err := s.withViewer(w, r)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	if _, pattern := s.mux.Handler(r); pattern == "" {
		s.renderError(w, r, errs.E(errs.NotFound, "page not found"))
		return
	}
	s.mux.ServeHTTP(w, r)
}

func (s *Server) recoverPanic(w http.ResponseWriter, r *http.Request) {
	if v := recover(); v != nil {
		if v == http.ErrAbortHandler {
			panic(v)
		}
		s.logger.Error("panic", "path", r.URL.Path, "panic", v, "stack", string(debug.Stack()))
		s.renderError(w, r, errs.E(errs.Internal, "internal error"))
	}
}

// contentSecurityPolicy is strict: scripts and styles come only from our own
// vendored files; images also from the configured base map tile server.
func contentSecurityPolicy(tiles string) string {
	img := "'self' data:"
	if u, err := url.Parse(strings.NewReplacer("{", "", "}", "").Replace(tiles)); err == nil && u.Host != "" && (u.Scheme == "https" || u.Scheme == "http") {
		img += " " + u.Scheme + "://" + u.Host
	}
	return "default-src 'self'; script-src 'self'; style-src 'self'; img-src " + img + "; connect-src 'self'; font-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'self'"
}

// securityHeaders sets the CSP and the usual hardening headers.
func (s *Server) securityHeaders(w http.ResponseWriter) {
	h := w.Header()
	h.Set("Content-Security-Policy", s.csp)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "strict-origin-when-cross-origin")
	h.Set("X-Frame-Options", "DENY")
}

// queryContext bounds the database work of one page.
func (s *Server) queryContext(r *http.Request) (context.Context, context.CancelFunc) {
	return context.WithTimeout(r.Context(), s.cfg.QueryTimeout)
}
