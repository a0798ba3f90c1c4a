package httpapi

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/socle/socle/internal/app"
	"github.com/socle/socle/internal/auth"
	"github.com/socle/socle/internal/errs"
	"github.com/socle/socle/internal/sensors"
)

// Limits of the sensors API.
const (
	maxObservationBody = 16 << 20 // bytes of one POST /observations
	maxReadings        = 100000   // readings in one POST
	maxRawRows         = 10000    // raw observations returned at once
	maxBuckets         = 10000    // aggregate buckets returned at once
)

// sensorsReader answers the caller who may not read the sensor registry:
// anonymous callers are told to authenticate; others get a 404, since what
// they may not see does not exist for them.
func sensorsReader(p auth.Principal) error {
	if p.Anonymous() {
		return errs.E(errs.Unauthorized, "an API key is required")
	}
	if !app.CanSeeDevices(p) {
		return errs.E(errs.NotFound, "no such endpoint")
	}
	return nil
}

func (s *Server) handlePostObservations(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	if p.Anonymous() {
		s.writeError(w, r, errs.E(errs.Unauthorized, "an API key is required"))
		return
	}
	var rs []app.Reading
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxObservationBody))
	if err := dec.Decode(&rs); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			s.writeError(w, r, errs.E(errs.TooLarge, "the body exceeds %d bytes: send smaller batches", maxObservationBody))
			return
		}
		s.writeError(w, r, errs.Wrap(errs.Invalid, err, "the body must be a JSON array of {device, property, time, value}: %v", err))
		return
	}
	if len(rs) > maxReadings {
		s.writeError(w, r, errs.E(errs.TooLarge, "at most %d observations per request", maxReadings))
		return
	}
	res, err := s.app.IngestReadings(r.Context(), p, rs)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, res)
}

func (s *Server) handleDevices(w http.ResponseWriter, r *http.Request) {
	if err := sensorsReader(principal(r)); err != nil {
		s.writeError(w, r, err)
		return
	}
	ds, err := s.app.Store.Devices(r.Context(), r.URL.Query().Get("domain"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"total_count": len(ds), "results": nonNil(ds)})
}

func (s *Server) handleDevice(w http.ResponseWriter, r *http.Request) {
	d, err := s.device(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, d)
}

// device is the device of the path, for a caller who may see devices.
func (s *Server) device(r *http.Request) (*sensors.Device, error) {
	if err := sensorsReader(principal(r)); err != nil {
		return nil, err
	}
	return s.app.Store.Device(r.Context(), r.PathValue("device"))
}

func (s *Server) handlePutDevice(w http.ResponseWriter, r *http.Request) {
	if err := sensorsReader(principal(r)); err != nil {
		s.writeError(w, r, err)
		return
	}
	var d sensors.Device
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&d); err != nil {
		s.writeError(w, r, errs.Wrap(errs.Invalid, err, "the body must be a device in JSON: %v", err))
		return
	}
	d.ID = r.PathValue("device")
	if err := s.app.PutDevice(r.Context(), principal(r), &d); err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, &d)
}

func (s *Server) handleLatest(w http.ResponseWriter, r *http.Request) {
	if err := sensorsReader(principal(r)); err != nil {
		s.writeError(w, r, err)
		return
	}
	var ids []string
	if domain := r.URL.Query().Get("domain"); domain != "" {
		ds, err := s.app.Store.Devices(r.Context(), domain)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		ids = make([]string, 0, len(ds))
		for _, d := range ds {
			ids = append(ids, d.ID)
		}
	}
	if id := r.PathValue("device"); id != "" {
		if _, err := s.device(r); err != nil {
			s.writeError(w, r, err)
			return
		}
		ids = []string{id}
	}
	ls, err := s.app.Store.Latest(r.Context(), ids)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"total_count": len(ls), "results": nonNil(ls)})
}

func (s *Server) handleDeviceObservations(w http.ResponseWriter, r *http.Request) {
	d, err := s.device(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	from, to, err := timeRange(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	limit := 1000
	if v := r.URL.Query().Get("limit"); v != "" {
		if limit, err = strconv.Atoi(v); err != nil || limit < 1 || limit > maxRawRows {
			s.writeError(w, r, restError("limit must be between 1 and %d", maxRawRows))
			return
		}
	}
	obs, err := s.app.Store.Observations(r.Context(), d.ID, from, to, limit)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"total_count": len(obs), "results": nonNil(obs)})
}

func (s *Server) handleAggregates(w http.ResponseWriter, r *http.Request) {
	d, err := s.device(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	q, err := aggregateQuery(r, d)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	bs, err := s.app.Store.Aggregate(r.Context(), q)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"device": d.ID, "property": q.Property, "bucket": r.URL.Query().Get("bucket"), "results": nonNil(bs)})
}

func aggregateQuery(r *http.Request, d *sensors.Device) (sensors.AggregateQuery, error) {
	v := r.URL.Query()
	q := sensors.AggregateQuery{Device: d.ID, Property: v.Get("property")}
	if _, ok := d.Property(q.Property); !ok {
		return q, restError("unknown property %q of device %s", q.Property, d.ID)
	}
	var err error
	if q.From, q.To, err = timeRange(r); err != nil {
		return q, err
	}
	if q.Width, err = parseBucket(v.Get("bucket")); err != nil {
		return q, err
	}
	if q.To.Sub(q.From)/q.Width > maxBuckets {
		return q, restError("more than %d buckets: widen the bucket or narrow the range", maxBuckets)
	}
	return q, nil
}

// parseBucket reads a bucket width: a Go duration (10m, 1h) or a number of
// days (1d, 7d). Default one hour.
func parseBucket(s string) (time.Duration, error) {
	if s == "" {
		return time.Hour, nil
	}
	if n, ok := strings.CutSuffix(s, "d"); ok {
		days, err := strconv.Atoi(n)
		if err != nil || days < 1 || days > 366 {
			return 0, restError("bucket %q: use 10m, 1h, 1d…", s)
		}
		return time.Duration(days) * 24 * time.Hour, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < time.Second {
		return 0, restError("bucket %q: use 10m, 1h, 1d…", s)
	}
	return d, nil
}

// timeRange reads from and to (RFC 3339); defaults: the last 24 hours.
func timeRange(r *http.Request) (time.Time, time.Time, error) {
	v := r.URL.Query()
	to, from := time.Now().UTC(), time.Time{}
	var err error
	if s := v.Get("to"); s != "" {
		if to, err = time.Parse(time.RFC3339, s); err != nil {
			return from, to, restError("to: %q is not an RFC 3339 time", s)
		}
	}
	from = to.Add(-24 * time.Hour)
	if s := v.Get("from"); s != "" {
		if from, err = time.Parse(time.RFC3339, s); err != nil {
			return from, to, restError("from: %q is not an RFC 3339 time", s)
		}
	}
	if !from.Before(to) {
		return from, to, restError("from must be before to")
	}
	return from, to, nil
}

func (s *Server) handleQuarantine(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	if err := sensorsReader(p); err != nil {
		s.writeError(w, r, err)
		return
	}
	if !p.Is(auth.RoleAdmin, auth.RoleSteward) {
		s.writeError(w, r, errs.E(errs.NotFound, "no such endpoint"))
		return
	}
	qs, err := s.app.Store.QuarantineList(r.Context(), 500)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"total_count": len(qs), "results": nonNil(qs)})
}
