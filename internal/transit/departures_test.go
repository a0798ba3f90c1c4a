package transit

import (
	"strings"
	"testing"
	"time"
)

func TestNextDepartures(t *testing.T) {
	paris, _ := time.LoadLocation("Europe/Paris")
	at := func(h, m int) time.Time { return time.Date(2026, 11, 27, h, m, 0, 0, paris) }
	stop := func(trip, id string, seq int64, h, m int) ScheduledStop {
		return ScheduledStop{TripID: trip, Route: "1", Headsign: "Odysseum", StopID: id, StopName: id, Sequence: seq, Departure: h*3600 + m*60, Timezone: "Europe/Paris"}
	}
	schedule := map[string][]ScheduledStop{
		"T1": {stop("T1", "A", 1, 8, 0), stop("T1", "B", 2, 8, 10), stop("T1", "C", 3, 8, 20), stop("T1", "D", 4, 8, 30)},
		"T2": {stop("T2", "A", 1, 8, 15), stop("T2", "B", 2, 8, 25), stop("T2", "D", 3, 8, 40)},
	}
	sec := func(n int) *int { return &n }
	type want struct {
		stop, trip string
		predicted  time.Time
		delay      int
	}
	for _, tc := range []struct {
		name  string
		now   time.Time
		trips []TripUpdate
		want  []want
	}{
		{"delay carried to the next stops", at(7, 50), []TripUpdate{{TripID: "T1", StartDate: "20261127", Stops: []StopUpdate{{HasSequence: true, Sequence: 2, Delay: sec(120)}}}},
			[]want{{"A", "T1", at(8, 0), 0}, {"B", "T1", at(8, 12), 120}, {"C", "T1", at(8, 22), 120}}},
		{"absolute time wins, matched by stop ID", at(7, 50), []TripUpdate{{TripID: "T1", StartDate: "20261127", Stops: []StopUpdate{{StopID: "B", Time: at(8, 15).Unix()}}}},
			[]want{{"A", "T1", at(8, 0), 0}, {"B", "T1", at(8, 15), 300}, {"C", "T1", at(8, 25), 300}}},
		{"trip delay, then back on time with no data", at(7, 50), []TripUpdate{{TripID: "T1", StartDate: "20261127", Delay: sec(60), Stops: []StopUpdate{{HasSequence: true, Sequence: 3, NoData: true}}}},
			[]want{{"A", "T1", at(8, 1), 60}, {"B", "T1", at(8, 11), 60}, {"C", "T1", at(8, 20), 0}}},
		{"past departures left out, early ones kept", at(8, 11), []TripUpdate{
			{TripID: "T1", StartDate: "20261127", Stops: []StopUpdate{{HasSequence: true, Sequence: 1, Delay: sec(-30)}}},
			{TripID: "T2", StartDate: "20261127", Stops: []StopUpdate{{HasSequence: true, Sequence: 1, Delay: sec(-60)}}}},
			[]want{{"A", "T2", at(8, 14), -60}, {"B", "T2", at(8, 24), -60}, {"C", "T1", time.Date(2026, 11, 27, 8, 19, 30, 0, paris), -30}}},
		{"skipped stop and canceled trip", at(7, 50), []TripUpdate{
			{TripID: "T1", StartDate: "20261127", Stops: []StopUpdate{{HasSequence: true, Sequence: 2, Skipped: true}}},
			{TripID: "T2", StartDate: "20261127", Canceled: true}},
			[]want{{"A", "T1", at(8, 0), 0}, {"C", "T1", at(8, 20), 0}}},
		{"beyond the horizon", at(5, 0), []TripUpdate{{TripID: "T1", StartDate: "20261127"}}, nil},
		{"unknown trip", at(7, 50), []TripUpdate{{TripID: "T9", StartDate: "20261127"}}, nil},
		{"service day from the clock", at(7, 50), []TripUpdate{{TripID: "T2"}},
			[]want{{"A", "T2", at(8, 15), 0}, {"B", "T2", at(8, 25), 0}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := NextDepartures(&Realtime{Trips: tc.trips}, schedule, Window{Now: tc.now, Horizon: 2 * time.Hour, PerStop: 5})
			if len(b.Departures) != len(tc.want) {
				t.Fatalf("%d departures, want %d: %+v", len(b.Departures), len(tc.want), b.Departures)
			}
			for i, w := range tc.want {
				d := b.Departures[i]
				if d.StopID != w.stop || d.TripID != w.trip || !d.Predicted.Equal(w.predicted) || d.Delay != w.delay {
					t.Errorf("departure %d: %s %s %s delay %d, want %s %s %s delay %d", i, d.StopID, d.TripID, d.Predicted.In(paris).Format(time.TimeOnly), d.Delay,
						w.stop, w.trip, w.predicted.Format(time.TimeOnly), w.delay)
				}
				if b.Days[i] != "20261127" {
					t.Errorf("service day %s", b.Days[i])
				}
			}
		})
	}
}

