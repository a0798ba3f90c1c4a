package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/socle/socle/internal/auth"
	"github.com/socle/socle/internal/catalog"
	"github.com/socle/socle/internal/demo"
	"github.com/socle/socle/internal/errs"
	"github.com/socle/socle/internal/odsql"
)

// sharedCSV has three rows in Angers (IDs 1, 3, 5) and three elsewhere; the
// field "secret" is outside the agreement's field subset.
const sharedCSV = "nom;commune;montant;secret\n" +
	"alpha;Angers;1,5;s-alpha\nbeta;Avrillé;2,5;s-beta\ngamma;Angers;3,5;s-gamma\n" +
	"delta;Trélazé;4,5;s-delta\nepsilon;Angers;5,5;s-epsilon\nzeta;Avrillé;6,5;s-zeta\n"

// TestSharedDatasetThroughAnAgreement follows a partner's key through an
// agreement's life: nothing while it is a draft; during it, records,
// record by ID, exports, facets, metadata and the catalog show only the
// shared fields and rows; after its end date (moved through the API) and
// after a termination, 404 everywhere, the refusal logged; anonymous
// callers and another partner never see the dataset; each access is in
// the audit log against the agreement and the usage counts match.
func TestSharedDatasetThroughAnAgreement(t *testing.T) {
	csvPath := filepath.Join(t.TempDir(), "contrats.csv")
	os.WriteFile(csvPath, []byte(sharedCSV), 0o600)
	for _, e := range engines(t) {
		t.Run(e.name, func(t *testing.T) {
			e.t = t
			seedOrgs(t, e)
			seedOrg(t, e, &catalog.Organization{ID: "autre", Name: "Autre", Kind: catalog.OrgPartner})
			e.mustRun("import", "--dataset", "contrats", "--access", "shared", "--org", "metropole", csvPath)
			e.mustRun("user", "add", "--login", "steward", "--role", "steward", "--org", "metropole")
			e.mustRun("user", "add", "--login", "labo", "--role", "partner", "--org", "partenaire")
			e.mustRun("user", "add", "--login", "intrus", "--role", "partner", "--org", "autre")
			steward := strings.TrimSpace(e.mustRun("apikey", "create", "--login", "steward"))
			labo := strings.TrimSpace(e.mustRun("apikey", "create", "--login", "labo"))
			intrus := strings.TrimSpace(e.mustRun("apikey", "create", "--login", "intrus"))
			e.start()

			now := time.Now().UTC()
			ag := map[string]any{"id": "acc-1", "partner": "partenaire",
				"datasets": []map[string]any{{"dataset": "contrats", "fields": []string{"nom", "commune", "montant"}, "filter": "commune = 'Angers'"}},
				"purpose":  "Étude des contrats", "legal_basis": "Convention du 1er mars", "start": now.Add(-time.Hour), "end": now.Add(time.Hour),
				"conditions": []string{"pas de réidentification", "pas de rediffusion"}, "signatories": []string{"Jeanne Martin"}, "notes": "note-interne-42"}
			agreementCall(t, e, "POST", "/api/socle/v1/agreements", steward, ag, 201)
			if code, _ := e.post("POST", "/api/socle/v1/agreements", labo, mustJSON(t, ag)); code != 403 {
				t.Errorf("a partner created an agreement: %d", code)
			}
			assertSharedHidden(t, e, labo) // a draft grants nothing

			agreementCall(t, e, "POST", "/api/socle/v1/agreements/acc-1/activate", steward, nil, 200)
			reads := assertSharedView(t, e, labo)
			for _, key := range []string{"", intrus} {
				assertSharedHidden(t, e, key)
			}
			assertRegister(t, e)

			ag["start"], ag["end"] = now.Add(-2*time.Hour), now.Add(-time.Minute)
			agreementCall(t, e, "PUT", "/api/socle/v1/agreements/acc-1", steward, ag, 200)
			assertSharedHidden(t, e, labo)
			assertUsage(t, e, steward, "acc-1", reads)
			assertRefusalLogged(t, e, steward, "acc-1")

			ag["id"], ag["end"] = "acc-2", now.Add(time.Hour)
			ag["status"] = "active"
			agreementCall(t, e, "POST", "/api/socle/v1/agreements", steward, ag, 201)
			var page recordsPageJSON
			e.getJSON(records("contrats"), labo, 200, &page)
			agreementCall(t, e, "POST", "/api/socle/v1/agreements/acc-2/terminate", steward, nil, 200)
			assertSharedHidden(t, e, labo)
			if code, _ := e.post("POST", "/api/socle/v1/agreements/acc-2/activate", steward, nil); code != 409 {
				t.Errorf("a terminated agreement was reactivated: %d", code)
			}
			e.mustRun("audit", "verify")
		})
	}
}

// sharedReads is what a partner's requests under an agreement added up to.
type sharedReads struct{ requests, records int64 }

