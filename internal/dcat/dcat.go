// Package dcat maps Socle's catalog to DCAT-AP 3 (with what data.gouv.fr's
// harvester reads): datasets, their distributions (one per export format of
// the Explore API), the API as a dcat:DataService, publishers, contact
// points, the EU controlled vocabularies and Hydra paging. It is pure: it
// takes datasets, organizations and the base URL, and returns an rdf.Graph
// that package rdf serialises. Callers pass only what the reader may see.
package dcat

import (
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/socle/socle/internal/catalog"
	"github.com/socle/socle/rdf"
)

// Export is one export format a dataset offers, with its size when a
// complete export of the current version has been measured.
type Export struct {
	Format   string // Explore API format name: csv, json, geojson…
	ByteSize int64  // 0 when unknown
}

// Entry is a dataset with what the mapping cannot read from the dataset
// itself.
type Entry struct {
	Dataset *catalog.Dataset
	Exports []Export
	// BBox is the extent of the dataset's geometries (min lon, min lat,
	// max lon, max lat, WGS 84), nil when it has none.
	BBox *[4]float64
}

// Page is one page of a paged catalog (Hydra).
type Page struct {
	Number, Size, Total int                   // page from 1; Total datasets in all pages
	URL                 func(page int) string // the URL of page n
}

// Catalog is what Graph maps.
type Catalog struct {
	BaseURL     string // scheme://host, no trailing slash
	Title       string
	Description string
	Publisher   *catalog.Organization // the collectivity; may be nil
	Orgs        map[string]*catalog.Organization
	Entries     []Entry
	Page        *Page // nil when unpaged
}

// IRIs of the things Socle describes, all under the base URL. A dataset's
// IRI is built on its ID, which never changes once created, so harvesters
// (data.gouv.fr keys its copies on dct:identifier) see the same dataset.
func catalogIRI(base string) string      { return base + "/catalog" }
func serviceIRI(base string) string      { return base + "/catalog#api" }
func landingPage(base, id string) string { return base + "/datasets/" + url.PathEscape(id) }
func datasetIRI(base, id string) string  { return landingPage(base, id) + "#dataset" }
func orgIRI(base, id string) string      { return base + "/organizations/" + url.PathEscape(id) }

// ExportURL is the Explore API URL of dataset id's export in format.
func ExportURL(base, id, format string) string {
	return base + "/api/explore/v2.1/catalog/datasets/" + url.PathEscape(id) + "/exports/" + format
}

var (
	rdfType = rdf.IRI(rdf.RDF + "type")
	xsdDT   = rdf.XSD + "dateTime"
)

func p(ns, local string) rdf.Term { return rdf.IRI(ns + local) }

// builder adds to one graph, typing each shared node once.
type builder struct {
	g     *rdf.Graph
	base  string
	orgs  map[string]*catalog.Organization
	typed map[string]bool
}

func (b *builder) add(s, pred, o rdf.Term) { b.g.Add(s, pred, o) }

// node types iri with class the first time only.
func (b *builder) node(iri string, classes ...string) rdf.Term {
	t := rdf.IRI(iri)
	if !b.typed[iri] {
		b.typed[iri] = true
		for _, c := range classes {
			b.add(t, rdfType, rdf.IRI(c))
		}
	}
	return t
}

