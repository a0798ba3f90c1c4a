package web

import (
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/socle/socle/internal/auth"
	"github.com/socle/socle/internal/catalog"
	"github.com/socle/socle/internal/errs"
	"github.com/socle/socle/internal/importer"
)

// maxReports is how many import reports a dataset page lists.
const maxReports = 50

// managePage is the data of a dataset's back-office page.
type managePage struct {
	D         *catalog.Dataset
	Meta      metaForm
	Reports   []*catalog.ImportReport
	MaxUpload int64
	Error     string // why the last post was refused
	Mode      string
	Push      livePanel // the push API (live_push.go)
}

// writable returns dataset id if p may change it; NotFound otherwise,
// even when p may read it: the page does not exist for them.
func (b *backOffice) writable(r *http.Request, p auth.Principal) (*catalog.Dataset, error) {
	d, err := b.app.Dataset(r.Context(), p, r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	if !auth.CanWrite(p, d) {
		return nil, errs.E(errs.NotFound, "dataset %q not found", d.ID)
	}
	return d, nil
}

// managed resolves the logged-in user and the dataset of the path they may
// write, or answers (login redirect, 404) and reports false.
func (b *backOffice) managed(w http.ResponseWriter, r *http.Request) (auth.Principal, *catalog.Dataset, bool) {
	p, ok := b.requireLogin(w, r)
	if !ok {
		return p, nil, false
	}
	d, err := b.writable(r, p)
	if err != nil {
		b.renderError(w, r, err)
		return p, nil, false
	}
	return p, d, true
}

func (b *backOffice) handleManage(w http.ResponseWriter, r *http.Request) {
	p, d, ok := b.managed(w, r)
	if !ok {
		return
	}
	b.renderManage(w, r, http.StatusOK, p, &managePage{D: d, Meta: metaFromDataset(d)})
}

func (b *backOffice) renderManage(w http.ResponseWriter, r *http.Request, status int, p auth.Principal, page *managePage) {
	page.MaxUpload = b.cfg.MaxUpload
	if page.Mode == "" {
		page.Mode = string(catalog.ModeReplace)
	}
	reps, err := b.app.Store.ImportReports(r.Context(), page.D.ID, maxReports)
	if err != nil {
		b.renderError(w, r, err)
		return
	}
	page.Reports = reps
	if page.Push.Key == "" {
		page.Push = b.livePanelOf(r, page.D)
	}
	if err := b.fill(r.Context(), p, &page.Meta); err != nil {
		b.renderError(w, r, err)
		return
	}
	b.render(w, r, status, "admin_dataset", page.D.Meta.Title, page)
}

// handleMeta saves the metadata form.
func (b *backOffice) handleMeta(w http.ResponseWriter, r *http.Request) {
	p, d, ok := b.managed(w, r)
	if !ok {
		return
	}
	m := parseMetaForm(r)
	if !canChooseOrg(p) {
		m.Publisher = d.Meta.Publisher
	}
	page := &managePage{D: d, Meta: m}
	if page.Error = m.validate(b.msgs); page.Error == "" {
		changed := *d
		m.apply(&changed)
		if err := b.app.UpdateDataset(r.Context(), p, &changed); err != nil {
			page.Error = b.failure(r, err)
		}
	}
	if page.Error != "" {
		b.renderManage(w, r, http.StatusUnprocessableEntity, p, page)
		return
	}
	b.refreshCatalog(r.Context())
	redirectOK(w, r, "/admin/datasets/"+d.ID, "meta-saved")
}

// handleData replaces or appends to the records with an uploaded file,
// cast to the dataset's published field types (and validated against its
// Table Schema, if it has one). Any refusal leaves the published version
// as it was.
func (b *backOffice) handleData(w http.ResponseWriter, r *http.Request) {
	p, d, ok := b.managed(w, r)
	if !ok {
		return
	}
	page := &managePage{D: d, Meta: metaFromDataset(d)}
	in, err := b.receive(w, r)
	if err != nil {
		page.Error = b.failure(r, err)
		b.renderManage(w, r, httpStatus(err), p, page)
		return
	}
	defer in.discard()
	page.Mode = in.values["mode"]
	mode := catalog.LoadMode(page.Mode)
	if mode != catalog.ModeReplace && mode != catalog.ModeAppend {
		page.Error = b.msgs.T("admin.data.error.mode")
		b.renderManage(w, r, http.StatusUnprocessableEntity, p, page)
		return
	}
	schema, err := parseSchema(d.Meta.TableSchemaJSON)
	if err == nil {
		_, err = importer.Import(r.Context(), b.app, p, importer.Request{Path: in.path, Options: optionsFor(in.format),
			Dataset: catalog.Dataset{ID: d.ID}, Schema: schema, Mode: mode, Source: in.name, Overrides: publishedTypes(d)})
	}
	if err != nil {
		page.Error = b.failure(r, err)
		b.renderManage(w, r, http.StatusUnprocessableEntity, p, page)
		return
	}
	b.refreshCatalog(r.Context())
	redirectOK(w, r, "/admin/datasets/"+d.ID, "data-"+string(mode))
}

// publishedTypes keeps a new file to the dataset's fields as published.
func publishedTypes(d *catalog.Dataset) map[string]importer.FieldOverride {
	out := make(map[string]importer.FieldOverride, len(d.Fields))
	for _, f := range d.Fields {
		out[f.Name] = importer.FieldOverride{Label: f.Label, Type: f.Type, Description: f.Description}
	}
	return out
}

// handleRestore makes a kept earlier version current again.
func (b *backOffice) handleRestore(w http.ResponseWriter, r *http.Request) {
	p, d, ok := b.managed(w, r)
	if !ok {
		return
	}
	version, _ := strconv.Atoi(r.PostFormValue("version"))
	page := &managePage{D: d, Meta: metaFromDataset(d)}
	if !hasOtherVersion(d, version) {
		page.Error = b.msgs.T("admin.restore.error.none")
	} else if err := b.app.Restore(r.Context(), p, d.ID, version); err != nil {
		page.Error = b.failure(r, err)
	}
	if page.Error != "" {
		b.renderManage(w, r, http.StatusUnprocessableEntity, p, page)
		return
	}
	b.refreshCatalog(r.Context())
	redirectOK(w, r, "/admin/datasets/"+d.ID, "restored")
}

// hasOtherVersion reports whether d keeps version (any earlier one when
// version is 0) besides the current one.
func hasOtherVersion(d *catalog.Dataset, version int) bool {
	for _, v := range d.Versions {
		if v.Version != d.Version && (version == 0 || v.Version == version) {
			return true
		}
	}
	return false
}

// reportPage is the data of an import report's page.
type reportPage struct {
	D       *catalog.Dataset
	R       *catalog.ImportReport
	Summary *importer.Summary
}

func (b *backOffice) handleReport(w http.ResponseWriter, r *http.Request) {
	_, d, ok := b.managed(w, r)
	if !ok {
		return
	}
	rid := pathID(r, "rid")
	reps, err := b.app.Store.ImportReports(r.Context(), d.ID, 1000)
	if err != nil {
		b.renderError(w, r, err)
		return
	}
	for _, rep := range reps {
		if rep.ID != rid {
			continue
		}
		page := reportPage{D: d, R: rep}
		if rep.Detail != "" {
			var sum importer.Summary
			if json.Unmarshal([]byte(rep.Detail), &sum) == nil {
				page.Summary = &sum
			}
		}
		b.render(w, r, http.StatusOK, "admin_report", b.msgs.T("admin.report.title", rep.Source), page)
		return
	}
	b.renderError(w, r, errs.E(errs.NotFound, "report not found"))
}
