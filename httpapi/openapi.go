package httpapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"
	"slices"
	"strings"
	"sync"

	"github.com/socle/socle/httpapi/openapi"
)

// The OpenAPI 3.1 description of every API route the server registers,
// served as JSON at /api/openapi.json and as a readable French page at
// /api/docs. The document is a hand-written source file
// (package openapi, openapi/openapi.json) embedded in the binary; openapi_test.go checks
// that its paths and the registered routes agree and that real responses
// validate against its schemas, so it cannot drift silently.

// Version is the binary's version, shown as the document's info.version;
// cmd/socle sets it from its build-time version at start-up.
var Version = "dev"

// routeMux is the server's ServeMux that also records the patterns it is
// given, so that tests and the API description can list the routes.
type routeMux struct {
	*http.ServeMux
	patterns []string
}

func newRouteMux() *routeMux { return &routeMux{ServeMux: http.NewServeMux()} }

// HandleFunc registers h for pattern and records the pattern.
func (m *routeMux) HandleFunc(pattern string, h func(http.ResponseWriter, *http.Request)) {
	m.patterns = append(m.patterns, pattern)
	m.ServeMux.HandleFunc(pattern, h)
}

// Handle registers h for pattern and records the pattern.
func (m *routeMux) Handle(pattern string, h http.Handler) {
	m.patterns = append(m.patterns, pattern)
	m.ServeMux.Handle(pattern, h)
}

func (s *Server) routesOpenAPI() {
	s.mux.HandleFunc("GET /api/openapi.json", s.handleOpenAPI)
	s.mux.HandleFunc("GET /api/docs", s.handleAPIDocs)
	s.mux.HandleFunc("GET /api/docs.css", s.handleAPIDocsCSS)
}

// openapiDocument is the embedded document with info.version set, built
// once: its bytes never change while the process runs.
var openapiDocument = sync.OnceValues(func() ([]byte, error) {
	var doc map[string]any
	if err := json.Unmarshal(openapi.Document, &doc); err != nil {
		return nil, fmt.Errorf("openapi.json: %w", err)
	}
	info, _ := doc["info"].(map[string]any)
	if info == nil {
		return nil, fmt.Errorf("openapi.json: no info object")
	}
	info["version"] = Version
	return json.MarshalIndent(doc, "", "  ")
})

// OpenAPIDocument returns the OpenAPI 3.1 document the server serves.
func OpenAPIDocument() ([]byte, error) { return openapiDocument() }

func (s *Server) handleOpenAPI(w http.ResponseWriter, r *http.Request) {
	doc, err := openapiDocument()
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("Access-Control-Allow-Origin", "*") // code generators and viewers of any origin
	w.Header().Set("Content-Type", "application/vnd.oai.openapi+json;version=3.1")
	w.Header().Set("Cache-Control", "public, max-age=300")
	w.Write(doc)
}

// docsCSP is the page's Content-Security-Policy: no script at all, styles
// from the same origin only.
const docsCSP = "default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

func (s *Server) handleAPIDocs(w http.ResponseWriter, r *http.Request) {
	page, err := apiDocsPage()
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	h := w.Header()
	h.Set("Content-Security-Policy", docsCSP)
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "public, max-age=300")
	w.Write(page)
}

func (s *Server) handleAPIDocsCSS(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/css; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=300")
	w.Write(openapi.DocsCSS)
}

// The parts of an OpenAPI document the page shows.
type (
	oaDocument struct {
		Info struct {
			Title       string `json:"title"`
			Version     string `json:"version"`
			Description string `json:"description"`
		} `json:"info"`
		Tags       []oaTag                               `json:"tags"`
		Paths      map[string]map[string]json.RawMessage `json:"paths"`
		Components struct {
			Parameters map[string]oaParameter `json:"parameters"`
			Responses  map[string]oaResponse  `json:"responses"`
		} `json:"components"`
	}
	oaTag struct {
		Name        string `json:"name"`
		Description string `json:"description"`
		Operations  []oaOperation
	}
	oaOperation struct {
		Method, Path string
		Summary      string                `json:"summary"`
		Description  string                `json:"description"`
		OperationID  string                `json:"operationId"`
		Tags         []string              `json:"tags"`
		Parameters   []oaParameter         `json:"parameters"`
		Responses    map[string]oaResponse `json:"responses"`
		RequestBody  struct {
			Content map[string]any `json:"content"`
		} `json:"requestBody"`
		Codes []oaCode
	}
	oaParameter struct {
		Ref         string         `json:"$ref"`
		Name        string         `json:"name"`
		In          string         `json:"in"`
		Required    bool           `json:"required"`
		Description string         `json:"description"`
		Schema      map[string]any `json:"schema"`
	}
	oaResponse struct {
		Ref         string `json:"$ref"`
		Description string `json:"description"`
	}
	oaCode struct{ Code, Description string }
)

