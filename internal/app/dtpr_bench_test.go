package app

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/socle/socle/internal/demo"
	"github.com/socle/socle/sqlite"
)

// BenchmarkPublicSensors measures what the sensor map and its GeoJSON do
// per request — the demo's 2,662 devices with their datachains and the
// square's deployment — read from the database and from the cache, against
// a baseline: reading the registry alone (Devices), which loading must do
// anyway.
func BenchmarkPublicSensors(b *testing.B) {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), "socle.db"))
	if err != nil {
		b.Fatal(err)
	}
	a := New(db, nil)
	b.Cleanup(func() { a.Close() })
	t := demo.New()
	for _, d := range append(t.Devices(), t.SquareDevices()...) {
		if err := a.PutDevice(ctx, System, d); err != nil {
			b.Fatal(err)
		}
		if _, err := a.PutChain(ctx, System, d.ID, t.Datachain(d)); err != nil {
			b.Fatal(err)
		}
	}
	if err := a.PutDeployment(ctx, System, t.SquareDeployment()); err != nil {
		b.Fatal(err)
	}
	b.Run("baseline registry only", func(b *testing.B) {
		for b.Loop() {
			if _, err := a.Store.Devices(ctx, ""); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("public sensors uncached", func(b *testing.B) {
		for b.Loop() {
			ps, err := a.loadPublicSensors(ctx)
			if err != nil || len(ps) != 2663 {
				b.Fatalf("%d public sensors, %v", len(ps), err)
			}
		}
	})
	b.Run("public sensors cached", func(b *testing.B) {
		for b.Loop() {
			ps, err := a.PublicSensors(ctx)
			if err != nil || len(ps) != 2663 {
				b.Fatalf("%d public sensors, %v", len(ps), err)
			}
		}
	})
}
