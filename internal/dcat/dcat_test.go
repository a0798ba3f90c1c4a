package dcat

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/socle/socle/internal/catalog"
	"github.com/socle/socle/rdf"
)

var update = flag.Bool("update", false, "rewrite the golden files")

const base = "https://data.example.fr"

func fixture() Catalog {
	day := func(s string) *time.Time {
		t, _ := time.Parse(time.DateOnly, s)
		return &t
	}
	issued := time.Date(2024, 3, 1, 8, 30, 0, 0, time.UTC)
	metro := &catalog.Organization{ID: "metropole", Name: "Angers Loire Métropole", Kind: catalog.OrgMetropolis,
		Website: "https://www.angersloiremetropole.fr", Email: "opendata@example.fr"}
	orgs := map[string]*catalog.Organization{"metropole": metro,
		"regie": {ID: "regie", Name: "Régie des eaux", Kind: catalog.OrgDelegate}}
	full := &catalog.Dataset{ID: "velos-libre-service", UID: "da_1", Access: catalog.AccessPublic, Issued: issued,
		Modified: issued.Add(48 * time.Hour), Fields: []catalog.Field{{Name: "geo", Type: catalog.TypeGeoPoint}},
		Meta: catalog.Metadata{Title: `Stations "vélo" \ libre-service`, Description: "Stations et places.\nMise à jour horaire.",
			Publisher: "metropole", ContactName: "Service mobilité", ContactEmail: "mobilite@example.fr",
			Keywords: []string{"vélo", "mobilité"}, Themes: []string{"TRAN", "Environnement", "Culture & loisirs"},
			License: "ODbL-1.0", Frequency: "HOURLY", Spatial: "Angers Loire Métropole",
			TemporalStart: day("2024-01-01"), TemporalEnd: day("2024-12-31"), Language: "fr",
			ConformsTo: "https://schema.data.gouv.fr/schemas/etalab/schema-amenagements-cyclables/0.3.3/schema.json"}}
	restricted := &catalog.Dataset{ID: "2024-compteurs", UID: "da_2", Access: catalog.AccessShared, Issued: issued,
		Modified: issued, Meta: catalog.Metadata{Title: "Compteurs d'eau", Publisher: "regie", Frequency: "mensuelle",
			Themes: []string{"Eau"}}}
	english := &catalog.Dataset{ID: "budget", UID: "da_3", Access: catalog.AccessInternal, Issued: issued,
		Modified: issued, Meta: catalog.Metadata{Title: "Budget", Synthetic: true, Description: "Budget lines", Language: "en",
			Publisher: "unknown-org", Frequency: "every full moon", License: "LicenseRef-custom"}}
	return Catalog{BaseURL: base, Title: "Catalogue de données", Description: "Les données de la métropole.",
		Publisher: metro, Orgs: orgs,
		Entries: []Entry{
			{Dataset: full, BBox: &[4]float64{-0.6, 47.4, -0.5, 47.5}, Exports: []Export{{"csv", 2048}, {"json", 0},
				{"jsonl", 0}, {"geojson", 0}, {"parquet", 0}, {"xlsx", 0}, {"unknown", 0}}},
			{Dataset: restricted, Exports: []Export{{"csv", 0}}},
			{Dataset: english},
		},
		Page: &Page{Number: 2, Size: 3, Total: 7, URL: func(n int) string {
			return fmt.Sprintf("%s/catalog.ttl?page=%d&page_size=3", base, n)
		}},
	}
}

func TestGraphMatchesGoldenTurtle(t *testing.T) {
	c := fixture()
	golden(t, "catalog.ttl", Graph(c))
	golden(t, "dataset.ttl", DatasetGraph(base, c.Orgs, c.Entries[0]))
}

