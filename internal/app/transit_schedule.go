package app

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/socle/socle/internal/catalog"
	"github.com/socle/socle/internal/errs"
	"github.com/socle/socle/internal/odsql"
	"github.com/socle/socle/internal/records"
	"github.com/socle/socle/internal/transit"
)

// What a realtime pull reads of the static GTFS datasets: the timetable
// rows of the feed's trips, those leaving in the coming hours, and the
// service exceptions of the days concerned.

// scheduleChunk is how many trip IDs one timetable query names.
const scheduleChunk = 200

// maxScheduledRows bounds the timetable rows one pull reads for the
// departures of the coming hours.
const maxScheduledRows = 200_000

// scheduledDepartures reads the timetable rows leaving within the horizon
// on yesterday's and today's service days and keeps, on time, those of
// running services whose trips the feed does not name.
func (a *App) scheduledDepartures(ctx context.Context, f RealtimeFeed, rt *transit.Realtime, now time.Time) ([]transit.Candidate, error) {
	d, err := a.Store.Dataset(ctx, f.Prefix+transit.SuffixTimetable)
	if err != nil {
		return nil, err
	}
	loc, err := a.timetableZone(ctx, d)
	if err != nil || loc == nil {
		return nil, err
	}
	days := transit.ServiceDays(now, loc)
	ex, err := a.serviceExceptions(ctx, f.Prefix+transit.SuffixCalendar, days)
	if err != nil {
		return nil, err
	}
	named := map[string]bool{}
	for _, t := range rt.Trips {
		named[t.TripID] = true
	}
	var out []transit.Candidate
	for _, sd := range days {
		lo := int64(now.Sub(sd.Base) / time.Second)
		hi := lo + int64(f.Horizon/time.Second)
		w, err := odsql.ParseWhere(fmt.Sprintf("departure_seconds >= %d and departure_seconds <= %d and last_stop = false", max(lo, 0), max(hi, 0)))
		if err != nil {
			return nil, err
		}
		rows, err := a.Store.Query(ctx, d, &odsql.Query{Where: []odsql.Expr{w}, Limit: maxScheduledRows})
		if err != nil {
			return nil, err
		}
		byTrip := map[string][]transit.ScheduledStop{}
		err = scanSchedule(rows, byTrip)
		rows.Close()
		if err != nil {
			return nil, err
		}
		for _, stops := range byTrip {
			out = append(out, transit.Scheduled(stops, sd, ex, named)...)
		}
	}
	return out, nil
}

// timetableZone is the agency's time zone the timetable's times are in;
// nil for an empty timetable.
func (a *App) timetableZone(ctx context.Context, d *catalog.Dataset) (*time.Location, error) {
	sel, _ := odsql.ParseSelect("timezone")
	rows, err := a.Store.Query(ctx, d, &odsql.Query{Select: sel, Limit: 1})
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	r, err := rows.Next()
	if err == io.EOF {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	tz, _ := r[0].(string)
	loc, err := time.LoadLocation(tz)
	if err != nil {
		return nil, errs.Wrap(errs.Invalid, err, "the timetable's time zone %q is unknown", tz)
	}
	return loc, nil
}

// serviceExceptions reads the calendar_dates rows of the given days; none
// when the feed was imported without them.
func (a *App) serviceExceptions(ctx context.Context, id string, days []transit.ServiceDay) (transit.Exceptions, error) {
	ex := transit.Exceptions{}
	d, err := a.Store.Dataset(ctx, id)
	if errs.Is(err, errs.NotFound) {
		return ex, nil
	} else if err != nil {
		return nil, err
	}
	var dates []string
	for _, sd := range days {
		dates = append(dates, "date'"+sd.Day[:4]+"-"+sd.Day[4:6]+"-"+sd.Day[6:]+"'")
	}
	w, err := odsql.ParseWhere("date in (" + strings.Join(dates, ", ") + ")")
	if err != nil {
		return nil, err
	}
	rows, err := a.Store.Query(ctx, d, &odsql.Query{Where: []odsql.Expr{w}, Limit: -1})
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for {
		r, err := rows.Next()
		if err == io.EOF {
			return ex, nil
		} else if err != nil {
			return nil, err
		}
		service, _ := r[0].(string)
		date, _ := r[1].(time.Time)
		typ, _ := r[2].(int64)
		day := date.Format("20060102")
		if ex[day] == nil {
			ex[day] = map[string]bool{}
		}
		ex[day][service] = typ == 1
	}
}

// tripSchedules reads the timetable rows of the feed's trips.
func (a *App) tripSchedules(ctx context.Context, timetable string, rt *transit.Realtime) (map[string][]transit.ScheduledStop, error) {
	d, err := a.Store.Dataset(ctx, timetable)
	if err != nil {
		return nil, fmt.Errorf("the feed's timetable %s: %w", timetable, err)
	}
	out := map[string][]transit.ScheduledStop{}
	for start := 0; start < len(rt.Trips); start += scheduleChunk {
		var ids []string
		for _, t := range rt.Trips[start:min(start+scheduleChunk, len(rt.Trips))] {
			ids = append(ids, odsqlString(t.TripID))
		}
		w, err := odsql.ParseWhere("trip_id in (" + strings.Join(ids, ", ") + ")")
		if err != nil {
			return nil, err
		}
		ob, _ := odsql.ParseOrderBy("trip_id, stop_sequence")
		rows, err := a.Store.Query(ctx, d, &odsql.Query{Where: []odsql.Expr{w}, OrderBy: ob, Limit: -1})
		if err != nil {
			return nil, err
		}
		err = scanSchedule(rows, out)
		rows.Close()
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

func odsqlString(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}

func scanSchedule(rows records.Rows, out map[string][]transit.ScheduledStop) error {
	col := map[string]int{}
	for i, c := range rows.Columns() {
		col[c.Name] = i
	}
	str := func(r catalog.Row, name string) string { s, _ := r[col[name]].(string); return s }
	for {
		r, err := rows.Next()
		if err == io.EOF {
			return nil
		} else if err != nil {
			return err
		}
		s := transit.ScheduledStop{TripID: str(r, "trip_id"), Route: str(r, "route_short_name"), Headsign: str(r, "trip_headsign"),
			StopID: str(r, "stop_id"), StopName: str(r, "stop_name"), Timezone: str(r, "timezone"), Departure: -1}
		if s.Route == "" {
			s.Route = str(r, "route_id")
		}
		s.Sequence, _ = r[col["stop_sequence"]].(int64)
		if dep, ok := r[col["departure_seconds"]].(int64); ok {
			s.Departure = int(dep)
		}
		if p, ok := r[col["geo_point_2d"]].(catalog.GeoPoint); ok {
			s.Point = &p
		}
		s.ServiceID, s.Days = str(r, "service_id"), str(r, "service_days")
		s.Start, _ = r[col["start_date"]].(time.Time)
		s.End, _ = r[col["end_date"]].(time.Time)
		s.Last, _ = r[col["last_stop"]].(bool)
		out[s.TripID] = append(out[s.TripID], s)
	}
}
