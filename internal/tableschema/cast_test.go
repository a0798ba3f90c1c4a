package tableschema

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/socle/socle/internal/catalog"
)

func TestCast(t *testing.T) {
	utc := func(s string) time.Time {
		tm, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			panic(err)
		}
		return tm.UTC()
	}
	no := false
	tests := []struct {
		name  string
		field Field
		raw   string
		want  any // nil with fails=false: a missing value
		fails bool
	}{
		{"datetime Z", Field{Type: "datetime"}, "2021-09-07T13:15:00Z", utc("2021-09-07T13:15:00Z"), false},
		{"datetime +02 hour-only offset", Field{Type: "datetime"}, "2021-09-15T00:00:00+02", utc("2021-09-14T22:00:00Z"), false},
		{"datetime +0200 offset without colon", Field{Type: "datetime"}, "2010-07-13T00:00:00+0200", utc("2010-07-12T22:00:00Z"), false},
		{"datetime +00:00 offset", Field{Type: "datetime"}, "2022-10-18T12:35:49+00:00", utc("2022-10-18T12:35:49Z"), false},
		{"datetime fraction", Field{Type: "datetime"}, "2022-10-18T12:35:49.25Z", utc("2022-10-18T12:35:49.25Z"), false},
		{"datetime without seconds fails", Field{Type: "datetime"}, "2022-10-18T12:35Z", nil, true},
		{"datetime 31 April fails", Field{Type: "datetime"}, "2022-04-31T00:00:00Z", nil, true},
		{"date default", Field{Type: "date"}, "2019-06-25", utc("2019-06-25T00:00:00Z"), false},
		{"date strptime rejects other order", Field{Type: "date", Format: "%Y-%m-%d"}, "24-06-2019", nil, true},
		{"date %d/%m/%Y", Field{Type: "date", Format: "%d/%m/%Y"}, "05/12/2016", utc("2016-12-05T00:00:00Z"), false},
		{"date %d %B %Y", Field{Type: "date", Format: "%d %B %Y"}, "5 December 2016", utc("2016-12-05T00:00:00Z"), false},
		{"date %j", Field{Type: "date", Format: "%Y-%j"}, "2016-340", utc("2016-12-05T00:00:00Z"), false},
		{"datetime %I %p", Field{Type: "datetime", Format: "%d/%m/%Y %I:%M %p"}, "05/12/2016 03:30 PM", utc("2016-12-05T15:30:00Z"), false},
		{"datetime %z", Field{Type: "datetime", Format: "%Y-%m-%dT%H:%M:%S%z"}, "2016-12-05T15:30:00+0100", utc("2016-12-05T14:30:00Z"), false},
		{"datetime %f", Field{Type: "datetime", Format: "%H:%M:%S.%f %d/%m/%y"}, "15:30:00.5 05/12/16", utc("2016-12-05T15:30:00.5Z"), false},
		{"datetime %%", Field{Type: "datetime", Format: "%Y%%%m%%%d %H"}, "2016%12%05 15", utc("2016-12-05T15:00:00Z"), false},
		{"date unconverted data fails", Field{Type: "date", Format: "%Y"}, "2016x", nil, true},
		{"time default", Field{Type: "time"}, "06:00:00", "06:00:00", false},
		{"integer", Field{Type: "integer"}, "-42", int64(-42), false},
		{"integer euro not bare", Field{Type: "integer", BareNumber: &no}, "€ 10", int64(10), false},
		{"integer bare rejects euro", Field{Type: "integer"}, "€ 10", nil, true},
		{"integer rejects float text", Field{Type: "integer"}, "32402138500000.0", nil, true},
		{"number French decimal", Field{Type: "number", DecimalChar: ",", GroupChar: " "}, "26 956,50", 26956.5, false},
		{"number percent not bare", Field{Type: "number", BareNumber: &no}, "95.5%", 95.5, false},
		{"number decimal comma rejected by default", Field{Type: "number"}, "0,5", nil, true},
		{"number exponent", Field{Type: "number"}, "1.5e3", 1500.0, false},
		{"number hex rejected", Field{Type: "number"}, "0x10", nil, true},
		{"boolean custom", Field{Type: "boolean", TrueValues: []string{"oui"}, FalseValues: []string{"non"}}, "non", false, false},
		{"boolean custom rejects default", Field{Type: "boolean", TrueValues: []string{"oui"}, FalseValues: []string{"non"}}, "true", nil, true},
		{"uuid", Field{Type: "string", Format: "uuid"}, "123e4567-e89b-12d3-a456-426614174000", "123e4567-e89b-12d3-a456-426614174000", false},
		{"uuid rejects", Field{Type: "string", Format: "uuid"}, "123e4567", nil, true},
		{"year", Field{Type: "year"}, "2024", int64(2024), false},
		{"yearmonth", Field{Type: "yearmonth"}, "2024-3", "2024-03", false},
		{"duration", Field{Type: "duration"}, "PT15M", "PT15M", false},
		{"duration bare P fails", Field{Type: "duration"}, "P", nil, true},
		{"geopoint array with newline", Field{Type: "geopoint", Format: "array"}, "[5.7145295,45.191463\n]", catalog.GeoPoint{Lon: 5.7145295, Lat: 45.191463}, false},
		{"geopoint default", Field{Type: "geopoint"}, "2.35, 48.85", catalog.GeoPoint{Lon: 2.35, Lat: 48.85}, false},
		{"geopoint object", Field{Type: "geopoint", Format: "object"}, `{"lon":2.35,"lat":48.85}`, catalog.GeoPoint{Lon: 2.35, Lat: 48.85}, false},
		{"geojson polygon", Field{Type: "geojson"}, `{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]}`, json.RawMessage(`{"coordinates":[[[0,0],[1,0],[1,1],[0,0]]],"type":"Polygon"}`), false},
		{"geojson bad nesting", Field{Type: "geojson"}, `{"type":"Polygon","coordinates":[0,0]}`, nil, true},
		{"object", Field{Type: "object"}, `{"a": 1}`, json.RawMessage(`{"a":1}`), false},
		{"missing value", Field{Type: "integer", MissingValues: []string{"", "NA"}}, "NA", nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := tt.field
			f.Name = "f"
			got, err := f.Cast(tt.raw)
			if tt.fails {
				var ce *CastError
				if !errors.As(err, &ce) {
					t.Fatalf("Cast(%q) = %#v, %v; want a *CastError", tt.raw, got, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Cast(%q): %v", tt.raw, err)
			}
			if !sameValue(got, tt.want) {
				t.Errorf("Cast(%q) = %#v, want %#v", tt.raw, got, tt.want)
			}
		})
	}
}

