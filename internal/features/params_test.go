package features

import (
	"strings"
	"testing"
	"time"

	"github.com/socle/socle/internal/errs"
)

func TestParseBBox(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want BBox
		bad  bool
	}{
		{name: "four numbers", in: "-0.6,47.4,-0.5,47.5", want: BBox{-0.6, 47.4, -0.5, 47.5}},
		{name: "six numbers drop heights", in: "-0.6,47.4,0,-0.5,47.5,100", want: BBox{-0.6, 47.4, -0.5, 47.5}},
		{name: "spaces around numbers", in: " 1 , 2 , 3 , 4 ", want: BBox{1, 2, 3, 4}},
		{name: "antimeridian crossing kept", in: "170,-10,-170,10", want: BBox{170, -10, -170, 10}},
		{name: "whole world", in: "-180,-90,180,90", want: BBox{-180, -90, 180, 90}},
		{name: "three numbers refused", in: "1,2,3", bad: true},
		{name: "five numbers refused", in: "1,2,3,4,5", bad: true},
		{name: "empty refused", in: "", bad: true},
		{name: "not a number refused", in: "a,2,3,4", bad: true},
		{name: "NaN refused", in: "NaN,2,3,4", bad: true},
		{name: "infinity refused", in: "1,2,Inf,4", bad: true},
		{name: "longitude out of range refused", in: "-181,0,0,1", bad: true},
		{name: "latitude out of range refused", in: "0,-91,1,1", bad: true},
		{name: "latitudes inverted refused", in: "0,10,1,5", bad: true},
		{name: "too long refused", in: strings.Repeat("1", 300) + ",1,1,1", bad: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseBBox(tt.in)
			if tt.bad {
				if !errs.Is(err, errs.Invalid) {
					t.Fatalf("ParseBBox(%q) = %v, %v; want an Invalid error", tt.in, got, err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("ParseBBox(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestBBoxIntersects(t *testing.T) {
	world := BBox{170, -10, -170, 10} // crosses the antimeridian
	tests := []struct {
		name       string
		b          BBox
		x0, y0, x1 float64
		y1         float64
		want       bool
	}{
		{"point inside", BBox{0, 0, 2, 2}, 1, 1, 1, 1, true},
		{"point on the edge", BBox{0, 0, 2, 2}, 2, 2, 2, 2, true},
		{"point outside", BBox{0, 0, 2, 2}, 3, 1, 3, 1, false},
		{"envelope overlapping", BBox{0, 0, 2, 2}, 1, 1, 5, 5, true},
		{"envelope containing the box", BBox{0, 0, 2, 2}, -5, -5, 5, 5, true},
		{"east of the antimeridian", world, 175, 0, 175, 0, true},
		{"west of the antimeridian", world, -175, 0, -175, 0, true},
		{"far from the antimeridian", world, 0, 0, 0, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.b.Intersects(tt.x0, tt.y0, tt.x1, tt.y1); got != tt.want {
				t.Fatalf("%v.Intersects(%v,%v,%v,%v) = %v", tt.b, tt.x0, tt.y0, tt.x1, tt.y1, got)
			}
		})
	}
}

func TestParseLimit(t *testing.T) {
	tests := []struct {
		in   string
		want int
		bad  bool
	}{
		{"", DefaultLimit, false},
		{"1", 1, false},
		{"250", 250, false},
		{"10000", 10000, false},
		{"10001", MaxLimit, false},
		{"99999999999999999999999", MaxLimit, false},
		{"0", 0, true},
		{"-5", 0, true},
		{"1.5", 0, true},
		{"ten", 0, true},
		{"00000000000000000000000", 0, true},
		{"0000000000000000000000042", 42, false},
		{"+7", 7, false},
	}
	for _, tt := range tests {
		t.Run("limit="+tt.in, func(t *testing.T) {
			got, err := ParseLimit(tt.in)
			if tt.bad {
				if !errs.Is(err, errs.Invalid) {
					t.Fatalf("ParseLimit(%q) = %d, %v; want an Invalid error", tt.in, got, err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("ParseLimit(%q) = %d, %v; want %d", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestParseDatetime(t *testing.T) {
	at := func(s string) *time.Time {
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		v = v.UTC()
		return &v
	}
	tests := []struct {
		name string
		in   string
		want Interval
		bad  bool
	}{
		{name: "instant", in: "2024-03-15T10:30:00Z", want: Interval{Start: at("2024-03-15T10:30:00Z"), End: at("2024-03-15T10:30:00Z")}},
		{name: "instant with offset is UTC", in: "2024-03-15T12:30:00+02:00", want: Interval{Start: at("2024-03-15T10:30:00Z"), End: at("2024-03-15T10:30:00Z")}},
		{name: "lower-case t and z", in: "2024-03-15t10:30:00z", want: Interval{Start: at("2024-03-15T10:30:00Z"), End: at("2024-03-15T10:30:00Z")}},
		{name: "date is the whole day", in: "2024-03-15", want: Interval{Start: at("2024-03-15T00:00:00Z"), End: at("2024-03-16T00:00:00Z"), EndExclusive: true}},
		{name: "closed interval", in: "2024-01-01T00:00:00Z/2024-02-01T00:00:00Z", want: Interval{Start: at("2024-01-01T00:00:00Z"), End: at("2024-02-01T00:00:00Z")}},
		{name: "interval of dates includes the last day", in: "2024-01-01/2024-01-31", want: Interval{Start: at("2024-01-01T00:00:00Z"), End: at("2024-02-01T00:00:00Z"), EndExclusive: true}},
		{name: "open start", in: "../2024-02-01T00:00:00Z", want: Interval{End: at("2024-02-01T00:00:00Z")}},
		{name: "empty start", in: "/2024-02-01T00:00:00Z", want: Interval{End: at("2024-02-01T00:00:00Z")}},
		{name: "open end", in: "2024-01-01T00:00:00Z/..", want: Interval{Start: at("2024-01-01T00:00:00Z")}},
		{name: "empty end", in: "2024-01-01T00:00:00Z/", want: Interval{Start: at("2024-01-01T00:00:00Z")}},
		{name: "both ends open refused", in: "../..", bad: true},
		{name: "slash alone refused", in: "/", bad: true},
		{name: "reversed refused", in: "2024-02-01T00:00:00Z/2024-01-01T00:00:00Z", bad: true},
		{name: "no offset refused", in: "2024-03-15T10:30:00", bad: true},
		{name: "two slashes refused", in: "2024-01-01/2024-01-02/2024-01-03", bad: true},
		{name: "garbage refused", in: "yesterday", bad: true},
		{name: "empty refused", in: "", bad: true},
		{name: "invalid month refused", in: "2024-13-01", bad: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseDatetime(tt.in)
			if tt.bad {
				if !errs.Is(err, errs.Invalid) {
					t.Fatalf("ParseDatetime(%q) = %+v, %v; want an Invalid error", tt.in, got, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseDatetime(%q): %v", tt.in, err)
			}
			if !sameTime(got.Start, tt.want.Start) || !sameTime(got.End, tt.want.End) || got.EndExclusive != tt.want.EndExclusive {
				t.Fatalf("ParseDatetime(%q) = %v–%v excl %v; want %v–%v excl %v", tt.in,
					got.Start, got.End, got.EndExclusive, tt.want.Start, tt.want.End, tt.want.EndExclusive)
			}
		})
	}
}

func sameTime(a, b *time.Time) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return a.Equal(*b)
}

func TestParseBBoxCRS(t *testing.T) {
	if err := ParseBBoxCRS(""); err != nil {
		t.Errorf("empty bbox-crs: %v", err)
	}
	if err := ParseBBoxCRS(CRS84); err != nil {
		t.Errorf("CRS84: %v", err)
	}
	if err := ParseBBoxCRS("http://www.opengis.net/def/crs/EPSG/0/2154"); !errs.Is(err, errs.Invalid) {
		t.Errorf("Lambert 93 accepted: %v", err)
	}
}

func FuzzParseBBox(f *testing.F) {
	for _, s := range []string{"-0.6,47.4,-0.5,47.5", "1,2,3,4,5,6", "170,-10,-170,10", "", "a,b,c,d", "1e308,1,1,1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		b, err := ParseBBox(s)
		if err != nil {
			if !errs.Is(err, errs.Invalid) {
				t.Fatalf("ParseBBox(%q): error of kind %v", s, errs.KindOf(err))
			}
			return
		}
		if b.MinLat > b.MaxLat || b.MinLon < -180 || b.MaxLon > 180 || b.MinLat < -90 || b.MaxLat > 90 {
			t.Fatalf("ParseBBox(%q) = %v: out of range", s, b)
		}
		for _, r := range b.Ranges() {
			if r.MinLon > r.MaxLon {
				t.Fatalf("ParseBBox(%q): range %v crosses the antimeridian", s, r)
			}
		}
	})
}

func FuzzParseDatetime(f *testing.F) {
	for _, s := range []string{"2024-03-15T10:30:00Z", "2024-03-15", "../2024-01-01", "2024-01-01T00:00:00+02:00/..", "/", "../..", "2024-01-01/2023-01-01"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		iv, err := ParseDatetime(s)
		if err != nil {
			if !errs.Is(err, errs.Invalid) {
				t.Fatalf("ParseDatetime(%q): error of kind %v", s, errs.KindOf(err))
			}
			return
		}
		if iv.Start == nil && iv.End == nil {
			t.Fatalf("ParseDatetime(%q): both ends open", s)
		}
		if iv.Start != nil && iv.End != nil && iv.End.Before(*iv.Start) {
			t.Fatalf("ParseDatetime(%q): ends before it starts", s)
		}
	})
}

func FuzzParseLimit(f *testing.F) {
	for _, s := range []string{"", "10", "0", "-1", "10001", "1e3", "99999999999999999999999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := ParseLimit(s)
		if err != nil {
			if !errs.Is(err, errs.Invalid) {
				t.Fatalf("ParseLimit(%q): error of kind %v", s, errs.KindOf(err))
			}
			return
		}
		if n < 1 || n > MaxLimit {
			t.Fatalf("ParseLimit(%q) = %d: outside [1, %d]", s, n, MaxLimit)
		}
	})
}
