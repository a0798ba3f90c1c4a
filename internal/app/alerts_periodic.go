package app

import (
	"context"
	"fmt"
	"time"

	"github.com/socle/socle/internal/alerts"
	"github.com/socle/socle/internal/errs"
	"github.com/socle/socle/internal/sensors"
)

// The periodic rules: leak (night flow and hour-of-week demand, from
// hourly aggregates, which the roll-ups serve) and container_forecast
// (from the recent samples). Their findings depend only on stored data, so
// a check is idempotent: the scheduler of `socle serve` runs it every
// PeriodicEvery (a night's finding changes once a day, a demand finding
// once an hour, a container's with each sample), and `socle alerts check`
// runs it once. An alert opens when a rule fires on a device without an
// active alert, and resolves when the condition has cleared.

// PeriodicEvery is how often `socle serve` runs CheckPeriodic.
const PeriodicEvery = 10 * time.Minute

// PeriodicReport counts what one CheckPeriodic did.
type PeriodicReport struct {
	Checked  int `json:"checked"` // (rule, device) pairs looked at
	Opened   int `json:"opened"`
	Resolved int `json:"resolved"`
}

// verdict is one rule's finding on one device.
type verdict struct {
	firing, cleared bool
	value           float64
	message, note   string // opening message, resolving note
}

// CheckPeriodic applies the enabled leak and container_forecast rules at
// now to the devices in their scope that have the rule's property.
func (a *App) CheckPeriodic(ctx context.Context, now time.Time) (PeriodicReport, error) {
	var rep PeriodicReport
	all, err := a.Store.Rules(ctx)
	if err != nil {
		return rep, err
	}
	rules := map[string]*alerts.Rule{}
	for _, r := range all {
		if r.Enabled && (r.Kind == alerts.KindLeak || r.Kind == alerts.KindContainerForecast) {
			rules[r.ID] = r
		}
	}
	if len(rules) == 0 {
		return rep, nil
	}
	active, err := a.activeSilenceAlerts(ctx, rules) // active alerts by rule and device, whatever the kind
	if err != nil {
		return rep, err
	}
	devices, err := a.Store.Devices(ctx, "")
	if err != nil {
		return rep, err
	}
	for _, r := range all {
		if rules[r.ID] == nil {
			continue
		}
		for _, d := range devices {
			if err := a.checkDevice(ctx, r, d, now, active[r.ID+"\x00"+d.ID], &rep); err != nil {
				return rep, fmt.Errorf("rule %s, device %s: %w", r.ID, d.ID, err)
			}
		}
	}
	return rep, nil
}

// checkDevice applies one rule to one device and acts on the verdict.
func (a *App) checkDevice(ctx context.Context, r *alerts.Rule, d *sensors.Device, now time.Time, al *alerts.Alert, rep *PeriodicReport) error {
	p, ok := d.Property(r.Property)
	if !r.Applies(d) || !ok || d.Status != sensors.StatusActive {
		return nil
	}
	rep.Checked++
	var v verdict
	var err error
	if r.Kind == alerts.KindLeak {
		v, err = a.leakVerdict(ctx, r, d, p, now)
	} else {
		v, err = a.containerVerdict(ctx, r, d, p, now)
	}
	switch {
	case err != nil:
		return err
	case v.firing && al == nil:
		created, err := a.openAlert(ctx, &alerts.Alert{RuleID: r.ID, Device: d.ID, Severity: r.Severity, OpenedAt: now, Value: v.value, Message: v.message})
		if created {
			rep.Opened++
		}
		return err
	case v.cleared && al != nil:
		val := v.value
		_, err := a.updateAlert(ctx, al.ID, alerts.Update{Status: alerts.StatusResolved, Value: &val,
			Event: alerts.Event{At: now, Actor: alerts.SystemActor, Action: alerts.ActionResolve, Note: v.note}})
		if err != nil && !errs.Is(err, errs.Conflict) && !errs.Is(err, errs.NotFound) {
			return err
		}
		rep.Resolved++
	}
	return nil
}

