package importer_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"

	"github.com/socle/socle/internal/app"
	"github.com/socle/socle/internal/auth"
	"github.com/socle/socle/internal/catalog"
	"github.com/socle/socle/internal/errs"
	"github.com/socle/socle/internal/importer"
)

const communes = "Commune;Code;Population\nAngers;49007;155000\nAvrillé;49015;14000\nTrélazé;49353;n/c\n"

func TestPreviewInfersAndSamplesWithoutPublishing(t *testing.T) {
	a := newApp(t)
	rows := "n;label\n"
	for i := range 25 {
		rows += string(rune('a'+i)) + ";x\n"
	}
	pl, err := importer.Preview(importer.Request{Path: write(t, "x.csv", communes), Dataset: catalog.Dataset{ID: "x"},
		Overrides: map[string]importer.FieldOverride{"commune": {Label: "Nom de la commune", Description: "nom officiel"}}})
	if err != nil {
		t.Fatal(err)
	}
	if pl.Rows != 3 || len(pl.Sample) != 3 || pl.Sample[1][0] != "Avrillé" || len(pl.Header) != 3 {
		t.Errorf("rows %d, header %v, sample %v", pl.Rows, pl.Header, pl.Sample)
	}
	if f := field(t, pl.Fields, "commune"); f.Label != "Nom de la commune" || f.Description != "nom officiel" {
		t.Errorf("override not applied: %+v", f)
	}
	if f := field(t, pl.Fields, "population"); f.Type != catalog.TypeText {
		t.Errorf("population inferred %s, want text (n/c)", f.Type)
	}
	if pl.Source.Format != "csv" || pl.Source.Delimiter != ';' {
		t.Errorf("source %+v", pl.Source)
	}
	if _, err := a.Store.Dataset(context.Background(), "x"); !errs.Is(err, errs.NotFound) {
		t.Errorf("a preview created the dataset: %v", err)
	}
	long, err := importer.Preview(importer.Request{Path: write(t, "long.csv", rows)})
	if err != nil || len(long.Sample) != importer.SampleSize || long.Rows != 25 {
		t.Errorf("sample of %d rows, %d rows counted, err %v", len(long.Sample), long.Rows, err)
	}
}

func TestOverrides(t *testing.T) {
	ctx := context.Background()
	cases := []struct {
		name      string
		override  importer.FieldOverride
		wantErr   bool
		wantType  catalog.FieldType
		wantLine  int
		wantValue string
	}{
		{"a label and a type that fit are applied", importer.FieldOverride{Label: "Code INSEE", Type: catalog.TypeInt}, false, catalog.TypeInt, 0, ""},
		{"a type that fails on a row publishes nothing", importer.FieldOverride{Type: catalog.TypeDate}, true, "", 2, "49007"},
		{"an unknown type is refused", importer.FieldOverride{Type: "money"}, true, "", 0, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a := newApp(t)
			sum, err := importer.Import(ctx, a, app.System, importer.Request{Path: write(t, "x.csv", communes),
				Dataset: catalog.Dataset{ID: "x"}, Overrides: map[string]importer.FieldOverride{"code": c.override}})
			if (err != nil) != c.wantErr {
				t.Fatalf("err %v, want error %v", err, c.wantErr)
			}
			if c.wantErr {
				if !errs.Is(err, errs.Invalid) {
					t.Errorf("kind %v, want invalid", errs.KindOf(err))
				}
				var ce *importer.CastError
				if c.wantLine > 0 && (!errors.As(err, &ce) || ce.Line != c.wantLine || ce.Field.Name != "code" || ce.Value != c.wantValue) {
					t.Errorf("cast error %+v from %v", ce, err)
				}
				if _, err := a.Store.Dataset(ctx, "x"); !errs.Is(err, errs.NotFound) {
					t.Errorf("refused import left the dataset: %v", err)
				}
				return
			}
			d, err := a.Store.Dataset(ctx, "x")
			if err != nil {
				t.Fatal(err)
			}
			f, _ := d.Field("code")
			if f.Type != c.wantType || f.Label != c.override.Label || sum.Rows != 3 {
				t.Errorf("published field %+v, rows %d", f, sum.Rows)
			}
		})
	}
}

func TestEveryImportAttemptLeavesAReport(t *testing.T) {
	a := newApp(t)
	ctx := context.Background()
	imp := func(p auth.Principal, body string, o map[string]importer.FieldOverride) error {
		_, err := importer.Import(ctx, a, p, importer.Request{Path: write(t, "x.csv", body), Source: "communes.csv",
			Dataset: catalog.Dataset{ID: "x"}, Overrides: o})
		return err
	}
	if err := imp(app.System, communes, nil); err != nil {
		t.Fatal(err)
	}
	if err := imp(app.System, communes, map[string]importer.FieldOverride{"code": {Type: catalog.TypeBoolean}}); err == nil {
		t.Fatal("a failing override was accepted")
	}
	agent := auth.Principal{User: &auth.User{Login: "agent", Role: auth.RoleAgent}}
	if err := imp(agent, communes, nil); err == nil {
		t.Fatal("an agent replaced a dataset")
	}
	reps, err := a.Store.ImportReports(ctx, "x", 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(reps) != 2 {
		t.Fatalf("%d reports, want 2 (the agent's refused permission leaves none): %+v", len(reps), reps)
	}
	bad, ok := reps[0], reps[1]
	if bad.OK || bad.Error == "" || bad.Version != 0 || bad.Source != "communes.csv" || bad.Actor != "system" || bad.Mode != "replace" {
		t.Errorf("refused report %+v", bad)
	}
	if !ok.OK || ok.Error != "" || ok.Version != 1 || ok.Rows != 3 {
		t.Errorf("published report %+v", ok)
	}
	var sum importer.Summary
	if err := json.Unmarshal([]byte(ok.Detail), &sum); err != nil || len(sum.Fields) != 3 {
		t.Errorf("detail %q: %v", ok.Detail, err)
	}
}
