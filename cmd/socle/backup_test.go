package main

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/socle/socle/internal/backup"
	"github.com/socle/socle/internal/catalog"
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
	if err := seedLiveDemo(t.Context(), a, terr); err != nil {
		t.Fatal(err)
	}
	usage := []catalog.Usage{{DatasetID: terr.Datasets[0].Dataset.ID, Views: 3, Downloads: 1}}
	if err := a.Store.AddUsage(t.Context(), time.Date(2026, 3, 4, 0, 0, 0, 0, time.UTC), usage); err != nil {
		t.Fatal(err)
	}
	a.Close()
	key := strings.TrimSpace(src.mustRun("apikey", "create", "--login", adminLogin(terr)))
	src.start()
	fillEveryTable(t, src, terr, key)

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
	for _, r := range pa.Resources {
		// Every table holds rows, so that each column's form is checked
		// across engines (only the derived audit head has one by nature).
		if r.Rows == 0 {
			t.Errorf("the archive has no rows in %s", r.Table)
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
		// Every dataset but the internal catalog index.
		if n := len(g.SubjectsOfType(rdf.DCAT + "Dataset")); int64(n) != want["datasets"].rows-1 {
			t.Errorf("catalog.ttl describes %d datasets, the archive has %d", n, want["datasets"].rows-1)
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

// fillEveryTable writes, through the APIs and commands, what the seeded
// demo leaves empty: a webhook and its delivery, a work order and its
// history, a quarantined observation, an NGSI-LD entity and subscription,
// a push key, a citizen's opinion, a partner's use of an agreement,
// a schema catalog and a harvest (of the instance itself, through its
// Explore API). Views and downloads, which the server writes every 30 s,
// are added to the store directly before it starts.
func fillEveryTable(t *testing.T, e *env, terr *demo.Territory, admin string) {
	t.Helper()
	post := func(path, body string, want int) []byte {
		t.Helper()
		code, out := e.postFile(path, admin, "application/json", []byte(body))
		if code != want {
			t.Fatalf("POST %s: %d %s", path, code, out)
		}
		return out
	}
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(204) }))
	defer hook.Close()
	post("/api/v1/webhooks", `{"url":"`+hook.URL+`/socle","events":["workorder.created","workorder.updated"]}`, 201)
	dev := terr.Devices()[0].ID
	var wo struct{ ID int64 }
	json.Unmarshal(post("/api/v1/workorders", `{"device":"`+dev+`","title":"Vérifier le capteur","priority":"low","due":"2030-01-31"}`, 201), &wo)
	post(fmt.Sprintf("/api/v1/workorders/%d/comments", wo.ID), `{"note":"Fait à 8 h"}`, 201)
	post("/api/v1/observations", `[{"device":"inconnu-42","property":"flow","time":"2026-01-02T03:04:05Z","value":1.5}]`, 201)
	post("/ngsi-ld/v1/entities", `{"id":"urn:ngsi-ld:AirQualityObserved:test-1","type":"AirQualityObserved",
		"NO2":{"type":"Property","value":21.5,"observedAt":"2026-01-02T03:04:05Z"},
		"location":{"type":"GeoProperty","value":{"type":"Point","coordinates":[-0.55,47.47]}}}`, 201)
	post("/ngsi-ld/v1/subscriptions", `{"type":"Subscription","entities":[{"type":"AirQualityObserved"}],
		"notification":{"endpoint":{"uri":"`+hook.URL+`/ngsi","accept":"application/json"}}}`, 201)
	post("/api/socle/v1/datasets/"+terr.Datasets[0].Dataset.ID+"/push", "", 200)
	if code, out := postOpinion(t, e, terr.SquareDevices()[0].ID, map[string]string{"commentaire": "Utile"}); code != 303 {
		t.Fatalf("opinion: %d %s", code, out)
	}
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "local"), 0o755)
	doc, err := os.ReadFile(subventions + "schema.json")
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "local", "schema.json"), doc, 0o600)
	os.WriteFile(filepath.Join(dir, "schemas.json"), []byte(`{"version":1,"schemas":[{"name":"test/local","title":"Local",
		"schema_url":"local/schema.json","schema_type":"tableschema","versions":[{"version_name":"1.0.0","schema_url":"local/schema.json"}]}]}`), 0o600)
	e.mustRun("schemas", "refresh", "--from", filepath.Join(dir, "schemas.json"))
	e.mustRun("harvest", "--source", e.base, "--type", "ods", "--prefix", "miroir")
	partner := strings.TrimSpace(e.mustRun("apikey", "create", "--login", "partenaire.sport"))
	if code, out, _ := e.get("/api/explore/v2.1/catalog/datasets/licences-sportives/records?limit=5", partner); code != 200 {
		t.Fatalf("the partner's read of a shared dataset: %d %s", code, out)
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
