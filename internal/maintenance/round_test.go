package maintenance

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/socle/socle/internal/catalog"
)

// pt returns a point near Angers, x and y in hundredths of a degree.
func pt(x, y float64) catalog.GeoPoint {
	return catalog.GeoPoint{Lon: -0.55 + x/100, Lat: 47.47 + y/100}
}

func TestDistance(t *testing.T) {
	for _, tc := range []struct {
		name string
		a, b catalog.GeoPoint
		want float64 // metres
	}{
		{"a point is at zero metres from itself", pt(0, 0), pt(0, 0), 0},
		{"a degree of latitude is about 111.2 km", catalog.GeoPoint{Lat: 0}, catalog.GeoPoint{Lat: 1}, 111195},
		{"Paris to Lyon is about 392 km", catalog.GeoPoint{Lon: 2.3522, Lat: 48.8566}, catalog.GeoPoint{Lon: 4.8357, Lat: 45.764}, 392000},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Distance(tc.a, tc.b); math.Abs(got-tc.want) > tc.want*0.002+0.5 {
				t.Errorf("got %.0f m, want %.0f m", got, tc.want)
			}
		})
	}
}

func TestPlanRound(t *testing.T) {
	for _, tc := range []struct {
		name  string
		depot catalog.GeoPoint
		pts   []catalog.GeoPoint
		want  [][]int // acceptable orders
	}{
		{"no container gives an empty round", pt(0, 0), nil, [][]int{{}}},
		{"one container is a return trip", pt(0, 0), []catalog.GeoPoint{pt(1, 0)}, [][]int{{0}}},
		{"containers on a line are visited outward", pt(0, 0),
			[]catalog.GeoPoint{pt(3, 0), pt(1, 0), pt(2, 0)}, [][]int{{1, 2, 0}}},
		// Nearest neighbour drives (0,1), (2,3), (4,3), (0,4), then
		// crosses its own path down to (4,0); 2-opt untangles it.
		{"2-opt untangles the crossing nearest neighbour leaves", pt(0, 0),
			[]catalog.GeoPoint{pt(0, 4), pt(4, 3), pt(4, 0), pt(0, 1), pt(2, 3)},
			[][]int{{3, 0, 4, 1, 2}, {2, 1, 4, 0, 3}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := PlanRound(tc.depot, tc.pts)
			if !slices.ContainsFunc(tc.want, func(w []int) bool { return slices.Equal(w, got.Order) || len(w) == 0 && len(got.Order) == 0 }) {
				t.Errorf("order %v, want one of %v", got.Order, tc.want)
			}
			_, total := Legs(tc.depot, tc.pts, got.Order)
			if math.Abs(total-got.Length) > 1e-6 {
				t.Errorf("length %v, legs say %v", got.Length, total)
			}
		})
	}
}

func TestNearestNeighbourCrosses(t *testing.T) {
	pts := []catalog.GeoPoint{pt(0, 4), pt(4, 3), pt(4, 0), pt(0, 1), pt(2, 3)}
	nn, planned := NearestNeighbour(pt(0, 0), pts), PlanRound(pt(0, 0), pts)
	if !slices.Equal(nn.Order, []int{3, 4, 1, 0, 2}) {
		t.Errorf("nearest neighbour's order %v", nn.Order)
	}
	if ratio := planned.Length / nn.Length; ratio > 0.85 {
		t.Errorf("2-opt shortened the tour only to %.2f of nearest neighbour's", ratio)
	}
}

func TestTwoOptUntanglesASquare(t *testing.T) {
	depot := pt(0, 0)
	pts := []catalog.GeoPoint{pt(0, 1), pt(1, 1), pt(1, 0)}
	// depot → (1,1) → (0,1) → (1,0) → depot crosses itself.
	got := TwoOpt(depot, pts, []int{1, 0, 2})
	if !slices.Equal(got.Order, []int{0, 1, 2}) && !slices.Equal(got.Order, []int{2, 1, 0}) {
		t.Errorf("order %v, want the square's perimeter", got.Order)
	}
	crossed := TwoOpt(depot, pts, []int{0, 1, 2}) // already optimal: kept
	if !slices.Equal(crossed.Order, []int{0, 1, 2}) {
		t.Errorf("an optimal tour changed to %v", crossed.Order)
	}
}

// randomPoints returns n points spread over about 20 km.
func randomPoints(r *rand.Rand, n int) []catalog.GeoPoint {
	pts := make([]catalog.GeoPoint, n)
	for i := range pts {
		pts[i] = pt(r.Float64()*25, r.Float64()*18)
	}
	return pts
}

func TestTwoOptNeverLengthens(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for range 200 {
		pts := randomPoints(r, 1+r.IntN(40))
		depot := pt(r.Float64()*25, r.Float64()*18)
		start := r.Perm(len(pts))
		m := newMatrix(depot, pts)
		before := tourLength(m, start)
		got := TwoOpt(depot, pts, start)
		if got.Length > before+1e-6 {
			t.Fatalf("2-opt lengthened a tour from %v to %v", before, got.Length)
		}
		if sorted := slices.Sorted(slices.Values(got.Order)); !slices.Equal(sorted, seq(len(pts))) {
			t.Fatalf("2-opt lost or repeated stops: %v", got.Order)
		}
		if nn := NearestNeighbour(depot, pts); PlanRound(depot, pts).Length > nn.Length+1e-6 {
			t.Fatalf("the planned round is longer than nearest neighbour's")
		}
	}
}

func seq(n int) []int {
	s := make([]int, n)
	for i := range s {
		s[i] = i
	}
	return s
}

// The benchmarks plan a round of 500 containers; BenchmarkNearestNeighbour
// is the baseline (docs/benchmarks.md, "Waste rounds"); each reports the
// tour length in km.
func BenchmarkNearestNeighbour(b *testing.B) { benchRound(b, NearestNeighbour) }

func BenchmarkPlanRound(b *testing.B) { benchRound(b, PlanRound) }

func benchRound(b *testing.B, plan func(catalog.GeoPoint, []catalog.GeoPoint) Tour) {
	pts := randomPoints(rand.New(rand.NewPCG(3, 4)), 500)
	var tour Tour
	for b.Loop() {
		tour = plan(pt(12, 9), pts)
	}
	b.ReportMetric(tour.Length/1000, "km")
}
