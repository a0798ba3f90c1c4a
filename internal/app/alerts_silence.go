package app

import (
	"context"
	"time"

	"github.com/socle/socle/internal/alerts"
	"github.com/socle/socle/internal/errs"
)

// SilenceReport counts what one CheckSilence did.
type SilenceReport struct {
	Checked  int `json:"checked"` // (rule, device) pairs looked at
	Opened   int `json:"opened"`
	Resolved int `json:"resolved"`
}

// CheckSilence applies the enabled silence rules at now: a device in a
// rule's scope whose newest trusted observation (its registration when it
// never sent any) is older than Periods reporting periods gets an offline
// alert; an offline alert whose device sent data since is resolved. It is
// idempotent, so the scheduler of `socle serve` and a cron running
// `socle alerts check` may both call it.
func (a *App) CheckSilence(ctx context.Context, now time.Time) (SilenceReport, error) {
	var rep SilenceReport
	all, err := a.Store.Rules(ctx)
	if err != nil {
		return rep, err
	}
	silence := map[string]*alerts.Rule{}
	for _, r := range all {
		if r.Enabled && r.Kind == alerts.KindSilence {
			silence[r.ID] = r
		}
	}
	if len(silence) == 0 {
		return rep, nil
	}
	active, err := a.activeSilenceAlerts(ctx, silence)
	if err != nil {
		return rep, err
	}
	last, err := a.lastSeen(ctx)
	if err != nil {
		return rep, err
	}
	devices, err := a.Store.Devices(ctx, "")
	if err != nil {
		return rep, err
	}
	for _, r := range all {
		if silence[r.ID] == nil {
			continue
		}
		for _, d := range devices {
			if !r.Applies(d) {
				continue
			}
			rep.Checked++
			seen, ok := last[d.ID]
			if !ok {
				seen = d.CreatedAt
			}
			silent, quiet := alerts.Silent(r, d, seen, now)
			al := active[r.ID+"\x00"+d.ID]
			switch {
			case silent && al == nil:
				al = &alerts.Alert{RuleID: r.ID, Device: d.ID, Severity: r.Severity, OpenedAt: now,
					Value: quiet.Seconds(), Message: alerts.SilenceMessage(r, d, quiet)}
				created, err := a.openAlert(ctx, al)
				if err != nil {
					return rep, err
				}
				if created {
					rep.Opened++
				}
			case !silent && al != nil:
				_, err := a.updateAlert(ctx, al.ID, alerts.Update{Status: alerts.StatusResolved,
					Event: alerts.Event{At: now, Actor: alerts.SystemActor, Action: alerts.ActionResolve,
						Note: "données reçues le " + seen.UTC().Format("02/01/2006 à 15:04:05 UTC")}})
				if err != nil && !errs.Is(err, errs.Conflict) {
					return rep, err
				}
				rep.Resolved++
			}
		}
	}
	return rep, nil
}

// activeSilenceAlerts returns the active alerts of the given rules by rule
// ID and device (joined by a NUL byte).
func (a *App) activeSilenceAlerts(ctx context.Context, rules map[string]*alerts.Rule) (map[string]*alerts.Alert, error) {
	out := map[string]*alerts.Alert{}
	if len(rules) == 0 {
		return out, nil
	}
	for _, status := range []string{alerts.StatusOpen, alerts.StatusAcknowledged} {
		list, err := a.Store.Alerts(ctx, alerts.Filter{Status: status, Limit: -1})
		if err != nil {
			return nil, err
		}
		for _, al := range list {
			if rules[al.RuleID] != nil {
				out[al.RuleID+"\x00"+al.Device] = al
			}
		}
	}
	return out, nil
}

// lastSeen returns the time of each device's newest trusted observation.
func (a *App) lastSeen(ctx context.Context) (map[string]time.Time, error) {
	latest, err := a.Store.Latest(ctx, nil)
	if err != nil {
		return nil, err
	}
	out := map[string]time.Time{}
	for _, l := range latest {
		if l.Time.After(out[l.Device]) {
			out[l.Device] = l.Time
		}
	}
	return out, nil
}

// NewSilenceChecker returns the job that runs CheckSilence every
// interval, each check bounded by it.
func (a *App) NewSilenceChecker(every time.Duration) *Job {
	return newJob(every, true, func(ctx context.Context) {
		rep, err := a.CheckSilence(ctx, a.Now())
		switch {
		case err != nil && ctx.Err() == nil:
			a.Logger.Error("silence check failed", "err", err)
		case err == nil && (rep.Opened > 0 || rep.Resolved > 0):
			a.Logger.Info("silence check", "opened", rep.Opened, "resolved", rep.Resolved, "checked", rep.Checked)
		}
	})
}
