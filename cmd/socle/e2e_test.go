package main

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/encoding/charmap"
)

const somme = "../../testdata/ingest/scdl-subventions-somme-20180302.csv"

// readSource decodes a Windows-1252 ';' CSV independently of package ingest.
func readSource(t *testing.T, path string) [][]string {
	return readCSV(t, path, ';', true)
}

// readCSV reads a source file with the standard library only: its known
// delimiter and encoding, stated by the test rather than detected.
func readCSV(t *testing.T, path string, comma rune, cp1252 bool) [][]string {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	raw = bytes.TrimPrefix(raw, []byte("\xef\xbb\xbf"))
	dec := raw
	if cp1252 {
		if dec, err = charmap.Windows1252.NewDecoder().Bytes(raw); err != nil {
			t.Fatal(err)
		}
	}
	r := csv.NewReader(bytes.NewReader(dec))
	r.Comma = comma
	r.FieldsPerRecord = -1
	rows, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// sameValue compares a source cell with its exported form by value: equal
// text, or equal numbers once French formatting is undone, equal booleans,
// or equal dates.
func sameValue(src, out string) bool {
	src, out = strings.TrimSpace(src), strings.TrimSpace(out)
	if src == out {
		return true
	}
	if a, ok := frenchNumber(src); ok {
		b, err := strconv.ParseFloat(out, 64)
		return err == nil && a == b
	}
	if b, ok := frenchBool[strings.ToLower(src)]; ok {
		return strconv.FormatBool(b) == out
	}
	if d, err := time.Parse("02/01/2006", src); err == nil {
		return d.Format("2006-01-02") == out
	}
	return strings.ReplaceAll(src, "/", "-") == out
}

var frenchBool = map[string]bool{"oui": true, "non": false, "vrai": true, "faux": false, "true": true, "false": false}

func frenchNumber(s string) (float64, bool) {
	s = strings.NewReplacer(" ", "", "\u00a0", "", "\u202f", "", ",", ".").Replace(s)
	f, err := strconv.ParseFloat(s, 64)
	return f, err == nil
}

// TestImportExportRoundTrip imports files written by French public bodies
// and checks that the CSV export gives back every value.
func TestImportExportRoundTrip(t *testing.T) {
	files := []struct {
		name   string
		comma  rune
		cp1252 bool
		rows   int
	}{
		{"scdl-subventions-somme-20180302.csv", ';', true, 41},  // BOM but Windows-1252, "26 956,00"
		{"scdl-subventions-poitiers-2017.csv", ';', false, 562}, // quoted bare LF in CRLF records
		{"scdl-subventions-haute-garonne.csv", ';', false, 69},  // CRLF, periods
		{"scdl-subventions-nievre-2016.csv", ',', true, 97},     // ISO-8859-1, comma, NBSP thousands
	}
	for _, e := range engines(t) {
		t.Run(e.name, func(t *testing.T) {
			e.t = t
			for _, f := range files {
				path := "../../testdata/ingest/" + f.name
				id := strings.TrimSuffix(strings.TrimPrefix(f.name, "scdl-subventions-"), ".csv")
				out := e.mustRun("import", "--dataset", id, path)
				if !strings.Contains(out, fmt.Sprintf(" %d rows", f.rows)) {
					t.Fatalf("%s: summary does not announce %d rows:\n%s", f.name, f.rows, out)
				}
				exported := e.mustRun("export", "--dataset", id, "--format", "csv")
				r := csv.NewReader(strings.NewReader(exported))
				r.Comma = ';' // the ODS default delimiter
				got, err := r.ReadAll()
				if err != nil {
					t.Fatalf("%s: export is not valid CSV: %v", f.name, err)
				}
				want := readCSV(t, path, f.comma, f.cp1252)
				if len(got) != len(want) {
					t.Fatalf("%s: exported %d lines, source has %d", f.name, len(got), len(want))
				}
				for i := 1; i < len(want); i++ {
					for j := range want[i] {
						if !sameValue(want[i][j], got[i][j]) {
							t.Errorf("%s row %d column %s: source %q, export %q", f.name, i+1, want[0][j], want[i][j], got[i][j])
						}
					}
				}
			}
		})
	}
}

func TestRefusedImportChangesNothing(t *testing.T) {
	dir := "../../testdata/tableschema/schema-stationnement/"
	for _, e := range engines(t) {
		t.Run(e.name, func(t *testing.T) {
			e.t = t
			e.mustRun("import", "--dataset", "parkings", "--schema", dir+"schema.json", dir+"exemple-valide.csv")
			_, stderr, code := e.run("", "import", "--dataset", "parkings", "--schema", dir+"schema.json", dir+"exemple-invalide.csv")
			if code != 1 {
				t.Fatalf("invalid import exit %d, want 1; stderr %s", code, stderr)
			}
			if !strings.Contains(stderr, "nothing was published") || !strings.Contains(stderr, "tarif_pmr") {
				t.Errorf("report does not explain the refusal:\n%s", stderr)
			}
			broken := filepath.Join(t.TempDir(), "broken.csv")
			os.WriteFile(broken, []byte("a;b\n1;2\n3;4;5;6\n"), 0o600)
			if _, stderr, code := e.run("", "import", "--dataset", "parkings", broken); code == 0 {
				t.Fatalf("malformed CSV accepted: %s", stderr)
			}
			e.start()
			var page recordsPageJSON
			e.getJSON(records("parkings"), "", 200, &page)
			if page.TotalCount != 2 {
				t.Fatalf("after refused imports the dataset has %d records, want the 2 published before", page.TotalCount)
			}
		})
	}
}

type recordsPageJSON struct {
	TotalCount int64            `json:"total_count"`
	Results    []map[string]any `json:"results"`
	Next       string           `json:"next"`
}

// TestQueriesMatchIndependentComputation checks where, group_by and
// order_by answers against the same computation done on the source file.
func TestQueriesMatchIndependentComputation(t *testing.T) {
	src := readSource(t, somme)
	col := map[string]int{}
	for i, h := range src[0] {
		col[strings.TrimPrefix(h, "\ufeff")] = i
	}
	var wantTotal float64
	wantCount := map[string]int{}
	for _, r := range src[1:] {
		if n, ok := frenchNumber(r[col["montant"]]); ok && n > 10000 {
			wantCount[r[col["nature"]]]++
			wantTotal += n
		}
	}
	for _, e := range engines(t) {
		t.Run(e.name, func(t *testing.T) {
			e.t = t
			e.mustRun("import", "--dataset", "somme", somme)
			e.start()
			var page recordsPageJSON
			e.getJSON(records("somme", "where", "montant > 10000", "group_by", "nature", "select", "nature, count(*) as n, sum(montant) as total", "order_by", "nature"), "", 200, &page)
			if len(page.Results) != len(wantCount) {
				t.Fatalf("%d groups, want %d: %v", len(page.Results), len(wantCount), page.Results)
			}
			var total float64
			for _, g := range page.Results {
				name := fmt.Sprint(g["nature"])
				if int(g["n"].(float64)) != wantCount[name] {
					t.Errorf("group %q: count %v, want %d", name, g["n"], wantCount[name])
				}
				total += g["total"].(float64)
			}
			if diff := total - wantTotal; diff > 0.001 || diff < -0.001 {
				t.Errorf("sum %f, want %f", total, wantTotal)
			}
			e.getJSON(records("somme", "order_by", "montant desc", "limit", "1", "select", "montant"), "", 200, &page)
			var max float64
			for _, r := range src[1:] {
				if n, ok := frenchNumber(r[col["montant"]]); ok && n > max {
					max = n
				}
			}
			if page.Results[0]["montant"].(float64) != max {
				t.Errorf("largest montant %v, want %v", page.Results[0]["montant"], max)
			}
		})
	}
}

// TestBadFilesGetClearErrors: each malformed input is refused with a
// message naming the problem, and the published dataset stays as it was.
func TestBadFilesGetClearErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(body), 0o600)
		return p
	}
	good := write("good.json", `[{"nom":"a","n":1},{"nom":"b","n":2}]`)
	cases := []struct {
		name, file, wantMsg string
	}{
		{"truncated JSON", write("bad.json", `[{"nom":"a","n":1},{"nom":`), "json"},
		{"JSON that is not an array of objects", write("scalar.json", `[1, 2, 3]`), "object"},
		{"bad JSON line", write("bad.jsonl", "{\"nom\":\"a\"}\n{nope}\n"), "line"},
		{"CSV row with extra cells", write("extra.csv", "a;b\n1;2\n3;4;5\n"), "line"},
		{"UTF-8 declared, Latin-1 inside", write("lie.csv", "nom;ville\nx;Paris\n"+strings.Repeat("y;Lyon\n", 200000)+"z;Orl\xe9ans\n"), "UTF-8"},
		{"empty file", write("empty.csv", ""), "empty"},
		{"missing file", filepath.Join(dir, "nope.csv"), "nope.csv"},
	}
	for _, e := range engines(t) {
		t.Run(e.name, func(t *testing.T) {
			e.t = t
			e.mustRun("import", "--dataset", "cible", "--format", "json", good)
			for _, c := range cases {
				t.Run(c.name, func(t *testing.T) {
					_, stderr, code := e.run("", "import", "--dataset", "cible", c.file)
					if code == 0 {
						t.Fatalf("accepted")
					}
					if !strings.Contains(strings.ToLower(stderr), strings.ToLower(c.wantMsg)) {
						t.Errorf("message does not name the problem (%q):\n%s", c.wantMsg, stderr)
					}
				})
			}
			out := e.mustRun("export", "--dataset", "cible", "--format", "jsonl")
			if strings.Count(out, "\n") != 2 || !strings.Contains(out, `"nom":"b"`) {
				t.Errorf("the published dataset changed:\n%s", out)
			}
		})
	}
}

