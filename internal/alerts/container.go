package alerts

import (
	"fmt"
	"strconv"
	"time"
)

// A container_forecast rule watches waste containers' fill level: an
// alert opens when a container is full (level ≥ Threshold) or when the
// fill rate, fitted by least squares over its recent samples, predicts it
// full before the next collection round; it resolves once the level is
// back at or under Threshold − Hysteresis and no longer forecast full
// (after emptying, typically). The rule's Property is the fill property,
// so that rounds can pick the containers from the active alerts.

// emptiedDrop is how far the level must fall between two samples for the
// container to count as emptied: the fit starts after the last emptying.
const emptiedDrop = 10

// Sample is one value of a property at a time.
type Sample struct {
	Time  time.Time
	Value float64
}

// ContainerFinding is what a container_forecast rule concluded.
type ContainerFinding struct {
	Level     float64   // the newest sample's value
	At        time.Time // its time
	Rate      float64   // fitted fill rate, per hour; 0 without a fit
	NextRound time.Time
	Predicted float64 // Level + Rate × hours until NextRound
	Full      bool    // Level ≥ Threshold
	Forecast  bool    // not full yet, but Predicted ≥ Threshold
}

// Firing reports whether an alert should be open.
func (f ContainerFinding) Firing() bool { return f.Full || f.Forecast }

// Cleared reports whether an open alert should resolve.
func (r *Rule) Cleared(f ContainerFinding) bool {
	return f.Level <= r.Threshold-r.Hysteresis && !f.Forecast
}

// ContainerForecast applies r to a container's samples of its property
// (in time order) at now. ok is false without samples in the rule's Window.
func (r *Rule) ContainerForecast(samples []Sample, now time.Time) (f ContainerFinding, ok bool) {
	if len(samples) == 0 || now.Sub(samples[len(samples)-1].Time) > time.Duration(r.Window) {
		return f, false
	}
	last := samples[len(samples)-1]
	f = ContainerFinding{Level: last.Value, At: last.Time, NextRound: r.NextRound(now)}
	f.Full = f.Level >= r.Threshold
	f.Predicted = f.Level
	if rate, ok := fillRate(sinceEmptied(samples)); ok && rate > 0 {
		f.Rate = rate
		f.Predicted = f.Level + rate*f.NextRound.Sub(last.Time).Hours()
	}
	f.Forecast = !f.Full && f.Predicted >= r.Threshold
	return f, true
}

// sinceEmptied returns the samples after the last emptying.
func sinceEmptied(s []Sample) []Sample {
	for i := len(s) - 1; i > 0; i-- {
		if s[i].Value < s[i-1].Value-emptiedDrop {
			return s[i:]
		}
	}
	return s
}

// fillRate fits v = a + b·t by least squares and returns b per hour; ok
// needs 3 samples over at least an hour.
func fillRate(s []Sample) (float64, bool) {
	if len(s) < 3 || s[len(s)-1].Time.Sub(s[0].Time) < time.Hour {
		return 0, false
	}
	var st, sv, stt, stv float64
	for _, p := range s {
		t := p.Time.Sub(s[0].Time).Hours()
		st, sv, stt, stv = st+t, sv+p.Value, stt+t*t, stv+t*p.Value
	}
	n := float64(len(s))
	den := n*stt - st*st
	if den == 0 {
		return 0, false
	}
	return (n*stv - st*sv) / den, true
}

// NextRound is the first collection round strictly after now: the next of
// the local Rounds times, or the next multiple of RoundEvery from local
// midnight.
func (r *Rule) NextRound(now time.Time) time.Time {
	l := now.In(Local)
	midnight := time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, Local)
	if r.RoundEvery > 0 {
		every := time.Duration(r.RoundEvery)
		next := midnight.Add((l.Sub(midnight)/every + 1) * every)
		return next
	}
	var best time.Time
	for _, s := range r.Rounds {
		h, _ := strconv.Atoi(s[:2])
		m, _ := strconv.Atoi(s[3:])
		for d := 0; d <= 1; d++ {
			at := time.Date(l.Year(), l.Month(), l.Day()+d, h, m, 0, 0, Local)
			if at.After(now) && (best.IsZero() || at.Before(best)) {
				best = at
			}
		}
	}
	return best
}

// ContainerMessage says in French why a container alert is open, e.g.
// "Conteneur plein : 96 % (seuil 90 %)" or "Conteneur plein avant la
// collecte de 18:00 : 78 % à 14:05, +3,2 %/h, plein vers 17:50".
func ContainerMessage(r *Rule, f ContainerFinding, unit string) string {
	if f.Full {
		return fmt.Sprintf("Conteneur plein : %s %s (seuil %s %s)", FormatNumber(round1(f.Level)), unit, FormatNumber(r.Threshold), unit)
	}
	full := f.At.Add(time.Duration((r.Threshold - f.Level) / f.Rate * float64(time.Hour)))
	return fmt.Sprintf("Conteneur plein avant la collecte de %s : %s %s à %s, +%s %s/h, plein vers %s",
		f.NextRound.In(Local).Format("15:04"), FormatNumber(round1(f.Level)), unit, f.At.In(Local).Format("15:04"),
		FormatNumber(round1(f.Rate)), unit, full.In(Local).Format("15:04"))
}
