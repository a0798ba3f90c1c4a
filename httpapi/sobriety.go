package httpapi

import (
	"net/http"
	"strconv"

	"github.com/socle/socle/internal/errs"
)

// routesSobriety registers the sobriety report (GET /api/socle/v1/sobriety,
// the platform's footprint with the datasets the caller may see) and the
// annual public report (GET /api/socle/v1/report/{year}).
func (s *Server) routesSobriety() {
	s.mux.HandleFunc("GET /api/socle/v1/sobriety", s.handleSobriety)
	s.mux.HandleFunc("GET /api/socle/v1/report/{year}", s.handleAnnualReport)
}

// handleAnnualReport serves the annual public report of a year as JSON.
func (s *Server) handleAnnualReport(w http.ResponseWriter, r *http.Request) {
	year, err := strconv.Atoi(r.PathValue("year"))
	if err != nil {
		s.writeError(w, r, errs.E(errs.NotFound, "no report %q", r.PathValue("year")))
		return
	}
	rep, err := s.app.AnnualReport(r.Context(), year)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, rep)
}

func (s *Server) handleSobriety(w http.ResponseWriter, r *http.Request) {
	rep, err := s.app.SobrietyReport(r.Context(), principal(r))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, rep)
}
