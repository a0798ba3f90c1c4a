package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/socle/socle/internal/auth"
	"github.com/socle/socle/internal/errs"
	"github.com/socle/socle/internal/harvest"
)

// The harvesting back-office for stewards and admins: the sources with
// their last run, a form to add one (URL, type, schedule, organization,
// grace period), a source's runs with "run now", and each run's report.

// harvestKinds are the protocols, in the form's order.
var harvestKinds = []string{string(harvest.KindODS), string(harvest.KindCKAN), string(harvest.KindDCAT)}

// harvestForm is the new-source form, as typed.
type harvestForm struct {
	Name, URL, Kind, Organization, Prefix, EveryHours, GraceDays string
	Kinds, Orgs                                                  []option
}

// sourceView is a source with its durations in the form's units.
type sourceView struct {
	*harvest.Source
	EveryHours, GraceDays int
}

func viewSource(s *harvest.Source) sourceView {
	return sourceView{Source: s, EveryHours: int(s.Every / time.Hour), GraceDays: int(s.Grace / (24 * time.Hour))}
}

type harvestPage struct {
	Sources []sourceView
	Form    harvestForm
	Error   string
}

type harvestSourcePage struct {
	Source sourceView
	Runs   []*harvest.Run
}

type harvestRunPage struct {
	Source *harvest.Source
	Run    *harvest.Run
}

func (b *backOffice) requireHarvest(w http.ResponseWriter, r *http.Request) (auth.Principal, bool) {
	p, ok := b.requireLogin(w, r)
	if ok && !p.Is(auth.RoleAdmin, auth.RoleSteward) {
		b.renderError(w, r, errs.E(errs.NotFound, "page not found"))
		return p, false
	}
	return p, ok
}

func (b *backOffice) handleHarvest(w http.ResponseWriter, r *http.Request) {
	p, ok := b.requireHarvest(w, r)
	if !ok {
		return
	}
	b.renderHarvest(w, r, http.StatusOK, p, &harvestPage{Form: harvestForm{Kind: string(harvest.KindODS), EveryHours: "24", GraceDays: "7"}})
}

func (b *backOffice) renderHarvest(w http.ResponseWriter, r *http.Request, status int, p auth.Principal, page *harvestPage) {
	srcs, err := b.app.HarvestSources(r.Context(), p)
	if err != nil {
		b.renderError(w, r, err)
		return
	}
	orgs, err := b.app.Store.Organizations(r.Context())
	if err != nil {
		b.renderError(w, r, err)
		return
	}
	for _, src := range srcs {
		page.Sources = append(page.Sources, viewSource(src))
	}
	page.Form.Kinds = b.options("harvest.kind", harvestKinds, page.Form.Kind)
	page.Form.Orgs = []option{{Value: "", Label: b.msgs.T("harvest.form.org.none"), Selected: page.Form.Organization == ""}}
	for _, o := range orgs {
		page.Form.Orgs = append(page.Form.Orgs, option{Value: o.ID, Label: o.Name, Selected: o.ID == page.Form.Organization})
	}
	b.render(w, r, status, "admin_harvest", b.msgs.T("harvest.title"), page)
}

func (b *backOffice) handleCreateHarvest(w http.ResponseWriter, r *http.Request) {
	p, ok := b.requireHarvest(w, r)
	if !ok {
		return
	}
	f := func(k string) string { return strings.TrimSpace(r.PostFormValue(k)) }
	page := &harvestPage{Form: harvestForm{Name: f("name"), URL: f("url"), Kind: f("kind"), Organization: f("organization"),
		Prefix: f("prefix"), EveryHours: f("every"), GraceDays: f("grace")}}
	every, err1 := strconv.Atoi(orZero(page.Form.EveryHours))
	grace, err2 := strconv.Atoi(orZero(page.Form.GraceDays))
	switch {
	case err1 != nil || every < 0 || every > 24*366:
		page.Error = b.msgs.T("harvest.error.every")
	case err2 != nil || grace < 1 || grace > 365:
		page.Error = b.msgs.T("harvest.error.grace")
	default:
		src := &harvest.Source{Name: page.Form.Name, URL: page.Form.URL, Kind: harvest.Kind(page.Form.Kind),
			Organization: page.Form.Organization, Prefix: page.Form.Prefix, Every: time.Duration(every) * time.Hour,
			Grace: time.Duration(grace) * 24 * time.Hour, Enabled: true}
		if err := b.app.CreateHarvestSource(r.Context(), p, src); err != nil {
			page.Error = b.failure(r, err)
		}
	}
	if page.Error != "" {
		b.renderHarvest(w, r, http.StatusUnprocessableEntity, p, page)
		return
	}
	redirectOK(w, r, "/admin/moissonnage", "harvest-created")
}

func orZero(s string) string {
	if s == "" {
		return "0"
	}
	return s
}

// harvestSource checks the principal may harvest and reads the {sid} of
// the path; an unknown one is a 404.
func (b *backOffice) harvestSource(w http.ResponseWriter, r *http.Request) (auth.Principal, *harvest.Source, bool) {
	p, ok := b.requireHarvest(w, r)
	if !ok {
		return p, nil, false
	}
	id, err := strconv.ParseInt(r.PathValue("sid"), 10, 64)
	if err != nil {
		b.renderError(w, r, errs.E(errs.NotFound, "page not found"))
		return p, nil, false
	}
	src, err := b.app.HarvestSource(r.Context(), p, id)
	if err != nil {
		b.renderError(w, r, err)
		return p, nil, false
	}
	return p, src, true
}

func (b *backOffice) handleHarvestSource(w http.ResponseWriter, r *http.Request) {
	p, src, ok := b.harvestSource(w, r)
	if !ok {
		return
	}
	runs, err := b.app.HarvestRuns(r.Context(), p, src.ID, 50)
	if err != nil {
		b.renderError(w, r, err)
		return
	}
	b.render(w, r, http.StatusOK, "admin_harvest_source", src.Name, &harvestSourcePage{Source: viewSource(src), Runs: runs})
}

func (b *backOffice) handleRunHarvest(w http.ResponseWriter, r *http.Request) {
	p, src, ok := b.harvestSource(w, r)
	if !ok {
		return
	}
	if _, err := b.app.StartHarvestSource(r.Context(), p, src.ID); err != nil {
		if errs.Is(err, errs.Conflict) {
			redirectOK(w, r, "/admin/moissonnage/"+strconv.FormatInt(src.ID, 10), "harvest-busy")
			return
		}
		b.renderError(w, r, err)
		return
	}
	redirectOK(w, r, "/admin/moissonnage/"+strconv.FormatInt(src.ID, 10), "harvest-started")
}

func (b *backOffice) handleHarvestRun(w http.ResponseWriter, r *http.Request) {
	p, src, ok := b.harvestSource(w, r)
	if !ok {
		return
	}
	id, err := strconv.ParseInt(r.PathValue("rid"), 10, 64)
	var run *harvest.Run
	if err == nil {
		run, err = b.app.HarvestRun(r.Context(), p, id)
	}
	if err != nil || run.SourceID != src.ID {
		b.renderError(w, r, errs.E(errs.NotFound, "page not found"))
		return
	}
	b.render(w, r, http.StatusOK, "admin_harvest_run", b.msgs.T("harvest.run.title"), &harvestRunPage{Source: src, Run: run})
}
