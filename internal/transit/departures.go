package transit

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
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
	// The service, for trips the realtime feed does not name: its days
	// (as the timetable writes them, "lun,mar,…") and dates, and whether
	// this stop is the trip's terminus.
	ServiceID  string
	Days       string
	Start, End time.Time // zero when the service has no calendar.txt row
	Last       bool
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

// Candidate is a departure on its service day (YYYYMMDD), before Select.
type Candidate struct {
	Departure
	Day string
}

// NextDepartures is Select over Predict: the trips the feed names only.
func NextDepartures(rt *Realtime, schedule map[string][]ScheduledStop, w Window) Board {
	return Select(Predict(rt, schedule, w.Now), w)
}

// Predict applies the updates to the schedule (stops by trip ID, each
// trip's stops in sequence order). As the GTFS-Realtime spec says, a delay
// carries on to the following stops until another update; a trip's last
// stop has no departure.
func Predict(rt *Realtime, schedule map[string][]ScheduledStop, now time.Time) []Candidate {
	var all []Candidate
	for _, tu := range rt.Trips {
		stops := schedule[tu.TripID]
		if tu.Canceled || len(stops) < 2 {
			continue
		}
		day, base, ok := serviceDay(tu.StartDate, stops, now)
		if !ok {
			continue
		}
		for _, d := range predict(tu, stops, base) {
			all = append(all, Candidate{d, day})
		}
	}
	return all
}

// Select keeps, per stop, the next w.PerStop departures predicted between
// w.Now and w.Now + w.Horizon.
func Select(cands []Candidate, w Window) Board {
	var all []Candidate
	for _, c := range cands {
		if !c.Predicted.Before(w.Now) && !c.Predicted.After(w.Now.Add(w.Horizon)) {
			all = append(all, c)
		}
	}
	slices.SortStableFunc(all, func(a, b Candidate) int {
		return cmp.Or(cmp.Compare(a.StopID, b.StopID), a.Predicted.Compare(b.Predicted), cmp.Compare(a.TripID, b.TripID))
	})
	var b Board
	n := 0
	for i, c := range all {
		if i > 0 && all[i-1].StopID != c.StopID {
			n = 0
		}
		if n++; n <= w.PerStop {
			b.Departures = append(b.Departures, c.Departure)
			b.Days = append(b.Days, c.Day)
		}
	}
	return b
}

// Exceptions are the calendar_dates.txt rows of some days: day (YYYYMMDD)
// → service ID → added (true) or removed (false).
type Exceptions map[string]map[string]bool

// Runs reports whether the service of s runs on day (YYYYMMDD, a weekday).
func (ex Exceptions) Runs(s ScheduledStop, day string, weekday time.Weekday) bool {
	if added, ok := ex[day][s.ServiceID]; ok {
		return added
	}
	if s.Start.IsZero() || day < s.Start.Format("20060102") || day > s.End.Format("20060102") {
		return false
	}
	return slices.Contains(strings.Split(s.Days, ","), dayNames[(int(weekday)+6)%7])
}

// ServiceDay is a day of service in a network's time zone.
type ServiceDay struct {
	Day     string    // YYYYMMDD
	Base    time.Time // noon minus 12 h, from which GTFS times count
	Weekday time.Weekday
}

// ServiceDays are the service days whose trips may leave between now and
// now + horizon: yesterday's (times past 24:00:00) and today's.
func ServiceDays(now time.Time, loc *time.Location) []ServiceDay {
	var out []ServiceDay
	for _, back := range []int{-1, 0} {
		d := now.In(loc).AddDate(0, 0, back)
		out = append(out, ServiceDay{Day: d.Format("20060102"), Base: dayBase(d, loc), Weekday: d.Weekday()})
	}
	return out
}

// Scheduled turns timetable rows of service day sd into departures on time:
// those of trips the feed does not name (skip), whose service runs that
// day, not at their terminus.
func Scheduled(rows []ScheduledStop, sd ServiceDay, ex Exceptions, skip map[string]bool) []Candidate {
	var out []Candidate
	for _, s := range rows {
		if s.Last || s.Departure < 0 || skip[s.TripID] || !ex.Runs(s, sd.Day, sd.Weekday) {
			continue
		}
		t := sd.Base.Add(time.Duration(s.Departure) * time.Second)
		out = append(out, Candidate{Departure{StopID: s.StopID, StopName: s.StopName, Route: s.Route, Headsign: s.Headsign,
			TripID: s.TripID, Sequence: s.Sequence, Scheduled: t, Predicted: t, Point: s.Point}, sd.Day})
	}
	return out
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