// Graph maps c to DCAT-AP 3.
func Graph(c Catalog) *rdf.Graph {
	b := &builder{g: &rdf.Graph{}, base: c.BaseURL, orgs: c.Orgs, typed: map[string]bool{}}
	cat := rdf.IRI(catalogIRI(c.BaseURL))
	b.add(cat, rdfType, p(rdf.DCAT, "Catalog"))
	b.add(cat, p(rdf.DCT, "title"), rdf.LangLiteral(c.Title, "fr"))
	b.add(cat, p(rdf.DCT, "description"), rdf.LangLiteral(c.Description, "fr"))
	b.add(cat, p(rdf.DCT, "publisher"), b.agent(c.Publisher))
	b.add(cat, p(rdf.FOAF, "homepage"), b.node(c.BaseURL+"/", rdf.FOAF+"Document"))
	b.add(cat, p(rdf.DCT, "language"), b.node(rdf.EULang+"FRA", rdf.DCT+"LinguisticSystem"))
	lic, title := licence(catalog.DefaultLicense)
	b.add(cat, p(rdf.DCT, "license"), b.licence(lic, title))
	scheme := strings.TrimSuffix(rdf.EUTheme, "/")
	if !b.typed[scheme] {
		b.add(b.node(scheme, rdf.SKOS+"ConceptScheme"), p(rdf.DCT, "title"), rdf.LangLiteral("Thèmes des données (UE)", "fr"))
	}
	b.add(cat, p(rdf.DCAT, "themeTaxonomy"), rdf.IRI(scheme))
	var issued, modified time.Time
	for _, e := range c.Entries {
		if d := e.Dataset; modified.IsZero() || d.Modified.After(modified) {
			modified = d.Modified
		}
		if d := e.Dataset; issued.IsZero() || d.Issued.Before(issued) {
			issued = d.Issued
		}
	}
	if !issued.IsZero() {
		b.add(cat, p(rdf.DCT, "issued"), dateTime(issued))
		b.add(cat, p(rdf.DCT, "modified"), dateTime(modified))
	}
	svc := b.service(c.Publisher)
	b.add(cat, p(rdf.DCAT, "service"), svc)
	for _, e := range c.Entries {
		ds := rdf.IRI(datasetIRI(c.BaseURL, e.Dataset.ID))
		b.add(cat, p(rdf.DCAT, "dataset"), ds)
		b.add(svc, p(rdf.DCAT, "servesDataset"), ds)
	}
	for _, e := range c.Entries {
		b.dataset(e)
	}
	if c.Page != nil {
		b.hydra(*c.Page)
	}
	return b.g
}

// DatasetGraph maps one dataset, with its distributions, publisher and the
// API that serves it.
func DatasetGraph(base string, orgs map[string]*catalog.Organization, e Entry) *rdf.Graph {
	b := &builder{g: &rdf.Graph{}, base: base, orgs: orgs, typed: map[string]bool{}}
	b.dataset(e)
	svc := b.service(orgs[e.Dataset.Meta.Publisher])
	b.add(svc, p(rdf.DCAT, "servesDataset"), rdf.IRI(datasetIRI(base, e.Dataset.ID)))
	return b.g
}

// service describes the Explore API as a dcat:DataService.
func (b *builder) service(publisher *catalog.Organization) rdf.Term {
	svc := rdf.IRI(serviceIRI(b.base))
	api := b.base + "/api/explore/v2.1"
	b.add(svc, rdfType, p(rdf.DCAT, "DataService"))
	b.add(svc, p(rdf.DCT, "title"), rdf.LangLiteral("API Explore v2.1 (compatible Opendatasoft)", "fr"))
	b.add(svc, p(rdf.DCAT, "endpointURL"), rdf.IRI(api))
	// The API's root lists its entry points; it is its description until
	// an OpenAPI document is served.
	b.add(svc, p(rdf.DCAT, "endpointDescription"), rdf.IRI(api+"/catalog"))
	b.add(svc, p(rdf.DCT, "publisher"), b.agent(publisher))
	lic, title := licence(catalog.DefaultLicense)
	b.add(svc, p(rdf.DCT, "license"), b.licence(lic, title))
	return svc
}

// agent describes an organization as a foaf:Agent; a missing one is the
// platform itself, so that dct:publisher is never dangling.
func (b *builder) agent(o *catalog.Organization) rdf.Term {
	if o == nil {
		o = &catalog.Organization{ID: "socle", Name: "Socle"}
	}
	iri := orgIRI(b.base, o.ID)
	if b.typed[iri] {
		return rdf.IRI(iri)
	}
	a := b.node(iri, rdf.FOAF+"Agent", rdf.FOAF+"Organization")
	b.add(a, p(rdf.FOAF, "name"), rdf.LangLiteral(o.Name, "fr"))
	if kind, ok := publisherTypes[o.Kind]; ok {
		b.add(a, p(rdf.DCT, "type"), b.concept(admsPublisherType+kind[0], kind[1], "en"))
	}
	if web := httpURL(o.Website); web != "" {
		b.add(a, p(rdf.FOAF, "homepage"), b.node(web, rdf.FOAF+"Document"))
	}
	if o.Email != "" {
		b.add(a, p(rdf.FOAF, "mbox"), rdf.IRI("mailto:"+o.Email))
	}
	return a
}

