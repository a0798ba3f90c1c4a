package ngsild

import (
	"embed"
	"encoding/json"
	"regexp"
	"strings"
	"sync"

	"github.com/socle/socle/internal/errs"
)

// The JSON-LD subset Socle implements: a context is a list of documents
// (URLs or inline objects) whose term definitions (a string IRI, a
// compact "prefix:suffix" IRI, or an object with "@id") are merged in
// order, later ones winning. A term is expanded through them; a term no
// context defines expands to DefaultContext + term. Remote contexts are
// never fetched: only the documents embedded under contexts/ are known,
// under their official URLs and under /ngsi-ld/contexts/{file} on any
// host; any other URL is errs.Unavailable (LdContextNotAvailable).

// Well-known IRIs.
const (
	CoreContextURL = "https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.8.jsonld"
	DefaultContext = "https://uri.etsi.org/ngsi-ld/default-context/"
	CoreNS         = "https://uri.etsi.org/ngsi-ld/"
	// LocationIRI is the expanded name of the location GeoProperty.
	LocationIRI = CoreNS + "location"
	// ContextPath is where Socle serves its context documents.
	ContextPath = "/ngsi-ld/contexts/"
	// CoreFile and SDMFile are the embedded documents' file names.
	CoreFile = "ngsi-ld-core-context-v1.8.jsonld"
	SDMFile  = "smart-data-models.jsonld"
)

//go:embed contexts/*.jsonld
var contextFiles embed.FS

// ContextFile returns an embedded context document by file name.
func ContextFile(name string) ([]byte, bool) {
	if strings.ContainsAny(name, "/\\") {
		return nil, false
	}
	b, err := contextFiles.ReadFile("contexts/" + name)
	return b, err == nil
}

var (
	coreURL = regexp.MustCompile(`^https?://uri\.etsi\.org/ngsi-ld/v1/ngsi-ld-core-context(-v1\.\d+)?\.jsonld$`)
	sdmURL  = regexp.MustCompile(`^https://(raw\.githubusercontent\.com/smart-data-models/[A-Za-z0-9.\-_]+/(master|main)/context\.jsonld|smartdatamodels\.org/context\.jsonld|smart-data-models\.github\.io/[A-Za-z0-9.\-_]+/context\.jsonld|fiware\.github\.io/data-models/context\.jsonld)$`)
)

// localFile names the embedded document a context URL stands for.
func localFile(url string) (string, bool) {
	switch {
	case coreURL.MatchString(url):
		return CoreFile, true
	case sdmURL.MatchString(url):
		return SDMFile, true
	}
	if i := strings.Index(url, ContextPath); i >= 0 && (strings.HasPrefix(url, "http://") || strings.HasPrefix(url, "https://")) {
		name := url[i+len(ContextPath):]
		if _, ok := ContextFile(name); ok {
			return name, true
		}
	}
	return "", false
}

// Context is a resolved @context: term definitions in force.
type Context struct {
	terms   map[string]string // term → IRI
	reverse map[string]string // IRI → term
	// Source is the context as the client gave it (URLs or objects), to
	// echo in responses; nil means the core context alone.
	Source []any
}

var parsedFiles sync.Map // file name → map[string]string

