package sqlite

import (
	"context"
	"fmt"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/socle/socle/internal/sensors"
)

// TestLatestFollowsAnotherProcess writes through one handle on a database
// file and reads the whole latest state through another, whose copy in
// memory must notice every commit of the first.
func TestLatestFollowsAnotherProcess(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "socle.db")
	reader, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer reader.Close()
	writer, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer writer.Close()
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range 5 {
		var b sensors.Batch
		for d := range 600 {
			b.Observations = append(b.Observations, sensors.Observation{Device: fmt.Sprintf("d%03d", d), Property: "fill",
				Time: at.Add(time.Duration(i) * time.Minute), Value: float64(i*1000 + d)})
		}
		if _, _, err := writer.AppendBatch(ctx, b); err != nil {
			t.Fatal(err)
		}
		for _, db := range []*DB{reader, writer} {
			got, err := db.Latest(ctx, nil)
			if err != nil || len(got) != 600 || got[599].Value != float64(i*1000+599) {
				t.Fatalf("after batch %d: %d values, last %+v, %v", i, len(got), got[len(got)-1], err)
			}
		}
	}
}

// FuzzLatestParser feeds the packed-row parser arbitrary chunks: it
// returns rows or an error, never panics, and reads back what the packed
// format writes.
func FuzzLatestParser(f *testing.F) {
	for _, s := range []string{"", "1 a4 fill1704067200000 42.0;", "3 abc1 x-5 -1.5e-300;2 ab0 0 0.0;", "9 a", "1 a1 b1 x;", "-1 a"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, chunk []byte) {
		p := latestParser{props: map[string]string{}}
		out, lastDev, lastProp, err := p.parse(chunk, nil)
		if err != nil {
			return
		}
		var again []byte
		for _, l := range out {
			again = fmt.Appendf(again, "%d %s%d %s%d %s;", len(l.Device), l.Device, len(l.Property), l.Property,
				l.Time.UnixMilli(), strconv.FormatFloat(l.Value, 'g', 17, 64))
		}
		p2 := latestParser{props: map[string]string{}}
		back, _, _, err := p2.parse(again, nil)
		if err != nil || len(back) != len(out) {
			t.Fatalf("%q: %d rows, written back as %q: %d rows, %v", chunk, len(out), again, len(back), err)
		}
		for i := range out {
			if back[i] != out[i] && !(back[i].Value != back[i].Value && out[i].Value != out[i].Value) {
				t.Fatalf("row %d: %+v read back as %+v", i, out[i], back[i])
			}
		}
		if len(out) > 0 && (lastDev != out[len(out)-1].Device || lastProp != out[len(out)-1].Property) {
			t.Fatalf("last key %q %q, want the last row's", lastDev, lastProp)
		}
	})
}
