package web

import (
	"net/http"
	"strings"

	"github.com/socle/socle/internal/auth"
	"github.com/socle/socle/internal/catalog"
)

// orgKinds are the kinds of organization, the collectivity's own first.
var orgKinds = []string{string(catalog.OrgMetropolis), string(catalog.OrgCommune), string(catalog.OrgPartner), string(catalog.OrgDelegate)}

// orgForm is the organization form.
type orgForm struct {
	ID, Name, Kind, Website, Email, SIREN, Description string
	Kinds                                              []option
}

// orgsPage is the data of the organizations list and of one
// organization's page (Edit set).
type orgsPage struct {
	Orgs  []*catalog.Organization
	Form  orgForm
	Edit  bool
	Error string
}

func (b *backOffice) handleOrgs(w http.ResponseWriter, r *http.Request) {
	p, ok := b.requireAdmin(w, r)
	if !ok {
		return
	}
	b.renderOrgs(w, r, http.StatusOK, p, &orgsPage{Form: orgForm{Kind: string(catalog.OrgCommune)}})
}

func (b *backOffice) renderOrgs(w http.ResponseWriter, r *http.Request, status int, _ auth.Principal, page *orgsPage) {
	page.Form.Kinds = b.options("orgkind", orgKinds, page.Form.Kind)
	if page.Edit {
		b.render(w, r, status, "admin_org", page.Form.Name, page)
		return
	}
	orgs, err := b.app.Store.Organizations(r.Context())
	if err != nil {
		b.renderError(w, r, err)
		return
	}
	page.Orgs = orgs
	b.render(w, r, status, "admin_orgs", b.msgs.T("admin.orgs.title"), page)
}

func parseOrgForm(r *http.Request) orgForm {
	f := func(k string) string { return strings.TrimSpace(r.PostFormValue(k)) }
	return orgForm{ID: f("id"), Name: f("name"), Kind: f("kind"), Website: f("website"), Email: f("email"),
		SIREN: f("siren"), Description: f("description")}
}

func (f orgForm) organization() *catalog.Organization {
	return &catalog.Organization{ID: f.ID, Name: f.Name, Kind: catalog.OrgKind(f.Kind), Website: f.Website,
		Email: f.Email, SIREN: f.SIREN, Description: f.Description}
}

func (b *backOffice) handleCreateOrg(w http.ResponseWriter, r *http.Request) {
	p, ok := b.requireAdmin(w, r)
	if !ok {
		return
	}
	page := &orgsPage{Form: parseOrgForm(r)}
	if page.Error = b.checkOrgForm(page.Form); page.Error == "" {
		if err := b.app.PutOrganization(r.Context(), p, page.Form.organization(), true); err != nil {
			page.Error = b.failure(r, err)
		}
	}
	if page.Error != "" {
		b.renderOrgs(w, r, http.StatusUnprocessableEntity, p, page)
		return
	}
	redirectOK(w, r, "/admin/organizations", "org-created")
}

// checkOrgForm returns a French message for the commonest mistakes; the
// use case checks everything again.
func (b *backOffice) checkOrgForm(f orgForm) string {
	switch {
	case f.ID == "" || strings.ToLower(f.ID) != f.ID || strings.ContainsAny(f.ID, " _/."):
		return b.msgs.T("admin.orgs.error.id")
	case f.Name == "":
		return b.msgs.T("admin.orgs.error.name")
	case f.Email != "" && !validEmail(f.Email):
		return b.msgs.T("admin.orgs.error.email")
	case f.SIREN != "" && len(strings.ReplaceAll(f.SIREN, " ", "")) != 9:
		return b.msgs.T("admin.orgs.error.siren")
	}
	return ""
}

func (b *backOffice) handleOrg(w http.ResponseWriter, r *http.Request) {
	p, ok := b.requireAdmin(w, r)
	if !ok {
		return
	}
	o, err := b.app.Store.Organization(r.Context(), r.PathValue("oid"))
	if err != nil {
		b.renderError(w, r, err)
		return
	}
	f := orgForm{ID: o.ID, Name: o.Name, Kind: string(o.Kind), Website: o.Website, Email: o.Email, SIREN: o.SIREN, Description: o.Description}
	b.renderOrgs(w, r, http.StatusOK, p, &orgsPage{Form: f, Edit: true})
}

func (b *backOffice) handleUpdateOrg(w http.ResponseWriter, r *http.Request) {
	p, ok := b.requireAdmin(w, r)
	if !ok {
		return
	}
	page := &orgsPage{Form: parseOrgForm(r), Edit: true}
	page.Form.ID = r.PathValue("oid")
	if page.Error = b.checkOrgForm(page.Form); page.Error == "" {
		if err := b.app.PutOrganization(r.Context(), p, page.Form.organization(), false); err != nil {
			page.Error = b.failure(r, err)
		}
	}
	if page.Error != "" {
		b.renderOrgs(w, r, http.StatusUnprocessableEntity, p, page)
		return
	}
	redirectOK(w, r, "/admin/organizations/"+page.Form.ID, "org-saved")
}
