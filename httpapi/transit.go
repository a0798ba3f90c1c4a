package httpapi

import (
	"errors"
	"io"
	"mime"
	"net/http"
	"os"
	"path/filepath"

	"github.com/socle/socle/internal/app"
	"github.com/socle/socle/internal/catalog"
	"github.com/socle/socle/internal/errs"
	"github.com/socle/socle/internal/transit"
)

// GTFS imports (internal/app/transit.go, docs/transit.md): POST
// /api/socle/v1/gtfs?prefix=NAME[&org=ORG][&access=…] with the zip as the
// body, or as the part "file" of a multipart form, publishes the feed's
// stops, routes and timetable datasets, for producers and stewards.

func (s *Server) routesTransit() {
	s.mux.HandleFunc("POST /api/socle/v1/gtfs", s.handleGTFSImport)
}

func (s *Server) handleGTFSImport(w http.ResponseWriter, r *http.Request) {
	p, err := requireUser(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	path, err := s.spoolGTFS(w, r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	defer os.RemoveAll(filepath.Dir(path))
	f, err := os.Open(path)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	arch, err := transit.OpenArchive(f, st.Size(), transit.DefaultLimits)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	v := r.URL.Query()
	sum, err := s.app.ImportGTFS(r.Context(), p, arch, app.GTFSImport{Prefix: v.Get("prefix"), Org: v.Get("org"), Access: catalog.Access(v.Get("access"))})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, sum)
}

// spoolGTFS writes the zip to a private temporary file (a zip is read from
// its end), the body itself or the multipart part "file", within the
// upload limit.
func (s *Server) spoolGTFS(w http.ResponseWriter, r *http.Request) (string, error) {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt != "multipart/form-data" {
		return s.spool(w, r)
	}
	if r.ContentLength > s.limits.MaxUpload {
		return "", errs.E(errs.TooLarge, "the upload exceeds %d bytes", s.limits.MaxUpload)
	}
	r.Body = http.MaxBytesReader(w, r.Body, s.limits.MaxUpload)
	mr, err := r.MultipartReader()
	if err != nil {
		return "", errs.Wrap(errs.Invalid, err, "the form cannot be read")
	}
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			return "", errs.E(errs.Invalid, "the form has no part named file")
		} else if err != nil {
			return "", tooLargeOr(err, s.limits.MaxUpload)
		}
		if part.FormName() == "file" {
			return spoolReader(part, s.limits.MaxUpload)
		}
		part.Close()
	}
}

func spoolReader(src io.Reader, limit int64) (string, error) {
	dir, err := os.MkdirTemp("", "socle-gtfs-")
	if err != nil {
		return "", err
	}
	path := filepath.Join(dir, "feed.zip")
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_EXCL, 0o600)
	if err == nil {
		_, err = io.Copy(f, src)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		os.RemoveAll(dir)
		return "", tooLargeOr(err, limit)
	}
	return path, nil
}

func tooLargeOr(err error, limit int64) error {
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return errs.E(errs.TooLarge, "the upload exceeds %d bytes", limit)
	}
	return errs.Wrap(errs.Invalid, err, "the upload was interrupted")
}
