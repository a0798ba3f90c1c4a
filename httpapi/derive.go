package httpapi

import (
	"errors"
	"io"
	"net/http"

	"github.com/socle/socle/internal/errs"
	"github.com/socle/socle/internal/privacy"
)

// Derivations (internal/app/derive.go): POST /api/socle/v1/derive runs a
// spec (internal/privacy) into its target dataset; POST
// /api/socle/v1/datasets/{id}/derive runs again the spec stored in a
// derived dataset. Writers of both datasets only. An aggregate refused by
// the statistical secrecy rule answers 400 with the secrecy report.

func (s *Server) routesDerive() {
	s.mux.HandleFunc("POST /api/socle/v1/derive", s.handleDerive)
	s.mux.HandleFunc("POST /api/socle/v1/datasets/{id}/derive", s.handleRederive)
}

// secrecyError is the 400 body of a refusal by the secrecy rule.
type secrecyError struct {
	ErrorCode string         `json:"error_code"`
	Message   string         `json:"message"`
	Secrecy   privacy.Report `json:"secrecy"`
}

func (s *Server) handleDerive(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, privacy.MaxSpecBytes+1))
	if err != nil {
		s.writeError(w, r, errs.Wrap(errs.TooLarge, err, "a derivation spec is at most %d bytes", privacy.MaxSpecBytes))
		return
	}
	spec, err := privacy.ParseSpec(body)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	res, err := s.app.Derive(r.Context(), principal(r), spec)
	s.writeDerived(w, r, res, err)
}

func (s *Server) handleRederive(w http.ResponseWriter, r *http.Request) {
	res, err := s.app.Rederive(r.Context(), principal(r), r.PathValue("id"))
	s.writeDerived(w, r, res, err)
}

func (s *Server) writeDerived(w http.ResponseWriter, r *http.Request, res any, err error) {
	var se *privacy.SecrecyError
	switch {
	case errors.As(err, &se):
		writeJSON(w, http.StatusBadRequest, secrecyError{ErrorCode: "StatisticalSecrecy", Message: errs.Message(err), Secrecy: se.Report})
	case err != nil:
		s.writeError(w, r, err)
	default:
		writeJSON(w, http.StatusOK, res)
	}
}
