// Package alerts is the domain of the sensors' alerts: the rules a steward
// writes (a threshold held for a while, or a device gone silent), the alerts
// they open, and each alert's lifecycle (open → acknowledged → resolved)
// with its assignee and history. It imports no infrastructure: storage
// engines implement Store; the evaluator (evaluate.go) is pure.
package alerts

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/socle/socle/internal/errs"
	"github.com/socle/socle/internal/sensors"
)

// Rule kinds.
const (
	KindThreshold = "threshold" // a property's value beyond a threshold for a while
	KindSilence   = "silence"   // no data for Periods reporting periods: the device is offline
	// KindDelivery is the rule of late or missing deliveries of delegated
	// public services (the registers' contracts): its alerts name a
	// contract clause, not a device (app/deliveries.go).
	KindDelivery = "delivery"
)

// Severities, from the least to the most urgent.
const (
	SeverityInfo     = "info"
	SeverityWarning  = "warning"
	SeverityCritical = "critical"
)

// Alert statuses. An alert that is not resolved is active: at most one
// active alert exists per rule and device.
const (
	StatusOpen         = "open"
	StatusAcknowledged = "acknowledged"
	StatusResolved     = "resolved"
)

// History actions.
const (
	ActionOpen    = "open"
	ActionAck     = "ack"
	ActionAssign  = "assign"
	ActionResolve = "resolve"
	ActionComment = "comment"
)

// SystemActor signs what Socle does by itself (opening, resolving when the
// condition clears).
const SystemActor = "system"

// Duration is a time.Duration written in JSON as a Go duration ("10m0s");
// it also reads a number of seconds.
type Duration time.Duration

// MarshalJSON writes d as a Go duration string.
func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(time.Duration(d).String()) }

// UnmarshalJSON reads "10m", "1h30m" or a number of seconds.
func (d *Duration) UnmarshalJSON(b []byte) error {
	var secs float64
	if err := json.Unmarshal(b, &secs); err == nil {
		*d = Duration(secs * float64(time.Second))
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("a duration is a string such as \"10m\" or a number of seconds")
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("duration %q: use 30s, 10m, 1h", s)
	}
	*d = Duration(v)
	return nil
}

// Rule says when an alert opens. Its scope is the devices matching every
// non-empty one of Domain, DeviceType and Device.
type Rule struct {
	ID         string  `json:"id"` // slug
	Name       string  `json:"name"`
	Kind       string  `json:"kind"`
	Domain     string  `json:"domain,omitempty"`
	DeviceType string  `json:"device_type,omitempty"`
	Device     string  `json:"device,omitempty"`
	Property   string  `json:"property,omitempty"` // threshold only
	Op         string  `json:"op,omitempty"`       // ">" or "<", threshold only
	Threshold  float64 `json:"threshold"`
	// Hysteresis is how far back past the threshold the value must come to
	// clear: ≤ Threshold−Hysteresis for ">", ≥ Threshold+Hysteresis for "<".
	Hysteresis float64 `json:"hysteresis"`
	// For is how long the condition must hold (in observation time) before
	// an alert opens; 0 opens on the first value beyond the threshold.
	For Duration `json:"for"`
	// Periods is, for a silence rule, how many reporting periods without
	// data make a device offline.
	Periods  int    `json:"periods,omitempty"`
	Severity string `json:"severity"`
	Enabled  bool   `json:"enabled"`
	Params          // battery, leak and container_forecast parameters (params.go)
}

var ruleID = regexp.MustCompile(`^[a-z0-9][a-z0-9_.-]{0,99}$`)

// Validate checks r and fills its defaults (severity warning). errs.Invalid.
func (r *Rule) Validate() error {
	if r.Severity == "" {
		r.Severity = SeverityWarning
	}
	switch {
	case !ruleID.MatchString(r.ID):
		return errs.E(errs.Invalid, "invalid rule id %q: use lower-case letters, digits, '.', '-' and '_'", r.ID)
	case strings.TrimSpace(r.Name) == "":
		return errs.E(errs.Invalid, "rule %s: a name is required", r.ID)
	case !slices.Contains([]string{SeverityInfo, SeverityWarning, SeverityCritical}, r.Severity):
		return errs.E(errs.Invalid, "rule %s: severity must be info, warning or critical", r.ID)
	case r.Domain != "" && !slices.Contains(sensors.Domains, r.Domain):
		return errs.E(errs.Invalid, "rule %s: unknown domain %q", r.ID, r.Domain)
	}
	switch r.Kind {
	case KindThreshold:
		switch {
		case r.Property == "":
			return errs.E(errs.Invalid, "rule %s: a threshold rule needs a property", r.ID)
		case r.Op != ">" && r.Op != "<":
			return errs.E(errs.Invalid, "rule %s: op must be \">\" or \"<\"", r.ID)
		case r.Hysteresis < 0 || r.For < 0:
			return errs.E(errs.Invalid, "rule %s: hysteresis and for may not be negative", r.ID)
		}
	case KindSilence:
		if r.Periods < 1 {
			return errs.E(errs.Invalid, "rule %s: a silence rule needs periods ≥ 1", r.ID)
		}
	case KindBattery, KindLeak, KindContainerForecast:
		return r.validateAdvanced()
	case KindDelivery:
	default:
		return errs.E(errs.Invalid, "rule %s: kind must be threshold, silence, battery, leak or container_forecast", r.ID)
	}
	return nil
}

