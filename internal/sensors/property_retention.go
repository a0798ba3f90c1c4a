package sensors

import (
	"context"
	"regexp"
	"slices"
	"time"

	"github.com/socle/socle/internal/errs"
)

// Retention per device property: a rule names devices (by domain, device
// type or both) and one of their properties, how long its observations are
// kept — a number of days, or the retention of an RGPD processing entry of
// the register (internal/registers), read at each purge — and what a purge
// removes: the raw observations only (the roll-ups stay, as with the
// per-domain retention), or the roll-ups too. A legal hold suspends the
// rule. The retention job applies every rule (internal/app).

// Purge actions of a rule.
const (
	PurgeRawOnly = "raw" // raw observations; hourly and daily roll-ups kept
	PurgeAll     = "all" // raw observations and roll-ups
)

// MaxRuleDays bounds a rule's duration (a century).
const MaxRuleDays = 36500

// PropertyRule is one retention rule of a device property.
type PropertyRule struct {
	ID         string    `json:"id"` // slug
	Domain     string    `json:"domain,omitempty"`
	DeviceType string    `json:"device_type,omitempty"`
	Property   string    `json:"property"`
	Days       int       `json:"days,omitempty"`       // kept that many days; 0 when Processing gives it
	Processing string    `json:"processing,omitempty"` // register processing entry whose retention gives the duration
	Action     string    `json:"action"`               // raw (default) or all
	LegalHold  bool      `json:"legal_hold,omitempty"`
	Note       string    `json:"note,omitempty"`
	Created    time.Time `json:"created"`
	Updated    time.Time `json:"updated"`
}

var ruleID = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,99}$`)

// Validate checks the rule and fills its defaults.
func (r *PropertyRule) Validate() error {
	if !ruleID.MatchString(r.ID) {
		return errs.E(errs.Invalid, "rule id %q: lower-case letters, digits, '-' and '_'", r.ID)
	}
	if r.Property == "" || len(r.Property) > 100 || len(r.DeviceType) > 100 || len(r.Note) > 2000 {
		return errs.E(errs.Invalid, "rule %s: a property (at most 100 bytes) is required", r.ID)
	}
	if r.Domain == "" && r.DeviceType == "" {
		return errs.E(errs.Invalid, "rule %s: name a domain, a device type or both", r.ID)
	}
	if r.Domain != "" && !slices.Contains(Domains, r.Domain) {
		return errs.E(errs.Invalid, "rule %s: unknown domain %q", r.ID, r.Domain)
	}
	if r.Action == "" {
		r.Action = PurgeRawOnly
	}
	if r.Action != PurgeRawOnly && r.Action != PurgeAll {
		return errs.E(errs.Invalid, "rule %s: action is raw or all", r.ID)
	}
	if (r.Days == 0) == (r.Processing == "") {
		return errs.E(errs.Invalid, "rule %s: give either days or a processing entry of the register", r.ID)
	}
	if r.Days < 0 || r.Days > MaxRuleDays {
		return errs.E(errs.Invalid, "rule %s: days between 1 and %d", r.ID, MaxRuleDays)
	}
	return nil
}

// Matches reports whether the rule covers device d.
func (r *PropertyRule) Matches(d *Device) bool {
	return (r.Domain == "" || r.Domain == d.Domain) && (r.DeviceType == "" || r.DeviceType == d.Type)
}

// PropertyPurgeReport says what one purge of a property removed.
type PropertyPurgeReport struct {
	Raw     int64 `json:"raw"`     // raw observations
	Rollups int64 `json:"rollups"` // hourly and daily roll-up rows
}

// PropertyRetentionStore keeps the rules and purges a property.
type PropertyRetentionStore interface {
	// PutPropertyRule inserts or replaces a rule (Created kept on replace).
	PutPropertyRule(ctx context.Context, r *PropertyRule) error
	// PropertyRule returns a rule. errs.NotFound.
	PropertyRule(ctx context.Context, id string) (*PropertyRule, error)
	// PropertyRules lists the rules by ID.
	PropertyRules(ctx context.Context) ([]*PropertyRule, error)
	// DeletePropertyRule removes a rule. errs.NotFound.
	DeletePropertyRule(ctx context.Context, id string) error
	// PurgeProperty deletes the observations of property of the devices
	// older than before (one short transaction per device), and with
	// rollups their hourly and daily roll-ups that start before it. Other
	// properties and devices are untouched; the latest state stays.
	PurgeProperty(ctx context.Context, devices []string, property string, before time.Time, rollups bool) (PropertyPurgeReport, error)
}