// fileTerms parses an embedded document once.
func fileTerms(name string) map[string]string {
	if m, ok := parsedFiles.Load(name); ok {
		return m.(map[string]string)
	}
	b, _ := ContextFile(name)
	var doc struct {
		Context map[string]any `json:"@context"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		panic("ngsild: embedded context " + name + ": " + err.Error())
	}
	m := map[string]string{}
	addTerms(m, doc.Context)
	parsedFiles.Store(name, m)
	return m
}

// addTerms merges an inline context object's definitions into m.
func addTerms(m map[string]string, obj map[string]any) {
	for term, def := range obj {
		if strings.HasPrefix(term, "@") {
			continue
		}
		var iri string
		switch d := def.(type) {
		case string:
			iri = d
		case map[string]any:
			iri, _ = d["@id"].(string)
		}
		if iri == "" || strings.HasPrefix(iri, "@") {
			continue
		}
		m[term] = iri
	}
	// Resolve compact IRIs ("ngsi-ld:location") against the prefixes.
	for term, iri := range m {
		if p, s, ok := strings.Cut(iri, ":"); ok && !strings.HasPrefix(s, "//") {
			if base, ok := m[p]; ok {
				m[term] = base + s
			}
		}
	}
}

// maxContextEntries bounds a context given by a client.
const maxContextEntries = 64

// CoreContext is the core context alone.
func CoreContext() *Context {
	c, _ := NewContext(nil)
	return c
}

// NewContext resolves a context given as a URL, an object, or an array of
// them (nil: the core context alone). The core context always applies
// first. errs.Invalid for a malformed context, errs.Unavailable for a URL
// that is not known locally.
func NewContext(src any) (*Context, error) {
	c := &Context{terms: map[string]string{}, reverse: map[string]string{}}
	for k, v := range fileTerms(CoreFile) {
		c.terms[k] = v
	}
	var list []any
	switch s := src.(type) {
	case nil:
	case []any:
		list = s
	default:
		list = []any{s}
	}
	if len(list) > maxContextEntries {
		return nil, errs.E(errs.Invalid, "@context has more than %d entries", maxContextEntries)
	}
	for _, item := range list {
		if err := c.add(item); err != nil {
			return nil, err
		}
	}
	c.Source = list
	for term, iri := range c.terms {
		if prev, ok := c.reverse[iri]; !ok || term < prev {
			c.reverse[iri] = term
		}
	}
	return c, nil
}

func (c *Context) add(item any) error {
	switch v := item.(type) {
	case string:
		name, ok := localFile(v)
		if !ok {
			return errs.WithCode(errs.Unavailable, "LdContextNotAvailable", "the @context %q is not available (Socle fetches no remote context; use %s or a Smart Data Models context)", truncate(v, 200), CoreContextURL)
		}
		for k, iri := range fileTerms(name) {
			c.terms[k] = iri
		}
	case map[string]any:
		addTerms(c.terms, v)
	default:
		return errs.E(errs.Invalid, "@context entries must be URLs or objects")
	}
	return nil
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

// Expand returns the IRI of a term: an absolute IRI stays as it is.
func (c *Context) Expand(term string) string {
	if iri, ok := c.terms[term]; ok {
		return iri
	}
	if p, s, ok := strings.Cut(term, ":"); ok {
		if base, ok := c.terms[p]; ok && !strings.HasPrefix(s, "//") {
			return base + s
		}
		return term // an absolute IRI or a URN
	}
	return DefaultContext + term
}

// Compact returns the shortest name of an IRI under c: its term, the rest
// of a default-context IRI, else the IRI itself.
func (c *Context) Compact(iri string) string {
	if t, ok := c.reverse[iri]; ok {
		return t
	}
	if rest, ok := strings.CutPrefix(iri, DefaultContext); ok {
		return rest
	}
	return iri
}

// LocalName is the last segment of an IRI (after '/', '#' or ':'): the
// name of an attribute's time series, whatever the context.
func LocalName(iri string) string {
	if i := strings.LastIndexAny(iri, "/#:"); i >= 0 && i+1 < len(iri) {
		return iri[i+1:]
	}
	return iri
}

// ResponseContext is what responses declare: the client's context, or the
// core context URL.
func (c *Context) ResponseContext() any {
	if len(c.Source) == 0 {
		return CoreContextURL
	}
	if len(c.Source) == 1 {
		return c.Source[0]
	}
	return c.Source
}

// LinkRel is the relation of a Link header carrying a context.
const LinkRel = "http://www.w3.org/ns/json-ld#context"

// maxLinkHeader bounds the Link header read.
const maxLinkHeader = 4096

// ParseLink returns the context URL of Link header values: the target of
// the link whose rel is the JSON-LD context relation (others are ignored),
// "" when there is none. errs.Invalid for a malformed header or two
// context links.
func ParseLink(values []string) (string, error) {
	var found string
	for _, h := range values {
		if len(h) > maxLinkHeader {
			return "", errs.E(errs.Invalid, "Link header too long")
		}
		for _, link := range splitLinks(h) {
			target, params, err := parseLinkValue(link)
			if err != nil {
				return "", err
			}
			if params["rel"] != LinkRel {
				continue
			}
			if found != "" {
				return "", errs.E(errs.Invalid, "more than one JSON-LD context in the Link header")
			}
			found = target
		}
	}
	return found, nil
}

// splitLinks splits a Link header at the commas outside <…> and quotes.
func splitLinks(h string) []string {
	var out []string
	start, inURL, inQuote := 0, false, false
	for i := 0; i < len(h); i++ {
		switch c := h[i]; {
		case c == '<' && !inQuote:
			inURL = true
		case c == '>' && !inQuote:
			inURL = false
		case c == '"' && !inURL:
			inQuote = !inQuote
		case c == ',' && !inURL && !inQuote:
			out = append(out, h[start:i])
			start = i + 1
		}
	}
	return append(out, h[start:])
}

// parseLinkValue reads `<url>; k=v; k="v"`.
func parseLinkValue(s string) (string, map[string]string, error) {
	s = strings.TrimSpace(s)
	if !strings.HasPrefix(s, "<") {
		return "", nil, errs.E(errs.Invalid, "malformed Link header: a link starts with <url>")
	}
	end := strings.IndexByte(s, '>')
	if end < 0 {
		return "", nil, errs.E(errs.Invalid, "malformed Link header: no closing >")
	}
	target := strings.TrimSpace(s[1:end])
	params := map[string]string{}
	for _, p := range strings.Split(s[end+1:], ";") {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		k, v, _ := strings.Cut(p, "=")
		params[strings.ToLower(strings.TrimSpace(k))] = strings.Trim(strings.TrimSpace(v), `"`)
	}
	return target, params, nil
}

// LinkHeader is the Link header value that declares url as the context.
func LinkHeader(url string) string {
	return "<" + url + `>; rel="` + LinkRel + `"; type="application/ld+json"`
}
