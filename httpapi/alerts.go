package httpapi

import (
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/socle/socle/internal/alerts"
	"github.com/socle/socle/internal/app"
	"github.com/socle/socle/internal/auth"
	"github.com/socle/socle/internal/errs"
)

// maxAlertBody bounds the JSON body of a rule or an alert action.
const maxAlertBody = 64 << 10

// The alerts API, under /api/v1 with the same visibility as the sensors
// (sensorsReader): rules, alerts and their lifecycle.

func (s *Server) handleAlerts(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	if err := sensorsReader(p); err != nil {
		s.writeError(w, r, err)
		return
	}
	v := r.URL.Query()
	f := alerts.Filter{Status: v.Get("status"), Device: v.Get("device"), RuleID: v.Get("rule")}
	if l := v.Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > app.MaxAlertLimit {
			s.writeError(w, r, restError("limit must be between 1 and %d", app.MaxAlertLimit))
			return
		}
		f.Limit = n
	}
	list, err := s.app.Alerts(r.Context(), p, f)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if list == nil {
		list = []*alerts.Alert{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"total_count": len(list), "results": nonNil(list)})
}

func (s *Server) handleAlert(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	id, err := alertID(r, p)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	a, err := s.app.Alert(r.Context(), p, id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, a)
}

// alertBody is what the alert actions read: every field is optional except
// where an action says so.
type alertBody struct {
	Note     string  `json:"note"`
	Assignee *string `json:"assignee"`
}

// handleAlertAction serves POST /alerts/{id}/{action}: ack, resolve,
// assign and comments.
func (s *Server) handleAlertAction(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	id, err := alertID(r, p)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var b alertBody
	if r.ContentLength != 0 {
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxAlertBody)).Decode(&b); err != nil {
			s.writeError(w, r, errs.Wrap(errs.Invalid, err, "the body must be a JSON object: %v", err))
			return
		}
	}
	var a *alerts.Alert
	status := http.StatusOK
	switch r.PathValue("action") {
	case "ack":
		a, err = s.app.AckAlert(r.Context(), p, id, b.Note)
	case "resolve":
		a, err = s.app.ResolveAlert(r.Context(), p, id, b.Note)
	case "assign":
		if b.Assignee == nil {
			s.writeError(w, r, errs.E(errs.Invalid, `the body must be {"assignee": login} ("" unassigns)`))
			return
		}
		a, err = s.app.AssignAlert(r.Context(), p, id, *b.Assignee)
	case "comments":
		a, err = s.app.CommentAlert(r.Context(), p, id, b.Note)
		status = http.StatusCreated
	default:
		err = errs.E(errs.NotFound, "no such endpoint")
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, status, a)
}

// alertID reads the alert ID of the path, for a caller who may see alerts.
func alertID(r *http.Request, p auth.Principal) (int64, error) {
	if err := sensorsReader(p); err != nil {
		return 0, err
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id < 1 {
		return 0, errs.E(errs.NotFound, "alert %q not found", r.PathValue("id"))
	}
	return id, nil
}

func (s *Server) handleRules(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	if err := sensorsReader(p); err != nil {
		s.writeError(w, r, err)
		return
	}
	rules, err := s.app.Rules(r.Context(), p)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if rules == nil {
		rules = []*alerts.Rule{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"total_count": len(rules), "results": nonNil(rules)})
}

func (s *Server) handleRule(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	if err := sensorsReader(p); err != nil {
		s.writeError(w, r, err)
		return
	}
	rule, err := s.app.Rule(r.Context(), p, r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, rule)
}

func (s *Server) handlePutRule(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	if err := sensorsReader(p); err != nil {
		s.writeError(w, r, err)
		return
	}
	var rule alerts.Rule
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxAlertBody)).Decode(&rule); err != nil {
		s.writeError(w, r, errs.Wrap(errs.Invalid, err, "the body must be a rule in JSON: %v", err))
		return
	}
	rule.ID = r.PathValue("id")
	if err := s.app.PutRule(r.Context(), p, &rule); err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, &rule)
}
