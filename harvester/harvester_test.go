package harvester

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/socle/socle/internal/catalog"
	"github.com/socle/socle/internal/harvest"
)

// serve answers each path with a fixed body and content type.
func serve(t *testing.T, pages map[string][2]string) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, ok := pages[r.URL.RequestURI()]
		if !ok {
			http.NotFound(w, r)
			return
		}
		if p[1] != "" {
			w.Header().Set("Content-Type", p[1])
		}
		w.Write([]byte(p[0]))
	}))
	t.Cleanup(srv.Close)
	return srv
}

func list(t *testing.T, l harvest.Lister) ([]harvest.RemoteDataset, error) {
	t.Helper()
	var out []harvest.RemoteDataset
	err := l.List(context.Background(), func(d harvest.RemoteDataset) error { out = append(out, d); return nil })
	return out, err
}

func newLister(t *testing.T, kind harvest.Kind, u string, lim Limits) harvest.Lister {
	t.Helper()
	l, err := New(&harvest.Source{Kind: kind, URL: u}, &Client{Limits: lim})
	if err != nil {
		t.Fatal(err)
	}
	return l
}

var testLimits = Limits{Request: 2 * time.Second, Download: 2 * time.Second, MaxPage: 1 << 16, MaxFile: 1 << 10, MaxPages: 5}

const page1 = `<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:dcat="http://www.w3.org/ns/dcat#"
  xmlns:dct="http://purl.org/dc/terms/" xmlns:hydra="http://www.w3.org/ns/hydra/core#">
  <dcat:Dataset rdf:about="https://ex.fr/datasets/arbres#dataset">
    <dct:identifier>arbres-42</dct:identifier>
    <dct:title xml:lang="en">Trees</dct:title><dct:title xml:lang="fr">Arbres</dct:title>
    <dct:language rdf:resource="http://publications.europa.eu/resource/authority/language/FRA"/>
    <dcat:theme rdf:resource="http://publications.europa.eu/resource/authority/data-theme/ENVI"/>
    <dcat:theme>Nature</dcat:theme>
    <dct:modified rdf:datatype="http://www.w3.org/2001/XMLSchema#date">2024-02-01</dct:modified>
    <dcat:landingPage rdf:resource="https://ex.fr/datasets/arbres"/>
    <dcat:distribution><dcat:Distribution>
      <dcat:downloadURL rdf:resource="https://ex.fr/arbres.json"/><dcat:mediaType>application/json</dcat:mediaType>
    </dcat:Distribution></dcat:distribution>
    <dcat:distribution><dcat:Distribution>
      <dcat:accessURL rdf:resource="https://ex.fr/arbres.csv"/>
      <dct:license rdf:resource="https://opendatacommons.org/licenses/odbl/1-0/"/>
    </dcat:Distribution></dcat:distribution>
  </dcat:Dataset>
  <hydra:PagedCollection rdf:about="/catalog.rdf"><hydra:nextPage>/page2</hydra:nextPage></hydra:PagedCollection>
</rdf:RDF>`

const page2 = `{"@context": {"dcat": "http://www.w3.org/ns/dcat#", "dct": "http://purl.org/dc/terms/"},
  "@graph": [{"@id": "https://ex.fr/datasets/bancs", "@type": "dcat:Dataset", "dct:title": "Bancs"}]}`

// TestDCATPagesAndMapping follows a legacy hydra:nextPage (relative) from
// an RDF/XML page to a JSON-LD page served without a content type.
func TestDCATPagesAndMapping(t *testing.T) {
	srv := serve(t, map[string][2]string{"/catalog.rdf": {page1, "application/rdf+xml"}, "/page2": {page2, ""}})
	ds, err := list(t, newLister(t, harvest.KindDCAT, srv.URL+"/catalog.rdf", testLimits))
	if err != nil {
		t.Fatal(err)
	}
	if len(ds) != 2 {
		t.Fatalf("%d datasets", len(ds))
	}
	a, b := ds[0], ds[1]
	if a.RemoteID != "arbres-42" || a.Slug != "arbres" || a.Meta.Title != "Arbres" || a.Meta.Language != "fr" ||
		a.Meta.License != "ODbL-1.0" || !a.Modified.Equal(time.Date(2024, 2, 1, 0, 0, 0, 0, time.UTC)) ||
		len(a.Meta.Themes) != 1 || a.Meta.Themes[0] != "ENVI" || len(a.Meta.Keywords) != 1 || a.Meta.Keywords[0] != "Nature" {
		t.Errorf("first dataset %+v", a)
	}
	if a.Data == nil || a.Data.URL != "https://ex.fr/arbres.csv" || a.Data.Format != "csv" {
		t.Errorf("distribution %+v (CSV preferred over JSON)", a.Data)
	}
	if b.RemoteID != "https://ex.fr/datasets/bancs" || b.Slug != "bancs" || b.Data != nil {
		t.Errorf("second dataset %+v", b)
	}
}

