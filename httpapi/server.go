// Package httpapi serves Socle's HTTP APIs: the Opendatasoft-compatible
// Explore API v2.1 under /api/explore/v2.1/ and the health check. Handlers
// decode and validate the request, call package app, and respond; errors go
// through writeError, the one mapping from error kinds to statuses.
package httpapi

import (
	"context"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strings"
	"time"

	"github.com/socle/socle/internal/app"
	"github.com/socle/socle/internal/auth"
	"github.com/socle/socle/internal/errs"
)

// Limits bound what one request may cost.
type Limits struct {
	QueryTimeout  time.Duration // per /records, /facets and catalog query
	ExportTimeout time.Duration // per export stream
	MaxURL        int           // bytes of a request URL
	MaxUpload     int64         // bytes of an uploaded file
	MaxExports    int           // exports streaming at once
}

// DefaultLimits are the limits of a production server.
var DefaultLimits = Limits{QueryTimeout: 30 * time.Second, ExportTimeout: 30 * time.Minute, MaxURL: 16 << 10, MaxUpload: 1 << 30, MaxExports: 4}

// Server holds the handlers' dependencies.
type Server struct {
	app     *app.App
	logger  *slog.Logger
	limits  Limits
	mux     *routeMux
	exports chan struct{} // a token per running export
}

// New builds the server and its routes.
func New(a *app.App, logger *slog.Logger, limits Limits) *Server {
	s := &Server{app: a, logger: logger, limits: limits, mux: newRouteMux(),
		exports: make(chan struct{}, max(1, limits.MaxExports))}
	s.routes()
	return s
}

// ServeHTTP applies the middleware chain then routes.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	defer s.recoverPanic(w, r)
	securityHeaders(w)
	if len(r.URL.RawQuery)+len(r.URL.Path) > s.limits.MaxURL {
		s.writeError(w, r, errs.E(errs.TooLarge, "request URL too long"))
		return
	}
	// Clients differ on trailing slashes: accept both.
	if len(r.URL.Path) > 1 && strings.HasSuffix(r.URL.Path, "/") {
		r.URL.Path = strings.TrimRight(r.URL.Path, "/")
		r.URL.RawPath = ""
	}
	if openReadAPI(r.URL.Path) && cors(w, r) {
		return
	}
	if strings.HasPrefix(r.URL.Path, "/ngsi-ld/") {
		s.serveNGSILD(w, r) // NGSI-LD answers in its own error shape (ngsild.go)
		return
	}
	if r.URL.Path == "/api/3" || strings.HasPrefix(r.URL.Path, "/api/3/") {
		s.serveCKAN(w, r) // CKAN answers in its own envelope (ckan.go)
		return
	}
	// Handler only looks the route up; ServeHTTP below routes again so
	// that path values are set.
	if _, pattern := s.mux.Handler(r); pattern == "" {
		s.unrouted(w, r)
		return
	}
	p, err := s.authenticate(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.mux.ServeHTTP(w, r.WithContext(withPrincipal(r.Context(), p)))
}

// openReadAPI reports the read-only open APIs browser applications of any
// origin may call: the Explore API and OGC API – Features (web maps).
func openReadAPI(path string) bool {
	return strings.HasPrefix(path, "/api/explore/") || path == "/api/features" || strings.HasPrefix(path, "/api/features/")
}

// cors opens the read-only Explore API to browser applications of any
// origin, as Opendatasoft does: reusers' web apps call it directly. No
// cookie is ever honoured there, so this grants nothing a script could not
// already do. It answers preflight requests itself and reports so.
func cors(w http.ResponseWriter, r *http.Request) bool {
	h := w.Header()
	h.Set("Access-Control-Allow-Origin", "*")
	h.Set("Access-Control-Expose-Headers", "Content-Disposition")
	if r.Method != http.MethodOptions {
		return false
	}
	h.Set("Access-Control-Allow-Methods", "GET, OPTIONS")
	h.Set("Access-Control-Allow-Headers", "Authorization, Accept")
	h.Set("Access-Control-Max-Age", "86400")
	w.WriteHeader(http.StatusNoContent)
	return true
}

// unrouted answers requests no route takes, in the API's JSON error shape:
// 405 when the path exists for another method, else 404.
func (s *Server) unrouted(w http.ResponseWriter, r *http.Request) {
	for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodPut} {
		probe := r.Clone(r.Context())
		probe.Method = m
		if _, pattern := s.mux.Handler(probe); pattern != "" && m != r.Method {
			w.Header().Set("Allow", m)
			writeJSON(w, http.StatusMethodNotAllowed, odsError{ErrorCode: "MethodNotAllowed", Message: "method " + r.Method + " is not allowed here"})
			return
		}
	}
	s.writeError(w, r, errs.E(errs.NotFound, "no such endpoint: %s", r.URL.Path))
}

func (s *Server) recoverPanic(w http.ResponseWriter, r *http.Request) {
	if v := recover(); v != nil {
		if v == http.ErrAbortHandler {
			panic(v)
		}
		s.logger.Error("panic", "path", r.URL.Path, "panic", v, "stack", string(debug.Stack()))
		s.writeError(w, r, errs.E(errs.Internal, "internal error"))
	}
}

func securityHeaders(w http.ResponseWriter) {
	h := w.Header()
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "strict-origin-when-cross-origin")
	h.Set("X-Frame-Options", "DENY")
}

// authenticate resolves the API key of the request, if any: the
// "Authorization: Apikey KEY" header (scheme in any case) or ?apikey=.
// A key that is wrong or revoked is refused rather than treated as
// anonymous, so that its owner learns about it.
func (s *Server) authenticate(r *http.Request) (auth.Principal, error) {
	key := r.URL.Query().Get("apikey")
	if h := r.Header.Get("Authorization"); h != "" {
		scheme, value, _ := strings.Cut(h, " ")
		switch strings.ToLower(scheme) {
		case "apikey", "bearer":
			key = strings.TrimSpace(value)
		default:
			return auth.Principal{}, errs.E(errs.Unauthorized, "unsupported Authorization scheme; use \"Apikey <key>\"")
		}
	}
	if key == "" {
		return auth.Principal{}, nil
	}
	return s.app.Authenticate(r.Context(), key)
}

type principalKey struct{}

func withPrincipal(ctx context.Context, p auth.Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

func principal(r *http.Request) auth.Principal {
	p, _ := r.Context().Value(principalKey{}).(auth.Principal)
	return p
}

func (s *Server) handleHealth(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := s.app.Store.Ping(ctx); err != nil {
		s.writeError(w, r, errs.Wrap(errs.Unavailable, err, "database unavailable"))
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok", "engine": s.app.Store.Engine()})
}
