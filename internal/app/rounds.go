package app

import (
	"context"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/socle/socle/internal/alerts"
	"github.com/socle/socle/internal/auth"
	"github.com/socle/socle/internal/catalog"
	"github.com/socle/socle/internal/errs"
	"github.com/socle/socle/internal/maintenance"
	"github.com/socle/socle/internal/sensors"
)

// The waste round use case: for a date, the containers to empty (devices
// of domain waste whose filling level at the end of that day is at or
// above a threshold, or that have an active filling alert), in the order
// maintenance.PlanRound gives from the depot.

// FillProperty is the filling level of a waste container, in % (the
// Smart Data Models WasteContainer property).
const FillProperty = "fillingLevel"

// DefaultRoundThreshold is the filling level, in %, from which a container
// is emptied.
const DefaultRoundThreshold = 80

// DefaultDepot is the depot rounds start from unless told otherwise: the
// collection depot of the demo territory, north-east of Angers.
var DefaultDepot = catalog.GeoPoint{Lon: -0.5203, Lat: 47.4880}

// fillLookback is how far before the end of a past day the last filling
// level is looked for.
const fillLookback = 72 * time.Hour

// Stop reasons.
const (
	ReasonFill  = "fill"  // the level is at or above the threshold
	ReasonAlert = "alert" // an active filling alert (the level may be unknown)
)

// RoundOptions asks for a round.
type RoundOptions struct {
	Date      time.Time         // the day (UTC); its end is when levels are read
	Threshold float64           // %; 0 means DefaultRoundThreshold
	Depot     *catalog.GeoPoint // nil means DefaultDepot
}

// RoundStop is one container of a round.
type RoundStop struct {
	Order    int              `json:"order"` // from 1
	Device   string           `json:"device"`
	Name     string           `json:"name"`
	Location catalog.GeoPoint `json:"location"`
	Fill     *float64         `json:"fill_level,omitempty"` // %, when known
	Reason   string           `json:"reason"`
	AlertID  int64            `json:"alert_id,omitempty"`
	Distance float64          `json:"distance_m"` // driven from the depot to here, metres
}

// Round is a planned waste collection round.
type Round struct {
	Date      string           `json:"date"` // YYYY-MM-DD
	Depot     catalog.GeoPoint `json:"depot"`
	Threshold float64          `json:"threshold"`
	Stops     []RoundStop      `json:"stops"`
	Length    float64          `json:"length_m"` // the closed tour, depot to depot
}

// WasteRound plans the waste round of o.Date.
func (a *App) WasteRound(ctx context.Context, p auth.Principal, o RoundOptions) (*Round, error) {
	if !CanSeeDevices(p) {
		return nil, errs.E(errs.NotFound, "no such endpoint")
	}
	if o.Threshold == 0 {
		o.Threshold = DefaultRoundThreshold
	}
	if o.Threshold < 0 || o.Threshold > 100 || math.IsNaN(o.Threshold) {
		return nil, errs.E(errs.Invalid, "threshold must be a level between 0 and 100 %%")
	}
	depot := DefaultDepot
	if o.Depot != nil {
		depot = *o.Depot
	}
	day := time.Date(o.Date.Year(), o.Date.Month(), o.Date.Day(), 0, 0, 0, 0, time.UTC)
	stops, err := a.roundStops(ctx, day.AddDate(0, 0, 1), o.Threshold)
	if err != nil {
		return nil, err
	}
	if len(stops) > maintenance.MaxRoundStops {
		return nil, errs.E(errs.TooLarge, "%d containers to empty: a round plans at most %d", len(stops), maintenance.MaxRoundStops)
	}
	return planRound(day, depot, o.Threshold, stops), nil
}

// planRound orders stops (sorted by device ID, so that the plan is
// deterministic) and fills their distances.
func planRound(day time.Time, depot catalog.GeoPoint, threshold float64, stops []RoundStop) *Round {
	pts := make([]catalog.GeoPoint, len(stops))
	for i, s := range stops {
		pts[i] = s.Location
	}
	tour := maintenance.PlanRound(depot, pts)
	cum, total := maintenance.Legs(depot, pts, tour.Order)
	r := &Round{Date: day.Format(time.DateOnly), Depot: depot, Threshold: threshold, Stops: make([]RoundStop, len(stops)), Length: round1(total)}
	for i, j := range tour.Order {
		s := stops[j]
		s.Order, s.Distance = i+1, round1(cum[i])
		r.Stops[i] = s
	}
	return r
}

