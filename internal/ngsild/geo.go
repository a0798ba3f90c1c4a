package ngsild

import (
	"encoding/json"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/socle/socle/internal/errs"
)

// Geometry is a GeoJSON geometry reduced to what geo-queries need: its
// type and its positions ([lon, lat]), polygons as their outer ring.
type Geometry struct {
	Type   string
	Points []Point
}

// geometryOf reads a GeoJSON geometry object.
func geometryOf(v any) (*Geometry, error) {
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, errs.E(errs.Invalid, "a GeoProperty's value must be a GeoJSON geometry")
	}
	t, _ := obj["type"].(string)
	return parseGeometry(t, obj["coordinates"])
}

// maxPositions bounds a geometry.
const maxPositions = 10_000

// parseGeometry reads the coordinates of a geometry of type t.
func parseGeometry(t string, coords any) (*Geometry, error) {
	if !slices.Contains(geoTypes, t) {
		return nil, errs.E(errs.Invalid, "unknown geometry %q (%s)", t, strings.Join(geoTypes, ", "))
	}
	depth := map[string]int{"Point": 0, "MultiPoint": 1, "LineString": 1, "MultiLineString": 2, "Polygon": 2, "MultiPolygon": 3}[t]
	g := &Geometry{Type: t}
	if err := collect(coords, depth, t == "Polygon" || t == "MultiPolygon", &g.Points); err != nil {
		return nil, errs.E(errs.Invalid, "%s coordinates: %s", t, errs.Message(err))
	}
	if len(g.Points) == 0 {
		return nil, errs.E(errs.Invalid, "%s has no position", t)
	}
	if t == "Polygon" && len(g.Points) < 4 {
		return nil, errs.E(errs.Invalid, "a Polygon ring needs at least 4 positions")
	}
	return g, nil
}

// collect appends the positions of a coordinates array nested depth
// levels above positions; of polygons (rings) only the outer ring is kept.
func collect(v any, depth int, rings bool, out *[]Point) error {
	list, ok := v.([]any)
	if !ok {
		return errs.E(errs.Invalid, "expected an array")
	}
	if depth == 0 {
		p, err := position(list)
		if err != nil {
			return err
		}
		if len(*out) == maxPositions {
			return errs.E(errs.Invalid, "more than %d positions", maxPositions)
		}
		*out = append(*out, p)
		return nil
	}
	if rings && depth == 2 && len(list) > 1 {
		list = list[:1] // holes are ignored
	}
	for _, item := range list {
		if err := collect(item, depth-1, rings, out); err != nil {
			return err
		}
	}
	return nil
}

func position(list []any) (Point, error) {
	if len(list) < 2 || len(list) > 3 {
		return Point{}, errs.E(errs.Invalid, "a position is [lon, lat]")
	}
	lon, ok1 := list[0].(float64)
	lat, ok2 := list[1].(float64)
	switch {
	case !ok1 || !ok2:
		return Point{}, errs.E(errs.Invalid, "a position is two numbers")
	case lon < -180 || lon > 180 || lat < -90 || lat > 90:
		return Point{}, errs.E(errs.Invalid, "position [%v, %v] is outside WGS 84", lon, lat)
	}
	return Point{lon, lat}, nil
}

// Center is a Point's position, else the centre of the bounding box.
func (g *Geometry) Center() *Point {
	if g.Type == "Point" {
		p := g.Points[0]
		return &p
	}
	b := g.Box()
	return &Point{(b.MinLon + b.MaxLon) / 2, (b.MinLat + b.MaxLat) / 2}
}

// Box is a bounding box in degrees.
type Box struct{ MinLon, MinLat, MaxLon, MaxLat float64 }

// Box returns the geometry's bounding box.
func (g *Geometry) Box() Box {
	b := Box{math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)}
	for _, p := range g.Points {
		b.MinLon, b.MaxLon = min(b.MinLon, p.Lon), max(b.MaxLon, p.Lon)
		b.MinLat, b.MaxLat = min(b.MinLat, p.Lat), max(b.MaxLat, p.Lat)
	}
	return b
}

// Georel relations.
const (
	RelNear       = "near"
	RelWithin     = "within"
	RelIntersects = "intersects"
	RelEquals     = "equals"
	RelDisjoint   = "disjoint"
	RelContains   = "contains"
	RelOverlaps   = "overlaps"
)

// GeoQuery is a parsed georel/geometry/coordinates triple. Entities are
// compared through their location point.
type GeoQuery struct {
	Rel         string
	MaxDistance float64 // metres, near only; 0 when not given
	MinDistance float64
	Geometry    *Geometry
}

