package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/socle/socle/internal/agreements"
	"github.com/socle/socle/internal/app"
	"github.com/socle/socle/internal/auth"
	"github.com/socle/socle/internal/catalog"
	"github.com/socle/socle/internal/errs"
)

// agreementSite adds to an admin site a partner organization and its
// user, a steward of the owning organization and a shared dataset.
func agreementSite(t *testing.T, s *adminSite) {
	t.Helper()
	ctx := context.Background()
	a := s.app
	must(t, a.Store.PutOrganization(ctx, &catalog.Organization{ID: "labo", Name: "Laboratoire partenaire", Kind: catalog.OrgPartner}))
	must(t, a.AddUser(ctx, &auth.User{Login: "labo", Role: auth.RolePartner, Org: "labo"}, testPassword))
	must(t, a.AddUser(ctx, &auth.User{Login: "intendant", Role: auth.RoleSteward, Org: "metro"}, testPassword))
	must(t, a.AddUser(ctx, &auth.User{Login: "voisin", Role: auth.RoleSteward, Org: "autre"}, testPassword))
	_, _, err := a.EnsureDataset(ctx, app.System, &catalog.Dataset{ID: "contrats", Access: catalog.AccessShared, Meta: catalog.Metadata{Title: "Contrats", Publisher: "metro"}})
	must(t, err)
	fields := []catalog.Field{{Name: "nom", Type: catalog.TypeText}, {Name: "commune", Type: catalog.TypeText}, {Name: "secret", Type: catalog.TypeText}}
	_, err = a.Store.LoadVersion(ctx, catalog.LoadRequest{DatasetID: "contrats", Fields: fields, Mode: catalog.ModeReplace, Rows: &sharedRows{}, Actor: "t", Now: time.Now()})
	must(t, err)
	must(t, a.RefreshCatalog(ctx))
}

// agreementValues is a complete agreement form.
func agreementValues(csrf string, extra ...string) url.Values {
	today := time.Now().In(paris)
	v := url.Values{"csrf": {csrf}, "id": {"acc-1"}, "partner": {"labo"}, "purpose": {"Étude des contrats"},
		"legal_basis": {"Convention du 3 mars"}, "start": {today.AddDate(0, 0, -1).Format(time.DateOnly)},
		"end": {today.AddDate(0, 6, 0).Format(time.DateOnly)}, "status": {"draft"},
		"conditions": {"Pas de réidentification\nPas de rediffusion"}, "signatories": {"Mme la Présidente\nM. le Directeur"},
		"notes":         {"note-interne-42"},
		"scope_dataset": {"contrats", ""}, "scope_fields": {"", ""}, "scope_filter": {"", ""}}
	for i := 0; i+1 < len(extra); i += 2 {
		v.Set(extra[i], extra[i+1])
	}
	return v
}

