package app

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/socle/socle/internal/alerts"
	"github.com/socle/socle/internal/auth"
	"github.com/socle/socle/internal/errs"
	"github.com/socle/socle/internal/maintenance"
)

// The work order use cases: whoever may see devices (the agents of the
// collectivity, as for alerts) opens work orders by hand or from an
// alert, moves them along their lifecycle, assigns and comments them;
// every change is audited and published (TopicWorkOrder) for the signed
// webhooks.

// TopicWorkOrder is the topic of work order events; Data:
// WorkOrderChange.
const TopicWorkOrder = "workorder"

// WorkOrderChange is a work order after it was created or changed.
type WorkOrderChange struct {
	Created   bool
	WorkOrder *maintenance.WorkOrder
}

// Work order list limits.
const (
	DefaultWorkOrderLimit = 100
	MaxWorkOrderLimit     = 1000
)

// CreateWorkOrder opens a work order by p on an existing device. With an
// AlertID, the alert must exist and the device is the alert's.
func (a *App) CreateWorkOrder(ctx context.Context, p auth.Principal, w *maintenance.WorkOrder) error {
	if !CanSeeDevices(p) {
		return errs.E(errs.NotFound, "no such endpoint")
	}
	if w.AlertID != nil {
		al, err := a.Store.Alert(ctx, *w.AlertID)
		if errs.Is(err, errs.NotFound) {
			return errs.E(errs.Invalid, "no alert %d to open a work order from", *w.AlertID)
		} else if err != nil {
			return err
		}
		if w.Device == "" {
			w.Device = al.Device
		} else if w.Device != al.Device {
			return errs.E(errs.Invalid, "alert %d is about device %s, not %s", al.ID, al.Device, w.Device)
		}
	}
	w.Status = ""
	if w.Assignee = strings.TrimSpace(w.Assignee); w.Assignee != "" {
		w.Status = maintenance.StatusAssigned
	}
	if err := w.Validate(); err != nil {
		return err
	}
	if err := a.checkWorkOrderRefs(ctx, w.Device, w.Assignee); err != nil {
		return err
	}
	w.CreatedAt, w.CreatedBy, w.History = a.Now(), p.Login(), nil
	if err := a.Store.CreateWorkOrder(ctx, w); err != nil {
		return err
	}
	a.Publish(Event{Topic: TopicWorkOrder, Data: WorkOrderChange{Created: true, WorkOrder: w}})
	return a.Audit(ctx, p, "workorder.create", workOrderTarget(w.ID), 0, w.Device)
}

// WorkOrderFromAlert opens a work order for an alert's device, titled
// after the alert's message unless title is given.
func (a *App) WorkOrderFromAlert(ctx context.Context, p auth.Principal, alertID int64, title string) (*maintenance.WorkOrder, error) {
	al, err := a.Alert(ctx, p, alertID)
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(title) == "" {
		title = truncate(al.Message, maintenance.MaxTitle)
	}
	w := &maintenance.WorkOrder{Device: al.Device, AlertID: &al.ID, Title: title, Priority: priorityOf(al)}
	return w, a.CreateWorkOrder(ctx, p, w)
}

// priorityOf maps an alert's severity to a work order's priority.
func priorityOf(al *alerts.Alert) string {
	switch al.Severity {
	case alerts.SeverityCritical:
		return maintenance.PriorityUrgent
	case alerts.SeverityWarning:
		return maintenance.PriorityHigh
	}
	return maintenance.PriorityNormal
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8Start(s[n]) {
		n--
	}
	return s[:n]
}

func utf8Start(b byte) bool { return b&0xC0 != 0x80 }

// checkWorkOrderRefs checks that the device and the assignee exist.
func (a *App) checkWorkOrderRefs(ctx context.Context, device, assignee string) error {
	if _, err := a.Store.Device(ctx, device); errs.Is(err, errs.NotFound) {
		return errs.E(errs.Invalid, "no device %q", device)
	} else if err != nil {
		return err
	}
	if assignee == "" {
		return nil
	}
	if _, err := a.Store.UserByLogin(ctx, assignee); errs.Is(err, errs.NotFound) {
		return errs.E(errs.Invalid, "no user %q to assign the work order to", assignee)
	} else if err != nil {
		return err
	}
	return nil
}

