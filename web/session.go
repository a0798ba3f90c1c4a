package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"

	"github.com/socle/socle/internal/auth"
	"github.com/socle/socle/internal/errs"
)

// The session cookie holds a random token; the database keeps only its
// hash (app.StartSession), so a copy of the database opens no session.
const sessionCookie = "socle_session"

// viewer is who is looking at a page: anonymous (zero Principal) or a
// logged-in user, with the anti-forgery token forms must carry (the
// session's, or before login the socle_csrf cookie's).
type viewer struct {
	P    auth.Principal
	CSRF string
	// Expired is set when the request carried a session cookie that no
	// longer opens a session (expired, ended, disabled account): the
	// visitor is anonymous, and pages needing a login say why.
	Expired bool
	token   string // the session cookie, to end the session at logout
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

// withViewer resolves the session cookie of r, then checks that a form
// post is no forgery (checkCSRF). An unknown or expired session makes an
// anonymous visitor and clears the cookie. The returned request carries
// the viewer even with an error, so that the error page knows who asks.
func (s *Server) withViewer(w http.ResponseWriter, r *http.Request) (*http.Request, error) {
	v := &viewer{}
	if c, err := r.Cookie(sessionCookie); err == nil && c.Value != "" {
		sess, p, err := s.app.SessionPrincipal(r.Context(), c.Value)
		switch {
		case err == nil:
			v.P, v.CSRF, v.token = p, sess.CSRF, c.Value
		case errs.Is(err, errs.Unauthorized):
			v.Expired = true
			clearCookie(w, r, sessionCookie)
		default:
			r = r.WithContext(context.WithValue(r.Context(), viewerKey{}, v))
			return r, err
		}
	}
	if !v.LoggedIn() {
		if c, err := r.Cookie(csrfCookie); err == nil {
			v.CSRF = c.Value
		}
	}
	r = r.WithContext(context.WithValue(r.Context(), viewerKey{}, v))
	return r, s.checkCSRF(w, r, v)
}

// secureRequest reports whether the client reached us over HTTPS, directly
// or through a reverse proxy that says so.
func secureRequest(r *http.Request) bool {
	return r.TLS != nil || strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https")
}

// setCookie sets an HttpOnly, SameSite=Lax cookie for the whole site;
// maxAge 0 makes it last as long as the browser session.
func setCookie(w http.ResponseWriter, r *http.Request, name, value string, maxAge int) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: value, Path: "/", MaxAge: maxAge,
		HttpOnly: true, Secure: secureRequest(r), SameSite: http.SameSiteLaxMode})
}

func clearCookie(w http.ResponseWriter, r *http.Request, name string) {
	setCookie(w, r, name, "", -1)
}

// requireLogin returns the viewer's principal, or redirects to the login
// page (saying so when the session expired) and returns false.
func (s *Server) requireLogin(w http.ResponseWriter, r *http.Request) (auth.Principal, bool) {
	v := viewerOf(r)
	if v.LoggedIn() {
		return v.P, true
	}
	q := url.Values{"next": {r.URL.RequestURI()}}
	if v.Expired {
		q.Set("expired", "1")
	}
	http.Redirect(w, r, "/login?"+q.Encode(), http.StatusSeeOther)
	return auth.Principal{}, false
}
