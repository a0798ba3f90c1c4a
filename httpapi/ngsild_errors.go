package httpapi

import (
	"encoding/json"
	"net/http"

	"github.com/socle/socle/internal/errs"
	"github.com/socle/socle/internal/ngsild"
)

// problemOf maps an error to its NGSI-LD ProblemDetails: the status from
// the error's kind (status, the API-wide mapping), except
// OperationNotSupported (422, as ETSI specifies) and the media-type
// refusals (415, 406); the type from its
// NGSI-LD name. The one place where NGSI-LD errors are shaped.
func problemOf(err error) ngsild.Problem {
	name := ngsild.ProblemName(err)
	code := status(errs.KindOf(err))
	switch name {
	case "OperationNotSupported":
		code = http.StatusUnprocessableEntity
	case "UnsupportedMediaType":
		code = http.StatusUnsupportedMediaType
	case "NotAcceptable":
		code = http.StatusNotAcceptable
	}
	detail := errs.Message(err)
	if errs.KindOf(err) == errs.Internal {
		detail = "internal error"
	}
	return ngsild.NewProblem(name, code, detail)
}

// writeProblem answers err as ProblemDetails; internal errors are logged
// with their detail and answered with a generic message.
func (s *Server) writeProblem(w http.ResponseWriter, r *http.Request, err error) {
	if errs.KindOf(err) == errs.Internal {
		s.logger.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	} else {
		s.logger.Debug("request refused", "path", r.URL.Path, "kind", errs.KindOf(err).String(), "err", err)
	}
	writeProblemBody(w, problemOf(err))
}

func writeProblemBody(w http.ResponseWriter, p ngsild.Problem) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(p.Status)
	json.NewEncoder(w).Encode(p)
}
