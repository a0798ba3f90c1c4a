package httpapi

import (
	"net/http"
	"strings"

	"github.com/socle/socle/internal/errs"
	"github.com/socle/socle/internal/ngsild"
)

// The NGSI-LD API (ETSI GS CIM 009, the subset of OASC MIM1 a city
// needs) under /ngsi-ld/v1, and the JSON-LD contexts Socle serves under
// /ngsi-ld/contexts/. Errors are ProblemDetails (ngsild_errors.go);
// authentication is the API's (an API key), and entities are sensor data:
// anonymous callers get 401, callers who may not see sensors 404.

const ldBase = "/ngsi-ld/v1"

// routesNGSILD registers the NGSI-LD routes.
func (s *Server) routesNGSILD() {
	s.mux.HandleFunc("GET "+ngsild.ContextPath+"{file}", s.handleLDContext)

	s.mux.HandleFunc("POST "+ldBase+"/entities", s.handleLDCreate)
	s.mux.HandleFunc("GET "+ldBase+"/entities", s.handleLDQuery)
	s.mux.HandleFunc("GET "+ldBase+"/entities/{id}", s.handleLDEntity)
	s.mux.HandleFunc("PATCH "+ldBase+"/entities/{id}", s.handleLDMerge)
	s.mux.HandleFunc("PUT "+ldBase+"/entities/{id}", s.handleLDReplace)
	s.mux.HandleFunc("DELETE "+ldBase+"/entities/{id}", s.handleLDDelete)
	s.mux.HandleFunc("POST "+ldBase+"/entities/{id}/attrs", s.handleLDAppendAttrs)
	s.mux.HandleFunc("PATCH "+ldBase+"/entities/{id}/attrs", s.handleLDUpdateAttrs)
	s.mux.HandleFunc("PATCH "+ldBase+"/entities/{id}/attrs/{attr}", s.handleLDPatchAttr)
	s.mux.HandleFunc("PUT "+ldBase+"/entities/{id}/attrs/{attr}", s.handleLDPutAttr)
	s.mux.HandleFunc("DELETE "+ldBase+"/entities/{id}/attrs/{attr}", s.handleLDDeleteAttr)
	s.mux.HandleFunc("POST "+ldBase+"/entityOperations/{op}", s.handleLDBatch)

	s.mux.HandleFunc("GET "+ldBase+"/temporal/entities", s.handleLDTemporalQuery)
	s.mux.HandleFunc("GET "+ldBase+"/temporal/entities/{id}", s.handleLDTemporalEntity)
	s.mux.HandleFunc("GET "+ldBase+"/types", s.handleLDTypes)

	s.mux.HandleFunc("POST "+ldBase+"/subscriptions", s.handleLDSubscribe)
	s.mux.HandleFunc("GET "+ldBase+"/subscriptions", s.handleLDSubscriptions)
	s.mux.HandleFunc("GET "+ldBase+"/subscriptions/{id}", s.handleLDSubscription)
	s.mux.HandleFunc("PATCH "+ldBase+"/subscriptions/{id}", s.handleLDPatchSubscription)
	s.mux.HandleFunc("DELETE "+ldBase+"/subscriptions/{id}", s.handleLDDeleteSubscription)
}

// serveNGSILD routes a request under /ngsi-ld/ with NGSI-LD's error
// shape for unknown routes and refused keys.
func (s *Server) serveNGSILD(w http.ResponseWriter, r *http.Request) {
	if _, pattern := s.mux.Handler(r); pattern == "" {
		s.unroutedLD(w, r)
		return
	}
	p, err := s.authenticate(r)
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	s.mux.ServeHTTP(w, r.WithContext(withPrincipal(r.Context(), p)))
}

// unroutedLD answers 405 when the path exists for another method, else 404.
func (s *Server) unroutedLD(w http.ResponseWriter, r *http.Request) {
	var allowed []string
	for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodPatch, http.MethodPut, http.MethodDelete} {
		probe := r.Clone(r.Context())
		probe.Method = m
		if _, pattern := s.mux.Handler(probe); pattern != "" {
			allowed = append(allowed, m)
		}
	}
	if len(allowed) > 0 {
		w.Header().Set("Allow", strings.Join(allowed, ", "))
		writeProblemBody(w, ngsild.NewProblem("MethodNotAllowed", http.StatusMethodNotAllowed, "method "+r.Method+" is not allowed here"))
		return
	}
	s.writeProblem(w, r, errs.WithCode(errs.NotFound, "ResourceNotFound", "no such endpoint: %s", r.URL.Path))
}

// handleLDContext serves an embedded JSON-LD context; no key needed.
func (s *Server) handleLDContext(w http.ResponseWriter, r *http.Request) {
	b, ok := ngsild.ContextFile(r.PathValue("file"))
	if !ok {
		s.writeProblem(w, r, errs.WithCode(errs.NotFound, "ResourceNotFound", "no such context"))
		return
	}
	w.Header().Set("Content-Type", "application/ld+json")
	w.Header().Set("Cache-Control", "public, max-age=86400")
	w.Header().Set("Access-Control-Allow-Origin", "*")
	w.Write(b)
}
