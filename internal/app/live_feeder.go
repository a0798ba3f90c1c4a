package app

import (
	"context"
	"time"

	"github.com/socle/socle/internal/live"
	"github.com/socle/socle/internal/sensors"
)

// The feeder keeps live datasets current: it listens to stored
// observations, gathers the devices they concern over a short window, and
// upserts those devices' records in every feed they match. Events are
// hints: when the feeder falls behind (Lagged) it rebuilds every feed from
// the latest state, which is the record.

// FeedWindow is how long the feeder gathers observations before writing:
// short enough for a new value to show within a second, long enough to
// write a burst of uplinks in one transaction per dataset.
const FeedWindow = 200 * time.Millisecond

// catalogEvery bounds how often the feeder refreshes the catalog index
// (record counts, modified dates), which rebuilds a small table.
const catalogEvery = 5 * time.Second

// StartFeeds starts the feeder and returns the function that stops it
// (after writing what it gathered).
func (a *App) StartFeeds(ctx context.Context) (stop func()) {
	sub := a.Subscribe(TopicObservations)
	ctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	done := make(chan struct{})
	go func() {
		defer close(done)
		// Catch up with what arrived while the server was down.
		if err := a.RebuildFeeds(ctx); err != nil && ctx.Err() == nil {
			a.Logger.Warn("live feeds rebuild", "err", err)
		}
		a.feedLoop(ctx, sub)
	}()
	return func() {
		cancel()
		sub.Close()
		<-done
	}
}

func (a *App) feedLoop(ctx context.Context, sub *Subscription) {
	pending := map[string]bool{}
	var flush <-chan time.Time
	catalogTick := time.NewTicker(catalogEvery)
	defer catalogTick.Stop()
	dirty := false
	for {
		select {
		case ev, ok := <-sub.C:
			if !ok {
				a.flushFeeds(context.WithoutCancel(ctx), pending, sub.Lagged())
				a.refreshIfDirty(ctx, dirty || len(pending) > 0)
				return
			}
			obs, _ := ev.Data.([]sensors.Observation)
			for _, o := range obs {
				if o.Flag == sensors.FlagNone {
					pending[o.Device] = true
				}
			}
			if flush == nil {
				flush = time.After(FeedWindow)
			}
		case <-flush:
			flush = nil
			if a.flushFeeds(ctx, pending, sub.Lagged()) {
				dirty = true
			}
			clear(pending)
		case <-catalogTick.C:
			if sub.Lagged() && a.flushFeeds(ctx, nil, true) {
				dirty = true
			}
			a.refreshIfDirty(ctx, dirty)
			dirty = false
		case <-ctx.Done():
			a.flushFeeds(context.WithoutCancel(ctx), pending, sub.Lagged())
			a.refreshIfDirty(context.WithoutCancel(ctx), dirty || len(pending) > 0)
			return
		}
	}
}

func (a *App) refreshIfDirty(ctx context.Context, dirty bool) {
	if !dirty {
		return
	}
	if err := a.RefreshCatalog(ctx); err != nil && ctx.Err() == nil {
		a.Logger.Warn("catalog index refresh after live writes", "err", err)
	}
}

// flushFeeds writes the records of the pending devices, or rebuilds every
// feed when events were lost; it reports whether anything was written.
func (a *App) flushFeeds(ctx context.Context, pending map[string]bool, lagged bool) bool {
	if len(pending) == 0 && !lagged {
		return false
	}
	feeds, err := a.Store.Feeds(ctx)
	if err != nil || len(feeds) == 0 {
		if err != nil && ctx.Err() == nil {
			a.Logger.Warn("live feeds", "err", err)
		}
		return false
	}
	if lagged {
		a.Logger.Info("live feeder fell behind: rebuilding the feeds from the latest state")
		if err := a.RebuildFeeds(ctx); err != nil && ctx.Err() == nil {
			a.Logger.Warn("live feeds rebuild", "err", err)
		}
		return true
	}
	devs := a.pendingDevices(ctx, pending)
	wrote := false
	for _, f := range feeds {
		if n, err := a.writeFeedRows(ctx, f, matching(f, devs)); err != nil {
			if ctx.Err() == nil {
				a.Logger.Warn("live feed write failed", "dataset", f.DatasetID, "err", err)
			}
		} else if n > 0 {
			wrote = true
		}
	}
	return wrote
}

func (a *App) pendingDevices(ctx context.Context, pending map[string]bool) []*sensors.Device {
	var out []*sensors.Device
	for id := range pending {
		d, err := a.Store.Device(ctx, id)
		if err != nil {
			continue // deleted meanwhile
		}
		out = append(out, d)
	}
	return out
}

func matching(f *live.Feed, devs []*sensors.Device) []*sensors.Device {
	var out []*sensors.Device
	for _, d := range devs {
		if f.Matches(d) {
			out = append(out, d)
		}
	}
	return out
}
