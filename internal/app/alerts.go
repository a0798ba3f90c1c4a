package app

import (
	"context"
	"fmt"
	"strings"

	"github.com/socle/socle/internal/alerts"
	"github.com/socle/socle/internal/auth"
	"github.com/socle/socle/internal/errs"
)

// The alerts use cases people call: rules (stewards write them), and the
// alerts' lifecycle by hand (whoever may see devices acknowledges,
// assigns, resolves and comments, audited). What Socle does by itself is
// in alerts_eval.go (thresholds, on ingestion) and alerts_silence.go
// (silent devices, on a schedule).

// Alert list limits.
const (
	DefaultAlertLimit = 100
	MaxAlertLimit     = 1000
)

// PutRule creates or replaces an alert rule; stewards and admins only.
func (a *App) PutRule(ctx context.Context, p auth.Principal, r *alerts.Rule) error {
	if !CanSeeDevices(p) {
		return errs.E(errs.NotFound, "no such endpoint")
	}
	if !p.Is(auth.RoleAdmin, auth.RoleSteward) {
		return errs.E(errs.Forbidden, "only stewards write alert rules")
	}
	if err := r.Validate(); err != nil {
		return err
	}
	if err := a.Store.PutRule(ctx, r); err != nil {
		return err
	}
	a.alerting().forgetRules()
	return a.Audit(ctx, p, "rule.put", "rule:"+r.ID, 0, r.Kind)
}

// Rules lists the alert rules.
func (a *App) Rules(ctx context.Context, p auth.Principal) ([]*alerts.Rule, error) {
	if !CanSeeDevices(p) {
		return nil, errs.E(errs.NotFound, "no such endpoint")
	}
	return a.Store.Rules(ctx)
}

// Rule returns an alert rule. errs.NotFound.
func (a *App) Rule(ctx context.Context, p auth.Principal, id string) (*alerts.Rule, error) {
	if !CanSeeDevices(p) {
		return nil, errs.E(errs.NotFound, "rule %q not found", id)
	}
	return a.Store.Rule(ctx, id)
}

// Alerts lists alerts, the newest first; f.Limit 0 means the default, and
// more than MaxAlertLimit is refused.
func (a *App) Alerts(ctx context.Context, p auth.Principal, f alerts.Filter) ([]*alerts.Alert, error) {
	if !CanSeeDevices(p) {
		return nil, errs.E(errs.NotFound, "no such endpoint")
	}
	switch f.Status {
	case "", alerts.StatusOpen, alerts.StatusAcknowledged, alerts.StatusResolved:
	default:
		return nil, errs.E(errs.Invalid, "status must be open, acknowledged or resolved")
	}
	if f.Limit == 0 {
		f.Limit = DefaultAlertLimit
	}
	if f.Limit < 1 || f.Limit > MaxAlertLimit {
		return nil, errs.E(errs.Invalid, "limit must be between 1 and %d", MaxAlertLimit)
	}
	return a.Store.Alerts(ctx, f)
}

// Alert returns an alert with its history. errs.NotFound.
func (a *App) Alert(ctx context.Context, p auth.Principal, id int64) (*alerts.Alert, error) {
	if !CanSeeDevices(p) {
		return nil, errs.E(errs.NotFound, "alert %d not found", id)
	}
	return a.Store.Alert(ctx, id)
}

// AckAlert acknowledges an open alert: someone is on it.
func (a *App) AckAlert(ctx context.Context, p auth.Principal, id int64, note string) (*alerts.Alert, error) {
	return a.changeAlert(ctx, p, id, alerts.Update{Status: alerts.StatusAcknowledged}, alerts.ActionAck, note)
}

// ResolveAlert resolves an alert by hand. Should the condition still hold,
// the next values open a new alert (after the rule's For).
func (a *App) ResolveAlert(ctx context.Context, p auth.Principal, id int64, note string) (*alerts.Alert, error) {
	al, err := a.changeAlert(ctx, p, id, alerts.Update{Status: alerts.StatusResolved}, alerts.ActionResolve, note)
	if err == nil {
		a.alerting().forget(al.Device, al.RuleID)
	}
	return al, err
}

// AssignAlert gives an active alert to a user (by login); "" unassigns.
func (a *App) AssignAlert(ctx context.Context, p auth.Principal, id int64, login string) (*alerts.Alert, error) {
	login = strings.TrimSpace(login)
	if login != "" && CanSeeDevices(p) {
		if _, err := a.Store.UserByLogin(ctx, login); errs.Is(err, errs.NotFound) {
			return nil, errs.E(errs.Invalid, "no user %q to assign the alert to", login)
		} else if err != nil {
			return nil, err
		}
	}
	return a.changeAlert(ctx, p, id, alerts.Update{Assignee: &login}, alerts.ActionAssign, login)
}

// CommentAlert adds a comment to an alert's history, resolved or not.
func (a *App) CommentAlert(ctx context.Context, p auth.Principal, id int64, note string) (*alerts.Alert, error) {
	if !CanSeeDevices(p) {
		return nil, errs.E(errs.NotFound, "alert %d not found", id)
	}
	note = strings.TrimSpace(note)
	if note == "" || len(note) > 4000 {
		return nil, errs.E(errs.Invalid, "a comment is 1 to 4000 bytes of text")
	}
	if err := a.Store.AddComment(ctx, id, alerts.Event{At: a.Now(), Actor: p.Login(), Note: note}); err != nil {
		return nil, err
	}
	if err := a.Audit(ctx, p, "alert.comment", alertTarget(id), 0, ""); err != nil {
		return nil, err
	}
	al, err := a.Store.Alert(ctx, id)
	if err == nil {
		a.Publish(Event{Topic: TopicAlert, Data: al})
	}
	return al, err
}

// openAlert opens al unless its rule and device have an active alert, and
// tells the live views of a new one.
func (a *App) openAlert(ctx context.Context, al *alerts.Alert) (bool, error) {
	created, err := a.Store.OpenAlert(ctx, al)
	if err == nil && created {
		a.Publish(Event{Topic: TopicAlert, Data: al})
	}
	return created, err
}

// updateAlert changes an alert and tells the live views.
func (a *App) updateAlert(ctx context.Context, id int64, u alerts.Update) (*alerts.Alert, error) {
	al, err := a.Store.UpdateAlert(ctx, id, u)
	if err == nil {
		a.Publish(Event{Topic: TopicAlert, Data: al})
	}
	return al, err
}

// changeAlert applies u by p with a history event, and audits it.
func (a *App) changeAlert(ctx context.Context, p auth.Principal, id int64, u alerts.Update, action, note string) (*alerts.Alert, error) {
	if !CanSeeDevices(p) {
		return nil, errs.E(errs.NotFound, "alert %d not found", id)
	}
	if len(note) > 4000 {
		return nil, errs.E(errs.Invalid, "a note is at most 4000 bytes")
	}
	u.Event = alerts.Event{At: a.Now(), Actor: p.Login(), Action: action, Note: note}
	al, err := a.updateAlert(ctx, id, u)
	if err != nil {
		return nil, err
	}
	return al, a.Audit(ctx, p, "alert."+action, alertTarget(id), 0, note)
}

func alertTarget(id int64) string { return fmt.Sprintf("alert:%d", id) }
