package sensors

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/socle/socle/internal/catalog"
	"github.com/socle/socle/internal/errs"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

func ptr[T any](v T) *T { return &v }

// sampleDevices covers every field, empty ones, and the characters the
// properties text must escape.
func sampleDevices() []*Device {
	installed := time.Date(2024, 3, 15, 0, 0, 0, 0, time.UTC)
	return []*Device{
		{ID: "meter-42", EUI: "70b3d57ed0000042", Name: "Compteur secteur nord", Type: "WaterMeter", Model: "axioma-qalcosonic",
			Domain: "water", Location: &catalog.GeoPoint{Lon: 4.8357, Lat: 45.764043}, Commune: "69123", Org: "metropole",
			Operator: "Eau du Grand Lyon", PeriodSeconds: 600, InstalledAt: &installed, Status: StatusActive,
			Properties: []Property{{Name: "flow", Unit: "m3/h", Min: ptr(0.0), Max: ptr(500.0)}, {Name: "battery", Unit: "V"}}},
		{ID: "bin.7", Name: `Colonne "verre", place; Bellecour`, Type: "WasteContainer", Domain: "waste",
			Location: &catalog.GeoPoint{Lon: -0.5, Lat: -1e-05}, PeriodSeconds: 3600, Status: StatusMaintenance,
			Properties: []Property{{Name: "fill|level", Unit: "%:x", Max: ptr(100.0)}, {Name: `odd\name`, Min: ptr(-40.25)}}},
		{ID: "spare", Name: "Capteur\nen réserve", Domain: "other", Status: StatusRetired},
	}
}

func TestRegistryGolden(t *testing.T) {
	for _, tc := range []struct {
		file  string
		write func(*bytes.Buffer, []*Device) error
		read  func(*bytes.Reader) ([]*Device, error)
	}{
		{"devices.csv", func(b *bytes.Buffer, ds []*Device) error { return WriteDevicesCSV(b, ds) },
			func(r *bytes.Reader) ([]*Device, error) { return ReadDevicesCSV(r) }},
		{"devices.geojson", func(b *bytes.Buffer, ds []*Device) error { return WriteDevicesGeoJSON(b, ds) },
			func(r *bytes.Reader) ([]*Device, error) { return ReadDevicesGeoJSON(r) }},
	} {
		t.Run(tc.file, func(t *testing.T) {
			var buf bytes.Buffer
			if err := tc.write(&buf, sampleDevices()); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join("testdata", tc.file)
			if *update {
				if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			golden, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(buf.Bytes(), golden) {
				t.Errorf("output differs from %s (run with -update if intended):\n%s", path, buf.Bytes())
			}
			got, err := tc.read(bytes.NewReader(golden))
			if err != nil {
				t.Fatal(err)
			}
			assertDevices(t, got, sampleDevices())
		})
	}
}

// TestRegistryFormatsAgree converts the CSV golden file to GeoJSON and back.
func TestRegistryFormatsAgree(t *testing.T) {
	src, err := os.ReadFile("testdata/devices.csv")
	if err != nil {
		t.Fatal(err)
	}
	ds, err := ReadDevicesCSV(bytes.NewReader(src))
	if err != nil {
		t.Fatal(err)
	}
	var gj, back bytes.Buffer
	if err := WriteDevicesGeoJSON(&gj, ds); err != nil {
		t.Fatal(err)
	}
	want, _ := os.ReadFile("testdata/devices.geojson")
	if !bytes.Equal(gj.Bytes(), want) {
		t.Errorf("CSV → GeoJSON differs from the golden file:\n%s", gj.Bytes())
	}
	ds, err = ReadDevicesGeoJSON(&gj)
	if err != nil {
		t.Fatal(err)
	}
	if err := WriteDevicesCSV(&back, ds); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(back.Bytes(), src) {
		t.Errorf("GeoJSON → CSV differs from the golden file:\n%s", back.Bytes())
	}
}

func assertDevices(t *testing.T, got, want []*Device) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%d devices, want %d", len(got), len(want))
	}
	for i := range want {
		if !reflect.DeepEqual(got[i], want[i]) {
			t.Errorf("device %d:\n got %+v\nwant %+v", i, *got[i], *want[i])
		}
	}
}