func golden(t *testing.T, name string, g *rdf.Graph) {
	t.Helper()
	var b bytes.Buffer
	if err := rdf.WriteTurtle(&b, g, nil); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("testdata", name)
	if *update {
		os.WriteFile(path, b.Bytes(), 0o644)
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(b.Bytes(), want) {
		t.Errorf("%s differs (run with -update after checking):\n%s", name, b.String())
	}
}

func objects(g *rdf.Graph, s, pred string) []string {
	var out []string
	for _, o := range g.Objects(rdf.IRI(s), pred) {
		out = append(out, o.Value)
	}
	return out
}

func TestVocabularies(t *testing.T) {
	g := Graph(fixture())
	ds := func(id string) string { return datasetIRI(base, id) }
	cases := []struct {
		name, subject, pred string
		want                []string
	}{
		{"EU theme kept, French words mapped", ds("velos-libre-service"), rdf.DCAT + "theme",
			[]string{rdf.EUTheme + "TRAN", rdf.EUTheme + "ENVI", rdf.EUTheme + "EDUC"}},
		{"Socle's own themes kept as keywords", ds("velos-libre-service"), rdf.DCAT + "keyword",
			[]string{"vélo", "mobilité", "Environnement", "Culture & loisirs"}},
		{"public is PUBLIC", ds("velos-libre-service"), rdf.DCT + "accessRights", []string{rdf.EUAcc + "PUBLIC"}},
		{"shared is RESTRICTED", ds("2024-compteurs"), rdf.DCT + "accessRights", []string{rdf.EUAcc + "RESTRICTED"}},
		{"internal is NON_PUBLIC", ds("budget"), rdf.DCT + "accessRights", []string{rdf.EUAcc + "NON_PUBLIC"}},
		{"French frequency word", ds("2024-compteurs"), rdf.DCT + "accrualPeriodicity", []string{rdf.EUFreq + "MONTHLY"}},
		{"unknown frequency left out", ds("budget"), rdf.DCT + "accrualPeriodicity", nil},
		{"language defaults to French", ds("2024-compteurs"), rdf.DCT + "language", []string{rdf.EULang + "FRA"}},
		{"synthetic data says so", ds("budget"), rdf.DCAT + "keyword", []string{"données synthétiques"}},
		{"English", ds("budget"), rdf.DCT + "language", []string{rdf.EULang + "ENG"}},
		{"description falls back to the title", ds("2024-compteurs"), rdf.DCT + "description", []string{"Compteurs d'eau"}},
		{"stable identifier", ds("budget"), rdf.DCT + "identifier", []string{base + "/datasets/budget#dataset"}},
		{"CSV file type", base + "/datasets/velos-libre-service#distribution-csv", rdf.DCT + "format", []string{rdf.EUFile + "CSV"}},
		{"byte size when known", base + "/datasets/velos-libre-service#distribution-csv", rdf.DCAT + "byteSize", []string{"2048"}},
		{"no byte size when unknown", base + "/datasets/velos-libre-service#distribution-json", rdf.DCAT + "byteSize", nil},
		{"the distribution carries the licence", base + "/datasets/velos-libre-service#distribution-csv", rdf.DCT + "license",
			[]string{"https://opendatacommons.org/licenses/odbl/1-0/"}},
		{"next page", base + "/catalog.ttl?page=2&page_size=3", rdf.HYDRA + "next", []string{base + "/catalog.ttl?page=3&page_size=3"}},
		{"last page", base + "/catalog.ttl?page=2&page_size=3", rdf.HYDRA + "lastPage", []string{base + "/catalog.ttl?page=3&page_size=3"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := objects(g, tc.subject, tc.pred); !slices.Equal(got, tc.want) {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
	var dists int
	for _, o := range g.Objects(rdf.IRI(ds("velos-libre-service")), rdf.DCAT+"distribution") {
		dists++
		if _, ok := g.Object(o, rdf.DCAT+"accessURL"); !ok {
			t.Errorf("%s has no accessURL", o.Value)
		}
	}
	if dists != 6 {
		t.Errorf("%d distributions, want one per known export format (6)", dists)
	}
}

// TestEveryLinkedNodeIsTyped checks what SHACL's sh:class needs: every IRI
// or blank node object of a DCAT-AP property (except plain links) carries
// an rdf:type in the same graph.
func TestEveryLinkedNodeIsTyped(t *testing.T) {
	untypedOK := map[string]bool{rdf.DCAT + "accessURL": true, rdf.DCAT + "downloadURL": true,
		rdf.DCAT + "endpointURL": true, rdf.DCAT + "endpointDescription": true, rdf.FOAF + "mbox": true,
		rdf.VCARD + "hasEmail": true, rdf.RDF + "type": true, rdf.DCT + "conformsTo": true}
	for _, g := range []*rdf.Graph{Graph(fixture()), DatasetGraph(base, fixture().Orgs, fixture().Entries[0])} {
		typed := map[rdf.Term]bool{}
		for _, tr := range g.Triples {
			if tr.P.Value == rdf.RDF+"type" {
				typed[tr.S] = true
			}
		}
		for _, tr := range g.Triples {
			if !tr.O.IsLiteral() && !untypedOK[tr.P.Value] && !typed[tr.O] && tr.P.Value[:len(rdf.HYDRA)] != rdf.HYDRA {
				t.Errorf("%s %s %s: object has no rdf:type", tr.S.Value, tr.P.Value, tr.O.Value)
			}
		}
	}
}
