package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"

	"github.com/socle/socle/internal/demo"
)

// The browser tests drive a real Chromium (chromedp) through the portal as
// a visitor would, against a server seeded with the demo territory, and run
// axe-core in every page type. This file holds their tools; browser_test.go
// the scenarios.

// axePath is axe-core as `make compat-deps` installs it.
const axePath = "../../compat/axe/node_modules/axe-core/axe.min.js"

// unreachableTiles is a base map no tile can load from (port 9 is discard,
// nothing listens): maps must show their data without tiles.
const unreachableTiles = "http://127.0.0.1:9/{z}/{x}/{y}.png"

// Viewport of every tab: the screenshots' size.
const viewportW, viewportH = 1280, 900

// chromiumPath finds the Chromium (or Chrome) binary, "" when none.
func chromiumPath() string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// startBrowser starts a headless Chromium for the test, cut off from the
// network (no QUIC, no background fetches, no updates) with a fresh
// profile, and stops it at the end of the test.
func startBrowser(t *testing.T, path string) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("lang", "fr-FR"),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(viewportW, viewportH),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	bctx, cancelBrowser := chromedp.NewContext(actx)
	if err := chromedp.Do(bctx); err != nil {
		cancelBrowser()
		cancelAlloc()
		t.Fatalf("start Chromium %s: %v", path, err)
	}
	t.Cleanup(func() {
		cancelBrowser()
		cancelAlloc()
	})
	return bctx
}

// suite is one engine's browser test bed: a server with the demo
// territory, one browser, and what the scenarios share.
type suite struct {
	name    string
	base    string
	browser context.Context
	axe     string
	terr    *demo.Territory
	// shots is the directory of the screenshots, "" for none.
	shots string
}

// newSuite seeds the demo into e, serves it with an unreachable base map
// and starts a browser.
func newSuite(t *testing.T, e *env, chrome, axe string) *suite {
	t.Helper()
	a, err := (&storeFlags{data: e.data, dsn: e.dsn}).open(t.Context(), quietLogger())
	if err != nil {
		t.Fatal(err)
	}
	terr := demo.New()
	created, err := seedDemo(t.Context(), a, terr)
	a.Close()
	if err != nil || !created {
		t.Fatalf("seed demo: created=%v err=%v", created, err)
	}
	e.tiles, e.siteName = unreachableTiles, terr.Name
	e.start()
	return &suite{name: e.name, base: e.base, browser: startBrowser(t, chrome), axe: axe, terr: terr}
}

// tab opens a tab in a fresh browser context (its own cookies and an
// empty cache), with the test viewport, closed at the end of the test.
// It records the uncaught JavaScript exceptions of its pages: checkPage
// fails on them, other tests log them.
func (s *suite) tab(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := chromedp.NewContext(s.browser, chromedp.WithNewBrowserContext())
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(viewportW, viewportH)); err != nil {
		cancel()
		t.Fatalf("open tab: %v", err)
	}
	js := &jsErrors{}
	msgs := chromedp.Console(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for m, err := range msgs {
			if err != nil {
				return
			}
			if m.IsException() {
				js.add(fmt.Sprintf("%s (%s:%d)", m.Text, m.URL, m.Line+1))
			}
		}
	}()
	tctx, tcancel := context.WithTimeout(context.WithValue(ctx, jsErrorsKey{}, js), 90*time.Second)
	t.Cleanup(func() {
		tcancel()
		cancel()
		<-done
		for _, x := range js.drain() {
			t.Logf("uncaught JavaScript exception: %s", x)
		}
	})
	return tctx
}

// jsErrors are the uncaught exceptions of a tab not yet reported.
type jsErrors struct {
	mu   sync.Mutex
	list []string
}

type jsErrorsKey struct{}

func (j *jsErrors) add(x string) {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.list = append(j.list, x)
}

// drain returns the exceptions (each once) and forgets them.
func (j *jsErrors) drain() []string {
	j.mu.Lock()
	defer j.mu.Unlock()
	out := slices.Compact(slices.Sorted(slices.Values(j.list)))
	j.list = nil
	return out
}

// open loads path and returns the HTTP status of the page.
func (s *suite) open(t *testing.T, ctx context.Context, path string) int64 {
	t.Helper()
	resp, err := chromedp.Run(ctx, chromedp.NavigateResponse(s.base+path))
	if err != nil {
		t.Fatalf("open %s: %v", path, err)
	}
	return resp.Status
}

// follow runs an action that loads a new page (a click on a link, a form
// submission) and returns the status of that page.
func follow(t *testing.T, ctx context.Context, what string, a chromedp.Action[chromedp.Void]) int64 {
	t.Helper()
	resp, err := chromedp.RunResponse(ctx, a)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	return resp.Status
}

