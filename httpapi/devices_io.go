package httpapi

import (
	"bytes"
	"errors"
	"io"
	"mime"
	"net/http"

	"github.com/socle/socle/internal/errs"
	"github.com/socle/socle/internal/sensors"
)

// The device registry as files: GET /api/v1/devices.csv and .geojson (the
// same devices GET /api/v1/devices lists, optionally of one ?domain=) and
// POST /api/v1/devices/import (see sensors.ReadDevicesCSV for the layouts).

func (s *Server) handleDevicesCSV(w http.ResponseWriter, r *http.Request) {
	s.exportDevices(w, r, "text/csv; charset=utf-8", "devices.csv", sensors.WriteDevicesCSV)
}

func (s *Server) handleDevicesGeoJSON(w http.ResponseWriter, r *http.Request) {
	s.exportDevices(w, r, "application/geo+json", "devices.geojson", sensors.WriteDevicesGeoJSON)
}

// exportDevices writes the registry to a buffer first, so that a failure
// is still answered with an error rather than a truncated file: a registry
// is a few megabytes.
func (s *Server) exportDevices(w http.ResponseWriter, r *http.Request, ctype, name string, write func(io.Writer, []*sensors.Device) error) {
	if err := sensorsReader(principal(r)); err != nil {
		s.writeError(w, r, err)
		return
	}
	ds, err := s.app.Store.Devices(r.Context(), r.URL.Query().Get("domain"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var buf bytes.Buffer
	if err := write(&buf, ds); err != nil {
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	w.Write(buf.Bytes())
}

// handleImportDevices registers the devices of the body, a registry file
// whose Content-Type says its format; all of them or, when one is invalid,
// none.
func (s *Server) handleImportDevices(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	if err := sensorsReader(p); err != nil {
		s.writeError(w, r, err)
		return
	}
	read, err := registryReader(r.Header.Get("Content-Type"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	ds, err := read(http.MaxBytesReader(w, r.Body, sensors.MaxRegistryBytes))
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		err = errs.E(errs.TooLarge, "the file exceeds %d MiB", sensors.MaxRegistryBytes>>20)
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	n, err := s.app.ImportDevices(r.Context(), p, ds)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]int{"imported": n})
}

// registryReader picks the reader of a registry file by its media type.
func registryReader(contentType string) (func(io.Reader) ([]*sensors.Device, error), error) {
	mt, _, _ := mime.ParseMediaType(contentType)
	switch mt {
	case "text/csv":
		return sensors.ReadDevicesCSV, nil
	case "application/geo+json", "application/json":
		return sensors.ReadDevicesGeoJSON, nil
	}
	return nil, errs.E(errs.Invalid, "Content-Type must be text/csv, application/geo+json or application/json, not %q", contentType)
}
