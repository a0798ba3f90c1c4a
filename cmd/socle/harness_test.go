package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/socle/socle/httpapi"
	"github.com/socle/socle/internal/app"
	"github.com/socle/socle/mqtt"
	"github.com/socle/socle/web"
)

// testMaxUpload is the upload limit of test servers, small enough to test.
const testMaxUpload = 1 << 20

// env is one Socle installation under test: a data directory, a database
// (SQLite, or a private PostgreSQL schema) and, once started, a live server.
type env struct {
	t    *testing.T
	name string
	data string
	dsn  string
	base string
	// tiles is the portal's base map URL: empty in tests, which have no
	// network (browser tests set an unreachable one on purpose).
	tiles string
	// siteName is the portal's name, when not the default.
	siteName string
	// mqtt, when its URL is set, makes the server take uplinks from a broker.
	mqtt mqtt.Config
	// broker runs the embedded MQTT broker on a free port; brokerURL is
	// its address once started.
	broker    bool
	brokerURL string
	// adjust, when set, changes the app and the serve options just before
	// start serves them: a test's extra options (GTFS-RT feeds) or clock.
	adjust func(a *app.App, o *serveOptions)
}

// engines returns a fresh env per storage engine; PostgreSQL only when
// SOCLE_TEST_POSTGRES_URL is set (CI sets it).
func engines(t *testing.T) []*env {
	t.Helper()
	out := []*env{{t: t, name: "sqlite", data: t.TempDir()}}
	if pg := os.Getenv("SOCLE_TEST_POSTGRES_URL"); pg != "" {
		out = append(out, &env{t: t, name: "postgres", data: t.TempDir(), dsn: pgSchemaDSN(t, pg)})
	} else {
		t.Log("SOCLE_TEST_POSTGRES_URL not set: PostgreSQL not tested")
	}
	return out
}

// needTool skips a test whose third-party reader is missing, unless
// SOCLE_REQUIRE_INTEROP is set (CI sets it): there, a missing reader is a
// failure, so that green CI always means the interoperability checks ran.
func needTool(t *testing.T, what, hint string, ok bool) {
	t.Helper()
	if ok {
		return
	}
	if os.Getenv("SOCLE_REQUIRE_INTEROP") != "" {
		t.Fatalf("%s is missing and SOCLE_REQUIRE_INTEROP is set: %s", what, hint)
	}
	t.Skipf("%s is missing: %s", what, hint)
}

// pgSchemaDSN returns a DSN on a fresh schema dropped at the end of the test.
func pgSchemaDSN(t *testing.T, base string) string {
	t.Helper()
	b := make([]byte, 6)
	rand.Read(b)
	schema := "e2e_" + hex.EncodeToString(b)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, base)
		if err != nil {
			t.Errorf("cleanup connect: %v", err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "DROP SCHEMA IF EXISTS "+schema+" CASCADE"); err != nil {
			t.Errorf("drop schema: %v", err)
		}
	})
	sep := "?"
	if strings.Contains(base, "?") {
		sep = "&"
	}
	return base + sep + "schema=" + schema
}

// run runs the socle CLI with the env's --data and --db.
func (e *env) run(stdin string, args ...string) (string, string, int) {
	e.t.Helper()
	full := append([]string{args[0]}, args[1:]...)
	if args[0] == "user" || args[0] == "apikey" {
		full = append([]string{args[0], args[1]}, args[2:]...)
	}
	full = append(full, "--data", e.data)
	if e.dsn != "" {
		full = append(full, "--db", e.dsn)
	}
	// Flags after positional args are reordered by the commands that take files.
	var stdout, stderr bytes.Buffer
	restore := swapStdin(e.t, stdin)
	defer restore()
	code := Main(context.Background(), full, &stdout, &stderr)
	return stdout.String(), stderr.String(), code
}

func swapStdin(t *testing.T, s string) func() {
	if s == "" {
		return func() {}
	}
	f, err := os.CreateTemp(t.TempDir(), "stdin")
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString(s)
	f.Seek(0, 0)
	old := os.Stdin
	os.Stdin = f
	return func() { os.Stdin = old; f.Close() }
}

// mustRun fails the test unless the command exits 0.
func (e *env) mustRun(args ...string) string {
	e.t.Helper()
	out, errOut, code := e.run("", args...)
	if code != 0 {
		e.t.Fatalf("socle %s: exit %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), code, out, errOut)
	}
	return out
}

// start serves the env on a free port until the test ends.
func (e *env) start() {
	e.t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan string, 1)
	done := make(chan error, 1)
	go func() {
		a, err := (&storeFlags{data: e.data, dsn: e.dsn}).open(ctx, quietLogger())
		if err != nil {
			done <- err
			return
		}
		defer a.Close()
		limits := httpapi.DefaultLimits
		limits.MaxUpload = testMaxUpload
		site := web.DefaultConfig()
		site.StagingDir = filepath.Join(e.data, "staging")
		site.MaxUpload = testMaxUpload
		site.TilesURL = e.tiles
		if e.siteName != "" {
			site.SiteName = e.siteName
		}
		o := serveOptions{addr: "127.0.0.1:0", limits: limits, site: site, mqtt: e.mqtt}
		if e.broker {
			o.broker = "127.0.0.1:0"
			o.onBroker = func(u string) { e.brokerURL = u }
		}
		if e.adjust != nil {
			e.adjust(a, &o)
		}
		done <- serve(ctx, a, o, quietLogger(), func(u string) { ready <- u })
	}()
	select {
	case e.base = <-ready:
	case err := <-done:
		cancel()
		e.t.Fatalf("server did not start: %v", err)
	case <-time.After(30 * time.Second):
		cancel()
		e.t.Fatal("server did not start in 30s")
	}
	e.t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			e.t.Errorf("server stopped with %v", err)
		}
	})
}

// get fetches path (relative to the server) with an optional API key.
func (e *env) get(path, key string) (int, []byte, http.Header) {
	e.t.Helper()
	req, err := http.NewRequest("GET", e.base+path, nil)
	if err != nil {
		e.t.Fatal(err)
	}
	if key != "" {
		req.Header.Set("Authorization", "Apikey "+key)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatalf("read %s: %v", path, err)
	}
	return resp.StatusCode, body, resp.Header
}

// getJSON fetches path, requires status want and decodes the body.
func (e *env) getJSON(path, key string, want int, v any) {
	e.t.Helper()
	code, body, _ := e.get(path, key)
	if code != want {
		e.t.Fatalf("GET %s: status %d, want %d; body %s", path, code, want, body)
	}
	if v != nil {
		if err := json.Unmarshal(body, v); err != nil {
			e.t.Fatalf("GET %s: %v in %s", path, err, body)
		}
	}
}

func records(id string, params ...string) string {
	v := url.Values{}
	for i := 0; i+1 < len(params); i += 2 {
		v.Add(params[i], params[i+1])
	}
	return "/api/explore/v2.1/catalog/datasets/" + id + "/records?" + v.Encode()
}