// clickLink clicks the element sel and waits for the page it loads.
func clickLink(t *testing.T, ctx context.Context, sel string) int64 {
	t.Helper()
	return follow(t, ctx, "click "+sel, chromedp.Click(chromedp.CSS(sel)))
}

// do runs actions that load no page, failing the test on error.
func do(t *testing.T, ctx context.Context, what string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, actions...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// eval evaluates a JavaScript expression in the page and decodes its value.
func eval[T any](t *testing.T, ctx context.Context, js string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](js, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("evaluate %.80q: %v", js, err)
	}
	return v
}

// location is the URL of the page.
func location(t *testing.T, ctx context.Context) *url.URL {
	t.Helper()
	u, err := url.Parse(eval[string](t, ctx, `location.href`))
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// texts returns the text of every element matching sel, trimmed, each run
// of white space (no-break spaces included) made one space.
func texts(t *testing.T, ctx context.Context, sel string) []string {
	t.Helper()
	return eval[[]string](t, ctx, fmt.Sprintf(`[...document.querySelectorAll(%q)].map(e => e.textContent.replace(/\s+/g, ' ').trim())`, sel))
}

// attrs returns the attribute name of every element matching sel ("" where
// it is missing).
func attrs(t *testing.T, ctx context.Context, sel, name string) []string {
	t.Helper()
	return eval[[]string](t, ctx, fmt.Sprintf(`[...document.querySelectorAll(%q)].map(e => e.getAttribute(%q) || '')`, sel, name))
}

// text returns the text of the first element matching sel ("" if none).
func text(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	if all := texts(t, ctx, sel); len(all) > 0 {
		return all[0]
	}
	return ""
}

// login signs in through the login form and returns the status of the
// page it leads to.
func (s *suite) login(t *testing.T, ctx context.Context, login, password string) int64 {
	t.Helper()
	s.open(t, ctx, "/login")
	do(t, ctx, "fill the login form",
		chromedp.SendKeys(chromedp.ID("login-login"), login),
		chromedp.SendKeys(chromedp.ID("login-password"), password))
	return follow(t, ctx, "submit the login form", chromedp.Click(chromedp.CSS(`main form[action="/login"] button[type="submit"]`)))
}

// password returns the demo password of login.
func (s *suite) password(t *testing.T, login string) string {
	t.Helper()
	for _, u := range s.terr.Users {
		if u.Login == login {
			return u.Password
		}
	}
	t.Fatalf("no demo user %q", login)
	return ""
}

// waitMap waits until the map of the page has drawn its data and returns
// its state attributes.
func waitMap(t *testing.T, ctx context.Context) (state string, loaded int) {
	t.Helper()
	_, err := chromedp.Run(ctx, chromedp.Poll[bool](
		`(m => !!m && (m.hasAttribute('data-features-loaded') || m.getAttribute('data-map-state') === 'error'))(document.querySelector('div.socle-map'))`,
		chromedp.WithPollingInterval(50*time.Millisecond), chromedp.WithPollingTimeout(30*time.Second)))
	if err != nil {
		t.Fatalf("the map did not load its data: %v", err)
	}
	state = eval[string](t, ctx, `document.querySelector('div.socle-map').getAttribute('data-map-state')`)
	n, _ := strconv.Atoi(eval[string](t, ctx, `document.querySelector('div.socle-map').getAttribute('data-features-loaded') || '-1'`))
	return state, n
}

// axeViolation is one axe-core rule a page breaks.
type axeViolation struct {
	ID     string   `json:"id"`
	Impact string   `json:"impact"`
	Help   string   `json:"help"`
	Nodes  []string `json:"nodes"`
}

// checkPage fails the test for each uncaught JavaScript exception of the
// page, and runs axe-core on it with every rule: each serious or critical
// violation fails the test, lesser ones are logged.
func (s *suite) checkPage(t *testing.T, ctx context.Context, page string) {
	t.Helper()
	// Let late scripts (deferred, modules) run before looking.
	eval[bool](t, ctx, `new Promise(r => setTimeout(() => r(true), 100))`)
	if js, ok := ctx.Value(jsErrorsKey{}).(*jsErrors); ok {
		for _, x := range js.drain() {
			t.Errorf("%s: uncaught JavaScript exception: %s", page, x)
		}
	}
	if !eval[bool](t, ctx, `typeof window.axe === 'object'`) {
		do(t, ctx, "inject axe-core", chromedp.Evaluate[chromedp.Void](s.axe))
	}
	vs := eval[[]axeViolation](t, ctx, `axe.run(document, {resultTypes: ['violations']}).then(r => r.violations.map(v => ({
		id: v.id, impact: v.impact || '', help: v.help,
		nodes: v.nodes.map(n => n.target.join(' ') + ' — ' + n.html.slice(0, 160))})))`)
	for _, v := range vs {
		msg := fmt.Sprintf("%s: axe %s (%s) %s, on %d nodes:\n\t%s", page, v.ID, v.Impact, v.Help, len(v.Nodes), strings.Join(v.Nodes, "\n\t"))
		if v.Impact == "serious" || v.Impact == "critical" {
			t.Error(msg)
		} else {
			t.Log(msg)
		}
	}
}

// maxShot is the largest screenshot kept in full: a longer page is shot
// as the viewport only.
const maxShot = 300 << 10

// screenshot saves a full-page PNG of the page as name.png in the
// SOCLE_SCREENSHOTS directory, when set. When the full page would exceed
// maxShot, it saves the viewport, scrolled to the element anchor if given.
func (s *suite) screenshot(t *testing.T, ctx context.Context, name, anchor string) {
	t.Helper()
	if s.shots == "" {
		return
	}
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err == nil && len(png) > maxShot {
		if anchor != "" {
			eval[bool](t, ctx, fmt.Sprintf(`(document.querySelector(%q).scrollIntoView(), true)`, anchor))
		}
		png, err = chromedp.Run(ctx, chromedp.CaptureScreenshot())
	}
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.WriteFile(filepath.Join(s.shots, name+".png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

// download clicks the link sel, lets the browser save the file into a
// temporary directory and returns the file's path.
func download(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	dir := t.TempDir()
	_, err := chromedp.CallBrowser(ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
		Behavior: browser.SetDownloadBehaviorBehaviorAllowAndName, BrowserContextID: chromedp.FromContext(ctx).BrowserContextID,
		DownloadPath: dir, EventsEnabled: new(true)})
	if err != nil {
		t.Fatalf("set the download behaviour: %v", err)
	}
	progress := chromedp.BrowserEvents(ctx, browser.DownloadProgress)
	do(t, ctx, "click "+sel, chromedp.Click(chromedp.CSS(sel)))
	for ev, err := range progress {
		if err != nil {
			t.Fatalf("download from %s: %v", sel, err)
		}
		switch ev.State {
		case browser.DownloadProgressStateCompleted:
			return filepath.Join(dir, ev.GUID)
		case browser.DownloadProgressStateCanceled:
			t.Fatalf("download from %s canceled", sel)
		}
	}
	panic("unreachable")
}

// api fetches an Explore API path anonymously and decodes it into v.
func (s *suite) api(t *testing.T, path string, v any) {
	t.Helper()
	resp, err := http.Get(s.base + path)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: %d %s", path, resp.StatusCode, body)
	}
	if err := json.Unmarshal(body, v); err != nil {
		t.Fatalf("GET %s: %v in %s", path, err, body)
	}
}

// parseFr reads a number as the portal writes it (1 234,5).
func parseFr(t *testing.T, s string) float64 {
	t.Helper()
	clean := strings.NewReplacer("\u202f", "", "\u00a0", "", " ", "", ",", ".").Replace(s)
	f, err := strconv.ParseFloat(clean, 64)
	if err != nil {
		t.Fatalf("not a French number: %q", s)
	}
	return f
}

// pageWeight is what one page costs a first visit, in bytes.
type pageWeight struct {
	Page     string
	HTML     int64 // transferred for the document (headers included)
	HTMLRaw  int64 // the document's body, decoded
	Requests int   // other requests to the site
	Kinds    map[string]int64
	Total    int64 // transferred for everything
	TotalRaw int64 // every body, decoded
	Largest  string
}

// assetKinds are the columns of the weights table, after the HTML.
var assetKinds = []string{"CSS", "JS", "fonts", "images", "data"}

// assetKind classes a URL path by its extension.
func assetKind(path string) string {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".css":
		return "CSS"
	case ".js", ".mjs":
		return "JS"
	case ".woff", ".woff2", ".ttf":
		return "fonts"
	case ".svg", ".png", ".jpg", ".gif", ".webp", ".ico":
		return "images"
	}
	return "data"
}

// perfEntry is a Performance API resource or navigation entry.
type perfEntry struct {
	Name     string  `json:"name"`
	Transfer float64 `json:"transferSize"`
	Decoded  float64 `json:"decodedBodySize"`
}

// measure reads the Performance API once the page, its fonts and its
// late requests (map data) have loaded. Requests elsewhere than the site
// (the unreachable base map) are left out.
func measure(t *testing.T, ctx context.Context, page string) pageWeight {
	t.Helper()
	var r struct {
		Nav       perfEntry   `json:"nav"`
		Resources []perfEntry `json:"resources"`
	}
	raw := eval[string](t, ctx, `(async () => {
		await document.fonts.ready;
		let n = -1;
		while (n !== performance.getEntriesByType('resource').length) {
			n = performance.getEntriesByType('resource').length;
			await new Promise(r => setTimeout(r, 400));
		}
		return JSON.stringify({nav: performance.getEntriesByType('navigation')[0].toJSON(),
			resources: performance.getEntriesByType('resource').map(e => e.toJSON())});
	})()`)
	if err := json.Unmarshal([]byte(raw), &r); err != nil {
		t.Fatal(err)
	}
	w := pageWeight{Page: page, HTML: int64(r.Nav.Transfer), HTMLRaw: int64(r.Nav.Decoded), Kinds: map[string]int64{}}
	w.Total, w.TotalRaw = w.HTML, w.HTMLRaw
	var largest perfEntry
	origin := eval[string](t, ctx, `location.origin`)
	for _, e := range r.Resources {
		if !strings.HasPrefix(e.Name, origin+"/") {
			continue
		}
		u, _ := url.Parse(e.Name)
		w.Requests++
		w.Kinds[assetKind(u.Path)] += int64(e.Transfer)
		w.Total += int64(e.Transfer)
		w.TotalRaw += int64(e.Decoded)
		if e.Transfer > largest.Transfer {
			largest = e
		}
	}
	if largest.Name != "" {
		u, _ := url.Parse(largest.Name)
		w.Largest = fmt.Sprintf("%s (%s)", path.Base(u.Path), kb(int64(largest.Transfer)))
	}
	return w
}

// kb writes n bytes in kilobytes (KB, 1,024 bytes) with one decimal.
func kb(n int64) string { return strconv.FormatFloat(float64(n)/1024, 'f', 1, 64) + " KB" }

// weightsIntro heads docs/page-weights.md (‵ stands for a backquote).
const weightsIntro = `# Page weights

What each page type of the portal costs a first visit: bytes transferred (compressed when the
server compresses, HTTP headers included) for the HTML and for everything the page then loads
from the site, by kind. Generated by the browser tests; regenerate with:

‵‵‵sh
SOCLE_PAGE_WEIGHTS=docs/page-weights.md go test ./cmd/socle -run 'TestBrowser/sqlite/every_public' -count=1
‵‵‵

**Method.** ‵TestBrowser‵ seeds the demo territory into SQLite, serves it with the real handler
stack and loads each page in headless Chromium with the browser cache disabled, so that every
load is a first visit; the browser asks for gzip as browsers do. Once the page's fonts are ready
and no new request has started for 400 ms (the map first waits for its GeoJSON to be drawn), it
reads the Performance API: the navigation entry's ‵transferSize‵ and ‵decodedBodySize‵ for the
HTML, the resource entries' for the rest, classed by extension (stylesheets, scripts, fonts,
images and icons, with the ‵/favicon.ico‵ browsers ask for; "data" is the map's GeoJSON and
anything else).
Requests to other origins are left out: in the tests the base map's tiles point to an
unreachable server. A second visit costs only the HTML (and the map's data): the assets have
versioned URLs and are cached for a year.

`

// weightsMarkdown is docs/page-weights.md: the method, then the table.
func weightsMarkdown(ws []pageWeight) string {
	var b strings.Builder
	b.WriteString(strings.ReplaceAll(weightsIntro, "‵", "`"))
	b.WriteString("| page | HTML | HTML decoded |")
	for _, k := range assetKinds {
		b.WriteString(" " + k + " |")
	}
	b.WriteString(" requests | total | total decoded | largest file |\n|---|--:|--:|")
	for range assetKinds {
		b.WriteString("--:|")
	}
	b.WriteString("--:|--:|--:|---|\n")
	for _, w := range ws {
		fmt.Fprintf(&b, "| %s | %s | %s |", w.Page, kb(w.HTML), kb(w.HTMLRaw))
		for _, k := range assetKinds {
			fmt.Fprintf(&b, " %s |", kb(w.Kinds[k]))
		}
		fmt.Fprintf(&b, " %d | %s | %s | %s |\n", w.Requests+1, kb(w.Total), kb(w.TotalRaw), w.Largest)
	}
	return b.String()
}

// repoPath resolves a path given in the environment: relative paths are
// relative to the repository's root, not to this package's directory
// where tests run.
func repoPath(p string) string {
	if filepath.IsAbs(p) {
		return p
	}
	return filepath.Join("..", "..", p)
}
