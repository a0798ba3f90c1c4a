package alerts

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/socle/socle/internal/sensors"
)

// State is what the evaluator remembers of one rule on one device between
// observations. The zero State is a device with no active alert and no
// condition pending.
type State struct {
	// Pending is when the value went beyond the threshold, while not yet
	// for the rule's For; zero when it is not beyond.
	Pending time.Time
	// Active is true while an alert is open or acknowledged.
	Active bool
	// Last is the time of the newest observation evaluated: older ones
	// (late data, resends) change nothing.
	Last time.Time
}

// Action is what an evaluation asks for.
type Action int

// Actions.
const (
	None    Action = iota
	Open           // open an alert (the condition held for For)
	Resolve        // resolve the active alert (the value came back past the hysteresis)
)

// Decision is the outcome of Evaluate: an action and the next state.
type Decision struct {
	Action Action
	Next   State
	// Held is how long the condition has held, when Action is Open.
	Held time.Duration
}

// Evaluate applies a threshold rule to one trusted observation of its
// property. An alert opens once every value from the first beyond the
// threshold up to one at least For later stayed beyond it; it resolves at
// the first value at or past Threshold∓Hysteresis. Values inside the
// hysteresis band keep an active alert active and a quiet device quiet.
func Evaluate(r *Rule, s State, o sensors.Observation) Decision {
	if !s.Last.IsZero() && !o.Time.After(s.Last) {
		return Decision{Action: None, Next: s}
	}
	s.Last = o.Time
	if s.Active {
		if r.cleared(o.Value) {
			return Decision{Action: Resolve, Next: State{Last: o.Time}}
		}
		return Decision{Action: None, Next: s}
	}
	if !r.beyond(o.Value) {
		s.Pending = time.Time{}
		return Decision{Action: None, Next: s}
	}
	if s.Pending.IsZero() {
		s.Pending = o.Time
	}
	held := o.Time.Sub(s.Pending)
	if held < time.Duration(r.For) {
		return Decision{Action: None, Next: s}
	}
	return Decision{Action: Open, Next: State{Active: true, Last: o.Time}, Held: held}
}

// beyond reports whether v is past the threshold (strictly).
func (r *Rule) beyond(v float64) bool {
	if r.Op == "<" {
		return v < r.Threshold
	}
	return v > r.Threshold
}

// cleared reports whether v came back past the hysteresis band.
func (r *Rule) cleared(v float64) bool {
	if r.Op == "<" {
		return v >= r.ClearAt()
	}
	return v <= r.ClearAt()
}

// ClearAt is the value an active alert resolves at (or beyond):
// Threshold−Hysteresis for ">", Threshold+Hysteresis for "<".
func (r *Rule) ClearAt() float64 {
	if r.Op == "<" {
		return r.Threshold + r.Hysteresis
	}
	return r.Threshold - r.Hysteresis
}

// Silent reports whether a device whose newest data is at last (its
// registration time when it never sent any) is offline at now under rule
// r: no data for r.Periods reporting periods. A device without a declared
// period is never silent.
func Silent(r *Rule, d *sensors.Device, last, now time.Time) (bool, time.Duration) {
	if d.PeriodSeconds <= 0 || d.Status != sensors.StatusActive {
		return false, 0
	}
	quiet := now.Sub(last)
	return quiet > time.Duration(r.Periods)*time.Duration(d.PeriodSeconds)*time.Second, quiet
}

// labels are the French names of common properties, for alert messages.
var labels = map[string]string{
	"flow": "Débit", "volume": "Volume", "pressure": "Pression", "temperature": "Température",
	"fillingLevel": "Remplissage", "no2": "NO2", "pm10": "PM10", "pm25": "PM2,5", "o3": "O3",
	"humidity": "Humidité", "occupancy": "Occupation", "battery": "Batterie", "power": "Puissance",
}

// ThresholdMessage says in French what opened a threshold alert, e.g.
// "Débit 620 m3/h au-dessus du seuil 500 depuis 10 min".
func ThresholdMessage(r *Rule, unit string, v float64, held time.Duration) string {
	label, ok := labels[r.Property]
	if !ok {
		label = r.Property
	}
	dir := "au-dessus"
	if r.Op == "<" {
		dir = "en dessous"
	}
	msg := label + " " + FormatNumber(v)
	if unit != "" {
		msg += " " + unit
	}
	msg += " " + dir + " du seuil " + FormatNumber(r.Threshold)
	if held >= time.Minute {
		msg += " depuis " + span(held)
	}
	return msg
}

// SilenceMessage says in French why a device is offline.
func SilenceMessage(r *Rule, d *sensors.Device, quiet time.Duration) string {
	period := time.Duration(d.PeriodSeconds) * time.Second
	return fmt.Sprintf("Capteur hors ligne : aucune donnée depuis %s (%d périodes de %s attendues)", span(quiet), r.Periods, span(period))
}

// FormatNumber writes v the French way: a decimal comma, no useless zeros.
func FormatNumber(v float64) string {
	return strings.Replace(strconv.FormatFloat(v, 'f', -1, 64), ".", ",", 1)
}

// span writes a duration for people: "45 s", "10 min", "2 h 5 min", "3 j".
func span(d time.Duration) string {
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%d s", int(d/time.Second))
	case d < time.Hour:
		return fmt.Sprintf("%d min", int(d/time.Minute))
	case d < 48*time.Hour:
		h, m := int(d/time.Hour), int(d%time.Hour/time.Minute)
		if m == 0 {
			return fmt.Sprintf("%d h", h)
		}
		return fmt.Sprintf("%d h %d min", h, m)
	}
	return fmt.Sprintf("%d j", int(d/(24*time.Hour)))
}
