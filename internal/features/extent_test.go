package features

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/socle/socle/internal/catalog"
)

func TestEnvelope(t *testing.T) {
	tests := []struct {
		name string
		v    any
		want [4]float64
		ok   bool
	}{
		{"point", catalog.GeoPoint{Lon: -0.55, Lat: 47.47}, [4]float64{-0.55, 47.47, -0.55, 47.47}, true},
		{"polygon", json.RawMessage(`{"type":"Polygon","coordinates":[[[0,1],[2,1],[2,3],[0,3],[0,1]]]}`), [4]float64{0, 1, 2, 3}, true},
		{"multipolygon", json.RawMessage(`{"type":"MultiPolygon","coordinates":[[[[0,1],[2,1],[0,1]]],[[[5,-4],[6,1],[5,-4]]]]}`), [4]float64{0, -4, 6, 1}, true},
		{"collection", json.RawMessage(`{"type":"GeometryCollection","geometries":[{"type":"Point","coordinates":[1,2]},{"type":"LineString","coordinates":[[3,4],[-1,0]]}]}`), [4]float64{-1, 0, 3, 4}, true},
		{"shape as text", `{"type":"Point","coordinates":[1,2,300]}`, [4]float64{1, 2, 1, 2}, true},
		{"null", nil, [4]float64{}, false},
		{"not JSON", json.RawMessage(`{`), [4]float64{}, false},
		{"no coordinates", json.RawMessage(`{"type":"Polygon","coordinates":[]}`), [4]float64{}, false},
		{"string coordinates", json.RawMessage(`{"type":"Point","coordinates":["a","b"]}`), [4]float64{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			x0, y0, x1, y1, ok := Envelope(tt.v)
			if ok != tt.ok || (ok && [4]float64{x0, y0, x1, y1} != tt.want) {
				t.Fatalf("Envelope = %v,%v,%v,%v %v; want %v %v", x0, y0, x1, y1, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestExtent(t *testing.T) {
	var e Extent
	if _, ok := e.BBox(); ok {
		t.Fatal("an empty extent has a bbox")
	}
	e.AddGeometry(catalog.GeoPoint{Lon: 1, Lat: 2})
	e.AddGeometry(nil)
	e.AddGeometry(json.RawMessage(`{"type":"LineString","coordinates":[[-3,5],[0,0]]}`))
	if box, ok := e.BBox(); !ok || box != [4]float64{-3, 0, 1, 5} {
		t.Fatalf("bbox %v %v", box, ok)
	}
	t1 := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	t0 := t1.Add(-time.Hour)
	e.AddTime(t1)
	e.AddTime(nil)
	e.AddTime(t0)
	if a, b, ok := e.Interval(); !ok || !a.Equal(t0) || !b.Equal(t1) {
		t.Fatalf("interval %v %v %v", a, b, ok)
	}
}

func FuzzEnvelope(f *testing.F) {
	for _, s := range []string{`{"type":"Point","coordinates":[1,2]}`, `{"type":"GeometryCollection","geometries":[]}`, `[[[[[[1]]]]]]`, `{"coordinates":[[1e400,2]]}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		x0, y0, x1, y1, ok := Envelope(json.RawMessage(s))
		if ok && (x0 > x1 || y0 > y1) {
			t.Fatalf("Envelope(%q) = %v,%v,%v,%v: inverted", s, x0, y0, x1, y1)
		}
	})
}