func TestConstraints(t *testing.T) {
	s := mustParse(`{"fields":[
		{"name":"code","constraints":{"pattern":"\\d{5}"}},
		{"name":"day","type":"date","constraints":{"minimum":"2020-01-01","maximum":"2020-12-31"}},
		{"name":"n","type":"integer","constraints":{"enum":[1,2,3]}},
		{"name":"label","constraints":{"minLength":2,"maxLength":3}}]}`)
	tests := []struct {
		name  string
		field string
		raw   string
		want  string // violated constraint, "" for none
	}{
		{"pattern is anchored at the end", "code", "123456", "pattern"},
		{"pattern is anchored at the start", "code", "x12345", "pattern"},
		{"pattern matches", "code", "12345", ""},
		{"date below minimum", "day", "2019-12-31", "minimum"},
		{"date above maximum compares as a date", "day", "2021-01-01", "maximum"},
		{"date within bounds", "day", "2020-06-01", ""},
		{"enum compares cast values", "n", "02", ""},
		{"enum rejects", "n", "4", "enum"},
		{"too short counts characters", "label", "é", "minLength"},
		{"too long", "label", "abcd", "maxLength"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := s.Field(tt.field)
			v, err := f.Cast(tt.raw)
			if err != nil {
				t.Fatal(err)
			}
			got := ""
			if vs := f.Check(tt.raw, v); len(vs) > 0 {
				got = vs[0].Constraint
			}
			if got != tt.want {
				t.Errorf("Check(%q) = %q, want %q", tt.raw, got, tt.want)
			}
		})
	}
}

