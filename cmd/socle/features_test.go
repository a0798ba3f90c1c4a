package main

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/socle/socle/internal/auth"
	"github.com/socle/socle/internal/demo"
)

// featuresEnv is a server holding the demo territory's datasets with a
// geometry (and nothing else: the sensors are not needed), with an admin's
// API key, behind a proxy that records the requests third-party readers
// send, so that a test can tell a filter the server applied from one the
// reader applied on its side.
type featuresEnv struct {
	*env
	key    string
	public []string // the public geo datasets' IDs
	hidden string   // a geo dataset an anonymous caller may not see
	proxy  string   // base URL of the recording proxy

	mu   sync.Mutex
	seen []*url.URL
}

func newFeaturesEnv(t *testing.T, e *env) *featuresEnv {
	t.Helper()
	a, err := (&storeFlags{data: e.data, dsn: e.dsn}).open(t.Context(), quietLogger())
	if err != nil {
		t.Fatal(err)
	}
	terr := demo.New()
	for _, o := range terr.Organizations {
		if err := a.Store.PutOrganization(t.Context(), o); err != nil {
			t.Fatal(err)
		}
	}
	fe := &featuresEnv{env: e}
	for _, spec := range terr.Datasets {
		d := spec.Dataset
		if !d.HasGeo() {
			continue
		}
		if err := loadSpec(t.Context(), a, spec); err != nil {
			t.Fatalf("load %s: %v", d.ID, err)
		}
		if d.Access == "public" {
			fe.public = append(fe.public, d.ID)
		} else if fe.hidden == "" {
			fe.hidden = d.ID
		}
	}
	login := adminLogin(terr)
	if err := a.AddUser(t.Context(), &auth.User{Login: login, Name: "Admin", Role: auth.RoleAdmin}, "correct horse battery"); err != nil {
		t.Fatal(err)
	}
	fe.key, _, err = a.CreateAPIKey(t.Context(), login, "test")
	if err != nil {
		t.Fatal(err)
	}
	if err := a.RefreshCatalog(t.Context()); err != nil {
		t.Fatal(err)
	}
	a.Close()
	if len(fe.public) < 5 || fe.hidden == "" {
		t.Fatalf("the demo territory changed: public geo datasets %v, hidden %q", fe.public, fe.hidden)
	}
	e.start()
	target, _ := url.Parse(e.base)
	rp := httputil.NewSingleHostReverseProxy(target)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fe.mu.Lock()
		u := *r.URL
		fe.seen = append(fe.seen, &u)
		fe.mu.Unlock()
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	fe.proxy = srv.URL
	return fe
}

// requests returns and forgets the requests the proxy saw.
func (fe *featuresEnv) requests() []*url.URL {
	fe.mu.Lock()
	defer fe.mu.Unlock()
	out := fe.seen
	fe.seen = nil
	return out
}

// gdal runs a GDAL program against the proxy's OGC API and returns its
// output.
func (fe *featuresEnv) gdal(t *testing.T, prog string, args ...string) string {
	t.Helper()
	args = slices.Clone(args)
	for i, a := range args {
		args[i] = strings.ReplaceAll(a, "OAPIF:", "OAPIF:"+fe.proxy+"/api/features")
	}
	cmd := exec.Command(prog, args...)
	cmd.Env = append(cmd.Environ(), "GDAL_HTTP_TIMEOUT=60", "CPL_VSIL_CURL_CACHE_SIZE=0", "GDAL_HTTP_MAX_RETRY=0")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", prog, strings.Join(args, " "), err, out)
	}
	return string(out)
}

var (
	gdalCount  = regexp.MustCompile(`(?m)^Feature Count: (\d+)`)
	gdalExtent = regexp.MustCompile(`(?m)^Extent: \(([-0-9.e]+), ([-0-9.e]+)\) - \(([-0-9.e]+), ([-0-9.e]+)\)`)
	gdalLayer  = regexp.MustCompile(`(?m)^\d+: (\S+)`)
)

// gdalSummary reads the feature count and extent of ogrinfo -so output.
func gdalSummary(t *testing.T, out string) (int64, [4]float64) {
	t.Helper()
	m := gdalCount.FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no feature count in ogrinfo's output:\n%s", out)
	}
	n, _ := strconv.ParseInt(m[1], 10, 64)
	var box [4]float64
	if x := gdalExtent.FindStringSubmatch(out); x != nil {
		for i := range box {
			box[i], _ = strconv.ParseFloat(x[i+1], 64)
		}
	}
	return n, box
}

