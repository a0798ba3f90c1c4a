package app

import (
	"github.com/socle/socle/internal/auth"
	"github.com/socle/socle/internal/errs"
)

// OpenControlRoomStream subscribes p, who must see devices (NotFound
// otherwise), to the alert and observation events for the hyperviseur's
// live updates. It counts among the MaxStreams event streams and ends with
// them (EndStreams); errs.Unavailable when too many are open.
func (a *App) OpenControlRoomStream(p auth.Principal) (*Subscription, error) {
	if !CanSeeDevices(p) {
		return nil, errs.E(errs.NotFound, "no such page")
	}
	a.events.mu.RLock()
	n := 0
	for s := range a.events.subs {
		if isStream(s) {
			n++
		}
	}
	a.events.mu.RUnlock()
	if n >= MaxStreams {
		return nil, errs.E(errs.Unavailable, "too many live streams are open: retry later")
	}
	return a.Subscribe(TopicAlert, TopicObservations, TopicWorkOrder, streamMarker), nil
}