// assertSharedView checks every endpoint as the partner during the
// agreement, and returns the audited requests and records it made.
func assertSharedView(t *testing.T, e *env, key string) sharedReads {
	t.Helper()
	var n sharedReads
	base := "/api/explore/v2.1/catalog/datasets/contrats"
	var page recordsPageJSON
	e.getJSON(records("contrats", "limit", "10"), key, 200, &page)
	n.requests, n.records = n.requests+1, n.records+int64(len(page.Results))
	if page.TotalCount != 3 || len(page.Results) != 3 {
		t.Fatalf("records: %+v", page)
	}
	for _, r := range page.Results {
		if r["commune"] != "Angers" || r["secret"] != nil || r["nom"] == nil {
			t.Errorf("record outside the agreement's scope: %v", r)
		}
	}
	e.getJSON(records("contrats", "where", "montant > 2"), key, 200, &page)
	n.requests, n.records = n.requests+1, n.records+int64(len(page.Results))
	if page.TotalCount != 2 {
		t.Errorf("where montant > 2: %d, want 2", page.TotalCount)
	}
	for _, bad := range []string{records("contrats", "where", "secret = 's-alpha'"), records("contrats", "select", "secret"),
		records("contrats", "order_by", "secret"), base + "/facets?facet=secret"} {
		if code, body, _ := e.get(bad, key); code != 400 {
			t.Errorf("GET %s naming a hidden field: %d %s", bad, code, body)
		}
	}
	for _, q := range []string{"s-alpha", "Avrillé"} {
		e.getJSON(records("contrats", "where", `"`+q+`"`), key, 200, &page)
		n.requests = n.requests + 1
		if page.TotalCount != 0 {
			t.Errorf("full-text search for %q found hidden data: %+v", q, page)
		}
	}
	var rec map[string]any
	e.getJSON(base+"/records/3", key, 200, &rec)
	n.requests, n.records = n.requests+1, n.records+1
	if rec["nom"] != "gamma" || rec["commune"] != "Angers" || rec["secret"] != nil {
		t.Errorf("record 3: %v", rec)
	}
	if code, body, _ := e.get(base+"/records/2", key); code != 404 {
		t.Errorf("record 2 is outside the row filter: %d %s", code, body)
	}
	code, body, _ := e.get(base+"/exports/csv", key)
	n.requests, n.records = n.requests+1, n.records+3
	if code != 200 || strings.Contains(string(body), "secret") || strings.Contains(string(body), "Avrillé") ||
		strings.Count(strings.TrimSpace(string(body)), "\n") != 3 {
		t.Errorf("csv export: %d\n%s", code, body)
	}
	code, body, _ = e.get(base+"/facets?facet=commune", key)
	n.requests = n.requests + 1
	if code != 200 || !strings.Contains(string(body), `"Angers"`) || strings.Contains(string(body), "Avrillé") {
		t.Errorf("facets: %d %s", code, body)
	}
	var meta struct {
		Fields []struct {
			Name string `json:"name"`
		} `json:"fields"`
	}
	e.getJSON(base, key, 200, &meta)
	n.requests = n.requests + 1
	if len(meta.Fields) != 3 {
		t.Errorf("metadata shows fields %+v", meta.Fields)
	}
	var cat recordsPageJSON
	e.getJSON("/api/explore/v2.1/catalog/datasets?where=dataset_id%3D%22contrats%22", key, 200, &cat)
	if cat.TotalCount != 1 {
		t.Errorf("the partner's catalog does not list the shared dataset: %+v", cat)
	}
	return n
}

// assertSharedHidden checks that key sees nothing of the shared dataset.
func assertSharedHidden(t *testing.T, e *env, key string) {
	t.Helper()
	base := "/api/explore/v2.1/catalog/datasets/contrats"
	for _, p := range []string{base, base + "/records", base + "/records/1", base + "/exports/csv", base + "/exports/json",
		base + "/facets", base + "/exports", "/datasets/contrats"} {
		if code, body, _ := e.get(p, key); code != 404 {
			t.Errorf("key %q GET %s: %d, want 404: %.200s", key, p, code, body)
		}
	}
	assertCatalogHides(t, e, key, "contrats")
}

// assertRegister checks the public register: the agreement's public terms
// and none of its confidential details.
func assertRegister(t *testing.T, e *env) {
	t.Helper()
	code, body, _ := e.get("/api/socle/v1/agreements/register", "")
	if code != 200 || !strings.Contains(string(body), `"acc-1"`) || !strings.Contains(string(body), "Étude des contrats") {
		t.Fatalf("register: %d %s", code, body)
	}
	for _, secret := range []string{"note-interne-42", "Jeanne Martin", "Angers", "legal_basis"} {
		if strings.Contains(string(body), secret) {
			t.Errorf("the register reveals %q: %s", secret, body)
		}
	}
	code, body, _ = e.get("/accords", "")
	if code != 200 || !strings.Contains(string(body), "Étude des contrats") || strings.Contains(string(body), "note-interne-42") {
		t.Errorf("register page: %d %.300s", code, body)
	}
	if code, _, _ := e.get("/api/socle/v1/agreements/acc-1", ""); code != 401 {
		t.Errorf("an anonymous caller reads an agreement: %d", code)
	}
}

