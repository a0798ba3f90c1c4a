package importer_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/socle/socle/internal/app"
	"github.com/socle/socle/internal/catalog"
	"github.com/socle/socle/internal/importer"
	"github.com/socle/socle/internal/tableschema"
)

func TestCheckSchemaReportsTheDataAgainstTheDeclaredSchema(t *testing.T) {
	schema := `{"fields":[{"name":"nomCommune","type":"string","constraints":{"required":true}},
		{"name":"montant","type":"number","constraints":{"minimum":0}},
		{"name":"ouvert","type":"boolean","trueValues":["oui"],"falseValues":["non"]},
		{"name":"codeInsee","type":"string"}]}`
	for _, tc := range []struct {
		name      string
		csv       string
		valid     bool
		wantCodes []string
	}{
		{"conforming data is valid", "nomCommune;montant;ouvert;codeInsee\nTours;12,5;oui;37261\nBlois;0;non;41018\n", true, nil},
		{"a negative amount and a missing column are reported", "nomCommune;montant;ouvert\nTours;-3;oui\n", false,
			[]string{tableschema.CodeMissingLabel, tableschema.CodeConstraint}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := newApp(t)
			ctx := context.Background()
			ds := catalog.Dataset{ID: "q"}
			if _, err := importer.Import(ctx, a, app.System, importer.Request{Path: write(t, "q.csv", tc.csv), Dataset: ds}); err != nil {
				t.Fatal(err)
			}
			d, _ := a.Store.Dataset(ctx, "q")
			d.Meta.TableSchemaJSON = schema
			if err := a.UpdateDataset(ctx, app.System, d); err != nil {
				t.Fatal(err)
			}
			rep, err := importer.CheckSchema(ctx, a, app.System, "q")
			if err != nil {
				t.Fatal(err)
			}
			if rep.Valid != tc.valid {
				t.Fatalf("valid = %v, want %v: %+v", rep.Valid, tc.valid, rep.Errors)
			}
			for i, code := range tc.wantCodes {
				if i >= len(rep.Errors) || rep.Errors[i].Code != code {
					t.Errorf("error %d: got %+v, want %s", i, rep.Errors, code)
				}
			}
			reports, err := a.Store.ImportReports(ctx, "q", 1)
			if err != nil || len(reports) != 1 || reports[0].Source != importer.QualitySource || reports[0].OK != tc.valid {
				t.Fatalf("report %+v, %v", reports, err)
			}
			var detail struct{ Report *tableschema.Report }
			if json.Unmarshal([]byte(reports[0].Detail), &detail); detail.Report == nil || detail.Report.Stats.Rows != rep.Stats.Rows {
				t.Errorf("detail %s", reports[0].Detail)
			}
		})
	}
}
