package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/socle/socle/internal/auth"
	"github.com/socle/socle/internal/catalog"
	"github.com/socle/socle/internal/errs"
	"github.com/socle/socle/internal/importer"
	"github.com/socle/socle/internal/ingest"
	"github.com/socle/socle/internal/tableschema"
)

// The management API (/api/socle/v1) is Socle's own: uploads and metadata
// for producers and stewards. It authenticates by API key only (header or
// parameter, never a cookie), so cross-site requests cannot ride on a
// browser session.

// requireUser refuses anonymous callers.
func requireUser(r *http.Request) (auth.Principal, error) {
	p := principal(r)
	if p.Anonymous() {
		return p, errs.E(errs.Unauthorized, "an API key is required")
	}
	return p, nil
}

// handleUpload imports the request body into dataset {id}. The body is the
// file itself; query parameters: mode, format, encoding, title, access, org.
// It is spooled to a temporary file (imports read their input twice) within
// the upload limit, then imported atomically.
func (s *Server) handleUpload(w http.ResponseWriter, r *http.Request) {
	p, err := requireUser(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	path, err := s.spool(w, r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	defer os.RemoveAll(filepath.Dir(path))
	v := r.URL.Query()
	req := importer.Request{
		Path:    path,
		Options: ingest.Options{Format: ingest.Format(v.Get("format")), Encoding: v.Get("encoding")},
		Dataset: catalog.Dataset{ID: r.PathValue("id"), Access: catalog.Access(v.Get("access")),
			Meta: catalog.Metadata{Title: v.Get("title"), Publisher: v.Get("org")}},
		Mode: catalog.LoadMode(v.Get("mode")),
	}
	if k := v.Get("key"); k != "" {
		req.Keys = strings.Split(k, ",")
	}
	if ix := v.Get("index"); ix != "" {
		req.Index = strings.Split(ix, ",")
	}
	if sch := v.Get("schema"); sch != "" {
		if req.Schema, err = tableschema.Parse(strings.NewReader(sch)); err != nil {
			s.writeError(w, r, errs.Wrap(errs.Invalid, err, "invalid Table Schema: %v", err))
			return
		}
	}
	sum, err := importer.Import(r.Context(), s.app, p, req)
	if err == nil {
		s.refreshCatalog(r.Context())
	}
	if err != nil {
		if sum != nil && sum.Report != nil && !sum.Report.Valid {
			writeJSON(w, http.StatusBadRequest, map[string]any{"error_code": "ValidationError", "message": errs.Message(err), "report": sum.Report})
			return
		}
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, sum)
}

// spool copies the body to a private temporary file, refusing bodies over
// the upload limit with 413.
func (s *Server) spool(w http.ResponseWriter, r *http.Request) (string, error) {
	if r.ContentLength > s.limits.MaxUpload {
		return "", errs.E(errs.TooLarge, "the upload exceeds %d bytes", s.limits.MaxUpload)
	}
	dir, err := os.MkdirTemp("", "socle-upload-")
	if err != nil {
		return "", err
	}
	name := filepath.Base(r.URL.Query().Get("filename"))
	if name == "." || name == "/" || name == "" {
		name = "upload"
	}
	path := filepath.Join(dir, name)
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_EXCL, 0o600)
	if err != nil {
		os.RemoveAll(dir)
		return "", err
	}
	_, err = io.Copy(f, http.MaxBytesReader(w, r.Body, s.limits.MaxUpload))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		os.RemoveAll(dir)
		return "", errs.E(errs.TooLarge, "the upload exceeds %d bytes", s.limits.MaxUpload)
	} else if err != nil {
		os.RemoveAll(dir)
		return "", errs.Wrap(errs.Invalid, err, "the upload was interrupted")
	}
	return path, nil
}

// metadataUpdate is the body of PUT /api/socle/v1/datasets/{id}. It is a
// merge: the keys present replace the current values, the others stay.
type metadataUpdate struct {
	Access *catalog.Access `json:"access"`
	Meta   json.RawMessage `json:"meta"`
}

func (s *Server) handleUpdateDataset(w http.ResponseWriter, r *http.Request) {
	p, err := requireUser(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	d, err := s.app.Dataset(r.Context(), p, r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var u metadataUpdate
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&u); err != nil {
		s.writeError(w, r, errs.Wrap(errs.Invalid, err, "invalid JSON body: %v", err))
		return
	}
	if u.Access != nil {
		d.Access = *u.Access
	}
	if u.Meta != nil {
		schema := d.Meta.TableSchemaJSON // set by imports only
		mdec := json.NewDecoder(bytes.NewReader(u.Meta))
		mdec.DisallowUnknownFields()
		if err := mdec.Decode(&d.Meta); err != nil {
			s.writeError(w, r, errs.Wrap(errs.Invalid, err, "invalid metadata: %v", err))
			return
		}
		d.Meta.TableSchemaJSON = schema
	}
	if err := s.app.UpdateDataset(r.Context(), p, d); err != nil {
		s.writeError(w, r, err)
		return
	}
	s.refreshCatalog(r.Context())
	writeJSON(w, http.StatusOK, toODSDataset(d, baseURL(r)))
}

func (s *Server) handleRestore(w http.ResponseWriter, r *http.Request) {
	p, err := requireUser(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	version, _ := strconv.Atoi(r.URL.Query().Get("version"))
	if err := s.app.Restore(r.Context(), p, r.PathValue("id"), version); err != nil {
		s.writeError(w, r, err)
		return
	}
	s.refreshCatalog(r.Context())
	writeJSON(w, http.StatusOK, map[string]string{"status": "restored"})
}

// refreshCatalog rebuilds the catalog index after a change that is already
// published: a failure is logged, not reported as the change failing (the
// index is rebuilt at the next change and at start-up).
func (s *Server) refreshCatalog(ctx context.Context) {
	if err := s.app.RefreshCatalog(context.WithoutCancel(ctx)); err != nil {
		s.logger.Error("catalog index refresh failed", "err", err)
	}
}

func (s *Server) handleAudit(w http.ResponseWriter, r *http.Request) {
	p, err := requireUser(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if !p.Is(auth.RoleAdmin, auth.RoleSteward) {
		s.writeError(w, r, errs.E(errs.Forbidden, "the audit log is for admins and stewards"))
		return
	}
	if err := s.app.FlushAudit(r.Context()); err != nil {
		s.writeError(w, r, errs.Wrap(errs.Unavailable, err, "audit log busy"))
		return
	}
	limit, _ := strconv.Atoi(r.URL.Query().Get("limit"))
	if limit <= 0 || limit > 1000 {
		limit = 100
	}
	entries, err := s.app.Store.Audit(r.Context(), r.URL.Query().Get("target"), limit)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"results": nonNil(entries)})
}
