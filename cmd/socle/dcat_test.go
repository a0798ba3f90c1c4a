package main

import (
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestDCATCatalogReadByRDFLib serves a small territory and reads its DCAT-AP
// output with rdflib (python3-rdflib), a third-party RDF library: every
// file parses; the DCAT-AP 3.0.1 SHACL shapes hold (minCount, maxCount,
// class, nodeKind, datatype, checked by a small rdflib checker since
// pySHACL is not packaged); SPARQL finds every mandatory property; what
// data.gouv.fr's harvester reads is there; a restricted dataset exists only
// for a caller who may see it; Hydra paging walks every page;
// modified_since filters.
func TestDCATCatalogReadByRDFLib(t *testing.T) {
	const py = "/usr/bin/python3"
	needTool(t, "python3-rdflib", "apt-get install python3-rdflib",
		exec.Command(py, "-c", "import rdflib").Run() == nil)
	shapes, err := filepath.Abs("../../testdata/dcat/dcat-ap-SHACL.ttl")
	if err != nil {
		t.Fatal(err)
	}
	csvPath := filepath.Join(t.TempDir(), "stations.csv")
	os.WriteFile(csvPath, []byte("nom;places;geo_point_2d\nGare;12;47.46, -0.55\nRalliement;8;47.47, -0.553\n"), 0o600)
	for _, e := range engines(t) {
		t.Run(e.name, func(t *testing.T) {
			e.t = t
			seedOrgs(t, e)
			e.mustRun("import", "--dataset", "velos", "--org", "metropole", csvPath)
			e.mustRun("import", "--dataset", "secret", "--access", "restricted", "--org", "metropole", csvPath)
			e.mustRun("import", "--dataset", "parcs", "--org", "partenaire", csvPath)
			e.mustRun("user", "add", "--login", "steward", "--role", "steward", "--org", "metropole")
			key := strings.TrimSpace(e.mustRun("apikey", "create", "--login", "steward"))
			e.start()
			meta := `{"meta":{"title":"Stations vélo","description":"Stations de vélos en libre-service.",
				"keywords":["vélo"],"themes":["TRAN","Mobilité"],"frequency":"DAILY","spatial":"Angers",
				"temporal_start":"2024-01-01T00:00:00Z","temporal_end":"2024-12-31T00:00:00Z",
				"contact_name":"Service mobilité","contact_email":"mobilite@example.fr"}}`
			if code, body := e.post("PUT", "/api/socle/v1/datasets/velos", key, []byte(meta)); code != 200 {
				t.Fatalf("metadata update: %d %s", code, body)
			}
			dir := t.TempDir()
			fetch := func(path, key, wantType string) string {
				t.Helper()
				code, body, h := e.get(path, key)
				if code != 200 {
					t.Fatalf("GET %s: %d %s", path, code, body)
				}
				if ct := h.Get("Content-Type"); !strings.HasPrefix(ct, wantType) {
					t.Errorf("GET %s: Content-Type %q, want %s", path, ct, wantType)
				}
				f := filepath.Join(dir, strings.NewReplacer("/", "_", "?", "_").Replace(path))
				os.WriteFile(f, body, 0o600)
				return f
			}
			files := []string{
				"turtle=" + fetch("/catalog.ttl", "", "text/turtle"),
				"json-ld=" + fetch("/catalog.jsonld", key, "application/ld+json"),
				"xml=" + fetch("/catalog.rdf", "", "application/rdf+xml"),
				"xml=" + fetch("/api/explore/v2.1/catalog/exports/dcat", "", "application/rdf+xml"),
				"xml=" + fetch("/datasets/velos.rdf", "", "application/rdf+xml"),
				"turtle=" + fetch("/datasets/secret.ttl", key, "text/turtle"),
				"json-ld=" + fetch("/datasets/parcs.jsonld", "", "application/ld+json"),
			}
			var reports []dcatReport
			rdflibJSON(t, py, append([]string{"-c", dcatChecker, "check", shapes}, files...), &reports)
			for i, r := range reports {
				if len(r.Violations)+len(r.Missing) > 0 {
					t.Errorf("%s: SHACL violations %q, mandatory properties missing %q", files[i], r.Violations, r.Missing)
				}
				if r.Datasets == 0 || r.Distributions == 0 || r.Services != 1 {
					t.Errorf("%s: %d datasets, %d distributions, %d services", files[i], r.Datasets, r.Distributions, r.Services)
				}
			}
			ids := func(r dcatReport) []string {
				return slices.Sorted(func(yield func(string) bool) {
					for id := range r.Harvest {
						if !yield(strings.TrimPrefix(id, e.base)) {
							return
						}
					}
				})
			}
			if got := ids(reports[0]); !slices.Equal(got, []string{"/datasets/parcs#dataset", "/datasets/velos#dataset"}) {
				t.Errorf("anonymous catalog lists %q", got)
			}
			if got := ids(reports[1]); len(got) != 3 || !slices.Contains(got, "/datasets/secret#dataset") {
				t.Errorf("the steward's catalog lists %q, want the restricted dataset too", got)
			}
			velos := reports[4].Harvest[e.base+"/datasets/velos#dataset"]
			want := dcatHarvest{Title: "Stations vélo", Start: "2024-01-01", End: "2024-12-31", WKT: true, URLs: 6,
				Themes: []string{"TRAN"}, Publisher: "Métropole", Contact: "mailto:mobilite@example.fr", Access: "PUBLIC"}
			if !velos.equal(want) {
				t.Errorf("velos as harvested: %+v, want %+v", velos, want)
			}
			for _, path := range []string{"/datasets/secret.ttl", "/datasets/secret.jsonld", "/datasets/nope.rdf"} {
				if code, body, _ := e.get(path, ""); code != 404 {
					t.Errorf("anonymous GET %s: %d, want 404: %s", path, code, body)
				}
			}
			if code, _, _ := e.get("/datasets/velos", ""); code != 200 {
				t.Errorf("the dataset page itself: %d", code)
			}
			req, _ := http.NewRequest("GET", e.base+"/catalog", nil)
			req.Header.Set("Accept", "text/html, application/ld+json;q=0.9")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if ct := resp.Header.Get("Content-Type"); resp.StatusCode != 200 || ct != "application/ld+json" {
				t.Errorf("GET /catalog asking for JSON-LD: %d %s", resp.StatusCode, ct)
			}

			// Hydra: walk the pages one dataset at a time, as udata does.
			var walk struct {
				Pages, Total int
				Datasets     []string
			}
			rdflibJSON(t, py, []string{"-c", dcatChecker, "walk", e.base + "/catalog.ttl?page_size=1", key}, &walk)
			slices.Sort(walk.Datasets)
			if walk.Pages != 3 || walk.Total != 3 || len(slices.Compact(walk.Datasets)) != 3 {
				t.Errorf("Hydra walk: %+v, want 3 pages of 1 dataset, 3 in all", walk)
			}
			for q, want := range map[string]int{"2000-01-01": 3, "2999-01-01T00:00:00Z": 0, "2000-01-01T10:00:00+02:00": 3} {
				rdflibJSON(t, py, []string{"-c", dcatChecker, "walk", e.base + "/catalog.ttl?modified_since=" + url.QueryEscape(q), key}, &walk)
				if len(walk.Datasets) != want {
					t.Errorf("modified_since=%s: %d datasets, want %d", q, len(walk.Datasets), want)
				}
			}
			for _, q := range []string{"modified_since=yesterday", "modified_since=2024-13-01", "page=0", "page_size=5000", "page=x"} {
				code, body, _ := e.get("/catalog.ttl?"+q, "")
				if code != 400 || !strings.Contains(string(body), strings.Split(q, "=")[0]) {
					t.Errorf("?%s: %d %s, want 400 naming the parameter", q, code, body)
				}
			}
		})
	}
}

type dcatReport struct {
	Violations, Missing               []string
	Datasets, Distributions, Services int
	Harvest                           map[string]dcatHarvest
}

// dcatHarvest is what data.gouv.fr's harvester takes from a dataset.
type dcatHarvest struct {
	Title, Start, End, Publisher, Contact, Access string
	WKT                                           bool
	URLs                                          int // distributions with a download or access URL
	Themes                                        []string
}

func (h dcatHarvest) equal(o dcatHarvest) bool {
	return h.Title == o.Title && h.Start == o.Start && h.End == o.End && h.Publisher == o.Publisher &&
		h.Contact == o.Contact && h.Access == o.Access && h.WKT == o.WKT && h.URLs == o.URLs && slices.Equal(h.Themes, o.Themes)
}

func rdflibJSON(t *testing.T, py string, args []string, v any) {
	t.Helper()
	runJSON(t, "rdflib", exec.Command(py, args...), v)
}

// dcatChecker is the rdflib side. "check SHAPES fmt=file…" prints a report
// per file; "walk URL KEY" follows hydra:next from URL and prints the pages
// and datasets seen.
const dcatChecker = `
import json, sys, urllib.request, rdflib
from rdflib import RDF, URIRef, Literal, Namespace
SH = Namespace("http://www.w3.org/ns/shacl#")
DCAT = Namespace("http://www.w3.org/ns/dcat#")
DCT = Namespace("http://purl.org/dc/terms/")
FOAF = Namespace("http://xmlns.com/foaf/0.1/")
HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")
PREFIXES = "PREFIX dcat: <http://www.w3.org/ns/dcat#> PREFIX dct: <http://purl.org/dc/terms/> PREFIX foaf: <http://xmlns.com/foaf/0.1/> PREFIX vcard: <http://www.w3.org/2006/vcard/ns#> PREFIX gsp: <http://www.opengis.net/ont/geosparql#> "

# The mandatory properties of DCAT-AP 3.0.1 (the reference's M column).
MANDATORY = [("dcat:Catalog", "dct:title"), ("dcat:Catalog", "dct:description"), ("dcat:Catalog", "dct:publisher"),
    ("dcat:Catalog", "dcat:dataset"), ("dcat:Dataset", "dct:title"), ("dcat:Dataset", "dct:description"),
    ("dcat:Distribution", "dcat:accessURL"), ("dcat:DataService", "dcat:endpointURL"), ("dcat:DataService", "dct:title"),
    ("foaf:Agent", "foaf:name")]

def shacl(shapes, g):
    out = []
    for shape, cls in shapes.subject_objects(SH.targetClass):
        for ps in shapes.objects(shape, SH.property):
            path = shapes.value(ps, SH.path)
            if not isinstance(path, URIRef):
                continue
            mn, mx = shapes.value(ps, SH.minCount), shapes.value(ps, SH.maxCount)
            klass, kind, dt = shapes.value(ps, SH["class"]), shapes.value(ps, SH.nodeKind), shapes.value(ps, SH.datatype)
            for focus in set(g.subjects(RDF.type, cls)):
                vals = list(g.objects(focus, path))
                where = "%s %s" % (focus, path)
                if mn is not None and len(vals) < int(mn): out.append(where + " minCount %s" % mn)
                if mx is not None and len(vals) > int(mx): out.append(where + " maxCount %s" % mx)
                for o in vals:
                    if klass is not None and (o, RDF.type, klass) not in g: out.append(where + " class %s: %s" % (klass, o))
                    if kind == SH.Literal and not isinstance(o, Literal): out.append(where + " not a literal")
                    if kind == SH.BlankNodeOrIRI and isinstance(o, Literal): out.append(where + " is a literal")
                    if kind == SH.IRI and not isinstance(o, URIRef): out.append(where + " not an IRI")
                    if dt is not None and (not isinstance(o, Literal) or o.datatype != dt): out.append(where + " datatype %s" % dt)
    return sorted(out)

def one(g, q):
    rows = list(g.query(PREFIXES + q))
    return str(rows[0][0]) if rows and rows[0][0] is not None else ""

def harvest(g):
    out = {}
    for ds in g.subjects(RDF.type, DCAT.Dataset):
        ident = str(g.value(ds, DCT.identifier))
        n = "<%s>" % ds
        out[ident] = {
            "Title": one(g, "SELECT ?t WHERE { %s dct:title ?t }" % n),
            "Start": one(g, "SELECT ?v WHERE { %s dct:temporal/dcat:startDate ?v }" % n),
            "End": one(g, "SELECT ?v WHERE { %s dct:temporal/dcat:endDate ?v }" % n),
            "WKT": bool(g.query(PREFIXES + "ASK { %s dct:spatial ?l . ?l ?p ?w FILTER(datatype(?w) = gsp:wktLiteral) }" % n)),
            "URLs": len(list(g.query(PREFIXES + "SELECT DISTINCT ?d WHERE { %s dcat:distribution ?d . { ?d dcat:downloadURL ?u } UNION { ?d dcat:accessURL ?u } }" % n))),
            "Themes": sorted(str(t).rsplit("/", 1)[1] for t in g.objects(ds, DCAT.theme)),
            "Publisher": one(g, "SELECT ?n WHERE { %s dct:publisher/foaf:name ?n }" % n),
            "Contact": one(g, "SELECT ?e WHERE { %s dcat:contactPoint/vcard:hasEmail ?e }" % n),
            "Access": one(g, "SELECT ?a WHERE { %s dct:accessRights ?a }" % n).rsplit("/", 1)[-1],
        }
    return out

def check(shapes_path, files):
    shapes = rdflib.Graph().parse(shapes_path, format="turtle")
    reports = []
    for arg in files:
        fmt, path = arg.split("=", 1)
        g = rdflib.Graph().parse(path, format=fmt)
        missing = []
        for cls, prop in MANDATORY:
            for row in g.query(PREFIXES + "SELECT ?s WHERE { ?s a %s FILTER NOT EXISTS { ?s %s ?o } }" % (cls, prop)):
                missing.append("%s %s" % (row[0], prop))
        for row in g.query(PREFIXES + "SELECT ?a WHERE { ?x dct:publisher ?a FILTER NOT EXISTS { ?a a foaf:Agent ; foaf:name ?n } }"):
            missing.append("publisher %s is no named foaf:Agent" % row[0])
        count = lambda c: len(set(g.subjects(RDF.type, c)))
        reports.append({"Violations": shacl(shapes, g), "Missing": missing, "Datasets": count(DCAT.Dataset),
            "Distributions": count(DCAT.Distribution), "Services": count(DCAT.DataService), "Harvest": harvest(g)})
    print(json.dumps(reports))

def walk(url, key):
    pages, total, datasets = 0, 0, []
    while url and pages < 20:
        req = urllib.request.Request(url, headers={"Authorization": "Apikey " + key})
        with urllib.request.urlopen(req) as resp:
            g = rdflib.Graph().parse(data=resp.read(), format="turtle")
        pages += 1
        datasets += [str(d) for d in g.subjects(RDF.type, DCAT.Dataset)]
        view = g.value(predicate=RDF.type, object=HYDRA.PartialCollectionView)
        total = int(g.value(view, HYDRA.totalItems))
        nxt = g.value(view, HYDRA.next)
        if nxt is not None and str(g.value(view, HYDRA.nextPage)) != str(nxt):
            sys.exit("hydra:next and hydra:nextPage differ")
        url = str(nxt) if nxt is not None else None
    print(json.dumps({"Pages": pages, "Total": total, "Datasets": datasets}))

if sys.argv[1] == "check":
    check(sys.argv[2], sys.argv[3:])
else:
    walk(sys.argv[2], sys.argv[3])
`
