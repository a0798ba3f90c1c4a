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
	"time"

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
		if !d.HasGeo() && d.ID != "subventions-associations" {
			continue // one dataset without geometry is enough
		}
		if err := loadSpec(t.Context(), a, spec); err != nil {
			t.Fatalf("load %s: %v", d.ID, err)
		}
		if !d.HasGeo() {
			continue
		} else if d.Access == "public" {
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

// featureCollectionJSON is an items answer.
type featureCollectionJSON struct {
	Type     string `json:"type"`
	Features []struct {
		Type       string          `json:"type"`
		ID         int64           `json:"id"`
		Geometry   json.RawMessage `json:"geometry"`
		Properties map[string]any  `json:"properties"`
	} `json:"features"`
	NumberMatched  *int64 `json:"numberMatched"`
	NumberReturned int    `json:"numberReturned"`
	TimeStamp      string `json:"timeStamp"`
	Links          []struct{ Href, Rel, Type string }
}

func (fc *featureCollectionJSON) link(rel string) string {
	for _, l := range fc.Links {
		if l.Rel == rel {
			return l.Href
		}
	}
	return ""
}

// items fetches an items page (path relative to the collection) and checks
// its media type.
func (fe *featuresEnv) items(t *testing.T, id, query, key string) *featureCollectionJSON {
	t.Helper()
	code, body, h := fe.get("/api/features/collections/"+id+"/items"+query, key)
	if code != 200 {
		t.Fatalf("items %s%s: %d %s", id, query, code, body)
	}
	if ct := h.Get("Content-Type"); ct != "application/geo+json" {
		t.Errorf("items %s%s: Content-Type %q", id, query, ct)
	}
	var fc featureCollectionJSON
	if err := json.Unmarshal(body, &fc); err != nil {
		t.Fatalf("items %s%s: %v in %s", id, query, err, body)
	}
	if fc.Type != "FeatureCollection" || fc.NumberReturned != len(fc.Features) {
		t.Errorf("items %s%s: type %q, numberReturned %d for %d features", id, query, fc.Type, fc.NumberReturned, len(fc.Features))
	}
	if _, err := time.Parse(time.RFC3339, fc.TimeStamp); err != nil {
		t.Errorf("items %s%s: timeStamp %q", id, query, fc.TimeStamp)
	}
	return &fc
}

// matched is numberMatched, which must be present.
func (fc *featureCollectionJSON) matched(t *testing.T) int64 {
	t.Helper()
	if fc.NumberMatched == nil {
		t.Fatal("no numberMatched")
	}
	return *fc.NumberMatched
}

// TestFeaturesAPI checks the OGC API – Features documents, paging, filters
// and exceptions over HTTP, against the Explore API's answers, on both
// engines.
func TestFeaturesAPI(t *testing.T) {
	for _, e := range engines(t) {
		t.Run(e.name, func(t *testing.T) {
			e.t = t
			fe := newFeaturesEnv(t, e)
			t.Run("documents", func(t *testing.T) { e.t = t; fe.checkDocuments(t) })
			t.Run("paging", func(t *testing.T) { e.t = t; fe.checkPaging(t) })
			t.Run("filters", func(t *testing.T) { e.t = t; fe.checkFilters(t) })
			t.Run("exceptions", func(t *testing.T) { e.t = t; fe.checkExceptions(t) })
			t.Run("feature", func(t *testing.T) { e.t = t; fe.checkFeature(t) })
		})
	}
}

func (fe *featuresEnv) checkDocuments(t *testing.T) {
	var landing struct {
		Title string
		Links []struct{ Href, Rel, Type string }
	}
	code, body, h := fe.get("/api/features", "")
	if code != 200 || !strings.HasPrefix(h.Get("Content-Type"), "application/json") {
		t.Fatalf("landing page: %d %s %s", code, h.Get("Content-Type"), body)
	}
	json.Unmarshal(body, &landing)
	rels := map[string]string{}
	for _, l := range landing.Links {
		rels[l.Rel] = l.Href
	}
	for _, rel := range []string{"self", "service-desc", "conformance", "data"} {
		if rels[rel] == "" {
			t.Errorf("landing page without a %q link: %s", rel, body)
		}
	}
	var conf struct{ ConformsTo []string }
	fe.getJSON("/api/features/conformance?f=json", "", 200, &conf)
	for _, c := range []string{"core", "geojson"} {
		if !slices.Contains(conf.ConformsTo, "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/"+c) {
			t.Errorf("conformance lacks %s: %v", c, conf.ConformsTo)
		}
	}
	oas, _, _ := fe.get("/api/openapi.json", "")
	claims := slices.Contains(conf.ConformsTo, "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30")
	if claims != (oas == 200) || slices.ContainsFunc(conf.ConformsTo, func(s string) bool { return strings.HasSuffix(s, "/html") }) {
		t.Errorf("conformance %v with /api/openapi.json answering %d", conf.ConformsTo, oas)
	}

	type collection struct {
		ID, Title, ItemType string
		CRS                 []string
		Links               []struct{ Href, Rel, Type string }
		Extent              struct {
			Spatial  struct{ BBox [][4]float64 }
			Temporal struct{ Interval [][2]*string }
		}
	}
	var anon, admin struct{ Collections []collection }
	fe.getJSON("/api/features/collections", "", 200, &anon)
	fe.getJSON("/api/features/collections", fe.key, 200, &admin)
	var ids []string
	for _, c := range anon.Collections {
		ids = append(ids, c.ID)
		if c.ItemType != "feature" || !slices.Contains(c.CRS, "http://www.opengis.net/def/crs/OGC/1.3/CRS84") || c.Title == "" {
			t.Errorf("collection %s: itemType %q, crs %v, title %q", c.ID, c.ItemType, c.CRS, c.Title)
		}
		items := slices.IndexFunc(c.Links, func(l struct{ Href, Rel, Type string }) bool {
			return l.Rel == "items" && l.Type == "application/geo+json"
		})
		if items < 0 {
			t.Errorf("collection %s has no items link: %v", c.ID, c.Links)
		}
		if len(c.Extent.Spatial.BBox) != 1 || !near(c.Extent.Spatial.BBox[0], fe.exportBBox(t, c.ID, ""), 1e-9) {
			t.Errorf("collection %s: spatial extent %v, the data's %v", c.ID, c.Extent.Spatial.BBox, fe.exportBBox(t, c.ID, ""))
		}
		if c.ID == "qualite-air" {
			var page recordsPageJSON
			fe.getJSON(records("qualite-air", "select", "min(date_heure) as a, max(date_heure) as b"), "", 200, &page)
			iv := c.Extent.Temporal.Interval
			if len(iv) != 1 || iv[0][0] == nil || iv[0][1] == nil || !sameInstant(*iv[0][0], page.Results[0]["a"]) || !sameInstant(*iv[0][1], page.Results[0]["b"]) {
				t.Errorf("qualite-air: temporal extent %v, the data's %v", iv, page.Results[0])
			}
		}
	}
	if slices.Sort(ids); !slices.Equal(ids, slices.Sorted(slices.Values(fe.public))) {
		t.Errorf("anonymous collections %v, want the public geo datasets %v", ids, fe.public)
	}
	if !slices.ContainsFunc(admin.Collections, func(c collection) bool { return c.ID == fe.hidden }) {
		t.Errorf("the admin does not see %s among the collections", fe.hidden)
	}
	fe.getJSON("/api/features/collections/subventions-associations", "", 404, nil) // no geometry: no collection
	var one collection
	fe.getJSON("/api/features/collections/arbres-remarquables", "", 200, &one)
	if one.ID != "arbres-remarquables" {
		t.Errorf("collection document: %+v", one)
	}
}

func sameInstant(a string, b any) bool {
	ta, err1 := time.Parse(time.RFC3339, a)
	tb, err2 := time.Parse(time.RFC3339, fmt.Sprint(b))
	return err1 == nil && err2 == nil && ta.Equal(tb)
}

func (fe *featuresEnv) checkPaging(t *testing.T) {
	first := fe.items(t, "arbres-remarquables", "", "")
	total := fe.exploreCount(t, "arbres-remarquables", "", "")
	if first.NumberReturned != 10 || first.matched(t) != total || first.link("next") == "" || first.link("self") == "" {
		t.Errorf("default page: %d returned, %v matched (want 10 of %d), next %q", first.NumberReturned, first.NumberMatched, total, first.link("next"))
	}
	big := fe.items(t, "qualite-air", "?limit=20000", "")
	if big.NumberReturned != 10000 || big.link("next") == "" {
		t.Errorf("limit=20000 returned %d features (want the maximum, 10000) and next %q", big.NumberReturned, big.link("next"))
	}
	// Following next links gets every feature once, in ID order.
	seen := map[int64]bool{}
	last := int64(0)
	next := "/api/features/collections/arbres-remarquables/items?limit=400"
	pages := 0
	for next != "" && pages < 10 {
		fc := fe.items(t, "arbres-remarquables", strings.TrimPrefix(next, "/api/features/collections/arbres-remarquables/items"), "")
		pages++
		if fc.matched(t) != total {
			t.Errorf("page %d: numberMatched %d, want %d", pages, fc.matched(t), total)
		}
		for _, f := range fc.Features {
			if seen[f.ID] || f.ID <= last {
				t.Fatalf("page %d: feature %d out of order or repeated", pages, f.ID)
			}
			seen[f.ID], last = true, f.ID
		}
		next = ""
		if n := fc.link("next"); n != "" {
			u, _ := url.Parse(n)
			if u.Query().Get("limit") != "400" {
				t.Errorf("next link %s lost the limit", n)
			}
			next = u.Path + "?" + u.RawQuery
		}
	}
	if int64(len(seen)) != total || pages != 4 {
		t.Errorf("%d pages gave %d features, want 4 pages and %d", pages, len(seen), total)
	}
}

func (fe *featuresEnv) checkFilters(t *testing.T) {
	// A property filter is the Explore API's equality.
	first := fe.items(t, "qualite-air", "?limit=1", "")
	commune := fmt.Sprint(first.Features[0].Properties["commune"])
	fc := fe.items(t, "qualite-air", "?limit=10000&commune="+url.QueryEscape(commune), "")
	want := fe.exploreCount(t, "qualite-air", "", fmt.Sprintf("commune = %q", commune))
	if fc.matched(t) != want || int64(fc.NumberReturned) != min(want, 10000) {
		t.Errorf("commune=%s: %d matched, %d returned; the Explore API counts %d", commune, fc.matched(t), fc.NumberReturned, want)
	}
	for _, f := range fc.Features {
		if f.Properties["commune"] != commune {
			t.Fatalf("commune=%s returned a feature of %v", commune, f.Properties["commune"])
		}
	}

	// datetime against the first datetime field.
	at := fmt.Sprint(first.Features[0].Properties["date_heure"])
	for _, c := range []struct{ param, where string }{
		{at, fmt.Sprintf("date_heure = date'%s'", at)},
		{"2026-09-01", "date_heure >= date'2026-09-01T00:00:00Z' AND date_heure < date'2026-09-02T00:00:00Z'"},
		{"../2026-08-15T06:00:00Z", "date_heure <= date'2026-08-15T06:00:00Z'"},
		{"2026-09-20T00:00:00+02:00/..", "date_heure >= date'2026-09-19T22:00:00Z'"},
		{"2026-08-10T00:00:00Z/2026-08-12", "date_heure >= date'2026-08-10T00:00:00Z' AND date_heure < date'2026-08-13T00:00:00Z'"},
	} {
		fc := fe.items(t, "qualite-air", "?limit=1&datetime="+url.QueryEscape(c.param), "")
		if want := fe.exploreCount(t, "qualite-air", "", c.where); fc.matched(t) != want || want == 0 {
			t.Errorf("datetime=%s: %d matched, the Explore API counts %d", c.param, fc.matched(t), want)
		}
	}
	// On a date field, a day matches when it meets the interval.
	var col struct {
		Extent struct {
			Temporal struct{ Interval [][2]string }
		}
	}
	fe.getJSON("/api/features/collections/"+fe.hidden, fe.key, 200, &col)
	day := col.Extent.Temporal.Interval[0][0][:10]
	fc = fe.items(t, fe.hidden, "?datetime="+day+"T12:00:00Z/"+day+"T13:00:00Z", fe.key)
	if want := fe.exploreCount(t, fe.hidden, fe.key, "mois = date'"+day+"'"); fc.matched(t) != want || want == 0 {
		t.Errorf("datetime within %s on a date field: %d matched, want %d", day, fc.matched(t), want)
	}

	// bbox on shapes: the features whose envelope meets the box.
	box := [4]float64{-0.56, 47.45, -0.54, 47.47}
	fc = fe.items(t, "perimetres-communes", "?limit=100&bbox-crs="+url.QueryEscape("http://www.opengis.net/def/crs/OGC/1.3/CRS84")+"&bbox="+
		fmt.Sprintf("%v,%v,%v,%v", box[0], box[1], box[2], box[3]), "")
	all := fe.items(t, "perimetres-communes", "?limit=100", "")
	var want2 []int64
	for _, f := range all.Features {
		var g struct{ Coordinates json.RawMessage }
		json.Unmarshal(f.Geometry, &g)
		env := [4]float64{math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)}
		for _, p := range positions(t, g.Coordinates) {
			env = [4]float64{math.Min(env[0], p[0]), math.Min(env[1], p[1]), math.Max(env[2], p[0]), math.Max(env[3], p[1])}
		}
		if env[0] <= box[2] && env[2] >= box[0] && env[1] <= box[3] && env[3] >= box[1] {
			want2 = append(want2, f.ID)
		}
	}
	var got []int64
	for _, f := range fc.Features {
		got = append(got, f.ID)
	}
	if !slices.Equal(got, want2) || len(got) == 0 || len(got) == len(all.Features) {
		t.Errorf("bbox on shapes: features %v, want %v (of %d)", got, want2, len(all.Features))
	}
}

