package httpapi

import (
	"net/http"

	"github.com/socle/socle/internal/dtpr"
)

// The DTPR management API: a steward reads and writes a device's datachain
// (the JSON of dtpr.Chain); the taxonomy it draws from is public.

// routesDTPR registers the datachain routes.
func (s *Server) routesDTPR() {
	const mgmt = "/api/socle/v1"
	s.mux.HandleFunc("GET "+mgmt+"/dtpr/taxonomy", s.handleDTPRTaxonomy)
	s.mux.HandleFunc("GET "+mgmt+"/devices/{device}/dtpr", s.handleGetChain)
	s.mux.HandleFunc("PUT "+mgmt+"/devices/{device}/dtpr", s.handlePutChain)
}

func (s *Server) handleDTPRTaxonomy(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{
		"attribution": dtpr.Attribution, "source": dtpr.SourceURL, "categories": dtpr.Categories(),
	})
}

func (s *Server) handleGetChain(w http.ResponseWriter, r *http.Request) {
	rec, err := s.app.DeviceChain(r.Context(), principal(r), r.PathValue("device"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeChain(w, rec)
}

func (s *Server) handlePutChain(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	if err := sensorsReader(p); err != nil {
		s.writeError(w, r, err)
		return
	}
	c, err := dtpr.ParseChain(http.MaxBytesReader(w, r.Body, dtpr.MaxChainBytes+1))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	rec, err := s.app.PutChain(r.Context(), p, r.PathValue("device"), c)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeChain(w, rec)
}

// writeChain answers a chain with its derived colour.
func writeChain(w http.ResponseWriter, rec *dtpr.Record) {
	writeJSON(w, http.StatusOK, map[string]any{
		"device": rec.Device, "chain": rec.Chain, "colour": rec.Chain.Colour(),
		"updated_at": rec.UpdatedAt, "updated_by": rec.UpdatedBy,
	})
}
