package main

import (
	"os"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestCitizenBrowser walks sensor transparency as a citizen in a real
// browser, on SQLite with the demo (both engines are covered by the HTTP
// tests): the sensor map filtered by colour, the square's camera page and
// its printable sign, an opinion given with a scripted comment; then a
// steward publishes it with a reply; then the citizen sees it counted, the
// comment shown as text and never run. axe-core checks every page. With
// SOCLE_SCREENSHOTS=<dir> it saves the sensor map as capteurs.png.
func TestCitizenBrowser(t *testing.T) {
	chrome := chromiumPath()
	needTool(t, "Chromium", "install the Debian packages chromium and chromium-driver", chrome != "")
	axe, err := os.ReadFile(axePath)
	needTool(t, "axe-core", "run make compat-deps (npm ci in compat/axe)", err == nil)
	s := newSuite(t, engines(t)[0], chrome, string(axe))
	if dir := os.Getenv("SOCLE_SCREENSHOTS"); dir != "" {
		s.shots = repoPath(dir)
	}
	citizen := s.tab(t)
	const camera = "camera-place"

	t.Run("the sensor map shows the public sensors and filters them by colour", func(t *testing.T) {
		if code := s.open(t, citizen, "/capteurs"); code != 200 {
			t.Fatalf("GET /capteurs: %d", code)
		}
		if state, n := waitMap(t, citizen); state != "loaded" || n < 2000 {
			t.Errorf("map %s with %d sensors", state, n)
		}
		s.checkPage(t, citizen, "capteurs")
		s.screenshot(t, citizen, "capteurs", "#carte-capteurs")
		do(t, citizen, "choose yellow", chromedp.SetValue(chromedp.ID("couleur"), "yellow"))
		if code := follow(t, citizen, "filter", chromedp.Click(chromedp.CSS(`main form[action="/capteurs"] button[type="submit"]`))); code != 200 {
			t.Fatalf("filtered map: %d", code)
		}
		rows := attrs(t, citizen, "main tr[data-sensor]", "data-sensor")
		if strings.Join(rows, " ") != camera+" place-du-marche" {
			t.Fatalf("yellow sensors %q, want the camera and the square's deployment", rows)
		}
		if _, n := waitMap(t, citizen); n != 2 {
			t.Errorf("the filtered map draws %d sensors", n)
		}
	})

	t.Run("the camera's page shows its datachain, badges and signs", func(t *testing.T) {
		if code := clickLink(t, citizen, `main tr[data-sensor="`+camera+`"] a`); code != 200 {
			t.Fatalf("camera page: %d", code)
		}
		body := text(t, citizen, "main")
		for _, want := range []string{"Données personnelles collectées", "Vidéo identifiable", "30 jours", "Digital Transparency in the Public Realm contributors"} {
			if !strings.Contains(body, want) {
				t.Errorf("the page lacks %q", want)
			}
		}
		if n := len(attrs(t, citizen, "main .dtpr-badges svg", "aria-label")); n < 3 {
			t.Errorf("%d badges", n)
		}
		s.checkPage(t, citizen, "capteur")
		if code := clickLink(t, citizen, `main a[href$="panneau.svg?format=a4"]`); code != 200 {
			t.Fatalf("sign: %d", code)
		}
		qr := eval[int](t, citizen, `document.querySelectorAll('g.qr path').length`)
		badges := eval[int](t, citizen, `document.querySelectorAll('g.dtpr-badge').length`)
		if qr != 1 || badges < 3 || !strings.Contains(eval[string](t, citizen, `document.documentElement.textContent`), "/capteurs/"+camera) {
			t.Errorf("the sign has %d QR codes and %d badges", qr, badges)
		}
	})

	t.Run("the square's deployment groups its two sensors", func(t *testing.T) {
		if code := s.open(t, citizen, "/capteurs/place-du-marche"); code != 200 {
			t.Fatalf("deployment page: %d", code)
		}
		if got := attrs(t, citizen, "main [data-member]", "data-member"); len(got) != 2 {
			t.Errorf("members %q", got)
		}
		s.checkPage(t, citizen, "déploiement")
	})

	const comment = `<script>window.pwned = 1</script> Qui regarde les images ?`
	t.Run("a citizen gives an opinion without an account", func(t *testing.T) {
		s.open(t, citizen, "/capteurs/"+camera)
		do(t, citizen, "answer",
			chromedp.Click(chromedp.ID("comprehension-partiel")),
			chromedp.SetValue(chromedp.ID("utilite"), "4"),
			chromedp.SetValue(chromedp.ID("confort"), "2"),
			chromedp.SendKeys(chromedp.ID("commentaire"), comment))
		if code := follow(t, citizen, "send", chromedp.Click(chromedp.CSS(`main form[action$="/avis"] button[type="submit"]`))); code != 200 {
			t.Fatalf("after sending: %d", code)
		}
		if got := text(t, citizen, "main .fr-alert--success"); !strings.Contains(got, "après relecture") {
			t.Errorf("flash %q", got)
		}
	})

	t.Run("a steward publishes it with a reply", func(t *testing.T) {
		steward := s.tab(t)
		s.login(t, steward, "claire.martin", s.password(t, "claire.martin"))
		if code := s.open(t, steward, "/admin/avis"); code != 200 {
			t.Fatalf("GET /admin/avis: %d", code)
		}
		s.checkPage(t, steward, "moderation")
		card := `main [data-opinion]`
		if got := text(t, steward, card+" .dtpr-comment"); got != comment {
			t.Fatalf("the queue shows %q", got)
		}
		do(t, steward, "reply", chromedp.SendKeys(chromedp.CSS(card+" textarea"), "Seule la police municipale, sur réquisition."))
		if code := follow(t, steward, "publish", chromedp.Click(chromedp.CSS(card+` button[value="published"]`))); code != 200 {
			t.Fatalf("after publishing: %d", code)
		}
	})

	t.Run("the citizen sees it counted, the comment as text", func(t *testing.T) {
		s.open(t, citizen, "/capteurs/"+camera)
		body := text(t, citizen, "main")
		for _, want := range []string{"1 avis publié", "En partie : 1", "moyenne 4 sur 5", comment, "Seule la police municipale"} {
			if !strings.Contains(body, want) {
				t.Errorf("the page lacks %q", want)
			}
		}
		if eval[bool](t, citizen, `window.pwned === 1`) {
			t.Error("the comment's script ran")
		}
		s.checkPage(t, citizen, "capteur avec avis")
		if code := s.open(t, citizen, "/capteurs/lieux/49901"); code != 200 || !strings.Contains(text(t, citizen, "main"), "1 avis publié") {
			t.Errorf("the place page (%d) does not count the opinion", code)
		}
		s.checkPage(t, citizen, "lieu")
	})
}
