package web

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/socle/socle/httpapi"
	"github.com/socle/socle/internal/app"
	"github.com/socle/socle/internal/catalog"
	"github.com/socle/socle/internal/importer"
	"github.com/socle/socle/sqlite"
)

// portalSite is a portal over a real SQLite store with three datasets: a
// public one with an accented title, a public geo one, a restricted one.
type portalSite struct {
	app *app.App
	srv *httptest.Server
}

func newPortalSite(t *testing.T) *portalSite {
	t.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "socle.db"))
	if err != nil {
		t.Fatal(err)
	}
	a := app.New(db, nil)
	t.Cleanup(func() { a.Close() })
	must(t, a.Store.PutOrganization(ctx, &catalog.Organization{ID: "metro", Name: "Métropole test", Kind: catalog.OrgMetropolis}))
	load(t, a, catalog.Dataset{ID: "eclairage", Meta: catalog.Metadata{Title: "Éclairage public", Publisher: "metro", Themes: []string{"ENER"}}},
		"commune;puissance;allume;pose\nTours;150;oui;2021-03-04\nAmboise;70;non;2022-05-06\nTours;250,5;oui;2023-01-02\n")
	load(t, a, catalog.Dataset{ID: "arbres", Meta: catalog.Metadata{Title: "Arbres", Publisher: "metro", Themes: []string{"ENVI"}}},
		"espece;lat;lon\nChêne;47.39;0.68\nTilleul;47.40;0.69\n")
	load(t, a, catalog.Dataset{ID: "secret", Access: catalog.AccessRestricted, Meta: catalog.Metadata{Title: "Éclairage confidentiel", Publisher: "metro"}},
		"x\n1\n")
	logger := a.Logger
	cfg := DefaultConfig()
	cfg.StagingDir = t.TempDir()
	site, err := New(a, httpapi.New(a, logger, httpapi.DefaultLimits), logger, cfg)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(site)
	t.Cleanup(srv.Close)
	return &portalSite{app: a, srv: srv}
}