// Applies reports whether d is in r's scope.
func (r *Rule) Applies(d *sensors.Device) bool {
	return (r.Domain == "" || r.Domain == d.Domain) &&
		(r.DeviceType == "" || r.DeviceType == d.Type) &&
		(r.Device == "" || r.Device == d.ID)
}

// Event is one line of an alert's history.
type Event struct {
	At     time.Time `json:"at"`
	Actor  string    `json:"actor"` // a login, or SystemActor
	Action string    `json:"action"`
	Note   string    `json:"note,omitempty"`
}

// Alert is one occurrence of a rule's condition on one device.
type Alert struct {
	ID         int64      `json:"id"`
	RuleID     string     `json:"rule_id"`
	Device     string     `json:"device"`
	Status     string     `json:"status"`
	Severity   string     `json:"severity"`
	OpenedAt   time.Time  `json:"opened_at"`
	AckedAt    *time.Time `json:"acked_at,omitempty"`
	ResolvedAt *time.Time `json:"resolved_at,omitempty"`
	Assignee   string     `json:"assignee,omitempty"` // a login
	Value      float64    `json:"value"`              // the last value seen (silence: seconds without data)
	Message    string     `json:"message"`            // in French, for the people on duty
	History    []Event    `json:"history,omitempty"`  // oldest first; lists leave it out
}

// CanMove reports whether an alert may go from status from to status to:
// open → acknowledged, and open or acknowledged → resolved. A resolved
// alert is final: the next occurrence is a new alert.
func CanMove(from, to string) bool {
	switch to {
	case StatusAcknowledged:
		return from == StatusOpen
	case StatusResolved:
		return from == StatusOpen || from == StatusAcknowledged
	}
	return false
}

// Filter selects alerts. Status "" means every status.
type Filter struct {
	Status string
	Device string
	RuleID string
	Limit  int // all when negative
}

// Update changes an alert and appends Event to its history, in one
// transaction. Status "" keeps the status; a nil Assignee or Value keeps
// them.
type Update struct {
	Status   string
	Assignee *string
	Value    *float64
	Message  string // replaces the message when not empty
	Event    Event
}

// Store persists rules and alerts.
type Store interface {
	// PutRule inserts or replaces a rule.
	PutRule(ctx context.Context, r *Rule) error
	// Rule returns a rule by ID. errs.NotFound.
	Rule(ctx context.Context, id string) (*Rule, error)
	// Rules lists the rules by ID.
	Rules(ctx context.Context) ([]*Rule, error)

	// OpenAlert stores a as a new open alert with an "open" event (by
	// SystemActor, noting its message) and sets its ID, unless an active
	// alert of the same rule and device exists: then a becomes that one and
	// created is false. Atomic: concurrent calls open one alert.
	// errs.NotFound when the rule does not exist.
	OpenAlert(ctx context.Context, a *Alert) (created bool, err error)
	// Alert returns an alert with its history. errs.NotFound.
	Alert(ctx context.Context, id int64) (*Alert, error)
	// Alerts lists alerts without their history, the newest opened first
	// (then the highest ID), at most f.Limit.
	Alerts(ctx context.Context, f Filter) ([]*Alert, error)
	// UpdateAlert applies u and returns the alert as it now is, with its
	// history. Moving to acknowledged sets AckedAt, to resolved ResolvedAt,
	// both at u.Event.At. errs.NotFound; errs.Conflict when CanMove refuses
	// the change of status, or when a resolved alert would be changed.
	UpdateAlert(ctx context.Context, id int64, u Update) (*Alert, error)
	// AddComment appends a comment event. errs.NotFound.
	AddComment(ctx context.Context, id int64, e Event) error
}

// Apply changes a as u says, for a store's UpdateAlert (which then writes
// a and appends u.Event): errs.Conflict when a is resolved or CanMove
// refuses u.Status.
func Apply(a *Alert, u Update) error {
	if a.Status == StatusResolved {
		return errs.E(errs.Conflict, "alert %d is resolved", a.ID)
	}
	if u.Status != "" {
		if !CanMove(a.Status, u.Status) {
			return errs.E(errs.Conflict, "alert %d is %s: it cannot become %s", a.ID, a.Status, u.Status)
		}
		at := u.Event.At
		if u.Status == StatusAcknowledged {
			a.AckedAt = &at
		} else {
			a.ResolvedAt = &at
		}
		a.Status = u.Status
	}
	if u.Assignee != nil {
		a.Assignee = *u.Assignee
	}
	if u.Value != nil {
		a.Value = *u.Value
	}
	if u.Message != "" {
		a.Message = u.Message
	}
	return nil
}
