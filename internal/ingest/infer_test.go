package ingest

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/socle/socle/internal/catalog"
)

// inferColumn infers the type of one column named name holding cells.
func inferColumn(name string, delimiter rune, cells ...string) catalog.FieldType {
	in := NewInferrer([]string{name}, delimiter)
	for _, c := range cells {
		in.Add([]string{c})
	}
	return in.Fields()[0].Type
}

func TestInferColumnTypes(t *testing.T) {
	tests := []struct {
		name      string
		column    string
		delimiter rune
		cells     []string
		want      catalog.FieldType
	}{
		{"integers with signs and spaces", "n", ';', []string{"1", "-2", "+3", "1 234", "12\u00a0345\u00a0678", "9\u202f999"}, catalog.TypeInt},
		{"0 and 1 stay int", "flag", ',', []string{"0", "1", "1"}, catalog.TypeInt},
		{"leading zero is a code", "commune", ',', []string{"01053", "75056"}, catalog.TypeText},
		{"16 digits are an identifier", "ref", ',', []string{"1234567890123456"}, catalog.TypeText},
		{"SIRET column stays text", "idBeneficiaire", ',', []string{"21310458100011"}, catalog.TypeText},
		{"float-serialised SIRET stays text", "ATTRIB_SIRET", ';', []string{"45032466000000.0"}, catalog.TypeText},
		{"dot decimals", "x", ',', []string{"10000.0", "3", "-0.5", "1e3"}, catalog.TypeDouble},
		{"decimal comma in a semicolon file", "montant", ';', []string{"26 956,00", "12,5"}, catalog.TypeDouble},
		{"decimal comma refused in a comma file", "montant", ',', []string{"12,5"}, catalog.TypeText},
		{"bad thousands grouping", "n", ';', []string{"12 34"}, catalog.TypeText},
		{"booleans in French and English", "ok", ',', []string{"Oui", "NON", "vrai", "Faux", "true", "no"}, catalog.TypeBoolean},
		{"dates in three orders", "d", ',', []string{"2017-09-08", "08/09/2017", "2017/09/08"}, catalog.TypeDate},
		{"impossible date", "d", ',', []string{"2017-02-30"}, catalog.TypeText},
		{"dates and datetimes make datetimes", "d", ',', []string{"2017-09-08", "2017-09-08T10:00:00Z"}, catalog.TypeDateTime},
		{"all datetime offset forms", "t", ',', []string{"2021-09-15T00:00:00Z", "2021-09-15T00:00:00+02:00", "2021-09-15T00:00:00+0200", "2021-09-15T00:00:00+02", "2021-09-15 00:00", "2021-09-15T00:00:00.123-05:30"}, catalog.TypeDateTime},
		{"geo_point_2d text", "geo_point_2d", ';', []string{"47.47, -0.55", "48.85,2.35"}, catalog.TypeGeoPoint},
		{"geo point JSON array", "coordonnees", ',', []string{"[47.47, -0.55]"}, catalog.TypeGeoPoint},
		{"point text without a point name", "valeurs", ';', []string{"47.47, -0.55"}, catalog.TypeText},
		{"geo point out of range", "geopoint", ';', []string{"147.47, -0.55"}, catalog.TypeText},
		{"geometry", "geom", ',', []string{`{"type":"Point","coordinates":[2.35,48.85]}`, `{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]}`}, catalog.TypeGeoShape},
		{"geometries as Features (Opendatasoft's geo_shape exports)", "geo_shape", ',', []string{`{"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]},"properties":{}}`}, catalog.TypeGeoShape},
		{"a Feature without geometry is not a shape", "geom", ',', []string{`{"type":"Feature","geometry":null}`}, catalog.TypeJSON},
		{"json objects and arrays", "extra", ',', []string{`{"a":1}`, `[1,2]`}, catalog.TypeJSON},
		{"empty and null cells never decide", "n", ',', []string{"", Null, "  ", "4"}, catalog.TypeInt},
		{"entirely empty column", "n", ',', []string{"", Null}, catalog.TypeText},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := inferColumn(tt.column, tt.delimiter, tt.cells...); got != tt.want {
				t.Errorf("got %s, want %s", got, tt.want)
			}
		})
	}
}

