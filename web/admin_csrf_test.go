package web

import (
	"context"
	"net/http"
	"net/url"
	"os"
	"testing"

	"github.com/socle/socle/internal/errs"
)

// A forged post is refused with 403 and changes nothing, whichever way it
// is forged.
func TestForgedPostsChangeNothing(t *testing.T) {
	onEngines(t, func(t *testing.T, s *adminSite) {
		b := s.login(t, "root")
		good := b.token("/admin/organizations")
		cases := []struct {
			name    string
			csrf    string
			headers []string
		}{
			{"no token", "", nil},
			{"a wrong token", good + "x", nil},
			{"another session's token", s.login(t, "prod").token("/admin"), nil},
			{"the right token from another site (Sec-Fetch-Site)", good, []string{"Sec-Fetch-Site", "cross-site"}},
			{"the right token from another site (Origin)", good, []string{"Origin", "https://evil.example"}},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				form := url.Values{"id": {"forgee"}, "name": {"Forgée"}, "kind": {"commune"}}
				if c.csrf != "" {
					form.Set("csrf", c.csrf)
				}
				wantStatus(t, "forged post", b.post("/admin/organizations", form, c.headers...), http.StatusForbidden, "Rien n'a été modifié")
				if _, err := s.app.Store.Organization(context.Background(), "forgee"); !errs.Is(err, errs.NotFound) {
					t.Fatalf("the forged post created the organization: %v", err)
				}
				up := b.upload("/admin/datasets/new", [][2]string{{"csrf", c.csrf}, {"dataset", "forge"}}, "x.csv", "a\n1\n", c.headers...)
				wantStatus(t, "forged upload", up, http.StatusForbidden)
			})
		}
		if entries, _ := os.ReadDir(s.staging); len(entries) != 0 {
			t.Errorf("forged uploads left files in staging: %v", entries)
		}
		// The csrf field must come first in an upload: a token after the
		// file is refused too (nothing is read before the check).
		late := b.upload("/admin/datasets/new", [][2]string{{"dataset", "forge"}, {"csrf", good}}, "x.csv", "a\n1\n")
		wantStatus(t, "token after a field", late, http.StatusForbidden)
		ok := b.post("/admin/organizations", url.Values{"csrf": {good}, "id": {"vraie"}, "name": {"Vraie"}, "kind": {"commune"}})
		wantStatus(t, "genuine post", ok, http.StatusSeeOther, "ok=org-created")
	})
}

// The login form is protected before any session: by the socle_csrf
// cookie, which a forged post cannot carry.
func TestLoginFormNeedsItsCookieToken(t *testing.T) {
	s := newAdminSite(t, adminEngines(t)["sqlite"](t))
	b := s.browser(t)
	b.token("/login")
	p := b.post("/login", url.Values{"csrf": {"devine"}, "login": {"prod"}, "password": {testPassword}})
	wantStatus(t, "login with a wrong token", p, http.StatusForbidden)
	if sessionCookieOf(p.res) != nil {
		t.Error("a forged login opened a session")
	}
}
