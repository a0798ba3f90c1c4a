package sqlite

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/socle/socle/internal/catalog"
)

// TestStoredTimesRoundTrip checks the hand-written storage format against
// time.Format and back through parseFixed.
func TestStoredTimesRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for i := 0; i < 20000; i++ {
		x := time.Unix(r.Int64N(1<<36)-1<<35, r.Int64N(1e9)).UTC().Truncate(time.Microsecond)
		if got, want := formatStored(catalog.TypeDateTime, x), x.Format(datetimeLayout); got != want {
			t.Fatalf("datetime %v: %q, want %q", x, got, want)
		}
		d := time.Date(x.Year(), x.Month(), x.Day(), 0, 0, 0, 0, time.UTC)
		if got, want := formatStored(catalog.TypeDate, d), d.Format("2006-01-02"); got != want {
			t.Fatalf("date %v: %q, want %q", d, got, want)
		}
		if x.Year() >= 0 && x.Year() <= 9999 {
			if back, ok := parseFixed(formatStored(catalog.TypeDateTime, x)); !ok || !back.Equal(x) {
				t.Fatalf("%v does not round-trip: %v", x, back)
			}
		}
	}
}