// exploreCount is what the Explore API counts for where (may be empty).
func (fe *featuresEnv) exploreCount(t *testing.T, id, key, where string) int64 {
	t.Helper()
	var page recordsPageJSON
	fe.getJSON(records(id, "limit", "0", "where", where), key, 200, &page)
	return page.TotalCount
}

// exportBBox computes a dataset's bounding box from the Explore API's
// GeoJSON export, independently of the features code.
func (fe *featuresEnv) exportBBox(t *testing.T, id, key string) [4]float64 {
	t.Helper()
	code, body, _ := fe.get("/api/explore/v2.1/catalog/datasets/"+id+"/exports/geojson", key)
	if code != 200 {
		t.Fatalf("geojson export of %s: %d %s", id, code, body)
	}
	var fc struct {
		Features []struct {
			Geometry struct {
				Coordinates json.RawMessage `json:"coordinates"`
			} `json:"geometry"`
		} `json:"features"`
	}
	if err := json.Unmarshal(body, &fc); err != nil {
		t.Fatal(err)
	}
	box := [4]float64{math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)}
	for _, f := range fc.Features {
		for _, p := range positions(t, f.Geometry.Coordinates) {
			box = [4]float64{math.Min(box[0], p[0]), math.Min(box[1], p[1]), math.Max(box[2], p[0]), math.Max(box[3], p[1])}
		}
	}
	return box
}

// positions flattens GeoJSON coordinates of any depth.
func positions(t *testing.T, raw json.RawMessage) [][2]float64 {
	var p [2]float64
	if json.Unmarshal(raw, &p) == nil {
		return [][2]float64{p}
	}
	var nested []json.RawMessage
	if err := json.Unmarshal(raw, &nested); err != nil {
		t.Fatalf("coordinates %s: %v", raw, err)
	}
	var out [][2]float64
	for _, n := range nested {
		out = append(out, positions(t, n)...)
	}
	return out
}

func near(a, b [4]float64, tol float64) bool {
	for i := range a {
		if math.Abs(a[i]-b[i]) > tol {
			return false
		}
	}
	return true
}

