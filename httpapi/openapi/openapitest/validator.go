// Package openapitest validates HTTP responses against Socle's OpenAPI
// document, for tests only (so that the JSON Schema validator stays out of
// the binary): it finds the operation of a request by its path template
// and checks the status, the media type and a JSON body against the
// operation's schema, as JSON Schema 2020-12 (OpenAPI 3.1's dialect).
package openapitest

import (
	"encoding/json"
	"fmt"
	"mime"
	"regexp"
	"strconv"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// docURL names the document as a JSON Schema resource.
const docURL = "urn:socle:openapi"

// Validator finds the operation of a request and validates response
// bodies against the schema the document gives for its status.
type Validator struct {
	doc      map[string]any
	compiler *jsonschema.Compiler
	routes   []route
	compiled map[string]*jsonschema.Schema
}

// route is one path template of the document as a regular expression.
type route struct {
	template string
	re       *regexp.Regexp
	literal  int // literal characters: the most specific template wins
}

var paramRE = regexp.MustCompile(`\{[^}/]+\}`)

// NewValidator reads the document doc.
func NewValidator(doc []byte) (*Validator, error) {
	var v Validator
	if err := json.Unmarshal(doc, &v.doc); err != nil {
		return nil, err
	}
	var raw any
	if err := json.Unmarshal(doc, &raw); err != nil {
		return nil, err
	}
	v.compiler = jsonschema.NewCompiler()
	v.compiler.DefaultDraft(jsonschema.Draft2020)
	if err := v.compiler.AddResource(docURL, raw); err != nil {
		return nil, err
	}
	paths, _ := v.doc["paths"].(map[string]any)
	for p := range paths {
		// QuoteMeta escapes the braces: unescape them, then turn each
		// parameter into one path segment (or part of one).
		expr := "^" + paramRE.ReplaceAllString(strings.NewReplacer(`\{`, "{", `\}`, "}").Replace(regexp.QuoteMeta(p)), "[^/]+") + "$"
		v.routes = append(v.routes, route{p, regexp.MustCompile(expr), len(paramRE.ReplaceAllString(p, ""))})
		if strings.HasSuffix(p, "}") {
			// A last parameter may be Go's {name...}, several segments:
			// the least specific reading of the template.
			greedy := strings.TrimSuffix(expr, "[^/]+$") + ".+$"
			v.routes = append(v.routes, route{p, regexp.MustCompile(greedy), -1})
		}
	}
	v.compiled = map[string]*jsonschema.Schema{}
	return &v, nil
}

// Template returns the document's path template that path (without query)
// matches for method, the most specific one when several do.
func (v *Validator) Template(method, path string) (string, bool) {
	best, found := route{literal: -2}, false
	paths := v.doc["paths"].(map[string]any)
	for _, r := range v.routes {
		if !r.re.MatchString(path) || r.literal <= best.literal {
			continue
		}
		if _, ok := paths[r.template].(map[string]any)[strings.ToLower(method)]; ok {
			best, found = r, true
		}
	}
	return best.template, found
}

// Tag returns the first tag (the API family) of the operation of method
// path, or "".
func (v *Validator) Tag(method, path string) string {
	tpl, ok := v.Template(method, path)
	if !ok {
		return ""
	}
	op := v.doc["paths"].(map[string]any)[tpl].(map[string]any)[strings.ToLower(method)].(map[string]any)
	if tags, _ := op["tags"].([]any); len(tags) > 0 {
		s, _ := tags[0].(string)
		return s
	}
	return ""
}

// Tags returns the names of the document's tags, in its order.
func (v *Validator) Tags() []string {
	var out []string
	list, _ := v.doc["tags"].([]any)
	for _, t := range list {
		if name, ok := t.(map[string]any)["name"].(string); ok {
			out = append(out, name)
		}
	}
	return out
}

// Validate checks a response to method path: its status is documented
// (or the operation has a default response), its media type is one the
// document lists, and a JSON body validates against the schema.
func (v *Validator) Validate(method, path string, status int, contentType string, body []byte) error {
	tpl, ok := v.Template(method, path)
	if !ok {
		return fmt.Errorf("%s %s: no operation in the document", method, path)
	}
	op := v.doc["paths"].(map[string]any)[tpl].(map[string]any)[strings.ToLower(method)].(map[string]any)
	responses := op["responses"].(map[string]any)
	code := strconv.Itoa(status)
	resp, ok := responses[code]
	if !ok {
		if resp, ok = responses["default"]; !ok {
			return fmt.Errorf("%s %s: status %d is not documented", method, tpl, status)
		}
		code = "default"
	}
	ptr := "/paths/" + escape(tpl) + "/" + strings.ToLower(method) + "/responses/" + code
	if ref, ok := resp.(map[string]any)["$ref"].(string); ok {
		ptr = strings.TrimPrefix(ref, "#")
		resp = v.resolve(ptr)
	}
	content, _ := resp.(map[string]any)["content"].(map[string]any)
	if content == nil {
		if len(body) > 0 {
			return fmt.Errorf("%s %s: status %d documents no body, got %d bytes", method, tpl, status, len(body))
		}
		return nil
	}
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return fmt.Errorf("%s %s: Content-Type %q: %w", method, tpl, contentType, err)
	}
	key := mt
	if _, ok := content[mt]; !ok {
		if _, ok := content["*/*"]; !ok {
			return fmt.Errorf("%s %s: status %d: media type %s is not documented", method, tpl, status, mt)
		}
		key = "*/*"
	}
	if !isJSON(mt) {
		return nil
	}
	sch, err := v.schema(ptr + "/content/" + escape(key) + "/schema")
	if err != nil {
		return err
	}
	inst, err := jsonschema.UnmarshalJSON(strings.NewReader(string(body)))
	if err != nil {
		return fmt.Errorf("%s %s: body is not JSON: %w", method, tpl, err)
	}
	if err := sch.Validate(inst); err != nil {
		return fmt.Errorf("%s %s → %d: %w", method, tpl, status, err)
	}
	return nil
}

// Schema compiles the schema at JSON pointer ptr of the document, e.g.
// "/components/schemas/Dataset".
func (v *Validator) schema(ptr string) (*jsonschema.Schema, error) {
	if s, ok := v.compiled[ptr]; ok {
		return s, nil
	}
	s, err := v.compiler.Compile(docURL + "#" + ptr)
	if err != nil {
		return nil, err
	}
	v.compiled[ptr] = s
	return s, nil
}

// ValidateSchema validates the JSON body against the named component
// schema.
func (v *Validator) ValidateSchema(name string, body []byte) error {
	sch, err := v.schema("/components/schemas/" + name)
	if err != nil {
		return err
	}
	inst, err := jsonschema.UnmarshalJSON(strings.NewReader(string(body)))
	if err != nil {
		return err
	}
	return sch.Validate(inst)
}

func (v *Validator) resolve(ptr string) any {
	var cur any = v.doc
	for _, tok := range strings.Split(strings.TrimPrefix(ptr, "/"), "/") {
		m, _ := cur.(map[string]any)
		cur = m[strings.NewReplacer("~1", "/", "~0", "~").Replace(tok)]
	}
	return cur
}

// escape escapes a JSON pointer token.
func escape(s string) string { return strings.NewReplacer("~", "~0", "/", "~1").Replace(s) }

func isJSON(mt string) bool {
	return mt == "application/json" || strings.HasSuffix(mt, "+json")
}
