package app

import (
	"strings"
	"sync"
	"sync/atomic"
)

// Live events: what changed, for the pages and streams that show it as it
// happens (the hyperviseur's map, a real-time dataset's page, signed
// webhooks). Publishing never blocks ingestion: a subscriber that does not
// keep up loses events and is told so (Lagged), then re-reads the state
// it shows. Events are hints, never the record: the store is.

// Event topics.
const (
	TopicObservations = "observations" // Data: []sensors.Observation of one stored batch (trusted and flagged)
	TopicAlert        = "alert"        // Data: *alerts.Alert after it opened or changed
	TopicDataset      = "dataset:"     // + dataset ID; Data: DatasetChange
)

// Event is one change.
type Event struct {
	Topic string
	Data  any
}

// DatasetChange says that records of a dataset changed in place.
type DatasetChange struct {
	Dataset string   `json:"dataset"`
	IDs     []string `json:"ids,omitempty"` // the record IDs written, when known
}

// subscriberBuffer is how many events a subscriber may fall behind.
const subscriberBuffer = 256

// Subscription receives the events of its topics.
type Subscription struct {
	C        <-chan Event
	c        chan Event
	prefixes []string
	lagged   atomic.Bool
	hub      *hub
}

// Lagged reports, and clears, whether events were dropped since the last
// call because the subscriber fell behind.
func (s *Subscription) Lagged() bool { return s.lagged.Swap(false) }

// Close ends the subscription; C is closed.
func (s *Subscription) Close() { s.hub.remove(s) }

type hub struct {
	mu   sync.RWMutex
	subs map[*Subscription]struct{}
}

func (h *hub) remove(s *Subscription) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if _, ok := h.subs[s]; ok {
		delete(h.subs, s)
		close(s.c)
	}
}

// Subscribe returns a subscription to the events whose topic starts with
// one of prefixes (every event when none is given).
func (a *App) Subscribe(prefixes ...string) *Subscription {
	c := make(chan Event, subscriberBuffer)
	s := &Subscription{C: c, c: c, prefixes: prefixes, hub: &a.events}
	a.events.mu.Lock()
	if a.events.subs == nil {
		a.events.subs = map[*Subscription]struct{}{}
	}
	a.events.subs[s] = struct{}{}
	a.events.mu.Unlock()
	return s
}

// Publish sends e to its subscribers without waiting for any of them.
func (a *App) Publish(e Event) {
	a.events.mu.RLock()
	defer a.events.mu.RUnlock()
	for s := range a.events.subs {
		if !s.wants(e.Topic) {
			continue
		}
		select {
		case s.c <- e:
		default:
			s.lagged.Store(true)
		}
	}
}

func (s *Subscription) wants(topic string) bool {
	if len(s.prefixes) == 0 {
		return true
	}
	for _, p := range s.prefixes {
		if strings.HasPrefix(topic, p) {
			return true
		}
	}
	return false
}