// assertUsage checks that every read went to the audit log against the
// agreement and that its usage counts them.
func assertUsage(t *testing.T, e *env, steward, id string, want sharedReads) {
	t.Helper()
	var v struct {
		Usage struct {
			Requests   int64     `json:"requests"`
			Records    int64     `json:"records"`
			LastAccess time.Time `json:"last_access"`
		} `json:"usage"`
		Notes string `json:"notes"`
	}
	e.getJSON("/api/socle/v1/agreements/"+id, steward, 200, &v)
	var log struct {
		Results []struct {
			Actor   string `json:"actor"`
			Records int64  `json:"records"`
			Detail  string `json:"detail"`
		} `json:"results"`
	}
	e.getJSON("/api/socle/v1/audit?limit=1000&target=contrats", steward, 200, &log)
	var got sharedReads
	for _, l := range log.Results {
		if l.Detail == "shared; agreement "+id {
			if l.Actor != "labo" {
				t.Errorf("audited actor %q", l.Actor)
			}
			got.requests++
			got.records += l.Records
		}
	}
	if got.requests < want.requests || got.records < want.records {
		t.Errorf("audit against %s: %+v, want at least %+v", id, got, want)
	}
	if v.Usage.Requests != got.requests || v.Usage.Records != got.records || v.Usage.LastAccess.IsZero() || v.Notes != "note-interne-42" {
		t.Errorf("usage %+v, audit %+v", v.Usage, got)
	}
}

// assertRefusalLogged checks that a use of an inactive agreement is logged.
func assertRefusalLogged(t *testing.T, e *env, steward, id string) {
	t.Helper()
	_, body, _ := e.get("/api/socle/v1/audit?limit=1000&target=contrats", steward)
	if !strings.Contains(string(body), `"agreement.refused"`) || !strings.Contains(string(body), "agreement "+id+" not active") {
		t.Errorf("no refusal against %s in the audit log: %.500s", id, body)
	}
}

func agreementCall(t *testing.T, e *env, method, path, key string, body any, want int) {
	t.Helper()
	var b []byte
	if body != nil {
		b = mustJSON(t, body)
	}
	if code, out := e.post(method, path, key, b); code != want {
		t.Fatalf("%s %s: %d, want %d: %s", method, path, code, want, out)
	}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// seedOrg adds one organization before the server starts.
func seedOrg(t *testing.T, e *env, o *catalog.Organization) {
	t.Helper()
	a, err := (&storeFlags{data: e.data, dsn: e.dsn}).open(t.Context(), quietLogger())
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if err := a.Store.PutOrganization(t.Context(), o); err != nil {
		t.Fatal(fmt.Errorf("put organization: %w", err))
	}
}

// TestDemoAgreements loads the demo's shared dataset and its agreements and
// checks what the demo partner sees: the seasons from 2024, without the
// clubs' contacts, through the agreement in force.
func TestDemoAgreements(t *testing.T) {
	ctx := t.Context()
	a, err := (&storeFlags{data: t.TempDir()}).open(ctx, quietLogger())
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	tr := demo.New()
	for _, o := range tr.Organizations {
		if err := a.Store.PutOrganization(ctx, o); err != nil {
			t.Fatal(err)
		}
	}
	for _, spec := range tr.Datasets {
		if spec.Dataset.ID == "licences-sportives" {
			if err := loadSpec(ctx, a, spec); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := a.SeedAgreements(ctx, tr.Agreements); err != nil {
		t.Fatal(err)
	}
	var partner *demo.DemoUser
	for i, u := range tr.Users {
		if u.Role == "partner" {
			partner = &tr.Users[i]
		}
	}
	p := auth.Principal{User: &auth.User{Login: partner.Login, Role: auth.RolePartner, Org: partner.Org}, OrgKind: catalog.OrgPartner}
	d, err := a.Dataset(ctx, p, "licences-sportives")
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := d.Field("contact"); ok || d.Shared == nil || d.Shared.Agreement != "observatoire-sport-2025" {
		t.Fatalf("view: fields %v, shared %+v", d.Fields, d.Shared)
	}
	n, err := a.Store.Count(ctx, d, &odsql.Query{})
	if err != nil || n != 144 {
		t.Fatalf("the partner counts %d rows (%v), want 144 (two seasons)", n, err)
	}
	if _, err := a.Dataset(ctx, auth.Principal{}, "licences-sportives"); !errs.Is(err, errs.NotFound) {
		t.Fatalf("anonymous: %v", err)
	}
}
