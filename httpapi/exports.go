package httpapi

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/socle/socle/internal/app"
	"github.com/socle/socle/internal/auth"
	"github.com/socle/socle/internal/errs"
	"github.com/socle/socle/internal/export"
	"github.com/socle/socle/internal/pipe"
	"github.com/socle/socle/internal/records"
)

var exportFormats = []string{"csv", "json", "jsonl", "geojson", "parquet", "xlsx"}

func (s *Server) handleExportList(w http.ResponseWriter, r *http.Request) {
	d, err := s.app.Dataset(r.Context(), principal(r), r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	base := baseURL(r) + "/api/explore/v2.1/catalog/datasets/" + d.ID + "/exports/"
	var links []odsLink
	for _, f := range exportFormats {
		if f == "geojson" && !d.HasGeo() {
			continue
		}
		links = append(links, odsLink{Rel: f, Href: base + f})
	}
	writeJSON(w, http.StatusOK, map[string]any{"links": links})
}

// handleExport streams a whole dataset (or its filtered part): no page caps.
func (s *Server) handleExport(w http.ResponseWriter, r *http.Request) {
	s.ServeExport(w, r, principal(r), r.PathValue("id"), r.PathValue("format"))
}

// ServeExport streams dataset id in format as p, with the export parameters
// of r's query. The web portal serves its downloads through it, as the
// session's user. Exports are bounded in number: each holds a database
// reader for as long as the client reads. Each complete export counts as a
// download, and the size of an unfiltered one is noted for download pages.
func (s *Server) ServeExport(w http.ResponseWriter, r *http.Request, p auth.Principal, id, format string) {
	select {
	case s.exports <- struct{}{}:
		defer func() { <-s.exports }()
	default:
		w.Header().Set("Retry-After", "30")
		s.writeError(w, r, errs.E(errs.Unavailable, "too many exports in progress; try again shortly"))
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), s.limits.ExportTimeout)
	defer cancel()
	hw := &headerWriter{w: w}
	n, err := Export(ctx, s.app, p, id, format, r.URL.Query(), hw)
	switch {
	case err != nil && !hw.began:
		s.writeError(w, r, err)
	case err != nil:
		// The status is sent: reset the connection so that the client sees
		// a broken transfer, never a complete-looking truncated file.
		s.logger.Error("export interrupted", "dataset", id, "rows", n, "err", err)
		panic(http.ErrAbortHandler)
	default:
		if !hw.began {
			hw.begin() // an empty export still gets its download headers
		}
		s.app.CountDownload(id)
		if unfiltered(r.URL.Query()) {
			s.app.NoteExportSize(id, hw.version, format, hw.bytes)
		}
	}
}

// unfiltered reports whether export parameters v select the whole dataset
// in its default shape.
func unfiltered(v url.Values) bool {
	for k := range v {
		if k != "apikey" {
			return false
		}
	}
	return true
}

// headerWriter sets the download headers when the export starts writing.
type headerWriter struct {
	w       http.ResponseWriter
	ct      string
	name    string
	began   bool
	bytes   int64
	version int // of the dataset exported
}

func (h *headerWriter) begin() {
	h.began = true
	h.w.Header().Set("Content-Type", h.ct)
	h.w.Header().Set("Content-Disposition", `attachment; filename="`+h.name+`"`)
	h.w.WriteHeader(http.StatusOK)
}

func (h *headerWriter) Write(p []byte) (int, error) {
	if !h.began {
		h.begin()
	}
	n, err := h.w.Write(p)
	h.bytes += int64(n)
	return n, err
}

// Export writes dataset id in format to w with the ODS export parameters of
// v (where, select, order_by, group_by, limit, refine, exclude, CSV options).
// It is shared by the HTTP endpoint and the CLI. Reads of non-public data
// are audited with the number of rows actually written, interrupted or not.
func Export(ctx context.Context, a *app.App, p auth.Principal, id, formatName string, v url.Values, w io.Writer) (n int64, err error) {
	format, opts, err := exportOptions(formatName, v)
	if err != nil {
		return 0, err
	}
	q, err := parseQuery(v, modeExport)
	if err != nil {
		return 0, err
	}
	d, err := a.Dataset(ctx, p, id)
	if err != nil {
		return 0, err
	}
	if d.Version == 0 {
		return 0, errs.E(errs.NotFound, "dataset %q has no records yet", d.ID)
	}
	if hw, ok := w.(*headerWriter); ok {
		hw.ct, hw.name, hw.version = format.ContentType(), d.ID+"."+format.Extension(), d.Version
	}
	rows, err := a.Store.Query(ctx, d, q)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	opts.Title = d.Meta.Title
	ew, err := export.NewWriter(format, w, rows.Columns(), opts)
	if err != nil {
		return 0, err
	}
	defer func() {
		action := "records.export"
		if err != nil {
			action = "records.export.interrupted"
		}
		a.AuditRead(ctx, p, d, action, n)
	}()
	return copyRows(ew, rows)
}

// copyRows writes every row to ew and closes it. Reading rows (the driver
// and value conversion) runs in its own goroutine, ahead of the encoding.
func copyRows(ew export.Writer, rows records.Rows) (int64, error) {
	src := pipe.New(rows.Next)
	defer src.Close()
	var n int64
	for {
		row, err := src.Next()
		if err == io.EOF {
			break
		} else if err != nil {
			return n, err
		}
		if err := ew.Write(row); err != nil {
			return n, err
		}
		n++
	}
	return n, ew.Close()
}

// exportOptions reads the format and the CSV options of ODS exports.
func exportOptions(name string, v url.Values) (export.Format, export.Options, error) {
	format, err := export.ParseFormat(name)
	if err != nil {
		return "", export.Options{}, errs.E(errs.Invalid, "unknown export format %q (csv, json, jsonl, geojson, parquet, xlsx)", name)
	}
	opts := export.Options{Delimiter: ';', WithBOM: true}
	if d := v.Get("delimiter"); d != "" {
		r, size := utf8.DecodeRuneInString(d)
		if size != len(d) || strings.ContainsRune("\"\r\n", r) {
			return "", opts, errs.E(errs.Invalid, "delimiter must be one character")
		}
		opts.Delimiter = r
	}
	opts.WithBOM = boolParam(v, "with_bom", true)
	opts.QuoteAll = boolParam(v, "quote_all", false)
	opts.ListSeparator = v.Get("list_separator")
	return format, opts, nil
}

func boolParam(v url.Values, name string, def bool) bool {
	switch strings.ToLower(v.Get(name)) {
	case "true", "1", "yes":
		return true
	case "false", "0", "no":
		return false
	}
	return def
}