// concept describes a skos:Concept of a vocabulary: DCAT-AP's shapes want
// its skos:prefLabel in the graph.
func (b *builder) concept(iri, label, lang string) rdf.Term {
	first := !b.typed[iri]
	t := b.node(iri, rdf.SKOS+"Concept")
	if first {
		b.add(t, p(rdf.SKOS, "prefLabel"), rdf.LangLiteral(label, lang))
	}
	return t
}

func (b *builder) licence(iri, title string) rdf.Term {
	first := !b.typed[iri]
	t := b.node(iri, rdf.DCT+"LicenseDocument")
	if first {
		b.add(t, p(rdf.DCT, "title"), rdf.Literal(title))
	}
	return t
}

// dataset adds one dataset and its distributions.
func (b *builder) dataset(e Entry) {
	d, m := e.Dataset, e.Dataset.Meta
	langCode, tag := language(m.Language)
	ds := rdf.IRI(datasetIRI(b.base, d.ID))
	b.add(ds, rdfType, p(rdf.DCAT, "Dataset"))
	b.add(ds, p(rdf.DCT, "identifier"), rdf.Literal(datasetIRI(b.base, d.ID)))
	b.add(ds, p(rdf.DCT, "title"), rdf.LangLiteral(m.Title, tag))
	desc := m.Description
	if desc == "" {
		desc = m.Title // dct:description is mandatory
	}
	b.add(ds, p(rdf.DCT, "description"), rdf.LangLiteral(desc, tag))
	codes, words := themes(m)
	if m.Synthetic { // demo data says so everywhere
		words = append(words, "données synthétiques")
	}
	for _, k := range append(append([]string(nil), m.Keywords...), words...) {
		b.add(ds, p(rdf.DCAT, "keyword"), rdf.LangLiteral(k, tag))
	}
	for _, code := range codes {
		th := b.concept(rdf.EUTheme+code, euThemes[code], "fr")
		b.add(ds, p(rdf.DCAT, "theme"), th)
	}
	pub := b.agent(b.orgs[m.Publisher])
	b.add(ds, p(rdf.DCT, "publisher"), pub)
	b.contact(ds, d)
	b.temporal(ds, d)
	b.spatial(ds, d, e.BBox)
	if f := frequency(m.Frequency); f != "" {
		b.add(ds, p(rdf.DCT, "accrualPeriodicity"), b.node(rdf.EUFreq+f, rdf.DCT+"Frequency"))
	}
	b.add(ds, p(rdf.DCT, "issued"), dateTime(d.Issued))
	b.add(ds, p(rdf.DCT, "modified"), dateTime(d.Modified))
	if langCode != "" {
		b.add(ds, p(rdf.DCT, "language"), b.node(rdf.EULang+langCode, rdf.DCT+"LinguisticSystem"))
	}
	b.add(ds, p(rdf.DCT, "accessRights"), b.node(rdf.EUAcc+accessRight(d.Access), rdf.DCT+"RightsStatement"))
	schema := httpURL(m.ConformsTo)
	if schema != "" {
		b.add(ds, p(rdf.DCT, "conformsTo"), b.node(schema, rdf.DCT+"Standard"))
	}
	b.add(ds, p(rdf.DCAT, "landingPage"), b.node(landingPage(b.base, d.ID), rdf.FOAF+"Document"))
	for _, x := range e.Exports {
		b.distribution(ds, d, x, schema)
	}
}

