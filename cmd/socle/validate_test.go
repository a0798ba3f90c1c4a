package main

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

// TestValidateVerdicts runs `socle validate` on the schema.data.gouv.fr
// examples: valid ones exit 0, invalid ones exit 1 with their errors.
func TestValidateVerdicts(t *testing.T) {
	dir := "../../testdata/tableschema"
	files, err := filepath.Glob(dir + "/*/exemple*.csv")
	if err != nil || len(files) < 10 {
		t.Fatalf("examples: %v (%d files)", err, len(files))
	}
	for _, f := range files {
		name := filepath.Base(f)
		wantValid := strings.Contains(name, "valide") && !strings.Contains(name, "invalide")
		if strings.Contains(name, "duplicate") {
			wantValid = false
		}
		t.Run(filepath.Base(filepath.Dir(f))+"/"+name, func(t *testing.T) {
			var out, errOut strings.Builder
			schema := filepath.Join(filepath.Dir(f), "schema.json")
			code := Main(context.Background(), []string{"validate", "--schema", schema, "--json", f}, &out, &errOut)
			want := 1
			if wantValid {
				want = 0
			}
			if code != want {
				t.Fatalf("exit %d, want %d\n%s%s", code, want, out.String(), errOut.String())
			}
			var report struct {
				Valid  bool              `json:"valid"`
				Errors []json.RawMessage `json:"errors"`
			}
			if err := json.Unmarshal([]byte(out.String()), &report); err != nil {
				t.Fatalf("--json output: %v\n%s", err, out.String())
			}
			if report.Valid != wantValid || (wantValid != (len(report.Errors) == 0)) {
				t.Errorf("report valid=%v with %d errors", report.Valid, len(report.Errors))
			}
		})
	}
	t.Run("readable report names row and field", func(t *testing.T) {
		var out, errOut strings.Builder
		d := dir + "/lieux-covoiturage/"
		Main(context.Background(), []string{"validate", "--schema", d + "schema.json", d + "exemple-invalide.csv"}, &out, &errOut)
		if !strings.Contains(out.String(), "row 3") || !strings.Contains(out.String(), "date_maj") {
			t.Errorf("report does not name row 3 / date_maj:\n%s", out.String())
		}
	})
}
