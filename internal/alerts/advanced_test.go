package alerts

import (
	"fmt"
	"testing"
	"time"

	"github.com/socle/socle/internal/errs"
	"github.com/socle/socle/internal/sensors"
)

// paris is a local time in Europe/Paris (winter: UTC+1).
func paris(y int, m time.Month, d, h, min int) time.Time {
	return time.Date(y, m, d, h, min, 0, 0, Local)
}

func TestValidateAdvanced(t *testing.T) {
	valid := func(r Rule) *Rule { r.ID, r.Name = "r", "R"; return &r }
	for _, tc := range []struct {
		name string
		rule *Rule
		want string // the rule after Validate, in part
	}{
		{"a battery rule alerts below its threshold on the battery property", valid(Rule{Kind: KindBattery, Threshold: 3.3, Hysteresis: 0.2}),
			"battery < 3.3"},
		{"a leak rule takes the flow, 3 nights against 7, 02:00 to 05:00, 4 weeks and 3 sigmas by default", valid(Rule{Kind: KindLeak}),
			"flow 3/7 1.5 2-5 4 3"},
		{"a container rule takes the fill level and 90 % by default", valid(Rule{Kind: KindContainerForecast, Params: Params{Rounds: []string{"06:00"}}}),
			"fillingLevel 90 12h0m0s"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.rule.Validate(); err != nil {
				t.Fatal(err)
			}
			r, p := tc.rule, tc.rule.Params
			got := map[string]string{
				KindBattery:           fmt.Sprintf("%s %s %v", r.Property, r.Op, r.Threshold),
				KindLeak:              fmt.Sprintf("%s %d/%d %v %d-%d %d %v", r.Property, p.Nights, p.BaselineNights, p.Factor, p.NightFrom, p.NightTo, p.Weeks, p.Sigma),
				KindContainerForecast: fmt.Sprintf("%s %v %s", r.Property, r.Threshold, time.Duration(p.Window)),
			}[r.Kind]
			if got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
	for _, tc := range []struct {
		name string
		rule Rule
	}{
		{"a battery rule above its threshold", Rule{Kind: KindBattery, Threshold: 3.3, Op: ">"}},
		{"a battery rule without threshold", Rule{Kind: KindBattery}},
		{"a leak rule of one baseline night", Rule{Kind: KindLeak, Params: Params{BaselineNights: 1}}},
		{"a leak rule whose factor lowers the baseline", Rule{Kind: KindLeak, Params: Params{Factor: 0.5}}},
		{"a leak rule whose night ends before it starts", Rule{Kind: KindLeak, Params: Params{NightFrom: 5, NightTo: 2}}},
		{"a container rule without rounds", Rule{Kind: KindContainerForecast}},
		{"a container rule with rounds both ways", Rule{Kind: KindContainerForecast, Params: Params{Rounds: []string{"06:00"}, RoundEvery: Duration(4 * time.Hour)}}},
		{"a container rule with a round at 25:00", Rule{Kind: KindContainerForecast, Params: Params{Rounds: []string{"25:00"}}}},
		{"a container rule with rounds every minute", Rule{Kind: KindContainerForecast, Params: Params{RoundEvery: Duration(time.Minute)}}},
		{"a container rule whose hysteresis exceeds the full level", Rule{Kind: KindContainerForecast, Threshold: 90, Hysteresis: 95, Params: Params{Rounds: []string{"06:00"}}}},
	} {
		t.Run("refused: "+tc.name, func(t *testing.T) {
			if err := valid(tc.rule).Validate(); errs.KindOf(err) != errs.Invalid {
				t.Errorf("got %v, want an Invalid error", err)
			}
		})
	}
}

func TestBattery(t *testing.T) {
	r := &Rule{ID: "b", Name: "B", Kind: KindBattery, Threshold: 3.3, Hysteresis: 0.2}
	if err := r.Validate(); err != nil {
		t.Fatal(err)
	}
	var s State
	for i, st := range []step{{0, 3.6, None}, {60, 3.35, None}, {120, 3.25, Open}, {180, 3.4, None}, {240, 3.5, Resolve}, {300, 3.1, Open}} {
		d := Evaluate(r, s, sensors.Observation{Time: t0.Add(time.Duration(st.min) * time.Minute), Value: st.v})
		if d.Action != st.want {
			t.Fatalf("step %d (%v V): action %d, want %d", i, st.v, d.Action, st.want)
		}
		s = d.Next
	}
	if got, want := OpeningMessage(r, "V", 3.25, 0), "Batterie faible : 3,25 V (seuil 3,3 V) — à remplacer"; got != want {
		t.Errorf("message %q, want %q", got, want)
	}
}

// nightHours returns the hourly buckets of the nights' local hours 1 to 5
// (02:00–05:00 is the rule's window), the night of day i at mins[i] m3/h
// at 03:00 and mins[i]+5 otherwise; NaN skips a night.
func nightHours(first time.Time, mins ...float64) []sensors.Bucket {
	var out []sensors.Bucket
	for i, m := range mins {
		if m != m {
			continue
		}
		for h := 1; h <= 5; h++ {
			v := m + 5
			if h == 3 {
				v = m
			}
			out = append(out, sensors.Bucket{Start: first.AddDate(0, 0, i).Add(time.Duration(h) * time.Hour).UTC(), Count: 6, Avg: v})
		}
	}
	return out
}

func TestNightLeak(t *testing.T) {
	r := &Rule{ID: "l", Name: "L", Kind: KindLeak, Params: Params{Nights: 2, BaselineNights: 4, Factor: 1.5, Margin: 2}}
	if err := r.Validate(); err != nil {
		t.Fatal(err)
	}
	first := paris(2026, 1, 1, 0, 0)
	nan := float64(0) / zero
	for _, tc := range []struct {
		name     string
		mins     []float64
		leak     bool
		baseline float64
	}{
		{"two high nights after four normal ones are a leak", []float64{5, 6, 4, 5, 12, 14}, true, 5},
		{"one high night is not", []float64{5, 6, 4, 5, 5, 14}, false, 5},
		{"high nights not above the margin are not", []float64{1, 1, 1, 1, 2.5, 2.8}, false, 1},
		{"a missing last night concludes nothing", []float64{5, 6, 4, 5, 12, 14, nan}, false, 0},
		{"a gap in the streak concludes nothing", []float64{5, 6, 4, 5, 12, nan, 14}, false, 0},
		{"two baseline nights are enough", []float64{5, 7, 12, 14}, true, 6},
		{"one baseline night is not", []float64{5, 12, 14}, false, 0},
		{"the baseline is the median of the nights before the streak only", []float64{50, 5, 6, 4, 5, 12, 14}, true, 5},
	} {
		t.Run(tc.name, func(t *testing.T) {
			nights := r.NightMinimums(nightHours(first, tc.mins...))
			last := first.AddDate(0, 0, len(tc.mins)-1)
			f := r.NightLeak(nights, last)
			if f.Leak != tc.leak || f.Baseline != tc.baseline {
				t.Errorf("got leak %v, baseline %v (nights %+v); want %v, %v", f.Leak, f.Baseline, nights, tc.leak, tc.baseline)
			}
		})
	}
	f := r.NightLeak(r.NightMinimums(nightHours(first, 5, 6, 4, 5, 12, 14.25)), first.AddDate(0, 0, 5))
	if got, want := LeakMessage(f, DemandFinding{}, "m3/h"), "Fuite probable : débit minimum de nuit 14,3 m3/h depuis 2 nuits (référence 5 m3/h)"; got != want {
		t.Errorf("message %q, want %q", got, want)
	}
}

var zero float64

func TestLastNight(t *testing.T) {
	r := &Rule{Params: Params{NightFrom: 2, NightTo: 5}}
	for _, tc := range []struct {
		now, want time.Time
	}{
		{paris(2026, 1, 10, 4, 59), paris(2026, 1, 9, 0, 0)},
		{paris(2026, 1, 10, 5, 0), paris(2026, 1, 10, 0, 0)},
		{paris(2026, 1, 10, 23, 0), paris(2026, 1, 10, 0, 0)},
	} {
		if got := r.LastNight(tc.now); !got.Equal(tc.want) {
			t.Errorf("last night at %v: %v, want %v", tc.now, got, tc.want)
		}
	}
}

func TestDemand(t *testing.T) {
	r := &Rule{ID: "l", Name: "L", Kind: KindLeak}
	if err := r.Validate(); err != nil {
		t.Fatal(err)
	}
	hour := paris(2026, 1, 29, 14, 0)
	weekly := func(actual float64, past ...float64) []sensors.Bucket {
		out := []sensors.Bucket{{Start: hour.UTC(), Count: 6, Avg: actual}, {Start: hour.Add(-time.Hour).UTC(), Count: 6, Avg: 999}}
		for w, v := range past {
			out = append(out, sensors.Bucket{Start: hour.AddDate(0, 0, -7*(w+1)).UTC(), Count: 6, Avg: v})
		}
		return out
	}
	for _, tc := range []struct {
		name     string
		hours    []sensors.Bucket
		abnormal bool
		forecast float64
	}{
		{"demand far above its forecast is abnormal", weekly(80, 40, 42, 44), true, 42},
		{"demand within three deviations is not", weekly(47, 40, 42, 44), false, 42},
		{"demand far below is abnormal too", weekly(10, 40, 42, 44, 42), true, 42},
		{"a perfectly regular series tolerates 3 % of noise", weekly(41, 40, 40, 40), false, 40},
		{"one past week is not enough", weekly(80, 40), false, 0},
		{"without the hour's data nothing is concluded", weekly(80, 40, 42, 44)[1:], false, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := r.Demand(tc.hours, hour.UTC())
			if d.Abnormal != tc.abnormal || d.Forecast != tc.forecast {
				t.Errorf("got %+v, want abnormal %v, forecast %v", d, tc.abnormal, tc.forecast)
			}
		})
	}
	d := r.Demand(weekly(80, 40, 42, 44), hour.UTC())
	if got, want := LeakMessage(NightFinding{}, d, "m3/h"), "Consommation anormale : 80 m3/h entre 14 h et 15 h, prévision 42 m3/h (± 2)"; got != want {
		t.Errorf("message %q, want %q", got, want)
	}
}

// rising returns samples every 30 minutes from start, from v0 by rate
// per hour.
func rising(start time.Time, n int, v0, rate float64) []Sample {
	out := make([]Sample, n)
	for i := range out {
		out[i] = Sample{Time: start.Add(time.Duration(i) * 30 * time.Minute), Value: v0 + rate*float64(i)/2}
	}
	return out
}

func TestContainerForecast(t *testing.T) {
	r := &Rule{ID: "c", Name: "C", Kind: KindContainerForecast, Threshold: 90, Hysteresis: 20, Params: Params{Rounds: []string{"06:00", "18:00"}}}
	if err := r.Validate(); err != nil {
		t.Fatal(err)
	}
	now := paris(2026, 1, 10, 14, 5)
	emptied := append(rising(paris(2026, 1, 10, 6, 0), 8, 70, 2), rising(paris(2026, 1, 10, 10, 0), 9, 54, 3)...)
	for _, tc := range []struct {
		name                  string
		samples               []Sample
		ok, full, forecast    bool
		level, rate, predicts float64
		cleared               bool
	}{
		{"a container reaching the full level before the round is forecast full", rising(paris(2026, 1, 10, 10, 0), 9, 66, 3), true, false, true, 78, 3, 90, false},
		{"a slower one is not", rising(paris(2026, 1, 10, 10, 0), 9, 66, 2), true, false, false, 74, 2, 82, false},
		{"a container at the full level is full", rising(paris(2026, 1, 10, 10, 0), 9, 86, 1), true, true, false, 90, 1, 94, false},
		{"the fit starts after the last emptying", emptied, true, false, false, 66, 3, 78, true},
		{"a level falling is no forecast", rising(paris(2026, 1, 10, 10, 0), 9, 60, -1), true, false, false, 56, 0, 56, true},
		{"two samples make no fit", rising(paris(2026, 1, 10, 13, 30), 2, 60, 10), true, false, false, 65, 0, 65, true},
		{"samples older than the window conclude nothing", rising(paris(2026, 1, 9, 10, 0), 9, 66, 3), false, false, false, 0, 0, 0, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, ok := r.ContainerForecast(tc.samples, now)
			if ok != tc.ok || f.Full != tc.full || f.Forecast != tc.forecast || f.Level != tc.level ||
				fmt.Sprintf("%.6f %.6f", f.Rate, f.Predicted) != fmt.Sprintf("%.6f %.6f", tc.rate, tc.predicts) || ok && r.Cleared(f) != tc.cleared {
				t.Errorf("got ok %v, %+v, cleared %v", ok, f, r.Cleared(f))
			}
		})
	}
	f, _ := r.ContainerForecast(rising(paris(2026, 1, 10, 10, 0), 9, 66, 3), now)
	if got, want := ContainerMessage(r, f, "%"), "Conteneur plein avant la collecte de 18:00 : 78 % à 14:00, +3 %/h, plein vers 18:00"; got != want {
		t.Errorf("message %q, want %q", got, want)
	}
	f, _ = r.ContainerForecast(rising(paris(2026, 1, 10, 10, 0), 9, 86, 1), now)
	if got, want := ContainerMessage(r, f, "%"), "Conteneur plein : 90 % (seuil 90 %)"; got != want {
		t.Errorf("message %q, want %q", got, want)
	}
}

func TestNextRound(t *testing.T) {
	times := &Rule{Params: Params{Rounds: []string{"18:00", "06:00"}}}
	every := &Rule{Params: Params{RoundEvery: Duration(4 * time.Hour)}}
	for _, tc := range []struct {
		name      string
		r         *Rule
		now, want time.Time
	}{
		{"the next round time today", times, paris(2026, 1, 10, 14, 5), paris(2026, 1, 10, 18, 0)},
		{"a round at now is past: the next one", times, paris(2026, 1, 10, 18, 0), paris(2026, 1, 11, 6, 0)},
		{"after the last round of the day, tomorrow's first", times, paris(2026, 1, 10, 19, 0), paris(2026, 1, 11, 6, 0)},
		{"every 4 hours from local midnight", every, paris(2026, 1, 10, 13, 30), paris(2026, 1, 10, 16, 0)},
		{"every 4 hours, past the last of the day", every, paris(2026, 1, 10, 21, 0), paris(2026, 1, 11, 0, 0)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.r.NextRound(tc.now); !got.Equal(tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}
