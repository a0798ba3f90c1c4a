package web

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"testing"

	"github.com/socle/socle/internal/app"
	"github.com/socle/socle/internal/catalog"
	"github.com/socle/socle/internal/errs"
)

// published returns a producer's browser and the page of a dataset it
// published through the upload flow.
func published(t *testing.T, s *adminSite) (*browser, string) {
	t.Helper()
	b := s.login(t, "prod")
	preview := stage(t, b, "communes", "communes.csv", communesCSV)
	form := publishForm(b.token(preview))
	form.Set("type.population", "int")
	p := b.post(preview+"/publish", form)
	wantStatus(t, "publish", p, http.StatusSeeOther)
	return b, "/admin/datasets/communes"
}

func recordsOf(t *testing.T, s *adminSite) (int64, int) {
	t.Helper()
	d, err := s.app.Store.Dataset(context.Background(), "communes")
	must(t, err)
	return d.Records, d.Version
}

func TestReplaceAppendAndRestore(t *testing.T) {
	onEngines(t, func(t *testing.T, s *adminSite) {
		b, dsPage := published(t, s)
		csrf := b.token(dsPage)
		send := func(mode, name, content string) page {
			return b.upload(dsPage+"/data", [][2]string{{"csrf", csrf}, {"mode", mode}}, name, content)
		}
		steps := []struct {
			name    string
			do      func() page
			status  int
			want    string
			records int64
			version int
		}{
			{"replace", func() page { return send("replace", "v2.csv", "Commune;Code;Population\nSaumur;49328;26000\n") },
				http.StatusSeeOther, "ok=data-replace", 1, 2},
			{"a value that does not fit the published type keeps the version", func() page {
				return send("replace", "v3.csv", "Commune;Code;Population\nCholet;49099;beaucoup\n")
			}, http.StatusUnprocessableEntity, "Ligne 2, champ « Population » : la valeur « beaucoup »", 1, 2},
			{"an unknown format keeps the version", func() page { return send("replace", "v3.ods", "x") },
				http.StatusUnprocessableEntity, "Format de fichier non reconnu", 1, 2},
			{"append", func() page { return send("append", "v3.csv", "Commune;Code;Population\nCholet;49099;54000\n") },
				http.StatusSeeOther, "ok=data-append", 2, 3},
			{"restore the previous version", func() page {
				return b.post(dsPage+"/restore", url.Values{"csrf": {csrf}, "version": {"2"}})
			}, http.StatusSeeOther, "ok=restored", 1, 2},
			{"restore a version that was dropped", func() page {
				return b.post(dsPage+"/restore", url.Values{"csrf": {csrf}, "version": {"1"}})
			}, http.StatusUnprocessableEntity, "Aucune version antérieure", 1, 2},
		}
		for _, st := range steps {
			p := st.do()
			wantStatus(t, st.name, p, st.status, st.want)
			if n, v := recordsOf(t, s); n != st.records || v != st.version {
				t.Errorf("%s: %d records in version %d, want %d in %d", st.name, n, v, st.records, st.version)
			}
		}
		api := b.get("/api/explore/v2.1/catalog/datasets/communes/records")
		wantStatus(t, "API after restore", api, http.StatusOK, `"total_count":1`, `"commune":"Saumur"`)
	})
}

var reportLink = regexp.MustCompile(`href="(/admin/datasets/communes/reports/[0-9]+)"`)