func TestListingsThatNeverEnd(t *testing.T) {
	loop := strings.Replace(page1, "/page2", "/catalog.rdf", 1)
	ttl := func(next string) string {
		return "<" + next + "x> a <http://www.w3.org/ns/dcat#Dataset> .\n<p> <http://www.w3.org/ns/hydra/core#next> <" + next + "> ."
	}
	pages := map[string][2]string{"/loop.rdf": {loop, "application/rdf+xml"}, "/catalog.rdf": {loop, "application/rdf+xml"}}
	for i := range 10 {
		pages["/p"+string(rune('0'+i))] = [2]string{ttl("/p" + string(rune('0'+i+1))), "text/turtle"}
	}
	pages["/bad.ttl"] = [2]string{"<a> <b> .", "text/turtle"}
	srv := serve(t, pages)
	for _, tc := range []struct{ name, url, want string }{
		{"a page linking back to itself", "/loop.rdf", "the remote pages forever"},
		{"more pages than the cap", "/p0", "more than 5 pages"},
		{"invalid RDF", "/bad.ttl", "invalid RDF at " + srv.URL + "/bad.ttl: turtle: line 1"},
		{"a missing catalog", "/nothing.ttl", "HTTP status 404"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := list(t, newLister(t, harvest.KindDCAT, srv.URL+tc.url, testLimits))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v, want %q", err, tc.want)
			}
		})
	}
}

func TestLimits(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/slow/api/explore/v2.1/catalog/datasets":
			time.Sleep(300 * time.Millisecond)
		case "/big/api/explore/v2.1/catalog/datasets":
			w.Write([]byte(strings.Repeat(" ", 1<<17)))
		case "/file":
			w.Write([]byte(strings.Repeat("a;b\n", 1000)))
		case "/ckan/api/3/action/package_search":
			w.Write([]byte(`{"success": false, "error": {"__type": "Authorization Error", "message": "Access denied"}}`))
		}
	}))
	defer srv.Close()
	lim := testLimits
	lim.Request = 100 * time.Millisecond
	for _, tc := range []struct {
		kind      harvest.Kind
		url, want string
	}{
		{harvest.KindODS, "/slow", "no complete answer within 100ms"},
		{harvest.KindODS, "/big", "response larger than 65536 bytes"},
		{harvest.KindCKAN, "/ckan", "Authorization Error Access denied"},
	} {
		_, err := list(t, newLister(t, tc.kind, srv.URL+tc.url, lim))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %v, want %q", tc.url, err, tc.want)
		}
	}
	dir := t.TempDir()
	_, err := newLister(t, harvest.KindDCAT, srv.URL, lim).Fetch(context.Background(),
		harvest.RemoteDataset{Data: &harvest.Data{URL: srv.URL + "/file", Format: "csv"}}, dir)
	if err == nil || !strings.Contains(err.Error(), "file larger than 1024 bytes") {
		t.Errorf("oversized file: %v", err)
	}
	if left, _ := os.ReadDir(dir); len(left) != 0 {
		t.Errorf("a refused download left %d files", len(left))
	}
	if _, err := New(&harvest.Source{Kind: "wfs", URL: srv.URL}, nil); err == nil {
		t.Error("an unknown protocol was accepted")
	}
}

