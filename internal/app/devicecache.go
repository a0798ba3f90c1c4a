package app

import (
	"context"
	"sync"
	"time"

	"github.com/socle/socle/internal/sensors"
)

// The ingestion paths look a device up for every uplink (by DevEUI) and
// again to evaluate its alert rules: a query and a JSON decoding each
// time, a fifth of the CPU of an uplink. The device cache keeps devices
// for a few seconds. This node's registry writes forget at once what they
// change; another node's writes are seen within deviceTTL, the bound on
// how stale an ingestion's view of the registry can be. Unknown devices
// are not cached: a device registered now takes its uplinks at once.

const (
	deviceTTL      = 10 * time.Second
	deviceCacheMax = 200000 // entries; the cache starts afresh beyond
)

type deviceCache struct {
	mu    sync.Mutex
	byID  map[string]cachedDevice
	byEUI map[string]cachedDevice
}

type cachedDevice struct {
	d  *sensors.Device // shared: read only
	at time.Time
}

// device returns a device by ID, from the cache when fresh.
func (a *App) device(ctx context.Context, id string) (*sensors.Device, error) {
	if d := a.devices.get(false, id); d != nil {
		return d, nil
	}
	d, err := a.Store.Device(ctx, id)
	if err == nil {
		a.devices.put(d)
	}
	return d, err
}

// deviceByEUI returns a device by DevEUI, from the cache when fresh.
func (a *App) deviceByEUI(ctx context.Context, eui string) (*sensors.Device, error) {
	if d := a.devices.get(true, eui); d != nil {
		return d, nil
	}
	d, err := a.Store.DeviceByEUI(ctx, eui)
	if err == nil {
		a.devices.put(d)
	}
	return d, err
}

// get looks key up by DevEUI (byEUI) or by ID, under the lock: the maps
// are replaced when the cache starts afresh.
func (c *deviceCache) get(byEUI bool, key string) *sensors.Device {
	c.mu.Lock()
	defer c.mu.Unlock()
	m := c.byID
	if byEUI {
		m = c.byEUI
	}
	e, ok := m[key]
	if !ok || time.Since(e.at) > deviceTTL {
		return nil
	}
	return e.d
}

func (c *deviceCache) put(d *sensors.Device) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.byID == nil || len(c.byID) >= deviceCacheMax {
		c.byID, c.byEUI = map[string]cachedDevice{}, map[string]cachedDevice{}
	}
	e := cachedDevice{d: d, at: time.Now()}
	c.byID[d.ID] = e
	if d.EUI != "" {
		c.byEUI[d.EUI] = e
	}
}

// forgetDevices empties the cache: the registry changed on this node.
func (a *App) forgetDevices() {
	a.devices.mu.Lock()
	a.devices.byID, a.devices.byEUI = nil, nil
	a.devices.mu.Unlock()
}
