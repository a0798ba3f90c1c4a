package httpapi

import (
	"encoding/json"
	"net/http"

	"github.com/socle/socle/internal/errs"
	"github.com/socle/socle/internal/sensors"
)

// Retention rules per device property (internal/app/property_retention.go)
// under /api/socle/v1/retention/properties: list, read, put (create or
// replace) and delete, for stewards and admins.

// maxPropertyRuleBody bounds one rule sent.
const maxPropertyRuleBody = 16 << 10

func (s *Server) routesRetention() {
	const base = "/api/socle/v1/retention/properties"
	s.mux.HandleFunc("GET "+base, s.handlePropertyRules)
	s.mux.HandleFunc("GET "+base+"/{id}", s.handlePropertyRule)
	s.mux.HandleFunc("PUT "+base+"/{id}", s.handlePutPropertyRule)
	s.mux.HandleFunc("DELETE "+base+"/{id}", s.handleDeletePropertyRule)
}

func (s *Server) handlePropertyRules(w http.ResponseWriter, r *http.Request) {
	rules, err := s.app.PropertyRules(r.Context(), principal(r))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if rules == nil {
		rules = []*sensors.PropertyRule{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"results": rules})
}

func (s *Server) handlePropertyRule(w http.ResponseWriter, r *http.Request) {
	rule, err := s.app.PropertyRule(r.Context(), principal(r), r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, rule)
}

func (s *Server) handlePutPropertyRule(w http.ResponseWriter, r *http.Request) {
	var rule sensors.PropertyRule
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxPropertyRuleBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&rule); err != nil {
		s.writeError(w, r, errs.Wrap(errs.Invalid, err, "the body must be a retention rule in JSON: %v", err))
		return
	}
	rule.ID = r.PathValue("id")
	if err := s.app.PutPropertyRule(r.Context(), principal(r), &rule); err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, rule)
}

func (s *Server) handleDeletePropertyRule(w http.ResponseWriter, r *http.Request) {
	if err := s.app.DeletePropertyRule(r.Context(), principal(r), r.PathValue("id")); err != nil {
		s.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
