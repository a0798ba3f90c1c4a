package web

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/socle/socle/harvester"
	"github.com/socle/socle/internal/auth"
	"github.com/socle/socle/internal/catalog"
	"github.com/socle/socle/internal/harvest"
)

// TestHarvestBackOffice: a steward adds a source through the form (a
// forged post changes nothing), sees it listed, runs it now and reads the
// run's report; a producer gets a 404 everywhere.
func TestHarvestBackOffice(t *testing.T) {
	onEngines(t, func(t *testing.T, s *adminSite) {
		var calls atomic.Int32
		remote := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			const ds = `{"dataset_id": "arbres", "dataset_uid": "da_1", "has_records": false,
				"fields": [], "metas": {"default": {"title": "Arbres d'alignement", "modified": "2024-05-01T00:00:00Z"}}}`
			switch n := calls.Add(1); {
			case r.URL.Path != "/api/explore/v2.1/catalog/datasets":
				http.NotFound(w, r)
			case n == 1:
				w.Write([]byte(`{"total_count": 1, "results": [` + ds + `]}`))
			case n == 2: // the same dataset twice: the second is refused
				w.Write([]byte(`{"total_count": 2, "results": [` + ds + `, ` + ds + `]}`))
			default:
				http.Error(w, "boom", http.StatusInternalServerError)
			}
		}))
		defer remote.Close()
		ctx := context.Background()
		must(t, s.app.AddUser(ctx, &auth.User{Login: "intendant", Role: auth.RoleSteward, Org: "metro"}, testPassword))
		s.app.Harvesting.Lister = func(src *harvest.Source) (harvest.Lister, error) { return harvester.New(src, nil) }
		s.app.Harvesting.Import = func(context.Context, auth.Principal, *catalog.Dataset, *harvest.Download, []catalog.Field) error {
			return errors.New("no data to import in this test")
		}
		defer s.app.StopHarvests()
		b := s.login(t, "intendant")
		wantStatus(t, "list", b.get("/admin/moissonnage"), http.StatusOK, "Moissonnage", "Aucune source moissonnée", "Ajouter une source")
		csrf := b.token("/admin/moissonnage")
		form := url.Values{"url": {remote.URL}, "kind": {"ods"}, "name": {"Portail voisin"}, "organization": {"metro"},
			"prefix": {"voisin"}, "every": {"24"}, "grace": {"7"}}
		wantStatus(t, "forged", b.post("/admin/moissonnage", form), http.StatusForbidden, "Rien n'a été modifié")
		bad := url.Values{"csrf": {csrf}, "url": {"ftp://x"}, "kind": {"ods"}, "every": {"24"}, "grace": {"7"}}
		wantStatus(t, "bad URL", b.post("/admin/moissonnage", bad), http.StatusUnprocessableEntity, "L'opération n'a pas abouti")
		bad.Set("url", remote.URL)
		bad.Set("grace", "0")
		wantStatus(t, "bad grace", b.post("/admin/moissonnage", bad), http.StatusUnprocessableEntity, "Le délai de grâce est un nombre")
		form.Set("csrf", csrf)
		wantStatus(t, "create", b.post("/admin/moissonnage", form), http.StatusSeeOther, "ok=harvest-created")
		wantStatus(t, "listed", b.get("/admin/moissonnage?ok=harvest-created"), http.StatusOK, "La source est ajoutée.", "Portail voisin",
			"toutes les 24 heures", "Opendatasoft (API Explore v2.1)", "jamais")
		srcs, err := s.app.HarvestSources(ctx, s.principal(t, "intendant"))
		if err != nil || len(srcs) != 1 {
			t.Fatalf("sources %v %v", srcs, err)
		}
		path := "/admin/moissonnage/" + itoa(srcs[0].ID)
		wantStatus(t, "source", b.get(path), http.StatusOK, "Aucune exécution", "Délai de grâce avant archivage : 7 jours")
		wantStatus(t, "run", b.post(path+"/run", url.Values{"csrf": {csrf}}), http.StatusSeeOther, "ok=harvest-started")
		deadline := time.Now().Add(20 * time.Second)
		var p page
		for time.Now().Before(deadline) {
			if p = b.get(path); strings.Contains(p.body, "Réussi") {
				break
			}
			time.Sleep(50 * time.Millisecond)
		}
		wantStatus(t, "source after the run", p, http.StatusOK, "Réussi", "/runs/")
		runs, _ := s.app.HarvestRuns(ctx, s.principal(t, "intendant"), srcs[0].ID, 1)
		wantStatus(t, "report", b.get(path+"/runs/"+itoa(runs[0].ID)), http.StatusOK, "Rapport de moissonnage", "Créés : 1")
		// A partial run, then a failed one: their reports say why.
		for i, want := range []string{"Partiel", "Échoué"} {
			wantStatus(t, "run again", b.post(path+"/run", url.Values{"csrf": {csrf}}), http.StatusSeeOther, "ok=harvest-started")
			for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
				if runs, _ = s.app.HarvestRuns(ctx, s.principal(t, "intendant"), srcs[0].ID, 1); runs[0].Status != harvest.StatusRunning {
					break
				}
			}
			report := b.get(path + "/runs/" + itoa(runs[0].ID))
			if i == 0 {
				wantStatus(t, "partial report", report, http.StatusOK, want, "Jeux en échec", "da_1", "the identifier is listed twice")
			} else {
				wantStatus(t, "failed report", report, http.StatusOK, want, "Le parcours de la source s'est arrêté", "HTTP status 500")
			}
		}
		if d, err := s.app.Store.Dataset(ctx, "voisin-arbres"); err != nil || d.Meta.Title != "Arbres d'alignement" || d.Meta.Publisher != "metro" {
			t.Errorf("harvested dataset %+v %v", d, err)
		}
		prod := s.login(t, "prod")
		for _, u := range []string{"/admin/moissonnage", path, path + "/runs/" + itoa(runs[0].ID)} {
			wantStatus(t, "producer "+u, prod.get(u), http.StatusNotFound)
		}
		wantStatus(t, "producer run", prod.post(path+"/run", url.Values{"csrf": {prod.token("/admin")}}), http.StatusNotFound)
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// principal returns the principal of a user of the site.
func (s *adminSite) principal(t *testing.T, login string) auth.Principal {
	t.Helper()
	u, err := s.app.Store.UserByLogin(context.Background(), login)
	if err != nil {
		t.Fatal(err)
	}
	return auth.Principal{User: u}
}
