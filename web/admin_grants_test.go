package web

import (
	"net/http"
	"strings"
	"testing"
)

// A steward (here an admin) restricts a dataset and names who may read it:
// the named user sees it, another agent of the same organization does not,
// and a producer cannot change the grants.
func TestGrantsOfARestrictedDataset(t *testing.T) {
	onEngines(t, func(t *testing.T, s *adminSite) {
		_, dsPage := published(t, s)
		root := s.login(t, "root")
		form := publishForm(root.token(dsPage))
		form.Set("access", "restricted")
		form.Set("grants", "1")
		form.Set("allowed_users", "agent, agent")
		wantStatus(t, "restrict", root.post(dsPage+"/meta", form), http.StatusSeeOther)

		wantStatus(t, "named agent reads", s.login(t, "agent").get("/datasets/communes"), http.StatusOK, "Restreint")
		wantStatus(t, "anonymous", s.browser(t).get("/datasets/communes"), http.StatusNotFound)

		prod := s.login(t, "prod")
		pf := publishForm(prod.token(dsPage))
		pf.Set("access", "restricted")
		pf.Set("grants", "1")
		pf.Set("allowed_users", "prod")
		p := prod.post(dsPage+"/meta", pf)
		if p.status == http.StatusSeeOther {
			t.Fatalf("a producer changed the grants")
		}
		wantStatus(t, "named agent still reads", s.login(t, "agent").get("/datasets/communes"), http.StatusOK)
		if !strings.Contains(root.get(dsPage).body, `value="agent"`) {
			t.Error("the form does not show the grant")
		}
	})
}
