package maintenance

import (
	"math"

	"github.com/socle/socle/internal/catalog"
)

// Waste rounds: a truck leaves the depot, empties every container of the
// round and comes back. Finding the shortest such tour is the travelling
// salesman problem; a round is planned with the classic sound heuristic
// instead: the nearest-neighbour tour from the depot, then improved by
// 2-opt (reversing a stretch of the tour whenever that shortens it, which
// untangles every crossing) until no reversal helps. Distances are
// great-circle (haversine) distances, a fair proxy for road distances
// within a territory. Everything here is pure and deterministic: ties go
// to the lower index.

// MaxRoundStops bounds a round: the distance matrix takes n² floats.
const MaxRoundStops = 2000

// earthRadius is the mean Earth radius in metres (IUGG).
const earthRadius = 6371008.8

// Distance returns the great-circle distance in metres between a and b.
func Distance(a, b catalog.GeoPoint) float64 {
	const rad = math.Pi / 180
	dLat, dLon := (b.Lat-a.Lat)*rad, (b.Lon-a.Lon)*rad
	h := math.Sin(dLat/2)*math.Sin(dLat/2) + math.Cos(a.Lat*rad)*math.Cos(b.Lat*rad)*math.Sin(dLon/2)*math.Sin(dLon/2)
	return 2 * earthRadius * math.Asin(math.Min(1, math.Sqrt(h)))
}

// matrix holds the distances between the depot (node 0) and the points
// (node i+1 for point i).
type matrix struct {
	n int
	d []float64
}

func newMatrix(depot catalog.GeoPoint, pts []catalog.GeoPoint) *matrix {
	nodes := append([]catalog.GeoPoint{depot}, pts...)
	m := &matrix{n: len(nodes), d: make([]float64, len(nodes)*len(nodes))}
	for i := range nodes {
		for j := i + 1; j < len(nodes); j++ {
			v := Distance(nodes[i], nodes[j])
			m.d[i*m.n+j], m.d[j*m.n+i] = v, v
		}
	}
	return m
}

func (m *matrix) at(i, j int) float64 { return m.d[i*m.n+j] }

// Tour is a planned round: the order in which to visit the points (indexes
// into the points given) and the length of the closed tour, depot to depot,
// in metres.
type Tour struct {
	Order  []int
	Length float64
}

// NearestNeighbour returns the tour that always drives to the nearest
// container not yet emptied, the baseline 2-opt improves on.
func NearestNeighbour(depot catalog.GeoPoint, pts []catalog.GeoPoint) Tour {
	m := newMatrix(depot, pts)
	order := nearest(m)
	return Tour{Order: order, Length: tourLength(m, order)}
}

// PlanRound returns the nearest-neighbour tour improved by 2-opt. Its
// length is never longer than NearestNeighbour's.
func PlanRound(depot catalog.GeoPoint, pts []catalog.GeoPoint) Tour {
	m := newMatrix(depot, pts)
	order := twoOpt(m, nearest(m))
	return Tour{Order: order, Length: tourLength(m, order)}
}

// TwoOpt improves order (a tour over pts from depot) by 2-opt and returns
// the improved tour; order itself is not changed.
func TwoOpt(depot catalog.GeoPoint, pts []catalog.GeoPoint, order []int) Tour {
	m := newMatrix(depot, pts)
	out := twoOpt(m, append([]int(nil), order...))
	return Tour{Order: out, Length: tourLength(m, out)}
}

// nearest builds the nearest-neighbour order (point indexes).
func nearest(m *matrix) []int {
	visited := make([]bool, m.n)
	order := make([]int, 0, m.n-1)
	cur := 0
	for range m.n - 1 {
		best, bestD := -1, math.Inf(1)
		for j := 1; j < m.n; j++ {
			if !visited[j] && m.at(cur, j) < bestD {
				best, bestD = j, m.at(cur, j)
			}
		}
		visited[best] = true
		order = append(order, best-1)
		cur = best
	}
	return order
}

// improvement is the least gain a reversal must bring, so that rounding
// noise cannot make 2-opt cycle.
const improvement = 1e-7

// twoOpt applies first-improvement 2-opt moves to order until none
// shortens the tour. The tour is depot, order..., depot: with the depot
// fixed at both ends, reversing tour[i..j] replaces the edges (i-1, i) and
// (j, j+1) by (i-1, j) and (i, j+1).
func twoOpt(m *matrix, order []int) []int {
	tour := make([]int, len(order)+2) // node numbers, depot at both ends
	for i, p := range order {
		tour[i+1] = p + 1
	}
	for improved := true; improved; {
		improved = false
		for i := 1; i < len(tour)-2; i++ {
			for j := i + 1; j < len(tour)-1; j++ {
				a, b, c, d := tour[i-1], tour[i], tour[j], tour[j+1]
				if m.at(a, c)+m.at(b, d) < m.at(a, b)+m.at(c, d)-improvement {
					reverse(tour[i : j+1])
					improved = true
				}
			}
		}
	}
	for i := range order {
		order[i] = tour[i+1] - 1
	}
	return order
}

func reverse(s []int) {
	for i, j := 0, len(s)-1; i < j; i, j = i+1, j-1 {
		s[i], s[j] = s[j], s[i]
	}
}

func tourLength(m *matrix, order []int) float64 {
	total, cur := 0.0, 0
	for _, p := range order {
		total += m.at(cur, p+1)
		cur = p + 1
	}
	return total + m.at(cur, 0)
}

// Legs returns, for each stop of order, the distance driven from the depot
// to it along the tour (cumulative), and the length of the closed tour.
func Legs(depot catalog.GeoPoint, pts []catalog.GeoPoint, order []int) (cumulative []float64, total float64) {
	cur, sum := depot, 0.0
	cumulative = make([]float64, len(order))
	for i, p := range order {
		sum += Distance(cur, pts[p])
		cumulative[i], cur = sum, pts[p]
	}
	return cumulative, sum + Distance(cur, depot)
}
