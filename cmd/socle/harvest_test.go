package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/socle/socle/harvester"
	"github.com/socle/socle/internal/app"
	"github.com/socle/socle/internal/catalog"
	"github.com/socle/socle/internal/harvest"
)

// remotePortal is a Socle instance (SQLite) with two typed datasets,
// served through a proxy that can hide datasets from the catalog (a
// remote deletion) and answer chosen paths itself (faults).
type remotePortal struct {
	e      *env
	proxy  *httptest.Server
	hidden atomic.Value // string: dataset_id hidden from the catalog
	fault  atomic.Value // func(w, r) bool: answers instead of the portal when it returns true
}

func newRemotePortal(t *testing.T) *remotePortal {
	t.Helper()
	r := &remotePortal{e: &env{t: t, name: "remote", data: t.TempDir()}}
	seedOrgs(t, r.e)
	dir := t.TempDir()
	files := map[string]string{
		"velos.csv": "nom;places;taux;date_maj;ouvert;latitude;longitude\nGare;24;0.5;2024-03-01;true;45.76;4.85\n" +
			"Mairie;12;0.25;2024-03-02;false;45.75;4.83\nParc;;1.75;2024-02-28;true;45.77;4.86\n",
		"bus.csv": "ligne;frequentation;jour\nC1;1200;2024-01-01\nC2;830;2024-01-02\n",
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	r.e.mustRun("import", "--dataset", "velos", "--org", "metropole", "--title", "Stations vélo", "--description", "Les stations",
		"--keywords", "vélo,mobilité", "--themes", "TRAN", "--license", "ODbL-1.0", filepath.Join(dir, "velos.csv"))
	r.e.mustRun("import", "--dataset", "bus", "--org", "metropole", "--title", "Fréquentation des bus", "--description", "Montées par ligne et par jour", filepath.Join(dir, "bus.csv"))
	r.e.start()
	target, _ := url.Parse(r.e.base)
	rp := httputil.NewSingleHostReverseProxy(target)
	r.hidden.Store("")
	r.fault.Store(func(http.ResponseWriter, *http.Request) bool { return false })
	r.proxy = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if r.fault.Load().(func(http.ResponseWriter, *http.Request) bool)(w, req) {
			return
		}
		if h := r.hidden.Load().(string); h != "" && strings.HasSuffix(req.URL.Path, "/catalog/datasets") {
			r.serveWithout(w, req, h)
			return
		}
		rp.ServeHTTP(w, req)
	}))
	t.Cleanup(r.proxy.Close)
	return r
}

// serveWithout answers a catalog page without dataset id.
func (r *remotePortal) serveWithout(w http.ResponseWriter, req *http.Request, id string) {
	var page struct {
		TotalCount int              `json:"total_count"`
		Results    []map[string]any `json:"results"`
	}
	r.e.getJSON(req.URL.RequestURI(), "", 200, &page)
	kept := page.Results[:0]
	for _, d := range page.Results {
		if d["dataset_id"] != id {
			kept = append(kept, d)
		}
	}
	page.Results, page.TotalCount = kept, page.TotalCount-1
	json.NewEncoder(w).Encode(page)
}

// wantHarvested compares the portal's two datasets with their harvested
// copies in e (IDs prefixed with prefix): the same metadata, fields and
// records (by checksum of their exports).
func (r *remotePortal) wantHarvested(t *testing.T, e *env, prefix string) {
	t.Helper()
	for _, id := range []string{"velos", "bus"} {
		var rd, ld struct {
			Metas  map[string]map[string]any `json:"metas"`
			Fields []map[string]any          `json:"fields"`
		}
		r.e.getJSON("/api/explore/v2.1/catalog/datasets/"+id, "", 200, &rd)
		e.getJSON("/api/explore/v2.1/catalog/datasets/"+prefix+id, "", 200, &ld)
		for _, k := range []string{"title", "description", "keyword", "theme", "license", "publisher", "records_count"} {
			if rv, lv := rd.Metas["default"][k], ld.Metas["default"][k]; !jsonEqual(rv, lv) {
				t.Errorf("%s meta %s: remote %v, local %v", id, k, rv, lv)
			}
		}
		if !jsonEqual(rd.Fields, ld.Fields) {
			t.Errorf("%s fields: remote %v, local %v", id, rd.Fields, ld.Fields)
		}
		rs, rn := exportSum(t, r.e, id)
		if ls, ln := exportSum(t, e, prefix+id); rs != ls || rn != ln || rn == 0 {
			t.Errorf("%s records: remote %d (%s), local %d (%s)", id, rn, rs, ln, ls)
		}
	}
}

