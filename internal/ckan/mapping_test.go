package ckan

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/socle/socle/internal/catalog"
)

var update = flag.Bool("update", false, "rewrite the golden files")

func testDataset() *catalog.Dataset {
	start := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	return &catalog.Dataset{
		ID: "arbres", UID: "0123456789abcdef", Access: catalog.AccessPublic, Version: 3, Records: 1200,
		Issued: time.Date(2023, 5, 4, 8, 0, 0, 0, time.UTC), Modified: time.Date(2024, 6, 1, 12, 30, 15, 250_000_000, time.UTC),
		Meta: catalog.Metadata{
			Title: "Arbres d'alignement", Description: "Les arbres des rues.", Publisher: "metropole",
			ContactName: "Service Nature", ContactEmail: "nature@example.org", Keywords: []string{"arbres", "nature"},
			Themes: []string{"ENVI"}, License: "etalab-2.0", Frequency: "monthly", Language: "fr", Spatial: "49007",
			TemporalStart: &start, ConformsTo: "https://schema.data.gouv.fr/schemas/etalab/schema-arbre/0.1.0/schema.json",
		},
		Fields: []catalog.Field{{Name: "espece", Label: "Espèce", Type: catalog.TypeText, Description: "Nom latin"},
			{Name: "hauteur", Label: "Hauteur", Type: catalog.TypeDouble, Unit: "m"}, {Name: "geo", Label: "Position", Type: catalog.TypeGeoPoint}},
	}
}

func TestPackageOfGolden(t *testing.T) {
	org := &catalog.Organization{ID: "metropole", Name: "Angers Loire Métropole", Kind: catalog.OrgMetropolis,
		CreatedAt: time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC)}
	site := Site{BaseURL: "https://data.example.org", Downloads: []Download{{"csv", "text/csv"}, {"parquet", "application/vnd.apache.parquet"}}}
	got := map[string]any{"package": PackageOf(testDataset(), org, site), "fields": FieldsOf(testDataset().Fields)}
	b, err := json.MarshalIndent(got, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("testdata", "package.golden.json")
	if *update {
		os.MkdirAll("testdata", 0o755)
		if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(bytes.TrimSpace(want), b) {
		t.Errorf("package differs from %s (run with -update after checking):\n%s", path, b)
	}
}

func TestPackageOfEdges(t *testing.T) {
	d := testDataset()
	d.Version, d.Access, d.Meta.License = 0, catalog.AccessRestricted, "proprietary"
	p := PackageOf(d, nil, Site{})
	if !p.Private || p.Organization != nil || p.OwnerOrg != nil || len(p.Resources) != 0 || p.LicenseTitle != "proprietary" || p.IsOpen {
		t.Errorf("no data, restricted, unknown licence, no organization: %+v", p)
	}
	uid, kind, ok := SplitResourceID(ResourceID("0123456789abcdef", "csv"))
	if !ok || uid != "0123456789abcdef" || kind != "csv" {
		t.Errorf("resource ID round trip: %s %s %v", uid, kind, ok)
	}
	if _, _, ok := SplitResourceID("arbres"); ok {
		t.Error("a dataset name taken for a resource ID")
	}
}
