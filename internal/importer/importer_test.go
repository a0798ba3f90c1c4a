package importer_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/socle/socle/internal/app"
	"github.com/socle/socle/internal/catalog"
	"github.com/socle/socle/internal/errs"
	"github.com/socle/socle/internal/importer"
	"github.com/socle/socle/internal/tableschema"
	"github.com/socle/socle/sqlite"
)

// newApp opens a real SQLite store in a temporary directory.
func newApp(t *testing.T) *app.App {
	t.Helper()
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "socle.db"))
	if err != nil {
		t.Fatal(err)
	}
	a := app.New(db, nil)
	t.Cleanup(func() { a.Close() })
	return a
}

func write(t *testing.T, name, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func field(t *testing.T, fs []catalog.Field, name string) catalog.Field {
	t.Helper()
	for _, f := range fs {
		if f.Name == name {
			return f
		}
	}
	t.Fatalf("no field %q in %v", name, fs)
	return catalog.Field{}
}

func TestImportInfersTypesAndFacets(t *testing.T) {
	a := newApp(t)
	csv := "Commune;Ouvert;Date;Montant;Code INSEE\n" +
		"Angers;oui;2024-01-02;1 234,5;49007\nAvrillé;non;2024-01-03;12;49015\nAngers;oui;2024-01-04;;49007\n"
	sum, err := importer.Import(context.Background(), a, app.System, importer.Request{
		Path: write(t, "x.csv", csv), Dataset: catalog.Dataset{ID: "x"}, Index: []string{"Commune"}})
	if err != nil {
		t.Fatal(err)
	}
	if !sum.Created || sum.Rows != 3 || sum.Version != 1 {
		t.Fatalf("summary %+v", sum)
	}
	cases := []struct {
		name    string
		typ     catalog.FieldType
		facet   bool
		indexed bool
	}{
		{"commune", catalog.TypeText, true, true}, // repeated values: a facet
		{"ouvert", catalog.TypeBoolean, true, false},
		{"date", catalog.TypeDate, true, false},
		{"montant", catalog.TypeDouble, false, false},
		{"code_insee", catalog.TypeText, true, false}, // codes stay text
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := field(t, sum.Fields, c.name)
			if f.Type != c.typ || f.Facet != c.facet || f.Indexed != c.indexed {
				t.Errorf("%+v, want type %s facet %v indexed %v", f, c.typ, c.facet, c.indexed)
			}
		})
	}
}

func TestRefusedFirstImportLeavesNoDataset(t *testing.T) {
	a := newApp(t)
	ctx := context.Background()
	schema, err := tableschema.Parse(strings.NewReader(`{"fields":[{"name":"n","type":"integer"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	sum, err := importer.Import(ctx, a, app.System, importer.Request{
		Path: write(t, "bad.csv", "n\n1\nx\n"), Dataset: catalog.Dataset{ID: "bad"}, Schema: schema})
	if !errs.Is(err, errs.Invalid) || sum == nil || sum.Report == nil || sum.Report.Valid || len(sum.Report.Errors) != 1 {
		t.Fatalf("err %v, summary %+v", err, sum)
	}
	if _, err := a.Store.Dataset(ctx, "bad"); !errs.Is(err, errs.NotFound) {
		t.Errorf("a refused first import left its dataset: %v", err)
	}
	// A load that fails after validation (upsert on a missing key) too.
	_, err = importer.Import(ctx, a, app.System, importer.Request{
		Path: write(t, "ok.csv", "n\n1\n"), Dataset: catalog.Dataset{ID: "up"}, Mode: catalog.ModeUpsert, Keys: []string{"nope"}})
	if err == nil {
		t.Fatal("upsert on an unknown key accepted")
	}
	if _, err := a.Store.Dataset(ctx, "up"); !errs.Is(err, errs.NotFound) {
		t.Errorf("a failed first load left its dataset: %v", err)
	}
}

func TestUnknownIndexFieldIsRefusedBeforeAnythingIsCreated(t *testing.T) {
	a := newApp(t)
	_, err := importer.Import(context.Background(), a, app.System, importer.Request{
		Path: write(t, "x.csv", "a\n1\n"), Dataset: catalog.Dataset{ID: "x"}, Index: []string{"b"}})
	if !errs.Is(err, errs.Invalid) {
		t.Fatalf("got %v", err)
	}
	if _, err := a.Store.Dataset(context.Background(), "x"); !errs.Is(err, errs.NotFound) {
		t.Errorf("dataset created: %v", err)
	}
}