// harvestCreates2 runs `socle harvest` with args in e and fails the test
// unless it creates the remote portal's two datasets.
func harvestCreates2(t *testing.T, e *env, args ...string) {
	t.Helper()
	out, errOut, code := e.run("", append([]string{"harvest"}, args...)...)
	if code != 0 || !strings.Contains(out, "created 2, updated 0, unchanged 0") {
		t.Fatalf("harvest: exit %d\n%s%s", code, out, errOut)
	}
}

// runJSON runs a third-party client (what names it in failures) and
// decodes the JSON it prints into v.
func runJSON(t *testing.T, what string, cmd *exec.Cmd, v any) {
	t.Helper()
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s: %v\n%s\n%s", what, err, out, stderr.String())
	}
	if err := json.Unmarshal(out, v); err != nil {
		t.Fatalf("%s output: %v: %s", what, err, out)
	}
}

// exportSum is the SHA-256 of a dataset's JSON Lines export and its
// record count.
func exportSum(t *testing.T, e *env, id string) (string, int) {
	t.Helper()
	code, body, _ := e.get("/api/explore/v2.1/catalog/datasets/"+id+"/exports/jsonl", "")
	if code != 200 {
		t.Fatalf("%s export of %s: %d %s", e.name, id, code, body)
	}
	h := sha256.Sum256(body)
	return hex.EncodeToString(h[:]), strings.Count(string(body), "\n")
}

// harvestApp opens e's store with harvesting wired to client and a clock.
func harvestApp(t *testing.T, e *env, client *harvester.Client, now *time.Time) *app.App {
	t.Helper()
	a, err := (&storeFlags{data: e.data, dsn: e.dsn}).open(t.Context(), quietLogger())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	wireHarvest(a, client)
	if now != nil {
		a.Now = func() time.Time { return *now }
	}
	return a
}

func runOf(t *testing.T, a *app.App, src *harvest.Source) *harvest.Run {
	t.Helper()
	run, err := a.Harvest(t.Context(), src)
	if err != nil {
		t.Fatal(err)
	}
	return run
}

func wantCounts(t *testing.T, what string, r *harvest.Run, status harvest.Status, created, updated, unchanged, missing, archived, failed int) {
	t.Helper()
	got := [6]int{r.Created, r.Updated, r.Unchanged, r.Missing, r.Archived, r.Failed}
	if want := [6]int{created, updated, unchanged, missing, archived, failed}; r.Status != status || got != want {
		t.Errorf("%s: status %s counts %v (created, updated, unchanged, missing, archived, failed), want %s %v; report %+v",
			what, r.Status, got, status, want, r.Report)
	}
}

