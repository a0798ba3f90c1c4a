package main

import (
	"bytes"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/socle/socle/internal/sensors"
)

// registryCSV is what a steward's spreadsheet may save: ';', a BOM, an
// upper-case DevEUI, a decimal comma, a blank status.
const registryCSV = "\uFEFFid;eui;name;type;domain;lat;lon;commune;period_seconds;installed_at;status;properties\r\n" +
	"bin-1;;Colonne à verre;WasteContainer;waste;45,7578;4,832;69381;3600;2025-06-01;;fill:%:0:100\r\n" +
	"meter-1;70B3D57ED0000001;Compteur nord;WaterMeter;water;45.77;4.85;69123;600;;maintenance;flow:m3/h:0:500|battery:V::\r\n" +
	"spare;;Capteur en réserve;;other;;;;0;;retired;\r\n"

// registryCanonical is the same registry as Socle writes it back.
const registryCanonical = "id,eui,name,type,model,domain,lat,lon,commune,org,operator,period_seconds,installed_at,status,properties\n" +
	"bin-1,,Colonne à verre,WasteContainer,,waste,45.7578,4.832,69381,,,3600,2025-06-01,active,fill:%:0:100\n" +
	"meter-1,70b3d57ed0000001,Compteur nord,WaterMeter,,water,45.77,4.85,69123,,,600,,maintenance,flow:m3/h:0:500|battery:V::\n" +
	"spare,,Capteur en réserve,,,other,,,,,,0,,retired,\n"

// postFile posts body with a Content-Type and an optional API key.
func (e *env) postFile(path, key, ctype string, body []byte) (int, []byte) {
	e.t.Helper()
	req, err := http.NewRequest("POST", e.base+path, bytes.NewReader(body))
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Content-Type", ctype)
	if key != "" {
		req.Header.Set("Authorization", "Apikey "+key)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatalf("POST %s: %v", path, err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, out
}

// TestDeviceRegistryFiles imports a registry through the CLI, exports it
// through the API and the CLI, and checks that a file with one bad row
// writes nothing and that partners see no registry, on both engines.
func TestDeviceRegistryFiles(t *testing.T) {
	want, err := sensors.ReadDevicesCSV(strings.NewReader(registryCanonical))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range engines(t) {
		t.Run(e.name, func(t *testing.T) {
			e.t = t
			seedOrgs(t, e)
			e.mustRun("user", "add", "--login", "steward", "--role", "steward", "--org", "metropole")
			e.mustRun("user", "add", "--login", "outsider", "--role", "partner", "--org", "partenaire")
			steward := strings.TrimSpace(e.mustRun("apikey", "create", "--login", "steward"))
			outsider := strings.TrimSpace(e.mustRun("apikey", "create", "--login", "outsider"))

			file := filepath.Join(t.TempDir(), "registre.csv")
			if err := os.WriteFile(file, []byte(registryCSV), 0o644); err != nil {
				t.Fatal(err)
			}
			if out := e.mustRun("devices", "import", file); out != "3 devices imported\n" {
				t.Errorf("import said %q", out)
			}
			if out := e.mustRun("devices", "export", "--format", "csv"); out != registryCanonical {
				t.Errorf("CLI export:\n%s\nwant\n%s", out, registryCanonical)
			}
			if out := e.mustRun("devices", "export", "--format", "csv", "--domain", "water"); strings.Count(out, "\n") != 2 || !strings.Contains(out, "meter-1") {
				t.Errorf("CLI export of one domain:\n%s", out)
			}
			e.start()

			code, body, h := e.get("/api/v1/devices.geojson", steward)
			if code != 200 || h.Get("Content-Type") != "application/geo+json" {
				t.Fatalf("GET devices.geojson: %d %s %s", code, h.Get("Content-Type"), body)
			}
			got, err := sensors.ReadDevicesGeoJSON(bytes.NewReader(body))
			if err != nil {
				t.Fatalf("read the API's GeoJSON: %v\n%s", err, body)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("API GeoJSON:\n%s\nwant the devices of\n%s", body, registryCanonical)
			}
			if code, body, _ := e.get("/api/v1/devices.csv?domain=water", steward); code != 200 || !bytes.HasPrefix(body, []byte("id,eui,")) || bytes.Count(body, []byte("\n")) != 2 {
				t.Errorf("GET devices.csv?domain=water: %d %s", code, body)
			}

			// A file with one broken row is refused whole, naming the line.
			for _, tc := range []struct{ name, file, want string }{
				{"syntax", "id,domain,lat,lon\nnew-1,water,45,4\nnew-2,water,north,4\n", `line 3, column lat: \"north\" is not a number`},
				{"validity", "id,domain\nnew-1,water\nnew-2,space\n", `line 3 of a CSV): device new-2: unknown domain \"space\"`},
			} {
				code, body := e.postFile("/api/v1/devices/import", steward, "text/csv", []byte(tc.file))
				if code != 400 || !strings.Contains(string(body), tc.want) {
					t.Errorf("%s: broken row answered %d %s, want 400 naming line 3", tc.name, code, body)
				}
			}
			var list struct {
				TotalCount int `json:"total_count"`
			}
			e.getJSON("/api/v1/devices", steward, 200, &list)
			if list.TotalCount != 3 {
				t.Errorf("%d devices after refused imports, want 3", list.TotalCount)
			}

			// The API's GeoJSON imports back; re-importing changes nothing.
			code, out := e.postFile("/api/v1/devices/import", steward, "application/geo+json", body)
			if code != 200 || string(out) != "{\"imported\":3}\n" {
				t.Errorf("GeoJSON import: %d %s", code, out)
			}
			if code, out := e.postFile("/api/v1/devices/import", steward, "application/pdf", body); code != 400 {
				t.Errorf("import as PDF: %d %s", code, out)
			}
			if out := e.mustRun("devices", "export", "--format", "csv"); out != registryCanonical {
				t.Errorf("export after re-import:\n%s", out)
			}

			for _, p := range []string{"/api/v1/devices.csv", "/api/v1/devices.geojson"} {
				if code, _, _ := e.get(p, outsider); code != 404 {
					t.Errorf("partner GET %s: %d, want 404", p, code)
				}
				if code, _, _ := e.get(p, ""); code != 401 {
					t.Errorf("anonymous GET %s: %d, want 401", p, code)
				}
			}
			if code, out := e.postFile("/api/v1/devices/import", outsider, "text/csv", []byte(registryCanonical)); code != 404 {
				t.Errorf("partner import: %d %s, want 404", code, out)
			}
		})
	}
}
