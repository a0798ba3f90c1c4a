package alerts

import (
	"cmp"
	"regexp"
	"time"
	_ "time/tzdata" // Europe/Paris on hosts without a zone database

	"github.com/socle/socle/internal/errs"
)

// The advanced rule kinds: a battery running low (evaluated on ingestion,
// like a threshold), a water leak and a waste container filling up
// (evaluated on a schedule, from aggregates and recent samples).
const (
	KindBattery           = "battery"            // a battery property below a threshold, with hysteresis
	KindLeak              = "leak"               // night flow above its baseline for nights in a row, or demand far from its forecast
	KindContainerForecast = "container_forecast" // a container full, or forecast full before the next round
)

// Local is the time zone of nights and round times: metropolitan France.
var Local = mustZone("Europe/Paris")

func mustZone(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err) // time/tzdata embeds it
	}
	return loc
}

// Params are the parameters of the advanced kinds, part of Rule (their
// JSON fields sit beside the others). Zero values take the defaults
// Validate fills in.
type Params struct {
	// Leak: a night's minimum flow (the lowest hourly mean between
	// NightFrom and NightTo, local time) is high when it exceeds both
	// Factor × the baseline and the baseline + Margin; the baseline is the
	// median of the BaselineNights nights before the Nights last ones, and
	// a leak is Nights high nights in a row.
	Nights         int     `json:"nights,omitempty"`          // default 3
	BaselineNights int     `json:"baseline_nights,omitempty"` // default 7
	Factor         float64 `json:"factor,omitempty"`          // default 1.5
	Margin         float64 `json:"margin,omitempty"`          // in the property's unit; default 0
	NightFrom      int     `json:"night_from,omitempty"`      // local hour, default 2
	NightTo        int     `json:"night_to,omitempty"`        // local hour, default 5
	// Leak, forecast: the last complete hour's mean is compared with the
	// mean of the same hour of the week over the Weeks previous weeks (at
	// least 2 of them with data): beyond Sigma standard deviations (and
	// Margin) is abnormal demand.
	Weeks int     `json:"weeks,omitempty"` // default 4
	Sigma float64 `json:"sigma,omitempty"` // default 3

	// Container: collection rounds at fixed local times ("06:00") or every
	// RoundEvery from local midnight; the fill rate is fitted over the
	// samples of the last Window since the container was last emptied.
	Rounds     []string `json:"rounds,omitempty"`
	RoundEvery Duration `json:"round_every,omitempty"`
	Window     Duration `json:"window,omitempty"` // default 12h
}

var roundTime = regexp.MustCompile(`^([01][0-9]|2[0-3]):[0-5][0-9]$`)

// validateAdvanced checks and completes the rules of the advanced kinds.
func (r *Rule) validateAdvanced() error {
	switch r.Kind {
	case KindBattery:
		return r.validateBattery()
	case KindLeak:
		return r.validateLeak()
	}
	return r.validateContainer()
}

func (r *Rule) validateBattery() error {
	r.Property = cmp.Or(r.Property, "battery")
	if r.Op != "" && r.Op != "<" {
		return errs.E(errs.Invalid, "rule %s: a battery rule alerts below its threshold (op \"<\")", r.ID)
	}
	r.Op = "<"
	if r.Threshold <= 0 || r.Hysteresis < 0 || r.For < 0 {
		return errs.E(errs.Invalid, "rule %s: a battery rule needs a threshold > 0; hysteresis and for may not be negative", r.ID)
	}
	return nil
}

func (r *Rule) validateLeak() error {
	r.Property = cmp.Or(r.Property, "flow")
	p := &r.Params
	p.Nights, p.BaselineNights, p.Weeks = cmp.Or(p.Nights, 3), cmp.Or(p.BaselineNights, 7), cmp.Or(p.Weeks, 4)
	p.Factor, p.Sigma = cmp.Or(p.Factor, 1.5), cmp.Or(p.Sigma, 3)
	if p.NightFrom == 0 && p.NightTo == 0 {
		p.NightFrom, p.NightTo = 2, 5
	}
	switch {
	case p.Nights < 1 || p.Nights > 30 || p.BaselineNights < 2 || p.BaselineNights > 60:
		return errs.E(errs.Invalid, "rule %s: nights must be 1 to 30, baseline_nights 2 to 60", r.ID)
	case p.Factor < 1 || p.Margin < 0 || p.Sigma <= 0 || p.Weeks < 2 || p.Weeks > 12:
		return errs.E(errs.Invalid, "rule %s: factor must be ≥ 1, margin ≥ 0, sigma > 0, weeks 2 to 12", r.ID)
	case p.NightFrom < 0 || p.NightTo > 12 || p.NightFrom >= p.NightTo:
		return errs.E(errs.Invalid, "rule %s: the night runs from night_from to night_to, local hours between 0 and 12", r.ID)
	}
	return nil
}

func (r *Rule) validateContainer() error {
	r.Property = cmp.Or(r.Property, "fillingLevel")
	r.Threshold = cmp.Or(r.Threshold, 90)
	p := &r.Params
	p.Window = cmp.Or(p.Window, Duration(12*time.Hour))
	switch {
	case r.Threshold <= 0 || r.Hysteresis < 0 || r.Hysteresis >= r.Threshold:
		return errs.E(errs.Invalid, "rule %s: the full level must be > 0 and the hysteresis between 0 and it", r.ID)
	case (len(p.Rounds) == 0) == (p.RoundEvery == 0):
		return errs.E(errs.Invalid, "rule %s: give either rounds (local times such as \"06:00\") or round_every", r.ID)
	case p.RoundEvery != 0 && (p.RoundEvery < Duration(time.Hour) || p.RoundEvery > Duration(7*24*time.Hour)):
		return errs.E(errs.Invalid, "rule %s: round_every must be between 1h and 7 days", r.ID)
	case p.Window < Duration(time.Hour) || p.Window > Duration(7*24*time.Hour) || len(p.Rounds) > 48:
		return errs.E(errs.Invalid, "rule %s: window must be between 1h and 7 days, at most 48 rounds", r.ID)
	}
	for _, s := range p.Rounds {
		if !roundTime.MatchString(s) {
			return errs.E(errs.Invalid, "rule %s: round time %q: use HH:MM, e.g. 06:00", r.ID, s)
		}
	}
	return nil
}