// TestReadDevicesCSVAccepts shows the spellings a hand-made file may use.
func TestReadDevicesCSVAccepts(t *testing.T) {
	want := []*Device{{ID: "m1", Name: "Compteur", Domain: "water", Location: &catalog.GeoPoint{Lon: 4.85, Lat: 45.76},
		PeriodSeconds: 600, Properties: []Property{{Name: "flow", Unit: "m3/h", Min: ptr(0.5)}, {Name: "alarm"}}}}
	for name, src := range map[string]string{
		"comma":                   "id,name,domain,lat,lon,period_seconds,properties\nm1,Compteur,water,45.76,4.85,600,flow:m3/h:0.5|alarm\n",
		"semicolon_decimal_comma": "id;name;domain;lat;lon;period_seconds;properties\nm1;Compteur;water;45,76;4,85;600;flow:m3/h:0,5:|alarm::\n",
		"bom_crlf_spaces":         "\uFEFF ID , Name,domain,lon,lat,period_seconds,properties\r\n m1 , Compteur ,water, 4.85 ,45.76,600, flow : m3/h : 0.5 : | alarm |\r\n",
		"other_order_blank_line":  "properties,period_seconds,lat,lon,domain,name,id\n\nflow:m3/h:0.5:|||alarm,600,45.76,4.85,water,Compteur,m1\n",
	} {
		t.Run(name, func(t *testing.T) {
			got, err := ReadDevicesCSV(strings.NewReader(src))
			if err != nil {
				t.Fatal(err)
			}
			assertDevices(t, got, want)
		})
	}
	t.Run("latin1_text", func(t *testing.T) {
		got, err := ReadDevicesCSV(strings.NewReader("id;name\nm1;Compteur \xe9t\xe9\n"))
		if err != nil || len(got) != 1 || got[0].Name != "Compteur été" {
			t.Fatalf("%v %+v", err, got)
		}
	})
	t.Run("header_only", func(t *testing.T) {
		got, err := ReadDevicesCSV(strings.NewReader("id,name\n"))
		if err != nil || len(got) != 0 {
			t.Fatalf("%v %+v", err, got)
		}
	})
}

