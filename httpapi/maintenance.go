package httpapi

import (
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/socle/socle/internal/app"
	"github.com/socle/socle/internal/errs"
	"github.com/socle/socle/internal/maintenance"
)

// The maintenance API, under /api/v1 with the sensors' visibility
// (sensorsReader: 404 for whoever may not see devices): work orders and
// their lifecycle (maintenance.go), waste rounds as JSON, CSV and GeoJSON
// (maintenance_rounds.go), and the signed webhooks, admins only
// (maintenance_webhooks.go).

// maxWorkOrderBody bounds a work order request's JSON body.
const maxWorkOrderBody = 64 << 10

// routesMaintenance registers the maintenance routes.
func (s *Server) routesMaintenance() {
	const v1 = "/api/v1"
	s.mux.HandleFunc("GET "+v1+"/workorders", s.handleWorkOrders)
	s.mux.HandleFunc("POST "+v1+"/workorders", s.handleCreateWorkOrder)
	s.mux.HandleFunc("GET "+v1+"/workorders/{id}", s.handleWorkOrder)
	s.mux.HandleFunc("PATCH "+v1+"/workorders/{id}", s.handlePatchWorkOrder)
	s.mux.HandleFunc("POST "+v1+"/workorders/{id}/comments", s.handleCommentWorkOrder)
	s.mux.HandleFunc("GET "+v1+"/devices/{device}/workorders", s.handleWorkOrders)
	s.mux.HandleFunc("GET "+v1+"/rounds", s.handleRound)
	s.mux.HandleFunc("GET "+v1+"/rounds.csv", s.handleRoundCSV)
	s.mux.HandleFunc("GET "+v1+"/rounds.geojson", s.handleRoundGeoJSON)
	s.mux.HandleFunc("GET "+v1+"/webhooks", s.handleWebhooks)
	s.mux.HandleFunc("POST "+v1+"/webhooks", s.handleCreateWebhook)
	s.mux.HandleFunc("DELETE "+v1+"/webhooks/{id}", s.handleDeleteWebhook)
	s.mux.HandleFunc("GET "+v1+"/webhooks/{id}/deliveries", s.handleWebhookDeliveries)
}

func (s *Server) handleWorkOrders(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	if err := sensorsReader(p); err != nil {
		s.writeError(w, r, err)
		return
	}
	v := r.URL.Query()
	f := maintenance.Filter{Device: v.Get("device"), Status: v.Get("status")}
	if d := r.PathValue("device"); d != "" {
		f.Device = d
	}
	if l := v.Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > app.MaxWorkOrderLimit {
			s.writeError(w, r, restError("limit must be between 1 and %d", app.MaxWorkOrderLimit))
			return
		}
		f.Limit = n
	}
	list, err := s.app.WorkOrders(r.Context(), p, f)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if list == nil {
		list = []*maintenance.WorkOrder{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"total_count": len(list), "results": nonNil(list)})
}

// workOrderBody is what POST /workorders reads.
type workOrderBody struct {
	Device      string `json:"device"`
	AlertID     *int64 `json:"alert_id"`
	Title       string `json:"title"`
	Description string `json:"description"`
	Priority    string `json:"priority"`
	Assignee    string `json:"assignee"`
	Due         string `json:"due"` // YYYY-MM-DD
}

func (s *Server) handleCreateWorkOrder(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	if err := sensorsReader(p); err != nil {
		s.writeError(w, r, err)
		return
	}
	var b workOrderBody
	if err := decodeBody(w, r, &b); err != nil {
		s.writeError(w, r, err)
		return
	}
	wo := &maintenance.WorkOrder{Device: b.Device, AlertID: b.AlertID, Title: b.Title, Description: b.Description,
		Priority: b.Priority, Assignee: b.Assignee}
	if b.Due != "" {
		d, err := time.Parse(time.DateOnly, b.Due)
		if err != nil {
			s.writeError(w, r, errs.E(errs.Invalid, "due must be a date YYYY-MM-DD"))
			return
		}
		wo.Due = &d
	}
	if wo.Title == "" && wo.AlertID != nil && wo.Device == "" {
		var err error
		if wo, err = s.app.WorkOrderFromAlert(r.Context(), p, *b.AlertID, ""); err != nil {
			s.writeError(w, r, err)
			return
		}
	} else if err := s.app.CreateWorkOrder(r.Context(), p, wo); err != nil {
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/workorders/"+strconv.FormatInt(wo.ID, 10))
	writeJSON(w, http.StatusCreated, wo)
}

// decodeBody reads a JSON object of at most maxWorkOrderBody bytes.
func decodeBody(w http.ResponseWriter, r *http.Request, v any) error {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxWorkOrderBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return errs.Wrap(errs.Invalid, err, "the body must be a JSON object: %v", err)
	}
	return nil
}

func (s *Server) handleWorkOrder(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	id, err := pathID(r, p, "work order")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	wo, err := s.app.WorkOrder(r.Context(), p, id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, wo)
}

// patchBody is what PATCH /workorders/{id} reads: a status, an assignee
// ("" unassigns), or both.
type patchBody struct {
	Status   string  `json:"status"`
	Assignee *string `json:"assignee"`
}

func (s *Server) handlePatchWorkOrder(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	id, err := pathID(r, p, "work order")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var b patchBody
	if err := decodeBody(w, r, &b); err != nil {
		s.writeError(w, r, err)
		return
	}
	wo, err := s.app.UpdateWorkOrder(r.Context(), p, id, b.Status, b.Assignee)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, wo)
}

func (s *Server) handleCommentWorkOrder(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	id, err := pathID(r, p, "work order")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var b struct {
		Note string `json:"note"`
	}
	if err := decodeBody(w, r, &b); err != nil {
		s.writeError(w, r, err)
		return
	}
	wo, err := s.app.CommentWorkOrder(r.Context(), p, id, b.Note)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, wo)
}
