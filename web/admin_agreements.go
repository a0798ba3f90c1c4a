package web

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/socle/socle/internal/agreements"
	"github.com/socle/socle/internal/app"
	"github.com/socle/socle/internal/audit"
	"github.com/socle/socle/internal/auth"
	"github.com/socle/socle/internal/catalog"
	"github.com/socle/socle/internal/errs"
)

// The data-sharing agreements' back-office (/admin/accords): admins and
// the stewards of the organization owning the data list, create and edit
// agreements, activate, suspend or terminate them, and read their access
// log. Every rule is the use cases' (internal/app/agreements*.go): this
// file only turns forms into agreements and refusals into French.

// agreementStatuses are the statuses a form may set; terminating is an
// action of its own, final and confirmed apart.
var agreementStatuses = []string{string(agreements.Draft), string(agreements.Active), string(agreements.Suspended)}

// agreementActions maps the action in the URL to the status it sets.
var agreementActions = map[string]agreements.Status{
	"activer": agreements.Active, "suspendre": agreements.Suspended, "resilier": agreements.Terminated,
}

// Bounds of the agreement form.
const (
	blankScopeRows = 2                      // empty dataset rows offered under the agreement's own
	maxScopeRows   = agreements.MaxDatasets // rows read from a posted form
	agreementLog   = 200                    // access log entries shown
)

// scopeRow is one dataset line of the form.
type scopeRow struct {
	Dataset, Fields, Filter string
	Options                 []option
}

// agreementForm is the agreement form, as typed.
type agreementForm struct {
	ID, Owner, Partner, Purpose, LegalBasis, Start, End string
	Conditions, Signatories, Status, Notes              string
	Scopes                                              []scopeRow
	Partners, Owners, Statuses                          []option
}

// agreementPage is the data of admin_agreement.html: a new agreement's
// form, or an agreement's form with its usage and actions.
type agreementPage struct {
	New        bool
	Terminated bool
	View       *app.AgreementView
	Form       agreementForm
	Error      string
}

// agreementRow is one line of the list.
type agreementRow struct {
	*app.AgreementView
	PartnerName string
	Datasets    []string
}

// requireAgreements lets in admins and stewards; anyone else gets 404,
// as for the other pages they may not see.
func (b *backOffice) requireAgreements(w http.ResponseWriter, r *http.Request) (auth.Principal, bool) {
	p, ok := b.requireLogin(w, r)
	if ok && !p.Is(auth.RoleAdmin, auth.RoleSteward) {
		b.renderError(w, r, errs.E(errs.NotFound, "page not found"))
		return p, false
	}
	return p, ok
}

func (b *backOffice) handleAgreements(w http.ResponseWriter, r *http.Request) {
	p, ok := b.requireAgreements(w, r)
	if !ok {
		return
	}
	list, err := b.app.Agreements(r.Context(), p)
	if err != nil {
		b.renderError(w, r, err)
		return
	}
	names, err := b.orgNames(r)
	if err != nil {
		b.renderError(w, r, err)
		return
	}
	rows := make([]agreementRow, len(list))
	for i, v := range list {
		rows[i] = agreementRow{AgreementView: v, PartnerName: names[v.Partner]}
		if rows[i].PartnerName == "" {
			rows[i].PartnerName = v.Partner
		}
		for _, sc := range v.Datasets {
			rows[i].Datasets = append(rows[i].Datasets, sc.Dataset)
		}
	}
	b.render(w, r, http.StatusOK, "admin_agreements", b.msgs.T("admin.agreements.title"), rows)
}

func (b *backOffice) orgNames(r *http.Request) (map[string]string, error) {
	orgs, err := b.app.Store.Organizations(r.Context())
	names := map[string]string{}
	for _, o := range orgs {
		names[o.ID] = o.Name
	}
	return names, err
}

func (b *backOffice) handleNewAgreement(w http.ResponseWriter, r *http.Request) {
	p, ok := b.requireAgreements(w, r)
	if !ok {
		return
	}
	now := b.app.Now().In(paris)
	f := agreementForm{Owner: p.User.Org, Status: string(agreements.Draft), Start: now.Format(time.DateOnly),
		End: now.AddDate(1, 0, -1).Format(time.DateOnly)}
	b.renderAgreement(w, r, http.StatusOK, p, &agreementPage{New: true, Form: f})
}

func (b *backOffice) handleAgreement(w http.ResponseWriter, r *http.Request) {
	p, ok := b.requireAgreements(w, r)
	if !ok {
		return
	}
	v, err := b.app.Agreement(r.Context(), p, r.PathValue("aid"))
	if err != nil {
		b.renderError(w, r, err)
		return
	}
	b.renderAgreement(w, r, http.StatusOK, p, &agreementPage{View: v, Form: formOf(v.Agreement)})
}

