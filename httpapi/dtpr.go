package httpapi

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"

	"github.com/socle/socle/internal/dtpr"
	"github.com/socle/socle/internal/errs"
)

// The DTPR management API: a steward reads and writes a device's datachain
// (the JSON of dtpr.Chain); the taxonomy it draws from is public.

// routesDTPR registers the datachain routes.
func (s *Server) routesDTPR() {
	const mgmt = "/api/socle/v1"
	s.mux.HandleFunc("GET "+mgmt+"/dtpr/taxonomy", s.handleDTPRTaxonomy)
	s.mux.HandleFunc("GET "+mgmt+"/devices/{device}/dtpr", s.handleGetChain)
	s.mux.HandleFunc("PUT "+mgmt+"/devices/{device}/dtpr", s.handlePutChain)
	s.mux.HandleFunc("GET "+mgmt+"/deployments", s.handleDeployments)
	s.mux.HandleFunc("GET "+mgmt+"/deployments/{id}", s.handleDeployment)
	s.mux.HandleFunc("PUT "+mgmt+"/deployments/{id}", s.handlePutDeployment)
	s.mux.HandleFunc("DELETE "+mgmt+"/deployments/{id}", s.handleDeleteDeployment)
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

// maxDeploymentBody bounds a deployment's JSON: its chain and a hundred
// device IDs.
const maxDeploymentBody = dtpr.MaxChainBytes + 16<<10

func (s *Server) handleDeployments(w http.ResponseWriter, r *http.Request) {
	list, err := s.app.Deployments(r.Context(), principal(r))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if list == nil {
		list = []*dtpr.Deployment{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"deployments": list})
}

func (s *Server) handleDeployment(w http.ResponseWriter, r *http.Request) {
	d, err := s.app.Deployment(r.Context(), principal(r), r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, d)
}

func (s *Server) handlePutDeployment(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	if err := sensorsReader(p); err != nil {
		s.writeError(w, r, err)
		return
	}
	d, err := parseDeployment(http.MaxBytesReader(w, r.Body, maxDeploymentBody+1))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	d.ID = r.PathValue("id")
	if err := s.app.PutDeployment(r.Context(), p, d); err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, d)
}

// parseDeployment reads a deployment's JSON (unknown members refused).
func parseDeployment(r io.Reader) (*dtpr.Deployment, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxDeploymentBody+1))
	if err != nil {
		return nil, errs.Wrap(errs.Invalid, err, "cannot read the deployment")
	}
	if len(data) > maxDeploymentBody {
		return nil, errs.E(errs.TooLarge, "a deployment is at most %d KiB", maxDeploymentBody>>10)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var d dtpr.Deployment
	if err := dec.Decode(&d); err != nil {
		return nil, errs.E(errs.Invalid, "the body must be a deployment in JSON: name, place, commune, devices, chain")
	}
	return &d, nil
}

func (s *Server) handleDeleteDeployment(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	if err := sensorsReader(p); err != nil {
		s.writeError(w, r, err)
		return
	}
	if err := s.app.DeleteDeployment(r.Context(), p, r.PathValue("id")); err != nil {
		s.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
