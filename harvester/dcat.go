package harvester

import (
	"bytes"
	"context"
	"fmt"
	"net/url"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/socle/socle/internal/harvest"
	"github.com/socle/socle/rdf"
)

// DCAT harvests a DCAT catalog document (Turtle, RDF/XML, JSON-LD or
// N-Triples) and the pages Hydra links it to (hydra:next, else the legacy
// hydra:nextPage), as data.gouv.fr and ckanext-dcat do. Each dcat:Dataset
// is keyed on its dct:identifier, else its IRI; its data is the first
// distribution Socle can import (CSV, GeoJSON, JSON, JSON Lines).
type DCAT struct {
	c       *Client
	catalog string
}

const rdfAccept = "text/turtle, application/ld+json;q=0.9, application/rdf+xml;q=0.9, application/n-triples;q=0.8"

// List reads the catalog pages in order.
func (d *DCAT) List(ctx context.Context, yield func(harvest.RemoteDataset) error) error {
	pg := newPager(d.c.Limits.MaxPages)
	visited := map[string]bool{}
	for next := d.catalog; next != ""; {
		if visited[next] {
			return fmt.Errorf("page %s is linked to twice: the remote pages forever", next)
		}
		visited[next] = true
		body, ctype, err := d.c.get(ctx, next, rdfAccept)
		if err != nil {
			return err
		}
		if err := pg.next(next, body); err != nil {
			return err
		}
		g, err := parseRDF(body, ctype, next)
		if err != nil {
			return fmt.Errorf("invalid RDF at %s: %w", next, err)
		}
		idx := newIndex(g)
		for _, s := range g.SubjectsOfType(rdf.DCAT + "Dataset") {
			if err := yield(dcatDataset(idx, s)); err != nil {
				return err
			}
		}
		next = hydraNext(g, next)
	}
	return nil
}

// parseRDF picks the parser from the content type, else the URL's
// extension, else the first bytes.
func parseRDF(body []byte, ctype, u string) (*rdf.Graph, error) {
	mt, _, _ := strings.Cut(strings.ToLower(ctype), ";")
	ext := path.Ext(strings.SplitN(u, "?", 2)[0])
	head := bytes.TrimSpace(body)
	r := bytes.NewReader(body)
	switch {
	case strings.Contains(mt, "turtle") || ext == ".ttl":
		return rdf.ParseTurtle(r, u)
	case strings.Contains(mt, "ld+json") || ext == ".jsonld":
		return rdf.ParseJSONLD(r, u)
	case strings.Contains(mt, "rdf+xml") || ext == ".rdf" || ext == ".xml":
		return rdf.ParseRDFXML(r, u)
	case strings.Contains(mt, "n-triples") || ext == ".nt":
		return rdf.ParseNTriples(r)
	case bytes.HasPrefix(head, []byte("<?xml")) || bytes.HasPrefix(head, []byte("<rdf:RDF")):
		return rdf.ParseRDFXML(r, u)
	case bytes.HasPrefix(head, []byte("{")) || bytes.HasPrefix(head, []byte("[")):
		return rdf.ParseJSONLD(r, u)
	}
	return rdf.ParseTurtle(r, u)
}

// hydraNext is the next page's URL, resolved against the page's, or "".
func hydraNext(g *rdf.Graph, page string) string {
	for _, p := range []string{rdf.HYDRA + "next", rdf.HYDRA + "nextPage"} {
		for _, t := range g.Triples {
			if t.P.Value == p && (t.O.IsIRI() || t.O.IsLiteral()) && t.O.Value != "" {
				base, err := url.Parse(page)
				ref, err2 := url.Parse(t.O.Value)
				if err != nil || err2 != nil {
					return t.O.Value
				}
				return base.ResolveReference(ref).String()
			}
		}
	}
	return ""
}