// contact is the dataset's contact point, else its publisher's.
func (b *builder) contact(ds rdf.Term, d *catalog.Dataset) {
	name, email := d.Meta.ContactName, d.Meta.ContactEmail
	if o := b.orgs[d.Meta.Publisher]; o != nil && name == "" && email == "" {
		name, email = o.Name, o.Email
	}
	if name == "" && email == "" {
		return
	}
	c := rdf.Blank(d.ID + "-contact")
	b.add(ds, p(rdf.DCAT, "contactPoint"), c)
	b.add(c, rdfType, p(rdf.VCARD, "Kind"))
	b.add(c, rdfType, p(rdf.VCARD, "Organization"))
	if name == "" {
		name = email
	}
	b.add(c, p(rdf.VCARD, "fn"), rdf.Literal(name))
	if email != "" {
		b.add(c, p(rdf.VCARD, "hasEmail"), rdf.IRI("mailto:"+email))
	}
}

// temporal is the declared coverage as a dct:PeriodOfTime.
func (b *builder) temporal(ds rdf.Term, d *catalog.Dataset) {
	start, end := d.Meta.TemporalStart, d.Meta.TemporalEnd
	if start == nil && end == nil {
		return
	}
	t := rdf.Blank(d.ID + "-temporal")
	b.add(ds, p(rdf.DCT, "temporal"), t)
	b.add(t, rdfType, p(rdf.DCT, "PeriodOfTime"))
	if start != nil {
		b.add(t, p(rdf.DCAT, "startDate"), dateOrTime(*start))
	}
	if end != nil {
		b.add(t, p(rdf.DCAT, "endDate"), dateOrTime(*end))
	}
}

// spatial is the covered area: its name, and the extent of the data as WKT
// (GeoSPARQL) and GeoJSON, the two forms harvesters read.
func (b *builder) spatial(ds rdf.Term, d *catalog.Dataset, bbox *[4]float64) {
	if d.Meta.Spatial == "" && bbox == nil {
		return
	}
	loc := rdf.Blank(d.ID + "-spatial")
	b.add(ds, p(rdf.DCT, "spatial"), loc)
	b.add(loc, rdfType, p(rdf.DCT, "Location"))
	if d.Meta.Spatial != "" {
		b.add(loc, p(rdf.SKOS, "prefLabel"), rdf.LangLiteral(d.Meta.Spatial, "fr"))
	}
	if bbox == nil {
		return
	}
	// dcat:bbox is a literal (one at most); locn:geometry is a
	// locn:Geometry node (DCAT-AP 3's shapes), which carries the GeoSPARQL
	// serialisations. data.gouv.fr reads the Location's WKT literal.
	wkt := rdf.Typed(polygonWKT(*bbox), rdf.GSP+"wktLiteral")
	b.add(loc, p(rdf.DCAT, "bbox"), wkt)
	geom := rdf.Blank(d.ID + "-geometry")
	b.add(loc, p(rdf.LOCN, "geometry"), geom)
	b.add(geom, rdfType, p(rdf.LOCN, "Geometry"))
	b.add(geom, p(rdf.GSP, "asWKT"), wkt)
	b.add(geom, p(rdf.GSP, "asGeoJSON"), rdf.Typed(polygonGeoJSON(*bbox), rdf.GSP+"geoJSONLiteral"))
}

func polygonWKT(bb [4]float64) string {
	x0, y0, x1, y1 := num(bb[0]), num(bb[1]), num(bb[2]), num(bb[3])
	return "POLYGON((" + x0 + " " + y0 + ", " + x1 + " " + y0 + ", " + x1 + " " + y1 + ", " +
		x0 + " " + y1 + ", " + x0 + " " + y0 + "))"
}

func polygonGeoJSON(bb [4]float64) string {
	x0, y0, x1, y1 := num(bb[0]), num(bb[1]), num(bb[2]), num(bb[3])
	pt := func(x, y string) string { return "[" + x + "," + y + "]" }
	return `{"type":"Polygon","coordinates":[[` + pt(x0, y0) + "," + pt(x1, y0) + "," + pt(x1, y1) + "," +
		pt(x0, y1) + "," + pt(x0, y0) + "]]}"
}

