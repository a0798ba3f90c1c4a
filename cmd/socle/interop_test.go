package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// interopCSV has one column of each inferable type, accents and quoting.
const interopCSV = `nom;nombre;montant;jour;horodatage;ouvert;geo_point_2d
"Église Saint-Jean; nef";12;3,5;2024-03-15;2024-03-15T10:30:00+02:00;oui;47.4712, -0.5518
Médiathèque Toussaint;-4;1234,25;15/04/2023;2023-04-15T08:00:00Z;non;47.4695, -0.5561
"Piscine ""La Baumette""";0;;2022-01-01;;;47.4521, -0.5702
`

func writeInterop(t *testing.T) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "interop.csv")
	if err := os.WriteFile(p, []byte(interopCSV), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestParquetReadByDuckDB reads Socle's Parquet export with DuckDB.
func TestParquetReadByDuckDB(t *testing.T) {
	node, err := exec.LookPath("node")
	needTool(t, "node", "install Node.js", err == nil)
	_, err = os.Stat("../../compat/odsclient/node_modules/@duckdb/node-api")
	needTool(t, "DuckDB (@duckdb/node-api)", "run `make compat-deps` (part of `make test`)", err == nil)
	src := writeInterop(t)
	for _, e := range engines(t) {
		t.Run(e.name, func(t *testing.T) {
			e.t = t
			e.mustRun("import", "--dataset", "interop", src)
			e.start()
			code, body, _ := e.get("/api/explore/v2.1/catalog/datasets/interop/exports/parquet", "")
			if code != 200 {
				t.Fatalf("parquet export: %d %s", code, body)
			}
			file := filepath.Join(t.TempDir(), "interop.parquet")
			os.WriteFile(file, body, 0o600)
			cmd := exec.Command(node, "duckdb-read.mjs", file)
			cmd.Dir = "../../compat/odsclient"
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("duckdb: %v\n%s", err, out)
			}
			var got struct {
				Columns []struct{ Name, Type string }
				Rows    []map[string]any
			}
			if err := json.Unmarshal(out, &got); err != nil {
				t.Fatalf("duckdb output: %v\n%s", err, out)
			}
			wantTypes := map[string]string{"nom": "VARCHAR", "nombre": "BIGINT", "montant": "DOUBLE", "jour": "DATE",
				"horodatage": "TIMESTAMP WITH TIME ZONE", "ouvert": "BOOLEAN"}
			for _, c := range got.Columns {
				if w, ok := wantTypes[c.Name]; ok && w != c.Type {
					t.Errorf("column %s: DuckDB type %s, want %s", c.Name, c.Type, w)
				}
			}
			if len(got.Rows) != 3 {
				t.Fatalf("DuckDB read %d rows, want 3", len(got.Rows))
			}
			r := got.Rows[0]
			if r["nom"] != "Église Saint-Jean; nef" || r["montant"] != 3.5 || r["jour"] != "2024-03-15" || r["ouvert"] != true {
				t.Errorf("first row as DuckDB reads it: %v", r)
			}
			if got.Rows[2]["montant"] != nil || got.Rows[2]["nom"] != `Piscine "La Baumette"` {
				t.Errorf("third row: %v", got.Rows[2])
			}
		})
	}
}

// TestGeoJSONReadByGDAL reads Socle's GeoJSON export with GDAL's ogr2ogr.
func TestGeoJSONReadByGDAL(t *testing.T) {
	ogr, err := exec.LookPath("ogr2ogr")
	needTool(t, "GDAL's ogr2ogr", "apt-get install gdal-bin (.ci/run does)", err == nil)
	src := writeInterop(t)
	for _, e := range engines(t) {
		t.Run(e.name, func(t *testing.T) {
			e.t = t
			e.mustRun("import", "--dataset", "interop", src)
			e.start()
			code, body, _ := e.get("/api/explore/v2.1/catalog/datasets/interop/exports/geojson", "")
			if code != 200 {
				t.Fatalf("geojson export: %d %s", code, body)
			}
			file := filepath.Join(t.TempDir(), "interop.geojson")
			os.WriteFile(file, body, 0o600)
			out, err := exec.Command(ogr, "-f", "CSV", "/vsistdout/", file, "-lco", "GEOMETRY=AS_XY").CombinedOutput()
			if err != nil {
				t.Fatalf("ogr2ogr: %v\n%s", err, out)
			}
			lines := strings.Split(strings.TrimSpace(string(out)), "\n")
			if len(lines) != 4 {
				t.Fatalf("GDAL read %d lines, want a header and 3 features:\n%s", len(lines), out)
			}
			if !strings.HasPrefix(lines[1], "-0.5518,47.4712,") || !strings.Contains(lines[1], "Église Saint-Jean; nef") {
				t.Errorf("first feature as GDAL reads it: %s", lines[1])
			}
		})
	}
}
