package export

import (
	"math/rand/v2"
	"testing"
	"time"
)

// TestFastTimeFormatsMatchFormat checks the hand-written formatting against
// time.Format over many instants, fractions and out-of-range years included.
func TestFastTimeFormatsMatchFormat(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	cases := []time.Time{
		time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC),
		time.Date(12000, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(2024, 2, 29, 12, 0, 0, 500_000_000, time.UTC),
	}
	for i := 0; i < 10000; i++ {
		cases = append(cases, time.Unix(r.Int64N(1<<36)-1<<35, 0).UTC())
	}
	for _, c := range cases {
		if got, want := formatDate(c), c.Format(dateLayout); got != want {
			t.Fatalf("formatDate(%v) = %q, want %q", c, got, want)
		}
		if got, want := formatDateTime(c), c.Format(dateTimeLayout); got != want {
			t.Fatalf("formatDateTime(%v) = %q, want %q", c, got, want)
		}
	}
}
