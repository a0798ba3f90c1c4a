package live

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/socle/socle/internal/catalog"
	"github.com/socle/socle/internal/errs"
)

func TestCastValue(t *testing.T) {
	day := time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name string
		typ  catalog.FieldType
		in   string
		want any
	}{
		{"null is nil whatever the type", catalog.TypeInt, `null`, nil},
		{"a string is text", catalog.TypeText, `"Bellecour"`, "Bellecour"},
		{"a number is text by its literal", catalog.TypeText, `12.50`, "12.50"},
		{"an integer number is an int", catalog.TypeInt, `42`, int64(42)},
		{"an integral float is an int", catalog.TypeInt, `42.0`, int64(42)},
		{"a numeric string is an int", catalog.TypeInt, `"-7"`, int64(-7)},
		{"a number is a double", catalog.TypeDouble, `0.25`, 0.25},
		{"a numeric string is a double", catalog.TypeDouble, `"1e3"`, 1000.0},
		{"true is a boolean", catalog.TypeBoolean, `true`, true},
		{"\"false\" is a boolean", catalog.TypeBoolean, `"false"`, false},
		{"an ISO date is a date", catalog.TypeDate, `"2024-05-01"`, day},
		{"a datetime keeps only its day as a date", catalog.TypeDate, `"2024-05-01T23:10:00+02:00"`, day},
		{"an RFC 3339 time is a UTC datetime", catalog.TypeDateTime, `"2024-05-01T12:00:00+02:00"`, day.Add(10 * time.Hour)},
		{"a time without zone is UTC", catalog.TypeDateTime, `"2024-05-01T10:00:00"`, day.Add(10 * time.Hour)},
		{"an ODS point object is a point", catalog.TypeGeoPoint, `{"lon":4.83,"lat":45.76}`, catalog.GeoPoint{Lon: 4.83, Lat: 45.76}},
		{"a pair is lat then lon", catalog.TypeGeoPoint, `[45.76, 4.83]`, catalog.GeoPoint{Lon: 4.83, Lat: 45.76}},
		{"a string pair is lat then lon", catalog.TypeGeoPoint, `"45.76, 4.83"`, catalog.GeoPoint{Lon: 4.83, Lat: 45.76}},
		{"a GeoJSON point is lon then lat", catalog.TypeGeoPoint, `{"type":"Point","coordinates":[4.83,45.76]}`, catalog.GeoPoint{Lon: 4.83, Lat: 45.76}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := CastValue(tc.typ, json.RawMessage(tc.in))
			if err != nil {
				t.Fatal(err)
			}
			if g, ok := got.(time.Time); ok {
				if !g.Equal(tc.want.(time.Time)) || g.Location() != time.UTC {
					t.Fatalf("got %v, want %v", g, tc.want)
				}
				return
			}
			if got != tc.want {
				t.Fatalf("got %#v, want %#v", got, tc.want)
			}
		})
	}
}

