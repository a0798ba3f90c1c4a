package web

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"strings"

	"github.com/socle/socle/httpapi"
	"github.com/socle/socle/internal/errs"
)

//go:embed templates/*.html templates/_*.html
var templateFS embed.FS

// parsePages parses every page once: each page template is parsed with the
// layout and the shared partials (templates/_*.html).
func (s *Server) parsePages() (map[string]*template.Template, error) {
	all, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	var shared, pages []string
	for _, f := range all {
		if strings.HasPrefix(path.Base(f), "_") {
			shared = append(shared, f)
		} else {
			pages = append(pages, f)
		}
	}
	out := map[string]*template.Template{}
	for _, p := range pages {
		name := strings.TrimSuffix(path.Base(p), ".html")
		t, err := template.New(name).Funcs(s.funcs()).ParseFS(templateFS, append([]string{p}, shared...)...)
		if err != nil {
			return nil, fmt.Errorf("template %s: %w", name, err)
		}
		out[name] = t
	}
	return out, nil
}

// view is what every page template receives: the page's own data in Data,
// the site and the viewer around it.
type view struct {
	Site   Config
	Viewer *viewer
	Title  string
	Path   string
	Query  string
	Asset  func(string) string
	Flash  string
	Data   any
	Status int
}

// render writes page with data. Templates render into a buffer first so
// that a template error becomes a clean error page, not half a page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, page, title string, data any) {
	t, ok := s.pages[page]
	if !ok {
		s.logger.Error("no such template", "page", page)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	v := &view{Site: s.cfg, Viewer: viewerOf(r), Title: title, Path: r.URL.Path, Query: r.URL.RawQuery,
		Asset: s.assets.url, Flash: r.URL.Query().Get("ok"), Data: data, Status: status}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", v); err != nil {
		s.logger.Error("render", "page", page, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	writePage(w, r, status, buf.Bytes())
}

// errorPage is the data of the error template.
type errorPage struct {
	Message string
}

// renderError shows err as a page with its status. Internal errors are
// logged and shown as a generic message: their text is not for clients.
func (s *Server) renderError(w http.ResponseWriter, r *http.Request, err error) {
	status := httpapi.StatusOf(err)
	msg := s.msgs.T("error.internal")
	switch {
	case status == http.StatusNotFound:
		msg = s.msgs.T("error.notfound")
	case status >= 500:
		s.logger.Error("page failed", "path", r.URL.Path, "err", err)
	default:
		msg = errs.Message(err)
	}
	s.render(w, r, status, "error", s.msgs.T("error.title", status), errorPage{Message: msg})
}
