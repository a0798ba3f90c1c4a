package web

import (
	"net/http"

	"github.com/socle/socle/internal/auth"
	"github.com/socle/socle/internal/errs"
)

// A real-time dataset's page follows its changes through a server-sent
// event stream under the portal, so that the viewer's session decides what
// they may see (the API's stream knows only API keys). static/js/live.js
// listens to it and reloads the table.

// eventServer streams a dataset's changes; the API server provides it.
type eventServer interface {
	ServeEvents(w http.ResponseWriter, r *http.Request, p auth.Principal, id string, fail func(http.ResponseWriter, *http.Request, error))
}

// liveHeader marks the table reloads of live.js, which are not views.
const liveHeader = "X-Socle-Live"

func (s *Server) handleDatasetEvents(w http.ResponseWriter, r *http.Request) {
	ev, ok := s.exports.(eventServer)
	if !ok {
		s.renderError(w, r, errs.E(errs.NotFound, "page not found"))
		return
	}
	ev.ServeEvents(w, r, principal(r), r.PathValue("id"), s.renderError)
}
