package app_test

import (
	"context"
	"strings"
	"testing"

	"github.com/socle/socle/internal/app"
	"github.com/socle/socle/internal/auth"
	"github.com/socle/socle/internal/errs"
	"github.com/socle/socle/internal/sensors"
)

func importFile(t *testing.T, csv string) []*sensors.Device {
	t.Helper()
	ds, err := sensors.ReadDevicesCSV(strings.NewReader(csv))
	if err != nil {
		t.Fatal(err)
	}
	return ds
}

func TestImportDevices(t *testing.T) {
	ctx := context.Background()
	a := newApp(t)
	steward := addUser(t, a, "steward", auth.RoleSteward)
	producer := addUser(t, a, "producer", auth.RoleProducer)
	const file = "id,eui,domain,properties\nm1,70B3D57ED0000001,water,flow:m3/h:0:500\nm2,,waste,\n"

	if _, err := a.ImportDevices(ctx, producer, importFile(t, file)); !errs.Is(err, errs.Forbidden) {
		t.Errorf("a producer imported devices: %v", err)
	}
	n, err := a.ImportDevices(ctx, steward, importFile(t, file))
	if err != nil || n != 2 {
		t.Fatalf("import: %d, %v", n, err)
	}
	d, err := a.Store.Device(ctx, "m1")
	if err != nil || d.EUI != "70b3d57ed0000001" || d.Status != sensors.StatusActive || len(d.Properties) != 1 {
		t.Fatalf("m1 stored as %+v, %v", d, err)
	}
	entries, err := a.Store.Audit(ctx, "devices", 10)
	if err != nil || len(entries) != 1 || entries[0].Action != "device.import" || entries[0].Records != 2 {
		t.Errorf("audit %+v, %v", entries, err)
	}
	// Re-running is idempotent.
	if n, err := a.ImportDevices(ctx, steward, importFile(t, file)); err != nil || n != 2 {
		t.Fatalf("second import: %d, %v", n, err)
	}

	for _, tc := range []struct {
		name, file string
		kind       errs.Kind
		want       string
	}{
		{"an invalid domain refuses the whole file", "id,domain\nm3,water\nm4,space\n", errs.Invalid, `device 2 of the file (line 3 of a CSV): device m4: unknown domain "space"`},
		{"an invalid id", "id,domain\nM 5,water\n", errs.Invalid, `device 1 of the file (line 2 of a CSV): invalid device id "M 5"`},
		{"a repeated id", "id,domain\nm3,water\nm3,waste\n", errs.Invalid, "device 2 of the file (line 3 of a CSV): device m3 appears twice (also device 1)"},
		{"a repeated EUI", "id,eui,domain\nm3,70b3d57ed0000009,water\nm4,70B3D57ED0000009,water\n", errs.Invalid, "DevEUI 70b3d57ed0000009 appears twice"},
		{"an EUI of another device", "id,eui,domain\nm3,,water\nm4,70b3d57ed0000001,water\n", errs.Conflict, "device 2 of the file (m4): DevEUI 70b3d57ed0000001 belongs to device m1"},
		{"an EUI taken before its owner lets go", "id,eui,domain\nm4,70b3d57ed0000001,water\nm1,,water\n", errs.Conflict, "belongs to device m1"},
		{"an empty file", "id,domain\n", errs.Invalid, "no device"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n, err := a.ImportDevices(ctx, steward, importFile(t, tc.file))
			if n != 0 || !errs.Is(err, tc.kind) || !strings.Contains(errs.Message(err), tc.want) {
				t.Fatalf("got %d, %v; want %s containing %q", n, err, tc.kind, tc.want)
			}
			if ds, _ := a.Store.Devices(ctx, ""); len(ds) != 2 {
				t.Errorf("a refused file wrote devices: %d stored", len(ds))
			}
		})
	}

	t.Run("an EUI moves when its owner lets go first", func(t *testing.T) {
		n, err := a.ImportDevices(ctx, app.System, importFile(t, "id,eui,domain\nm1,,water\nm2,70b3d57ed0000001,waste\n"))
		if err != nil || n != 2 {
			t.Fatalf("%d, %v", n, err)
		}
		if d, err := a.Store.DeviceByEUI(ctx, "70b3d57ed0000001"); err != nil || d.ID != "m2" {
			t.Errorf("EUI owner %+v, %v", d, err)
		}
	})
}
