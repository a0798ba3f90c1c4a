package main

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestHyperviseurBrowser walks the hyperviseur's maintenance side in a
// real browser, on SQLite with the demo (the pages are the same on both
// engines, which the HTTP tests cover): an agent sees the indicator tiles,
// assigns and comments the leak alert, sees an alert opened by a new
// observation arrive without reloading, and opens the waste round with its
// map and ordered list; axe-core checks the pages. With
// SOCLE_SCREENSHOTS=<dir> it saves the round page there.
func TestHyperviseurBrowser(t *testing.T) {
	chrome := chromiumPath()
	needTool(t, "Chromium", "install the Debian packages chromium and chromium-driver", chrome != "")
	axe, err := os.ReadFile(axePath)
	needTool(t, "axe-core", "run make compat-deps (npm ci in compat/axe)", err == nil)
	e := engines(t)[0]
	s := newSuite(t, e, chrome, string(axe))
	if dir := os.Getenv("SOCLE_SCREENSHOTS"); dir != "" {
		s.shots = repoPath(dir)
	}
	steward := strings.TrimSpace(e.mustRun("apikey", "create", "--login", "claire.martin"))
	ctx := s.tab(t)
	const agent = "sophie.lefebvre"
	s.login(t, ctx, agent, s.password(t, agent))
	if code := s.open(t, ctx, "/hyperviseur"); code != 200 {
		t.Fatalf("GET /hyperviseur: %d", code)
	}
	waitMap(t, ctx)

	t.Run("the indicator tiles show the strategy's figures with their goal and source", func(t *testing.T) {
		tiles := texts(t, ctx, "main .socle-hv-indicators .fr-tile")
		if len(tiles) != 3 {
			t.Fatalf("%d tiles, want 3: %q", len(tiles), tiles)
		}
		// The night flow needs last night in the demo's 24 hours of data.
		for i, want := range []string{"MWh en 2025", "−40 %", "Débit de nuit"} {
			if !strings.Contains(tiles[i], want) || !strings.Contains(tiles[i], "Source :") {
				t.Errorf("tile %d says %q, want %q and its source", i+1, tiles[i], want)
			}
		}
		s.checkPage(t, ctx, "hyperviseur")
	})

	t.Run("the map's layer control hides and shows a domain's devices", func(t *testing.T) {
		water := 0
		for _, d := range s.terr.Devices() {
			if d.Domain == "water" && d.Location != nil {
				water++
			}
		}
		shown := func() string {
			return eval[string](t, ctx, `document.getElementById('carte').getAttribute('data-features-shown')`)
		}
		before := shown()
		toggle := `[...document.querySelectorAll('#carte .leaflet-control-layers-overlays label')].find(l => l.textContent.trim() === 'Eau').querySelector('input').click()`
		eval[any](t, ctx, toggle)
		if got, want := shown(), fmt.Sprint(atoi(before)-water); got != want {
			t.Errorf("with water hidden, %s markers shown, want %s (%s less the %d water meters)", got, want, before, water)
		}
		eval[any](t, ctx, toggle)
		if got := shown(); got != before {
			t.Errorf("with water shown again, %s markers, want %s", got, before)
		}
	})

	leak := s.terr.Anomalies().Leak
	row := `main table.socle-hv-alerts tr:has(a[href="/hyperviseur/devices/` + leak + `"])`
	t.Run("an agent assigns and comments the leak alert", func(t *testing.T) {
		sel := row + ` form[action$="/assign"]`
		do(t, ctx, "choose the assignee", chromedp.SetValue(chromedp.CSS(sel+" select"), "claire.martin"))
		if code := follow(t, ctx, "assign", chromedp.Click(chromedp.CSS(sel+" button"))); code != 200 {
			t.Fatalf("assign: %d", code)
		}
		if got := text(t, ctx, "main .fr-alert--success"); got != "L'attribution de l'alerte est enregistrée." {
			t.Errorf("after assigning, the flash says %q", got)
		}
		if got := text(t, ctx, row); !strings.Contains(got, "attribuée à claire.martin") {
			t.Errorf("the leak's row says %q", got)
		}
		sel = row + ` form[action$="/comment"]`
		do(t, ctx, "write a comment", chromedp.SendKeys(chromedp.CSS(sel+" input[name=note]"), "Vanne de secteur fermée"))
		if code := follow(t, ctx, "comment", chromedp.Click(chromedp.CSS(sel+" button"))); code != 200 {
			t.Fatalf("comment: %d", code)
		}
		if got := text(t, ctx, "main .fr-alert--success"); got != "Le commentaire est ajouté." {
			t.Errorf("after commenting, the flash says %q", got)
		}
	})

	t.Run("an alert opened by a new observation appears without reloading", func(t *testing.T) {
		waitMap(t, ctx)
		if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.getElementById('carte').getAttribute('data-live') === 'on'`,
			chromedp.WithPollingTimeout(10*time.Second))); err != nil {
			t.Fatalf("the live stream did not open: %v", err)
		}
		eval[bool](t, ctx, `window.socleSamePage = true`)
		// Half an hour above the demo's leak threshold (120 m3/h for 30 min).
		const meter = "compteur-eau-030"
		now := time.Now().UTC()
		body := fmt.Sprintf(`[{"device":%q,"property":"flow","time":%q,"value":210},{"device":%q,"property":"flow","time":%q,"value":215}]`,
			meter, now.Add(-31*time.Minute).Format(time.RFC3339), meter, now.Format(time.RFC3339))
		if code, out := e.post("POST", "/api/v1/observations", steward, []byte(body)); code != 201 {
			t.Fatalf("post observations: %d %s", code, out)
		}
		_, err := chromedp.Run(ctx, chromedp.Poll[bool](`!!document.querySelector('main table.socle-hv-alerts tr[data-device="`+meter+`"]')`,
			chromedp.WithPollingTimeout(15*time.Second)))
		if err != nil {
			t.Fatalf("the new alert did not appear in the panel: %v", err)
		}
		if !eval[bool](t, ctx, `window.socleSamePage === true`) {
			t.Error("the page was reloaded")
		}
	})

	t.Run("the waste round shows its route on a map and its ordered stops", func(t *testing.T) {
		if code := s.open(t, ctx, "/hyperviseur/rounds"); code != 200 {
			t.Fatalf("GET /hyperviseur/rounds: %d", code)
		}
		state, n := waitMap(t, ctx)
		orders := texts(t, ctx, "#tournee-arrets tbody tr td:first-child")
		devices := attrs(t, ctx, "#tournee-arrets tbody tr", "data-device")
		if state != "loaded" || n != len(orders)+2 || len(orders) < 2 {
			t.Errorf("the round map: %s with %d features for %d stops", state, n, len(orders))
		}
		for i, o := range orders {
			if o != fmt.Sprint(i+1) {
				t.Errorf("stop %d is numbered %q", i+1, o)
			}
		}
		full := s.terr.Anomalies().Full
		for _, want := range full {
			if !strings.Contains(strings.Join(devices, " "), want) {
				t.Errorf("the round %v misses %s", devices, want)
			}
		}
		s.checkPage(t, ctx, "hyperviseur-rounds")
		s.screenshot(t, ctx, "hyperviseur-round", "#carte-tournee")
	})
}

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}