func TestCastValueRefuses(t *testing.T) {
	for _, tc := range []struct {
		name string
		typ  catalog.FieldType
		in   string
	}{
		{"text from an object", catalog.TypeText, `{"a":1}`},
		{"an int from a fraction", catalog.TypeInt, `1.5`},
		{"an int from words", catalog.TypeInt, `"douze"`},
		{"a double from a boolean", catalog.TypeDouble, `true`},
		{"a boolean from a number", catalog.TypeBoolean, `1`},
		{"a date from a number", catalog.TypeDate, `20240501`},
		{"a datetime from nonsense", catalog.TypeDateTime, `"hier"`},
		{"a point out of bounds", catalog.TypeGeoPoint, `[95, 4]`},
		{"a point from one number", catalog.TypeGeoPoint, `[45]`},
		{"a shape without a geometry type", catalog.TypeGeoShape, `{"type":"Feature"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := CastValue(tc.typ, json.RawMessage(tc.in))
			if errs.KindOf(err) != errs.Invalid {
				t.Fatalf("got %v, want an Invalid error", err)
			}
		})
	}
}

func TestDecodeRecords(t *testing.T) {
	fields := []catalog.Field{{Name: "id", Type: catalog.TypeText}, {Name: "free", Type: catalog.TypeInt}}
	t.Run("an object is one record", func(t *testing.T) {
		recs, err := DecodeRecords([]byte(` {"id":"a","free":3} `))
		if err != nil || len(recs) != 1 {
			t.Fatalf("got %v, %v", recs, err)
		}
		row, err := CastRecord(fields, recs[0])
		if err != nil || row[0] != "a" || row[1] != int64(3) {
			t.Fatalf("got %v, %v", row, err)
		}
	})
	t.Run("an array is several records and a missing field is null", func(t *testing.T) {
		recs, err := DecodeRecords([]byte(`[{"id":"a"},{"id":"b","free":1}]`))
		if err != nil {
			t.Fatal(err)
		}
		rows, err := CastRecords(fields, recs)
		if err != nil || len(rows) != 2 || rows[0][1] != nil || rows[1][1] != int64(1) {
			t.Fatalf("got %v, %v", rows, err)
		}
	})
	for _, tc := range []struct{ name, body, want string }{
		{"an unknown field is refused by name", `{"id":"a","eui":"x"}`, `record 1: unknown field "eui"`},
		{"a bad value names its record and field", `[{"id":"a"},{"free":"x"}]`, `record 2: field "free" (int): "x" is not an integer`},
		{"a scalar body is refused", `12`, `the body must be a JSON object or an array of objects`},
		{"an array of scalars is refused", `[1]`, `record 1 is not a JSON object`},
		{"an empty body is refused", ``, `the body is empty: send a JSON object or an array of objects`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			recs, err := DecodeRecords([]byte(tc.body))
			if err == nil {
				_, err = CastRecords(fields, recs)
			}
			if errs.KindOf(err) != errs.Invalid || errs.Message(err) != tc.want {
				t.Fatalf("got %v (%q), want %q", err, errs.Message(err), tc.want)
			}
		})
	}
}

// FuzzDecodeRecords checks that no body makes the push parser panic and
// that whatever it accepts casts to values of the fields' Go types or to a
// clear Invalid error.
func FuzzDecodeRecords(f *testing.F) {
	for _, s := range []string{`{"id":"a","n":1}`, `[{"p":[45,4]},{"p":"45,4"}]`, `[{"d":"2024-01-01"}]`, `{"g":{"type":"Point","coordinates":[1,2]}}`, `[`, `{"n":1e999}`} {
		f.Add([]byte(s))
	}
	fields := []catalog.Field{{Name: "id", Type: catalog.TypeText}, {Name: "n", Type: catalog.TypeInt},
		{Name: "x", Type: catalog.TypeDouble}, {Name: "b", Type: catalog.TypeBoolean}, {Name: "d", Type: catalog.TypeDate},
		{Name: "t", Type: catalog.TypeDateTime}, {Name: "p", Type: catalog.TypeGeoPoint}, {Name: "g", Type: catalog.TypeGeoShape},
		{Name: "j", Type: catalog.TypeJSON}}
	f.Fuzz(func(t *testing.T, body []byte) {
		recs, err := DecodeRecords(body)
		if err != nil {
			if k := errs.KindOf(err); k != errs.Invalid && k != errs.TooLarge {
				t.Fatalf("error of kind %s: %v", k, err)
			}
			return
		}
		rows, err := CastRecords(fields, recs)
		if err != nil {
			if errs.KindOf(err) != errs.Invalid {
				t.Fatalf("cast error of kind %s: %v", errs.KindOf(err), err)
			}
			return
		}
		for _, row := range rows {
			if len(row) != len(fields) {
				t.Fatalf("row of %d values", len(row))
			}
		}
	})
}