// ParseGeoQuery reads the georel, geometry and coordinates parameters.
// errs.Invalid (BadRequestData) for any mistake; errs.Invalid with
// OperationNotSupported for relations Socle does not evaluate.
func ParseGeoQuery(georel, geometry, coordinates string) (*GeoQuery, error) {
	if georel == "" || geometry == "" || coordinates == "" {
		return nil, errs.WithCode(errs.Invalid, "BadRequestData", "georel, geometry and coordinates go together")
	}
	if len(coordinates) > MaxQueryLength || len(georel) > 256 {
		return nil, errs.WithCode(errs.Invalid, "BadRequestData", "geo-query too long")
	}
	q := &GeoQuery{}
	parts := strings.Split(georel, ";")
	q.Rel = parts[0]
	switch q.Rel {
	case RelNear:
		if err := q.parseDistances(parts[1:]); err != nil {
			return nil, err
		}
	case RelWithin, RelIntersects, RelEquals, RelDisjoint:
		if len(parts) > 1 {
			return nil, errs.WithCode(errs.Invalid, "BadRequestData", "georel %s takes no modifier", q.Rel)
		}
	case RelContains, RelOverlaps:
		return nil, errs.WithCode(errs.Invalid, "OperationNotSupported", "georel %s is not supported: entities are located by a point", q.Rel)
	default:
		return nil, errs.WithCode(errs.Invalid, "BadRequestData", "unknown georel %q", truncate(q.Rel, 40))
	}
	var coords any
	if err := json.Unmarshal([]byte(coordinates), &coords); err != nil {
		return nil, errs.WithCode(errs.Invalid, "BadRequestData", "coordinates must be a JSON array such as [-0.55,47.47]")
	}
	g, err := parseGeometry(geometry, coords)
	if err != nil {
		return nil, errs.WithCode(errs.Invalid, "BadRequestData", "%s", errs.Message(err))
	}
	q.Geometry = g
	if q.Rel == RelNear && g.Type != "Point" {
		return nil, errs.WithCode(errs.Invalid, "BadRequestData", "near takes a Point")
	}
	if q.Rel == RelWithin && g.Type != "Polygon" {
		return nil, errs.WithCode(errs.Invalid, "BadRequestData", "within takes a Polygon")
	}
	return q, nil
}

func (q *GeoQuery) parseDistances(mods []string) error {
	if len(mods) != 1 {
		return errs.WithCode(errs.Invalid, "BadRequestData", "near needs one of maxDistance==<m> or minDistance==<m>")
	}
	k, v, ok := strings.Cut(mods[0], "==")
	d, err := strconv.ParseFloat(v, 64)
	if !ok || err != nil || d < 0 || math.IsInf(d, 0) || math.IsNaN(d) {
		return errs.WithCode(errs.Invalid, "BadRequestData", "near needs maxDistance==<metres> or minDistance==<metres>")
	}
	switch k {
	case "maxDistance":
		q.MaxDistance = d
	case "minDistance":
		q.MinDistance = d
	default:
		return errs.WithCode(errs.Invalid, "BadRequestData", "unknown near modifier %q", truncate(k, 40))
	}
	return nil
}

// Match reports whether an entity located at p satisfies q.
func (q *GeoQuery) Match(p *Point) bool {
	if p == nil {
		return false
	}
	switch q.Rel {
	case RelNear:
		d := Distance(*p, q.Geometry.Points[0])
		return (q.MaxDistance == 0 || d <= q.MaxDistance) && d >= q.MinDistance
	case RelWithin, RelIntersects:
		return q.covers(*p)
	case RelEquals:
		return q.Geometry.Type == "Point" && *p == q.Geometry.Points[0]
	case RelDisjoint:
		return !q.covers(*p)
	}
	return false
}

// covers reports whether p lies in the query geometry: inside a Polygon
// (ray casting on the outer ring), on a Point.
func (q *GeoQuery) covers(p Point) bool {
	g := q.Geometry
	switch g.Type {
	case "Polygon":
		return inRing(p, g.Points)
	case "Point":
		return p == g.Points[0]
	case "MultiPoint":
		return slices.Contains(g.Points, p)
	}
	return false
}

func inRing(p Point, ring []Point) bool {
	in := false
	for i, j := 0, len(ring)-1; i < len(ring); j, i = i, i+1 {
		a, b := ring[i], ring[j]
		if (a.Lat > p.Lat) != (b.Lat > p.Lat) && p.Lon < (b.Lon-a.Lon)*(p.Lat-a.Lat)/(b.Lat-a.Lat)+a.Lon {
			in = !in
		}
	}
	return in
}

// Bounds is a box that holds every matching location, for the SQL
// prefilter; ok is false when the relation cannot be bounded (disjoint,
// minDistance alone).
func (q *GeoQuery) Bounds() (Box, bool) {
	switch q.Rel {
	case RelNear:
		if q.MaxDistance == 0 {
			return Box{}, false
		}
		c := q.Geometry.Points[0]
		dLat := q.MaxDistance / 111_000 * 1.01
		cos := math.Cos(c.Lat * math.Pi / 180)
		dLon := 180.0
		if cos > 0.01 {
			dLon = min(180, dLat/cos)
		}
		return Box{c.Lon - dLon, c.Lat - dLat, c.Lon + dLon, c.Lat + dLat}, true
	case RelDisjoint:
		return Box{}, false
	}
	return q.Geometry.Box(), true
}

// earthRadius is the mean Earth radius in metres (IUGG).
const earthRadius = 6_371_008.8

// Distance is the great-circle distance in metres (haversine).
func Distance(a, b Point) float64 {
	rad := math.Pi / 180
	dLat, dLon := (b.Lat-a.Lat)*rad, (b.Lon-a.Lon)*rad
	h := math.Sin(dLat/2)*math.Sin(dLat/2) + math.Cos(a.Lat*rad)*math.Cos(b.Lat*rad)*math.Sin(dLon/2)*math.Sin(dLon/2)
	return 2 * earthRadius * math.Asin(math.Min(1, math.Sqrt(h)))
}
