package ngsild

import (
	"testing"
	"time"

	"github.com/socle/socle/internal/errs"
)

func TestParseDuration(t *testing.T) {
	for s, want := range map[string]time.Duration{
		"PT1H": time.Hour, "PT15M": 15 * time.Minute, "PT0.5S": 500 * time.Millisecond, "P1D": 24 * time.Hour,
		"P1W": 7 * 24 * time.Hour, "P1DT12H": 36 * time.Hour, "PT1H30M10S": time.Hour + 30*time.Minute + 10*time.Second,
	} {
		t.Run(s, func(t *testing.T) {
			got, err := ParseDuration(s)
			if err != nil || got != want {
				t.Fatalf("got %v, %v; want %v", got, err, want)
			}
		})
	}
	for _, s := range []string{"", "P", "PT", "1H", "PT1", "P1M", "P1Y", "PT0S", "PTH", "P1.5D", "PT1H1H", "P99999999D", "pt1h"} {
		t.Run("refused "+s, func(t *testing.T) {
			if _, err := ParseDuration(s); !errs.Is(err, errs.Invalid) {
				t.Fatalf("got %v, want Invalid", err)
			}
		})
	}
}

func FuzzParseDuration(f *testing.F) {
	for _, s := range []string{"PT1H", "P1DT2H3M4.5S", "P2W", "P1Y"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDuration(s)
		if err != nil {
			if !errs.Is(err, errs.Invalid) {
				t.Fatalf("error of kind %s", errs.KindOf(err))
			}
			return
		}
		if d < time.Millisecond || d > maxDuration {
			t.Fatalf("%q gave %v", s, d)
		}
	})
}
