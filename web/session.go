package web

import (
	"context"
	"net/http"

	"github.com/socle/socle/internal/auth"
)

// viewer is who is looking at a page: anonymous (zero Principal) or a
// logged-in user, with the anti-forgery token forms must carry.
type viewer struct {
	P    auth.Principal
	CSRF string
}

// LoggedIn reports whether the viewer has a session.
func (v *viewer) LoggedIn() bool { return v != nil && v.P.User != nil }

type viewerKey struct{}

func viewerOf(r *http.Request) *viewer {
	v, _ := r.Context().Value(viewerKey{}).(*viewer)
	if v == nil {
		return &viewer{}
	}
	return v
}

func principal(r *http.Request) auth.Principal { return viewerOf(r).P }

// withViewer resolves the session cookie of r. (Sessions land with the
// back-office; until then every visitor is anonymous.)
func (s *Server) withViewer(w http.ResponseWriter, r *http.Request) (*http.Request, error) {
	return r.WithContext(context.WithValue(r.Context(), viewerKey{}, &viewer{})), nil
}