func TestInferLastRowDecides(t *testing.T) {
	cells := make([]string, 0, 10001)
	for i := range 10000 {
		cells = append(cells, fmt.Sprint(i))
	}
	if got := inferColumn("n", ',', cells...); got != catalog.TypeInt {
		t.Fatalf("10,000 ints: %s", got)
	}
	if got := inferColumn("n", ',', append(cells, "abc")...); got != catalog.TypeText {
		t.Errorf("10,000 ints then abc: %s, want text", got)
	}
}

func TestInferFieldsNamesAndLabels(t *testing.T) {
	in := NewInferrer([]string{"Code INSEE", "Nom", "Nom"}, ',')
	fields := in.Fields()
	want := []string{"code_insee", "nom", "nom_2"}
	for i, f := range fields {
		if f.Name != want[i] || f.Label != []string{"Code INSEE", "Nom", "Nom"}[i] {
			t.Errorf("field %d = %+v", i, f)
		}
	}
}

func TestLatLonPairsDeriveGeoPoint(t *testing.T) {
	tests := []struct {
		name   string
		header []string
		rows   [][]string
		derive bool
	}{
		{"lat and lon", []string{"nom", "lat", "lon"}, [][]string{{"a", "47.47", "-0.55"}}, true},
		{"Ylat and Xlong", []string{"Xlong", "Ylat"}, [][]string{{"1.08", "49.92"}}, true},
		{"latitude out of range", []string{"latitude", "longitude"}, [][]string{{"147.4", "-0.55"}}, false},
		{"text latitude", []string{"latitude", "longitude"}, [][]string{{"nord", "-0.55"}}, false},
		{"point column already there", []string{"lat", "lon", "geo_point_2d"}, [][]string{{"47.4", "-0.5", "47.4, -0.5"}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := NewInferrer(tt.header, ';')
			for _, r := range tt.rows {
				in.Add(r)
			}
			fields := in.Fields()
			derived := len(fields) == len(tt.header)+1
			if derived != tt.derive {
				t.Fatalf("fields %+v, derive = %v", fields, tt.derive)
			}
			if !derived {
				return
			}
			row, err := NewCaster(fields, tt.header, ';').Cast(tt.rows[0])
			if err != nil {
				t.Fatal(err)
			}
			if p, ok := row[len(row)-1].(catalog.GeoPoint); !ok || p.Lat < 40 || p.Lat > 50 {
				t.Errorf("derived point = %#v", row[len(row)-1])
			}
		})
	}
}

