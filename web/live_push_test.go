package web

import (
	"net/http"
	"net/url"
	"regexp"
	"testing"
)

var pushKeyShown = regexp.MustCompile(`<code>(sp_[A-Za-z0-9_-]+)</code>`)

// TestPushPanel: the producer of a dataset enables push from its page and
// sees the key once, then disables it; a form without the anti-forgery
// token changes nothing. (Pushing with the key: cmd/socle/push_test.go.)
func TestPushPanel(t *testing.T) {
	onEngines(t, func(t *testing.T, s *adminSite) {
		b, dsPage := published(t, s)
		wantStatus(t, "page", b.get(dsPage), http.StatusOK, "Push désactivé", "Activer le push")
		wantStatus(t, "no token", b.post(dsPage+"/push", url.Values{}), http.StatusForbidden)
		csrf := b.token(dsPage)
		p := b.post(dsPage+"/push", url.Values{"csrf": {csrf}})
		wantStatus(t, "enable", p, http.StatusOK, "Push activé", "/api/push/1.0/communes/realtime/push/?pushkey=sp_")
		m := pushKeyShown.FindStringSubmatch(p.body)
		if m == nil {
			t.Fatalf("no key shown in %s", p.body)
		}
		wantStatus(t, "page after", b.get(dsPage), http.StatusOK, "Remplacer la clé de push")
		if again := b.get(dsPage); pushKeyShown.MatchString(again.body) {
			t.Error("the key is shown again")
		}
		wantStatus(t, "disable", b.post(dsPage+"/push/disable", url.Values{"csrf": {csrf}}), http.StatusSeeOther, "ok=push-disabled")
		wantStatus(t, "page disabled", b.get(dsPage), http.StatusOK, "Push désactivé")
	})
}
