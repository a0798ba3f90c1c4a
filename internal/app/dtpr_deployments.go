package app

import (
	"context"
	"time"

	"github.com/socle/socle/internal/auth"
	"github.com/socle/socle/internal/dtpr"
	"github.com/socle/socle/internal/errs"
	"github.com/socle/socle/internal/sensors"
)

// Deployments group devices at one place under one datachain. A deployment
// shares the public URL space with devices (/capteurs/{id}): its ID may
// not be a device's. It is public while at least one of its devices is
// not retired, and shows those devices only.

// PutDeployment validates and stores d; stewards and admins only.
// errs.Invalid for a bad ID or chain, errs.NotFound for an unknown device,
// errs.Conflict for the ID of a device.
func (a *App) PutDeployment(ctx context.Context, p auth.Principal, d *dtpr.Deployment) error {
	if !p.Is(auth.RoleAdmin, auth.RoleSteward) {
		return errs.E(errs.Forbidden, "only stewards edit deployments")
	}
	if !deviceID.MatchString(d.ID) {
		return errs.E(errs.Invalid, "invalid deployment id %q: use lower-case letters, digits, '.', '-' and '_'", d.ID)
	}
	if err := d.Validate(); err != nil {
		return err
	}
	if _, err := a.Store.Device(ctx, d.ID); err == nil {
		return errs.E(errs.Conflict, "%s is a device's ID", d.ID)
	}
	for _, id := range d.Devices {
		if _, err := a.Store.Device(ctx, id); err != nil {
			return err
		}
	}
	d.UpdatedAt, d.UpdatedBy = a.Now().Truncate(time.Microsecond), p.Login()
	if err := a.Store.PutDeployment(ctx, d); err != nil {
		return err
	}
	a.forgetPublic()
	return a.Audit(ctx, p, "dtpr.deployment.put", "deployment:"+d.ID, int64(len(d.Devices)), string(d.Chain.Colour()))
}

// DeleteDeployment deletes a deployment; stewards and admins only.
func (a *App) DeleteDeployment(ctx context.Context, p auth.Principal, id string) error {
	if !p.Is(auth.RoleAdmin, auth.RoleSteward) {
		return errs.E(errs.Forbidden, "only stewards edit deployments")
	}
	if err := a.Store.DeleteDeployment(ctx, id); err != nil {
		return err
	}
	a.forgetPublic()
	return a.Audit(ctx, p, "dtpr.deployment.delete", "deployment:"+id, 0, "")
}

// Deployment returns a deployment to whoever may see the registry.
func (a *App) Deployment(ctx context.Context, p auth.Principal, id string) (*dtpr.Deployment, error) {
	if !CanSeeDevices(p) {
		return nil, errs.E(errs.NotFound, "deployment %s not found", id)
	}
	return a.Store.Deployment(ctx, id)
}

// Deployments lists the deployments to whoever may see the registry.
func (a *App) Deployments(ctx context.Context, p auth.Principal) ([]*dtpr.Deployment, error) {
	if !CanSeeDevices(p) {
		return nil, errs.E(errs.NotFound, "page not found")
	}
	return a.Store.Deployments(ctx)
}

// publicDeployment is d as visitors see it, or nil when none of its
// devices is in service. byID holds the registry.
func publicDeployment(d *dtpr.Deployment, byID map[string]*sensors.Device) *PublicSensor {
	ps := &PublicSensor{Device: &sensors.Device{ID: d.ID, Name: d.Name, Commune: d.Commune, Domain: "deployment",
		Status: sensors.StatusActive}, Chain: d.Chain, Colour: d.Chain.Colour(), Place: d.Place}
	for _, id := range d.Devices {
		if dev := byID[id]; dev != nil && dev.Status != sensors.StatusRetired {
			m := *dev
			m.EUI, m.Model = "", ""
			ps.Members = append(ps.Members, &m)
			if ps.Device.Location == nil {
				ps.Device.Location = m.Location
			}
		}
	}
	if len(ps.Members) == 0 {
		return nil
	}
	return ps
}

// registry returns the devices by ID.
func (a *App) registry(ctx context.Context) (map[string]*sensors.Device, error) {
	devs, err := a.Store.Devices(ctx, "")
	if err != nil {
		return nil, err
	}
	byID := make(map[string]*sensors.Device, len(devs))
	for _, d := range devs {
		byID[d.ID] = d
	}
	return byID, nil
}