func TestNextDeparturesPerStop(t *testing.T) {
	sched := map[string][]ScheduledStop{}
	var trips []TripUpdate
	for i := range 8 {
		id := string(rune('a' + i))
		sched[id] = []ScheduledStop{{TripID: id, StopID: "A", Sequence: 1, Departure: 8*3600 + i*60, Timezone: "UTC"},
			{TripID: id, StopID: "B", Sequence: 2, Departure: 9 * 3600, Timezone: "UTC"}}
		trips = append(trips, TripUpdate{TripID: id, StartDate: "20261127"})
	}
	now := time.Date(2026, 11, 27, 7, 0, 0, 0, time.UTC)
	b := NextDepartures(&Realtime{Trips: trips}, sched, Window{Now: now, Horizon: 2 * time.Hour, PerStop: 3})
	if len(b.Departures) != 3 || b.Departures[0].TripID != "a" || b.Departures[2].TripID != "c" {
		t.Fatalf("%+v", b.Departures)
	}
}

func TestScheduledDepartures(t *testing.T) {
	paris, _ := time.LoadLocation("Europe/Paris")
	now := time.Date(2026, 11, 27, 7, 50, 0, 0, paris) // a Friday
	start, end := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 12, 31, 0, 0, 0, 0, time.UTC)
	row := func(trip, service, days string, dep int, last bool) ScheduledStop {
		s := ScheduledStop{TripID: trip, StopID: "A", Sequence: 1, Departure: dep, Timezone: "Europe/Paris", ServiceID: service, Days: days, Last: last}
		if days != "" {
			s.Start, s.End = start, end
		}
		return s
	}
	rows := []ScheduledStop{
		row("weekday", "SEM", "lun,mar,mer,jeu,ven", 8*3600, false),
		row("weekend", "WE", "sam,dim", 8*3600+60, false),
		row("terminus", "SEM", "lun,mar,mer,jeu,ven", 8*3600+120, true),
		row("in-feed", "SEM", "lun,mar,mer,jeu,ven", 8*3600+180, false),
		row("removed", "SEM2", "lun,mar,mer,jeu,ven", 8*3600+240, false),
		row("added", "EXTRA", "", 8*3600+300, false),
		row("late-night", "SEM", "lun,mar,mer,jeu,ven", 32*3600, false), // 08:00 tomorrow: too far
	}
	ex := Exceptions{"20261127": {"SEM2": false, "EXTRA": true}}
	days := ServiceDays(now, paris)
	if len(days) != 2 || days[0].Day != "20261126" || days[1].Day != "20261127" || days[1].Weekday != time.Friday {
		t.Fatalf("service days %+v", days)
	}
	var cands []Candidate
	for _, sd := range days {
		cands = append(cands, Scheduled(rows, sd, ex, map[string]bool{"in-feed": true})...)
	}
	b := Select(cands, Window{Now: now, Horizon: 2 * time.Hour, PerStop: 5})
	var got []string
	for i, d := range b.Departures {
		got = append(got, d.TripID+"@"+b.Days[i])
		if d.Delay != 0 || !d.Predicted.Equal(d.Scheduled) {
			t.Errorf("%s: a scheduled departure is on time", d.TripID)
		}
	}
	// Yesterday's "late-night" (32:00:00) leaves today at 08:00.
	want := "late-night@20261126 weekday@20261127 added@20261127" // ties by trip ID
	if strings.Join(got, " ") != want {
		t.Errorf("got %v, want %s", got, want)
	}
}