// TestReadDevicesRefuses checks that every refusal is Invalid (or
// TooLarge) and says where.
func TestReadDevicesRefuses(t *testing.T) {
	const head = "id,lat,lon,period_seconds,installed_at,properties\n"
	for _, tc := range []struct {
		name, src, want string
		geo             bool
	}{
		{"empty_file", "", "empty", false},
		{"unknown_column", "id,lattitude\nm1,4\n", `line 1, column 2: unknown column "lattitude"`, false},
		{"repeated_column", "id,name,Name\n", `line 1, column 3: column "name" appears twice`, false},
		{"no_id_column", "name,domain\nx,water\n", "no id column", false},
		{"bad_latitude", head + "m1,45,4,,,\nm2,north,4,,,\n", `line 3, column lat: "north" is not a number`, false},
		{"latitude_range", head + "m1,95,4,,,\n", "line 2, columns lat and lon: latitude 95 is outside [-90, 90]", false},
		{"half_location", head + "m1,45,,,,\n", "line 2, columns lat and lon: give both or neither", false},
		{"nan", head + "m1,NaN,4,,,\n", `line 2, column lat: "NaN" is not a number`, false},
		{"period", head + "m1,,,10.5,,\n", `line 2, column period_seconds: "10.5" is not a whole number`, false},
		{"date", head + "m1,,,,15/03/2024,\n", `line 2, column installed_at: "15/03/2024" is not a date in the form YYYY-MM-DD`, false},
		{"property_parts", head + "m1,,,,,a:b:1:2:3\n", "line 2, column properties: property 1", false},
		{"property_min", head + "m1,,,,,flow:m3:low:\n", "line 2, column properties: property flow: min \"low\" is not a number", false},
		{"too_many_cells", head + "m1,,,,,,extra\n", "line 2: 7 cells but the header has 6 columns", false},
		{"unclosed_quote", head + "m1,\"45,4,,,\n", "quote", false},

		{"not_json", "id,name\n", "line 1: invalid JSON", true},
		{"not_collection", `{"type":"Feature","features":[]}`, "must be a GeoJSON FeatureCollection", true},
		{"array", `[]`, "must be a GeoJSON FeatureCollection", true},
		{"truncated", "{\"type\":\"FeatureCollection\",\"features\":[\n{\"type\":\"Feature\"", "ends too early", true},
		{"trailing", `{"type":"FeatureCollection","features":[]} {}`, "data after the FeatureCollection", true},
		{"unknown_key", "{\"type\":\"FeatureCollection\",\"features\":[\n{\"type\":\"Feature\",\"geometry\":null,\"properties\":{\"id\":\"a\"}},\n\n{\"type\":\"Feature\",\"geometry\":null,\"properties\":{\"id\":\"b\",\"lat\":4}}]}",
			`feature 2 (line 4): unknown property "lat"`, true},
		{"polygon", `{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Polygon","coordinates":[]},"properties":{}}]}`,
			"feature 1 (line 1): geometry must be a Point", true},
		{"geo_range", `{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Point","coordinates":[200,4]},"properties":{}}]}`,
			"longitude 200 is outside", true},
		{"period_text", `{"type":"FeatureCollection","features":[{"type":"Feature","geometry":null,"properties":{"period_seconds":"often"}}]}`,
			"feature 1 (line 1): property period_seconds: must be a whole number", true},
		{"property_item", `{"type":"FeatureCollection","features":[{"type":"Feature","geometry":null,"properties":{"properties":[{"name":"a","scale":2}]}}]}`,
			"property properties: item 1 must be an object", true},
		{"not_feature", `{"type":"FeatureCollection","features":[4]}`, "feature 1 (line 1): not a GeoJSON Feature", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			read := ReadDevicesCSV
			if tc.geo {
				read = ReadDevicesGeoJSON
			}
			_, err := read(strings.NewReader(tc.src))
			if !errs.Is(err, errs.Invalid) || !strings.Contains(errs.Message(err), tc.want) {
				t.Errorf("got %v (%s), want Invalid containing %q", err, errs.KindOf(err), tc.want)
			}
		})
	}
}

func TestReadDevicesLimits(t *testing.T) {
	big := strings.NewReader(strings.Repeat(" ", MaxRegistryBytes+1))
	if _, err := ReadDevicesGeoJSON(big); !errs.Is(err, errs.TooLarge) {
		t.Errorf("oversized file: %v", err)
	}
	var b strings.Builder
	b.WriteString("id\n")
	for range MaxRegistryDevices + 1 {
		b.WriteString("d\n")
	}
	if _, err := ReadDevicesCSV(strings.NewReader(b.String())); !errs.Is(err, errs.TooLarge) {
		t.Errorf("too many devices: %v", err)
	}
}

func TestWriteRefusesNonFinite(t *testing.T) {
	nan := 0.0
	nan /= nan
	d := &Device{ID: "x", Location: &catalog.GeoPoint{Lat: nan}}
	if err := WriteDevicesCSV(&bytes.Buffer{}, []*Device{d}); !errs.Is(err, errs.Invalid) {
		t.Errorf("CSV: %v", err)
	}
	if err := WriteDevicesGeoJSON(&bytes.Buffer{}, []*Device{d}); !errs.Is(err, errs.Invalid) {
		t.Errorf("GeoJSON: %v", err)
	}
}

