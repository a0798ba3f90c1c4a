package main

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/socle/socle/internal/backup"
	"github.com/socle/socle/internal/demo"
	"github.com/socle/socle/rdf"
)

// TestBackupAcrossEngines backs the demo territory up from SQLite,
// restores it into PostgreSQL, backs that up, restores it into SQLite
// again and backs that up: the three archives must hold the same tables
// with the same row counts and checksums, and the restored instances must
// serve the same data and keep an intact audit chain.
func TestBackupAcrossEngines(t *testing.T) {
	pg := os.Getenv("SOCLE_TEST_POSTGRES_URL")
	needTool(t, "PostgreSQL (SOCLE_TEST_POSTGRES_URL)", "set SOCLE_TEST_POSTGRES_URL", pg != "")
	src := &env{t: t, name: "sqlite", data: t.TempDir()}
	a, err := (&storeFlags{data: src.data}).open(t.Context(), quietLogger())
	if err != nil {
		t.Fatal(err)
	}
	terr := demo.New()
	if _, err := seedDemo(t.Context(), a, terr); err != nil {
		t.Fatal(err)
	}
	a.Close()
	key := strings.TrimSpace(src.mustRun("apikey", "create", "--login", adminLogin(terr)))

	dir := t.TempDir()
	arcA, arcB, arcC := filepath.Join(dir, "a.zip"), filepath.Join(dir, "b.zip"), filepath.Join(dir, "c.zip")
	src.mustRun("backup", "--to", arcA)

	viaPG := &env{t: t, name: "postgres", data: t.TempDir(), dsn: pgSchemaDSN(t, pg)}
	viaPG.mustRun("restore", "--from", arcA)
	viaPG.mustRun("backup", "--to", arcB)
	back := &env{t: t, name: "sqlite", data: t.TempDir()}
	back.mustRun("restore", "--from", arcB)
	back.mustRun("backup", "--to", arcC)

	pa, pb, pc := readManifest(t, arcA), readManifest(t, arcB), readManifest(t, arcC)
	if pa.Engine != "sqlite" || pb.Engine != "postgres" || pc.Engine != "sqlite" {
		t.Errorf("engines %s, %s, %s", pa.Engine, pb.Engine, pc.Engine)
	}
	want := resourceSums(pa)
	for _, must := range []string{"datasets", "users", "api_keys", "audit_log", "devices", "observations", "obs_hourly",
		"alerts", "register_entries", "agreements", "dtpr_chains"} {
		if want[must].rows == 0 {
			t.Errorf("the demo's archive has no rows in %s", must)
		}
	}
	records := 0
	for _, r := range pa.Resources {
		if r.Kind == backup.Records {
			records++
		}
	}
	if records < len(terr.Datasets) {
		t.Errorf("%d records tables for %d datasets", records, len(terr.Datasets))
	}
	for name, p := range map[string]*backup.Package{"PostgreSQL": pb, "SQLite again": pc} {
		got := resourceSums(p)
		if len(got) != len(want) {
			t.Errorf("%s: %d tables, want %d", name, len(got), len(want))
		}
		for table, w := range want {
			if got[table] != w {
				t.Errorf("%s: table %s has %d rows (%s), want %d (%s)", name, table, got[table].rows, got[table].hash, w.rows, w.hash)
			}
		}
	}

	// The archive describes the catalog in DCAT for readers without Socle.
	zr, err := zip.OpenReader(arcA)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range zr.File {
		if f.Name != "metadata/catalog.ttl" {
			continue
		}
		r, _ := f.Open()
		g, err := rdf.ParseTurtle(r, "")
		r.Close()
		if err != nil {
			t.Fatalf("catalog.ttl: %v", err)
		}
		if n := len(g.SubjectsOfType(rdf.DCAT + "Dataset")); n != len(terr.Datasets) {
			t.Errorf("catalog.ttl describes %d datasets, the territory has %d", n, len(terr.Datasets))
		}
	}
	zr.Close()

	// The restored instances keep an intact audit chain and serve the data.
	for _, e := range []*env{viaPG, back} {
		if out := e.mustRun("audit", "verify"); !strings.Contains(out, "audit log intact") {
			t.Errorf("audit verify on %s: %s", e.name, out)
		}
	}
	// The restored instance serves the same records to the same API key
	// (its hash was restored), private datasets included.
	src.start()
	back.start()
	for _, ds := range terr.Datasets {
		var x, y recordsPageJSON
		path := "/api/explore/v2.1/catalog/datasets/" + ds.Dataset.ID + "/records?limit=5"
		src.getJSON(path, key, 200, &x)
		back.getJSON(path, key, 200, &y)
		if x.TotalCount != y.TotalCount {
			t.Errorf("%s: %d records restored, %d in the source", ds.Dataset.ID, y.TotalCount, x.TotalCount)
		}
	}

	// Restoring into an instance that holds data is refused.
	if _, errOut, code := src.run("", "restore", "--from", arcA); code == 0 || !strings.Contains(errOut, "not empty") {
		t.Errorf("restore into a populated instance: exit %d, %s", code, errOut)
	}
}

type resSum struct {
	rows int64
	hash string
}

