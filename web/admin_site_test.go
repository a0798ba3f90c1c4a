package web

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"html"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/socle/socle/httpapi"
	"github.com/socle/socle/internal/app"
	"github.com/socle/socle/internal/auth"
	"github.com/socle/socle/internal/catalog"
	"github.com/socle/socle/postgres"
	"github.com/socle/socle/sqlite"
)

// adminSite is the portal and the API over a real store, with one account
// per role that matters: an administrator, a producer of "metro", an agent.
type adminSite struct {
	app     *app.App
	srv     *httptest.Server
	staging string
	users   map[string]*auth.User
}

const testPassword = "un mot de passe assez long"

// testUploadLimit is the upload limit of the test sites: small, to test it.
const testUploadLimit = 64 << 10

// adminEngines returns the stores to test on: SQLite always, PostgreSQL
// when SOCLE_TEST_POSTGRES_URL is set (each in a private schema).
func adminEngines(t *testing.T) map[string]func(t *testing.T) app.Store {
	out := map[string]func(t *testing.T) app.Store{"sqlite": func(t *testing.T) app.Store {
		db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "socle.db"))
		must(t, err)
		return db
	}}
	if base := os.Getenv("SOCLE_TEST_POSTGRES_URL"); base != "" {
		out["postgres"] = func(t *testing.T) app.Store {
			db, err := postgres.Open(context.Background(), pgSchema(t, base))
			must(t, err)
			return db
		}
	}
	return out
}

// pgSchema returns a DSN on a fresh schema dropped at the end of the test.
func pgSchema(t *testing.T, base string) string {
	t.Helper()
	b := make([]byte, 6)
	rand.Read(b)
	schema := "web_" + hex.EncodeToString(b)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if conn, err := pgx.Connect(ctx, base); err == nil {
			conn.Exec(ctx, "DROP SCHEMA IF EXISTS "+schema+" CASCADE")
			conn.Close(ctx)
		}
	})
	sep := "?"
	if strings.Contains(base, "?") {
		sep = "&"
	}
	return base + sep + "schema=" + schema
}

func newAdminSite(t *testing.T, store app.Store) *adminSite {
	t.Helper()
	ctx := context.Background()
	a := app.New(store, slog.New(slog.DiscardHandler))
	t.Cleanup(func() { a.Close() })
	must(t, a.Store.PutOrganization(ctx, &catalog.Organization{ID: "metro", Name: "Métropole", Kind: catalog.OrgMetropolis}))
	must(t, a.Store.PutOrganization(ctx, &catalog.Organization{ID: "autre", Name: "Autre", Kind: catalog.OrgCommune}))
	s := &adminSite{app: a, users: map[string]*auth.User{}}
	for login, role := range map[string]auth.Role{"root": auth.RoleAdmin, "prod": auth.RoleProducer, "agent": auth.RoleAgent} {
		u := &auth.User{Login: login, Role: role, Org: "metro"}
		must(t, a.AddUser(ctx, u, testPassword))
		s.users[login] = u
	}
	cfg := DefaultConfig()
	s.staging = t.TempDir()
	cfg.StagingDir, cfg.MaxUpload = s.staging, testUploadLimit
	api := httpapi.New(a, a.Logger, httpapi.DefaultLimits)
	site, err := New(a, api, a.Logger, cfg)
	must(t, err)
	mux := http.NewServeMux()
	mux.Handle("/api/", api)
	mux.Handle("/", site)
	s.srv = httptest.NewServer(mux)
	t.Cleanup(s.srv.Close)
	return s
}

// onEngines runs f on a fresh site per engine.
func onEngines(t *testing.T, f func(t *testing.T, s *adminSite)) {
	for name, open := range adminEngines(t) {
		t.Run(name, func(t *testing.T) { f(t, newAdminSite(t, open(t))) })
	}
}

// browser is one visitor: a cookie jar, and redirects not followed so that
// tests see them.
type browser struct {
	t    *testing.T
	site *adminSite
	c    *http.Client
}

func (s *adminSite) browser(t *testing.T) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: t, site: s, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

// page is a response, read.
type page struct {
	status   int
	body     string
	location string
	res      *http.Response
}

func (b *browser) do(req *http.Request) page {
	b.t.Helper()
	res, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return page{status: res.StatusCode, body: string(body), location: res.Header.Get("Location"), res: res}
}

func (b *browser) get(path string) page {
	b.t.Helper()
	req, _ := http.NewRequest("GET", b.site.srv.URL+path, nil)
	return b.do(req)
}

// post sends a form; headers are extra request headers.
func (b *browser) post(path string, form url.Values, headers ...string) page {
	b.t.Helper()
	req, _ := http.NewRequest("POST", b.site.srv.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	return b.do(req)
}

// upload sends a multipart form: fields in order (csrf first, as the
// pages do), then the file.
func (b *browser) upload(path string, fields [][2]string, fileName, content string, headers ...string) page {
	b.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for _, f := range fields {
		mw.WriteField(f[0], f[1])
	}
	if fileName != "" {
		fw, _ := mw.CreateFormFile("file", fileName)
		io.WriteString(fw, content)
	}
	mw.Close()
	req, _ := http.NewRequest("POST", b.site.srv.URL+path, &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	return b.do(req)
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// token returns the anti-forgery token of the form on path.
func (b *browser) token(path string) string {
	b.t.Helper()
	p := b.get(path)
	m := csrfField.FindStringSubmatch(p.body)
	if m == nil {
		b.t.Fatalf("GET %s (%d): no csrf field", path, p.status)
	}
	return m[1]
}

// login logs in and fails the test if that does not work.
func (s *adminSite) login(t *testing.T, login string) *browser {
	t.Helper()
	b := s.browser(t)
	p := b.post("/login", url.Values{"csrf": {b.token("/login")}, "login": {login}, "password": {testPassword}, "next": {"/admin"}})
	if p.status != http.StatusSeeOther || p.location != "/admin" {
		t.Fatalf("login %s: %d to %q: %s", login, p.status, p.location, p.body)
	}
	return b
}

func wantStatus(t *testing.T, what string, p page, status int, contains ...string) {
	t.Helper()
	if p.status != status {
		t.Errorf("%s: status %d, want %d; body: %.600s", what, p.status, status, p.body)
	}
	body := html.UnescapeString(p.body)
	main := body
	if i := strings.Index(main, `id="contenu"`); i >= 0 {
		main = main[i:]
	}
	for _, c := range contains {
		if !strings.Contains(body, c) && !strings.Contains(p.location, c) {
			t.Errorf("%s: %q not in the page (location %q): %.1500s", what, c, p.location, main)
		}
	}
}