func TestImportReportsListEveryAttempt(t *testing.T) {
	onEngines(t, func(t *testing.T, s *adminSite) {
		b, dsPage := published(t, s)
		csrf := b.token(dsPage)
		bad := b.upload(dsPage+"/data", [][2]string{{"csrf", csrf}, {"mode", "replace"}}, "faux.csv", "Commune;Code;Population\nX;1;deux\n")
		wantStatus(t, "refused import", bad, http.StatusUnprocessableEntity)
		p := b.get(dsPage)
		wantStatus(t, "reports", p, http.StatusOK, "faux.csv", "communes.csv", "Refusé", "Publié", "Remplacement")
		links := reportLink.FindAllStringSubmatch(p.body, -1)
		if len(links) != 2 {
			t.Fatalf("%d report links, want 2", len(links))
		}
		wantStatus(t, "newest report", b.get(links[0][1]), http.StatusOK, "faux.csv", "deux")
		wantStatus(t, "first report", b.get(links[1][1]), http.StatusOK, "Version 1 publiée, 3 lignes", "population")
		wantStatus(t, "a report of another dataset", b.get("/admin/datasets/communes/reports/999999"), http.StatusNotFound)
		// The CLI path (app.System, no web) writes its reports too.
		load(t, s.app, catalog.Dataset{ID: "communes"}, "Commune;Code;Population\nY;2;3\n")
		reps, err := s.app.Store.ImportReports(context.Background(), "communes", 10)
		must(t, err)
		if len(reps) != 3 || reps[0].Actor != app.System.Login() || !reps[0].OK {
			t.Errorf("reports after a CLI-style import: %+v", reps[0])
		}
	})
}

func TestMetadataForm(t *testing.T) {
	onEngines(t, func(t *testing.T, s *adminSite) {
		b, dsPage := published(t, s)
		form := publishForm(b.token(dsPage))
		form.Set("title", "Nouveau titre")
		form.Set("access", "internal")
		form.Set("publisher", "autre") // producers keep their organization
		wantStatus(t, "save", b.post(dsPage+"/meta", form), http.StatusSeeOther, "ok=meta-saved")
		d, err := s.app.Store.Dataset(context.Background(), "communes")
		must(t, err)
		if d.Meta.Title != "Nouveau titre" || d.Access != catalog.AccessInternal || d.Meta.Publisher != "metro" {
			t.Errorf("saved %+v %s", d.Meta, d.Access)
		}
		form.Set("title", "")
		wantStatus(t, "no title", b.post(dsPage+"/meta", form), http.StatusUnprocessableEntity, "Donnez un titre")
		form.Set("title", "T")
		form.Set("contact_email", "pas une adresse")
		wantStatus(t, "bad e-mail", b.post(dsPage+"/meta", form), http.StatusUnprocessableEntity, "adresse électronique du contact est invalide")
		wantStatus(t, "agents may not manage", s.login(t, "agent").get(dsPage), http.StatusNotFound)
	})
}

func TestAdminPagesAreForAdminsOnly(t *testing.T) {
	onEngines(t, func(t *testing.T, s *adminSite) {
		rootID := strconv.FormatInt(s.users["root"].ID, 10)
		pages := []string{"/admin/users", "/admin/users/" + rootID, "/admin/organizations", "/admin/organizations/metro", "/admin/keys?user=" + rootID}
		prod, root := s.login(t, "prod"), s.login(t, "root")
		for _, path := range pages {
			wantStatus(t, "producer "+path, prod.get(path), http.StatusNotFound)
			wantStatus(t, "admin "+path, root.get(path), http.StatusOK)
			wantStatus(t, "anonymous "+path, s.browser(t).get(path), http.StatusSeeOther, "/login?next=")
		}
		csrf := prod.token("/admin")
		wantStatus(t, "producer creating an account", prod.post("/admin/users", url.Values{"csrf": {csrf}, "login": {"x"},
			"password": {"douze caracteres"}, "role": {"admin"}}), http.StatusNotFound)
		if _, err := s.app.Store.UserByLogin(context.Background(), "x"); !errs.Is(err, errs.NotFound) {
			t.Errorf("a producer created an account: %v", err)
		}
	})
}

