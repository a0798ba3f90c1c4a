package app

import (
	"context"
	"time"

	"github.com/socle/socle/internal/sensors"
)

// NGSI-LD values are flagged like any other observation: too far in the
// future, or outside the physical range a steward set on the entity's
// device. Reading the device for every entity of every batch would double
// a write's cost, so the ranges are cached per device for rangesTTL (a
// steward's change applies within that delay), at most maxRangeDevices.

const (
	rangesTTL       = time.Minute
	maxRangeDevices = 200_000
)

// rangeEntry is a device's properties as last read.
type rangeEntry struct {
	props []sensors.Property
	at    time.Time
}

// deviceProperties returns the properties of device id, from the cache
// when fresh; none when the device cannot be read.
func (a *App) deviceProperties(ctx context.Context, id string) []sensors.Property {
	s := a.ngsiInit()
	s.rangesMu.Lock()
	e, ok := s.ranges[id]
	s.rangesMu.Unlock()
	if ok && time.Since(e.at) < rangesTTL {
		return e.props
	}
	d, err := a.Store.Device(ctx, id)
	if err != nil {
		return nil
	}
	s.rangesMu.Lock()
	defer s.rangesMu.Unlock()
	if s.ranges == nil || len(s.ranges) >= maxRangeDevices {
		s.ranges = map[string]rangeEntry{}
	}
	s.ranges[id] = rangeEntry{props: d.Properties, at: time.Now()}
	return d.Properties
}

// flagObservations flags the observations of one entity's write.
func (a *App) flagObservations(ctx context.Context, obs []sensors.Observation) {
	if len(obs) == 0 {
		return
	}
	props := a.deviceProperties(ctx, obs[0].Device)
	for i := range obs {
		pr := sensors.Property{}
		for _, p := range props {
			if p.Name == obs[i].Property {
				pr = p
				break
			}
		}
		a.flag(&obs[i], pr)
	}
}