func TestCast(t *testing.T) {
	paris := time.FixedZone("", 2*3600)
	tests := []struct {
		name  string
		typ   catalog.FieldType
		delim rune
		cell  string
		want  any
	}{
		{"int with nbsp", catalog.TypeInt, ';', "1\u00a0234", int64(1234)},
		{"double decimal comma", catalog.TypeDouble, ';', "26 956,00", 26956.0},
		{"double from int text", catalog.TypeDouble, ',', "3", 3.0},
		{"boolean oui", catalog.TypeBoolean, ',', "OUI", true},
		{"boolean non", catalog.TypeBoolean, ',', "non", false},
		{"date french order", catalog.TypeDate, ',', "08/09/2017", time.Date(2017, 9, 8, 0, 0, 0, 0, time.UTC)},
		{"date slashes", catalog.TypeDate, ',', "2017/09/08", time.Date(2017, 9, 8, 0, 0, 0, 0, time.UTC)},
		{"datetime Z", catalog.TypeDateTime, ',', "2021-09-07T13:45:00Z", time.Date(2021, 9, 7, 13, 45, 0, 0, time.UTC)},
		{"datetime +02", catalog.TypeDateTime, ',', "2021-09-15T00:00:00+02", time.Date(2021, 9, 15, 0, 0, 0, 0, paris).UTC()},
		{"datetime +0200", catalog.TypeDateTime, ',', "2010-07-13T00:00:00+0200", time.Date(2010, 7, 13, 0, 0, 0, 0, paris).UTC()},
		{"datetime +02:00 fraction", catalog.TypeDateTime, ',', "2021-09-15T00:00:00.5+02:00", time.Date(2021, 9, 15, 0, 0, 0, 5e8, paris).UTC()},
		{"datetime without offset is UTC", catalog.TypeDateTime, ',', "2021-09-15 10:30", time.Date(2021, 9, 15, 10, 30, 0, 0, time.UTC)},
		{"datetime from a date", catalog.TypeDateTime, ',', "2021-09-15", time.Date(2021, 9, 15, 0, 0, 0, 0, time.UTC)},
		{"geo point text", catalog.TypeGeoPoint, ';', "47.47, -0.55", catalog.GeoPoint{Lat: 47.47, Lon: -0.55}},
		{"geo point from geometry", catalog.TypeGeoPoint, ';', `{"type":"Point","coordinates":[-0.55,47.47]}`, catalog.GeoPoint{Lat: 47.47, Lon: -0.55}},
		{"geo shape compacted", catalog.TypeGeoShape, ',', `{ "type": "Point", "coordinates": [1, 2] }`, json.RawMessage(`{"type":"Point","coordinates":[1,2]}`)},
		{"json compacted", catalog.TypeJSON, ',', `[1, {"a": 2}]`, json.RawMessage(`[1,{"a":2}]`)},
		{"text kept", catalog.TypeText, ',', " Café ", " Café "},
		{"empty is nil", catalog.TypeInt, ',', "", nil},
		{"null is nil", catalog.TypeText, ',', Null, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := NewCaster([]catalog.Field{{Name: "f", Type: tt.typ}}, []string{"f"}, tt.delim)
			row, err := c.Cast([]string{tt.cell})
			if err != nil {
				t.Fatal(err)
			}
			if fmt.Sprintf("%T %v", row[0], row[0]) != fmt.Sprintf("%T %v", tt.want, tt.want) {
				t.Errorf("got %T %v, want %T %v", row[0], row[0], tt.want, tt.want)
			}
			if want, ok := tt.want.(time.Time); ok && !row[0].(time.Time).Equal(want) {
				t.Errorf("got %v, want %v", row[0], want)
			}
		})
	}
}

func TestCastErrorNamesFieldAndValue(t *testing.T) {
	c := NewCaster([]catalog.Field{{Name: "montant", Type: catalog.TypeInt}}, []string{"Montant"}, ';')
	_, err := c.Cast([]string{"abc"})
	if err == nil || !strings.Contains(err.Error(), "montant") || !strings.Contains(err.Error(), `"abc"`) {
		t.Errorf("err = %v", err)
	}
}

func TestCastFieldsMatchedByName(t *testing.T) {
	fields := []catalog.Field{{Name: "b", Type: catalog.TypeInt}, {Name: "a", Type: catalog.TypeText}, {Name: "missing", Type: catalog.TypeText}}
	row, err := NewCaster(fields, []string{"A", "B"}, ',').Cast([]string{"x", "2"})
	if err != nil {
		t.Fatal(err)
	}
	if row[0] != int64(2) || row[1] != "x" || row[2] != nil {
		t.Errorf("row = %#v", row)
	}
}

// TestCastUnwrapsFeatures: a geo_shape given as a GeoJSON Feature is
// stored as its geometry, the form every other shape is stored in.
func TestCastUnwrapsFeatures(t *testing.T) {
	raw, ok := castGeoShape(`{"type":"Feature","properties":{"a":1},"geometry":{"type":"Point","coordinates":[2.35,48.85]}}`)
	if !ok || string(raw.(json.RawMessage)) != `{"type":"Point","coordinates":[2.35,48.85]}` {
		t.Errorf("got %s, %v", raw, ok)
	}
}
