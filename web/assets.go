package web

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
)

//go:embed static
var staticFS embed.FS

// assets are the embedded static files, served under /static/<version>/
// where version is a digest of them all: URLs change whenever any file
// does, so browsers may cache them for a year, and the relative url()s of
// the vendored stylesheets keep working. Compressible files are gzipped
// once at start-up.
type assets struct {
	version string
	files   map[string]*asset
}

type asset struct {
	body, gz []byte
	ctype    string
}

func loadAssets() (*assets, error) {
	as := &assets{files: map[string]*asset{}}
	h := sha256.New()
	err := fs.WalkDir(staticFS, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := staticFS.ReadFile(p)
		if err != nil {
			return err
		}
		name := strings.TrimPrefix(p, "static/")
		h.Write([]byte(name))
		h.Write(body)
		as.files[name] = newAsset(name, body)
		return nil
	})
	if err != nil {
		return nil, err
	}
	as.version = hex.EncodeToString(h.Sum(nil))[:12]
	return as, nil
}

func newAsset(name string, body []byte) *asset {
	a := &asset{body: body, ctype: mime.TypeByExtension(path.Ext(name))}
	if a.ctype == "" {
		a.ctype = "application/octet-stream"
	}
	switch path.Ext(name) {
	case ".css", ".js", ".svg", ".json", ".txt", ".md":
		var buf bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
		zw.Write(body)
		zw.Close()
		if buf.Len() < len(body) {
			a.gz = buf.Bytes()
		}
	}
	return a
}

// url is the versioned URL of a static file.
func (as *assets) url(name string) string { return "/static/" + as.version + "/" + name }

func (s *Server) handleStatic(w http.ResponseWriter, r *http.Request) {
	a, ok := s.assets.files[r.PathValue("path")]
	if !ok {
		http.NotFound(w, r)
		return
	}
	h := w.Header()
	h.Set("Content-Type", a.ctype)
	h.Set("Vary", "Accept-Encoding")
	if r.PathValue("version") == s.assets.version {
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		h.Set("Cache-Control", "no-cache")
	}
	body := a.body
	if a.gz != nil && strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
		h.Set("Content-Encoding", "gzip")
		body = a.gz
	}
	w.Write(body)
}

// handleFavicon answers browsers that ask for /favicon.ico whatever the
// page says.
func (s *Server) handleFavicon(w http.ResponseWriter, r *http.Request) {
	r.SetPathValue("version", s.assets.version)
	r.SetPathValue("path", "vendor/dsfr/favicon/favicon.ico")
	s.handleStatic(w, r)
}