// dcatDataset normalises one dcat:Dataset.
func dcatDataset(g *index, s rdf.Term) harvest.RemoteDataset {
	var r harvest.RemoteDataset
	if id := literal(g, s, rdf.DCT+"identifier"); id != "" {
		r.RemoteID = id
	} else if s.IsIRI() {
		r.RemoteID = s.Value
	}
	m := &r.Meta
	m.Title, m.Description = literal(g, s, rdf.DCT+"title"), literal(g, s, rdf.DCT+"description")
	for _, k := range g.Objects(s, rdf.DCAT+"keyword") {
		if k.IsLiteral() && !slices.Contains(m.Keywords, k.Value) {
			m.Keywords = append(m.Keywords, k.Value)
		}
	}
	for _, t := range g.Objects(s, rdf.DCAT+"theme") {
		if code, ok := strings.CutPrefix(t.Value, rdf.EUTheme); ok && t.IsIRI() {
			m.Themes = append(m.Themes, code)
		} else if t.IsLiteral() && !slices.Contains(m.Keywords, t.Value) {
			m.Keywords = append(m.Keywords, t.Value) // as udata does
		}
	}
	if f, ok := g.Object(s, rdf.DCT+"accrualPeriodicity"); ok {
		m.Frequency = strings.TrimPrefix(f.Value, rdf.EUFreq)
	}
	if l, ok := g.Object(s, rdf.DCT+"language"); ok {
		m.Language = languages[strings.TrimPrefix(l.Value, rdf.EULang)]
	}
	if c, ok := g.Object(s, rdf.DCT+"conformsTo"); ok {
		m.ConformsTo = c.Value
	}
	if p, ok := g.Object(s, rdf.DCT+"publisher"); ok {
		m.Publisher = orElse(literal(g, p, rdf.FOAF+"name"), p.Value)
	}
	if c, ok := g.Object(s, rdf.DCAT+"contactPoint"); ok {
		m.ContactName = literal(g, c, rdf.VCARD+"fn")
		if e, ok := g.Object(c, rdf.VCARD+"hasEmail"); ok {
			m.ContactEmail = strings.TrimPrefix(e.Value, "mailto:")
		}
	}
	if t, ok := g.Object(s, rdf.DCT+"temporal"); ok {
		m.TemporalStart, m.TemporalEnd = date(g, t, rdf.DCAT+"startDate"), date(g, t, rdf.DCAT+"endDate")
	}
	if mod := date(g, s, rdf.DCT+"modified"); mod != nil {
		r.Modified = *mod
	}
	m.License = licenseOf(g, s)
	r.Slug = dcatSlug(g, s, r.RemoteID, m.Title)
	r.Data = distribution(g, s)
	if m.License == "" && r.Data != nil {
		m.License = r.Data.License
	}
	if r.Data != nil {
		r.Data.License = ""
	}
	return r
}

var languages = map[string]string{"FRA": "fr", "ENG": "en", "DEU": "de", "SPA": "es", "ITA": "it", "NLD": "nl"}

// licenseIDs maps licence documents and names to Socle's licence IDs.
var licenseIDs = map[string]string{
	"https://www.etalab.gouv.fr/licence-ouverte-open-licence/": "etalab-2.0", "https://www.etalab.gouv.fr/licence-ouverte-open-licence": "etalab-2.0",
	"https://spdx.org/licenses/etalab-2.0": "etalab-2.0", "https://opendatacommons.org/licenses/odbl/1-0/": "ODbL-1.0",
	"http://opendatacommons.org/licenses/odbl/1.0/": "ODbL-1.0", "https://creativecommons.org/licenses/by/4.0/": "CC-BY-4.0",
	"https://creativecommons.org/licenses/by-sa/4.0/": "CC-BY-SA-4.0", "https://creativecommons.org/publicdomain/zero/1.0/": "CC0-1.0",
	"lov2": "etalab-2.0", "odc-odbl": "ODbL-1.0", "cc-by": "CC-BY-4.0", "cc-zero": "CC0-1.0", "fr-lo": "etalab-2.0",
}

// licenseID maps a licence IRI or name to an ID, keeping unknown ones as
// they are (an SPDX IRI gives its ID).
func licenseID(v string) string {
	if id, ok := licenseIDs[v]; ok {
		return id
	}
	if id, ok := odsLicenses[strings.ToLower(v)]; ok {
		return id
	}
	if id, ok := strings.CutPrefix(v, "https://spdx.org/licenses/"); ok {
		return id
	}
	return v
}

// licenseOf reads dct:license (or dct:rights) of s.
func licenseOf(g *index, s rdf.Term) string {
	for _, p := range []string{rdf.DCT + "license", rdf.DCT + "rights"} {
		if l, ok := g.Object(s, p); ok {
			return licenseID(l.Value)
		}
	}
	return ""
}

// dcatSlug names a dataset for its local ID: the last segment of its
// landing page or IRI, else its identifier or title.
func dcatSlug(g *index, s rdf.Term, id, title string) string {
	for _, cand := range []rdf.Term{first(g, s, rdf.DCAT+"landingPage"), s} {
		if cand.IsIRI() {
			if u, err := url.Parse(cand.Value); err == nil {
				if seg := path.Base(strings.TrimRight(u.Path, "/")); seg != "" && seg != "." && seg != "/" {
					return seg
				}
			}
		}
	}
	return orElse(id, title)
}

