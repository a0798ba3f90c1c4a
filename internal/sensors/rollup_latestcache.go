package sensors

import (
	"slices"
	"sync"
)

// LatestCache is an engine's copy in memory of the whole latest state, so
// that the map of the fleet (tens of thousands of series) is served
// without the per-row cost of reading them. It is exact: the store keeps
// a generation vector (a few counters, so that concurrent writers rarely
// bump the same one) that every commit changing the latest state
// increments in its transaction; the cache is used only while it reflects
// exactly the generation the store reports. The engine's own commits
// update it in place (Apply); anything else (another process, another
// node, a commit whose update raced) makes it stale, and the next read
// reloads it.
type LatestCache struct {
	mu    sync.RWMutex
	gen   []int64  // the generation it reflects; nil: empty
	rows  []Latest // by device then property
	index map[[2]string]int
}

// LatestCacheMax is the most series a cache holds (about 64 bytes each);
// a larger state is read from the store every time.
const LatestCacheMax = 1 << 20

// Get returns the cached rows of the devices ids (all when ids is nil) if
// the cache reflects gen.
func (c *LatestCache) Get(gen []int64, ids []string) ([]Latest, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if c.gen == nil || !slices.Equal(c.gen, gen) {
		return nil, false
	}
	return FilterLatest(c.rows, ids), true
}

// FilterLatest returns a copy of the rows (ordered by device) of the
// devices ids (all when ids is nil). Sorted ids (a list from the registry)
// are merged with the rows; others go through a set.
func FilterLatest(rows []Latest, ids []string) []Latest {
	if ids == nil {
		return slices.Clone(rows)
	}
	out := make([]Latest, 0, min(len(rows), 2*len(ids)))
	if slices.IsSorted(ids) {
		i := 0
		for _, l := range rows {
			for i < len(ids) && ids[i] < l.Device {
				i++
			}
			if i == len(ids) {
				break
			}
			if ids[i] == l.Device {
				out = append(out, l)
			}
		}
		return out
	}
	keep := make(map[string]bool, len(ids))
	for _, id := range ids {
		keep[id] = true
	}
	for _, l := range rows {
		if keep[l.Device] {
			out = append(out, l)
		}
	}
	return out
}

// Store replaces the cache with rows read at generation gen, unless the
// cache already reflects a later one.
func (c *LatestCache) Store(gen []int64, rows []Latest) {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case len(rows) > LatestCacheMax:
		c.gen = nil
	case c.gen == nil || dominates(gen, c.gen):
		c.gen, c.rows = slices.Clone(gen), slices.Clone(rows) // the caller keeps rows
		c.index = make(map[[2]string]int, len(rows))
		for i, l := range rows {
			c.index[[2]string{l.Device, l.Property}] = i
		}
	case !dominates(c.gen, gen):
		c.gen = nil // neither contains the other: start again
	}
}

// dominates reports whether a is at or after b on every counter.
func dominates(a, b []int64) bool {
	if len(a) != len(b) {
		return true
	}
	for i := range a {
		if a[i] < b[i] {
			return false
		}
	}
	return true
}

// Apply records a commit that moved counter shard to n and set the latest
// state of the given series (each newer than the stored one, as the
// store's upsert decided): the cache follows if it reflected n−1 on that
// counter and knows every series; otherwise it is dropped.
func (c *LatestCache) Apply(shard int, n int64, set []Latest) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen == nil || shard >= len(c.gen) || c.gen[shard] != n-1 {
		c.gen = nil
		return
	}
	for _, l := range set {
		i, ok := c.index[[2]string{l.Device, l.Property}]
		if !ok {
			c.gen = nil // a new series: reload rather than insert in order
			return
		}
		c.rows[i].Time, c.rows[i].Value = l.Time, l.Value
	}
	c.gen[shard] = n
}

// Invalidate drops the cache, e.g. after a commit whose outcome is unknown.
func (c *LatestCache) Invalidate() {
	c.mu.Lock()
	c.gen = nil
	c.mu.Unlock()
}