func round1(m float64) float64 { return math.Round(m*10) / 10 }

// roundStops returns the containers to empty, by device ID: located waste
// devices with a level ≥ threshold before end, or an active filling alert.
func (a *App) roundStops(ctx context.Context, end time.Time, threshold float64) ([]RoundStop, error) {
	devices, err := a.Store.Devices(ctx, "waste")
	if err != nil {
		return nil, err
	}
	levels, err := a.fillLevels(ctx, devices, end)
	if err != nil {
		return nil, err
	}
	alerted, err := a.fillAlerts(ctx)
	if err != nil {
		return nil, err
	}
	var out []RoundStop
	for _, d := range devices {
		if d.Location == nil || d.Status == sensors.StatusRetired {
			continue
		}
		s := RoundStop{Device: d.ID, Name: d.Name, Location: *d.Location}
		if v, ok := levels[d.ID]; ok {
			s.Fill = &v
		}
		switch {
		case s.Fill != nil && *s.Fill >= threshold:
			s.Reason = ReasonFill
		case alerted[d.ID] != 0:
			s.Reason, s.AlertID = ReasonAlert, alerted[d.ID]
		default:
			continue
		}
		if s.AlertID == 0 {
			s.AlertID = alerted[d.ID]
		}
		out = append(out, s)
	}
	slices.SortFunc(out, func(x, y RoundStop) int { return strings.Compare(x.Device, y.Device) })
	return out, nil
}

// fillLevels returns each device's last trusted filling level before end:
// the latest state when it is older than end, else the last observation
// within fillLookback before end.
func (a *App) fillLevels(ctx context.Context, devices []*sensors.Device, end time.Time) (map[string]float64, error) {
	ids := make([]string, len(devices))
	for i, d := range devices {
		ids[i] = d.ID
	}
	latest, err := a.Store.Latest(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := map[string]float64{}
	for _, l := range latest {
		if l.Property != FillProperty {
			continue
		}
		if l.Time.Before(end) {
			out[l.Device] = l.Value
			continue
		}
		if v, ok, err := a.fillBefore(ctx, l.Device, end); err != nil {
			return nil, err
		} else if ok {
			out[l.Device] = v
		}
	}
	return out, nil
}

// fillBefore returns the last trusted filling level of device before end.
func (a *App) fillBefore(ctx context.Context, device string, end time.Time) (float64, bool, error) {
	obs, err := a.Store.Observations(ctx, device, end.Add(-fillLookback), end, -1)
	if err != nil {
		return 0, false, err
	}
	for i := len(obs) - 1; i >= 0; i-- {
		if o := obs[i]; o.Property == FillProperty && o.Flag == sensors.FlagNone {
			return o.Value, true, nil
		}
	}
	return 0, false, nil
}

// fillAlerts maps each device with an active filling alert (its rule is on
// FillProperty, or forecasts a full container: alerts.KindContainerForecast)
// to that alert's ID.
func (a *App) fillAlerts(ctx context.Context) (map[string]int64, error) {
	rules, err := a.Store.Rules(ctx)
	if err != nil {
		return nil, err
	}
	filling := map[string]bool{}
	for _, r := range rules {
		filling[r.ID] = r.Property == FillProperty || r.Kind == alerts.KindContainerForecast
	}
	out := map[string]int64{}
	for _, status := range []string{alerts.StatusOpen, alerts.StatusAcknowledged} {
		list, err := a.Store.Alerts(ctx, alerts.Filter{Status: status, Limit: -1})
		if err != nil {
			return nil, err
		}
		for _, al := range list {
			if filling[al.RuleID] && out[al.Device] == 0 {
				out[al.Device] = al.ID
			}
		}
	}
	return out, nil
}
