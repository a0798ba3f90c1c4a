package web

import (
	"net/http"

	"github.com/socle/socle/httpapi"
	"github.com/socle/socle/internal/auth"
	"github.com/socle/socle/internal/errs"
)

// The DCAT-AP files /catalog, /catalog.{ttl,jsonld,rdf} and /datasets/{id}.{ttl,…}
// are the API's (httpapi/dcat.go) but live in the portal's URL space: Go's
// ServeMux wildcards take whole path segments, so "/datasets/{id}.ttl"
// cannot be a pattern beside the dataset page's "/datasets/{id}". The
// portal hands them over, with its session's user (the API falls back to an
// API key).

// dcatServer is what the API server offers for them.
type dcatServer interface {
	ServeDCAT(w http.ResponseWriter, r *http.Request, p auth.Principal)
}

func (s *Server) dcatRoutes() {
	s.mux.HandleFunc("GET /catalog", s.handleDCAT) // by content negotiation
	for _, ext := range []string{"ttl", "jsonld", "rdf"} {
		s.mux.HandleFunc("GET /catalog."+ext, s.handleDCAT)
	}
}

func (s *Server) handleDCAT(w http.ResponseWriter, r *http.Request) {
	d, ok := s.exports.(dcatServer)
	if !ok {
		s.renderError(w, r, errs.E(errs.NotFound, "page not found"))
		return
	}
	d.ServeDCAT(w, r, principal(r))
}

// dcatFile reports whether the {id} of /datasets/{id} names a DCAT file.
func dcatFile(id string) bool {
	_, _, ok := httpapi.DCATExtension(id)
	return ok
}