func num(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// distribution adds the export of d in x.Format.
func (b *builder) distribution(ds rdf.Term, d *catalog.Dataset, x Export, schema string) {
	ft, ok := fileTypes[x.Format]
	if !ok {
		return
	}
	u := ExportURL(b.base, d.ID, x.Format)
	dist := rdf.IRI(landingPage(b.base, d.ID) + "#distribution-" + x.Format)
	b.add(ds, p(rdf.DCAT, "distribution"), dist)
	b.add(dist, rdfType, p(rdf.DCAT, "Distribution"))
	b.add(dist, p(rdf.DCT, "title"), rdf.LangLiteral("Export "+ft.Label, "fr"))
	b.add(dist, p(rdf.DCAT, "accessURL"), rdf.IRI(u))
	b.add(dist, p(rdf.DCAT, "downloadURL"), rdf.IRI(u))
	b.add(dist, p(rdf.DCAT, "accessService"), rdf.IRI(serviceIRI(b.base)))
	if ft.Code != "" {
		b.add(dist, p(rdf.DCT, "format"), b.node(rdf.EUFile+ft.Code, rdf.DCT+"MediaTypeOrExtent"))
	}
	if ft.Media != "" {
		b.add(dist, p(rdf.DCAT, "mediaType"), b.node(ianaMediaTypes+ft.Media, rdf.DCT+"MediaType"))
	}
	lic, title := licence(d.Meta.License)
	b.add(dist, p(rdf.DCT, "license"), b.licence(lic, title))
	b.add(dist, p(rdf.DCATAP, "availability"), b.concept(euAvailability+"STABLE", "stable", "fr"))
	b.add(dist, p(rdf.DCT, "modified"), dateTime(d.Modified))
	if x.ByteSize > 0 {
		b.add(dist, p(rdf.DCAT, "byteSize"), rdf.Typed(strconv.FormatInt(x.ByteSize, 10), rdf.XSD+"nonNegativeInteger"))
	}
	if schema != "" && x.Format == "csv" {
		b.add(dist, p(rdf.DCT, "conformsTo"), rdf.IRI(schema))
	}
}

// hydra describes the page as both a hydra:PartialCollectionView and the
// legacy hydra:PagedCollection, as ckanext-dcat does: udata reads either.
func (b *builder) hydra(pg Page) {
	last := max(1, (pg.Total+pg.Size-1)/pg.Size)
	v := rdf.IRI(pg.URL(pg.Number))
	b.add(v, rdfType, p(rdf.HYDRA, "PartialCollectionView"))
	b.add(v, rdfType, p(rdf.HYDRA, "PagedCollection"))
	b.add(v, p(rdf.HYDRA, "totalItems"), rdf.Typed(strconv.Itoa(pg.Total), rdf.XSD+"integer"))
	b.add(v, p(rdf.HYDRA, "itemsPerPage"), rdf.Typed(strconv.Itoa(pg.Size), rdf.XSD+"integer"))
	link := func(current, legacy string, n int) {
		b.add(v, p(rdf.HYDRA, current), rdf.IRI(pg.URL(n)))
		b.add(v, p(rdf.HYDRA, legacy), rdf.IRI(pg.URL(n)))
	}
	link("first", "firstPage", 1)
	link("last", "lastPage", last)
	if pg.Number > 1 {
		link("previous", "previousPage", min(pg.Number-1, last))
	}
	if pg.Number < last {
		link("next", "nextPage", pg.Number+1)
	}
}

func dateTime(t time.Time) rdf.Term {
	return rdf.Typed(t.UTC().Format(time.RFC3339), xsdDT)
}

// dateOrTime writes a midnight UTC instant as an xsd:date (how dates are
// entered), anything else as an xsd:dateTime.
func dateOrTime(t time.Time) rdf.Term {
	t = t.UTC()
	if t.Equal(t.Truncate(24 * time.Hour)) {
		return rdf.Typed(t.Format(time.DateOnly), rdf.XSD+"date")
	}
	return dateTime(t)
}

// httpURL returns s when it is an absolute http(s) URL, else "".
func httpURL(s string) string {
	u, err := url.Parse(strings.TrimSpace(s))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return ""
	}
	return u.String()
}