// leakVerdict reads the hourly aggregates the two detectors need: the
// nights of the baseline and the streak, and the same hour of the
// previous weeks.
func (a *App) leakVerdict(ctx context.Context, r *alerts.Rule, d *sensors.Device, p sensors.Property, now time.Time) (verdict, error) {
	hour := now.UTC().Truncate(time.Hour).Add(-time.Hour) // the last complete hour
	lastNight := r.LastNight(now)
	from := lastNight.AddDate(0, 0, -(r.Nights + r.BaselineNights))
	if weeks := hour.In(alerts.Local).AddDate(0, 0, -7*r.Weeks); weeks.Before(from) {
		from = weeks
	}
	hours, err := a.Store.Aggregate(ctx, sensors.AggregateQuery{Device: d.ID, Property: r.Property,
		From: from, To: hour.Add(time.Hour), Width: time.Hour})
	if err != nil {
		return verdict{}, err
	}
	night := r.NightLeak(r.NightMinimums(hours), lastNight)
	demand := r.Demand(hours, hour)
	// Cleared needs a detector that concluded: a meter gone silent keeps
	// its alert (the silence rules report the silence).
	concluded := len(night.Nights) > 0 || demand.Weeks > 0
	v := verdict{firing: night.Leak || demand.Abnormal, cleared: concluded && !night.Leak && !demand.Abnormal,
		message: alerts.LeakMessage(night, demand, p.Unit), note: "débit de nuit et consommation revenus à la normale"}
	switch {
	case night.Leak:
		v.value = night.Nights[len(night.Nights)-1].Min
	case demand.Abnormal:
		v.value = demand.Actual
	}
	return v, nil
}

// containerVerdict fits the samples of the rule's window.
func (a *App) containerVerdict(ctx context.Context, r *alerts.Rule, d *sensors.Device, p sensors.Property, now time.Time) (verdict, error) {
	obs, err := a.Store.Observations(ctx, d.ID, now.Add(-time.Duration(r.Window)), now.Add(time.Millisecond), maxContainerSamples)
	if err != nil {
		return verdict{}, err
	}
	var samples []alerts.Sample
	for _, o := range obs {
		if o.Property == r.Property && o.Flag == sensors.FlagNone {
			samples = append(samples, alerts.Sample{Time: o.Time, Value: o.Value})
		}
	}
	f, ok := r.ContainerForecast(samples, now)
	if !ok {
		return verdict{}, nil // no recent data: the silence rules' business
	}
	return verdict{firing: f.Firing(), cleared: r.Cleared(f), value: f.Level, message: alerts.ContainerMessage(r, f, p.Unit),
		note: "niveau revenu à " + alerts.FormatNumber(f.Level) + " " + p.Unit}, nil
}

// maxContainerSamples bounds the samples a fit reads (a week of 1-minute
// data is about 10,000).
const maxContainerSamples = 20000

// NewPeriodicChecker returns the job that runs CheckPeriodic every
// interval, each check bounded by it.
func (a *App) NewPeriodicChecker(every time.Duration) *Job {
	return newJob(every, true, func(ctx context.Context) {
		if opened, resolved, err := a.CheckDeliveries(ctx); err != nil && ctx.Err() == nil {
			a.Logger.Error("delivery check failed", "err", err)
		} else if opened+resolved > 0 {
			a.Logger.Info("delivery check", "opened", opened, "resolved", resolved)
		}
		rep, err := a.CheckPeriodic(ctx, a.Now())
		switch {
		case err != nil && ctx.Err() == nil:
			a.Logger.Error("periodic alert check failed", "err", err)
		case err == nil && (rep.Opened > 0 || rep.Resolved > 0):
			a.Logger.Info("periodic alert check", "opened", rep.Opened, "resolved", rep.Resolved, "checked", rep.Checked)
		}
	})
}
