package sensors

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/socle/socle/internal/errs"
)

func at(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return t.UTC()
}

func TestPlanAggregate(t *testing.T) {
	for _, tc := range []struct {
		name     string
		width    time.Duration
		from, to string
		want     string
	}{
		{"a width under an hour reads raw data only", 10 * time.Minute, "2024-03-01T00:00:00Z", "2024-03-03T00:00:00Z",
			"raw 03-01T00:00-03-03T00:00"},
		{"a width that is not a multiple of an hour reads raw data only", 90 * time.Minute, "2024-03-01T00:00:00Z", "2024-03-03T00:00:00Z",
			"raw 03-01T00:00-03-03T00:00"},
		{"hourly buckets over whole hours read the hourly roll-ups", time.Hour, "2024-03-01T00:00:00Z", "2024-03-03T00:00:00Z",
			"hourly 03-01T00:00-03-03T00:00"},
		{"partial hours at both ends read raw data", 2 * time.Hour, "2024-03-01T00:30:00Z", "2024-03-01T05:10:00Z",
			"raw 03-01T00:30-03-01T01:00, hourly 03-01T01:00-03-01T05:00, raw 03-01T05:00-03-01T05:10"},
		{"daily buckets read whole days from the daily roll-ups, the hours around from the hourly", 24 * time.Hour, "2024-03-01T05:20:00Z", "2024-03-04T03:00:00Z",
			"raw 03-01T05:20-03-01T06:00, hourly 03-01T06:00-03-02T00:00, daily 03-02T00:00-03-04T00:00, hourly 03-04T00:00-03-04T03:00"},
		{"hourly buckets never read the daily roll-ups", 3 * time.Hour, "2024-03-01T00:00:00Z", "2024-03-05T00:00:00Z",
			"hourly 03-01T00:00-03-05T00:00"},
		{"a range inside one hour reads raw data", 24 * time.Hour, "2024-03-01T00:10:00Z", "2024-03-01T00:50:00Z",
			"raw 03-01T00:10-03-01T00:50"},
		{"an empty range reads nothing", time.Hour, "2024-03-01T00:00:00Z", "2024-03-01T00:00:00Z", ""},
		{"hours before 1970 are floored", time.Hour, "1969-12-31T22:30:00Z", "1970-01-01T01:00:00Z",
			"raw 12-31T22:30-12-31T23:00, hourly 12-31T23:00-01-01T01:00"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			for _, p := range PlanAggregate(tc.width, at(tc.from), at(tc.to)) {
				got = append(got, fmt.Sprintf("%s %s-%s", [...]string{"raw", "hourly", "daily"}[p.Tier], p.From.Format("01-02T15:04"), p.To.Format("01-02T15:04")))
			}
			if g := strings.Join(got, ", "); g != tc.want {
				t.Errorf("got  %s\nwant %s", g, tc.want)
			}
		})
	}
}

func TestMergeBuckets(t *testing.T) {
	t0, t1 := at("2024-03-01T00:00:00Z"), at("2024-03-02T00:00:00Z")
	got := MergeBuckets([]Bucket{
		{Start: t1, Count: 1, Min: 5, Max: 5, Sum: 5},
		{Start: t0, Count: 2, Min: 1, Max: 3, Sum: 4},
		{Start: t0, Count: 1, Min: -1, Max: -1, Sum: -1},
		{Start: t1},
	})
	want := []Bucket{{Start: t0, Count: 3, Min: -1, Max: 3, Sum: 3, Avg: 1}, {Start: t1, Count: 1, Min: 5, Max: 5, Sum: 5, Avg: 5}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("got %+v, want %+v", got, want)
	}
}

func TestParseRetention(t *testing.T) {
	for _, tc := range []struct {
		name, in, want string
	}{
		{"the empty string keeps everything", "", ""},
		{"days and durations per domain, the rest by star", "water=90d, air=8760h,*=730d", "water=90d,air=365d,*=730d"},
		{"a later pair replaces an earlier one", "water=90d,water=30d", "water=30d"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := ParseRetention(tc.in)
			if err != nil || r.String() != tc.want {
				t.Errorf("got %q, %v; want %q", r.String(), err, tc.want)
			}
		})
	}
	for _, in := range []string{"water", "lava=3d", "water=0d", "water=12h", "water=-3d", "water=ninety", "water=40000d", strings.Repeat("a", 2000)} {
		t.Run("refused: "+in[:min(len(in), 20)], func(t *testing.T) {
			if _, err := ParseRetention(in); errs.KindOf(err) != errs.Invalid {
				t.Errorf("got %v, want an Invalid error", err)
			}
		})
	}
}

func TestRetentionCutoffs(t *testing.T) {
	r, _ := ParseRetention("water=90d,*=365d")
	got := r.Cutoffs(at("2024-06-30T15:00:00Z"))
	if !got["water"].Equal(at("2024-04-01T00:00:00Z")) || !got["air"].Equal(at("2023-07-01T00:00:00Z")) || len(got) != len(Domains) {
		t.Errorf("cutoffs %v: want water at 2024-04-01, the others a year back, down to the day", got)
	}
}

func FuzzParseRetention(f *testing.F) {
	for _, s := range []string{"", "water=90d", "water=90d,air=8760h,*=730d", "=", "water=", "*=1d,*=2d", "x=1d"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := ParseRetention(s)
		if err != nil {
			if errs.KindOf(err) != errs.Invalid {
				t.Fatalf("%q: error of kind %s", s, errs.KindOf(err))
			}
			return
		}
		again, err := ParseRetention(r.String())
		if err != nil || again.String() != r.String() {
			t.Fatalf("%q: written as %q, read back as %q, %v", s, r.String(), again.String(), err)
		}
	})
}
