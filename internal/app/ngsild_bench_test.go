package app_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/socle/socle/internal/app"
	"github.com/socle/socle/internal/ngsild"
	"github.com/socle/socle/sqlite"
)

// benchCity is the number of distinct entities the benchmarks walk.
const benchCity = 1000

// benchEntities returns request j: 100 WasteContainers with 3 numeric
// Properties, as the NGSI-LD handler hands them to the app.
func benchEntities(b *testing.B, j int) []*ngsild.Entity {
	c, err := ngsild.NewContext("https://smartdatamodels.org/context.jsonld")
	if err != nil {
		b.Fatal(err)
	}
	es := make([]*ngsild.Entity, 100)
	for k := range es {
		n := (j*100 + k) % benchCity
		at := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration((j*100+k)/benchCity) * time.Minute).Format(time.RFC3339)
		doc := map[string]any{"id": fmt.Sprintf("urn:ngsi-ld:WasteContainer:b:%d", n), "type": "WasteContainer",
			"fillingLevel":         map[string]any{"type": "Property", "value": float64(k%100) / 100, "observedAt": at},
			"temperature":          map[string]any{"type": "Property", "value": float64(k % 30), "observedAt": at},
			"methaneConcentration": map[string]any{"type": "Property", "value": float64(j % 50), "observedAt": at},
			"location":             map[string]any{"type": "GeoProperty", "value": map[string]any{"type": "Point", "coordinates": []any{-0.5, 47.4}}}}
		if es[k], err = ngsild.ParseEntity(doc, c, false); err != nil {
			b.Fatal(err)
		}
	}
	return es
}

// BenchmarkWriteEntities measures app.WriteEntities (Replace, as a batch
// upsert) on SQLite, per entity; compare with BenchmarkWriteEntitiesBaseline.
func BenchmarkWriteEntities(b *testing.B) {
	a := newAppB(b)
	ctx := context.Background()
	reqs := make([][]*ngsild.Entity, 50)
	for j := range reqs {
		reqs[j] = benchEntities(b, j)
	}
	b.ResetTimer()
	for i := range b.N {
		if _, err := a.WriteEntities(ctx, app.System, ngsild.Replace, reqs[i%len(reqs)]); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*100)/b.Elapsed().Seconds(), "entities/s")
}

// BenchmarkWriteEntitiesBaseline stores the same values through
// app.IngestReadings, the native ingestion.
func BenchmarkWriteEntitiesBaseline(b *testing.B) {
	a := newAppB(b)
	ctx := context.Background()
	for n := range benchCity {
		d := ngsild.DeviceOf(benchEntities(b, n/100)[n%100])
		if err := a.Store.PutDevice(ctx, d); err != nil {
			b.Fatal(err)
		}
	}
	reqs := make([][]app.Reading, 50)
	for j := range reqs {
		for _, e := range benchEntities(b, j) {
			for _, o := range ngsild.Observations(e.ID, e.Attrs, time.Time{}) {
				v := o.Value
				reqs[j] = append(reqs[j], app.Reading{Device: o.Device, Property: o.Property, Time: o.Time, Value: &v})
			}
		}
	}
	b.ResetTimer()
	for i := range b.N {
		if _, err := a.IngestReadings(ctx, app.System, reqs[i%len(reqs)]); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*100)/b.Elapsed().Seconds(), "entities/s")
}

// newAppB is newApp for benchmarks.
func newAppB(b *testing.B) *app.App {
	b.Helper()
	db, err := sqlite.Open(context.Background(), filepath.Join(b.TempDir(), "socle.db"))
	if err != nil {
		b.Fatal(err)
	}
	a := app.New(db, nil)
	b.Cleanup(func() { a.Close() })
	return a
}