func (b *backOffice) handleCreateAgreement(w http.ResponseWriter, r *http.Request) {
	p, ok := b.requireAgreements(w, r)
	if !ok {
		return
	}
	page := &agreementPage{New: true, Form: parseAgreementForm(r)}
	b.saveAgreement(w, r, p, page, b.app.CreateAgreement, "agreement-created")
}

func (b *backOffice) handleUpdateAgreement(w http.ResponseWriter, r *http.Request) {
	p, ok := b.requireAgreements(w, r)
	if !ok {
		return
	}
	v, err := b.app.Agreement(r.Context(), p, r.PathValue("aid"))
	if err != nil {
		b.renderError(w, r, err)
		return
	}
	page := &agreementPage{View: v, Form: parseAgreementForm(r)}
	page.Form.ID = v.ID
	b.saveAgreement(w, r, p, page, b.app.UpdateAgreement, "agreement-saved")
}

// saveAgreement checks page's form and saves it with save (the create or
// update use case, which validates it again), then shows the agreement,
// or the form with the error.
func (b *backOffice) saveAgreement(w http.ResponseWriter, r *http.Request, p auth.Principal, page *agreementPage,
	save func(context.Context, auth.Principal, *agreements.Agreement) error, flash string) {
	ag, msg := b.agreementOf(page.Form)
	if page.Error = msg; msg == "" {
		if err := save(r.Context(), p, ag); err != nil {
			page.Error = b.failure(r, err)
		}
	}
	if page.Error != "" {
		b.renderAgreement(w, r, http.StatusUnprocessableEntity, p, page)
		return
	}
	redirectOK(w, r, "/admin/accords/"+ag.ID, flash)
}

// handleAgreementAction activates, suspends or terminates an agreement; a
// termination revokes the partner's access at its next request.
func (b *backOffice) handleAgreementAction(w http.ResponseWriter, r *http.Request) {
	p, ok := b.requireAgreements(w, r)
	if !ok {
		return
	}
	st, ok := agreementActions[r.PathValue("action")]
	if !ok {
		b.renderError(w, r, errs.E(errs.NotFound, "page not found"))
		return
	}
	id := r.PathValue("aid")
	if _, err := b.app.SetAgreementStatus(r.Context(), p, id, st); err != nil {
		v, verr := b.app.Agreement(r.Context(), p, id)
		if verr != nil {
			b.renderError(w, r, verr)
			return
		}
		b.renderAgreement(w, r, http.StatusUnprocessableEntity, p, &agreementPage{View: v, Form: formOf(v.Agreement), Error: b.failure(r, err)})
		return
	}
	redirectOK(w, r, "/admin/accords/"+id, "agreement-"+string(st))
}

// agreementLogPage is the data of admin_agreement_log.html.
type agreementLogPage struct {
	View    *app.AgreementView
	Entries []*audit.Entry
	Max     int
}

func (b *backOffice) handleAgreementLog(w http.ResponseWriter, r *http.Request) {
	p, ok := b.requireAgreements(w, r)
	if !ok {
		return
	}
	v, err := b.app.Agreement(r.Context(), p, r.PathValue("aid"))
	if err != nil {
		b.renderError(w, r, err)
		return
	}
	es, err := b.app.AgreementLog(r.Context(), p, v.ID, agreementLog)
	if err != nil {
		b.renderError(w, r, err)
		return
	}
	b.render(w, r, http.StatusOK, "admin_agreement_log", b.msgs.T("admin.agreements.log.title", v.ID),
		agreementLogPage{View: v, Entries: es, Max: agreementLog})
}

