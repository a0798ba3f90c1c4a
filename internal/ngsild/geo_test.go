package ngsild

import (
	"math"
	"testing"

	"github.com/socle/socle/internal/errs"
)

func TestGeoQueryMatches(t *testing.T) {
	here := &Point{-0.55, 47.47}
	for _, tc := range []struct {
		name, rel, geom, coords string
		at                      *Point
		want                    bool
	}{
		{"near within max distance", "near;maxDistance==500", "Point", "[-0.554,47.47]", here, true},
		{"near beyond max distance", "near;maxDistance==200", "Point", "[-0.554,47.47]", here, false},
		{"near beyond min distance", "near;minDistance==200", "Point", "[-0.554,47.47]", here, true},
		{"within polygon", "within", "Polygon", "[[[-1,47],[0,47],[0,48],[-1,48],[-1,47]]]", here, true},
		{"outside polygon", "within", "Polygon", "[[[0,47],[1,47],[1,48],[0,48],[0,47]]]", here, false},
		{"disjoint", "disjoint", "Polygon", "[[[0,47],[1,47],[1,48],[0,48],[0,47]]]", here, true},
		{"equals", "equals", "Point", "[-0.55,47.47]", here, true},
		{"no location", "near;maxDistance==500", "Point", "[-0.55,47.47]", nil, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q, err := ParseGeoQuery(tc.rel, tc.geom, tc.coords)
			if err != nil {
				t.Fatal(err)
			}
			if got := q.Match(tc.at); got != tc.want {
				t.Errorf("got %v", got)
			}
			if b, ok := q.Bounds(); ok && tc.want && tc.rel != "disjoint" && (here.Lon < b.MinLon || here.Lon > b.MaxLon || here.Lat < b.MinLat || here.Lat > b.MaxLat) {
				t.Errorf("bounds %v leave the match out", b)
			}
		})
	}
}

func TestGeoQueryRefused(t *testing.T) {
	for _, tc := range [][3]string{
		{"near", "Point", "[0,0]"}, {"near;maxDistance==x", "Point", "[0,0]"}, {"near;maxDistance==10", "Polygon", "[[[0,0],[1,0],[1,1],[0,0]]]"},
		{"within", "Point", "[0,0]"}, {"nearby", "Point", "[0,0]"}, {"near;maxDistance==10", "Point", "[0,91]"},
		{"near;maxDistance==10", "Point", "0,0"}, {"near;maxDistance==10", "Circle", "[0,0]"}, {"", "Point", "[0,0]"},
	} {
		t.Run(tc[0]+" "+tc[1]+" "+tc[2], func(t *testing.T) {
			if _, err := ParseGeoQuery(tc[0], tc[1], tc[2]); !errs.Is(err, errs.Invalid) {
				t.Fatalf("got %v, want Invalid", err)
			}
		})
	}
}

func TestDistance(t *testing.T) {
	// One degree of latitude is about 111.2 km.
	if d := Distance(Point{0, 0}, Point{0, 1}); math.Abs(d-111_195) > 10 {
		t.Errorf("got %v", d)
	}
}

func FuzzParseGeoQuery(f *testing.F) {
	f.Add("near;maxDistance==500", "Point", "[-0.55,47.47]")
	f.Add("within", "Polygon", "[[[0,0],[1,0],[1,1],[0,1],[0,0]]]")
	f.Add("intersects", "MultiPolygon", "[[[[0,0],[1,0],[1,1],[0,0]]]]")
	f.Fuzz(func(t *testing.T, rel, geom, coords string) {
		q, err := ParseGeoQuery(rel, geom, coords)
		if err != nil {
			if !errs.Is(err, errs.Invalid) {
				t.Fatalf("error of kind %s", errs.KindOf(err))
			}
			return
		}
		q.Match(&Point{0, 0})
		q.Bounds()
	})
}
