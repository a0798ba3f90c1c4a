package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/socle/socle/internal/sensors"
)

// Sensor benchmark sizes (issue 4): 100,000 observations appended in
// batches of 1,000; the latest state of 40,000 devices; a year of
// 10-minute data of one property of one device.
const (
	BenchAppendRows  = 100000
	BenchBatchSize   = 1000
	BenchDevices     = 40000
	benchYearStep    = 10 * time.Minute
	benchYearRows    = 365 * 24 * 6 // 52,560
	benchBatchDevice = BenchBatchSize / 2
)

var benchStart = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)

// BenchBatches returns round r of the append benchmark: 100 batches of
// 1,000 observations of 2 properties, each with its own key. Each batch
// covers devices devices at 500/devices successive times 10 minutes apart;
// later rounds continue in time.
func BenchBatches(r, devices int) []sensors.Batch {
	times := benchBatchDevice / devices
	out := make([]sensors.Batch, BenchAppendRows/BenchBatchSize)
	for i := range out {
		obs := make([]sensors.Observation, 0, BenchBatchSize)
		for k := range times {
			step := (r*len(out)+i)*times + k
			at := benchStart.Add(time.Duration(step) * benchYearStep)
			for d := range devices {
				dev := fmt.Sprintf("dev%d-%05d", devices, d)
				obs = append(obs, sensors.Observation{Device: dev, Property: "temperature", Time: at, Value: float64(step%40) + float64(d)/1000},
					sensors.Observation{Device: dev, Property: "humidity", Time: at, Value: float64(50 + d%30)})
			}
		}
		out[i] = sensors.Batch{Key: fmt.Sprintf("bench-%d-%d-%d", devices, r, i), Observations: obs}
	}
	return out
}

// BenchAppend measures AppendBatch on BenchBatches (obs/s).
func BenchAppend(b *testing.B, s Store) {
	BenchAppendFunc(b, func(ctx context.Context, batch sensors.Batch) error {
		n, dup, err := s.AppendBatch(ctx, batch)
		if err == nil && (n != len(batch.Observations) || dup) {
			err = fmt.Errorf("batch %s: %d rows inserted (dup %v), want %d", batch.Key, n, dup, len(batch.Observations))
		}
		return err
	})
}

// BenchAppendFunc measures append on BenchBatches (obs/s): AppendBatch, or
// an engine's baseline. Two shapes: batches of 500 devices at one time (a
// time slice across the city: every series gets one row, so a commit
// touches one index page per series), and batches of one device at 500
// times (a backfill: rows land side by side).
func BenchAppendFunc(b *testing.B, append func(context.Context, sensors.Batch) error) {
	for _, devices := range []int{benchBatchDevice, 1} {
		b.Run(fmt.Sprintf("devices=%d", devices), func(b *testing.B) {
			ctx := context.Background()
			r := 0
			for b.Loop() {
				b.StopTimer()
				batches := BenchBatches(r, devices)
				r++
				b.StartTimer()
				for _, batch := range batches {
					if err := append(ctx, batch); err != nil {
						b.Fatal(err)
					}
				}
			}
			b.ReportMetric(float64(BenchAppendRows)*float64(b.N)/b.Elapsed().Seconds(), "obs/s")
			b.ReportMetric(0, "ns/op")
		})
	}
}

// BenchLatest measures Latest of BenchDevices devices with 2 properties
// each, named one by one (ms/op), after a first read (not timed).
func BenchLatest(b *testing.B, s Store) {
	ids := BenchLatestSetup(b, s)
	if _, err := s.Latest(context.Background(), ids); err != nil { // warm: an engine may keep the state in memory
		b.Fatal(err)
	}
	for b.Loop() {
		got, err := s.Latest(context.Background(), ids)
		if err != nil || len(got) != 2*BenchDevices {
			b.Fatalf("latest: %d values, %v", len(got), err)
		}
	}
	reportMillis(b)
}