// TestHarvestODS has one Socle harvest another through the Explore API
// v2.1 on both engines: the same datasets, fields and records (compared
// by checksum of their exports), nothing changed by a second run, a remote
// deletion marked missing then archived after the grace period, and a
// remote that hangs or pages forever ending the run with a clear error,
// the harvested datasets intact.
func TestHarvestODS(t *testing.T) {
	remote := newRemotePortal(t)
	for _, e := range engines(t) {
		t.Run(e.name, func(t *testing.T) {
			e.t = t
			seedOrgs(t, e)
			harvestCreates2(t, e, "--source", remote.proxy.URL, "--type", "ods", "--org", "metropole")
			e.start()
			remote.wantHarvested(t, e, "ods-")

			now := time.Now().UTC()
			fast := &harvester.Client{Limits: harvester.Limits{Request: 500 * time.Millisecond, Download: 2 * time.Second,
				MaxPage: 1 << 20, MaxFile: 1 << 20, MaxPages: 5}}
			a := harvestApp(t, e, fast, &now)
			src, err := a.SourceByURL(t.Context(), app.System, remote.proxy.URL, harvest.KindODS, "", "")
			if err != nil {
				t.Fatal(err)
			}
			before := localVersion(t, a, "ods-velos")
			wantCounts(t, "second run", runOf(t, a, src), harvest.StatusOK, 0, 0, 2, 0, 0, 0)
			if v := localVersion(t, a, "ods-velos"); v != before {
				t.Errorf("a run with nothing changed made version %d (was %d)", v, before)
			}

			// A remote that hangs: the listing stops, nothing is touched.
			remote.fault.Store(func(w http.ResponseWriter, r *http.Request) bool {
				if strings.HasSuffix(r.URL.Path, "/catalog/datasets") {
					time.Sleep(time.Second)
				}
				return false
			})
			run := runOf(t, a, src)
			wantCounts(t, "remote hangs", run, harvest.StatusFailed, 0, 0, 0, 0, 0, 0)
			if !strings.Contains(run.Error, "no complete answer within 500ms") {
				t.Errorf("hang reported as %q", run.Error)
			}
			// A remote that pages forever (the same full page at every offset).
			remote.fault.Store(func(w http.ResponseWriter, r *http.Request) bool {
				if !strings.HasSuffix(r.URL.Path, "/catalog/datasets") {
					return false
				}
				page := map[string]any{"total_count": 1000000, "results": make([]map[string]any, 100)}
				for i := range 100 {
					page["results"].([]map[string]any)[i] = map[string]any{"dataset_id": "x", "dataset_uid": "x", "has_records": false}
				}
				json.NewEncoder(w).Encode(page)
				return true
			})
			// The first page is a listing like any other: x is harvested
			// (metadata only), its 99 repetitions refused.
			run = runOf(t, a, src)
			if run.Status != harvest.StatusPartial || !strings.Contains(run.Error, "repeats an earlier page") ||
				run.Created != 1 || run.Failed != 99 || !strings.Contains(run.Errors[0].Message, "listed twice") {
				t.Errorf("paging forever: %s %q %+v", run.Status, run.Error, run.Report)
			}
			remote.fault.Store(func(http.ResponseWriter, *http.Request) bool { return false })
			if d, err := a.Store.Dataset(t.Context(), "ods-velos"); err != nil || d.Access != catalog.AccessPublic || d.Version != before {
				t.Errorf("after failed runs: %+v %v", d, err)
			}

			// The remote deletes bus (and x is gone): missing, then archived
			// after 7 days.
			remote.hidden.Store("bus")
			defer remote.hidden.Store("")
			wantCounts(t, "bus gone", runOf(t, a, src), harvest.StatusOK, 0, 0, 1, 2, 0, 0)
			now = now.Add(6 * 24 * time.Hour)
			wantCounts(t, "within grace", runOf(t, a, src), harvest.StatusOK, 0, 0, 1, 0, 0, 0)
			now = now.Add(25 * time.Hour)
			wantCounts(t, "grace over", runOf(t, a, src), harvest.StatusOK, 0, 0, 1, 0, 2, 0)
			if d, err := a.Store.Dataset(t.Context(), "ods-bus"); err != nil || d.Access != catalog.AccessRestricted || d.Records != 2 {
				t.Errorf("archived bus: %+v %v", d, err)
			}
			// Back at the source: published again.
			remote.hidden.Store("")
			wantCounts(t, "bus back", runOf(t, a, src), harvest.StatusOK, 0, 1, 1, 0, 0, 0)
			if d, _ := a.Store.Dataset(t.Context(), "ods-bus"); d.Access != catalog.AccessPublic {
				t.Errorf("bus back is %s", d.Access)
			}
		})
	}
}

