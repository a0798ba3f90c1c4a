package transit

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/socle/socle/internal/catalog"
	"github.com/socle/socle/internal/errs"
)

// Required are the files every feed must have (calendar.txt and
// calendar_dates.txt are optional here: without them no service days are
// known, and only the trips a realtime feed names have departures).
var Required = []string{"agency.txt", "stops.txt", "routes.txt", "trips.txt", "stop_times.txt"}

// MaxTableRows bounds the rows of the small tables held in memory (all but
// stop_times.txt, which is streamed).
const MaxTableRows = 1_000_000

// Stop is a row of stops.txt.
type Stop struct {
	ID, Code, Name, Desc, Parent string
	LocationType                 int64
	Point                        *catalog.GeoPoint // nil when the stop has no position
}

// Route is a row of routes.txt.
type Route struct {
	ID, Agency, ShortName, LongName, Color, TextColor string
	Type                                              int64
}

// Trip is a row of trips.txt.
type Trip struct {
	ID, RouteID, ServiceID, Headsign string
	Direction                        *int64
}

// Service is a row of calendar.txt: the days of the week it runs on,
// between two dates.
type Service struct {
	ID         string
	Days       [7]bool // Monday first
	Start, End time.Time
}

// Exception is a row of calendar_dates.txt: a service added (or removed)
// on one date.
type Exception struct {
	ServiceID string
	Date      time.Time
	Added     bool
}

// Feed is a parsed GTFS feed. Stop times stay in the archive: they are
// checked once by Parse and streamed again by TimetableRows.
type Feed struct {
	Timezone   string
	Stops      []Stop
	Routes     []Route
	Trips      []Trip
	StopTimes  int64 // rows of stop_times.txt
	Exceptions []Exception

	arch     *Archive
	lastSeq  map[string]int64 // each trip's last stop_sequence
	stops    map[string]int
	routes   map[string]int
	trips    map[string]int
	services map[string]*Service
}

// Parse reads and checks the whole feed: required files and columns,
// references between files, values. Any error names the file and the line.
func Parse(a *Archive) (*Feed, error) {
	for _, name := range Required {
		if !a.Has(name) {
			return nil, errs.E(errs.Invalid, "the feed has no %s (required)", name)
		}
	}
	f := &Feed{arch: a, stops: map[string]int{}, lastSeq: map[string]int64{}, routes: map[string]int{}, trips: map[string]int{}, services: map[string]*Service{}}
	steps := []struct {
		file string
		cols []string
		row  func(*Table) error
	}{
		{"agency.txt", []string{"agency_timezone"}, f.agencyRow},
		{"stops.txt", []string{"stop_id"}, f.stopRow},
		{"routes.txt", []string{"route_id"}, f.routeRow},
		{"calendar.txt", []string{"service_id", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "start_date", "end_date"}, f.serviceRow},
		{"calendar_dates.txt", []string{"service_id", "date", "exception_type"}, f.exceptionRow},
		{"trips.txt", []string{"route_id", "service_id", "trip_id"}, f.tripRow},
	}
	for _, s := range steps {
		if (s.file == "calendar.txt" || s.file == "calendar_dates.txt") && !a.Has(s.file) {
			continue
		}
		if err := eachRow(a, s.file, s.cols, MaxTableRows, s.row); err != nil {
			return nil, err
		}
	}
	if f.Timezone == "" {
		return nil, errs.E(errs.Invalid, "agency.txt has no agency")
	}
	err := f.eachStopTime(func(st StopTime) error {
		f.StopTimes++
		if last, ok := f.lastSeq[st.TripID]; !ok || st.Sequence > last {
			f.lastSeq[st.TripID] = st.Sequence
		}
		return nil
	})
	return f, err
}