// TestAgreementsBackOffice goes through an agreement's life in the
// back-office on both engines: a steward creates it, narrows it to two
// fields and one commune and activates it through the forms; the partner
// reads under it and the list and access log show that use; termination
// revokes the partner's access at once; mistakes come back in French with
// the form kept.
func TestAgreementsBackOffice(t *testing.T) {
	onEngines(t, func(t *testing.T, s *adminSite) {
		ctx := context.Background()
		agreementSite(t, s)
		b := s.login(t, "intendant")
		wantStatus(t, "the empty list", b.get("/admin/accords"), http.StatusOK, "Aucun accord que vous gérez", `href="/admin/accords/nouveau"`)
		wantStatus(t, "the new form", b.get("/admin/accords/nouveau"), http.StatusOK, `<option value="contrats">contrats</option>`, "Laboratoire partenaire")
		csrf := b.token("/admin/accords/nouveau")

		bad := b.post("/admin/accords", agreementValues(csrf, "end", "31/12/2026"))
		wantStatus(t, "unreadable dates", bad, http.StatusUnprocessableEntity, "AAAA-MM-JJ", "Étude des contrats")
		bad = b.post("/admin/accords", agreementValues(csrf, "scope_filter", "commune = "))
		wantStatus(t, "a broken row filter", bad, http.StatusUnprocessableEntity, "row filter", "note-interne-42")
		if _, err := s.app.Store.Agreement(ctx, "acc-1"); !errs.Is(err, errs.NotFound) {
			t.Fatalf("a refused form stored the agreement: %v", err)
		}

		wantStatus(t, "create", b.post("/admin/accords", agreementValues(csrf)), http.StatusSeeOther, "/admin/accords/acc-1", "ok=agreement-created")
		ag, err := s.app.Store.Agreement(ctx, "acc-1")
		must(t, err)
		if ag.Owner != "metro" || ag.Status != agreements.Draft || len(ag.Conditions) != 2 || len(ag.Signatories) != 2 || ag.Notes != "note-interne-42" {
			t.Errorf("created: %+v", ag)
		}
		if want := time.Now().In(paris).AddDate(0, 6, 1).Format(time.DateOnly); ag.End.In(paris).Format(time.DateOnly) != want {
			t.Errorf("end %s, want the day after the last day, %s", ag.End, want)
		}
		wantStatus(t, "a duplicate", b.post("/admin/accords", agreementValues(csrf)), http.StatusUnprocessableEntity, "already exists")

		edit := agreementValues(csrf, "status", "active", "purpose", "Étude des contrats angevins")
		edit["scope_fields"] = []string{"nom, commune", ""}
		edit["scope_filter"] = []string{"commune = 'Angers'", ""}
		wantStatus(t, "edit", b.post("/admin/accords/acc-1", edit), http.StatusSeeOther, "ok=agreement-saved")
		ag, err = s.app.Store.Agreement(ctx, "acc-1")
		must(t, err)
		if ag.Status != agreements.Active || ag.Purpose != "Étude des contrats angevins" || strings.Join(ag.Datasets[0].Fields, ",") != "nom,commune" || ag.Datasets[0].Filter != "commune = 'Angers'" {
			t.Errorf("edited: %+v", ag)
		}
		wantStatus(t, "the agreement's page", b.get("/admin/accords/acc-1"), http.StatusOK, "Étude des contrats angevins", "commune = 'Angers'", "nom, commune", "/admin/accords/acc-1/resilier")

		partner := s.login(t, "labo")
		wantStatus(t, "the partner's table", partner.get("/datasets/contrats/table"), http.StatusOK, "alpha", "gamma")
		wantStatus(t, "the list with usage", b.get("/admin/accords"), http.StatusOK, `data-agreement="acc-1"`, "Laboratoire partenaire", "Actif")
		v, err := s.app.Agreement(ctx, auth.Principal{User: s.users["root"]}, "acc-1")
		must(t, err)
		if v.Usage.Requests < 1 || v.Usage.LastAccess.IsZero() {
			t.Errorf("usage after the partner's read: %+v", v.Usage)
		}
		wantStatus(t, "the access log", b.get("/admin/accords/acc-1/journal"), http.StatusOK, "shared; agreement acc-1", "agreement.create", "agreement.update", "labo")

		wantStatus(t, "terminate", b.post("/admin/accords/acc-1/resilier", url.Values{"csrf": {csrf}}), http.StatusSeeOther, "ok=agreement-terminated")
		wantStatus(t, "the partner after termination", partner.get("/datasets/contrats/table"), http.StatusNotFound)
		wantStatus(t, "the terminated agreement", b.get("/admin/accords/acc-1"), http.StatusOK, "Résilié", "ne peut plus être modifié")
		wantStatus(t, "editing a terminated agreement", b.post("/admin/accords/acc-1", edit), http.StatusUnprocessableEntity, "terminated")
		wantStatus(t, "reactivating it", b.post("/admin/accords/acc-1/activer", url.Values{"csrf": {csrf}}), http.StatusUnprocessableEntity, "terminated")
		wantStatus(t, "the refusal in the log", b.get("/admin/accords/acc-1/journal"), http.StatusOK, "agreement acc-1 not active", "agreement.terminated", "Résiliation", "Accès refusé (accord inactif)")
		wantStatus(t, "an unknown action", b.post("/admin/accords/acc-1/effacer", url.Values{"csrf": {csrf}}), http.StatusNotFound)
	})
}

