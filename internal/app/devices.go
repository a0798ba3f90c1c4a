package app

import (
	"context"
	"fmt"

	"github.com/socle/socle/internal/auth"
	"github.com/socle/socle/internal/errs"
	"github.com/socle/socle/internal/sensors"
)

// ImportDevices registers or replaces the devices of a registry file (see
// sensors.ReadDevicesCSV) as p: stewards and admins only. Every device is
// checked first, as PutDevice checks one, and the whole file is refused on
// the first invalid one, named by its position: nothing is written then.
// Checking also normalises the devices (lower-case DevEUI, default status).
// n counts the devices written.
func (a *App) ImportDevices(ctx context.Context, p auth.Principal, ds []*sensors.Device) (n int, err error) {
	if !p.Is(auth.RoleAdmin, auth.RoleSteward) {
		return 0, errs.E(errs.Forbidden, "only stewards import devices")
	}
	if len(ds) == 0 {
		return 0, errs.E(errs.Invalid, "the file holds no device")
	}
	if err := a.checkImport(ctx, ds); err != nil {
		return 0, err
	}
	// Atomic from the user's view only: a refused file writes nothing, but
	// the devices are then written one by one, so a crash (or a concurrent
	// edit of an EUI) mid-import can leave a prefix of the file written.
	// Re-running the import is idempotent, since PutDevice replaces.
	defer a.forgetDevices()
	for i, d := range ds {
		if err := a.Store.PutDevice(ctx, d); err != nil {
			return i, fmt.Errorf("import device %s: %w", d.ID, err)
		}
	}
	return len(ds), a.Audit(ctx, p, "device.import", "devices", int64(len(ds)), "")
}

// checkImport validates every device of ds, and what only the whole file
// can tell: IDs and DevEUIs appear once, and a DevEUI already registered
// belongs to the same device, or to one the file gives another DevEUI
// before this one is written.
func (a *App) checkImport(ctx context.Context, ds []*sensors.Device) error {
	ids := make(map[string]int, len(ds)) // ID → index in ds
	euis := make(map[string]int, len(ds))
	for i, d := range ds {
		if err := validDevice(d); err != nil {
			return importError(i, errs.Message(err))
		}
		if j, dup := ids[d.ID]; dup {
			return importError(i, fmt.Sprintf("device %s appears twice (also device %d)", d.ID, j+1))
		}
		ids[d.ID] = i
		if j, dup := euis[d.EUI]; dup && d.EUI != "" {
			return importError(i, fmt.Sprintf("DevEUI %s appears twice (also device %d)", d.EUI, j+1))
		}
		euis[d.EUI] = i
	}
	stored, err := a.Store.Devices(ctx, "")
	if err != nil {
		return err
	}
	for _, s := range stored {
		i, taken := euis[s.EUI]
		if s.EUI == "" || !taken || ds[i].ID == s.ID {
			continue
		}
		// The EUI moves from s to ds[i]: only if s comes earlier in the file
		// with another EUI, so that it lets go before ds[i] takes it.
		if j, moved := ids[s.ID]; !moved || j > i {
			return errs.E(errs.Conflict, "device %d of the file (%s): DevEUI %s belongs to device %s", i+1, ds[i].ID, s.EUI, s.ID)
		}
	}
	return nil
}

// importError names the i-th device of a file (0-based): the n-th device
// is the n-th feature of a GeoJSON file and on line n+1 of a CSV file.
func importError(i int, msg string) error {
	return errs.E(errs.Invalid, "device %d of the file (line %d of a CSV): %s", i+1, i+2, msg)
}
