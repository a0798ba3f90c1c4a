package alerts

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/socle/socle/internal/sensors"
)

// A leak rule watches each water meter in its scope (a sector meter: the
// registry has no sector of its own, and a district meter is one) with two
// detectors over hourly aggregates:
//
//   - night flow: at night almost nobody draws water, so the minimum night
//     flow is mostly leakage. A night is high when its minimum (the lowest
//     hourly mean between NightFrom and NightTo, local time) exceeds both
//     Factor × the baseline and the baseline + Margin, the baseline being
//     the median of the BaselineNights nights before the last Nights ones;
//     Nights high nights in a row are a leak.
//   - demand: the last complete hour's mean against the mean of the same
//     hour of the week over the Weeks previous weeks; further than Sigma
//     standard deviations (and Margin) is abnormal demand (a burst main,
//     a hydrant left open).
//
// An alert opens when either holds and resolves when neither does.

// NightFlow is one night's minimum flow.
type NightFlow struct {
	Night time.Time // the local date of the night's morning (local midnight)
	Min   float64
}

// NightMinimums returns, in date order, each night's lowest hourly mean
// among the hourly buckets starting in [NightFrom, NightTo) local time.
// Local hours start on UTC hours (France's offsets are whole hours).
func (r *Rule) NightMinimums(hours []sensors.Bucket) []NightFlow {
	byNight := map[time.Time]float64{}
	for _, b := range hours {
		l := b.Start.In(Local)
		if b.Count == 0 || l.Hour() < r.NightFrom || l.Hour() >= r.NightTo {
			continue
		}
		night := time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, Local)
		if v, ok := byNight[night]; !ok || b.Avg < v {
			byNight[night] = b.Avg
		}
	}
	out := make([]NightFlow, 0, len(byNight))
	for n, v := range byNight {
		out = append(out, NightFlow{n, v})
	}
	slices.SortFunc(out, func(a, b NightFlow) int { return a.Night.Compare(b.Night) })
	return out
}

// LastNight is the local date of the last night complete at now: today's
// when now is past NightTo, else yesterday's.
func (r *Rule) LastNight(now time.Time) time.Time {
	l := now.In(Local)
	night := time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, Local)
	if l.Hour() < r.NightTo {
		night = night.AddDate(0, 0, -1)
	}
	return night
}

// NightFinding is what the night-flow detector concluded.
type NightFinding struct {
	Leak     bool
	Nights   []NightFlow // the last Nights nights, when all present
	Baseline float64     // median of the nights before them
}

// NightLeak applies the night-flow detector to the nights (in date order)
// up to last, the last complete night. The last Nights nights must all be
// present, and at least two nights before them, to conclude anything.
func (r *Rule) NightLeak(nights []NightFlow, last time.Time) NightFinding {
	i := slices.IndexFunc(nights, func(n NightFlow) bool { return n.Night.Equal(last) })
	if i < 0 || i+1 < r.Nights {
		return NightFinding{}
	}
	recent := nights[i+1-r.Nights : i+1]
	for k, n := range recent {
		if want := last.AddDate(0, 0, k+1-r.Nights); !n.Night.Equal(want) {
			return NightFinding{} // a night missing: no streak
		}
	}
	before := nights[max(0, i+1-r.Nights-r.BaselineNights) : i+1-r.Nights]
	if len(before) < 2 {
		return NightFinding{}
	}
	f := NightFinding{Nights: recent, Baseline: median(before)}
	f.Leak = true
	for _, n := range recent {
		if !(n.Min > r.Factor*f.Baseline && n.Min > f.Baseline+r.Margin) {
			f.Leak = false
		}
	}
	return f
}

func median(nights []NightFlow) float64 {
	v := make([]float64, len(nights))
	for i, n := range nights {
		v[i] = n.Min
	}
	slices.Sort(v)
	if len(v)%2 == 1 {
		return v[len(v)/2]
	}
	return (v[len(v)/2-1] + v[len(v)/2]) / 2
}

// DemandFinding is what the demand detector concluded.
type DemandFinding struct {
	Abnormal         bool
	Hour             time.Time // start of the hour compared
	Actual, Forecast float64   // that hour's mean, the forecast
	Std              float64   // standard deviation of the past weeks' means
	Weeks            int       // weeks the forecast rests on
}

// Demand compares the mean of the hour starting at hour with the same
// hour of the week in the Weeks previous weeks (local time, so across a
// change of summer time too), from hourly buckets. At least two past
// weeks are needed. The standard deviation is floored at 1 % of the
// forecast, so that a perfectly regular series does not alert on noise.
func (r *Rule) Demand(hours []sensors.Bucket, hour time.Time) DemandFinding {
	at := map[int64]float64{}
	for _, b := range hours {
		if b.Count > 0 {
			at[b.Start.Unix()] = b.Avg
		}
	}
	actual, ok := at[hour.Unix()]
	if !ok {
		return DemandFinding{}
	}
	var past []float64
	l := hour.In(Local)
	for w := 1; w <= r.Weeks; w++ {
		if v, ok := at[l.AddDate(0, 0, -7*w).Unix()]; ok {
			past = append(past, v)
		}
	}
	if len(past) < 2 {
		return DemandFinding{}
	}
	mean, std := meanStd(past)
	std = max(std, 0.01*math.Abs(mean))
	d := math.Abs(actual - mean)
	return DemandFinding{Abnormal: d > r.Sigma*std && d > r.Margin, Hour: hour, Actual: actual, Forecast: mean, Std: std, Weeks: len(past)}
}

// meanStd returns the mean and the sample standard deviation of v (n ≥ 2).
func meanStd(v []float64) (float64, float64) {
	var sum float64
	for _, x := range v {
		sum += x
	}
	mean := sum / float64(len(v))
	var ss float64
	for _, x := range v {
		ss += (x - mean) * (x - mean)
	}
	return mean, math.Sqrt(ss / float64(len(v)-1))
}

// LeakMessage says in French why a leak alert is open, e.g. "Fuite
// probable : débit minimum de nuit 14,2 m3/h depuis 3 nuits (référence
// 5,1 m3/h)".
func LeakMessage(n NightFinding, d DemandFinding, unit string) string {
	u := ""
	if unit != "" {
		u = " " + unit
	}
	var parts []string
	if n.Leak {
		last := n.Nights[len(n.Nights)-1]
		parts = append(parts, fmt.Sprintf("Fuite probable : débit minimum de nuit %s%s depuis %d nuits (référence %s%s)",
			FormatNumber(round1(last.Min)), u, len(n.Nights), FormatNumber(round1(n.Baseline)), u))
	}
	if d.Abnormal {
		h := d.Hour.In(Local)
		parts = append(parts, fmt.Sprintf("Consommation anormale : %s%s entre %d h et %d h, prévision %s%s (± %s)",
			FormatNumber(round1(d.Actual)), u, h.Hour(), h.Add(time.Hour).Hour(), FormatNumber(round1(d.Forecast)), u, FormatNumber(round1(d.Std))))
	}
	return strings.Join(parts, " ; ")
}

func round1(v float64) float64 { return math.Round(v*10) / 10 }
