package main

import (
	"context"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"golang.org/x/text/unicode/norm"
)

// TestBrowser walks the portal in a real browser on each engine: search
// and facets, a filtered and sorted table, a map without tiles, a chart, a
// download, login, an upload published to the public, restricted data
// kept out of sight; axe-core checks every page type. With
// SOCLE_SCREENSHOTS=<dir> it saves screenshots there, with
// SOCLE_PAGE_WEIGHTS=<file> the page weights in Markdown (relative paths
// from the repository's root), both from the first engine.
func TestBrowser(t *testing.T) {
	chrome := chromiumPath()
	needTool(t, "Chromium", "install the Debian packages chromium and chromium-driver", chrome != "")
	axe, err := os.ReadFile(axePath)
	needTool(t, "axe-core", "run make compat-deps (npm ci in compat/axe)", err == nil)
	for i, e := range engines(t) {
		t.Run(e.name, func(t *testing.T) {
			t.Parallel() // one server and one browser per engine
			e.t = t
			s := newSuite(t, e, chrome, string(axe))
			if dir := os.Getenv("SOCLE_SCREENSHOTS"); dir != "" && i == 0 {
				dir = repoPath(dir)
				if err := os.MkdirAll(dir, 0o755); err != nil {
					t.Fatal(err)
				}
				s.shots = dir
			}
			// First, the page types as the demo has them (for the
			// screenshots and the weights), then the scenarios.
			t.Run("every public page type passes axe and runs without JavaScript errors", func(t *testing.T) { s.publicPages(t, i == 0) })
			t.Run("every back-office page type passes axe and runs without JavaScript errors", s.adminPages)
			t.Run("an accent-less search finds accented titles and a theme facet narrows the results", s.searchWithFacet)
			t.Run("a table filtered by a column and sorted descending shows matching sorted rows", s.tableFilterSort)
			t.Run("the map draws every point and shape without base map tiles", s.mapWithoutTiles)
			t.Run("a chart drawn from the form matches the API group_by", s.chart)
			t.Run("the CSV download has as many rows as the dataset", s.downloadCSV)
			t.Run("a wrong password is refused in French, the right one opens the back-office, logout ends it", s.loginLogout)
			t.Run("an upload previewed, relabelled and published is downloadable by the public", s.uploadPublish)
			t.Run("a restricted dataset is invisible when logged out and badged for its allowed user", s.restricted)
			t.Run("an agent sees every sensor on the hyperviseur map and acknowledges the leak alert", s.hyperviseur)
		})
	}
}

// searchWithFacet: "qualite" finds "Qualité de l'air"; "donnees" finds
// every public dataset; the Environnement facet keeps exactly the public
// datasets of that theme, as many as the facet announced.
func (s *suite) searchWithFacet(t *testing.T) {
	ctx := s.tab(t)
	s.open(t, ctx, "/")
	do(t, ctx, "type a search", chromedp.SendKeys(chromedp.ID("home-q"), "qualite"))
	follow(t, ctx, "submit the search", chromedp.Submit(chromedp.ID("home-q")))
	if u := location(t, ctx); u.Path != "/datasets" || u.Query().Get("q") != "qualite" {
		t.Fatalf("the search went to %s", u)
	}
	ids := resultIDs(t, ctx)
	if !slices.Equal(ids, []string{"qualite-air"}) {
		t.Errorf("search qualite: results %v, want [qualite-air]", ids)
	}
	if n := resultCount(t, ctx); n != 1 {
		t.Errorf("search qualite: count %d, want 1", n)
	}
	if got := text(t, ctx, ".fr-card__title"); !strings.HasPrefix(got, "Qualité de l'air") {
		t.Errorf("search qualite: first title %q", got)
	}

	var catalog struct {
		TotalCount int `json:"total_count"`
		Results    []struct {
			ID    string `json:"dataset_id"`
			Metas struct {
				Default struct {
					Theme []string `json:"theme"`
				} `json:"default"`
			} `json:"metas"`
		} `json:"results"`
	}
	s.api(t, "/api/explore/v2.1/catalog/datasets?limit=100", &catalog)
	eval[bool](t, ctx, `(document.getElementById('search-q').value = '') === ''`)
	do(t, ctx, "type another search", chromedp.SendKeys(chromedp.ID("search-q"), "donnees"))
	follow(t, ctx, "submit the search", chromedp.Submit(chromedp.ID("search-q")))
	if n := resultCount(t, ctx); n != catalog.TotalCount {
		t.Errorf("search donnees: %d results, the API catalogue has %d public datasets", n, catalog.TotalCount)
	}
	var want []string
	for _, d := range catalog.Results {
		if slices.Contains(d.Metas.Default.Theme, "ENVI") {
			want = append(want, d.ID)
		}
	}
	slices.Sort(want)
	facet := `aside nav a[href*="theme=ENVI"]`
	label := text(t, ctx, facet)
	announced, _ := strconv.Atoi(strings.TrimSuffix(label[strings.LastIndex(label, "(")+1:], ")"))
	clickLink(t, ctx, facet)
	u := location(t, ctx)
	if u.Query().Get("theme") != "ENVI" || u.Query().Get("q") != "donnees" {
		t.Errorf("after the facet, the URL is %s: want theme=ENVI and q=donnees", u)
	}
	ids = resultIDs(t, ctx)
	slices.Sort(ids)
	if n := resultCount(t, ctx); n != len(ids) || n != announced || !slices.Equal(ids, want) {
		t.Errorf("facet %q: count %d, %d cards %v; want the %d public ENVI datasets %v", label, n, len(ids), ids, len(want), want)
	}
	if active := texts(t, ctx, `aside ul[aria-label="Filtres actifs"] a`); !slices.Equal(active, []string{"Environnement"}) {
		t.Errorf("active filters %q, want [Environnement]", active)
	}
	s.screenshot(t, ctx, "search", "")
}