func first(g *index, s rdf.Term, p string) rdf.Term {
	t, _ := g.Object(s, p)
	return t
}

// formatRank orders the formats Socle imports, best first: CSV keeps
// geo_point_2d readable without a schema.
var formatRank = []string{"csv", "geojson", "json", "jsonl"}

// distribution picks the dataset's best importable distribution.
func distribution(g *index, s rdf.Term) *harvest.Data {
	var best *harvest.Data
	bestRank := len(formatRank)
	for _, d := range g.Objects(s, rdf.DCAT+"distribution") {
		u := first(g, d, rdf.DCAT+"downloadURL")
		if u.Value == "" {
			u = first(g, d, rdf.DCAT+"accessURL")
		}
		if u.Value == "" {
			continue // udata skips distributions without a URL too
		}
		f := distFormat(g, d, u.Value)
		if i := slices.Index(formatRank, f); i >= 0 && i < bestRank {
			best, bestRank = &harvest.Data{URL: u.Value, Format: f, License: licenseOf(g, d)}, i
		}
	}
	return best
}

// distFormat reads dct:format, dcat:mediaType or the URL's extension.
func distFormat(g *index, d rdf.Term, u string) string {
	var hints []string
	for _, p := range []string{rdf.DCT + "format", rdf.DCAT + "mediaType"} {
		if t, ok := g.Object(d, p); ok {
			hints = append(hints, strings.ToLower(t.Value))
			if t.IsBlank() {
				hints = append(hints, strings.ToLower(literal(g, t, rdf.RDFS+"label")))
			}
		}
	}
	uu, _ := url.Parse(u)
	if uu != nil {
		hints = append(hints, strings.ToLower(path.Base(uu.Path)))
	}
	for _, h := range hints {
		switch {
		case strings.HasSuffix(h, "geojson") || strings.HasSuffix(h, "geo+json"):
			return "geojson"
		case strings.HasSuffix(h, "csv"):
			return "csv"
		case strings.HasSuffix(h, "jsonl") || strings.HasSuffix(h, "ndjson") || strings.HasSuffix(h, "json lines"):
			return "jsonl"
		case strings.HasSuffix(h, "/json") || h == "json" || strings.HasSuffix(h, ".json"):
			return "json"
		}
	}
	return ""
}

// literal is the first literal of (s, p), French preferred, then untagged.
func literal(g *index, s rdf.Term, p string) string {
	var out string
	rank := 3
	for _, o := range g.Objects(s, p) {
		if !o.IsLiteral() {
			continue
		}
		r := 2
		switch o.Lang {
		case "fr":
			r = 0
		case "":
			r = 1
		}
		if r < rank {
			out, rank = o.Value, r
		}
	}
	return out
}

// date reads an xsd:date or xsd:dateTime literal.
func date(g *index, s rdf.Term, p string) *time.Time {
	o, ok := g.Object(s, p)
	if !ok || !o.IsLiteral() {
		return nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", time.DateOnly} {
		if t, err := time.Parse(layout, strings.TrimSpace(o.Value)); err == nil {
			t = t.UTC()
			return &t
		}
	}
	return nil
}

func orElse(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// Fetch downloads the chosen distribution.
func (d *DCAT) Fetch(ctx context.Context, r harvest.RemoteDataset, dir string) (*harvest.Download, error) {
	return d.c.fetchData(ctx, r.Data, dir)
}

// index finds a subject's triples without scanning the graph: a catalog
// of thousands of datasets in one document is read in linear time.
type index struct {
	by map[rdf.Term][]rdf.Triple
}

func newIndex(g *rdf.Graph) *index {
	x := &index{by: map[rdf.Term][]rdf.Triple{}}
	for _, t := range g.Triples {
		x.by[t.S] = append(x.by[t.S], t)
	}
	return x
}

// Objects returns the objects of (s, p, ?) in order.
func (x *index) Objects(s rdf.Term, p string) []rdf.Term {
	var out []rdf.Term
	for _, t := range x.by[s] {
		if t.P.Value == p {
			out = append(out, t.O)
		}
	}
	return out
}

// Object returns the first object of (s, p, ?).
func (x *index) Object(s rdf.Term, p string) (rdf.Term, bool) {
	for _, t := range x.by[s] {
		if t.P.Value == p {
			return t.O, true
		}
	}
	return rdf.Term{}, false
}
