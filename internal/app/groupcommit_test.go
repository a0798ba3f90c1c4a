package app_test

import (
	"context"
	"fmt"
	"math"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/socle/socle/internal/app"
	"github.com/socle/socle/internal/errs"
	"github.com/socle/socle/internal/sensors"
	"github.com/socle/socle/sqlite"
)

// TestConcurrentUplinksAreEachStoredOnce sends many uplinks at once (as
// an MQTT subscriber with hundreds in flight does), each twice through two
// gateways, plus native readings: every one is stored exactly once, and
// every caller returns only after its data is readable.
func TestConcurrentUplinksAreEachStoredOnce(t *testing.T) {
	ctx := context.Background()
	a, now := meterSite(t)
	const n = 300
	var wg sync.WaitGroup
	errc := make(chan error, 3*n)
	for i := range n {
		at := now.Add(-time.Duration(n-i) * time.Second)
		up := sensors.Uplink{DevEUI: "70b3d57ed0000001", Key: fmt.Sprintf("dedup-%d", i), Time: at, Object: map[string]any{"flow": float64(i)}}
		for range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if err := a.IngestUplink(ctx, up); err != nil {
					errc <- err
					return
				}
				// Acknowledged: readable now.
				obs, err := a.Store.Observations(ctx, "meter-1", at, at.Add(time.Millisecond), 1)
				if err != nil || len(obs) != 1 || obs[0].Value != float64(i) {
					errc <- fmt.Errorf("uplink %d acknowledged but not readable: %v %v", i, obs, err)
				}
			}()
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			v := float64(i)
			_, err := a.IngestReadings(ctx, app.System, []app.Reading{{Device: "meter-1", Property: "battery", Time: at, Value: &v}})
			if err != nil {
				errc <- err
			}
		}()
	}
	wg.Wait()
	close(errc)
	for err := range errc {
		t.Error(err)
	}
	obs, err := a.Store.Observations(ctx, "meter-1", now.Add(-time.Hour), now, -1)
	if err != nil || len(obs) != 2*n {
		t.Fatalf("%d observations stored (%v), want %d", len(obs), err, 2*n)
	}
}

// TestInvalidBatchInAGroupFailsAlone checks that a NaN refused in a group
// does not keep the others from being stored.
func TestInvalidBatchInAGroupFailsAlone(t *testing.T) {
	ctx := context.Background()
	a, now := meterSite(t)
	var wg sync.WaitGroup
	results := make([]error, 50)
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			v := float64(i)
			if i == 25 {
				v = math.NaN()
			}
			_, results[i] = a.IngestReadings(ctx, app.System, []app.Reading{{Device: "meter-1", Property: "flow", Time: now.Add(-time.Duration(i) * time.Second), Value: &v}})
		}()
	}
	wg.Wait()
	for i, err := range results {
		if i == 25 && !errs.Is(err, errs.Invalid) {
			t.Errorf("the NaN batch: got %v, want Invalid", err)
		} else if i != 25 && err != nil {
			t.Errorf("batch %d: %v", i, err)
		}
	}
	obs, _ := a.Store.Observations(ctx, "meter-1", now.Add(-time.Hour), now.Add(time.Second), -1)
	if len(obs) != 49 {
		t.Fatalf("%d observations, want 49", len(obs))
	}
}

// TestIngestAfterCloseIsRefused checks that ingestion after Close is
// refused, not lost silently.
func TestIngestAfterCloseIsRefused(t *testing.T) {
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "socle.db"))
	if err != nil {
		t.Fatal(err)
	}
	a := app.New(db, nil)
	now := time.Now()
	v := 1.0
	if _, err := a.IngestReadings(context.Background(), app.System, []app.Reading{{Device: "meter-1", Property: "flow", Time: now, Value: &v}}); err != nil {
		t.Fatal(err) // quarantined: unknown device
	}
	a.Close()
	if _, err := a.IngestReadings(context.Background(), app.System, []app.Reading{{Device: "meter-1", Property: "flow", Time: now, Value: &v}}); err == nil {
		t.Fatal("ingestion after Close succeeded")
	}
}