// TestCKANDatastore reads a DataStore resource: types from its fields,
// geo_point_2d objects as "lat,lon", _id dropped, keys in order.
func TestCKANDatastore(t *testing.T) {
	srv := serve(t, map[string][2]string{
		"/api/3/action/package_search?q=%2A%3A%2A&rows=100&sort=metadata_created+asc%2C+name+asc&start=0": {`{"success": true, "result": {"count": 1, "results": [
			{"id": "p1", "name": "bornes", "title": "Bornes", "license_id": "odc-odbl", "metadata_modified": "2024-03-01T10:00:00.123456",
			 "groups": [{"name": "tran"}, {"name": "divers"}], "tags": [{"name": "recharge"}],
			 "resources": [{"id": "r-csv", "url": "https://x/b.csv", "format": "CSV"}, {"id": "r1", "datastore_active": true}]}]}}`, ""},
		"/api/3/action/datastore_search?limit=5000&offset=0&resource_id=r1&sort=_id+asc": {`{"success": true, "result": {"total": 2,
			"fields": [{"id": "_id", "type": "int"}, {"id": "nom", "type": "text", "info": {"label": "Nom"}}, {"id": "puissance", "type": "numeric"},
			  {"id": "geo", "type": "json"}, {"id": "mise_en_service", "type": "timestamp"}],
			"records": [{"_id": 1, "nom": "A", "puissance": 22, "geo": {"lon": 4.85, "lat": 45.76}, "mise_en_service": "2024-01-01T08:00:00"},
			            {"_id": 2, "nom": "B", "puissance": 7.4, "geo": null, "mise_en_service": null}]}}`, ""},
	})
	l := newLister(t, harvest.KindCKAN, srv.URL, testLimits)
	ds, err := list(t, l)
	if err != nil || len(ds) != 1 {
		t.Fatalf("%v %v", ds, err)
	}
	d := ds[0]
	if d.RemoteID != "p1" || d.Slug != "bornes" || d.Meta.License != "ODbL-1.0" || len(d.Meta.Themes) != 1 || d.Meta.Themes[0] != "TRAN" ||
		d.Data == nil || d.Data.Datastore != "r1" || d.Modified.IsZero() {
		t.Fatalf("package %+v %+v", d, d.Data)
	}
	dl, err := l.Fetch(context.Background(), d, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	body, _ := os.ReadFile(dl.Path)
	want := `{"nom":"A","puissance":22,"geo":"45.76,4.85","mise_en_service":"2024-01-01T08:00:00"}` + "\n" +
		`{"nom":"B","puissance":7.4,"geo":null,"mise_en_service":null}` + "\n"
	if string(body) != want {
		t.Errorf("file\n%s\nwant\n%s", body, want)
	}
	types := map[string]catalog.FieldType{}
	for _, f := range dl.Fields {
		types[f.Name] = f.Type
	}
	if types["nom"] != catalog.TypeText || types["puissance"] != catalog.TypeDouble || types["geo"] != catalog.TypeGeoPoint ||
		types["mise_en_service"] != catalog.TypeDateTime || len(dl.Fields) != 4 || dl.Fields[0].Label != "Nom" || len(dl.SHA256) != 64 {
		t.Errorf("fields %+v", dl.Fields)
	}
}

// TestODSMapping reads an Opendatasoft catalog page as real portals write
// it: theme labels, licence names, field types.
func TestODSMapping(t *testing.T) {
	srv := serve(t, map[string][2]string{"/api/explore/v2.1/catalog/datasets/arbres-alignement/exports/jsonl": {
		`{"hauteur": 12.5, "geo_point_2d": {"lon": 4.85, "lat": 45.76}, "photo": null}` + "\n" + `{"geo_point_2d": null, "hauteur": 3}` + "\n", ""},
		"/api/explore/v2.1/catalog/datasets?limit=100&offset=0&order_by=dataset_id": {`{"total_count": 1, "results": [
		{"dataset_id": "arbres-alignement", "dataset_uid": "da_xyz", "has_records": true,
		 "metas": {"default": {"title": "Arbres", "theme": ["Environnement", "ENVI"], "keyword": ["arbre"],
		   "license": "Open Database License (ODbL)", "modified": "2023-05-12T08:03:00+02:00", "territory": ["Lyon"]}},
		 "fields": [{"name": "geo_point_2d", "label": "Position", "type": "geo_point_2d"}, {"name": "photo", "type": "file"},
		   {"name": "hauteur", "label": "Hauteur", "type": "double", "description": "en mètres"}]}]}`, "application/json"}})
	ds, err := list(t, newLister(t, harvest.KindODS, srv.URL+"/", testLimits))
	if err != nil || len(ds) != 1 {
		t.Fatalf("%v %v", ds, err)
	}
	d := ds[0]
	if d.RemoteID != "da_xyz" || d.Slug != "arbres-alignement" || d.Meta.License != "ODbL-1.0" || d.Meta.Spatial != "Lyon" ||
		len(d.Meta.Themes) != 1 || d.Meta.Themes[0] != "ENVI" || len(d.Meta.Keywords) != 2 || d.Meta.Keywords[1] != "Environnement" ||
		!d.Modified.Equal(time.Date(2023, 5, 12, 6, 3, 0, 0, time.UTC)) {
		t.Errorf("dataset %+v", d)
	}
	if len(d.Fields) != 3 || d.Fields[0].Type != catalog.TypeGeoPoint || d.Fields[1].Type != catalog.TypeText || d.Fields[2].Description != "en mètres" {
		t.Errorf("fields %+v", d.Fields)
	}
	if d.Data == nil || d.Data.URL != srv.URL+"/api/explore/v2.1/catalog/datasets/arbres-alignement/exports/jsonl" {
		t.Fatalf("data %+v", d.Data)
	}
	dl, err := newLister(t, harvest.KindODS, srv.URL, testLimits).Fetch(context.Background(), d, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	body, _ := os.ReadFile(dl.Path)
	if want := `{"hauteur":12.5,"geo_point_2d":"45.76,4.85","photo":null}` + "\n" + `{"geo_point_2d":null,"hauteur":3}` + "\n"; string(body) != want {
		t.Errorf("export rewritten as\n%s\nwant\n%s", body, want)
	}
}

// TestShortPages: a portal that answers fewer datasets than asked per
// page is still listed whole.
func TestShortPages(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		off := r.URL.Query().Get("offset")
		var results []string
		for i := 0; i < 2; i++ {
			n := int(off[0]-'0') + i
			if len(off) == 1 && n < 5 {
				results = append(results, `{"dataset_id": "d`+string(rune('0'+n))+`", "dataset_uid": "u`+string(rune('0'+n))+`"}`)
			}
		}
		w.Write([]byte(`{"total_count": 5, "results": [` + strings.Join(results, ",") + `]}`))
	}))
	defer srv.Close()
	ds, err := list(t, newLister(t, harvest.KindODS, srv.URL, testLimits))
	if err != nil || len(ds) != 5 || ds[4].RemoteID != "u4" {
		t.Errorf("%d datasets, %v", len(ds), err)
	}
}