func TestParseRejects(t *testing.T) {
	tests := map[string]string{
		"no fields":           `{"fields":[]}`,
		"bad pattern":         `{"fields":[{"name":"a","constraints":{"pattern":"("}}]}`,
		"unknown type":        `{"fields":[{"name":"a","type":"decimal"}]}`,
		"unknown primaryKey":  `{"fields":[{"name":"a"}],"primaryKey":["b"]}`,
		"bound of wrong type": `{"fields":[{"name":"a","type":"date","constraints":{"minimum":"soon"}}]}`,
		"not JSON":            `{"fields":`,
	}
	for name, doc := range tests {
		t.Run(name+" is an error", func(t *testing.T) {
			if _, err := Parse(strings.NewReader(doc)); err == nil {
				t.Error("Parse succeeded")
			}
		})
	}
}

func TestCatalogFields(t *testing.T) {
	s := mustParse(`{"fields":[
		{"name":"Date de mise à jour","type":"date","description":"d"},
		{"name":"coordonneesxy","title":"Coordonnées","type":"geopoint"},
		{"name":"n","type":"year"},{"name":"h","type":"time"},{"name":"g","type":"geojson"},
		{"name":"o","type":"array"},{"name":"u","type":"string","format":"uri"},{"name":"x"}]}`)
	want := []catalog.Field{
		{Name: "date_de_mise_a_jour", Label: "Date de mise à jour", Type: catalog.TypeDate, Description: "d"},
		{Name: "coordonneesxy", Label: "Coordonnées", Type: catalog.TypeGeoPoint},
		{Name: "n", Label: "n", Type: catalog.TypeInt},
		{Name: "h", Label: "h", Type: catalog.TypeText},
		{Name: "g", Label: "g", Type: catalog.TypeGeoShape},
		{Name: "o", Label: "o", Type: catalog.TypeJSON},
		{Name: "u", Label: "u", Type: catalog.TypeText},
		{Name: "x", Label: "x", Type: catalog.TypeText},
	}
	got := s.CatalogFields()
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("field %d = %+v, want %+v", i, got[i], want[i])
		}
	}
}

func TestMatchByName(t *testing.T) {
	s := mustParse(`{"fields":[{"name":"id","type":"integer","constraints":{"required":true}},
		{"name":"name"},{"name":"age","type":"integer"}],"primaryKey":"id"}`)
	v := NewValidator(s, Options{MatchByName: true})
	if errs := v.Header([]string{"name", "extra", "id"}); len(errs) != 0 {
		t.Fatalf("header errors %v", errs)
	}
	if w := errorKeys(v.Warnings()); strings.Join(w, " ") != "-:2:extra-label -:3:missing-label" {
		t.Errorf("warnings %v", w)
	}
	row, errs := v.Row(2, []string{"Ann", "x", "7"})
	if len(errs) != 0 || row[0] != int64(7) || row[1] != "Ann" || row[2] != nil {
		t.Errorf("row %v, errors %v", row, errs)
	}
	if _, errs := v.Row(3, []string{"Bob", "y", "7"}); strings.Join(errorKeys(errs), " ") != "3:-:primary-key" {
		t.Errorf("duplicate key errors %v", errorKeys(errs))
	}
	v = NewValidator(s, Options{MatchByName: true})
	if errs := errorKeys(v.Header([]string{"name"})); strings.Join(errs, " ") != "-:1:missing-label" {
		t.Errorf("missing required field: %v", errs)
	}
}

func TestUniqueAndCompositeKey(t *testing.T) {
	s := mustParse(`{"fields":[{"name":"a"},{"name":"b","type":"integer"},
		{"name":"c","constraints":{"unique":true}}],"primaryKey":["a","b"]}`)
	v := NewValidator(s, Options{})
	v.Header([]string{"a", "b", "c"})
	rows := [][]string{{"x", "1", "u"}, {"x", "2", "v"}, {"x", "01", "w"}, {"y", "1", "u"}}
	var got []string
	for i, r := range rows {
		_, errs := v.Row(i+2, r)
		got = append(got, errorKeys(errs)...)
	}
	if strings.Join(got, " ") != "4:-:primary-key 5:3:unique-error" {
		t.Errorf("errors %v", got)
	}
}

func TestWriteText(t *testing.T) {
	rep := validate(t, "lieux-covoiturage/schema.json", "lieux-covoiturage/exemple-invalide.csv", Options{})
	var b strings.Builder
	if err := rep.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	want := "invalid: 2 rows, 1 errors, 0 warnings\n" +
		`row 3, field 7 (date_maj): type-error: "24-06-2019": type is "date/%Y-%m-%d"` + "\n"
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
}