// WorkOrders lists work orders, the newest first; f.Limit 0 means the
// default, and more than MaxWorkOrderLimit is refused.
func (a *App) WorkOrders(ctx context.Context, p auth.Principal, f maintenance.Filter) ([]*maintenance.WorkOrder, error) {
	if !CanSeeDevices(p) {
		return nil, errs.E(errs.NotFound, "no such endpoint")
	}
	if f.Status != "" && !slices.Contains(maintenance.Statuses, f.Status) {
		return nil, errs.E(errs.Invalid, "status must be one of %s", strings.Join(maintenance.Statuses, ", "))
	}
	if f.Limit == 0 {
		f.Limit = DefaultWorkOrderLimit
	}
	if f.Limit < 1 || f.Limit > MaxWorkOrderLimit {
		return nil, errs.E(errs.Invalid, "limit must be between 1 and %d", MaxWorkOrderLimit)
	}
	return a.Store.WorkOrders(ctx, f)
}

// WorkOrder returns a work order with its history. errs.NotFound.
func (a *App) WorkOrder(ctx context.Context, p auth.Principal, id int64) (*maintenance.WorkOrder, error) {
	if !CanSeeDevices(p) {
		return nil, errs.E(errs.NotFound, "work order %d not found", id)
	}
	return a.Store.WorkOrder(ctx, id)
}

// UpdateWorkOrder changes a work order's status and/or assignee ("" to
// unassign, nil to keep).
func (a *App) UpdateWorkOrder(ctx context.Context, p auth.Principal, id int64, status string, assignee *string) (*maintenance.WorkOrder, error) {
	if !CanSeeDevices(p) {
		return nil, errs.E(errs.NotFound, "work order %d not found", id)
	}
	if status != "" && !slices.Contains(maintenance.Statuses, status) {
		return nil, errs.E(errs.Invalid, "status must be one of %s", strings.Join(maintenance.Statuses, ", "))
	}
	if assignee != nil {
		login := strings.TrimSpace(*assignee)
		assignee = &login
		if login != "" {
			if _, err := a.Store.UserByLogin(ctx, login); errs.Is(err, errs.NotFound) {
				return nil, errs.E(errs.Invalid, "no user %q to assign the work order to", login)
			} else if err != nil {
				return nil, err
			}
		}
	}
	if status == "" && assignee == nil {
		return nil, errs.E(errs.Invalid, "give a status or an assignee")
	}
	w, err := a.Store.UpdateWorkOrder(ctx, id, maintenance.Update{Status: status, Assignee: assignee, At: a.Now(), Actor: p.Login()})
	if err != nil {
		return nil, err
	}
	a.Publish(Event{Topic: TopicWorkOrder, Data: WorkOrderChange{WorkOrder: w}})
	return w, a.Audit(ctx, p, "workorder.update", workOrderTarget(id), 0, w.Status)
}

// CommentWorkOrder adds a comment to a work order's history.
func (a *App) CommentWorkOrder(ctx context.Context, p auth.Principal, id int64, note string) (*maintenance.WorkOrder, error) {
	if !CanSeeDevices(p) {
		return nil, errs.E(errs.NotFound, "work order %d not found", id)
	}
	note = strings.TrimSpace(note)
	if note == "" || len(note) > maintenance.MaxDescription {
		return nil, errs.E(errs.Invalid, "a comment is 1 to %d bytes of text", maintenance.MaxDescription)
	}
	if err := a.Store.CommentWorkOrder(ctx, id, maintenance.Event{At: a.Now(), Actor: p.Login(), Note: note}); err != nil {
		return nil, err
	}
	if err := a.Audit(ctx, p, "workorder.comment", workOrderTarget(id), 0, ""); err != nil {
		return nil, err
	}
	w, err := a.Store.WorkOrder(ctx, id)
	if err == nil {
		a.Publish(Event{Topic: TopicWorkOrder, Data: WorkOrderChange{WorkOrder: w}})
	}
	return w, err
}

func workOrderTarget(id int64) string { return fmt.Sprintf("workorder:%d", id) }
