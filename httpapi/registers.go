package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"

	"github.com/socle/socle/internal/auth"
	"github.com/socle/socle/internal/errs"
	"github.com/socle/socle/internal/registers"
)

// The registers under /api/socle/v1/registers/{processing|algorithms}:
// their public view for anyone (the keepers also see the confidential
// notes), as JSON or CSV (suffix .csv); PUT and DELETE of one entry for
// stewards and admins.

// maxRegisterBody bounds one entry sent.
const maxRegisterBody = 256 << 10

// register is one register's operations.
type register struct {
	kind string // the app's kind
	list func(ctx context.Context, p auth.Principal) (any, error)
	get  func(ctx context.Context, p auth.Principal, id string) (any, error)
	put  func(ctx context.Context, p auth.Principal, id string, body io.Reader) (any, error)
	csv  func(w io.Writer, v any) error
}

// listOf hands a register's entries on as a list that is never null.
func listOf[T any](list []T, err error) (any, error) { return nonNil(list), err }

func (s *Server) registers() map[string]register {
	return map[string]register{
		"processing": {kind: "processing",
			list: func(ctx context.Context, p auth.Principal) (any, error) { return listOf(s.app.Processings(ctx, p)) },
			get: func(ctx context.Context, p auth.Principal, id string) (any, error) {
				return s.app.Processing(ctx, p, id)
			},
			put: func(ctx context.Context, p auth.Principal, id string, body io.Reader) (any, error) {
				var e registers.Processing
				if err := decodeEntry(body, &e); err != nil {
					return nil, err
				}
				e.ID = id
				return &e, s.app.PutProcessing(ctx, p, &e)
			},
			csv: func(w io.Writer, v any) error { return registers.WriteProcessingCSV(w, v.([]*registers.Processing)) }},
		"contracts": {kind: "contract",
			list: func(ctx context.Context, p auth.Principal) (any, error) { return listOf(s.app.Contracts(ctx, p)) },
			get:  func(ctx context.Context, p auth.Principal, id string) (any, error) { return s.app.Contract(ctx, p, id) },
			put: func(ctx context.Context, p auth.Principal, id string, body io.Reader) (any, error) {
				var e registers.Contract
				if err := decodeEntry(body, &e); err != nil {
					return nil, err
				}
				e.ID = id
				return &e, s.app.PutContract(ctx, p, &e)
			},
			csv: func(w io.Writer, v any) error { return errs.E(errs.NotFound, "the contracts export as JSON") }},
		"algorithms": {kind: "algorithm",
			list: func(ctx context.Context, p auth.Principal) (any, error) { return listOf(s.app.Algorithms(ctx, p)) },
			get: func(ctx context.Context, p auth.Principal, id string) (any, error) {
				return s.app.Algorithm(ctx, p, id)
			},
			put: func(ctx context.Context, p auth.Principal, id string, body io.Reader) (any, error) {
				var e registers.Algorithm
				if err := decodeEntry(body, &e); err != nil {
					return nil, err
				}
				e.ID = id
				return &e, s.app.PutAlgorithm(ctx, p, &e)
			},
			csv: func(w io.Writer, v any) error { return registers.WriteAlgorithmCSV(w, v.([]*registers.Algorithm)) }},
	}
}

func decodeEntry(body io.Reader, v any) error {
	dec := json.NewDecoder(body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return errs.Wrap(errs.Invalid, err, "the body must be a register entry in JSON: %v", err)
	}
	return nil
}

// routesRegisters registers the registers' routes.
func (s *Server) routesRegisters() {
	const base = "/api/socle/v1/registers/"
	s.mux.HandleFunc("GET "+base+"{name}", s.handleRegister)
	s.mux.HandleFunc("GET "+base+"{name}/{id}", s.handleRegisterEntry)
	s.mux.HandleFunc("PUT "+base+"{name}/{id}", s.handlePutRegisterEntry)
	s.mux.HandleFunc("DELETE "+base+"{name}/{id}", s.handleDeleteRegisterEntry)
	s.mux.HandleFunc("GET /api/socle/v1/deliveries", s.handleDeliveries)
}

// lookupRegister finds the register a path names; asCSV for a ".csv" name.
func (s *Server) lookupRegister(r *http.Request) (reg register, asCSV bool, err error) {
	name := r.PathValue("name")
	name, asCSV = strings.CutSuffix(name, ".csv")
	name = strings.TrimSuffix(name, ".json")
	reg, ok := s.registers()[name]
	if !ok {
		return reg, false, errs.E(errs.NotFound, "no register %q (processing, algorithms, contracts)", name)
	}
	return reg, asCSV, nil
}

func (s *Server) handleRegister(w http.ResponseWriter, r *http.Request) {
	reg, asCSV, err := s.lookupRegister(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	list, err := reg.list(r.Context(), principal(r))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if !asCSV {
		writeJSON(w, http.StatusOK, map[string]any{"results": list})
		return
	}
	var buf bytes.Buffer // a register is small: answer an error rather than half a file
	if err := reg.csv(&buf, list); err != nil {
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="registre-`+r.PathValue("name")+`"`)
	w.Write(buf.Bytes())
}

func (s *Server) handleRegisterEntry(w http.ResponseWriter, r *http.Request) {
	reg, _, err := s.lookupRegister(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	e, err := reg.get(r.Context(), principal(r), r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, e)
}

func (s *Server) handlePutRegisterEntry(w http.ResponseWriter, r *http.Request) {
	reg, _, err := s.lookupRegister(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	e, err := reg.put(r.Context(), principal(r), r.PathValue("id"), http.MaxBytesReader(w, r.Body, maxRegisterBody))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, e)
}

func (s *Server) handleDeleteRegisterEntry(w http.ResponseWriter, r *http.Request) {
	reg, _, err := s.lookupRegister(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if err := s.app.DeleteRegisterEntry(r.Context(), principal(r), reg.kind, r.PathValue("id")); err != nil {
		s.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// handleDeliveries lists the state of every data clause of the contracts
// in force (GET /api/socle/v1/deliveries): public, as the contracts are.
func (s *Server) handleDeliveries(w http.ResponseWriter, r *http.Request) {
	ds, err := s.app.Deliveries(r.Context())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"results": nonNil(ds)})
}
