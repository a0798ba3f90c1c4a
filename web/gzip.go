package web

import (
	"compress/gzip"
	"net/http"
	"strings"
)

// Compression. Static assets are gzipped once at start-up (assets.go).
// Pages are gzipped only when they hold no secret: compressing a page that
// carries an anti-forgery token next to text the visitor controls (a
// search query) would open it to BREACH-style guessing, so pages of a
// session, and the login page, go out as they are. Downloads of text
// formats are gzipped on the fly (at the fastest level: exports are
// streamed and must keep their pace).

// minGzip is the size under which compressing is not worth it.
const minGzip = 1024

func acceptsGzip(r *http.Request) bool {
	return strings.Contains(r.Header.Get("Accept-Encoding"), "gzip")
}

// writePage writes a rendered page, compressed when that is safe.
func writePage(w http.ResponseWriter, r *http.Request, status int, body []byte) {
	h := w.Header()
	h.Add("Vary", "Accept-Encoding")
	v := viewerOf(r)
	if len(body) < minGzip || !acceptsGzip(r) || v.LoggedIn() || v.CSRF != "" {
		w.WriteHeader(status)
		w.Write(body)
		return
	}
	h.Set("Content-Encoding", "gzip")
	w.WriteHeader(status)
	zw, _ := gzip.NewWriterLevel(w, gzip.DefaultCompression)
	zw.Write(body)
	zw.Close()
}

// gzipWriter compresses a streamed response.
type gzipWriter struct {
	http.ResponseWriter
	zw *gzip.Writer
}

func (g *gzipWriter) Write(p []byte) (int, error) { return g.zw.Write(p) }

// compressible are the export formats worth compressing (Parquet and XLSX
// are compressed already).
var compressible = map[string]bool{"csv": true, "json": true, "jsonl": true, "geojson": true}

// gzipResponse wraps w for format when the client accepts gzip; the
// returned function ends the stream.
func gzipResponse(w http.ResponseWriter, r *http.Request, format string) (http.ResponseWriter, func()) {
	if !compressible[format] || !acceptsGzip(r) {
		return w, func() {}
	}
	w.Header().Set("Content-Encoding", "gzip")
	w.Header().Add("Vary", "Accept-Encoding")
	zw, _ := gzip.NewWriterLevel(w, gzip.BestSpeed)
	return &gzipWriter{ResponseWriter: w, zw: zw}, func() { zw.Close() }
}
