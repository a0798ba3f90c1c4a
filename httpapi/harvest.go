package httpapi

import (
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/socle/socle/internal/errs"
	"github.com/socle/socle/internal/harvest"
)

// The harvest management API, for stewards and admins (404 for anyone
// else): sources under /api/socle/v1/harvest/sources, a run started with
// POST …/sources/{id}/run (202, the run in progress), the runs of a source
// and each run's report under /api/socle/v1/harvest/runs/{id}.

// maxSourceBody bounds a source sent.
const maxSourceBody = 16 << 10

// sourceJSON is a source as the API shows and takes it: durations in
// minutes and days.
type sourceJSON struct {
	ID           int64      `json:"id"`
	Name         string     `json:"name"`
	URL          string     `json:"url"`
	Type         string     `json:"type"`
	Organization string     `json:"organization"`
	Prefix       string     `json:"prefix"`
	EveryMinutes int        `json:"every_minutes"` // 0: by hand only
	GraceDays    int        `json:"grace_days"`
	Enabled      *bool      `json:"enabled,omitempty"`
	Created      *time.Time `json:"created,omitempty"`
	LastRun      *time.Time `json:"last_run,omitempty"`
}

func toSourceJSON(s *harvest.Source) sourceJSON {
	out := sourceJSON{ID: s.ID, Name: s.Name, URL: s.URL, Type: string(s.Kind), Organization: s.Organization, Prefix: s.Prefix,
		EveryMinutes: int(s.Every / time.Minute), GraceDays: int(s.Grace / (24 * time.Hour)), Enabled: &s.Enabled, Created: &s.Created}
	if !s.LastRun.IsZero() {
		out.LastRun = &s.LastRun
	}
	return out
}

func (s *Server) routesHarvest() {
	const base = "/api/socle/v1/harvest"
	s.mux.HandleFunc("GET "+base+"/sources", s.handleHarvestSources)
	s.mux.HandleFunc("POST "+base+"/sources", s.handleCreateHarvestSource)
	s.mux.HandleFunc("GET "+base+"/sources/{id}", s.handleHarvestSource)
	s.mux.HandleFunc("PUT "+base+"/sources/{id}", s.handleUpdateHarvestSource)
	s.mux.HandleFunc("POST "+base+"/sources/{id}/run", s.handleRunHarvestSource)
	s.mux.HandleFunc("GET "+base+"/sources/{id}/runs", s.handleHarvestRuns)
	s.mux.HandleFunc("GET "+base+"/runs/{id}", s.handleHarvestRun)
}

func harvestID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, errs.E(errs.NotFound, "not found")
	}
	return id, nil
}

func (s *Server) handleHarvestSources(w http.ResponseWriter, r *http.Request) {
	srcs, err := s.app.HarvestSources(r.Context(), principal(r))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := make([]sourceJSON, 0, len(srcs))
	for _, src := range srcs {
		out = append(out, toSourceJSON(src))
	}
	writeJSON(w, http.StatusOK, map[string]any{"results": nonNil(out)})
}

// decodeSource reads a source sent as JSON.
func decodeSource(w http.ResponseWriter, r *http.Request) (*harvest.Source, error) {
	var in sourceJSON
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxSourceBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		return nil, errs.Wrap(errs.Invalid, err, "the body must be a harvest source in JSON: %v", err)
	}
	if in.EveryMinutes < 0 || in.EveryMinutes > 525600 || in.GraceDays < 0 || in.GraceDays > 365 {
		return nil, errs.E(errs.Invalid, "every_minutes is between 0 and 525600, grace_days between 0 and 365")
	}
	return &harvest.Source{Name: in.Name, URL: in.URL, Kind: harvest.Kind(in.Type), Organization: in.Organization, Prefix: in.Prefix,
		Every: time.Duration(in.EveryMinutes) * time.Minute, Grace: time.Duration(in.GraceDays) * 24 * time.Hour,
		Enabled: in.Enabled == nil || *in.Enabled}, nil
}

func (s *Server) handleCreateHarvestSource(w http.ResponseWriter, r *http.Request) {
	src, err := decodeSource(w, r)
	if err == nil {
		if err = s.app.CreateHarvestSource(r.Context(), principal(r), src); err == nil {
			writeJSON(w, http.StatusCreated, toSourceJSON(src))
			return
		}
	}
	s.writeError(w, r, err)
}

// handleUpdateHarvestSource replaces a source's settings (not its URL or
// type): name, organization, prefix, schedule, grace period, enabled.
func (s *Server) handleUpdateHarvestSource(w http.ResponseWriter, r *http.Request) {
	id, err := harvestID(r)
	if err == nil {
		if _, err = s.app.HarvestSource(r.Context(), principal(r), id); err == nil { // 404 before reading the body
			var src *harvest.Source
			if src, err = decodeSource(w, r); err == nil {
				src.ID = id
				if err = s.app.UpdateHarvestSource(r.Context(), principal(r), src); err == nil {
					writeJSON(w, http.StatusOK, toSourceJSON(src))
					return
				}
			}
		}
	}
	s.writeError(w, r, err)
}

func (s *Server) handleHarvestSource(w http.ResponseWriter, r *http.Request) {
	id, err := harvestID(r)
	if err == nil {
		var src *harvest.Source
		if src, err = s.app.HarvestSource(r.Context(), principal(r), id); err == nil {
			writeJSON(w, http.StatusOK, toSourceJSON(src))
			return
		}
	}
	s.writeError(w, r, err)
}

func (s *Server) handleRunHarvestSource(w http.ResponseWriter, r *http.Request) {
	id, err := harvestID(r)
	if err == nil {
		var run *harvest.Run
		if run, err = s.app.StartHarvestSource(r.Context(), principal(r), id); err == nil {
			writeJSON(w, http.StatusAccepted, run)
			return
		}
	}
	s.writeError(w, r, err)
}

func (s *Server) handleHarvestRuns(w http.ResponseWriter, r *http.Request) {
	id, err := harvestID(r)
	if err == nil {
		limit, _ := strconv.Atoi(r.URL.Query().Get("limit"))
		var runs []*harvest.Run
		if runs, err = s.app.HarvestRuns(r.Context(), principal(r), id, limit); err == nil {
			if runs == nil {
				runs = []*harvest.Run{}
			}
			writeJSON(w, http.StatusOK, map[string]any{"results": nonNil(runs)})
			return
		}
	}
	s.writeError(w, r, err)
}

func (s *Server) handleHarvestRun(w http.ResponseWriter, r *http.Request) {
	id, err := harvestID(r)
	if err == nil {
		var run *harvest.Run
		if run, err = s.app.HarvestRun(r.Context(), principal(r), id); err == nil {
			writeJSON(w, http.StatusOK, run)
			return
		}
	}
	s.writeError(w, r, err)
}
