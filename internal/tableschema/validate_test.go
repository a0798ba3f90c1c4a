package tableschema

import (
	"fmt"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

const testdata = "../../testdata/tableschema"

// errorKeys renders errors as "row:field:type", with the constraint name
// appended to constraint errors ("4:5:constraint-error/pattern"), so that
// expectations read like SOURCES.md.
func errorKeys(errs []Error) []string {
	out := make([]string, len(errs))
	for i, e := range errs {
		out[i] = fmt.Sprintf("%s:%s:%s", dash(e.RowNumber), dash(e.FieldNumber), e.Code)
		if m := constraintRE.FindStringSubmatch(e.Note); m != nil && e.Code == CodeConstraint {
			out[i] += "/" + m[1]
		}
	}
	return out
}

var constraintRE = regexp.MustCompile(`^constraint "(\w+)"`)

func dash(n int) string {
	if n == 0 {
		return "-"
	}
	return fmt.Sprint(n)
}

func loadSchema(t *testing.T, path string) *Schema {
	t.Helper()
	if path == "" {
		return nil
	}
	s, err := Load(filepath.Join(testdata, path))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func validate(t *testing.T, schema, file string, opts Options) *Report {
	t.Helper()
	rep, err := ValidateFile(filepath.Join(testdata, file), loadSchema(t, schema), opts)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// TestSchemaDataGouvExamples validates every published example of the
// French schemas. Custom checks (SIRET/SIREN Luhn keys, opening hours,
// one-of-required) are Validata extensions, out of scope: the errors they
// would add are not expected here.
func TestSchemaDataGouvExamples(t *testing.T) {
	tests := []struct {
		file string
		want []string // exact errors; nil for a valid file
		// contains lists errors that must be among others (files whose
		// header errors shift every cell).
		contains []string
	}{
		{file: "comptage-mobilites-channel/exemple-valide.csv"},
		{file: "comptage-mobilites-channel/exemple-valide-eco-compteur.csv"}, // +0200 offsets
		{file: "comptage-mobilites-measure/exemple-valide.csv"},
		{file: "comptage-mobilites-measure/exemple-valide-eco-compteur.csv"}, // +02 offsets
		{file: "lieux-covoiturage/exemple-valide.csv"},
		{file: "schema-arbre/exemple-valide.csv"}, // ';', CRLF, "" escapes
		{file: "schema-stationnement/exemple-valide.csv"},
		{file: "scdl-subventions/exemple_valide.csv"},
		{file: "stationnement-cyclable/exemple-valide.csv"}, // newline inside a quoted geopoint
		{
			file: "comptage-mobilites-channel/exemple-invalide.csv",
			// Row 5 fails only because patterns match the whole value.
			want: []string{"3:-:primary-key", "4:5:constraint-error/pattern", "5:5:constraint-error/pattern"},
		},
		{
			file: "lieux-covoiturage/exemple-invalide.csv",
			want: []string{"3:7:type-error"},
		},
		{
			file: "schema-stationnement/exemple-invalide.csv",
			want: []string{"2:1:constraint-error/pattern", "2:21:constraint-error/enum"},
		},
		{
			file: "scdl-subventions/exemple_invalide_erreurs_cellules.csv",
			want: []string{
				"-:16:missing-label",
				"2:15:constraint-error/maximum", "3:15:constraint-error/maximum", "4:15:constraint-error/maximum",
				"5:3:type-error", "5:7:constraint-error/pattern",
				"6:9:type-error", "6:14:type-error",
				"7:2:constraint-error/pattern",
				"8:12:constraint-error/pattern", "8:14:type-error",
				"9:15:type-error",
				"10:9:constraint-error/required",
				"12:7:constraint-error/pattern",
				"16:10:constraint-error/enum",
				"30:7:constraint-error/pattern",
			},
		},
		{
			file: "scdl-subventions/exemple_invalide_erreurs_colonnes.csv",
			contains: []string{
				"-:1:incorrect-label", "-:2:incorrect-label", "-:5:incorrect-label", "-:16:missing-label",
				"2:2:constraint-error/pattern", "6:9:type-error", "16:10:constraint-error/enum",
			},
		},
		{
			file:     "scdl-subventions/exemple-duplicate-column.csv", // ISO-8859-1
			contains: []string{"-:14:duplicate-label", "-:16:missing-label"},
		},
	}
	for _, tt := range tests {
		valid := tt.want == nil && tt.contains == nil
		name := tt.file + "/invalid"
		if valid {
			name = tt.file + "/valid"
		}
		t.Run(name, func(t *testing.T) {
			schema := filepath.Join(filepath.Dir(tt.file), "schema.json")
			rep := validate(t, schema, tt.file, Options{})
			got := errorKeys(rep.Errors)
			if rep.Valid != valid {
				t.Fatalf("valid = %v, want %v; errors %v", rep.Valid, valid, got)
			}
			if tt.want != nil && !slices.Equal(got, tt.want) {
				t.Errorf("errors\n got %v\nwant %v", got, tt.want)
			}
			for _, w := range tt.contains {
				if !slices.Contains(got, w) {
					t.Errorf("missing error %s in %v", w, got)
				}
			}
		})
	}
}

func TestDuplicateColumnIsLatin1(t *testing.T) {
	rep := validate(t, "scdl-subventions/schema.json", "scdl-subventions/exemple-duplicate-column.csv", Options{})
	if rep.Encoding != "windows-1252" {
		t.Errorf("encoding = %q, want windows-1252", rep.Encoding)
	}
	for _, e := range rep.Errors {
		if strings.ContainsRune(e.Cell, '\uFFFD') {
			t.Fatalf("undecoded byte in %q", e.Cell)
		}
	}
}

// TestFrictionlessFiles runs frictionless-py's own fixtures with the
// errors its tests assert. Without a schema the table is checked against
// InferStrings of its header: structure only.
func TestFrictionlessFiles(t *testing.T) {
	const dir = "tableschema-conformance/frictionless-py/"
	tests := []struct {
		name   string
		file   string
		schema string // relative to dir; "" infers strings
		opts   Options
		want   []string
	}{
		{name: "invalid reports labels, cells and blank row", file: "invalid.csv",
			want: []string{"-:3:blank-label", "-:4:duplicate-label", "2:3:missing-cell", "2:4:missing-cell",
				"3:3:missing-cell", "3:4:missing-cell", "4:-:blank-row", "5:5:extra-cell"}},
		// frictionless-py infers id as integer and adds a type-error on row
		// 12; type inference is out of scope, see the typed case below.
		{name: "capital-invalid structure errors", file: "capital-invalid.csv",
			want: []string{"-:3:duplicate-label", "10:3:missing-cell", "11:-:blank-row", "12:4:extra-cell"}},
		{name: "capital-invalid with typed id gives the 5 upstream errors", file: "capital-invalid.csv",
			schema: "capital-schema.json",
			want:   []string{"-:3:duplicate-label", "10:3:missing-cell", "11:-:blank-row", "12:1:type-error", "12:4:extra-cell"}},
		{name: "capital-valid is valid", file: "capital-valid.csv"},
		{name: "bom is stripped from the first label", file: "bom.csv", schema: "bom-schema.json"},
		{name: "latin1 is read as windows-1252", file: "latin1.csv", schema: "latin1-schema.json"},
		{name: "latin1 forced to utf-8 is an encoding error", file: "latin1.csv",
			opts: Options{Encoding: "utf-8"}, want: []string{"-:-:encoding-error"}},
		{name: "blank cells are valid", file: "blank-cells.csv"},
		{name: "blank header is a blank label", file: "blank-headers.csv", want: []string{"-:2:blank-label"}},
		{name: "blank row", file: "blank-rows.csv", want: []string{"4:-:blank-row"}},
		{name: "duplicate headers", file: "duplicate-headers.csv",
			want: []string{"-:3:duplicate-label", "-:5:duplicate-label"}},
		// The duplicate-row check is opt-in in Frictionless and not
		// implemented here.
		{name: "duplicate rows are valid by default", file: "duplicate-rows.csv"},
		{name: "duplicate column blocks matching by name", file: "duplicate-column.csv",
			schema: "duplicate-column-schema.json", opts: Options{MatchByName: true},
			want: []string{"-:3:duplicate-label"}},
		{name: "structure errors stop at the limit", file: "structure-errors.csv", opts: Options{LimitErrors: 3},
			want: []string{"4:-:blank-row", "5:4:extra-cell", "5:5:extra-cell"}},
		{name: "schema errors stop at the limit", file: "schema-errors.csv", schema: "schema-valid.json",
			opts: Options{LimitErrors: 3},
			want: []string{"4:1:type-error", "4:2:constraint-error/required", "4:3:constraint-error/required"}},
		{name: "defective rows", file: "defective-rows.csv", want: []string{"2:3:missing-cell", "3:4:extra-cell"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := inlineSchemas[tt.schema]
			if s == nil && tt.schema != "" {
				s = loadSchema(t, dir+tt.schema)
			}
			rep, err := ValidateFile(filepath.Join(testdata, dir+tt.file), s, tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			if got := errorKeys(rep.Errors); !slices.Equal(got, tt.want) && (len(got) > 0 || len(tt.want) > 0) {
				t.Errorf("errors\n got %v\nwant %v", got, tt.want)
			}
		})
	}
}

// inlineSchemas are schemas written for these tests (the upstream tests
// infer them or pass options instead).
var inlineSchemas = map[string]*Schema{
	"capital-schema.json": mustParse(`{"fields":[{"name":"id","type":"integer"},{"name":"name"},{"name":"name3"}]}`),
	"bom-schema.json": mustParse(`{"fields":[{"name":"id","type":"integer"},
		{"name":"name","constraints":{"enum":["english","中国人"]}}]}`),
	"latin1-schema.json": mustParse(`{"fields":[{"name":"id","type":"integer"},
		{"name":"name","constraints":{"enum":["english","©"]}}]}`),
}

func mustParse(doc string) *Schema {
	s, err := Parse(strings.NewReader(doc))
	if err != nil {
		panic(err)
	}
	return s
}

func TestEncodingErrorNote(t *testing.T) {
	rep := validate(t, "", "tableschema-conformance/frictionless-py/latin1.csv", Options{Encoding: "utf-8"})
	if rep.Valid || !strings.Contains(rep.Errors[0].Note, "can't decode byte 0xa9 in position 20") {
		t.Errorf("report %+v", rep)
	}
}
