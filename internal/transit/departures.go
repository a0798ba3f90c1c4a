package transit

import (
	"cmp"
	"slices"
	"strconv"
	"time"

	"github.com/socle/socle/internal/catalog"
)

// Realtime is a decoded GTFS-Realtime TripUpdates feed.
type Realtime struct {
	Timestamp time.Time // the header's
	Trips     []TripUpdate
}

// TripUpdate is what a feed predicts for one trip.
type TripUpdate struct {
	TripID    string
	StartDate string // YYYYMMDD, the service day; "" when not given
	Canceled  bool
	Delay     *int // the trip's delay in seconds, when given
	Stops     []StopUpdate
}

// StopUpdate is a prediction at one stop of a trip, matched to the
// schedule by Sequence when HasSequence, else by StopID. Time (Unix
// seconds, 0 for none) wins over Delay.
type StopUpdate struct {
	Sequence    int64
	HasSequence bool
	StopID      string
	Time        int64
	Delay       *int
	Skipped     bool // SKIPPED: no departure there
	NoData      bool // NO_DATA: the schedule applies again
}

// ScheduledStop is one stop of a trip in the static timetable.
type ScheduledStop struct {
	TripID, Route, Headsign, StopID, StopName string
	Sequence                                  int64
	Departure                                 int // seconds, see StopTime
	Timezone                                  string
	Point                                     *catalog.GeoPoint
}

// Departure is a predicted departure from a stop.
type Departure struct {
	StopID, StopName, Route, Headsign, TripID string
	Sequence                                  int64
	Scheduled, Predicted                      time.Time
	Delay                                     int // seconds, Predicted - Scheduled
	Point                                     *catalog.GeoPoint
}

// Key identifies a departure across pulls: the trip, its service day and
// the stop's place in it.
func (d Departure) Key(serviceDay string) string {
	return d.TripID + "|" + serviceDay + "|" + strconv.FormatInt(d.Sequence, 10)
}

// Window selects the departures a board shows.
type Window struct {
	Now     time.Time
	Horizon time.Duration // how far ahead
	PerStop int           // the next so many per stop
}

// Board is the departures kept, each with its service day.
type Board struct {
	Departures []Departure
	Days       []string // YYYYMMDD, aligned with Departures
}

// NextDepartures applies the updates to the schedule (stops by trip ID,
// each trip's stops in sequence order) and keeps, per stop, the next
// w.PerStop predicted departures between w.Now and w.Now + w.Horizon. As
// the GTFS-Realtime spec says, a delay carries on to the following stops
// until another update; a trip's last stop has no departure.
func NextDepartures(rt *Realtime, schedule map[string][]ScheduledStop, w Window) Board {
	type item struct {
		d   Departure
		day string
	}
	var all []item
	for _, tu := range rt.Trips {
		stops := schedule[tu.TripID]
		if tu.Canceled || len(stops) < 2 {
			continue
		}
		day, base, ok := serviceDay(tu.StartDate, stops, w.Now)
		if !ok {
			continue
		}
		for _, d := range predict(tu, stops, base) {
			if !d.Predicted.Before(w.Now) && !d.Predicted.After(w.Now.Add(w.Horizon)) {
				all = append(all, item{d, day})
			}
		}
	}
	slices.SortStableFunc(all, func(a, b item) int {
		return cmp.Or(cmp.Compare(a.d.StopID, b.d.StopID), a.d.Predicted.Compare(b.d.Predicted), cmp.Compare(a.d.TripID, b.d.TripID))
	})
	var b Board
	n := 0
	for i, it := range all {
		if i > 0 && all[i-1].d.StopID != it.d.StopID {
			n = 0
		}
		if n++; n <= w.PerStop {
			b.Departures = append(b.Departures, it.d)
			b.Days = append(b.Days, it.day)
		}
	}
	return b
}

// predict walks a trip's stops in order, carrying the delay forward.
func predict(tu TripUpdate, stops []ScheduledStop, base time.Time) []Departure {
	delay := 0
	if tu.Delay != nil {
		delay = *tu.Delay
	}
	var out []Departure
	for i, s := range stops {
		if s.Departure < 0 {
			continue
		}
		sched := base.Add(time.Duration(s.Departure) * time.Second)
		skipped := false
		if u, ok := findUpdate(tu.Stops, s); ok {
			switch {
			case u.NoData:
				delay = 0
			case u.Skipped:
				skipped = true
			case u.Time != 0:
				delay = int(u.Time - sched.Unix())
			case u.Delay != nil:
				delay = *u.Delay
			}
		}
		if skipped || i == len(stops)-1 {
			continue
		}
		out = append(out, Departure{StopID: s.StopID, StopName: s.StopName, Route: s.Route, Headsign: s.Headsign,
			TripID: s.TripID, Sequence: s.Sequence, Scheduled: sched, Predicted: sched.Add(time.Duration(delay) * time.Second),
			Delay: delay, Point: s.Point})
	}
	return out
}

func findUpdate(us []StopUpdate, s ScheduledStop) (StopUpdate, bool) {
	for _, u := range us {
		if (u.HasSequence && u.Sequence == s.Sequence) || (!u.HasSequence && u.StopID == s.StopID) {
			return u, true
		}
	}
	return StopUpdate{}, false
}

// serviceDay returns the trip's service day and the time its schedule
// counts from (noon minus 12 h, which the spec uses so that days when the
// clocks change still work). Without a start date, the day (yesterday or
// today) whose first departure is closest to now is taken.
func serviceDay(startDate string, stops []ScheduledStop, now time.Time) (string, time.Time, bool) {
	loc, err := time.LoadLocation(stops[0].Timezone)
	if err != nil {
		return "", time.Time{}, false
	}
	if startDate != "" {
		d, err := time.ParseInLocation("20060102", startDate, loc)
		if err != nil {
			return "", time.Time{}, false
		}
		return startDate, dayBase(d, loc), true
	}
	today := now.In(loc)
	best, bestDist := time.Time{}, time.Duration(1<<62)
	for _, back := range []int{-1, 0} {
		base := dayBase(today.AddDate(0, 0, back), loc)
		first := base.Add(time.Duration(max(stops[0].Departure, 0)) * time.Second)
		if dist := first.Sub(now).Abs(); dist < bestDist {
			best, bestDist = base, dist
		}
	}
	return best.Add(12 * time.Hour).Format("20060102"), best, true
}

func dayBase(d time.Time, loc *time.Location) time.Time {
	return time.Date(d.Year(), d.Month(), d.Day(), 12, 0, 0, 0, loc).Add(-12 * time.Hour)
}
