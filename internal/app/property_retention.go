package app

import (
	"context"
	"fmt"
	"time"

	"github.com/socle/socle/internal/auth"
	"github.com/socle/socle/internal/errs"
	"github.com/socle/socle/internal/registers"
	"github.com/socle/socle/internal/sensors"
)

// Retention per device property (sensors.PropertyRule): stewards and
// admins keep the rules; the retention job (NewRetentionJob, every 6 hours
// in serve, once with `socle retention purge`) applies them after the
// per-domain raw retention and the datasets' retention. A rule's duration
// comes from its days, or from the retention text of the RGPD processing
// it names, read at each run so that the register stays the reference.
// Each rule applied — or held — is an audit entry "retention.purge" with
// target "property:<rule>" (the purge log).

// PutPropertyRule validates and stores a rule; a processing it names must
// exist and state a duration.
func (a *App) PutPropertyRule(ctx context.Context, p auth.Principal, r *sensors.PropertyRule) error {
	if !CanKeepRegisters(p) {
		return errs.E(errs.Forbidden, "only stewards set retention rules")
	}
	if err := r.Validate(); err != nil {
		return err
	}
	if _, err := a.ruleDays(ctx, r); err != nil {
		return err
	}
	r.Updated = a.Now()
	if err := a.Store.PutPropertyRule(ctx, r); err != nil {
		return err
	}
	return a.Audit(ctx, p, "retention.rule.put", "property:"+r.ID, 0, describeRule(r))
}

// PropertyRules lists the rules; stewards and admins only.
func (a *App) PropertyRules(ctx context.Context, p auth.Principal) ([]*sensors.PropertyRule, error) {
	if !CanKeepRegisters(p) {
		return nil, errs.E(errs.Forbidden, "only stewards read retention rules")
	}
	return a.Store.PropertyRules(ctx)
}

// PropertyRule returns a rule; stewards and admins only.
func (a *App) PropertyRule(ctx context.Context, p auth.Principal, id string) (*sensors.PropertyRule, error) {
	if !CanKeepRegisters(p) {
		return nil, errs.E(errs.Forbidden, "only stewards read retention rules")
	}
	return a.Store.PropertyRule(ctx, id)
}

// DeletePropertyRule removes a rule.
func (a *App) DeletePropertyRule(ctx context.Context, p auth.Principal, id string) error {
	if !CanKeepRegisters(p) {
		return errs.E(errs.Forbidden, "only stewards delete retention rules")
	}
	if err := a.Store.DeletePropertyRule(ctx, id); err != nil {
		return err
	}
	return a.Audit(ctx, p, "retention.rule.delete", "property:"+id, 0, "")
}

// ruleDays is r's duration: its days, or its processing's retention.
func (a *App) ruleDays(ctx context.Context, r *sensors.PropertyRule) (int, error) {
	if r.Processing == "" {
		return r.Days, nil
	}
	pr, err := a.Store.Processing(ctx, r.Processing)
	if errs.Is(err, errs.NotFound) {
		return 0, errs.E(errs.Invalid, "rule %s: no processing %q in the register", r.ID, r.Processing)
	} else if err != nil {
		return 0, err
	}
	days, err := registers.RetentionDays(pr.Retention)
	if err != nil {
		return 0, errs.Wrap(errs.Invalid, err, "rule %s: processing %s: %v", r.ID, r.Processing, err)
	}
	return days, nil
}

// PropertyPurge is what one rule's purge did.
type PropertyPurge struct {
	Rule    string `json:"rule"`
	Before  string `json:"before"` // the cutoff day (UTC)
	Devices int    `json:"devices"`
	sensors.PropertyPurgeReport
	Held bool `json:"held,omitempty"` // under legal hold: nothing deleted
}

// PurgeProperties applies every rule at a.Now(); admins and stewards (and
// System) only. A rule whose duration cannot be read is logged, audited
// and skipped; the others still run.
func (a *App) PurgeProperties(ctx context.Context, p auth.Principal) ([]PropertyPurge, error) {
	if !CanKeepRegisters(p) {
		return nil, errs.E(errs.Forbidden, "only stewards purge sensor data")
	}
	rules, err := a.Store.PropertyRules(ctx)
	if err != nil || len(rules) == 0 {
		return nil, err
	}
	devices, err := a.Store.Devices(ctx, "")
	if err != nil {
		return nil, err
	}
	var out []PropertyPurge
	for _, r := range rules {
		pp, err := a.purgeProperty(ctx, p, r, devices)
		if err != nil {
			if ctx.Err() != nil {
				return out, err
			}
			a.Logger.Error("property retention failed", "rule", r.ID, "err", err)
			a.Audit(ctx, p, "retention.purge", "property:"+r.ID, 0, "failed: "+errs.Message(err))
			continue
		}
		out = append(out, pp)
	}
	return out, nil
}

func (a *App) purgeProperty(ctx context.Context, p auth.Principal, r *sensors.PropertyRule, all []*sensors.Device) (PropertyPurge, error) {
	days, err := a.ruleDays(ctx, r)
	if err != nil {
		return PropertyPurge{}, err
	}
	now := a.Now().UTC()
	cutoff := time.Date(now.Year(), now.Month(), now.Day()-days, 0, 0, 0, 0, time.UTC) // a whole UTC day, as raw retention cuts
	var ids []string
	for _, d := range all {
		if r.Matches(d) {
			ids = append(ids, d.ID)
		}
	}
	pp := PropertyPurge{Rule: r.ID, Before: cutoff.Format(time.DateOnly), Devices: len(ids), Held: r.LegalHold}
	detail := fmt.Sprintf("%s before %s, %d devices", describeRule(r), pp.Before, len(ids))
	if r.LegalHold {
		detail = "legal hold: nothing deleted; " + describeRule(r)
	} else {
		if pp.PropertyPurgeReport, err = a.Store.PurgeProperty(ctx, ids, r.Property, cutoff, r.Action == sensors.PurgeAll); err != nil {
			return pp, err
		}
		if r.Action == sensors.PurgeAll {
			detail += fmt.Sprintf(", %d roll-up rows", pp.Rollups)
		}
		if pp.Raw > 0 || pp.Rollups > 0 {
			a.Logger.Info("property observations purged", "rule", r.ID, "raw", pp.Raw, "rollups", pp.Rollups, "before", pp.Before)
		}
	}
	return pp, a.Audit(ctx, p, "retention.purge", "property:"+r.ID, pp.Raw, detail)
}

// describeRule writes "water/WaterMeter flow, 90 days, raw only".
func describeRule(r *sensors.PropertyRule) string {
	who := r.Domain
	if r.DeviceType != "" {
		who += "/" + r.DeviceType
	}
	how := fmt.Sprintf("%d days", r.Days)
	if r.Processing != "" {
		how = "the retention of processing " + r.Processing
	}
	what := "raw only"
	if r.Action == sensors.PurgeAll {
		what = "raw and roll-ups"
	}
	return fmt.Sprintf("%s %s, %s, %s", who, r.Property, how, what)
}
