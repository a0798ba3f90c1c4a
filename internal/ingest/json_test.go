package ingest

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/socle/socle/internal/catalog"
	"github.com/xuri/excelize/v2"
)

func TestJSONFormats(t *testing.T) {
	tests := []struct {
		name   string
		file   string
		body   string
		format Format
		header string
		rows   []string // cells joined with |, Null shown as ∅
	}{
		{"array of objects", "a.json", `[{"id": 1, "nom": "École", "ok": true},
			{"nom": "Gare", "extra": {"b": [1, 2]}, "id": 2.50, "ok": null}]`, FormatJSON,
			"id|nom|ok|extra", []string{"1|École|true|∅", `2.50|Gare|∅|{"b":[1,2]}`}},
		{"JSON lines", "a.jsonl", "{\"a\": \"x\"}\n{\"b\": 2}\n\n", FormatJSONL,
			"a|b", []string{"x|∅", "∅|2"}},
		{"empty array", "a.json", "[]", FormatJSON, "", nil},
		{"BOM before an array", "a.json", "\xEF\xBB\xBF[{\"a\": 1}]", FormatJSON, "a", []string{"1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, info := openFile(t, writeFile(t, tt.file, []byte(tt.body)), Options{})
			if info.Format != tt.format {
				t.Errorf("format %s, want %s", info.Format, tt.format)
			}
			if got := strings.Join(r.Header(), "|"); got != tt.header {
				t.Errorf("header %q, want %q", got, tt.header)
			}
			rows := readAll(t, r)
			if len(rows) != len(tt.rows) {
				t.Fatalf("got %d rows, want %d", len(rows), len(tt.rows))
			}
			for i, rec := range rows {
				if got := strings.ReplaceAll(strings.Join(rec, "|"), Null, "∅"); got != tt.rows[i] {
					t.Errorf("row %d = %s, want %s", i, got, tt.rows[i])
				}
			}
		})
	}
}

func TestJSONSyntaxErrorNamesRecord(t *testing.T) {
	r, _ := openFile(t, writeFile(t, "a.jsonl", []byte("{\"a\": 1}\n{\"a\": 2}\n")), Options{})
	readAll(t, r)
	_, _, err := Open(writeFile(t, "b.jsonl", []byte("{\"a\": 1}\n{\"a\": }\n")), Options{})
	if err == nil || !strings.Contains(err.Error(), "record 2") {
		t.Errorf("err = %v, want record 2", err)
	}
}

const featureCollection = `{"type": "FeatureCollection", "name": "arrets",
 "features": [
  {"type": "Feature", "properties": {"nom": "Ralliement", "places": 12}, "geometry": {"type": "Point", "coordinates": [-0.5530, 47.4712]}},
  {"type": "Feature", "properties": {"nom": "Parc", "zone": "A"}, "geometry": {"type": "Polygon", "coordinates": [[[0, 46], [2, 46], [2, 48], [0, 48], [0, 46]]]}},
  {"type": "Feature", "properties": null, "geometry": null}
 ]}`

func TestGeoJSONRoundTrip(t *testing.T) {
	r, info := openFile(t, writeFile(t, "arrets.geojson", []byte(featureCollection)), Options{})
	if got := strings.Join(r.Header(), "|"); got != "nom|places|zone|geometry|geo_point_2d" {
		t.Fatalf("header %s", got)
	}
	rows := readAll(t, r)
	if len(rows) != 3 {
		t.Fatalf("%d rows", len(rows))
	}
	if rows[0][4] != "47.4712, -0.553" || rows[1][4] != "47, 1" || rows[2][3] != Null {
		t.Errorf("points %q %q, geometry %q", rows[0][4], rows[1][4], rows[2][3])
	}
	in := NewInferrer(r.Header(), info.Delimiter)
	for _, rec := range rows {
		in.Add(rec)
	}
	fields := in.Fields()
	types := typesOf(fields)
	if types["geometry"] != catalog.TypeGeoShape || types["geo_point_2d"] != catalog.TypeGeoPoint || types["places"] != catalog.TypeInt {
		t.Fatalf("types %v", types)
	}
	c := NewCaster(fields, r.Header(), info.Delimiter)
	row, err := c.Cast(rows[1])
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := row[3].(json.RawMessage); !ok || row[4] != (catalog.GeoPoint{Lat: 47, Lon: 1}) {
		t.Errorf("row = %#v", row)
	}
}

func TestGeoJSONKeepsOwnPointColumn(t *testing.T) {
	body := `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"Geo Point 2D":"1, 2"},"geometry":{"type":"Point","coordinates":[5,6]}}]}`
	r, _ := openFile(t, writeFile(t, "a.geojson", []byte(body)), Options{})
	if got := strings.Join(r.Header(), "|"); got != "Geo Point 2D|geometry" {
		t.Errorf("header %s", got)
	}
}

func TestXLSXRoundTrip(t *testing.T) {
	path := writeXLSX(t)
	r, info := openFile(t, path, Options{})
	if info.Format != FormatXLSX {
		t.Errorf("format %s", info.Format)
	}
	if got := strings.Join(r.Header(), "|"); got != "nom|montant|date|column_4" {
		t.Errorf("header %s", got)
	}
	rows := readAll(t, r)
	if len(rows) != 2 || rows[0][2] != "2024-03-15" || rows[0][1] != "1234.5" {
		t.Fatalf("rows %q", rows)
	}
	in := NewInferrer(r.Header(), 0)
	for _, rec := range rows {
		in.Add(rec)
	}
	fields := in.Fields()
	row, err := NewCaster(fields, r.Header(), 0).Cast(rows[0])
	if err != nil {
		t.Fatal(err)
	}
	if row[1] != 1234.5 || row[2] != time.Date(2024, 3, 15, 0, 0, 0, 0, time.UTC) {
		t.Errorf("row = %#v (fields %+v)", row, fields)
	}
}

func TestXLSXSheetOption(t *testing.T) {
	r, _ := openFile(t, writeXLSX(t), Options{Sheet: "Autre"})
	if got := strings.Join(r.Header(), "|"); got != "x" {
		t.Errorf("header %s", got)
	}
	if _, _, err := Open(writeXLSX(t), Options{Sheet: "Absente"}); err == nil {
		t.Error("no error for a missing sheet")
	}
}

// writeXLSX creates a workbook whose first sheet has a date-formatted serial.
func writeXLSX(t *testing.T) string {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	sheet := f.GetSheetName(0)
	rows := [][]any{{"nom", "montant", "date", ""}, {"École", 1234.5, time.Date(2024, 3, 15, 0, 0, 0, 0, time.UTC), "x"}, {"Gare", 7, time.Date(2024, 3, 16, 0, 0, 0, 0, time.UTC)}}
	for i, row := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow(sheet, cell, &row); err != nil {
			t.Fatal(err)
		}
	}
	style, err := f.NewStyle(&excelize.Style{NumFmt: 14})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.SetCellStyle(sheet, "C2", "C3", style); err != nil {
		t.Fatal(err)
	}
	if _, err := f.NewSheet("Autre"); err != nil {
		t.Fatal(err)
	}
	f.SetCellValue("Autre", "A1", "x")
	path := t.TempDir() + "/classeur.xlsx"
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
	return path
}