func localVersion(t *testing.T, a *app.App, id string) int {
	t.Helper()
	d, err := a.Store.Dataset(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	return d.Version
}

func jsonEqual(x, y any) bool {
	a, _ := json.Marshal(x)
	b, _ := json.Marshal(y)
	return string(a) == string(b)
}

// TestHarvestDCAT has one Socle harvest another through its DCAT-AP
// catalog in each RDF syntax (Turtle, JSON-LD, RDF/XML, Hydra-paged) on
// both engines: the same datasets, titles, records; a second run changes
// nothing; a page of invalid RDF fails the run with the parser's error and
// leaves the harvested datasets as they were.
func TestHarvestDCAT(t *testing.T) {
	remote := newRemotePortal(t)
	for _, e := range engines(t) {
		t.Run(e.name, func(t *testing.T) {
			e.t = t
			seedOrgs(t, e)
			harvestCreates2(t, e, "--source", remote.proxy.URL+"/catalog.ttl", "--type", "dcat", "--prefix", "ttl")
			a := harvestApp(t, e, nil, nil)
			for _, syntax := range []string{"ttl", "jsonld", "rdf"} {
				src, err := a.SourceByURL(t.Context(), app.System, remote.proxy.URL+"/catalog."+syntax, harvest.KindDCAT, "metropole", syntax)
				if err != nil {
					t.Fatal(err)
				}
				run := runOf(t, a, src)
				if syntax == "ttl" {
					wantCounts(t, syntax+" second run", run, harvest.StatusOK, 0, 0, 2, 0, 0, 0)
				} else {
					wantCounts(t, syntax+" first run", run, harvest.StatusOK, 2, 0, 0, 0, 0, 0)
					wantCounts(t, syntax+" second run", runOf(t, a, src), harvest.StatusOK, 0, 0, 2, 0, 0, 0)
				}
			}
			e.start()
			for _, id := range []string{"velos", "bus"} {
				var rd struct {
					Metas map[string]map[string]any `json:"metas"`
				}
				remote.e.getJSON("/api/explore/v2.1/catalog/datasets/"+id, "", 200, &rd)
				rs, rn := exportSum(t, remote.e, id)
				for _, syntax := range []string{"ttl", "jsonld", "rdf"} {
					var ld struct {
						Metas map[string]map[string]any `json:"metas"`
					}
					e.getJSON("/api/explore/v2.1/catalog/datasets/"+syntax+"-"+id, "", 200, &ld)
					for _, k := range []string{"title", "description", "keyword", "theme", "license", "records_count"} {
						if r, l := rd.Metas["default"][k], ld.Metas["default"][k]; !jsonEqual(r, l) {
							t.Errorf("%s %s meta %s: remote %v, local %v", syntax, id, k, r, l)
						}
					}
					if ls, ln := exportSum(t, e, syntax+"-"+id); rs != ls || rn != ln {
						t.Errorf("%s %s records: remote %d (%s), local %d (%s)", syntax, id, rn, rs, ln, ls)
					}
				}
			}

			src, _ := a.SourceByURL(t.Context(), app.System, remote.proxy.URL+"/catalog.ttl", harvest.KindDCAT, "", "")
			remote.fault.Store(func(w http.ResponseWriter, r *http.Request) bool {
				if r.URL.Path != "/catalog.ttl" {
					return false
				}
				w.Header().Set("Content-Type", "text/turtle")
				w.Write([]byte("@prefix dcat: <http://www.w3.org/ns/dcat#> .\n<a> a dcat:Dataset ;\n  dcat:title \"unterminated .\n"))
				return true
			})
			defer remote.fault.Store(func(http.ResponseWriter, *http.Request) bool { return false })
			run := runOf(t, a, src)
			if run.Status != harvest.StatusFailed || !strings.Contains(run.Error, "invalid RDF at") || !strings.Contains(run.Error, "turtle: line 3") {
				t.Errorf("invalid RDF: %s %q", run.Status, run.Error)
			}
			if d, err := a.Store.Dataset(t.Context(), "ttl-velos"); err != nil || d.Access != catalog.AccessPublic || d.Records != 3 {
				t.Errorf("after invalid RDF: %+v %v", d, err)
			}
		})
	}
}

// TestHarvestCKAN has one Socle harvest another through the CKAN Action
// API on both engines: packages by id, records from the DataStore with its
// types, the same datasets, titles and records; a second run changes
// nothing; a remote whose answers are too large fails the run clearly.
func TestHarvestCKAN(t *testing.T) {
	remote := newRemotePortal(t)
	for _, e := range engines(t) {
		t.Run(e.name, func(t *testing.T) {
			e.t = t
			seedOrgs(t, e)
			harvestCreates2(t, e, "--source", remote.proxy.URL, "--type", "ckan", "--org", "metropole")
			e.start()
			remote.wantHarvested(t, e, "ckan-")
			small := &harvester.Client{Limits: harvester.Limits{Request: 5 * time.Second, Download: 5 * time.Second,
				MaxPage: 1 << 20, MaxFile: 1 << 20, MaxPages: 10}}
			a := harvestApp(t, e, small, nil)
			src, err := a.SourceByURL(t.Context(), app.System, remote.proxy.URL, harvest.KindCKAN, "", "")
			if err != nil {
				t.Fatal(err)
			}
			wantCounts(t, "second run", runOf(t, a, src), harvest.StatusOK, 0, 0, 2, 0, 0, 0)
			remote.fault.Store(func(w http.ResponseWriter, r *http.Request) bool {
				if !strings.HasSuffix(r.URL.Path, "/package_search") {
					return false
				}
				w.Write(bytes.Repeat([]byte(" "), 2<<20))
				return true
			})
			defer remote.fault.Store(func(http.ResponseWriter, *http.Request) bool { return false })
			if run := runOf(t, a, src); run.Status != harvest.StatusFailed || !strings.Contains(run.Error, "response larger than 1048576 bytes") {
				t.Errorf("oversized answer: %s %q", run.Status, run.Error)
			}
			if d, err := a.Store.Dataset(t.Context(), "ckan-velos"); err != nil || d.Records != 3 || d.Access != catalog.AccessPublic {
				t.Errorf("after an oversized answer: %+v %v", d, err)
			}
		})
	}
}

// TestHarvestAPI manages a source through /api/socle/v1/harvest on both
// engines: stewards create, list, run (in the background) and read the
// runs' reports; anyone else gets a 404 (401 anonymous); bad sources 400.
func TestHarvestAPI(t *testing.T) {
	remote := newRemotePortal(t)
	for _, e := range engines(t) {
		t.Run(e.name, func(t *testing.T) {
			e.t = t
			seedOrgs(t, e)
			e.mustRun("user", "add", "--login", "steward", "--role", "steward", "--org", "metropole")
			e.mustRun("user", "add", "--login", "producer", "--role", "producer", "--org", "metropole")
			steward := strings.TrimSpace(e.mustRun("apikey", "create", "--login", "steward"))
			producer := strings.TrimSpace(e.mustRun("apikey", "create", "--login", "producer"))
			e.start()
			const base = "/api/socle/v1/harvest/sources"
			body := `{"name": "Portail voisin", "url": "` + remote.proxy.URL + `", "type": "ods", "organization": "metropole", "prefix": "voisin", "every_minutes": 0}` // by hand: the schedule must not race the test's run
			for _, tc := range []struct {
				key, body string
				want      int
			}{
				{"", body, 401}, {producer, body, 404},
				{steward, `{"url": "ftp://x", "type": "ods"}`, 400}, {steward, `{"url": "https://x.example", "type": "wfs"}`, 400},
				{steward, `{"url": "https://x.example", "type": "ods", "every_minutes": 1}`, 400},
				{steward, `{"url": "https://x.example", "type": "ods", "organization": "inconnue"}`, 400},
				{steward, `{"url": "https://x.example", "type": "ods", "unknown": 1}`, 400},
			} {
				if code, out := e.post("POST", base, tc.key, []byte(tc.body)); code != tc.want {
					t.Errorf("POST %s as %q: %d %s, want %d", tc.body, tc.key, code, out, tc.want)
				}
			}
			code, out := e.post("POST", base, steward, []byte(body))
			if code != 201 {
				t.Fatalf("create: %d %s", code, out)
			}
			var src struct {
				ID           int64 `json:"id"`
				EveryMinutes int   `json:"every_minutes"`
				GraceDays    int   `json:"grace_days"`
			}
			json.Unmarshal(out, &src)
			if src.EveryMinutes != 0 || src.GraceDays != 7 {
				t.Errorf("source %s", out)
			}
			if code, _ := e.post("POST", base, steward, []byte(body)); code != 409 {
				t.Errorf("same URL twice: %d", code)
			}
			var list struct{ Results []map[string]any }
			e.getJSON(base, steward, 200, &list)
			if len(list.Results) != 1 {
				t.Errorf("sources %v", list)
			}
			e.getJSON(base, producer, 404, nil)
			runURL := base + "/" + strconv.FormatInt(src.ID, 10) + "/run"
			if code, _ := e.post("POST", runURL, producer, nil); code != 404 {
				t.Errorf("producer run: %d", code)
			}
			code, out = e.post("POST", runURL, steward, nil)
			if code != 202 || !strings.Contains(string(out), `"status":"running"`) {
				t.Fatalf("run: %d %s", code, out)
			}
			var run harvest.Run
			json.Unmarshal(out, &run)
			deadline := time.Now().Add(30 * time.Second)
			for run.Status == harvest.StatusRunning && time.Now().Before(deadline) {
				time.Sleep(50 * time.Millisecond)
				e.getJSON("/api/socle/v1/harvest/runs/"+strconv.FormatInt(run.ID, 10), steward, 200, &run)
			}
			if run.Status != harvest.StatusOK || run.Created != 2 {
				t.Errorf("run %+v", run)
			}
			var runs struct{ Results []harvest.Run }
			e.getJSON(base+"/"+strconv.FormatInt(src.ID, 10)+"/runs", steward, 200, &runs)
			if len(runs.Results) != 1 || runs.Results[0].ID != run.ID {
				t.Errorf("runs %+v", runs)
			}
			e.getJSON("/api/explore/v2.1/catalog/datasets/voisin-velos", "", 200, nil)
			put := base + "/" + strconv.FormatInt(src.ID, 10)
			if code, out := e.post("PUT", put, steward, []byte(`{"name": "Voisin", "enabled": false, "every_minutes": 120, "grace_days": 3, "url": "https://ignored.example"}`)); code != 200 ||
				!strings.Contains(string(out), `"enabled":false`) || !strings.Contains(string(out), `"url":"`+remote.proxy.URL+`"`) || !strings.Contains(string(out), `"grace_days":3`) {
				t.Errorf("update: %d %s", code, out)
			}
			if code, _ := e.post("PUT", put, producer, []byte(`{}`)); code != 404 {
				t.Errorf("producer update: %d", code)
			}
			e.getJSON("/api/socle/v1/harvest/runs/"+strconv.FormatInt(run.ID, 10), producer, 404, nil)
			e.getJSON(base+"/999", steward, 404, nil)
		})
	}
}