// BenchLatestFollow measures Latest of BenchDevices devices as
// BenchLatest does, each read after a batch (not timed) that moves the
// fill level of 500 of them: the live map during ingestion.
func BenchLatestFollow(b *testing.B, s Store) {
	ids := BenchLatestSetup(b, s)
	step := 0
	for b.Loop() {
		b.StopTimer()
		step++
		var batch sensors.Batch
		for _, id := range ids[step*benchBatchDevice%len(ids):][:benchBatchDevice] {
			batch.Observations = append(batch.Observations, sensors.Observation{Device: id, Property: "fill",
				Time: benchStart.Add(time.Duration(step) * time.Minute), Value: float64(step)})
		}
		mustAppend(b, s, batch)
		b.StartTimer()
		got, err := s.Latest(context.Background(), ids)
		if err != nil || len(got) != 2*BenchDevices {
			b.Fatalf("latest: %d values, %v", len(got), err)
		}
	}
	reportMillis(b)
}

// BenchLatestSetup stores the latest state of BenchDevices devices with 2
// properties each and returns their IDs.
func BenchLatestSetup(b *testing.B, s Store) []string {
	ids := make([]string, BenchDevices)
	for i := range ids {
		ids[i] = fmt.Sprintf("lat-%05d", i)
	}
	for lo := 0; lo < len(ids); lo += benchBatchDevice {
		var batch sensors.Batch
		for _, id := range ids[lo:min(lo+benchBatchDevice, len(ids))] {
			batch.Observations = append(batch.Observations,
				sensors.Observation{Device: id, Property: "fill", Time: benchStart, Value: 42},
				sensors.Observation{Device: id, Property: "battery", Time: benchStart, Value: 3.6})
		}
		mustAppend(b, s, batch)
	}
	return ids
}

// BenchYear stores a year of 10-minute data of two properties of one
// device (1 % flagged) among a few other devices, and returns the query
// that aggregates one property by day.
func BenchYear(b *testing.B, s Store) sensors.AggregateQuery {
	var batch sensors.Batch
	for i := range benchYearRows {
		at := benchStart.Add(time.Duration(i) * benchYearStep)
		flag := sensors.FlagNone
		if i%100 == 99 {
			flag = sensors.FlagOutOfRange
		}
		batch.Observations = append(batch.Observations,
			sensors.Observation{Device: "year", Property: "flow", Time: at, Value: float64(i % 144), Flag: flag},
			sensors.Observation{Device: "year", Property: "pressure", Time: at, Value: 3},
			sensors.Observation{Device: "other", Property: "flow", Time: at, Value: 1})
		if len(batch.Observations) >= 3*BenchBatchSize {
			mustAppend(b, s, batch)
			batch.Observations = batch.Observations[:0]
		}
	}
	mustAppend(b, s, batch)
	return sensors.AggregateQuery{Device: "year", Property: "flow", From: benchStart, To: benchStart.AddDate(1, 0, 0), Width: 24 * time.Hour}
}

// BenchAggregate measures Aggregate of BenchYear's query: 52,560 rows
// into 365 daily buckets (ms/op).
func BenchAggregate(b *testing.B, s Store) {
	q := BenchYear(b, s)
	for b.Loop() {
		got, err := s.Aggregate(context.Background(), q)
		if err != nil || len(got) != 365 || got[0].Count != 143 {
			b.Fatalf("aggregate: %d buckets, %v", len(got), err)
		}
	}
	reportMillis(b)
}

func mustAppend(b *testing.B, s Store, batch sensors.Batch) {
	b.Helper()
	if _, _, err := s.AppendBatch(context.Background(), batch); err != nil {
		b.Fatal(err)
	}
}

// reportMillis reports the time per operation in milliseconds.
func reportMillis(b *testing.B) {
	b.ReportMetric(b.Elapsed().Seconds()*1000/float64(b.N), "ms/op")
	b.ReportMetric(0, "ns/op")
}
