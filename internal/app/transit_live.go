package app

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/socle/socle/internal/catalog"
	"github.com/socle/socle/internal/errs"
	"github.com/socle/socle/internal/live"
	"github.com/socle/socle/internal/odsql"
	"github.com/socle/socle/internal/transit"
)

// GTFS-Realtime next departures: a job pulls a TripUpdates feed, applies
// it to the timetable an import published under the same prefix, and
// writes the next departures per stop in place into the live dataset
// <prefix>-prochains-passages (upserted by departure, those gone deleted),
// whose event stream tells readers. A stale or unreadable feed changes
// nothing: the dataset keeps its last good state, dated by feed_timestamp.

// RealtimeFeed is one GTFS-Realtime feed pulled on a schedule.
type RealtimeFeed struct {
	Prefix  string        // of the static GTFS import it refers to
	Every   time.Duration // pull interval
	MaxAge  time.Duration // a feed whose header is older is stale
	Horizon time.Duration // how far ahead departures are shown
	PerStop int           // departures kept per stop
	// Fetch gets and decodes the feed (package gtfsrt).
	Fetch func(ctx context.Context) (*transit.Realtime, error)
}

// Realtime defaults.
const (
	DefaultRealtimeEvery   = 30 * time.Second
	DefaultRealtimeMaxAge  = 5 * time.Minute
	DefaultRealtimeHorizon = 2 * time.Hour
	DefaultRealtimePerStop = 5
)

// DepartureFields are the live dataset's fields.
var DepartureFields = []catalog.Field{
	{Name: "departure_id", Label: "Identifiant du passage", Type: catalog.TypeText},
	{Name: "stop_id", Label: "Identifiant de l'arrêt", Type: catalog.TypeText},
	{Name: "stop_name", Label: "Arrêt", Type: catalog.TypeText},
	{Name: "route", Label: "Ligne", Type: catalog.TypeText},
	{Name: "headsign", Label: "Destination", Type: catalog.TypeText},
	{Name: "trip_id", Label: "Course", Type: catalog.TypeText},
	{Name: "scheduled", Label: "Départ théorique", Type: catalog.TypeDateTime},
	{Name: "predicted", Label: "Départ prévu", Type: catalog.TypeDateTime},
	{Name: "delay", Label: "Retard (s)", Type: catalog.TypeInt, Unit: "s"},
	{Name: "feed_timestamp", Label: "Date du flux temps réel", Type: catalog.TypeDateTime},
	{Name: "geo_point_2d", Label: "Position de l'arrêt", Type: catalog.TypeGeoPoint},
}

// StartRealtime pulls each feed on its schedule until the returned stop.
func (a *App) StartRealtime(feeds []RealtimeFeed) (stop func()) {
	var jobs []*Job
	for _, f := range feeds {
		f = f.withDefaults()
		j := newJob(f.Every, true, func(ctx context.Context) {
			if err := a.PullRealtime(ctx, f); err != nil {
				a.Logger.Warn("GTFS-Realtime feed not applied", "prefix", f.Prefix, "err", err)
			}
		})
		j.Start()
		jobs = append(jobs, j)
	}
	return func() {
		for _, j := range jobs {
			j.Stop()
		}
	}
}

func (f RealtimeFeed) withDefaults() RealtimeFeed {
	f.Every = cmpOr(f.Every, DefaultRealtimeEvery)
	f.MaxAge = cmpOr(f.MaxAge, DefaultRealtimeMaxAge)
	f.Horizon = cmpOr(f.Horizon, DefaultRealtimeHorizon)
	if f.PerStop <= 0 {
		f.PerStop = DefaultRealtimePerStop
	}
	return f
}

func cmpOr(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}

// PullRealtime fetches the feed once and, unless it is stale, writes the
// next departures: those the feed predicts, and the scheduled ones of the
// trips it does not name. errs.Invalid for a stale feed.
func (a *App) PullRealtime(ctx context.Context, f RealtimeFeed) error {
	f = f.withDefaults()
	rt, err := f.Fetch(ctx)
	if err != nil {
		return err
	}
	now := a.Now()
	if age := now.Sub(rt.Timestamp); age > f.MaxAge {
		return errs.E(errs.Invalid, "the feed is stale: its header is %s old (at most %s)", age.Round(time.Second), f.MaxAge)
	}
	if ahead := rt.Timestamp.Sub(now); ahead > f.MaxAge {
		// A clock that far ahead would keep the feed "fresh" for hours.
		return errs.E(errs.Invalid, "the feed's header is %s in the future", ahead.Round(time.Second))
	}
	schedule, err := a.tripSchedules(ctx, f.Prefix+transit.SuffixTimetable, rt)
	if err != nil {
		return err
	}
	cands := transit.Predict(rt, schedule, now)
	sched, err := a.scheduledDepartures(ctx, f, rt, now)
	if err != nil {
		return err
	}
	board := transit.Select(append(cands, sched...), transit.Window{Now: now, Horizon: f.Horizon, PerStop: f.PerStop})
	id := f.Prefix + transit.SuffixDepartures
	if err := a.ensureDepartures(ctx, f.Prefix); err != nil {
		return err
	}
	return a.writeDepartures(ctx, id, rt.Timestamp, board)
}

