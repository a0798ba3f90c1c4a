package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/socle/socle/internal/auth"
	"github.com/socle/socle/internal/ckan"
	"github.com/socle/socle/internal/errs"
)

// The CKAN Action API (version 3) under /api/3/action/{name}: a read-only
// subset for CKAN clients and harvesters (ckanapi, CKAN's own harvesters,
// data.gouv.fr-style aggregators). Mapping and parsing are in
// internal/ckan; every answer is CKAN's envelope, errors included.

// maxCKANBody bounds a POSTed action body.
const maxCKANBody = 1 << 20

// ckanAction answers one action with its result.
type ckanAction func(ctx context.Context, r *http.Request, p ckanParams) (any, error)

func (s *Server) routesCKAN() {
	s.mux.HandleFunc("GET /api/3", s.handleCKANVersion)
	s.mux.HandleFunc("GET /api/3/action/{action}", s.handleCKAN)
	s.mux.HandleFunc("POST /api/3/action/{action}", s.handleCKAN)
}

func (s *Server) ckanActions() map[string]ckanAction {
	return map[string]ckanAction{
		"status_show":       s.ckanStatusShow,
		"package_list":      s.ckanPackageList,
		"package_search":    s.ckanPackageSearch,
		"package_show":      s.ckanPackageShow,
		"organization_list": s.ckanOrganizationList,
		"organization_show": s.ckanOrganizationShow,
		"resource_show":     s.ckanResourceShow,
		"datastore_search":  s.ckanDatastoreSearch,
	}
}

// serveCKAN is ServeHTTP for /api/3/: CKAN's error envelope, and API keys
// as CKAN clients send them.
func (s *Server) serveCKAN(w http.ResponseWriter, r *http.Request) {
	if ckanCORS(w, r) {
		return
	}
	if _, pattern := s.mux.Handler(r); pattern == "" {
		s.writeCKANError(w, r, errs.WithCode(errs.Invalid, "Bad Request", "Bad request - not a CKAN action: %s %s", r.Method, r.URL.Path))
		return
	}
	p, err := s.authenticateCKAN(r)
	if err != nil {
		s.writeCKANError(w, r, err)
		return
	}
	s.mux.ServeHTTP(w, r.WithContext(withPrincipal(r.Context(), p)))
}

// ckanCORS opens the read-only CKAN API to browser applications of any
// origin, as cors does for the Explore API, with POST and a JSON body
// allowed, since CKAN clients POST their actions.
func ckanCORS(w http.ResponseWriter, r *http.Request) bool {
	h := w.Header()
	h.Set("Access-Control-Allow-Origin", "*")
	if r.Method != http.MethodOptions {
		return false
	}
	h.Set("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
	h.Set("Access-Control-Allow-Headers", "Authorization, Content-Type, X-CKAN-API-Key")
	h.Set("Access-Control-Max-Age", "86400")
	w.WriteHeader(http.StatusNoContent)
	return true
}

// authenticateCKAN reads the key from CKAN's Authorization header (the
// bare token, as CKAN clients send it, or Socle's "Apikey KEY" and
// "Bearer KEY"), the legacy X-CKAN-API-Key header, or ?apikey=. A wrong
// key is refused, as on Socle's other APIs.
func (s *Server) authenticateCKAN(r *http.Request) (auth.Principal, error) {
	key := r.URL.Query().Get("apikey")
	if h := strings.TrimSpace(r.Header.Get("X-CKAN-API-Key")); h != "" {
		key = h
	}
	if h := strings.TrimSpace(r.Header.Get("Authorization")); h != "" {
		key = h
		if scheme, value, ok := strings.Cut(h, " "); ok {
			switch strings.ToLower(scheme) {
			case "apikey", "bearer", "token":
				key = strings.TrimSpace(value)
			}
		}
	}
	if key == "" {
		return auth.Principal{}, nil
	}
	return s.app.Authenticate(r.Context(), key)
}

func (s *Server) handleCKANVersion(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]int{"version": 3})
}

func (s *Server) handleCKAN(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("action")
	act, ok := s.ckanActions()[name]
	if !ok {
		s.writeCKANError(w, r, errs.WithCode(errs.Invalid, "Bad Request", "Bad request - Action name not known: %s", name))
		return
	}
	params, err := readCKANParams(r)
	if err != nil {
		s.writeCKANError(w, r, err)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), s.limits.QueryTimeout)
	defer cancel()
	res, err := act(ctx, r, params)
	if err != nil {
		s.writeCKANError(w, r, err)
		return
	}
	if stream, ok := res.(ckanStream); ok {
		stream(w) // wrote the envelope itself
		return
	}
	writeJSON(w, http.StatusOK, ckanEnvelope{Help: ckanHelp(r, name), Success: true, Result: res})
}

// ckanStream is a result that writes its own envelope (large answers).
type ckanStream func(w http.ResponseWriter)

type ckanEnvelope struct {
	Help    string `json:"help"`
	Success bool   `json:"success"`
	Result  any    `json:"result"`
}

