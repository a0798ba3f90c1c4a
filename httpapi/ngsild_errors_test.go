package httpapi

import (
	"errors"
	"testing"

	"github.com/socle/socle/internal/errs"
)

func TestProblemOfMapsKindsAndNames(t *testing.T) {
	for _, tc := range []struct {
		name   string
		err    error
		status int
		typ    string
		detail string
	}{
		{"bad data", errs.E(errs.Invalid, "bad"), 400, "BadRequestData", "bad"},
		{"malformed JSON", errs.WithCode(errs.Invalid, "InvalidRequest", "x"), 400, "InvalidRequest", "x"},
		{"not found", errs.E(errs.NotFound, "gone"), 404, "ResourceNotFound", "gone"},
		{"already exists", errs.WithCode(errs.Conflict, "AlreadyExists", "dup"), 409, "AlreadyExists", "dup"},
		{"too many results", errs.WithCode(errs.Forbidden, "TooManyResults", "limit"), 403, "TooManyResults", "limit"},
		{"unknown context", errs.WithCode(errs.Unavailable, "LdContextNotAvailable", "ctx"), 503, "LdContextNotAvailable", "ctx"},
		{"operation not supported", errs.WithCode(errs.Invalid, "OperationNotSupported", "no"), 422, "OperationNotSupported", "no"},
		{"media type", errs.WithCode(errs.Invalid, "UnsupportedMediaType", "ct"), 415, "UnsupportedMediaType", "ct"},
		{"not acceptable", errs.WithCode(errs.Invalid, "NotAcceptable", "acc"), 406, "NotAcceptable", "acc"},
		{"unauthorized", errs.E(errs.Unauthorized, "key"), 401, "Unauthorized", "key"},
		{"too large", errs.E(errs.TooLarge, "big"), 413, "RequestEntityTooLarge", "big"},
		{"internal, detail hidden", errors.New("pq: secret table"), 500, "InternalError", "internal error"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := problemOf(tc.err)
			if p.Status != tc.status || p.Type != "https://uri.etsi.org/ngsi-ld/errors/"+tc.typ || p.Detail != tc.detail || p.Title == "" {
				t.Errorf("got %+v", p)
			}
		})
	}
}