// TestFeaturesReadByGDAL reads the OGC API with GDAL's OAPIF driver (the
// one QGIS uses): the collections, each one's count and extent, a full copy
// across many pages, and bbox and datetime filters applied by the server.
func TestFeaturesReadByGDAL(t *testing.T) {
	_, err := exec.LookPath("ogrinfo")
	needTool(t, "GDAL's ogrinfo", "apt-get install gdal-bin (.ci/run does)", err == nil)
	for _, e := range engines(t) {
		t.Run(e.name, func(t *testing.T) {
			e.t = t
			fe := newFeaturesEnv(t, e)
			var layers []string
			for _, m := range gdalLayer.FindAllStringSubmatch(fe.gdal(t, "ogrinfo", "-ro", "-so", "OAPIF:"), -1) {
				layers = append(layers, m[1])
			}
			want := slices.Sorted(slices.Values(fe.public))
			if slices.Sort(layers); !slices.Equal(layers, want) {
				t.Errorf("GDAL lists the collections %v, want the public geo datasets %v", layers, want)
			}

			for _, id := range fe.public {
				n, box := gdalSummary(t, fe.gdal(t, "ogrinfo", "-ro", "-so", "-al", "OAPIF:", id))
				if want := fe.exploreCount(t, id, "", ""); n != want {
					t.Errorf("%s: GDAL counts %d features, the Explore API %d records", id, n, want)
				}
				// ogrinfo prints six decimals.
				if want := fe.exportBBox(t, id, ""); !near(box, want, 1e-6) {
					t.Errorf("%s: GDAL's extent %v, the data's %v", id, box, want)
				}
			}

			// A copy gets every feature, across pages (100 features each).
			fe.requests()
			dst := filepath.Join(t.TempDir(), "arbres.geojson")
			fe.gdal(t, "ogr2ogr", "-f", "GeoJSON", dst, "-oo", "PAGE_SIZE=100", "OAPIF:", "arbres-remarquables")
			ids := copiedIDs(t, dst)
			if want := fe.exploreCount(t, "arbres-remarquables", "", ""); int64(len(ids)) != want || want <= 100 {
				t.Errorf("ogr2ogr copied %d distinct features, the Explore API has %d records", len(ids), want)
			}
			if pages := countRequests(fe.requests(), "arbres-remarquables/items", "cursor"); pages < 14 {
				t.Errorf("ogr2ogr followed %d next links for 1,500 features by 100, want at least 14", pages)
			}

			// -spat: the bbox goes to the server, counts agree with in_bbox.
			b := fe.exportBBox(t, "arbres-remarquables", "")
			spat := [4]float64{b[0], b[1], (b[0] + b[2]) / 2, (b[1] + b[3]) / 2}
			args := []string{"-ro", "-so", "-al", "-oo", "PAGE_SIZE=1000", "-spat"}
			for _, v := range spat {
				args = append(args, strconv.FormatFloat(v, 'f', 6, 64))
			}
			n, _ := gdalSummary(t, fe.gdal(t, "ogrinfo", append(args, "OAPIF:", "arbres-remarquables")...))
			where := fmt.Sprintf("in_bbox(geo_point, %s, %s, %s, %s)", f6(spat[1]), f6(spat[0]), f6(spat[3]), f6(spat[2]))
			if want := fe.exploreCount(t, "arbres-remarquables", "", where); n != want || want == 0 {
				t.Errorf("-spat: GDAL counts %d features, the Explore API %d", n, want)
			}
			if countRequests(fe.requests(), "arbres-remarquables/items", "bbox") == 0 {
				t.Error("-spat: GDAL sent no bbox: the filter was not applied by the server")
			}

			// A filter on the datetime field becomes datetime=.
			n, _ = gdalSummary(t, fe.gdal(t, "ogrinfo", "-ro", "-so", "-al", "-oo", "PAGE_SIZE=10000",
				"-where", "date_heure >= '2026-09-01T00:00:00Z'", "OAPIF:", "qualite-air"))
			if want := fe.exploreCount(t, "qualite-air", "", "date_heure >= date'2026-09-01T00:00:00Z'"); n != want || want == 0 {
				t.Errorf("datetime: GDAL counts %d features, the Explore API %d", n, want)
			}
			if countRequests(fe.requests(), "qualite-air/items", "datetime") == 0 {
				t.Error("datetime: GDAL sent no datetime: the filter was not applied by the server")
			}

			// The dataset an anonymous caller may not see is absent and 404.
			var ex struct{ Code, Description string }
			fe.getJSON("/api/features/collections/"+fe.hidden, "", 404, &ex)
			if ex.Code == "" || ex.Description == "" {
				t.Errorf("404 of a hidden collection: exception %+v", ex)
			}
			fe.getJSON("/api/features/collections/"+fe.hidden+"/items", "", 404, nil)
			fe.getJSON("/api/features/collections/"+fe.hidden+"/items/1", "", 404, nil)
			fe.getJSON("/api/features/collections/"+fe.hidden, fe.key, 200, nil)
		})
	}
}

func f6(v float64) string { return strconv.FormatFloat(v, 'f', 6, 64) }

// copiedIDs reads the distinct feature IDs of a GeoJSON file.
func copiedIDs(t *testing.T, path string) map[string]bool {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var fc struct {
		Features []struct {
			ID         any            `json:"id"`
			Properties map[string]any `json:"properties"`
		} `json:"features"`
	}
	if err := json.Unmarshal(b, &fc); err != nil {
		t.Fatal(err)
	}
	out := map[string]bool{}
	for _, f := range fc.Features {
		out[fmt.Sprint(f.Properties["id"])] = true
	}
	if len(out) != len(fc.Features) {
		t.Errorf("%d features but %d distinct ids: pages overlap", len(fc.Features), len(out))
	}
	return out
}

// countRequests counts the requests to a path ending in suffix that carry
// the query parameter param.
func countRequests(reqs []*url.URL, suffix, param string) int {
	n := 0
	for _, u := range reqs {
		if strings.HasSuffix(u.Path, suffix) && u.Query().Has(param) {
			n++
		}
	}
	return n
}
