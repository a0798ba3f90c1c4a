package web

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/socle/socle/internal/auth"
	"github.com/socle/socle/internal/errs"
)

func TestLogin(t *testing.T) {
	onEngines(t, func(t *testing.T, s *adminSite) {
		cases := []struct {
			name     string
			login    string
			password string
			next     string
			status   int
			want     []string // in the page or the redirect
		}{
			{"the right password opens a session and goes on", "prod", testPassword, "/admin/keys", http.StatusSeeOther, []string{"/admin/keys"}},
			{"another site as next is ignored", "prod", testPassword, "//evil.example/x", http.StatusSeeOther, []string{"/admin"}},
			{"a wrong password is refused, the login kept", "prod", "pas le bon mot de passe", "/admin", http.StatusUnauthorized, []string{"Identifiant ou mot de passe incorrect", `value="prod"`}},
			{"an unknown login is refused alike", "personne", testPassword, "/admin", http.StatusUnauthorized, []string{"Identifiant ou mot de passe incorrect"}},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				b := s.browser(t)
				p := b.post("/login", url.Values{"csrf": {b.token("/login")}, "login": {c.login}, "password": {c.password}, "next": {c.next}})
				wantStatus(t, "login", p, c.status, c.want...)
				if strings.Contains(p.body, c.password) {
					t.Error("the password is echoed in the page")
				}
				home := b.get("/admin")
				if c.status == http.StatusSeeOther {
					if p.location != c.want[0] {
						t.Errorf("redirect to %q, want %q", p.location, c.want[0])
					}
					cookie := sessionCookieOf(p.res)
					if cookie == nil || !cookie.HttpOnly || cookie.SameSite != http.SameSiteLaxMode || cookie.Path != "/" || cookie.MaxAge <= 0 {
						t.Errorf("session cookie %+v", cookie)
					}
					wantStatus(t, "back-office after login", home, http.StatusOK, "Espace de gestion")
				} else {
					wantStatus(t, "back-office after a refused login", home, http.StatusSeeOther, "/login?next=%2Fadmin")
				}
			})
		}
	})
}

func sessionCookieOf(res *http.Response) *http.Cookie {
	for _, c := range res.Cookies() {
		if c.Name == sessionCookie {
			return c
		}
	}
	return nil
}

func TestExpiredSessionAsksToLogInAgain(t *testing.T) {
	onEngines(t, func(t *testing.T, s *adminSite) {
		ctx := context.Background()
		token, hash := auth.NewSessionToken()
		past := time.Now().UTC().Add(-time.Hour)
		must(t, s.app.Store.CreateSession(ctx, &auth.Session{TokenHash: hash, UserID: s.users["prod"].ID, CSRF: "x",
			CreatedAt: past.Add(-time.Hour), ExpiresAt: past}))
		b := s.browser(t)
		u, _ := url.Parse(s.srv.URL)
		b.c.Jar.SetCookies(u, []*http.Cookie{{Name: sessionCookie, Value: token, Path: "/"}})
		p := b.get("/admin/datasets/new")
		wantStatus(t, "page needing a login", p, http.StatusSeeOther, "/login?expired=1&next=%2Fadmin%2Fdatasets%2Fnew")
		if c := sessionCookieOf(p.res); c == nil || c.MaxAge >= 0 {
			t.Errorf("the dead session's cookie is not cleared: %+v", c)
		}
		wantStatus(t, "login page", b.get(p.location), http.StatusOK, "Votre session a expiré, reconnectez-vous")
		if _, err := s.app.Store.SessionByHash(ctx, hash); !errs.Is(err, errs.NotFound) {
			t.Errorf("the expired session is still stored: %v", err)
		}
		// A form posted with the dead session says why it is refused.
		b.c.Jar.SetCookies(u, []*http.Cookie{{Name: sessionCookie, Value: token, Path: "/"}})
		wantStatus(t, "post with an expired session", b.post("/admin/keys", url.Values{"csrf": {"x"}, "label": {"k"}}),
			http.StatusUnauthorized, "Votre session a expiré")
	})
}

func TestLogout(t *testing.T) {
	onEngines(t, func(t *testing.T, s *adminSite) {
		b := s.login(t, "prod")
		csrf := b.token("/admin")
		wantStatus(t, "logout without token", b.post("/logout", nil), http.StatusForbidden)
		wantStatus(t, "still logged in", b.get("/admin"), http.StatusOK)
		p := b.post("/logout", url.Values{"csrf": {csrf}})
		wantStatus(t, "logout", p, http.StatusSeeOther, "/?ok=logout")
		wantStatus(t, "back-office after logout", b.get("/admin"), http.StatusSeeOther, "/login?next=%2Fadmin")
	})
}

func TestFailedLoginsAreRateLimited(t *testing.T) {
	s := newAdminSite(t, adminEngines(t)["sqlite"](t))
	b := s.browser(t)
	csrf := b.token("/login")
	try := func(password string) page {
		return b.post("/login", url.Values{"csrf": {csrf}, "login": {"prod"}, "password": {password}})
	}
	for i := range loginMaxFailures {
		if p := try("mauvais mot de passe"); p.status != http.StatusUnauthorized {
			t.Fatalf("failure %d: status %d", i+1, p.status)
		}
	}
	wantStatus(t, "even the right password after too many failures", try(testPassword), http.StatusTooManyRequests, "Trop de tentatives")
	other := s.browser(t)
	p := other.post("/login", url.Values{"csrf": {other.token("/login")}, "login": {"root"}, "password": {testPassword}})
	wantStatus(t, "another login from the same address", p, http.StatusSeeOther)
}

func TestLoginLimiterForgets(t *testing.T) {
	l := newLoginLimiter()
	now := time.Now()
	for range loginMaxFailures {
		l.fail("k", now)
	}
	if _, blocked := l.blocked("k", now.Add(loginWindow-time.Second)); !blocked {
		t.Error("not blocked within the window")
	}
	if _, blocked := l.blocked("k", now.Add(loginWindow)); blocked {
		t.Error("still blocked after the window")
	}
	if len(l.fails) != 0 {
		t.Errorf("stale keys kept: %v", l.fails)
	}
}

func TestLocalPath(t *testing.T) {
	cases := map[string]string{
		"/admin/keys?user=2":   "/admin/keys?user=2",
		"":                     "/admin",
		"https://evil.example": "/admin",
		"//evil.example":       "/admin",
		"/\\evil.example":      "/admin",
		"/a\r\nSet-Cookie: x":  "/admin",
	}
	for in, want := range cases {
		if got := localPath(in); got != want {
			t.Errorf("localPath(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSessionCookieIsSecureBehindHTTPS(t *testing.T) {
	cases := []struct {
		name   string
		header string
		want   bool
	}{
		{"plain HTTP", "", false},
		{"a proxy terminating TLS", "https", true},
		{"a proxy saying http", "http", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := httptest.NewRequest("POST", "/login", nil)
			if c.header != "" {
				r.Header.Set("X-Forwarded-Proto", c.header)
			}
			w := httptest.NewRecorder()
			setCookie(w, r, sessionCookie, "v", 60)
			if got := w.Result().Cookies()[0].Secure; got != c.want {
				t.Errorf("Secure = %v, want %v", got, c.want)
			}
		})
	}
}