// resultIDs lists the dataset IDs of the result cards, in order.
func resultIDs(t *testing.T, ctx context.Context) []string {
	t.Helper()
	var ids []string
	for _, h := range attrs(t, ctx, `section[aria-labelledby="resultats"] .fr-card__title a`, "href") {
		ids = append(ids, strings.TrimPrefix(h, "/datasets/"))
	}
	return ids
}

// resultCount reads "N jeux de données" from the results heading.
func resultCount(t *testing.T, ctx context.Context) int {
	t.Helper()
	h := text(t, ctx, "#resultats")
	n, err := strconv.Atoi(strings.SplitN(h, " ", 2)[0])
	if err != nil {
		t.Fatalf("results heading %q has no count", h)
	}
	return n
}

// fold lowercases and strips accents, independently of the portal's own
// folding.
func fold(s string) string {
	var b strings.Builder
	for _, r := range norm.NFD.String(strings.ToLower(s)) {
		if !unicode.Is(unicode.Mn, r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// tableRows returns the cells of the records table, and its column labels.
func tableRows(t *testing.T, ctx context.Context) ([]string, [][]string) {
	t.Helper()
	heads := eval[[]string](t, ctx, `[...document.querySelectorAll('#records thead th')].map(th => th.firstChild.textContent.trim())`)
	rows := eval[[][]string](t, ctx, `[...document.querySelectorAll('#records tbody tr')].map(tr => [...tr.cells].map(td => td.textContent))`)
	return heads, rows
}

// column returns the index of the column labelled label.
func column(t *testing.T, heads []string, label string) int {
	t.Helper()
	i := slices.Index(heads, label)
	if i < 0 {
		t.Fatalf("no column %q in %q", label, heads)
	}
	return i
}

// tableFilterSort filters the trees by common name ("chene", without its
// accent) and sorts them by circumference, descending, and checks both
// against the API.
func (s *suite) tableFilterSort(t *testing.T) {
	ctx := s.tab(t)
	const id = "arbres-remarquables"
	var groups recordsPageJSON
	s.api(t, records(id, "select", "nom_commun, count(*) as n", "group_by", "nom_commun", "limit", "100"), &groups)
	var wantTotal int
	var or []string
	for _, g := range groups.Results {
		if name := fmt.Sprint(g["nom_commun"]); strings.Contains(fold(name), "chene") {
			wantTotal += int(g["n"].(float64))
			or = append(or, "nom_commun = "+strconv.Quote(name))
		}
	}
	if wantTotal == 0 {
		t.Fatal("the demo has no oaks (chêne)")
	}

	s.open(t, ctx, "/datasets/"+id+"/table")
	do(t, ctx, "fill the common name filter", chromedp.SendKeys(chromedp.ID("f-nom_commun"), "chene"))
	clickLink(t, ctx, `form[aria-labelledby="filtres-colonnes"] button[type="submit"]`)
	if u := location(t, ctx); u.Query().Get("f.nom_commun") != "chene" {
		t.Errorf("after filtering, the URL is %s", u)
	}
	where, err := chromedp.Run(ctx, chromedp.Value(chromedp.ID("where")))
	if err != nil {
		t.Fatal(err)
	}
	if want := "`nom_commun` like \"chene\""; where != want {
		t.Errorf("textarea#where holds %q, want %q", where, want)
	}
	status := text(t, ctx, `p[role="status"]`)
	if want := fmt.Sprintf("Enregistrements 1 à 20 sur %d", wantTotal); strings.ReplaceAll(status, "\u202f", "") != want {
		t.Errorf("status %q, want %q", status, want)
	}
	heads, rows := tableRows(t, ctx)
	name := column(t, heads, "Nom commun")
	if len(rows) != min(20, wantTotal) {
		t.Errorf("%d rows, want %d", len(rows), min(20, wantTotal))
	}
	for _, r := range rows {
		if !strings.Contains(fold(r[name]), "chene") {
			t.Errorf("filtered row %v has no chêne in %q", r[0], r[name])
		}
	}

	clickLink(t, ctx, `#records thead a.socle-sort[href*="sort=-circonference"]`)
	u := location(t, ctx)
	if u.Query().Get("sort") != "-circonference" || u.Query().Get("f.nom_commun") != "chene" {
		t.Errorf("after sorting, the URL is %s: want sort=-circonference and the filter kept", u)
	}
	if got := attrs(t, ctx, "#records thead th[aria-sort]", "aria-sort"); !slices.Equal(got, []string{"descending"}) {
		t.Errorf("aria-sort on the headers: %q, want one descending", got)
	}
	heads, rows = tableRows(t, ctx)
	circ, name := column(t, heads, "Circonférence"), column(t, heads, "Nom commun")
	var want recordsPageJSON
	s.api(t, records(id, "where", strings.Join(or, " or "), "order_by", "circonference desc, id", "select", "circonference", "limit", "20"), &want)
	var got, wantCirc []int
	for i, r := range rows {
		got = append(got, int(parseFr(t, r[circ])))
		if !strings.Contains(fold(r[name]), "chene") {
			t.Errorf("sorted row %d lost the filter: %q", i, r[name])
		}
	}
	for _, r := range want.Results {
		wantCirc = append(wantCirc, int(r["circonference"].(float64)))
	}
	if !slices.IsSortedFunc(got, func(a, b int) int { return b - a }) || !slices.Equal(got, wantCirc) {
		t.Errorf("circumferences %v, want descending %v", got, wantCirc)
	}
	s.screenshot(t, ctx, "dataset-table", `label[for="where"]`)
}

// mapWithoutTiles: with an unreachable base map, the trees' map draws all
// its points (clustered) and the communes' map all its shapes.
func (s *suite) mapWithoutTiles(t *testing.T) {
	ctx := s.tab(t)
	var trees recordsPageJSON
	s.api(t, records("arbres-remarquables", "limit", "1"), &trees)
	s.open(t, ctx, "/datasets/arbres-remarquables/map")
	state, n := waitMap(t, ctx)
	if state != "loaded" || int64(n) != trees.TotalCount {
		t.Errorf("map state %q with %d features loaded, want loaded with %d", state, n, trees.TotalCount)
	}
	// Every point is drawn: as a marker, or counted in a cluster icon.
	var drawn struct {
		Clusters []string `json:"clusters"`
		Markers  int      `json:"markers"`
	}
	drawn = eval[struct {
		Clusters []string `json:"clusters"`
		Markers  int      `json:"markers"`
	}](t, ctx, `({clusters: [...document.querySelectorAll('.socle-map .marker-cluster')].map(e => e.textContent.trim()),
		markers: document.querySelectorAll('.socle-map .leaflet-marker-icon.socle-map-point').length})`)
	sum := drawn.Markers
	for _, c := range drawn.Clusters {
		sum += int(parseFr(t, c))
	}
	if len(drawn.Clusters) == 0 || int64(sum) != trees.TotalCount {
		t.Errorf("%d cluster icons and %d markers show %d points, want %d", len(drawn.Clusters), drawn.Markers, sum, trees.TotalCount)
	}
	if status := text(t, ctx, ".socle-map-status"); !strings.Contains(strings.ReplaceAll(status, "\u202f", " "), "1 500") {
		t.Errorf("the map's status says %q: it should give the number of objects drawn (1 500)", status)
	}
	// The base map was asked for, with its {z}/{x}/{y} filled in.
	tiles := attrs(t, ctx, ".socle-map img.leaflet-tile", "src")
	if len(tiles) == 0 {
		t.Error("the map requested no base map tile")
	}
	for _, src := range tiles {
		if !tileURL.MatchString(src) {
			t.Errorf("tile requested from %q, want %s with numbers for z, x and y", src, unreachableTiles)
			break
		}
	}
	s.screenshot(t, ctx, "dataset-map", "")

	var shapes struct {
		Features []struct {
			Geometry struct {
				Type string `json:"type"`
			} `json:"geometry"`
		} `json:"features"`
	}
	s.api(t, "/api/explore/v2.1/catalog/datasets/perimetres-communes/exports/geojson", &shapes)
	wantPaths := 0
	for _, f := range shapes.Features {
		if f.Geometry.Type != "Point" && f.Geometry.Type != "" {
			wantPaths++
		}
	}
	s.open(t, ctx, "/datasets/perimetres-communes/map")
	if state, n := waitMap(t, ctx); state != "loaded" || n != len(shapes.Features) {
		t.Errorf("communes map: state %q, %d features, want loaded with %d", state, n, len(shapes.Features))
	}
	if got := eval[int](t, ctx, `document.querySelectorAll('.socle-map path.leaflet-interactive').length`); wantPaths == 0 || got != wantPaths {
		t.Errorf("communes map: %d shapes drawn, the GeoJSON export has %d", got, wantPaths)
	}
}

// chart draws the sum of container capacities by commune and checks bars,
// table and values against the API's group_by.
func (s *suite) chart(t *testing.T) {
	ctx := s.tab(t)
	const id = "points-apport-dechets"
	s.open(t, ctx, "/datasets/"+id+"/chart")
	do(t, ctx, "choose the chart",
		chromedp.SetValue(chromedp.ID("chart-x"), "commune"),
		chromedp.SetValue(chromedp.ID("chart-agg"), "sum"),
		chromedp.SetValue(chromedp.ID("chart-y"), "capacite"))
	clickLink(t, ctx, `main form button[type="submit"]`)
	q := location(t, ctx).Query()
	if q.Get("x") != "commune" || q.Get("agg") != "sum" || q.Get("y") != "capacite" {
		t.Errorf("the chart form sent %v", q)
	}
	bars := attrs(t, ctx, "svg.socle-svg rect.socle-bar", "height")
	rows := eval[[][]string](t, ctx, `[...document.querySelectorAll('#graphique + .fr-table tbody tr')].map(tr => [...tr.cells].map(td => td.textContent.trim()))`)
	tips := eval[[]string](t, ctx, `[...document.querySelectorAll('svg.socle-svg rect.socle-bar title')].map(e => e.textContent.trim())`)
	var want recordsPageJSON
	s.api(t, records(id, "select", "commune, sum(capacite) as v", "group_by", "commune", "limit", "100"), &want)
	if len(bars) != len(rows) || len(tips) != len(rows) || len(rows) != len(want.Results) || len(rows) == 0 {
		t.Fatalf("%d bars (%d titled), %d table rows, %d API groups: want them equal", len(bars), len(tips), len(rows), len(want.Results))
	}
	sums := map[string]float64{}
	for _, w := range want.Results {
		sums[fmt.Sprint(w["commune"])] = w["v"].(float64)
	}
	for i, r := range rows {
		if v, ok := sums[r[0]]; !ok || parseFr(t, r[1]) != v {
			t.Errorf("row %d: %q = %q, the API says %v", i, r[0], r[1], v)
		}
		if i > 0 && parseFr(t, r[1]) > parseFr(t, rows[i-1][1]) {
			t.Errorf("row %d (%s) is above row %d (%s): groups must come largest first", i, r[1], i-1, rows[i-1][1])
		}
		if tips[i] != r[0]+" : "+r[1] {
			t.Errorf("bar %d is titled %q, its table row says %q", i, tips[i], r[0]+" : "+r[1])
		}
		if i > 0 && parseFloat(bars[i]) > parseFloat(bars[i-1]) {
			t.Errorf("bar %d (%s high) is taller than bar %d (%s): bars must follow the values", i, bars[i], i-1, bars[i-1])
		}
	}
	s.screenshot(t, ctx, "dataset-chart", "")
}

func parseFloat(s string) float64 {
	f, _ := strconv.ParseFloat(s, 64)
	return f
}

// downloadCSV clicks the CSV link of the downloads tab and counts the rows
// of the file the browser saved.
func (s *suite) downloadCSV(t *testing.T) {
	ctx := s.tab(t)
	const id = "arrets-transport"
	var page recordsPageJSON
	s.api(t, records(id, "limit", "1"), &page)
	var meta struct {
		Fields []struct {
			Name string `json:"name"`
		} `json:"fields"`
	}
	s.api(t, "/api/explore/v2.1/catalog/datasets/"+id, &meta)
	s.open(t, ctx, "/datasets/"+id+"/downloads")
	path := download(t, ctx, `a[href^="/datasets/`+id+`/export/csv"]`)
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.Comma = ';'
	all, err := r.ReadAll()
	if err != nil {
		t.Fatalf("the downloaded CSV does not parse: %v", err)
	}
	var header []string
	for _, fd := range meta.Fields {
		header = append(header, fd.Name)
	}
	if len(all) > 0 && len(all[0]) > 0 {
		all[0][0] = strings.TrimPrefix(all[0][0], "\ufeff") // the BOM that tells Excel it is UTF-8
	}
	if len(all) == 0 || !slices.Equal(all[0], header) {
		t.Fatalf("CSV header %v, want the fields %v", all[:min(1, len(all))], header)
	}
	if int64(len(all)-1) != page.TotalCount {
		t.Errorf("the CSV has %d rows, the API counts %d records", len(all)-1, page.TotalCount)
	}
}

// restricted: logged out, the pools' attendance (restricted to one
// partner) answers the 404 page and appears in no list; another user is
// refused too; the partner finds it, with its access badge.
func (s *suite) restricted(t *testing.T) {
	ctx := s.tab(t)
	const id = "frequentation-piscines"
	for _, p := range []string{"/datasets/" + id, "/datasets/" + id + "/table", "/datasets/" + id + "/downloads"} {
		if code := s.open(t, ctx, p); code != 404 {
			t.Errorf("GET %s logged out: %d, want 404", p, code)
		}
		if h := text(t, ctx, "main h1"); h != "Erreur 404" {
			t.Errorf("GET %s: heading %q, want the 404 page", p, h)
		}
		if body := text(t, ctx, "main"); strings.Contains(body, "piscines") {
			t.Errorf("the 404 page of %s tells about the dataset: %q", p, body)
		}
	}
	for _, p := range []string{"/", "/datasets", "/datasets?q=piscines", "/organizations/metropole"} {
		s.open(t, ctx, p)
		if n := eval[int](t, ctx, `document.querySelectorAll('a[href^="/datasets/`+id+`"]').length`); n != 0 {
			t.Errorf("%s links to the restricted dataset %d times", p, n)
		}
	}
	s.open(t, ctx, "/datasets?q=piscines")
	if ids := resultIDs(t, ctx); slices.Contains(ids, id) {
		t.Errorf("search piscines logged out finds %v", ids)
	}

	agent := s.tab(t)
	s.login(t, agent, "sophie.lefebvre", s.password(t, "sophie.lefebvre"))
	if code := s.open(t, agent, "/datasets/"+id); code != 404 {
		t.Errorf("an agent of another organization gets %d for the restricted dataset, want 404", code)
	}

	partner := s.tab(t)
	s.login(t, partner, "partenaire.sport", s.password(t, "partenaire.sport"))
	s.open(t, partner, "/datasets?q=piscines")
	if ids := resultIDs(t, partner); !slices.Contains(ids, id) {
		t.Errorf("the allowed partner does not find %s: %v", id, ids)
	}
	badge := `section[aria-labelledby="resultats"] .fr-card:has(a[href="/datasets/` + id + `"]) .socle-access`
	if got := text(t, partner, badge); got != "Restreint" {
		t.Errorf("the card's access badge says %q, want Restreint", got)
	}
	if code := s.open(t, partner, "/datasets/"+id); code != 200 {
		t.Errorf("the allowed partner gets %d for the dataset page", code)
	}
	if got := text(t, partner, "main .socle-access"); got != "Restreint" {
		t.Errorf("the dataset page's access badge says %q, want Restreint", got)
	}
}

// page is a page type, at a representative address; shot names its
// screenshot ("" for none).
type page struct{ name, path, shot string }

// pageTypes are the page types of the public portal, with a
// representative state; map pages wait for their data. The quality tab is
// there when a demo dataset declares a Table Schema.
func (s *suite) pageTypes() []page {
	pages := []page{
		{"home", "/", "home"},
		{"search with a facet", "/datasets?q=donnees&theme=ENVI", ""},
		{"dataset information", "/datasets/arbres-remarquables", ""},
		{"table", "/datasets/arbres-remarquables/table?f.nom_commun=chene&sort=-circonference", ""},
		{"map", "/datasets/arbres-remarquables/map", ""},
		{"chart", "/datasets/points-apport-dechets/chart?x=commune&agg=sum&y=capacite", ""},
		{"API", "/datasets/arbres-remarquables/api", ""},
		{"downloads", "/datasets/arbres-remarquables/downloads", ""},
	}
	for _, d := range s.terr.Datasets {
		if d.Schema != nil || d.Dataset.Meta.TableSchemaJSON != "" {
			pages = append(pages, page{"quality", "/datasets/" + d.Dataset.ID + "/quality", ""})
			break
		}
	}
	return append(pages,
		page{"organizations", "/organizations", ""},
		page{"an organization", "/organizations/metropole", ""},
		page{"licences", "/licences", ""},
		page{"404", "/datasets/nothing-here", ""},
		page{"login", "/login", ""})
}

// publicPages loads every public page type as a first visit (the cache
// disabled), reads its weight from the Performance API, then checks it
// (checkPage). The weights go to the SOCLE_PAGE_WEIGHTS file when write.
func (s *suite) publicPages(t *testing.T, write bool) {
	ctx := s.tab(t)
	if _, err := chromedp.Call(ctx, network.SetCacheDisabled, network.SetCacheDisabledParams{CacheDisabled: true}); err != nil {
		t.Fatalf("disable the cache: %v", err)
	}
	var ws []pageWeight
	pages := s.pageTypes()
	if !slices.ContainsFunc(pages, func(p page) bool { return p.name == "quality" }) {
		t.Log("no demo dataset declares a Table Schema: no quality tab to check")
	}
	for _, p := range pages {
		t.Run(p.name, func(t *testing.T) {
			s.open(t, ctx, p.path)
			if strings.HasSuffix(p.path, "/map") {
				waitMap(t, ctx)
			}
			w := measure(t, ctx, p.name)
			t.Logf("weight: HTML %s (%s decoded), %d requests, %s in all (%s decoded), largest %s", kb(w.HTML), kb(w.HTMLRaw), w.Requests+1, kb(w.Total), kb(w.TotalRaw), w.Largest)
			if w.HTML == 0 || w.Requests == 0 {
				t.Errorf("no weight measured: %+v", w)
			}
			ws = append(ws, w)
			s.checkPage(t, ctx, p.path)
			if p.shot != "" {
				s.screenshot(t, ctx, p.shot, "")
			}
		})
	}
	if f := os.Getenv("SOCLE_PAGE_WEIGHTS"); f != "" && write {
		if err := os.WriteFile(repoPath(f), []byte(weightsMarkdown(ws)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// tileURL is a tile of unreachableTiles.
var tileURL = regexp.MustCompile(`^http://127\.0\.0\.1:9/\d+/\d+/\d+\.png$`)

// loginLogout: a wrong password shows a French error and no session; the
// right one reaches the back-office; logging out makes the visitor
// anonymous again.
func (s *suite) loginLogout(t *testing.T) {
	ctx := s.tab(t)
	const login = "claire.martin"
	if code := s.login(t, ctx, login, "pas-le-bon-mot-de-passe"); code != 401 {
		t.Errorf("a wrong password answers %d, want 401", code)
	}
	if u := location(t, ctx); u.Path != "/login" {
		t.Errorf("after a wrong password the page is %s, want /login", u)
	}
	if got := text(t, ctx, `main .fr-alert--error[role="alert"]`); got != "Identifiant ou mot de passe incorrect." {
		t.Errorf("wrong password: error %q", got)
	}
	if got := attrs(t, ctx, "#login-login", "value"); !slices.Equal(got, []string{login}) {
		t.Errorf("the login field keeps %q, want %q", got, login)
	}
	s.screenshot(t, ctx, "login", "")

	if code := s.login(t, ctx, login, s.password(t, login)); code != 200 {
		t.Errorf("the right password leads to a %d page", code)
	}
	if u := location(t, ctx); u.Path != "/admin" {
		t.Errorf("after logging in the page is %s, want /admin", u)
	}
	if h := text(t, ctx, "main h1"); h != "Espace de gestion" {
		t.Errorf("back-office heading %q", h)
	}
	logout := `header form[action="/logout"] button[type="submit"]`
	if got := text(t, ctx, logout); got != "Se déconnecter ("+login+")" {
		t.Errorf("the header's logout button says %q", got)
	}

	clickLink(t, ctx, logout)
	if u := location(t, ctx); u.Path != "/" || u.Query().Get("ok") != "logout" {
		t.Errorf("after logout the page is %s, want /?ok=logout", u)
	}
	if got := text(t, ctx, `main .fr-alert--success`); got != "Vous êtes déconnecté." {
		t.Errorf("logout message %q", got)
	}
	if n := eval[int](t, ctx, `document.querySelectorAll('header form[action="/logout"]').length`); n != 0 {
		t.Error("the header still offers to log out")
	}
	if got := attrs(t, ctx, `header .fr-header__tools-links a[href="/login"]`, "href"); len(got) != 1 {
		t.Error("the header does not offer to log in")
	}
	s.open(t, ctx, "/admin")
	if u := location(t, ctx); u.Path != "/login" || u.Query().Get("next") != "/admin" {
		t.Errorf("/admin after logout shows %s, want the login page", u)
	}
}

// benches is the CSV the upload scenario publishes: French decimals and
// a position column, as agents' spreadsheets have them.
const benches = "nom;quartier;places;longueur;installe_le;geo_point_2d\n" +
	"Banc du Mail;Centre;4;1,8;2024-03-15;47.4712, -0.5521\n" +
	"Banc des Tilleuls;Doutre;3;1,5;2023-11-02;47.4751, -0.5602\n" +
	"Banc de la Levée;Saint-Serge;6;2,4;2025-06-30;47.4803, -0.5455\n" +
	"Banc du Lavoir;Doutre;2;1,2;2022-04-12;47.4769, -0.5633\n" +
	"Banc de l'École;Monplaisir;5;2,0;2024-09-01;47.4905, -0.5388\n"

// upload goes from the back-office home to the preview of path, as
// dataset id, and returns the preview's URL.
func (s *suite) upload(t *testing.T, ctx context.Context, id, path string) string {
	t.Helper()
	s.open(t, ctx, "/admin")
	clickLink(t, ctx, `main a[href="/admin/datasets/new"]`)
	do(t, ctx, "fill the upload form",
		chromedp.SendKeys(chromedp.ID("upload-dataset"), id),
		chromedp.SetUploadFiles(chromedp.ID("upload-file"), []string{path}))
	if code := clickLink(t, ctx, `main form[action="/admin/datasets/new"] button[type="submit"]`); code != 200 {
		t.Fatalf("the upload answers %d: %s", code, text(t, ctx, "main"))
	}
	u := location(t, ctx)
	if !strings.HasPrefix(u.Path, "/admin/uploads/") {
		t.Fatalf("after the upload the page is %s: %s", u, text(t, ctx, "main"))
	}
	return u.Path
}

// uploadPublish: a producer uploads a CSV, renames a field's label on the
// preview, publishes; an anonymous visitor then sees the dataset and
// downloads the same data.
func (s *suite) uploadPublish(t *testing.T) {
	const id, label = "bancs-publics", "Nombre de places assises"
	path := filepath.Join(t.TempDir(), "Bancs publics.csv")
	if err := os.WriteFile(path, []byte(benches), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx := s.tab(t)
	s.login(t, ctx, "julien.moreau", s.password(t, "julien.moreau"))
	s.upload(t, ctx, id, path)
	if got := texts(t, ctx, "main form table:first-of-type tbody code"); !slices.Equal(got, []string{"nom", "quartier", "places", "longueur", "installe_le", "geo_point_2d"}) {
		t.Errorf("preview fields %q", got)
	}
	types := eval[map[string]string](t, ctx, `Object.fromEntries([...document.querySelectorAll('main select[id^="type-"]')].map(s => [s.id.slice(5), s.value]))`)
	want := map[string]string{"nom": "text", "quartier": "text", "places": "int", "longueur": "double", "installe_le": "date", "geo_point_2d": "geo_point_2d"}
	for k, v := range want {
		if types[k] != v {
			t.Errorf("preview: field %s inferred as %q, want %q", k, types[k], v)
		}
	}
	if n := eval[int](t, ctx, `document.querySelectorAll('main .fr-table--sm tbody tr').length`); n != 5 {
		t.Errorf("the preview shows %d sample rows, want 5", n)
	}
	do(t, ctx, "relabel a field", chromedp.SetValue(chromedp.ID("label-places"), label))
	do(t, ctx, "title the dataset", chromedp.SetValue(chromedp.ID("meta-title"), "Bancs publics"))
	if got := eval[string](t, ctx, `document.querySelector('input[name="access"]:checked').value`); got != "public" {
		t.Errorf("the default access is %q, want public", got)
	}
	clickLink(t, ctx, `main form[action$="/publish"] button[type="submit"]`)
	if u := location(t, ctx); u.Path != "/admin/datasets/"+id || u.Query().Get("ok") != "published" {
		t.Fatalf("after publishing the page is %s: %s", u, text(t, ctx, "main"))
	}
	if got := text(t, ctx, "main .fr-alert--success"); got != "Le jeu de données est publié." {
		t.Errorf("publication message %q", got)
	}

	anon := s.tab(t)
	if code := s.open(t, anon, "/datasets/"+id); code != 200 {
		t.Fatalf("the public gets %d for the published dataset", code)
	}
	if h := text(t, anon, "main h1"); h != "Bancs publics" {
		t.Errorf("public page heading %q", h)
	}
	fields := eval[[][]string](t, anon, `[...document.querySelectorAll('main table tbody tr')].map(tr => [...tr.cells].slice(0, 2).map(td => td.textContent.trim()))`)
	if !slices.ContainsFunc(fields, func(f []string) bool { return slices.Equal(f, []string{label, "places"}) }) {
		t.Errorf("the public field list %q lacks %q for places", fields, label)
	}
	s.open(t, anon, "/")
	if ids := eval[[]string](t, anon, `[...document.querySelectorAll('a[href="/datasets/`+id+`"]')].map(a => a.href)`); len(ids) == 0 {
		t.Error("the home page does not list the new dataset")
	}
	s.open(t, anon, "/datasets/"+id+"/downloads")
	f, err := os.Open(download(t, anon, `a[href^="/datasets/`+id+`/export/csv"]`))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.Comma = ';'
	got, err := r.ReadAll()
	if err != nil {
		t.Fatalf("the public CSV does not parse: %v", err)
	}
	sr := csv.NewReader(strings.NewReader(benches))
	sr.Comma = ';'
	src, err := sr.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(got) > 0 && len(got[0]) > 0 {
		got[0][0] = strings.TrimPrefix(got[0][0], "\ufeff")
	}
	if len(got) != len(src) {
		t.Fatalf("the public CSV has %d lines, the upload %d:\n%q", len(got), len(src), got)
	}
	for i := range src {
		if !sameCells(got[i], src[i]) {
			t.Errorf("line %d: downloaded %q, uploaded %q", i, got[i], src[i])
		}
	}
}

// sameCells compares a downloaded CSV line with an uploaded one: the same
// text, or the same numbers (a decimal comma or point; a "lat, lon" pair
// written with or without its space).
func sameCells(got, want []string) bool {
	if len(got) != len(want) {
		return false
	}
	for i := range want {
		if got[i] != want[i] && !sameNumbers(got[i], want[i]) {
			return false
		}
	}
	return true
}

func sameNumbers(got, want string) bool {
	g, w := []string{got}, []string{strings.Replace(want, ",", ".", 1)}
	if strings.Contains(want, ", ") {
		g, w = strings.Split(got, ","), strings.Split(want, ",")
	}
	if len(g) != len(w) {
		return false
	}
	for i := range w {
		a, err1 := strconv.ParseFloat(strings.TrimSpace(g[i]), 64)
		b, err2 := strconv.ParseFloat(strings.TrimSpace(w[i]), 64)
		if err1 != nil || err2 != nil || a != b {
			return false
		}
	}
	return true
}

// adminPages checks (checkPage), logged in as a steward, the back-office
// home, the upload form, an upload's preview, a
// dataset's management page, the API keys page and the agreements' pages.
func (s *suite) adminPages(t *testing.T) {
	ctx := s.tab(t)
	s.login(t, ctx, "claire.martin", s.password(t, "claire.martin"))
	pages := []struct{ path, shot string }{{"/admin", "admin"}, {"/admin/datasets/new", ""}, {"/admin/datasets/arbres-remarquables", ""}, {"/admin/keys", ""},
		{"/admin/accords", ""}, {"/admin/accords/nouveau", ""}, {"/admin/accords/observatoire-sport-2025", ""}, {"/admin/accords/observatoire-sport-2025/journal", ""},
		{"/hyperviseur", "hyperviseur"}, {"/hyperviseur/devices/" + s.terr.Anomalies().Leak + "?window=day", ""}}
	for _, p := range pages {
		s.open(t, ctx, p.path)
		if p.path == "/hyperviseur" {
			if state, n := waitMap(t, ctx); state != "loaded" || n == 0 {
				t.Errorf("the hyperviseur map: state %q with %d features", state, n)
			}
		}
		s.checkPage(t, ctx, p.path)
		if p.shot != "" {
			s.screenshot(t, ctx, p.shot, "")
		}
	}
	path := filepath.Join(t.TempDir(), "bancs.csv")
	if err := os.WriteFile(path, []byte(benches), 0o644); err != nil {
		t.Fatal(err)
	}
	preview := s.upload(t, ctx, "bancs-apercu", path)
	s.checkPage(t, ctx, preview)
	s.screenshot(t, ctx, "upload-preview", "")
}

// hyperviseur: an agent of the collectivity opens the control room; the
// map draws every device of the demo, the leak alert is in the panel,
// open; acknowledging it comes back with a flash and its badge changed.
func (s *suite) hyperviseur(t *testing.T) {
	ctx := s.tab(t)
	const agent = "sophie.lefebvre"
	s.login(t, ctx, agent, s.password(t, agent))
	if code := s.open(t, ctx, "/hyperviseur"); code != 200 {
		t.Fatalf("GET /hyperviseur as an agent: %d", code)
	}
	want := len(s.terr.Devices()) + len(s.terr.SquareDevices()) // the fleet and the square's DTPR devices
	if state, n := waitMap(t, ctx); state != "loaded" || n < 300 || n != want {
		t.Errorf("the hyperviseur map: state %q with %d features, want loaded with the %d devices", state, n, want)
	}
	leak := s.terr.Anomalies().Leak
	row := `main table.socle-hv-alerts tr:has(a[href="/hyperviseur/devices/` + leak + `"])`
	if got := text(t, ctx, row+" .socle-hv-status"); got != "Ouverte" {
		t.Fatalf("the leak alert's badge says %q, want Ouverte", got)
	}
	if code := follow(t, ctx, "acknowledge the leak alert", chromedp.Click(chromedp.CSS(row+` form[action$="/ack"] button`))); code != 200 {
		t.Fatalf("acknowledging: status %d", code)
	}
	if got := text(t, ctx, "main .fr-alert--success"); got != "L'alerte est prise en compte." {
		t.Errorf("after acknowledging, the flash says %q", got)
	}
	if got := text(t, ctx, row+" .socle-hv-status"); got != "Prise en compte" {
		t.Errorf("after acknowledging, the leak alert's badge says %q, want Prise en compte", got)
	}
	if n := eval[int](t, ctx, `document.querySelectorAll('`+row+` form[action$="/ack"]').length`); n != 0 {
		t.Errorf("the acknowledged alert still offers %d acknowledge forms", n)
	}
}
