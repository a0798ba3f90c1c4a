package httpapi

import (
	"encoding/json"
	"net/http"

	"github.com/socle/socle/internal/agreements"
	"github.com/socle/socle/internal/errs"
)

// maxAgreementBody bounds an agreement's JSON body.
const maxAgreementBody = 256 << 10

// routesAgreements registers the data-sharing agreements' management API
// (admins and stewards of the owning organization) and the public register.
func (s *Server) routesAgreements() {
	const base = "/api/socle/v1/agreements"
	s.mux.HandleFunc("GET "+base+"/register", s.handleAgreementRegister)
	s.mux.HandleFunc("GET "+base, s.handleAgreements)
	s.mux.HandleFunc("POST "+base, s.handleCreateAgreement)
	s.mux.HandleFunc("GET "+base+"/{id}", s.handleAgreement)
	s.mux.HandleFunc("PUT "+base+"/{id}", s.handleUpdateAgreement)
	s.mux.HandleFunc("POST "+base+"/{id}/{action}", s.handleAgreementAction)
}

func (s *Server) handleAgreementRegister(w http.ResponseWriter, r *http.Request) {
	list, err := s.app.AgreementRegister(r.Context())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"results": nonNil(list)})
}

func (s *Server) handleAgreements(w http.ResponseWriter, r *http.Request) {
	list, err := s.app.Agreements(r.Context(), principal(r))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"results": nonNil(list)})
}

func (s *Server) handleAgreement(w http.ResponseWriter, r *http.Request) {
	v, err := s.app.Agreement(r.Context(), principal(r), r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, v)
}

func (s *Server) handleCreateAgreement(w http.ResponseWriter, r *http.Request) {
	ag, err := decodeAgreement(w, r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if err := s.app.CreateAgreement(r.Context(), principal(r), ag); err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, ag)
}

func (s *Server) handleUpdateAgreement(w http.ResponseWriter, r *http.Request) {
	ag, err := decodeAgreement(w, r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	ag.ID = r.PathValue("id")
	if err := s.app.UpdateAgreement(r.Context(), principal(r), ag); err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, ag)
}

// agreementActions maps the action in the URL to the status it sets.
var agreementActions = map[string]agreements.Status{
	"activate": agreements.Active, "suspend": agreements.Suspended, "terminate": agreements.Terminated,
}

func (s *Server) handleAgreementAction(w http.ResponseWriter, r *http.Request) {
	st, ok := agreementActions[r.PathValue("action")]
	if !ok {
		s.writeError(w, r, errs.E(errs.NotFound, "unknown action %q: activate, suspend or terminate", r.PathValue("action")))
		return
	}
	ag, err := s.app.SetAgreementStatus(r.Context(), principal(r), r.PathValue("id"), st)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, ag)
}

func decodeAgreement(w http.ResponseWriter, r *http.Request) (*agreements.Agreement, error) {
	var ag agreements.Agreement
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxAgreementBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&ag); err != nil {
		return nil, errs.Wrap(errs.Invalid, err, "the body must be an agreement in JSON: %v", err)
	}
	return &ag, nil
}
