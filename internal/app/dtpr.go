package app

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/socle/socle/internal/auth"
	"github.com/socle/socle/internal/catalog"
	"github.com/socle/socle/internal/dtpr"
	"github.com/socle/socle/internal/errs"
	"github.com/socle/socle/internal/sensors"
)

// Sensor transparency (DTPR). A device is public — on the sensor map, with
// its own page, sign and opinion form — when a steward has given it a
// datachain and it is not retired: what has no chain does not exist for
// visitors (404). A public device never shows its DevEUI.

// PutChain validates c and stores it as device's datachain; stewards and
// admins only (errs.Forbidden), for a registered device (errs.NotFound).
func (a *App) PutChain(ctx context.Context, p auth.Principal, device string, c *dtpr.Chain) (*dtpr.Record, error) {
	if !p.Is(auth.RoleAdmin, auth.RoleSteward) {
		return nil, errs.E(errs.Forbidden, "only stewards edit datachains")
	}
	if _, err := a.Store.Device(ctx, device); err != nil {
		return nil, err
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	r := &dtpr.Record{Device: device, Chain: c, UpdatedAt: a.Now().Truncate(time.Microsecond), UpdatedBy: p.Login()}
	if err := a.Store.PutChain(ctx, r); err != nil {
		return nil, err
	}
	return r, a.Audit(ctx, p, "dtpr.put", "device:"+device, 0, string(c.Colour()))
}

// DeviceChain returns a device's datachain to whoever may see the registry
// (CanSeeDevices); errs.NotFound otherwise, or without a chain.
func (a *App) DeviceChain(ctx context.Context, p auth.Principal, device string) (*dtpr.Record, error) {
	if !CanSeeDevices(p) {
		return nil, errs.E(errs.NotFound, "device %s not found", device)
	}
	if _, err := a.Store.Device(ctx, device); err != nil {
		return nil, err
	}
	return a.Store.Chain(ctx, device)
}

// PublicSensor is a device as visitors see it: no DevEUI, its chain and
// the chain's colour.
type PublicSensor struct {
	Device *sensors.Device
	Chain  *dtpr.Chain
	Colour dtpr.Colour
}

// PublicSensors lists the public devices by ID.
func (a *App) PublicSensors(ctx context.Context) ([]*PublicSensor, error) {
	chains, err := a.Store.Chains(ctx)
	if err != nil {
		return nil, err
	}
	devs, err := a.Store.Devices(ctx, "")
	if err != nil {
		return nil, err
	}
	byID := make(map[string]*sensors.Device, len(devs))
	for _, d := range devs {
		byID[d.ID] = d
	}
	out := make([]*PublicSensor, 0, len(chains))
	for _, r := range chains {
		if d := byID[r.Device]; d != nil && d.Status != sensors.StatusRetired {
			out = append(out, publicSensor(d, r.Chain))
		}
	}
	return out, nil
}

// PublicSensor returns one public device. errs.NotFound.
func (a *App) PublicSensor(ctx context.Context, id string) (*PublicSensor, error) {
	d, err := a.Store.Device(ctx, id)
	if err != nil || d.Status == sensors.StatusRetired {
		return nil, errs.E(errs.NotFound, "sensor %s not found", id)
	}
	r, err := a.Store.Chain(ctx, id)
	if errs.Is(err, errs.NotFound) {
		return nil, errs.E(errs.NotFound, "sensor %s not found", id)
	} else if err != nil {
		return nil, err
	}
	return publicSensor(d, r.Chain), nil
}

func publicSensor(d *sensors.Device, c *dtpr.Chain) *PublicSensor {
	pd := *d
	pd.EUI, pd.Model = "", "" // the EUI identifies the radio; never public
	return &PublicSensor{Device: &pd, Chain: c, Colour: c.Colour()}
}

// SensorDatasets lists the public datasets a sensor feeds: the live
// datasets whose feed selects it, by ID.
func (a *App) SensorDatasets(ctx context.Context, d *sensors.Device) ([]*catalog.Dataset, error) {
	feeds, err := a.Store.Feeds(ctx)
	if err != nil {
		return nil, err
	}
	var out []*catalog.Dataset
	for _, f := range feeds {
		if !f.Matches(d) {
			continue
		}
		if ds, err := a.Dataset(ctx, auth.Principal{}, f.DatasetID); err == nil {
			out = append(out, ds)
		}
	}
	slices.SortFunc(out, func(x, y *catalog.Dataset) int { return strings.Compare(x.ID, y.ID) })
	return out, nil
}