func (fe *featuresEnv) checkExceptions(t *testing.T) {
	other := fe.items(t, "arbres-remarquables", "?bbox=-1,47,0,48", "").link("next")
	u, _ := url.Parse(other)
	for _, q := range []string{
		"?foo=1", "?bbox=1,2,3", "?bbox=0,10,1,5", "?bbox=a,b,c,d", "?bbox=-0.6,47,-0.5,48&bbox-crs=" + url.QueryEscape("http://www.opengis.net/def/crs/EPSG/0/2154"),
		"?limit=0", "?limit=abc", "?limit=-3", "?f=xml", "?cursor=garbage",
		"?cursor=" + url.QueryEscape(u.Query().Get("cursor")), // belongs to the bbox query
		"?datetime=2024-01-01",                                // no temporal property
		"?geo_point=1", "?commune=a&commune=b",
	} {
		code, body, h := fe.get("/api/features/collections/arbres-remarquables/items"+q, "")
		var ex struct{ Code, Description string }
		json.Unmarshal(body, &ex)
		if code != 400 || ex.Code == "" || ex.Description == "" || !strings.HasPrefix(h.Get("Content-Type"), "application/json") {
			t.Errorf("items%s: %d %s %s, want 400 with an exception", q, code, h.Get("Content-Type"), body)
		}
	}
	for _, q := range []string{"?datetime=yesterday", "?datetime=../..", "?datetime=2024-02-01T00:00:00Z/2024-01-01T00:00:00Z", "?datetime=2024-01-01T10:00:00"} {
		if code, body, _ := fe.get("/api/features/collections/qualite-air/items"+q, ""); code != 400 {
			t.Errorf("items%s: %d %s, want 400", q, code, body)
		}
	}
	if code, _, _ := fe.get("/api/features/collections/nope/items", ""); code != 404 {
		t.Errorf("unknown collection: %d", code)
	}
}