// ensureDepartures creates the live dataset of a prefix, or gives it the
// departures' fields, keyed by departure_id and marked real-time.
func (a *App) ensureDepartures(ctx context.Context, prefix string) error {
	id := prefix + transit.SuffixDepartures
	d, err := a.Store.Dataset(ctx, id)
	if errs.Is(err, errs.NotFound) {
		stops, serr := a.Store.Dataset(ctx, prefix+transit.SuffixStops)
		if serr != nil {
			return fmt.Errorf("the feed's stops: %w", serr)
		}
		d = &catalog.Dataset{ID: id, Access: stops.Access, Meta: catalog.Metadata{Title: "Prochains passages (" + prefix + ")",
			Publisher: stops.Meta.Publisher, Themes: []string{"TRAN"}, Keywords: []string{"transport", "GTFS-RT", "temps réel"},
			Description: "Prochains départs par arrêt, d'après le flux GTFS-Realtime appliqué aux horaires théoriques."}}
		if _, _, err = a.EnsureDataset(ctx, System, d); err != nil {
			return err
		}
	} else if err != nil {
		return err
	}
	if d.Version > 0 && d.Records > 0 && !d.Meta.RealTime && !live.SameFields(d.Fields, DepartureFields) {
		// Someone else's dataset under that name: never emptied by a pull.
		return errs.E(errs.Conflict, "dataset %s exists and is not a next-departures dataset", id)
	}
	if d.Version == 0 || !live.SameFields(d.Fields, DepartureFields) {
		if _, err := a.Store.LoadVersion(ctx, catalog.LoadRequest{DatasetID: id, Fields: DepartureFields, Mode: catalog.ModeReplace,
			Rows: &sliceSource{}, Actor: System.Login(), Now: a.Now()}); err != nil {
			return err
		}
	}
	if d, err = a.Store.Dataset(ctx, id); err != nil {
		return err
	}
	if d.Meta.RealTime && len(d.Meta.KeyFields) == 1 && d.Meta.KeyFields[0] == "departure_id" {
		return nil
	}
	d.Meta.KeyFields = []string{"departure_id"}
	setRealTime(d, true)
	return a.Store.UpdateDataset(ctx, d)
}

// writeDepartures upserts the board's departures and deletes the others.
func (a *App) writeDepartures(ctx context.Context, id string, stamp time.Time, b transit.Board) error {
	rows := make([]catalog.Row, len(b.Departures))
	keep := map[string]bool{}
	for i, dep := range b.Departures {
		key := dep.Key(b.Days[i])
		keep[key] = true
		var pt any
		if dep.Point != nil {
			pt = *dep.Point
		}
		rows[i] = catalog.Row{key, dep.StopID, nilIfEmpty(dep.StopName), nilIfEmpty(dep.Route), nilIfEmpty(dep.Headsign), dep.TripID,
			dep.Scheduled.UTC(), dep.Predicted.UTC(), int64(dep.Delay), stamp.UTC(), pt}
	}
	var ids []int64
	for start := 0; start < len(rows); start += live.MaxRecords {
		res, err := a.Store.UpsertRecords(ctx, live.Upsert{DatasetID: id, Fields: DepartureFields, Keys: []string{"departure_id"},
			Rows: rows[start:min(start+live.MaxRecords, len(rows))], Now: a.Now()})
		if err != nil {
			return err
		}
		ids = append(ids, res.IDs...)
	}
	gone, err := a.departuresGone(ctx, id, keep)
	if err != nil {
		return err
	}
	if len(gone) > 0 {
		res, err := a.Store.DeleteRecords(ctx, live.Delete{DatasetID: id, IDs: gone, Now: a.Now()})
		if err != nil {
			return err
		}
		ids = append(ids, res.IDs...)
	}
	a.publishChange(id, ids)
	return a.RefreshCatalog(context.WithoutCancel(ctx))
}

// departuresGone returns the record IDs of departures not in keep.
func (a *App) departuresGone(ctx context.Context, id string, keep map[string]bool) ([]int64, error) {
	d, err := a.Store.Dataset(ctx, id)
	if err != nil {
		return nil, err
	}
	sel, _ := odsql.ParseSelect("departure_id")
	rows, err := a.Store.Query(ctx, d, &odsql.Query{Select: sel, Limit: -1})
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var gone []int64
	for {
		r, err := rows.Next()
		if err == io.EOF {
			return gone, nil
		} else if err != nil {
			return nil, err
		}
		if k, _ := r[0].(string); !keep[k] {
			gone = append(gone, rows.ID())
		}
	}
}

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}