// eachRow calls row for every record of file, at most max of them.
func eachRow(a *Archive, file string, cols []string, max int64, row func(*Table) error) error {
	t, err := a.Table(file)
	if err != nil {
		return err
	}
	defer t.Close()
	if err := t.Require(cols...); err != nil {
		return err
	}
	var n int64
	for {
		if err := t.Next(); err == io.EOF {
			return nil
		} else if err != nil {
			return err
		}
		if n++; n > max {
			return t.Errorf("more than %d rows", max)
		}
		if err := row(t); err != nil {
			return err
		}
	}
}

func (f *Feed) agencyRow(t *Table) error {
	tz := t.Get("agency_timezone")
	if _, err := time.LoadLocation(tz); err != nil || tz == "" || tz == "Local" {
		return t.Errorf("unknown agency_timezone %q", short(tz))
	}
	if f.Timezone == "" {
		f.Timezone = tz // the spec requires every agency to share it
	}
	return nil
}

func (f *Feed) stopRow(t *Table) error {
	s := Stop{ID: t.Get("stop_id"), Code: t.Get("stop_code"), Name: t.Get("stop_name"), Desc: t.Get("stop_desc"), Parent: t.Get("parent_station")}
	if s.ID == "" {
		return t.Errorf("empty stop_id")
	}
	if _, dup := f.stops[s.ID]; dup {
		return t.Errorf("stop_id %q appears twice", short(s.ID))
	}
	var err error
	if s.LocationType, err = optInt(t, "location_type"); err != nil {
		return err
	}
	lat, lon := t.Get("stop_lat"), t.Get("stop_lon")
	if lat != "" || lon != "" {
		la, err1 := strconv.ParseFloat(lat, 64)
		lo, err2 := strconv.ParseFloat(lon, 64)
		if err1 != nil || err2 != nil || la < -90 || la > 90 || lo < -180 || lo > 180 {
			return t.Errorf("stop_lat/stop_lon %q, %q is not a WGS84 position", short(lat), short(lon))
		}
		s.Point = &catalog.GeoPoint{Lat: la, Lon: lo}
	}
	f.stops[s.ID] = len(f.Stops)
	f.Stops = append(f.Stops, s)
	return nil
}

func (f *Feed) routeRow(t *Table) error {
	r := Route{ID: t.Get("route_id"), Agency: t.Get("agency_id"), ShortName: t.Get("route_short_name"),
		LongName: t.Get("route_long_name"), Color: t.Get("route_color"), TextColor: t.Get("route_text_color")}
	if r.ID == "" {
		return t.Errorf("empty route_id")
	}
	if _, dup := f.routes[r.ID]; dup {
		return t.Errorf("route_id %q appears twice", short(r.ID))
	}
	var err error
	if r.Type, err = optInt(t, "route_type"); err != nil {
		return err
	}
	f.routes[r.ID] = len(f.Routes)
	f.Routes = append(f.Routes, r)
	return nil
}

func (f *Feed) serviceRow(t *Table) error {
	s := &Service{ID: t.Get("service_id")}
	for i, d := range []string{"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"} {
		switch t.Get(d) {
		case "1":
			s.Days[i] = true
		case "0":
		default:
			return t.Errorf("%s must be 0 or 1", d)
		}
	}
	var err error
	if s.Start, err = parseDate(t, "start_date"); err != nil {
		return err
	}
	if s.End, err = parseDate(t, "end_date"); err != nil {
		return err
	}
	f.services[s.ID] = s
	return nil
}

func (f *Feed) exceptionRow(t *Table) error {
	e := Exception{ServiceID: t.Get("service_id")}
	var err error
	if e.Date, err = parseDate(t, "date"); err != nil {
		return err
	}
	switch t.Get("exception_type") {
	case "1":
		e.Added = true
	case "2":
	default:
		return t.Errorf("exception_type must be 1 or 2")
	}
	f.Exceptions = append(f.Exceptions, e)
	return nil
}