func TestUserAdministration(t *testing.T) {
	onEngines(t, func(t *testing.T, s *adminSite) {
		root := s.login(t, "root")
		csrf := root.token("/admin/users")
		short := root.post("/admin/users", url.Values{"csrf": {csrf}, "login": {"bob"}, "name": {"Bob"}, "password": {"onze carac."}, "role": {"producer"}})
		wantStatus(t, "short password", short, http.StatusUnprocessableEntity, "au moins 12 caractères", `value="bob"`)
		ok := root.post("/admin/users", url.Values{"csrf": {csrf}, "login": {"bob"}, "name": {"Bob"}, "password": {testPassword}, "role": {"agent"}, "org": {"metro"}})
		wantStatus(t, "create", ok, http.StatusSeeOther, "ok=user-created")
		bob, err := s.app.Store.UserByLogin(context.Background(), "bob")
		must(t, err)
		id := strconv.FormatInt(bob.ID, 10)
		wantStatus(t, "change role", root.post("/admin/users/"+id, url.Values{"csrf": {csrf}, "name": {"Bob"}, "role": {"producer"}, "org": {"autre"}}),
			http.StatusSeeOther, "ok=user-saved")
		bobs := s.login(t, "bob")
		wantStatus(t, "bob can publish now", bobs.get("/admin/datasets/new"), http.StatusOK)
		wantStatus(t, "disable", root.post("/admin/users/"+id+"/disable", url.Values{"csrf": {csrf}}), http.StatusSeeOther, "ok=user-disabled")
		wantStatus(t, "a disabled account's session ends", bobs.get("/admin"), http.StatusSeeOther, "/login?expired=1")
		wantStatus(t, "disable oneself", root.post("/admin/users/"+strconv.FormatInt(s.users["root"].ID, 10)+"/disable", url.Values{"csrf": {csrf}}),
			http.StatusBadRequest, "propre compte")
	})
}

var newKey = regexp.MustCompile(`value="(sk_[0-9a-f]+)"`)

func TestAPIKeys(t *testing.T) {
	onEngines(t, func(t *testing.T, s *adminSite) {
		ctx := context.Background()
		b := s.login(t, "prod")
		csrf := b.token("/admin/keys")
		p := b.post("/admin/keys", url.Values{"csrf": {csrf}, "label": {"script de test"}})
		wantStatus(t, "create", p, http.StatusOK, "ne sera plus jamais affichée", `data-copy-target="new-key"`, `data-copied-text="Copié"`)
		m := newKey.FindStringSubmatch(p.body)
		if m == nil {
			t.Fatal("no key on the page")
		}
		if _, err := s.app.Authenticate(ctx, m[1]); err != nil {
			t.Fatalf("the new key does not work: %v", err)
		}
		list := b.get("/admin/keys")
		wantStatus(t, "list", list, http.StatusOK, "script de test", m[1][:9])
		if regexp.MustCompile(m[1]).MatchString(list.body) {
			t.Error("the list shows the whole key")
		}
		keys, err := s.app.Store.APIKeys(ctx, s.users["prod"].ID)
		must(t, err)
		kid := strconv.FormatInt(keys[0].ID, 10)
		wantStatus(t, "another user revoking", s.login(t, "agent").post("/admin/keys/"+kid+"/revoke", url.Values{"csrf": {s.login(t, "agent").token("/admin")}}), http.StatusForbidden)
		other := s.login(t, "agent")
		wantStatus(t, "another user revoking with their token", other.post("/admin/keys/"+kid+"/revoke", url.Values{"csrf": {other.token("/admin/keys")}}), http.StatusNotFound)
		if _, err := s.app.Authenticate(ctx, m[1]); err != nil {
			t.Fatalf("someone else revoked the key: %v", err)
		}
		wantStatus(t, "revoke", b.post("/admin/keys/"+kid+"/revoke", url.Values{"csrf": {csrf}}), http.StatusSeeOther, "ok=key-revoked")
		if _, err := s.app.Authenticate(ctx, m[1]); !errs.Is(err, errs.Unauthorized) {
			t.Errorf("a revoked key works: %v", err)
		}
		root := s.login(t, "root")
		wantStatus(t, "an admin sees another's keys", root.get("/admin/keys?user="+strconv.FormatInt(s.users["prod"].ID, 10)), http.StatusOK, "Clés d'API de prod", "Révoquée")
	})
}
