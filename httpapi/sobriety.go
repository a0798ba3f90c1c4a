package httpapi

import "net/http"

// routesSobriety registers the sobriety report: GET
// /api/socle/v1/sobriety, the platform's footprint with the datasets the
// caller may see.
func (s *Server) routesSobriety() {
	s.mux.HandleFunc("GET /api/socle/v1/sobriety", s.handleSobriety)
}

func (s *Server) handleSobriety(w http.ResponseWriter, r *http.Request) {
	rep, err := s.app.SobrietyReport(r.Context(), principal(r))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, rep)
}
