package export

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/socle/socle/internal/catalog"
	"github.com/socle/socle/internal/errs"
)

func TestJSONValue(t *testing.T) {
	tests := []struct {
		name string
		typ  catalog.FieldType
		v    any
		want string // encoded JSON
	}{
		{"null", catalog.TypeText, nil, `null`},
		{"text", catalog.TypeText, "é\"<", `"é\"\u003c"`},
		{"int", catalog.TypeInt, int64(-7), `-7`},
		{"double", catalog.TypeDouble, 0.1, `0.1`},
		{"NaN is null", catalog.TypeDouble, math.NaN(), `null`},
		{"Inf is null", catalog.TypeDouble, math.Inf(-1), `null`},
		{"bool", catalog.TypeBoolean, true, `true`},
		{"date", catalog.TypeDate, day(2020, 3, 1), `"2020-03-01"`},
		{"datetime in UTC with +00:00", catalog.TypeDateTime, time.Date(2023, 1, 5, 11, 0, 0, 0, time.FixedZone("", 3600)), `"2023-01-05T10:00:00+00:00"`},
		{"datetime keeps fractions", catalog.TypeDateTime, time.Date(2023, 1, 5, 10, 0, 0, 1000, time.UTC), `"2023-01-05T10:00:00.000001+00:00"`},
		{"point", catalog.TypeGeoPoint, catalog.GeoPoint{Lon: 2.5, Lat: 48}, `{"lon":2.5,"lat":48}`},
		{"point with NaN is null", catalog.TypeGeoPoint, catalog.GeoPoint{Lon: math.NaN()}, `null`},
		{"shape is a Feature", catalog.TypeGeoShape, json.RawMessage(`{"type":"Point","coordinates":[1,2]}`),
			`{"type":"Feature","geometry":{"type":"Point","coordinates":[1,2]},"properties":{}}`},
		{"invalid shape is null", catalog.TypeGeoShape, json.RawMessage(`{`), `null`},
		{"json is raw", catalog.TypeJSON, json.RawMessage(`{"a":[1]}`), `{"a":[1]}`},
		{"invalid json is a string", catalog.TypeJSON, json.RawMessage(`{x`), `"{x"`},
		{"unexpected type is text", catalog.TypeInt, 3, `"3"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := json.Marshal(JSONValue(tt.typ, tt.v))
			if err != nil {
				t.Fatal(err)
			}
			if string(b) != tt.want {
				t.Errorf("got %s, want %s", b, tt.want)
			}
		})
	}
}

func TestTextValue(t *testing.T) {
	tests := []struct {
		name string
		typ  catalog.FieldType
		v    any
		want string
	}{
		{"null", catalog.TypeText, nil, ""},
		{"int", catalog.TypeInt, int64(math.MinInt64), "-9223372036854775808"},
		{"double plain", catalog.TypeDouble, 1234567.25, "1234567.25"},
		{"double small", catalog.TypeDouble, 0.000001, "0.000001"},
		{"double tiny uses exponent", catalog.TypeDouble, 1e-9, "1e-09"},
		{"double huge uses exponent", catalog.TypeDouble, -1e300, "-1e+300"},
		{"NaN is empty", catalog.TypeDouble, math.NaN(), ""},
		{"bool", catalog.TypeBoolean, false, "false"},
		{"date", catalog.TypeDate, day(1900, 1, 1), "1900-01-01"},
		{"datetime", catalog.TypeDateTime, time.Date(2023, 1, 5, 10, 0, 0, 0, time.UTC), "2023-01-05T10:00:00+00:00"},
		{"point is lat, lon", catalog.TypeGeoPoint, catalog.GeoPoint{Lon: 2.35, Lat: 48.85}, "48.85, 2.35"},
		{"shape is its geometry", catalog.TypeGeoShape, json.RawMessage(`{"type":"Point","coordinates":[1,2]}`), `{"type":"Point","coordinates":[1,2]}`},
		{"json is raw", catalog.TypeJSON, json.RawMessage(`[1]`), `[1]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := TextValue(tt.typ, tt.v); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestParseFormat(t *testing.T) {
	for _, f := range Formats {
		got, err := ParseFormat(strings.ToUpper(string(f)))
		if err != nil || got != f {
			t.Errorf("ParseFormat(%q) = %q, %v", f, got, err)
		}
		if f.ContentType() == "application/octet-stream" || f.Extension() == "" {
			t.Errorf("%s: no content type or extension", f)
		}
	}
	if _, err := ParseFormat("shp"); errs.KindOf(err) != errs.Invalid {
		t.Errorf("ParseFormat(shp): got %v, want an Invalid error", err)
	}
}

func TestNewWriterRejects(t *testing.T) {
	textOnly := []catalog.Field{{Name: "a", Type: catalog.TypeText}}
	tests := []struct {
		name   string
		format Format
		opts   Options
	}{
		{"unknown format", Format("kml"), Options{}},
		{"quote as delimiter", CSV, Options{Delimiter: '"'}},
		{"newline as delimiter", CSV, Options{Delimiter: '\n'}},
		{"geojson without geo field", GeoJSON, Options{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewWriter(tt.format, &bytes.Buffer{}, textOnly, tt.opts)
			if errs.KindOf(err) != errs.Invalid {
				t.Errorf("got %v, want an Invalid error", err)
			}
		})
	}
}

func TestWriteRejectsMisalignedRow(t *testing.T) {
	for _, f := range Formats {
		t.Run(string(f), func(t *testing.T) {
			w, err := NewWriter(f, &bytes.Buffer{}, sampleFields, Options{})
			if errs.KindOf(err) == errs.Unavailable {
				t.Skip(err)
			}
			if err != nil {
				t.Fatal(err)
			}
			defer w.Close()
			if err := w.Write(catalog.Row{"only one"}); err == nil {
				t.Error("Write accepted a row shorter than the fields")
			}
		})
	}
}

func TestEmptyExports(t *testing.T) {
	tests := []struct {
		format Format
		want   string
	}{
		{CSV, "name;count;ratio;active;day;seen_at;location;area;extra\n"},
		{JSON, "[]\n"},
		{JSONL, ""},
		{GeoJSON, "{\"type\":\"FeatureCollection\",\"features\":[\n\n]}\n"},
	}
	for _, tt := range tests {
		t.Run(string(tt.format), func(t *testing.T) {
			got := string(export(t, tt.format, sampleFields, nil, Options{}))
			if got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
			if tt.format != CSV && tt.format != JSONL && !json.Valid([]byte(got)) {
				t.Errorf("invalid JSON %q", got)
			}
		})
	}
}

func TestJSONOutputsParse(t *testing.T) {
	var arr []map[string]any
	if err := json.Unmarshal(export(t, JSON, sampleFields, sampleRows(), Options{}), &arr); err != nil {
		t.Fatal(err)
	}
	if len(arr) != len(sampleRows()) {
		t.Errorf("got %d objects, want %d", len(arr), len(sampleRows()))
	}
	var fc struct {
		Type     string
		Features []struct {
			Type       string
			Geometry   json.RawMessage
			Properties map[string]any
		}
	}
	if err := json.Unmarshal(export(t, GeoJSON, sampleFields, sampleRows(), Options{}), &fc); err != nil {
		t.Fatal(err)
	}
	if fc.Type != "FeatureCollection" || len(fc.Features) != len(sampleRows()) {
		t.Fatalf("got %s with %d features", fc.Type, len(fc.Features))
	}
	if _, ok := fc.Features[0].Properties["area"]; ok {
		t.Error("the geometry field is repeated in properties")
	}
}

func TestGeoJSONPointGeometry(t *testing.T) {
	fields := []catalog.Field{{Name: "id", Type: catalog.TypeInt}, {Name: "p", Type: catalog.TypeGeoPoint}, {Name: "q", Type: catalog.TypeGeoPoint}}
	rows := []catalog.Row{{int64(1), catalog.GeoPoint{Lon: 2.5, Lat: 48.5}, catalog.GeoPoint{Lon: 1, Lat: 2}}}
	got := string(export(t, GeoJSON, fields, rows, Options{}))
	want := "{\"type\":\"FeatureCollection\",\"features\":[\n" +
		`{"type":"Feature","geometry":{"type":"Point","coordinates":[2.5,48.5]},"properties":{"id":1,"q":{"lon":1,"lat":2}}}` +
		"\n]}\n"
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

// readCSV parses CSV output with encoding/csv.
func readCSV(t testing.TB, b []byte, delim rune) [][]string {
	t.Helper()
	r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(b, []byte("\uFEFF"))))
	r.Comma = delim
	r.FieldsPerRecord = -1
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatalf("re-reading CSV: %v\n%q", err, b)
	}
	return recs
}

func TestCSVReadsBack(t *testing.T) {
	for _, opts := range []Options{{}, {Delimiter: ',', WithBOM: true, QuoteAll: true}, {Delimiter: '\t'}} {
		recs := readCSV(t, export(t, CSV, sampleFields, sampleRows(), opts), cmpDelim(opts))
		if len(recs) != 1+len(sampleRows()) {
			t.Fatalf("%+v: got %d records, want %d", opts, len(recs), 1+len(sampleRows()))
		}
		for i, row := range sampleRows() {
			for j, v := range row {
				want := strings.ReplaceAll(TextValue(sampleFields[j].Type, v), "\r\n", "\n")
				if got := recs[i+1][j]; got != want {
					t.Errorf("%+v: row %d field %s: got %q, want %q", opts, i, sampleFields[j].Name, got, want)
				}
			}
		}
	}
}

func cmpDelim(o Options) rune {
	if o.Delimiter == 0 {
		return ';'
	}
	return o.Delimiter
}

func FuzzTextValue(f *testing.F) {
	f.Add("plain", 1.5, ";", false)
	f.Add("a\"b;c\r\nd", math.Inf(1), ",", true)
	f.Add(" lead", -1e-300, "\t", false)
	f.Add("", math.NaN(), "|", true)
	f.Fuzz(func(t *testing.T, s string, x float64, delim string, quoteAll bool) {
		for _, typ := range []catalog.FieldType{catalog.TypeText, catalog.TypeJSON, catalog.TypeGeoShape, catalog.TypeDouble} {
			for _, v := range []any{s, json.RawMessage(s), x, catalog.GeoPoint{Lon: x, Lat: x}} {
				TextValue(typ, v)
				if _, err := json.Marshal(JSONValue(typ, v)); err != nil {
					t.Fatalf("JSONValue(%s, %#v) does not marshal: %v", typ, v, err)
				}
			}
		}
		d := []rune(delim)
		if len(d) != 1 || d[0] == '"' || d[0] == '\r' || d[0] == '\n' || d[0] == ' ' ||
			d[0] == '\t' && strings.HasPrefix(s, "\t") {
			return
		}
		fields := []catalog.Field{{Name: "s", Type: catalog.TypeText}, {Name: "x", Type: catalog.TypeDouble}}
		opts := Options{Delimiter: d[0], QuoteAll: quoteAll}
		var buf bytes.Buffer
		w, err := NewWriter(CSV, &buf, fields, opts)
		if err != nil {
			return // a delimiter encoding/csv would not accept either
		}
		for _, row := range []catalog.Row{{s, x}, {s, nil}} {
			if err := w.Write(row); err != nil {
				t.Fatal(err)
			}
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		r := csv.NewReader(&buf)
		r.Comma = cmpDelim(opts)
		recs, err := r.ReadAll()
		if err != nil {
			t.Fatalf("re-reading %q: %v", buf.String(), err)
		}
		want := strings.ReplaceAll(s, "\r\n", "\n")
		if len(recs) != 3 || recs[1][0] != want || recs[2][0] != want || recs[1][1] != TextValue(catalog.TypeDouble, x) {
			t.Fatalf("round trip of %q: got %q", s, recs)
		}
	})
}
