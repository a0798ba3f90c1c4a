package features

import (
	"encoding/json"
	"math"
	"time"

	"github.com/socle/socle/internal/catalog"
)

// Extent accumulates a collection's spatial extent (CRS84) and temporal
// extent from its features' geometries and instants.
type Extent struct {
	minLon, minLat, maxLon, maxLat float64
	hasBox                         bool
	first, last                    time.Time
	hasTime                        bool
}

// AddGeometry widens the extent by a geometry value: a catalog.GeoPoint or
// a GeoJSON geometry (geo_shape). Null and unreadable values add nothing.
func (e *Extent) AddGeometry(v any) {
	minLon, minLat, maxLon, maxLat, ok := Envelope(v)
	if !ok {
		return
	}
	if !e.hasBox {
		e.minLon, e.minLat, e.maxLon, e.maxLat, e.hasBox = minLon, minLat, maxLon, maxLat, true
		return
	}
	e.minLon, e.minLat = math.Min(e.minLon, minLon), math.Min(e.minLat, minLat)
	e.maxLon, e.maxLat = math.Max(e.maxLon, maxLon), math.Max(e.maxLat, maxLat)
}

// AddTime widens the temporal extent by a date or datetime value.
func (e *Extent) AddTime(v any) {
	t, ok := v.(time.Time)
	if !ok {
		return
	}
	if !e.hasTime || t.Before(e.first) {
		e.first = t
	}
	if !e.hasTime || t.After(e.last) {
		e.last = t
	}
	e.hasTime = true
}

// BBox returns the spatial extent, false when no feature has a geometry.
func (e *Extent) BBox() ([4]float64, bool) {
	return [4]float64{e.minLon, e.minLat, e.maxLon, e.maxLat}, e.hasBox
}

// Interval returns the temporal extent, false when no instant was seen.
func (e *Extent) Interval() (first, last time.Time, ok bool) {
	return e.first, e.last, e.hasTime
}

// Envelope returns the bounding box of a geometry value, false when it is
// null, unreadable or has no finite coordinates.
func Envelope(v any) (minLon, minLat, maxLon, maxLat float64, ok bool) {
	switch g := v.(type) {
	case catalog.GeoPoint:
		if finite(g.Lon) && finite(g.Lat) {
			return g.Lon, g.Lat, g.Lon, g.Lat, true
		}
	case *catalog.GeoPoint:
		if g != nil {
			return Envelope(*g)
		}
	case json.RawMessage:
		return shapeEnvelope(g)
	case []byte:
		return shapeEnvelope(g)
	case string:
		return shapeEnvelope([]byte(g))
	}
	return 0, 0, 0, 0, false
}

// shapeEnvelope walks a GeoJSON geometry's coordinates (any type,
// GeometryCollection included, nested at most a few levels).
func shapeEnvelope(b []byte) (minLon, minLat, maxLon, maxLat float64, ok bool) {
	var e Extent
	if !walkGeometry(b, &e, 0) {
		return 0, 0, 0, 0, false
	}
	box, ok := e.BBox()
	return box[0], box[1], box[2], box[3], ok
}

type geometry struct {
	Type        string            `json:"type"`
	Coordinates json.RawMessage   `json:"coordinates"`
	Geometries  []json.RawMessage `json:"geometries"`
}

func walkGeometry(b []byte, e *Extent, depth int) bool {
	var g geometry
	if depth > 4 || json.Unmarshal(b, &g) != nil {
		return false
	}
	if g.Type == "GeometryCollection" {
		for _, m := range g.Geometries {
			if !walkGeometry(m, e, depth+1) {
				return false
			}
		}
		return true
	}
	var coords any
	if json.Unmarshal(g.Coordinates, &coords) != nil {
		return false
	}
	return walkCoords(coords, e, 0)
}

// walkCoords adds every position of nested coordinate arrays (at most
// four levels: a MultiPolygon's) to e.
func walkCoords(v any, e *Extent, depth int) bool {
	a, ok := v.([]any)
	if !ok || depth > 4 {
		return false
	}
	if len(a) >= 2 {
		lon, ok1 := a[0].(float64)
		lat, ok2 := a[1].(float64)
		if ok1 && ok2 {
			if !finite(lon) || !finite(lat) {
				return false
			}
			e.AddGeometry(catalog.GeoPoint{Lon: lon, Lat: lat})
			return true
		}
	}
	for _, x := range a {
		if !walkCoords(x, e, depth+1) {
			return false
		}
	}
	return true
}

func finite(f float64) bool { return !math.IsNaN(f) && !math.IsInf(f, 0) }
