package app

import (
	"context"
	"sync"
	"time"

	"github.com/socle/socle/internal/catalog"
)

// usageCounter batches view and download counts in memory and writes them
// every flushEvery, so that counting a page view costs a map increment, not
// a database write (SQLite has one writer). Counts are written at Close too;
// a crash loses at most one interval of counts, never other data.
type usageCounter struct {
	mu      sync.Mutex
	pending map[string]*catalog.Usage
}

const flushEvery = 30 * time.Second

// CountView records a view of dataset id's page.
func (a *App) CountView(id string) { a.usage.add(id, 1, 0) }

// CountDownload records an export of dataset id.
func (a *App) CountDownload(id string) { a.usage.add(id, 0, 1) }

func (u *usageCounter) add(id string, views, downloads int64) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.pending == nil {
		u.pending = map[string]*catalog.Usage{}
	}
	c := u.pending[id]
	if c == nil {
		c = &catalog.Usage{DatasetID: id}
		u.pending[id] = c
	}
	c.Views += views
	c.Downloads += downloads
}

// take empties the pending counts and returns them.
func (u *usageCounter) take() []catalog.Usage {
	u.mu.Lock()
	defer u.mu.Unlock()
	out := make([]catalog.Usage, 0, len(u.pending))
	for _, c := range u.pending {
		out = append(out, *c)
	}
	u.pending = nil
	return out
}

// FlushUsage writes the pending counts now. On failure they are put back
// to be tried again at the next flush.
func (a *App) FlushUsage(ctx context.Context) error {
	deltas := a.usage.take()
	if len(deltas) == 0 {
		return nil
	}
	if err := a.Store.AddUsage(ctx, a.Now(), deltas); err != nil {
		for _, d := range deltas {
			a.usage.add(d.DatasetID, d.Views, d.Downloads)
		}
		a.Logger.Error("usage counters not written", "err", err)
		return err
	}
	return nil
}

// UsageTotals returns the all-time counts per dataset, pending ones
// included.
func (a *App) UsageTotals(ctx context.Context) (map[string]catalog.Usage, error) {
	m, err := a.Store.UsageTotals(ctx)
	if err != nil {
		return nil, err
	}
	a.usage.mu.Lock()
	defer a.usage.mu.Unlock()
	for id, c := range a.usage.pending {
		t := m[id]
		t.DatasetID = id
		t.Views += c.Views
		t.Downloads += c.Downloads
		m[id] = t
	}
	return m, nil
}

// flushUsageLoop writes counts every flushEvery until stop is closed.
func (a *App) flushUsageLoop(stop <-chan struct{}, done chan<- struct{}) {
	defer close(done)
	t := time.NewTicker(flushEvery)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			a.FlushUsage(ctx)
			cancel()
		case <-stop:
			return
		}
	}
}

// exportSizes remembers the byte size of the last complete unfiltered
// export of each dataset version and format, so that download pages can
// tell sizes without computing exports.
type exportSizes struct {
	mu sync.Mutex
	m  map[exportKey]int64
}

type exportKey struct {
	id      string
	version int
	format  string
}

// NoteExportSize records the size of a complete unfiltered export.
func (a *App) NoteExportSize(id string, version int, format string, n int64) {
	a.sizes.mu.Lock()
	defer a.sizes.mu.Unlock()
	if a.sizes.m == nil {
		a.sizes.m = map[exportKey]int64{}
	}
	a.sizes.m[exportKey{id, version, format}] = n
}

// ExportSize returns the known size of an unfiltered export, if any.
func (a *App) ExportSize(id string, version int, format string) (int64, bool) {
	a.sizes.mu.Lock()
	defer a.sizes.mu.Unlock()
	n, ok := a.sizes.m[exportKey{id, version, format}]
	return n, ok
}