// parseOpenAPI reads the document into its tags, each with its operations
// (parameters resolved, path-level ones first), in the document's order.
func parseOpenAPI(raw []byte) (*oaDocument, error) {
	var doc oaDocument
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, err
	}
	byTag := map[string]int{}
	for i, t := range doc.Tags {
		byTag[t.Name] = i
	}
	paths := make([]string, 0, len(doc.Paths))
	for p := range doc.Paths {
		paths = append(paths, p)
	}
	slices.Sort(paths)
	for _, p := range paths {
		item := doc.Paths[p]
		var shared []oaParameter
		if raw, ok := item["parameters"]; ok {
			if err := json.Unmarshal(raw, &shared); err != nil {
				return nil, fmt.Errorf("%s: parameters: %w", p, err)
			}
		}
		for _, m := range openapi.Methods {
			raw, ok := item[m]
			if !ok {
				continue
			}
			var op oaOperation
			if err := json.Unmarshal(raw, &op); err != nil {
				return nil, fmt.Errorf("%s %s: %w", m, p, err)
			}
			op.Method, op.Path = strings.ToUpper(m), p
			op.Parameters = append(slices.Clone(shared), op.Parameters...)
			for i, prm := range op.Parameters {
				if name, ok := strings.CutPrefix(prm.Ref, "#/components/parameters/"); ok {
					op.Parameters[i] = doc.Components.Parameters[name]
				}
			}
			for code, r := range op.Responses {
				if name, ok := strings.CutPrefix(r.Ref, "#/components/responses/"); ok {
					r = doc.Components.Responses[name]
				}
				op.Codes = append(op.Codes, oaCode{code, r.Description})
			}
			slices.SortFunc(op.Codes, func(a, b oaCode) int { return strings.Compare(a.Code, b.Code) })
			tag := "Autres"
			if len(op.Tags) > 0 {
				tag = op.Tags[0]
			}
			i, ok := byTag[tag]
			if !ok {
				doc.Tags = append(doc.Tags, oaTag{Name: tag})
				i = len(doc.Tags) - 1
				byTag[tag] = i
			}
			doc.Tags[i].Operations = append(doc.Tags[i].Operations, op)
		}
	}
	return &doc, nil
}

var apiDocsTemplate = template.Must(template.New("docs.html").Funcs(template.FuncMap{
	"anchor": func(s string) string {
		return strings.Map(func(r rune) rune {
			if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
				return r
			}
			return '-'
		}, s)
	},
	"lower": strings.ToLower,
	"where": func(in string) string {
		return map[string]string{"query": "requête", "path": "chemin", "header": "en-tête", "cookie": "cookie"}[in]
	},
	"typeOf": func(schema map[string]any) string {
		if t, ok := schema["type"].(string); ok {
			if t == "array" {
				if items, ok := schema["items"].(map[string]any); ok {
					if it, ok := items["type"].(string); ok {
						return "liste de " + it
					}
				}
			}
			return t
		}
		if ref, ok := schema["$ref"].(string); ok {
			return ref[strings.LastIndexByte(ref, '/')+1:]
		}
		return ""
	},
}).Parse(openapi.DocsTemplate))

// apiDocsPage renders the page once: it depends on the document only.
var apiDocsPage = sync.OnceValues(func() ([]byte, error) {
	raw, err := openapiDocument()
	if err != nil {
		return nil, err
	}
	doc, err := parseOpenAPI(raw)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	if err := apiDocsTemplate.Execute(&b, doc); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
})
