package httpapi

import (
	"net/http"
	"strconv"

	"github.com/socle/socle/internal/auth"
	"github.com/socle/socle/internal/errs"
	"github.com/socle/socle/internal/maintenance"
)

// Webhooks (admins only, 404 for everyone else): GET and POST
// /api/v1/webhooks, DELETE /api/v1/webhooks/{id}, GET
// /api/v1/webhooks/{id}/deliveries. The secret is in the answer to the
// POST only. docs/webhooks.md describes the deliveries.

func (s *Server) handleWebhooks(w http.ResponseWriter, r *http.Request) {
	list, err := s.app.Webhooks(r.Context(), principal(r))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if list == nil {
		list = []*maintenance.Webhook{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"total_count": len(list), "results": nonNil(list)})
}

func (s *Server) handleCreateWebhook(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	if err := sensorsReader(p); err != nil {
		s.writeError(w, r, err)
		return
	}
	var b struct {
		URL    string   `json:"url"`
		Events []string `json:"events"`
	}
	if err := decodeBody(w, r, &b); err != nil {
		s.writeError(w, r, err)
		return
	}
	h := &maintenance.Webhook{URL: b.URL, Events: b.Events}
	if err := s.app.CreateWebhook(r.Context(), p, h); err != nil {
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/webhooks/"+strconv.FormatInt(h.ID, 10))
	writeJSON(w, http.StatusCreated, h)
}

func (s *Server) handleDeleteWebhook(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	id, err := pathID(r, p, "webhook")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if err := s.app.DeleteWebhook(r.Context(), p, id); err != nil {
		s.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) handleWebhookDeliveries(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	id, err := pathID(r, p, "webhook")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	limit := 0
	if l := r.URL.Query().Get("limit"); l != "" {
		if limit, err = strconv.Atoi(l); err != nil || limit < 1 {
			s.writeError(w, r, restError("limit must be a positive number"))
			return
		}
	}
	list, err := s.app.WebhookDeliveries(r.Context(), p, id, limit)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if list == nil {
		list = []*maintenance.Delivery{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"total_count": len(list), "results": nonNil(list)})
}

// pathID reads the numeric ID of the path for a caller who may see
// devices; anything else is not found.
func pathID(r *http.Request, p auth.Principal, what string) (int64, error) {
	if err := sensorsReader(p); err != nil {
		return 0, err
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id < 1 {
		return 0, errs.E(errs.NotFound, "%s %q not found", what, r.PathValue("id"))
	}
	return id, nil
}