// renderAgreement fills the form's choices and renders the page.
func (b *backOffice) renderAgreement(w http.ResponseWriter, r *http.Request, status int, p auth.Principal, page *agreementPage) {
	ctx := r.Context()
	orgs, err := b.app.Store.Organizations(ctx)
	if err != nil {
		b.renderError(w, r, err)
		return
	}
	f := &page.Form
	for _, o := range orgs {
		f.Partners = append(f.Partners, option{Value: o.ID, Label: o.Name, Selected: o.ID == f.Partner})
		if p.Is(auth.RoleAdmin) {
			f.Owners = append(f.Owners, option{Value: o.ID, Label: o.Name, Selected: o.ID == f.Owner})
		}
	}
	f.Statuses = b.options("admin.agreements.status", agreementStatuses, f.Status)
	all, err := b.app.Datasets(ctx, p)
	if err != nil {
		b.renderError(w, r, err)
		return
	}
	var shared []string
	for _, d := range all {
		if d.Access == catalog.AccessShared && (p.Is(auth.RoleAdmin) || d.Meta.Publisher == p.User.Org) {
			shared = append(shared, d.ID)
		}
	}
	for range blankScopeRows {
		f.Scopes = append(f.Scopes, scopeRow{})
	}
	for i := range f.Scopes {
		row := &f.Scopes[i]
		ids := shared
		if row.Dataset != "" && !slices.Contains(ids, row.Dataset) {
			ids = append([]string{row.Dataset}, ids...) // keep what was chosen, for the use case to judge
		}
		for _, id := range ids {
			row.Options = append(row.Options, option{Value: id, Label: id, Selected: id == row.Dataset})
		}
	}
	if page.View != nil {
		page.Terminated = page.View.Status == agreements.Terminated
	}
	title := b.msgs.T("admin.agreements.new")
	if !page.New {
		title = b.msgs.T("admin.agreements.one", page.Form.ID)
	}
	b.render(w, r, status, "admin_agreement", title, page)
}

// formOf is the form showing ag; the end date shown is the last day
// covered (the agreement's End is exclusive).
func formOf(ag *agreements.Agreement) agreementForm {
	f := agreementForm{ID: ag.ID, Owner: ag.Owner, Partner: ag.Partner, Purpose: ag.Purpose, LegalBasis: ag.LegalBasis,
		Start: ag.Start.In(paris).Format(time.DateOnly), End: ag.End.Add(-time.Nanosecond).In(paris).Format(time.DateOnly),
		Conditions: strings.Join(ag.Conditions, "\n"), Signatories: strings.Join(ag.Signatories, "\n"),
		Status: string(ag.Status), Notes: ag.Notes}
	for _, sc := range ag.Datasets {
		f.Scopes = append(f.Scopes, scopeRow{Dataset: sc.Dataset, Fields: strings.Join(sc.Fields, ", "), Filter: sc.Filter})
	}
	return f
}

func parseAgreementForm(r *http.Request) agreementForm {
	r.ParseForm()
	v := func(k string) string { return strings.TrimSpace(r.PostFormValue(k)) }
	f := agreementForm{ID: v("id"), Owner: v("owner"), Partner: v("partner"), Purpose: v("purpose"), LegalBasis: v("legal_basis"),
		Start: v("start"), End: v("end"), Conditions: v("conditions"), Signatories: v("signatories"), Status: v("status"), Notes: v("notes")}
	ds, fields, filters := r.PostForm["scope_dataset"], r.PostForm["scope_fields"], r.PostForm["scope_filter"]
	for i := range min(len(ds), maxScopeRows) {
		row := scopeRow{Dataset: strings.TrimSpace(ds[i])}
		if i < len(fields) {
			row.Fields = strings.TrimSpace(fields[i])
		}
		if i < len(filters) {
			row.Filter = strings.TrimSpace(filters[i])
		}
		if row.Dataset != "" {
			f.Scopes = append(f.Scopes, row)
		}
	}
	return f
}

// agreementOf turns the form into an agreement, or says in French why the
// dates cannot be read; the use case validates the rest.
func (b *backOffice) agreementOf(f agreementForm) (*agreements.Agreement, string) {
	start, err1 := time.ParseInLocation(time.DateOnly, f.Start, paris)
	last, err2 := time.ParseInLocation(time.DateOnly, f.End, paris)
	if err1 != nil || err2 != nil {
		return nil, b.msgs.T("admin.agreements.error.dates")
	}
	ag := &agreements.Agreement{ID: f.ID, Owner: f.Owner, Partner: f.Partner, Purpose: f.Purpose, LegalBasis: f.LegalBasis,
		Start: start.UTC(), End: last.AddDate(0, 0, 1).UTC(), Conditions: lines(f.Conditions), Signatories: lines(f.Signatories),
		Status: agreements.Status(f.Status), Notes: f.Notes, Datasets: []agreements.Scope{}}
	for _, row := range f.Scopes {
		sc := agreements.Scope{Dataset: row.Dataset, Filter: row.Filter}
		for _, name := range strings.Split(row.Fields, ",") {
			if name = strings.TrimSpace(name); name != "" {
				sc.Fields = append(sc.Fields, name)
			}
		}
		ag.Datasets = append(ag.Datasets, sc)
	}
	return ag, ""
}

// lines splits a textarea into its non-blank lines.
func lines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}
