package export

import (
	"bytes"
	"encoding/json"
	"flag"
	"math"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/socle/socle/internal/catalog"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/export")

const goldenDir = "../../testdata/export"

// sampleFields has one field of every type.
var sampleFields = []catalog.Field{
	{Name: "name", Type: catalog.TypeText},
	{Name: "count", Type: catalog.TypeInt},
	{Name: "ratio", Type: catalog.TypeDouble},
	{Name: "active", Type: catalog.TypeBoolean},
	{Name: "day", Type: catalog.TypeDate},
	{Name: "seen_at", Type: catalog.TypeDateTime},
	{Name: "location", Type: catalog.TypeGeoPoint},
	{Name: "area", Type: catalog.TypeGeoShape},
	{Name: "extra", Type: catalog.TypeJSON},
}

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// sampleRows covers nulls, accents, quotes, newlines, negative and large
// numbers, dates before 1970, points, a polygon and nested JSON.
func sampleRows() []catalog.Row {
	polygon := json.RawMessage(`{"type":"Polygon","coordinates":[[[2.35,48.85],[2.36,48.85],[2.36,48.86],[2.35,48.85]]]}`)
	return []catalog.Row{
		{"Mairie de Saint-Étienne", int64(42), 3.14, true, day(2023, 1, 5),
			time.Date(2023, 1, 5, 10, 0, 0, 0, time.UTC), catalog.GeoPoint{Lon: 4.3872, Lat: 45.4397},
			polygon, json.RawMessage(`{"tags":["a","b"],"n":1}`)},
		{`Dit "bonjour"; puis <part> & revient`, int64(-9007199254740993), -0.000123, false, day(1969, 12, 31),
			time.Date(1999, 12, 31, 23, 59, 59, 500_000_000, time.UTC), catalog.GeoPoint{Lon: -1.5536, Lat: 47.2184},
			nil, json.RawMessage(`[1,2,3]`)},
		{"ligne 1\nligne 2\r\nligne 3", int64(math.MaxInt64), 12345678901234.5, nil, nil,
			time.Date(2024, 2, 29, 12, 30, 0, 0, time.FixedZone("CET", 3600)).UTC(), nil,
			nil, json.RawMessage(`"texte"`)},
		{nil, nil, nil, nil, nil, nil, nil, nil, nil},
		{" espace en tête", int64(0), 1e22, true, day(2000, 2, 29), nil,
			catalog.GeoPoint{Lon: 0, Lat: 0}, nil, nil},
	}
}

// export runs a whole export of rows to a buffer.
func export(t testing.TB, f Format, fields []catalog.Field, rows []catalog.Row, opts Options) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := NewWriter(f, &buf, fields, opts)
	if err != nil {
		t.Fatalf("NewWriter(%s): %v", f, err)
	}
	for _, r := range rows {
		if err := w.Write(r); err != nil {
			t.Fatalf("Write(%s): %v", f, err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatalf("Close(%s): %v", f, err)
	}
	return buf.Bytes()
}

func TestGolden(t *testing.T) {
	tests := []struct {
		file   string
		format Format
		opts   Options
	}{
		{"sample.csv", CSV, Options{}},
		{"sample_bom_comma_quoteall.csv", CSV, Options{Delimiter: ',', WithBOM: true, QuoteAll: true}},
		{"sample.json", JSON, Options{}},
		{"sample.jsonl", JSONL, Options{}},
		{"sample.geojson", GeoJSON, Options{}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			got := export(t, tt.format, sampleFields, sampleRows(), tt.opts)
			path := filepath.Join(goldenDir, tt.file)
			if *update {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("output differs from %s (run with -update after checking):\n%s", path, got)
			}
		})
	}
}