// TestIndexOption: --index names fields by column label, refuses unknown
// ones, and later imports keep the indexes.
func TestIndexOption(t *testing.T) {
	path := filepath.Join(t.TempDir(), "idx.csv")
	os.WriteFile(path, []byte("Catégorie;valeur\na;1\nb;2\n"), 0o600)
	for _, e := range engines(t) {
		t.Run(e.name, func(t *testing.T) {
			e.t = t
			if _, stderr, code := e.run("", "import", "--dataset", "idx", "--index", "nope", path); code == 0 || !strings.Contains(stderr, "nope") {
				t.Errorf("unknown index field accepted (exit %d): %s", code, stderr)
			}
			e.mustRun("import", "--dataset", "idx", "--index", "Catégorie", path)
			e.mustRun("import", "--dataset", "idx", "--mode", "append", path)
			a, err := (&storeFlags{data: e.data, dsn: e.dsn}).open(t.Context(), quietLogger())
			if err != nil {
				t.Fatal(err)
			}
			defer a.Close()
			d, err := a.Store.Dataset(t.Context(), "idx")
			if err != nil {
				t.Fatal(err)
			}
			if f, _ := d.Field("categorie"); !f.Indexed || d.Records != 4 {
				t.Errorf("after an append: categorie indexed=%v, %d records", f.Indexed, d.Records)
			}
		})
	}
}