func resourceSums(p *backup.Package) map[string]resSum {
	out := map[string]resSum{}
	for _, r := range p.Resources {
		out[r.Table] = resSum{r.Rows, r.Hash}
	}
	return out
}

func readManifest(t *testing.T, path string) *backup.Package {
	t.Helper()
	arc, err := backup.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer arc.Close()
	return &arc.Package
}

// TestRestoreRefusesBadArchives: a corrupt file, a changed CSV and a
// forged audit entry (with its checksum recomputed) are all refused, and
// the target stays empty.
func TestRestoreRefusesBadArchives(t *testing.T) {
	for _, e := range engines(t) {
		t.Run(e.name, func(t *testing.T) {
			e.t = t
			src := &env{t: t, name: "sqlite", data: t.TempDir()}
			src.mustRun("import", "--dataset", "essai", writeTemp(t, "essai.csv", "nom,valeur\nA,1\nB,2\n"))
			src.mustRun("import", "--dataset", "essai", writeTemp(t, "essai.csv", "nom,valeur\nA,1\nB,3\n"))
			arc := filepath.Join(t.TempDir(), "a.zip")
			src.mustRun("backup", "--to", arc)

			notZip := writeTemp(t, "x.zip", "this is not an archive")
			changed := rewriteArchive(t, arc, "data/", func(b []byte) []byte { return bytes.Replace(b, []byte("B,3"), []byte("B,4"), 1) }, false)
			forged := rewriteArchive(t, arc, "platform/audit_log.csv", func(b []byte) []byte {
				return bytes.Replace(b, []byte("dataset.import"), []byte("dataset.imporT"), 1)
			}, true)
			for name, path := range map[string]string{"not a zip": notZip, "changed data": changed, "forged audit": forged} {
				_, errOut, code := e.run("", "restore", "--from", path)
				if code == 0 {
					t.Errorf("%s: restore succeeded", name)
				}
				t.Logf("%s: %s", name, strings.TrimSpace(errOut))
			}
			// Nothing was touched: the good archive still restores.
			if out := e.mustRun("restore", "--from", arc); !strings.Contains(out, "checked against the archive") {
				t.Errorf("restore: %s", out)
			}
			e.start()
			var page recordsPageJSON
			e.getJSON("/api/explore/v2.1/catalog/datasets/essai/records?where=nom%3D%22B%22", "", 200, &page)
			if page.TotalCount != 1 || page.Results[0]["valeur"] != float64(3) {
				t.Errorf("restored record: %+v", page)
			}
		})
	}
}

// TestRestoreDrill runs `socle drill` on a small instance, into SQLite and
// (when available) PostgreSQL.
func TestRestoreDrill(t *testing.T) {
	src := &env{t: t, name: "sqlite", data: t.TempDir()}
	src.mustRun("import", "--dataset", "essai", writeTemp(t, "essai.csv", "nom,valeur,quand\nA,1,2024-01-02T03:04:05.123456Z\nB,,2024-02-03\n"))
	targets := []string{""}
	if pg := os.Getenv("SOCLE_TEST_POSTGRES_URL"); pg != "" {
		targets = append(targets, pgSchemaDSN(t, pg))
	}
	for _, into := range targets {
		args := []string{"drill", "--json"}
		if into != "" {
			args = append(args, "--into", into)
		}
		out := src.mustRun(args...)
		var rep drillReport
		if err := json.Unmarshal([]byte(out), &rep); err != nil {
			t.Fatalf("drill output: %v\n%s", err, out)
		}
		if !rep.Check.OK() || rep.Tables < 30 || rep.Rows < 3 || rep.Check.Resources != rep.Tables {
			t.Errorf("drill into %q: %+v", into, rep)
		}
	}
}

func writeTemp(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// rewriteArchive copies the archive, passing the entries whose name starts
// with prefix through edit; with fixSum, the manifest's checksum of the
// edited entries is recomputed (a forger's archive).
func rewriteArchive(t *testing.T, path, prefix string, edit func([]byte) []byte, fixSum bool) string {
	t.Helper()
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	files := map[string][]byte{}
	edited := map[string]bool{}
	var order []string
	for _, f := range zr.File {
		r, _ := f.Open()
		b, _ := io.ReadAll(r)
		r.Close()
		if strings.HasPrefix(f.Name, prefix) {
			nb := edit(b)
			if !bytes.Equal(nb, b) {
				edited[f.Name] = true
			}
			b = nb
		}
		files[f.Name] = b
		order = append(order, f.Name)
	}
	if fixSum {
		var pkg map[string]any
		json.Unmarshal(files["datapackage.json"], &pkg)
		for _, r := range pkg["resources"].([]any) {
			res := r.(map[string]any)
			if p := res["path"].(string); edited[p] {
				b := files[p]
				s := sha256.Sum256(b)
				res["hash"] = "sha256:" + hex.EncodeToString(s[:])
				res["bytes"] = len(b)
			}
		}
		files["datapackage.json"], _ = json.Marshal(pkg)
	}
	out := filepath.Join(t.TempDir(), "edited.zip")
	f, err := os.Create(out)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(f)
	for _, name := range order {
		w, _ := zw.Create(name)
		w.Write(files[name])
	}
	zw.Close()
	f.Close()
	return out
}