// TestAgreementsBackOfficeRefusals: a forged post changes nothing; users
// who manage no agreement, or not this one, find no page.
func TestAgreementsBackOfficeRefusals(t *testing.T) {
	onEngines(t, func(t *testing.T, s *adminSite) {
		ctx := context.Background()
		agreementSite(t, s)
		must(t, s.app.SeedAgreements(ctx, []*agreements.Agreement{{ID: "acc-0", Owner: "metro", Partner: "labo", Purpose: "Étude",
			LegalBasis: "convention", Start: time.Now().Add(-time.Hour), End: time.Now().Add(time.Hour), Status: agreements.Active,
			Datasets: []agreements.Scope{{Dataset: "contrats"}}}}))
		root := s.login(t, "root")
		good := root.token("/admin/accords/nouveau")
		for name, form := range map[string]url.Values{"no token": agreementValues(""), "a wrong token": agreementValues(good + "x")} {
			wantStatus(t, name, root.post("/admin/accords", form), http.StatusForbidden, "Rien n'a été modifié")
			wantStatus(t, name+" (terminate)", root.post("/admin/accords/acc-0/resilier", url.Values{"csrf": form["csrf"]}), http.StatusForbidden)
		}
		if _, err := s.app.Store.Agreement(ctx, "acc-1"); !errs.Is(err, errs.NotFound) {
			t.Fatalf("a forged post created an agreement: %v", err)
		}
		if ag, _ := s.app.Store.Agreement(ctx, "acc-0"); ag == nil || ag.Status != agreements.Active {
			t.Fatalf("a forged post changed the agreement: %+v", ag)
		}
		wantStatus(t, "the admin sees it", root.get("/admin/accords"), http.StatusOK, `data-agreement="acc-0"`)

		for _, login := range []string{"prod", "agent", "labo"} {
			b := s.login(t, login)
			tok := b.token("/admin")
			wantStatus(t, login+": list", b.get("/admin/accords"), http.StatusNotFound)
			wantStatus(t, login+": new", b.get("/admin/accords/nouveau"), http.StatusNotFound)
			wantStatus(t, login+": one", b.get("/admin/accords/acc-0"), http.StatusNotFound)
			wantStatus(t, login+": log", b.get("/admin/accords/acc-0/journal"), http.StatusNotFound)
			wantStatus(t, login+": create", b.post("/admin/accords", agreementValues(tok, "id", "acc-"+login)), http.StatusNotFound)
			wantStatus(t, login+": terminate", b.post("/admin/accords/acc-0/resilier", url.Values{"csrf": {tok}}), http.StatusNotFound)
		}
		other := s.login(t, "voisin") // a steward of another organization
		tok := other.token("/admin/accords")
		wantStatus(t, "another steward's list", other.get("/admin/accords"), http.StatusOK, "Aucun accord que vous gérez")
		wantStatus(t, "another steward: one", other.get("/admin/accords/acc-0"), http.StatusNotFound)
		wantStatus(t, "another steward: log", other.get("/admin/accords/acc-0/journal"), http.StatusNotFound)
		wantStatus(t, "another steward: terminate", other.post("/admin/accords/acc-0/resilier", url.Values{"csrf": {tok}}), http.StatusNotFound)
		if ag, _ := s.app.Store.Agreement(ctx, "acc-0"); ag.Status != agreements.Active {
			t.Fatalf("a refused user changed the agreement: %+v", ag)
		}
		anon := s.browser(t)
		if p := anon.get("/admin/accords"); p.status != http.StatusSeeOther && p.status != http.StatusFound {
			t.Errorf("anonymous: %d, want a redirect to the login", p.status)
		}
	})
}