func load(t *testing.T, a *app.App, d catalog.Dataset, csv string) {
	t.Helper()
	p := filepath.Join(t.TempDir(), d.ID+".csv")
	must(t, os.WriteFile(p, []byte(csv), 0o600))
	if _, err := importer.Import(context.Background(), a, app.System, importer.Request{Path: p, Dataset: d}); err != nil {
		t.Fatal(err)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// get returns the status and body of path.
func (s *portalSite) get(t *testing.T, path string) (int, string) {
	t.Helper()
	res, err := http.Get(s.srv.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

func TestPortalPages(t *testing.T) {
	s := newPortalSite(t)
	for _, tc := range []struct {
		name, path string
		status     int
		want       []string
		not        []string
	}{
		{"home shows figures and the public datasets only", "/", 200, []string{"Éclairage public", "Arbres", "Énergie (1)"}, []string{"confidentiel"}},
		{"search folds accents", "/datasets?q=eclairage", 200, []string{"1 jeu de données", "Éclairage public"}, []string{"confidentiel"}},
		{"search with a theme facet", "/datasets?theme=ENVI", 200, []string{"1 jeu de données", "/datasets/arbres"}, []string{"/datasets/eclairage\""}},
		{"a restricted dataset does not exist for anonymous visitors", "/datasets/secret", 404, []string{"n&#39;existe pas"}, []string{"confidentiel"}},
		{"dataset info lists the fields", "/datasets/eclairage", 200, []string{"puissance", "Nombre décimal", "Licence Ouverte"}, nil},
		{"table filter builds the where and keeps matching rows", "/datasets/eclairage/table?f.commune=tours", 200,
			[]string{"`commune` like &#34;tours&#34;", "Enregistrements 1 à 2 sur 2", "250,5"}, []string{"Amboise"}},
		{"table sorts descending", "/datasets/eclairage/table?sort=-puissance", 200, []string{"aria-sort=\"descending\""}, nil},
		{"a bad number filter is a clear error", "/datasets/eclairage/table?f.puissance=abc", 400, []string{"n&#39;est pas un nombre"}, nil},
		{"a bad where is a clear error", "/datasets/eclairage/table?where=" + url.QueryEscape("commune = "), 400, []string{"ODSQL", "Erreur 400"}, nil},
		{"map tab only for geo datasets", "/datasets/eclairage/map", 404, nil, nil},
		{"map tab points to the GeoJSON export", "/datasets/arbres/map", 200, []string{"data-geojson-url=\"/datasets/arbres/export/geojson?limit=5000\""}, nil},
		{"chart groups by the chosen field", "/datasets/eclairage/chart?x=commune&agg=sum&y=puissance", 200, []string{"<td>Tours</td><td>400,5</td>", "<td>Amboise</td><td>70</td>"}, nil},
		{"API tab gives curl lines with the filter", "/datasets/eclairage/api?f.commune=tours", 200, []string{"--data-urlencode &#39;where=`commune` like &#34;tours&#34;&#39;"}, nil},
		{"downloads carry the filter", "/datasets/eclairage/downloads?f.commune=tours", 200, []string{"/datasets/eclairage/export/csv?where=", "2 enregistrements"}, nil},
		{"organization page lists its visible datasets", "/organizations/metro", 200, []string{"Éclairage public", "Arbres"}, []string{"confidentiel"}},
		{"licences page counts datasets", "/licences", 200, []string{"2 jeux de données sous cette licence"}, nil},
		{"unknown page is a 404 page", "/nope", 404, []string{"Erreur 404"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, body := s.get(t, tc.path)
			if status != tc.status {
				t.Fatalf("status %d, want %d\n%s", status, tc.status, body)
			}
			for _, w := range tc.want {
				if !strings.Contains(body, w) {
					t.Errorf("body lacks %q", w)
				}
			}
			for _, n := range tc.not {
				if strings.Contains(body, n) {
					t.Errorf("body has %q", n)
				}
			}
		})
	}
}

func TestDownloadCountsAndNotesSize(t *testing.T) {
	s := newPortalSite(t)
	status, body := s.get(t, "/datasets/eclairage/export/csv")
	if status != 200 || strings.Count(body, "\n") != 4 {
		t.Fatalf("status %d body %q", status, body)
	}
	if n, ok := s.app.ExportSize("eclairage", 1, "csv"); !ok || n != int64(len(body)) {
		t.Errorf("noted size %d %v, want %d", n, ok, len(body))
	}
	s.get(t, "/datasets/eclairage/export/csv?where="+url.QueryEscape(`commune = "Tours"`))
	s.get(t, "/datasets/eclairage")
	must(t, s.app.FlushUsage(context.Background()))
	u, err := s.app.UsageTotals(context.Background())
	must(t, err)
	if got := u["eclairage"]; got.Downloads != 2 || got.Views != 1 {
		t.Errorf("usage %+v, want 2 downloads and 1 view", got)
	}
	if status, _ := s.get(t, "/datasets/secret/export/csv"); status != 404 {
		t.Errorf("restricted export status %d, want 404", status)
	}
	_, page := s.get(t, "/datasets/eclairage/downloads")
	if !strings.Contains(page, frBytes(int64(len(body)))) {
		t.Errorf("downloads page does not show the known size %s", frBytes(int64(len(body))))
	}
}

func TestStaticAssetsAreVersionedAndCompressed(t *testing.T) {
	s := newPortalSite(t)
	_, home := s.get(t, "/")
	i := strings.Index(home, "/static/")
	if i < 0 {
		t.Fatal("no static asset link on the home page")
	}
	link := home[i : i+strings.IndexByte(home[i:], '"')]
	req, _ := http.NewRequest("GET", s.srv.URL+link, nil)
	req.Header.Set("Accept-Encoding", "gzip")
	res, err := http.DefaultTransport.RoundTrip(req)
	must(t, err)
	res.Body.Close()
	if res.StatusCode != 200 || res.Header.Get("Content-Encoding") != "gzip" || !strings.Contains(res.Header.Get("Cache-Control"), "immutable") {
		t.Errorf("%s: status %d, encoding %q, cache %q", link, res.StatusCode, res.Header.Get("Content-Encoding"), res.Header.Get("Cache-Control"))
	}
	res2, err := http.Get(s.srv.URL + "/static/old/" + strings.SplitN(link, "/", 4)[3])
	must(t, err)
	res2.Body.Close()
	if res2.StatusCode != 200 || res2.Header.Get("Cache-Control") != "no-cache" {
		t.Errorf("stale version: status %d, cache %q", res2.StatusCode, res2.Header.Get("Cache-Control"))
	}
	if csp := res.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") {
		t.Errorf("CSP %q", csp)
	}
}

func TestCompressionOnlyWhereSafe(t *testing.T) {
	s := newPortalSite(t)
	get := func(path string) *http.Response {
		req, _ := http.NewRequest("GET", s.srv.URL+path, nil)
		req.Header.Set("Accept-Encoding", "gzip")
		res, err := http.DefaultTransport.RoundTrip(req) // no transparent decompression
		must(t, err)
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		return res
	}
	for path, want := range map[string]string{
		"/":                               "gzip", // anonymous page, no secret
		"/datasets/eclairage/export/csv":  "gzip",
		"/datasets/eclairage/export/xlsx": "", // compressed already
		"/login":                          "", // carries an anti-forgery token
	} {
		if got := get(path).Header.Get("Content-Encoding"); got != want {
			t.Errorf("%s: Content-Encoding %q, want %q", path, got, want)
		}
	}
	res, err := http.Get(s.srv.URL + "/datasets/eclairage/export/csv") // decompressed by the client
	must(t, err)
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if !strings.Contains(string(b), "Amboise") {
		t.Errorf("gzipped CSV reads back as %q", b)
	}
}

func TestNameAndLogoAreConfiguration(t *testing.T) {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "socle.db"))
	must(t, err)
	a := app.New(db, nil)
	t.Cleanup(func() { a.Close() })
	logo := filepath.Join(t.TempDir(), "logo.svg")
	must(t, os.WriteFile(logo, []byte(`<svg xmlns="http://www.w3.org/2000/svg"/>`), 0o600))
	cfg := DefaultConfig()
	cfg.SiteName, cfg.LogoFile = "Ville de Trifouilly", logo
	site, err := New(a, httpapi.New(a, a.Logger, httpapi.DefaultLimits), a.Logger, cfg)
	must(t, err)
	srv := httptest.NewServer(site)
	t.Cleanup(srv.Close)
	s := &portalSite{app: a, srv: srv}
	if _, home := s.get(t, "/"); !strings.Contains(home, "Ville de Trifouilly") || !strings.Contains(home, `src="/logo"`) {
		t.Error("the home page shows neither the configured name nor the logo")
	}
	if status, body := s.get(t, "/logo"); status != 200 || !strings.Contains(body, "<svg") {
		t.Errorf("/logo: %d %q", status, body)
	}
}
