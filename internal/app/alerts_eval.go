package app

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/socle/socle/internal/alerts"
	"github.com/socle/socle/internal/errs"
	"github.com/socle/socle/internal/sensors"
)

// Threshold rules are evaluated as observations arrive, after the batch is
// stored (evaluateAlerts). The evaluator's state of each rule on each
// device (the time the value went beyond the threshold, whether an alert
// is active) lives in memory and is rebuilt lazily from the active alerts
// of the device the first time it sends data: after a restart, an alert
// already open stays known, but a condition that was pending starts
// counting again, so an opening may come up to one For later than it
// would have. Several nodes each keep their own state; the store's
// one-active-alert rule keeps them from opening an alert twice.

// ruleCacheTTL is how long the threshold rules are kept between reads: a
// rule written on another node applies within that time (on this node at
// once).
const ruleCacheTTL = 10 * time.Second

// alertEngine is the evaluator's state for one App.
type alertEngine struct {
	mu      sync.Mutex                       // serialises evaluations
	states  map[string]map[string]*ruleState // device → rule ID → state; a device absent is not loaded yet
	rules   []*alerts.Rule                   // enabled threshold rules
	rulesAt time.Time                        // when rules were read; zero: to read
}

// ruleState is the evaluator's state and the ID of the active alert.
type ruleState struct {
	alerts.State
	alertID int64
}

// alerting returns the App's alert engine, made on first use.
func (a *App) alerting() *alertEngine {
	a.alertsOnce.Do(func() { a.alerts = &alertEngine{states: map[string]map[string]*ruleState{}} })
	return a.alerts
}

func (e *alertEngine) forgetRules() {
	e.mu.Lock()
	e.rulesAt = time.Time{}
	e.mu.Unlock()
}

// forget drops the state of a rule on a device, e.g. once its alert is
// resolved by hand: the next values start afresh.
func (e *alertEngine) forget(device, ruleID string) {
	e.mu.Lock()
	if m := e.states[device]; m != nil {
		delete(m, ruleID)
	}
	e.mu.Unlock()
}

// evaluateAlerts evaluates the threshold rules on the trusted observations
// of a stored batch. A failure is logged: it never fails the ingestion.
func (a *App) evaluateAlerts(ctx context.Context, b sensors.Batch) {
	if err := a.evaluateBatch(ctx, b); err != nil {
		a.Logger.Error("alert evaluation failed", "err", err)
	}
}

func (a *App) evaluateBatch(ctx context.Context, b sensors.Batch) error {
	byDevice := map[string][]sensors.Observation{}
	for _, o := range b.Observations {
		if o.Flag == sensors.FlagNone {
			byDevice[o.Device] = append(byDevice[o.Device], o)
		}
	}
	if len(byDevice) == 0 {
		return nil
	}
	e := a.alerting()
	e.mu.Lock()
	defer e.mu.Unlock()
	rules, err := e.thresholdRules(ctx, a)
	if err != nil || len(rules) == 0 {
		return err
	}
	for id, obs := range byDevice {
		if err := a.evaluateDevice(ctx, e, rules, id, obs); err != nil {
			return fmt.Errorf("device %s: %w", id, err)
		}
	}
	return nil
}

// thresholdRules returns the enabled threshold rules, read at most every
// ruleCacheTTL. e.mu is held.
func (e *alertEngine) thresholdRules(ctx context.Context, a *App) ([]*alerts.Rule, error) {
	if !e.rulesAt.IsZero() && a.Now().Sub(e.rulesAt) < ruleCacheTTL {
		return e.rules, nil
	}
	all, err := a.Store.Rules(ctx)
	if err != nil {
		return nil, err
	}
	e.rules = e.rules[:0]
	for _, r := range all {
		if r.Enabled && (r.Kind == alerts.KindThreshold || r.Kind == alerts.KindBattery) {
			e.rules = append(e.rules, r)
		}
	}
	e.rulesAt = a.Now()
	return e.rules, nil
}

func (a *App) evaluateDevice(ctx context.Context, e *alertEngine, rules []*alerts.Rule, id string, obs []sensors.Observation) error {
	d, err := a.device(ctx, id)
	if err != nil {
		return err
	}
	states, err := e.deviceStates(ctx, a, id)
	if err != nil {
		return err
	}
	sort.SliceStable(obs, func(i, j int) bool { return obs[i].Time.Before(obs[j].Time) })
	for _, r := range rules {
		if !r.Applies(d) {
			continue
		}
		st := states[r.ID]
		if st == nil {
			st = &ruleState{}
			states[r.ID] = st
		}
		for _, o := range obs {
			if o.Property != r.Property {
				continue
			}
			if err := a.apply(ctx, r, d, st, o); err != nil {
				return fmt.Errorf("rule %s: %w", r.ID, err)
			}
		}
	}
	return nil
}

// deviceStates returns the states of a device's rules, loading the active
// alerts the first time. e.mu is held.
func (e *alertEngine) deviceStates(ctx context.Context, a *App, device string) (map[string]*ruleState, error) {
	if m, ok := e.states[device]; ok {
		return m, nil
	}
	m := map[string]*ruleState{}
	for _, status := range []string{alerts.StatusOpen, alerts.StatusAcknowledged} {
		list, err := a.Store.Alerts(ctx, alerts.Filter{Status: status, Device: device, Limit: -1})
		if err != nil {
			return nil, err
		}
		for _, al := range list {
			m[al.RuleID] = &ruleState{State: alerts.State{Active: true}, alertID: al.ID}
		}
	}
	e.states[device] = m
	return m, nil
}

// apply evaluates one observation and acts on the decision; the state
// moves on only once the action is stored.
func (a *App) apply(ctx context.Context, r *alerts.Rule, d *sensors.Device, st *ruleState, o sensors.Observation) error {
	dec := alerts.Evaluate(r, st.State, o)
	pr, _ := d.Property(r.Property)
	switch dec.Action {
	case alerts.Open:
		al := &alerts.Alert{RuleID: r.ID, Device: d.ID, Severity: r.Severity, OpenedAt: o.Time, Value: o.Value,
			Message: alerts.OpeningMessage(r, pr.Unit, o.Value, dec.Held)}
		if _, err := a.openAlert(ctx, al); err != nil {
			return err
		}
		st.alertID = al.ID
	case alerts.Resolve:
		v := o.Value
		note := fmt.Sprintf("valeur revenue à %s (seuil de retour %s)", alerts.FormatNumber(o.Value), alerts.FormatNumber(r.ClearAt()))
		_, err := a.updateAlert(ctx, st.alertID, alerts.Update{Status: alerts.StatusResolved, Value: &v,
			Event: alerts.Event{At: o.Time, Actor: alerts.SystemActor, Action: alerts.ActionResolve, Note: note}})
		// Resolved by hand or gone meanwhile: nothing left to resolve.
		if err != nil && !errs.Is(err, errs.Conflict) && !errs.Is(err, errs.NotFound) {
			return err
		}
		st.alertID = 0
	}
	st.State = dec.Next
	return nil
}
