// Package maintenance is the domain of field work on the sensor fleet:
// work orders (opened by hand or from an alert, with a status, an assignee
// and a history per device), the waste collection rounds planned from the
// containers' filling levels (round.go: a pure nearest-neighbour tour
// improved by 2-opt), and the signed webhooks that tell other systems of
// alerts and work orders (webhook.go). It imports no infrastructure:
// storage engines implement Store.
package maintenance

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/socle/socle/internal/errs"
)

// Work order statuses: open → assigned → in_progress → done, and any
// status but done to cancelled. done and cancelled are final.
const (
	StatusOpen       = "open"
	StatusAssigned   = "assigned"
	StatusInProgress = "in_progress"
	StatusDone       = "done"
	StatusCancelled  = "cancelled"
)

// Statuses lists the work order statuses in lifecycle order.
var Statuses = []string{StatusOpen, StatusAssigned, StatusInProgress, StatusDone, StatusCancelled}

// Priorities, from the least to the most urgent.
const (
	PriorityLow    = "low"
	PriorityNormal = "normal"
	PriorityHigh   = "high"
	PriorityUrgent = "urgent"
)

// Priorities lists the priorities, the least urgent first.
var Priorities = []string{PriorityLow, PriorityNormal, PriorityHigh, PriorityUrgent}

// History actions of a work order.
const (
	ActionCreate  = "create"
	ActionStatus  = "status" // Note holds the new status
	ActionAssign  = "assign" // Note holds the assignee ("" unassigns)
	ActionComment = "comment"
)

// Limits of a work order's text.
const (
	MaxTitle       = 200
	MaxDescription = 4000
)

// Event is one line of a work order's history.
type Event struct {
	At     time.Time `json:"at"`
	Actor  string    `json:"actor"`
	Action string    `json:"action"`
	Note   string    `json:"note,omitempty"`
}

// WorkOrder is a piece of field work on one device.
type WorkOrder struct {
	ID          int64      `json:"id"`
	Device      string     `json:"device"`
	AlertID     *int64     `json:"alert_id,omitempty"` // the alert it was opened from
	Title       string     `json:"title"`
	Description string     `json:"description,omitempty"`
	Priority    string     `json:"priority"`
	Status      string     `json:"status"`
	Assignee    string     `json:"assignee,omitempty"` // a login
	Due         *time.Time `json:"due,omitempty"`      // a date (midnight UTC)
	CreatedAt   time.Time  `json:"created_at"`
	CreatedBy   string     `json:"created_by"`
	UpdatedAt   time.Time  `json:"updated_at"`
	History     []Event    `json:"history,omitempty"` // oldest first; lists leave it out
}

// Validate checks w's text and priority before it is created and fills
// the defaults (priority normal, status open). errs.Invalid.
func (w *WorkOrder) Validate() error {
	w.Title, w.Description = strings.TrimSpace(w.Title), strings.TrimSpace(w.Description)
	if w.Priority == "" {
		w.Priority = PriorityNormal
	}
	if w.Status == "" {
		w.Status = StatusOpen
	}
	switch {
	case w.Device == "":
		return errs.E(errs.Invalid, "a work order needs a device")
	case w.Title == "" || len(w.Title) > MaxTitle:
		return errs.E(errs.Invalid, "a work order's title is 1 to %d bytes", MaxTitle)
	case len(w.Description) > MaxDescription:
		return errs.E(errs.Invalid, "a work order's description is at most %d bytes", MaxDescription)
	case !slices.Contains(Priorities, w.Priority):
		return errs.E(errs.Invalid, "priority must be low, normal, high or urgent")
	case w.Status != StatusOpen && w.Status != StatusAssigned:
		return errs.E(errs.Invalid, "a new work order is open or assigned")
	}
	return nil
}

// Final reports whether a work order in status s can no longer change.
func Final(s string) bool { return s == StatusDone || s == StatusCancelled }

// CanMove reports whether a work order may go from status from to status
// to: forward along open → assigned → in_progress → done (steps may be
// skipped), or to cancelled from any status that is not final.
func CanMove(from, to string) bool {
	if Final(from) || from == to {
		return false
	}
	if to == StatusCancelled {
		return true
	}
	i, j := slices.Index(Statuses, from), slices.Index(Statuses, to)
	return i >= 0 && j > i
}

// Filter selects work orders; empty fields select all.
type Filter struct {
	Device string
	Status string
	Limit  int // all when negative
}

// Update changes a work order and appends its events, in one transaction.
// Status "" keeps the status; a nil Assignee keeps the assignee.
type Update struct {
	Status   string
	Assignee *string
	At       time.Time
	Actor    string
}

// Apply changes w as u says and returns the history events it makes, for
// a store's UpdateWorkOrder: errs.Conflict when w is final or CanMove
// refuses u.Status. Assigning someone to an open order makes it assigned.
func Apply(w *WorkOrder, u Update) ([]Event, error) {
	if Final(w.Status) {
		return nil, errs.E(errs.Conflict, "work order %d is %s", w.ID, w.Status)
	}
	var evs []Event
	if u.Assignee != nil && *u.Assignee != w.Assignee {
		w.Assignee = *u.Assignee
		evs = append(evs, Event{At: u.At, Actor: u.Actor, Action: ActionAssign, Note: w.Assignee})
		if u.Status == "" && w.Status == StatusOpen && w.Assignee != "" {
			u.Status = StatusAssigned
		}
	}
	if u.Status != "" && u.Status != w.Status {
		if !CanMove(w.Status, u.Status) {
			return nil, errs.E(errs.Conflict, "work order %d is %s: it cannot become %s", w.ID, w.Status, u.Status)
		}
		w.Status = u.Status
		evs = append(evs, Event{At: u.At, Actor: u.Actor, Action: ActionStatus, Note: w.Status})
	}
	if len(evs) > 0 {
		w.UpdatedAt = u.At
	}
	return evs, nil
}

// Store persists work orders and webhooks.
type Store interface {
	// CreateWorkOrder stores w with a "create" event (by w.CreatedBy) and
	// sets its ID.
	CreateWorkOrder(ctx context.Context, w *WorkOrder) error
	// WorkOrder returns a work order with its history. errs.NotFound.
	WorkOrder(ctx context.Context, id int64) (*WorkOrder, error)
	// WorkOrders lists work orders without their history, the newest
	// first (then the highest ID), at most f.Limit.
	WorkOrders(ctx context.Context, f Filter) ([]*WorkOrder, error)
	// UpdateWorkOrder applies u (see Apply) and returns the work order as
	// it now is, with its history. errs.NotFound, errs.Conflict.
	UpdateWorkOrder(ctx context.Context, id int64, u Update) (*WorkOrder, error)
	// CommentWorkOrder appends a comment event. errs.NotFound.
	CommentWorkOrder(ctx context.Context, id int64, e Event) error

	WebhookStore
}
