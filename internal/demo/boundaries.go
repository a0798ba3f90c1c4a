package demo

import (
	"encoding/json"
	"math"
	"strconv"

	"github.com/socle/socle/internal/catalog"
)

func communeBoundaries() *DatasetSpec {
	d := dataset("perimetres-communes", catalog.AccessPublic, period(catalog.Metadata{
		Title:       "Périmètres des communes",
		Description: "Contours simplifiés des communes membres (polygones approximatifs autour du centre de chaque commune), population et superficie.",
		Publisher:   MetropolisID,
		Keywords:    []string{"communes", "limites administratives", "contours", "population"},
		Themes:      []string{"REGI", "GOVE"},
		Frequency:   "ANNUAL",
	}, day(2026, 1, 1), day(2026, 12, 31)),
		field("commune", "Commune", catalog.TypeText, "", ""),
		field("code_insee", "Code INSEE", catalog.TypeText, "", "Code officiel géographique (fictif)."),
		field("population", "Population municipale", catalog.TypeInt, "habitants", ""),
		field("superficie", "Superficie", catalog.TypeDouble, "km²", "Superficie du polygone."),
		field("densite", "Densité", catalog.TypeDouble, "hab/km²", ""),
		field("geo_shape", "Contour", catalog.TypeGeoShape, "", "Polygone GeoJSON (WGS84)."),
		geoField("Centre de la commune."),
	)
	return &DatasetSpec{Dataset: d, Keys: []string{"code_insee"}, Rows: func() catalog.RowSource {
		r := newRand(d.ID)
		return &source{n: len(communes), row: func(i int) catalog.Row {
			c := communes[i]
			const sides = 10
			ring := make([][2]float64, sides+1)
			kmLon := 111.2 * math.Cos(c.lat*math.Pi/180)
			for k := range sides {
				a := 2 * math.Pi * float64(k) / sides // counterclockwise, as RFC 7946 wants
				d := c.radiusKm() * between(r, 0.88, 1.12)
				ring[k] = [2]float64{round(c.lon+d*math.Cos(a)/kmLon, 6), round(c.lat+d*math.Sin(a)/111.2, 6)}
			}
			ring[sides] = ring[0]
			area := round(ringArea(ring, kmLon), 2)
			return catalog.Row{
				c.name, c.insee, int64(c.pop), area, round(float64(c.pop)/area, 0),
				polygon(ring), catalog.GeoPoint{Lon: c.lon, Lat: c.lat},
			}
		}}
	}}
}

// ringArea is the area in km² of a small closed ring (shoelace formula on
// a local equirectangular projection).
func ringArea(ring [][2]float64, kmLon float64) float64 {
	s := 0.0
	for k := 0; k+1 < len(ring); k++ {
		s += ring[k][0]*kmLon*ring[k+1][1]*111.2 - ring[k+1][0]*kmLon*ring[k][1]*111.2
	}
	return math.Abs(s) / 2
}

// polygon renders a GeoJSON Polygon geometry with one ring.
func polygon(ring [][2]float64) json.RawMessage {
	b := []byte(`{"type":"Polygon","coordinates":[[`)
	for k, p := range ring {
		if k > 0 {
			b = append(b, ',')
		}
		b = append(b, '[')
		b = strconv.AppendFloat(b, p[0], 'f', -1, 64)
		b = append(b, ',')
		b = strconv.AppendFloat(b, p[1], 'f', -1, 64)
		b = append(b, ']')
	}
	return append(b, "]]}"...)
}