func (f *Feed) tripRow(t *Table) error {
	tr := Trip{ID: t.Get("trip_id"), RouteID: t.Get("route_id"), ServiceID: t.Get("service_id"), Headsign: t.Get("trip_headsign")}
	if tr.ID == "" {
		return t.Errorf("empty trip_id")
	}
	if _, dup := f.trips[tr.ID]; dup {
		return t.Errorf("trip_id %q appears twice", short(tr.ID))
	}
	if _, ok := f.routes[tr.RouteID]; !ok {
		return t.Errorf("route_id %q is not in routes.txt", short(tr.RouteID))
	}
	if d := t.Get("direction_id"); d != "" {
		v, err := optInt(t, "direction_id")
		if err != nil {
			return err
		}
		tr.Direction = &v
	}
	f.trips[tr.ID] = len(f.Trips)
	f.Trips = append(f.Trips, tr)
	return nil
}

// StopTime is a row of stop_times.txt; times are seconds after the
// service day's noon minus 12 h (they may pass 24:00:00), -1 when empty.
type StopTime struct {
	TripID, StopID       string
	Sequence             int64
	Arrival, Departure   int
	ArrivalText, DepText string
}

func (f *Feed) eachStopTime(fn func(StopTime) error) error {
	return eachRow(f.arch, "stop_times.txt", []string{"trip_id", "stop_id", "stop_sequence"}, 1<<40, func(t *Table) error {
		st := StopTime{TripID: t.Get("trip_id"), StopID: t.Get("stop_id"), ArrivalText: t.Get("arrival_time"), DepText: t.Get("departure_time")}
		if _, ok := f.trips[st.TripID]; !ok {
			return t.Errorf("trip_id %q is not in trips.txt", short(st.TripID))
		}
		if _, ok := f.stops[st.StopID]; !ok {
			return t.Errorf("stop_id %q is not in stops.txt", short(st.StopID))
		}
		seq, err := strconv.ParseInt(t.Get("stop_sequence"), 10, 64)
		if err != nil || seq < 0 {
			return t.Errorf("stop_sequence %q is not a non-negative integer", short(t.Get("stop_sequence")))
		}
		st.Sequence = seq
		if st.Arrival, err = ParseTime(st.ArrivalText); err != nil {
			return t.Errorf("arrival_time: %s", errs.Message(err))
		}
		if st.Departure, err = ParseTime(st.DepText); err != nil {
			return t.Errorf("departure_time: %s", errs.Message(err))
		}
		if st.Departure < 0 {
			st.Departure, st.DepText = st.Arrival, st.ArrivalText
		}
		return fn(st)
	})
}

// ParseTime reads a GTFS time, H:MM:SS or HH:MM:SS (hours may pass 24),
// as seconds; "" is -1.
func ParseTime(s string) (int, error) {
	if s == "" {
		return -1, nil
	}
	parts := strings.Split(s, ":")
	if len(parts) != 3 || len(parts[1]) != 2 || len(parts[2]) != 2 || len(parts[0]) < 1 || len(parts[0]) > 3 {
		return 0, errs.E(errs.Invalid, "%q is not a time HH:MM:SS", short(s))
	}
	var v [3]int
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 || (i > 0 && n > 59) {
			return 0, errs.E(errs.Invalid, "%q is not a time HH:MM:SS", short(s))
		}
		v[i] = n
	}
	return v[0]*3600 + v[1]*60 + v[2], nil
}

// FormatTime writes seconds as HH:MM:SS.
func FormatTime(s int) string {
	return fmt.Sprintf("%02d:%02d:%02d", s/3600, s/60%60, s%60)
}

func optInt(t *Table, col string) (int64, error) {
	s := t.Get(col)
	if s == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, t.Errorf("%s %q is not an integer", col, short(s))
	}
	return n, nil
}

func parseDate(t *Table, col string) (time.Time, error) {
	d, err := time.Parse("20060102", t.Get(col))
	if err != nil {
		return time.Time{}, t.Errorf("%s %q is not a date YYYYMMDD", col, short(t.Get(col)))
	}
	return d, nil
}

// short keeps values quoted in messages short.
func short(s string) string {
	s = strings.ToValidUTF8(s, "?")
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}
