package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"

	"github.com/socle/socle/internal/app"
	"github.com/socle/socle/internal/errs"
	"github.com/socle/socle/internal/live"
)

// The Opendatasoft push API 1.0 (real-time datasets) and its management:
// a push authenticates by the dataset's push key (?pushkey=) alone; push
// keys and live feeds are managed under /api/socle/v1 with an API key.

// routesPush registers the push API, its management and the dataset
// event streams.
func (s *Server) routesPush() {
	const push = "/api/push/1.0/{id}/{resource}"
	s.mux.HandleFunc("POST "+push+"/push", s.handlePush)
	s.mux.HandleFunc("POST "+push+"/delete", s.handlePushDelete)
	s.mux.HandleFunc("GET "+push+"/{record_id}/delete", s.handlePushDeleteID)

	const mgmt = "/api/socle/v1/datasets/{id}"
	s.mux.HandleFunc("GET "+mgmt+"/push", s.handlePushStatus)
	s.mux.HandleFunc("POST "+mgmt+"/push", s.handlePushEnable)
	s.mux.HandleFunc("DELETE "+mgmt+"/push", s.handlePushDisable)
	s.mux.HandleFunc("GET "+mgmt+"/live", s.handleFeed)
	s.mux.HandleFunc("PUT "+mgmt+"/live", s.handleDefineFeed)
	s.mux.HandleFunc("POST "+mgmt+"/live/rebuild", s.handleRebuildFeed)

	s.mux.HandleFunc("GET /api/explore/v2.1/catalog/datasets/{id}/events", s.handleEvents) // events.go
}

// pushOK is the push API's reply, as on Opendatasoft.
var pushOK = map[string]string{"status": "OK"}

// readPushBody reads a push body of at most live.MaxBody bytes.
func readPushBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	if r.ContentLength > live.MaxBody {
		return nil, errs.E(errs.TooLarge, "the body exceeds %d bytes", live.MaxBody)
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, live.MaxBody))
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return nil, errs.E(errs.TooLarge, "the body exceeds %d bytes", live.MaxBody)
	} else if err != nil {
		return nil, errs.Wrap(errs.Invalid, err, "the body could not be read")
	}
	return body, nil
}

func (s *Server) handlePush(w http.ResponseWriter, r *http.Request) {
	s.pushWith(w, r, s.app.Push)
}

func (s *Server) handlePushDelete(w http.ResponseWriter, r *http.Request) {
	s.pushWith(w, r, s.app.PushDelete)
}

// pushWith reads the body and hands it to the push use case do.
func (s *Server) pushWith(w http.ResponseWriter, r *http.Request, do func(ctx context.Context, id, key string, body []byte) (live.Result, error)) {
	body, err := readPushBody(w, r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if _, err := do(r.Context(), r.PathValue("id"), r.URL.Query().Get("pushkey"), body); err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, pushOK)
}

func (s *Server) handlePushDeleteID(w http.ResponseWriter, r *http.Request) {
	_, err := s.app.PushDeleteID(r.Context(), r.PathValue("id"), r.URL.Query().Get("pushkey"), r.PathValue("record_id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, pushOK)
}

// pushStatus is what the management API shows of a push key; Key only
// when it was just made.
type pushStatus struct {
	Dataset string `json:"dataset_id"`
	Enabled bool   `json:"enabled"`
	Key     string `json:"pushkey,omitempty"`
	URL     string `json:"push_url,omitempty"`
}

func (s *Server) handlePushStatus(w http.ResponseWriter, r *http.Request) {
	p, err := requireUser(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	k, err := s.app.PushStatus(r.Context(), p, r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, pushStatus{Dataset: k.DatasetID, Enabled: k.Enabled})
}

// handlePushEnable makes a new push key (enabling or rotating) and shows
// it this once.
func (s *Server) handlePushEnable(w http.ResponseWriter, r *http.Request) {
	p, err := requireUser(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	id := r.PathValue("id")
	key, err := s.app.EnablePush(r.Context(), p, id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, pushStatus{Dataset: id, Enabled: true, Key: key,
		URL: baseURL(r) + "/api/push/1.0/" + id + "/realtime/push/?pushkey=" + key})
}

func (s *Server) handlePushDisable(w http.ResponseWriter, r *http.Request) {
	p, err := requireUser(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if err := s.app.DisablePush(r.Context(), p, r.PathValue("id")); err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, pushStatus{Dataset: r.PathValue("id")})
}

func (s *Server) handleFeed(w http.ResponseWriter, r *http.Request) {
	p, err := requireUser(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	f, err := s.app.Feed(r.Context(), p, r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, f)
}

// maxFeedBody bounds a feed definition.
const maxFeedBody = 64 << 10

// handleDefineFeed defines (or redefines) the live feed of dataset {id}
// and fills it from the latest state.
func (s *Server) handleDefineFeed(w http.ResponseWriter, r *http.Request) {
	p, err := requireUser(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var req app.FeedRequest
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxFeedBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		s.writeError(w, r, errs.Wrap(errs.Invalid, err, "invalid feed definition: %v", err))
		return
	}
	req.DatasetID = r.PathValue("id")
	f, err := s.app.DefineFeed(r.Context(), p, req)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, f)
}

// handleRebuildFeed rewrites every record of a live dataset from the
// sensors' latest state (the feeder does it by itself after a lag).
func (s *Server) handleRebuildFeed(w http.ResponseWriter, r *http.Request) {
	p, err := requireUser(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	n, err := s.app.RebuildFeedOf(r.Context(), p, r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]int{"records": n})
}