type ckanErrorEnvelope struct {
	Help    string `json:"help"`
	Success bool   `json:"success"`
	Error   any    `json:"error"`
}

func ckanHelp(r *http.Request, action string) string {
	return baseURL(r) + "/api/3/action/help_show?name=" + action
}

// writeCKANError answers err in CKAN's error shape and with CKAN's status
// for its __type.
func (s *Server) writeCKANError(w http.ResponseWriter, r *http.Request, err error) {
	k := errs.KindOf(err)
	if k == errs.Internal {
		s.logger.Error("ckan request failed", "path", r.URL.Path, "err", err)
	}
	body := map[string]any{}
	typ, code := "Internal Server Error", http.StatusInternalServerError
	var fe *ckan.FieldError
	switch {
	case errors.As(err, &fe):
		typ, code = "Validation Error", http.StatusConflict
		body[fe.Field] = []string{errs.Message(fe.Err)}
	case k == errs.NotFound:
		typ, code = "Not Found Error", http.StatusNotFound
	case k == errs.Unauthorized || k == errs.Forbidden:
		typ, code = "Authorization Error", http.StatusForbidden
	case k == errs.Invalid && errs.CodeOf(err) != "":
		typ, code = errs.CodeOf(err), http.StatusBadRequest // Search Query Error, Bad Request
	case k == errs.Invalid || k == errs.TooLarge:
		typ, code = "Validation Error", http.StatusConflict
	case k == errs.Unavailable:
		typ, code = "Search Error", http.StatusServiceUnavailable
	}
	if len(body) == 0 {
		body["message"] = errs.Message(err)
	}
	body["__type"] = typ
	name := r.PathValue("action")
	writeJSON(w, code, ckanErrorEnvelope{Help: ckanHelp(r, name), Success: false, Error: body})
}

// ckanParams are an action's parameters as JSON values: the POSTed object,
// or the query string (a value that is not JSON is a string).
type ckanParams map[string]json.RawMessage

func readCKANParams(r *http.Request) (ckanParams, error) {
	p := ckanParams{}
	for k, vals := range r.URL.Query() {
		p.setText(k, vals[len(vals)-1])
	}
	if r.Method != http.MethodPost {
		return p, nil
	}
	body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, maxCKANBody))
	if err != nil {
		return nil, errs.E(errs.TooLarge, "request body over %d bytes", maxCKANBody)
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return p, nil
	}
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct == "application/x-www-form-urlencoded" {
		r.Body = io.NopCloser(bytes.NewReader(body))
		if err := r.ParseForm(); err != nil {
			return nil, errs.WithCode(errs.Invalid, "Bad Request", "Bad request - could not read the form")
		}
		for k, vals := range r.PostForm {
			p.setText(k, vals[len(vals)-1])
		}
		return p, nil
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(body, &obj); err != nil {
		return nil, errs.WithCode(errs.Invalid, "Bad Request", "Bad request - JSON Error: the body must be a JSON object")
	}
	for k, v := range obj {
		p[k] = v
	}
	return p, nil
}

// setText stores a query-string value: JSON when it parses as an object
// or a list (filters, fields, facet.field), else the string.
func (p ckanParams) setText(k, v string) {
	t := strings.TrimSpace(v)
	if (strings.HasPrefix(t, "{") || strings.HasPrefix(t, "[")) && json.Valid([]byte(t)) {
		p[k] = json.RawMessage(t)
		return
	}
	b, _ := json.Marshal(v)
	p[k] = b
}

// str returns parameter k as text: a string as is, a number or a boolean
// as written; "" when absent or null.
func (p ckanParams) str(k string) string {
	raw, ok := p[k]
	if !ok {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	if t := string(bytes.TrimSpace(raw)); t != "null" {
		return t
	}
	return ""
}

// int returns parameter k as a number in [0, max], def when absent; CKAN
// clamps over-large limits rather than refusing them.
func (p ckanParams) int(k string, def, max int) (int, error) {
	s := p.str(k)
	if s == "" {
		return def, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return 0, ckan.Invalid(k, "Invalid integer")
	}
	return min(n, max), nil
}

// bool returns parameter k as a boolean, def when absent.
func (p ckanParams) bool(k string, def bool) (bool, error) {
	s := strings.ToLower(p.str(k))
	switch s {
	case "":
		return def, nil
	case "true", "1", "yes", "on":
		return true, nil
	case "false", "0", "no", "off":
		return false, nil
	}
	return false, ckan.Invalid(k, "Invalid boolean")
}

// list returns parameter k as a list of strings: a JSON list, or one
// string.
func (p ckanParams) list(k string) ([]string, error) {
	raw, ok := p[k]
	if !ok {
		return nil, nil
	}
	var out []string
	if json.Unmarshal(raw, &out) == nil {
		return out, nil
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		if s == "" {
			return nil, nil
		}
		return []string{s}, nil
	}
	return nil, ckan.Invalid(k, "a list of strings is expected")
}
