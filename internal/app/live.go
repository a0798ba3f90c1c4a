package app

import (
	"context"

	"github.com/socle/socle/internal/auth"
	"github.com/socle/socle/internal/catalog"
	"github.com/socle/socle/internal/errs"
	"github.com/socle/socle/internal/live"
	"github.com/socle/socle/internal/sensors"
)

// Live datasets fed by sensors: a feed definition (live.Feed) names the
// devices and the fields published of each; the dataset holds one record
// per device, keyed by its ID, rebuilt from the latest state when the feed
// is defined and kept current by the feeder (live_feeder.go).

// FeedRequest defines a live feed, creating its dataset when missing.
type FeedRequest struct {
	live.Feed
	// Access and Meta describe the dataset when it is created (public by
	// default); an existing dataset keeps its own.
	Access catalog.Access   `json:"access,omitempty"`
	Meta   catalog.Metadata `json:"meta"`
}

// rebuildBatch is how many rows one rebuild transaction writes.
const rebuildBatch = 1000

// DefineFeed saves the feed of dataset req.DatasetID, creating the dataset
// (public by default) when missing and giving it the feed's fields when
// they differ, then fills it from the devices' latest state. p must be an
// agent who may see the sensors and change the dataset.
func (a *App) DefineFeed(ctx context.Context, p auth.Principal, req FeedRequest) (*live.Feed, error) {
	if !CanSeeDevices(p) {
		return nil, errs.E(errs.Forbidden, "only agents who may see the sensors define live feeds")
	}
	f := req.Feed
	if err := f.Validate(); err != nil {
		return nil, err
	}
	d, _, err := a.EnsureDataset(ctx, p, &catalog.Dataset{ID: f.DatasetID, Access: req.Access, Meta: req.Meta})
	if err != nil {
		return nil, err
	}
	if err := a.reshape(ctx, p, d, &f); err != nil {
		return nil, err
	}
	f.Actor, f.UpdatedAt = p.Login(), a.Now()
	if err := a.Store.PutFeed(ctx, &f); err != nil {
		return nil, err
	}
	a.Audit(ctx, p, "dataset.live.define", f.DatasetID, 0, f.Domain+" "+f.DeviceType)
	if _, err := a.RebuildFeed(ctx, &f); err != nil {
		return nil, err
	}
	return &f, a.RefreshCatalog(ctx)
}

// reshape gives d the feed's fields (an empty new version when they
// differ) and marks it real-time, keyed by the device ID field.
func (a *App) reshape(ctx context.Context, p auth.Principal, d *catalog.Dataset, f *live.Feed) error {
	fields := f.DatasetFields()
	if d.Version == 0 || !live.SameFields(d.Fields, fields) {
		_, err := a.Store.LoadVersion(ctx, catalog.LoadRequest{DatasetID: d.ID, Fields: fields, Mode: catalog.ModeReplace,
			Rows: &sliceSource{}, Actor: p.Login(), Now: a.Now()})
		if err != nil {
			return err
		}
	}
	cur, err := a.Store.Dataset(ctx, d.ID)
	if err != nil {
		return err
	}
	cur.Meta.KeyFields, cur.Modified = []string{f.KeyField()}, a.Now()
	setRealTime(cur, true)
	return a.Store.UpdateDataset(ctx, cur)
}

// Feed returns the live feed of a dataset p may see.
func (a *App) Feed(ctx context.Context, p auth.Principal, id string) (*live.Feed, error) {
	if _, err := a.Dataset(ctx, p, id); err != nil {
		return nil, err
	}
	feeds, err := a.Store.Feeds(ctx)
	if err != nil {
		return nil, err
	}
	for _, f := range feeds {
		if f.DatasetID == id {
			return f, nil
		}
	}
	return nil, errs.E(errs.NotFound, "dataset %q has no live feed", id)
}

func (a *App) hasFeed(ctx context.Context, id string) bool {
	_, err := a.Feed(ctx, System, id)
	return err == nil
}

// RebuildFeed rewrites every matching device's record from the latest
// state (a one-shot catch-up, also run after the feeder lagged) and
// returns how many records it wrote.
func (a *App) RebuildFeed(ctx context.Context, f *live.Feed) (int, error) {
	all, err := a.Store.Devices(ctx, f.Domain)
	if err != nil {
		return 0, err
	}
	var devs []*sensors.Device
	for _, d := range all {
		if f.Matches(d) {
			devs = append(devs, d)
		}
	}
	n := 0
	for start := 0; start < len(devs); start += rebuildBatch {
		k, err := a.writeFeedRows(ctx, f, devs[start:min(start+rebuildBatch, len(devs))])
		n += k
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// writeFeedRows upserts the records of devs from their latest state and
// tells the dataset's subscribers.
func (a *App) writeFeedRows(ctx context.Context, f *live.Feed, devs []*sensors.Device) (int, error) {
	if len(devs) == 0 {
		return 0, nil
	}
	ids := make([]string, len(devs))
	for i, d := range devs {
		ids[i] = d.ID
	}
	latest, err := a.Store.Latest(ctx, ids)
	if err != nil {
		return 0, err
	}
	rows := make([]catalog.Row, len(devs))
	for i, d := range devs {
		rows[i] = f.Row(d, latest)
	}
	res, err := a.Store.UpsertRecords(ctx, live.Upsert{DatasetID: f.DatasetID, Fields: f.DatasetFields(),
		Keys: []string{f.KeyField()}, Rows: rows, Now: a.Now()})
	if err != nil {
		return 0, err
	}
	a.publishChange(f.DatasetID, res.IDs)
	return len(rows), nil
}

// RebuildFeeds rebuilds every feed; the feeder runs it when it starts, so
// that live datasets catch up with what arrived while it was stopped.
func (a *App) RebuildFeeds(ctx context.Context) error {
	feeds, err := a.Store.Feeds(ctx)
	if err != nil {
		return err
	}
	for _, f := range feeds {
		if _, err := a.RebuildFeed(ctx, f); err != nil {
			a.Logger.Warn("live feed rebuild failed", "dataset", f.DatasetID, "err", err)
		}
	}
	return nil
}

// RebuildFeedOf rebuilds the feed of dataset id from the latest state, for
// an agent who may see the sensors and change the dataset, and returns how
// many records it wrote.
func (a *App) RebuildFeedOf(ctx context.Context, p auth.Principal, id string) (int, error) {
	if !CanSeeDevices(p) {
		return 0, errs.E(errs.Forbidden, "only agents who may see the sensors rebuild live feeds")
	}
	if _, err := a.writableDataset(ctx, p, id); err != nil {
		return 0, err
	}
	f, err := a.Feed(ctx, p, id)
	if err != nil {
		return 0, err
	}
	n, err := a.RebuildFeed(ctx, f)
	if err != nil {
		return n, err
	}
	a.Audit(ctx, p, "dataset.live.rebuild", id, int64(n), "")
	return n, a.RefreshCatalog(ctx)
}
