package httpapi

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"

	"github.com/socle/socle/internal/errs"
)

// StatusOf is the HTTP status of err, for the API and the web pages alike.
func StatusOf(err error) int { return status(errs.KindOf(err)) }

// status maps each error kind to its HTTP status: the one place where this
// mapping lives.
func status(k errs.Kind) int {
	switch k {
	case errs.Invalid:
		return http.StatusBadRequest
	case errs.NotFound:
		return http.StatusNotFound
	case errs.Conflict:
		return http.StatusConflict
	case errs.Unauthorized:
		return http.StatusUnauthorized
	case errs.Forbidden:
		return http.StatusForbidden
	case errs.TooLarge:
		return http.StatusRequestEntityTooLarge
	case errs.Unavailable:
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

// odsErrorCode is the error_code an Opendatasoft client expects per kind.
func odsErrorCode(k errs.Kind) string {
	switch k {
	case errs.Invalid:
		return "ODSQLError"
	case errs.NotFound:
		return "NotFound"
	case errs.Unauthorized:
		return "InvalidAPIKey"
	case errs.Forbidden:
		return "Forbidden"
	case errs.TooLarge:
		return "PayloadTooLarge"
	case errs.Unavailable:
		return "Unavailable"
	}
	return "InternalError"
}

// odsError is the error body of the Explore API.
type odsError struct {
	ErrorCode string `json:"error_code"`
	Message   string `json:"message"`
}

// writeError answers err in the ODS error shape. Internal errors are logged
// with their detail and answered with a generic message.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	k := errs.KindOf(err)
	if k == errs.Internal {
		s.logger.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	} else {
		s.logger.Debug("request refused", "path", r.URL.Path, "kind", k.String(), "err", err)
	}
	code := errs.CodeOf(err)
	if code == "" {
		code = odsErrorCode(k)
	}
	if code == "ODSQLError" && !strings.HasPrefix(r.URL.Path, "/api/explore/") {
		code = "InvalidRequest" // ODSQLError names a query error of the Explore API only
	}
	writeJSON(w, status(k), odsError{ErrorCode: code, Message: errs.Message(err)})
}

// nonNil makes an empty list answer [] rather than null, so that clients
// (and the OpenAPI document) see one type for "results".
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(code)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		slog.Debug("write json", "err", err)
	}
}
