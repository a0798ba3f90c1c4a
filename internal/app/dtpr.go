package app

import (
	"context"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/socle/socle/internal/auth"
	"github.com/socle/socle/internal/catalog"
	"github.com/socle/socle/internal/dtpr"
	"github.com/socle/socle/internal/errs"
	"github.com/socle/socle/internal/live"
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
	a.forgetPublic()
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
	// Members are a deployment's devices in service (nil for a device):
	// Device then describes the deployment (domain "deployment", the first
	// member's location), and Place says where it is.
	Members []*sensors.Device
	Place   string
}

// publicTTL is how long the public sensors are served from memory: the
// sensor map and its GeoJSON read them on every request, and decoding a
// few thousand chains costs a few times reading the registry
// (docs/benchmarks.md). This process's own writes clear the cache at once;
// another node's show within publicTTL.
const publicTTL = 10 * time.Second

// publicCache holds the last PublicSensors answer.
type publicCache struct {
	mu   sync.Mutex
	at   time.Time
	list []*PublicSensor
}

// forgetPublic clears the cache after a write.
func (a *App) forgetPublic() {
	a.public.mu.Lock()
	a.public.list = nil
	a.public.mu.Unlock()
}

// PublicSensors lists the public devices by ID, then the public
// deployments by ID. The list and its sensors are shared: callers must not
// modify them.
func (a *App) PublicSensors(ctx context.Context) ([]*PublicSensor, error) {
	c := &a.public
	c.mu.Lock()
	defer c.mu.Unlock()
	if now := a.Now(); c.list == nil || now.Sub(c.at) >= publicTTL || now.Before(c.at) {
		list, err := a.loadPublicSensors(ctx)
		if err != nil {
			return nil, err
		}
		c.list, c.at = list, now
	}
	return c.list, nil
}

func (a *App) loadPublicSensors(ctx context.Context) ([]*PublicSensor, error) {
	chains, err := a.Store.Chains(ctx)
	if err != nil {
		return nil, err
	}
	deps, err := a.Store.Deployments(ctx)
	if err != nil {
		return nil, err
	}
	byID, err := a.registry(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]*PublicSensor, 0, len(chains)+len(deps))
	for _, r := range chains {
		if d := byID[r.Device]; d != nil && d.Status != sensors.StatusRetired {
			out = append(out, publicSensor(d, r.Chain))
		}
	}
	for _, d := range deps {
		if ps := publicDeployment(d, byID); ps != nil {
			out = append(out, ps)
		}
	}
	return out, nil
}

// PublicSensor returns one public device, or deployment. errs.NotFound.
func (a *App) PublicSensor(ctx context.Context, id string) (*PublicSensor, error) {
	d, err := a.Store.Device(ctx, id)
	if errs.Is(err, errs.NotFound) {
		return a.publicDeployment(ctx, id)
	}
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

func (a *App) publicDeployment(ctx context.Context, id string) (*PublicSensor, error) {
	d, err := a.Store.Deployment(ctx, id)
	if err != nil {
		return nil, err
	}
	byID := map[string]*sensors.Device{}
	for _, m := range d.Devices {
		if dev, err := a.Store.Device(ctx, m); err == nil {
			byID[m] = dev
		}
	}
	if ps := publicDeployment(d, byID); ps != nil {
		return ps, nil
	}
	return nil, errs.E(errs.NotFound, "sensor %s not found", id)
}

func publicSensor(d *sensors.Device, c *dtpr.Chain) *PublicSensor {
	pd := *d
	pd.EUI, pd.Model = "", "" // the EUI identifies the radio; never public
	return &PublicSensor{Device: &pd, Chain: c, Colour: c.Colour()}
}

// SensorDatasets lists the public datasets a sensor (or a deployment's
// devices) feeds: the live datasets whose feed selects it, by ID.
func (a *App) SensorDatasets(ctx context.Context, ps *PublicSensor) ([]*catalog.Dataset, error) {
	feeds, err := a.Store.Feeds(ctx)
	if err != nil {
		return nil, err
	}
	var out []*catalog.Dataset
	for _, f := range feeds {
		if !matchesAny(f, ps) {
			continue
		}
		if ds, err := a.Dataset(ctx, auth.Principal{}, f.DatasetID); err == nil {
			out = append(out, ds)
		}
	}
	slices.SortFunc(out, func(x, y *catalog.Dataset) int { return strings.Compare(x.ID, y.ID) })
	return out, nil
}

func matchesAny(f *live.Feed, ps *PublicSensor) bool {
	if ps.Members == nil {
		return f.Matches(ps.Device)
	}
	return slices.ContainsFunc(ps.Members, f.Matches)
}