func TestPropertiesText(t *testing.T) {
	for _, ps := range [][]Property{
		nil,
		{{Name: "a"}},
		{{Name: `a:b|c\`, Unit: `\`, Min: ptr(-1.5e-9), Max: ptr(1e300)}, {}},
	} {
		text := FormatProperties(ps)
		got, err := ParseProperties(text)
		if err != nil || !reflect.DeepEqual(got, ps) {
			t.Errorf("%q read back as %+v, %v; want %+v", text, got, err, ps)
		}
	}
}

// FuzzReadDevicesCSV: the reader never panics, refuses only with Invalid or
// TooLarge, and what it accepts round-trips through both writers.
func FuzzReadDevicesCSV(f *testing.F) {
	golden, _ := os.ReadFile("testdata/devices.csv")
	f.Add(string(golden))
	f.Add("id;lat;lon;properties\nm;45,1;4,2;a\\:b:c:1:2|\n")
	f.Add("\uFEFFid,name\n\"a\"\"b\",\"x\ny\"\n")
	f.Fuzz(func(t *testing.T, src string) {
		ds, err := ReadDevicesCSV(strings.NewReader(src))
		if err != nil {
			checkRefusal(t, err)
			return
		}
		roundTrip(t, ds)
	})
}

// FuzzReadDevicesGeoJSON: as FuzzReadDevicesCSV, for GeoJSON.
func FuzzReadDevicesGeoJSON(f *testing.F) {
	golden, _ := os.ReadFile("testdata/devices.geojson")
	f.Add(string(golden))
	f.Add(`{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Point","coordinates":[1,2,3]},"properties":{"id":" x ","period_seconds":1e2,"properties":[null]}}]}`)
	f.Fuzz(func(t *testing.T, src string) {
		ds, err := ReadDevicesGeoJSON(strings.NewReader(src))
		if err != nil {
			checkRefusal(t, err)
			return
		}
		roundTrip(t, ds)
	})
}

func checkRefusal(t *testing.T, err error) {
	t.Helper()
	if k := errs.KindOf(err); k != errs.Invalid && k != errs.TooLarge {
		t.Fatalf("refusal of kind %s: %v", k, err)
	}
}

// roundTrip writes ds in both formats and reads each back unchanged.
func roundTrip(t *testing.T, ds []*Device) {
	t.Helper()
	var c, g bytes.Buffer
	if err := WriteDevicesCSV(&c, ds); err != nil {
		t.Fatalf("write CSV: %v", err)
	}
	if err := WriteDevicesGeoJSON(&g, ds); err != nil {
		t.Fatalf("write GeoJSON: %v", err)
	}
	fromCSV, err := ReadDevicesCSV(bytes.NewReader(c.Bytes()))
	if err != nil {
		t.Fatalf("read back CSV: %v\n%s", err, c.Bytes())
	}
	fromGeo, err := ReadDevicesGeoJSON(bytes.NewReader(g.Bytes()))
	if err != nil {
		t.Fatalf("read back GeoJSON: %v\n%s", err, g.Bytes())
	}
	if !reflect.DeepEqual(fromCSV, ds) && !(len(ds) == 0 && len(fromCSV) == 0) {
		t.Fatalf("CSV round trip:\n got %s\nwant %s", dump(fromCSV), dump(ds))
	}
	if !reflect.DeepEqual(fromGeo, ds) && !(len(ds) == 0 && len(fromGeo) == 0) {
		t.Fatalf("GeoJSON round trip:\n got %s\nwant %s", dump(fromGeo), dump(ds))
	}
}

// dump shows devices for a failure message, as GeoJSON.
func dump(ds []*Device) string {
	var buf bytes.Buffer
	WriteDevicesGeoJSON(&buf, ds)
	return buf.String()
}