func (fe *featuresEnv) checkFeature(t *testing.T) {
	page := fe.items(t, "arbres-remarquables", "?limit=3", "")
	f := page.Features[2]
	code, body, h := fe.get(fmt.Sprintf("/api/features/collections/arbres-remarquables/items/%d", f.ID), "")
	if code != 200 || h.Get("Content-Type") != "application/geo+json" {
		t.Fatalf("feature %d: %d %s %s", f.ID, code, h.Get("Content-Type"), body)
	}
	var one struct {
		Type       string
		ID         int64
		Geometry   json.RawMessage
		Properties map[string]any
		Links      []struct{ Rel string }
	}
	json.Unmarshal(body, &one)
	if one.Type != "Feature" || one.ID != f.ID || string(one.Geometry) != string(f.Geometry) || fmt.Sprint(one.Properties) != fmt.Sprint(f.Properties) || len(one.Links) < 2 {
		t.Errorf("feature %d alone differs from its page's: %s", f.ID, body)
	}
	for _, p := range []string{"999999", "abc", "0"} {
		if code, _, _ := fe.get("/api/features/collections/arbres-remarquables/items/"+p, ""); code != 404 {
			t.Errorf("feature %s: %d, want 404", p, code)
		}
	}
	// Reads of a non-public collection are audited like the Explore API's.
	hidden := fe.items(t, fe.hidden, "?limit=7", fe.key)
	if hidden.NumberReturned != 7 {
		t.Fatalf("admin read of %s: %d features", fe.hidden, hidden.NumberReturned)
	}
	var log struct {
		Results []struct {
			Action  string
			Records int64
		}
	}
	fe.getJSON("/api/socle/v1/audit?target="+fe.hidden, fe.key, 200, &log)
	if !slices.ContainsFunc(log.Results, func(r struct {
		Action  string
		Records int64
	}) bool {
		return r.Action == "records.read" && r.Records == 7
	}) {
		t.Errorf("the read of 7 features of %s is not audited: %+v", fe.hidden, log.Results)
	}
}
