package httpapi

import (
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/socle/socle/internal/auth"
)

// Dataset event streams: GET …/catalog/datasets/{id}/events answers
// text/event-stream, one "change" event per in-place write (push or live
// feed) with the record IDs written, and a comment every heartbeat so that
// proxies keep the connection. Visibility is checked like every read; the
// stream ends when the client leaves or the server shuts down.

// heartbeat is the interval between keep-alive comments.
const heartbeat = 15 * time.Second

func (s *Server) handleEvents(w http.ResponseWriter, r *http.Request) {
	s.ServeEvents(w, r, principal(r), r.PathValue("id"), s.writeError)
}

// ServeEvents streams the changes of dataset id to p, who must be able to
// read it (else fail answers NotFound). The portal serves the same stream
// under its own session.
func (s *Server) ServeEvents(w http.ResponseWriter, r *http.Request, p auth.Principal, id string, fail func(http.ResponseWriter, *http.Request, error)) {
	sub, err := s.app.OpenDatasetStream(r.Context(), p, id)
	if err != nil {
		fail(w, r, err)
		return
	}
	defer sub.Close()
	rc := http.NewResponseController(w)
	// A stream outlives the server's read and write timeouts by design
	// (the read timeout would otherwise cancel it after a few minutes).
	_ = rc.SetReadDeadline(time.Time{})
	_ = rc.SetWriteDeadline(time.Time{})
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	fmt.Fprint(w, "retry: 5000\n: connected\n\n")
	if rc.Flush() != nil {
		return
	}
	tick := time.NewTicker(heartbeat)
	defer tick.Stop()
	for {
		select {
		case <-r.Context().Done():
			return
		case ev, ok := <-sub.C:
			if !ok {
				return // the server is shutting down
			}
			if sub.Lagged() {
				fmt.Fprint(w, "event: reload\ndata: {}\n\n") // changes were lost: re-read everything
			}
			data, err := json.Marshal(ev.Data)
			if err != nil {
				continue
			}
			fmt.Fprintf(w, "event: change\ndata: %s\n\n", data)
		case <-tick.C:
			fmt.Fprint(w, ": heartbeat\n\n")
		}
		if rc.Flush() != nil {
			return
		}
	}
}
