package web

import (
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/socle/socle/internal/errs"
)

// loginPage is the data of the login template.
type loginPage struct {
	Login   string
	Next    string
	Error   string
	Expired bool
}

func (b *backOffice) handleLoginForm(w http.ResponseWriter, r *http.Request) {
	next := localPath(r.URL.Query().Get("next"))
	if viewerOf(r).LoggedIn() {
		http.Redirect(w, r, next, http.StatusSeeOther)
		return
	}
	ensureFormCookie(w, r)
	p := loginPage{Next: next, Expired: r.URL.Query().Get("expired") != "" || viewerOf(r).Expired}
	b.render(w, r, http.StatusOK, "login", b.msgs.T("login.title"), p)
}

// handleLogin checks the password, opens a session with a fresh token
// (never one the browser brought: no session fixation) and goes on to
// next. Failures are counted per login and address (loginLimiter).
func (b *backOffice) handleLogin(w http.ResponseWriter, r *http.Request) {
	login, password := strings.TrimSpace(r.PostFormValue("login")), r.PostFormValue("password")
	p := loginPage{Login: login, Next: localPath(r.PostFormValue("next"))}
	key := strings.ToLower(login) + "|" + clientIP(r)
	if wait, blocked := b.limiter.blocked(key, time.Now()); blocked {
		p.Error = b.msgs.T("login.ratelimited", int(wait.Minutes())+1)
		b.render(w, r, http.StatusTooManyRequests, "login", b.msgs.T("login.title"), p)
		return
	}
	pr, err := b.app.PasswordLogin(r.Context(), login, password, clientIP(r))
	if errs.Is(err, errs.Unauthorized) {
		b.limiter.fail(key, time.Now())
		p.Error = b.msgs.T("login.wrong")
		b.render(w, r, http.StatusUnauthorized, "login", b.msgs.T("login.title"), p)
		return
	} else if err != nil {
		b.renderError(w, r, err)
		return
	}
	b.limiter.reset(key)
	token, _, err := b.app.StartSession(r.Context(), pr, b.cfg.SessionTTL)
	if err != nil {
		b.renderError(w, r, err)
		return
	}
	setCookie(w, r, sessionCookie, token, int(b.cfg.SessionTTL.Seconds()))
	clearCookie(w, r, csrfCookie)
	http.Redirect(w, r, p.Next, http.StatusSeeOther)
}

// handleLogout ends the session (the anti-forgery check already ran).
func (b *backOffice) handleLogout(w http.ResponseWriter, r *http.Request) {
	v := viewerOf(r)
	if v.LoggedIn() {
		if err := b.app.EndSession(r.Context(), v.P, v.token); err != nil {
			b.renderError(w, r, err)
			return
		}
	}
	clearCookie(w, r, sessionCookie)
	http.Redirect(w, r, "/?ok=logout", http.StatusSeeOther)
}

// localPath returns next if it is a path of this site, else /admin: a
// login link must not send anyone elsewhere (open redirect).
func localPath(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") ||
		strings.ContainsAny(next, "\r\n\\") || len(next) > 500 {
		return "/admin"
	}
	return next
}

// clientIP is the connection's address. X-Forwarded-For is not trusted:
// behind a proxy every client shares one address, and the limit then acts
// per login only, which still stops password guessing.
func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// loginLimiter counts failed logins per key (login and address) in memory
// and blocks a key after max failures within window. Memory is bounded:
// past loginMaxKeys keys, stale ones are dropped, then arbitrary ones (a
// flood of keys can at worst reset counters, never grow memory).
type loginLimiter struct {
	mu     sync.Mutex
	fails  map[string][]time.Time
	max    int
	window time.Duration
}

const (
	loginMaxFailures = 10
	loginWindow      = 10 * time.Minute
	loginMaxKeys     = 10000
)

func newLoginLimiter() *loginLimiter {
	return &loginLimiter{fails: map[string][]time.Time{}, max: loginMaxFailures, window: loginWindow}
}

// blocked reports whether key is blocked at now, and for how long.
func (l *loginLimiter) blocked(key string, now time.Time) (time.Duration, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	ts := l.recent(key, now)
	if len(ts) < l.max {
		return 0, false
	}
	return ts[0].Add(l.window).Sub(now), true
}

func (l *loginLimiter) fail(key string, now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.fails) >= loginMaxKeys {
		l.prune(now)
	}
	l.fails[key] = append(l.recent(key, now), now)
}

func (l *loginLimiter) reset(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.fails, key)
}

// recent returns key's failures within the window, dropping older ones.
func (l *loginLimiter) recent(key string, now time.Time) []time.Time {
	ts := l.fails[key]
	for len(ts) > 0 && now.Sub(ts[0]) >= l.window {
		ts = ts[1:]
	}
	if len(ts) == 0 {
		delete(l.fails, key)
		return nil
	}
	l.fails[key] = ts
	return ts
}

func (l *loginLimiter) prune(now time.Time) {
	for k := range l.fails {
		l.recent(k, now)
	}
	for k := range l.fails {
		if len(l.fails) < loginMaxKeys {
			return
		}
		delete(l.fails, k)
	}
}
