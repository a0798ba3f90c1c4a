package httpapi

import (
	"net/url"
	"testing"
	"time"

	"github.com/socle/socle/internal/errs"
)

var roundNow = time.Date(2026, 3, 1, 9, 30, 0, 0, time.UTC)

func TestParseRoundQuery(t *testing.T) {
	for _, tc := range []struct {
		name, query string
		ok          bool
	}{
		{"no parameter plans today's round", "", true},
		{"a date, a threshold and a depot are read", "date=2026-02-01&threshold=75.5&depot=47.5,-0.55", true},
		{"a date that is not a day is refused", "date=2026-02-30", false},
		{"a date in another format is refused", "date=01/02/2026", false},
		{"a threshold over 100 is refused", "threshold=101", false},
		{"a zero threshold is refused", "threshold=0", false},
		{"NaN is refused", "threshold=NaN", false},
		{"a depot without a comma is refused", "depot=47.5", false},
		{"a latitude out of range is refused", "depot=95,0", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v, _ := url.ParseQuery(tc.query)
			o, err := ParseRoundQuery(v, roundNow)
			if tc.ok != (err == nil) {
				t.Fatalf("got %v", err)
			}
			if err != nil && errs.KindOf(err) != errs.Invalid {
				t.Errorf("error kind %v", errs.KindOf(err))
			}
			if tc.query == "" && !o.Date.Equal(roundNow) {
				t.Errorf("default date %v", o.Date)
			}
		})
	}
}

func FuzzParseRoundQuery(f *testing.F) {
	for _, s := range []string{"", "date=2026-02-01", "threshold=80", "depot=47.5,-0.55", "depot=,", "threshold=1e400", "date=9999-99-99"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, q string) {
		v, err := url.ParseQuery(q)
		if err != nil {
			return
		}
		o, err := ParseRoundQuery(v, roundNow)
		if err != nil {
			if errs.KindOf(err) != errs.Invalid {
				t.Fatalf("error of kind %v: %v", errs.KindOf(err), err)
			}
			return
		}
		if o.Threshold < 0 || o.Threshold > 100 || o.Depot != nil && (o.Depot.Lat < -90 || o.Depot.Lat > 90) {
			t.Fatalf("accepted %+v", o)
		}
	})
}
