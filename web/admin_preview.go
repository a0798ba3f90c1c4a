package web

import (
	"context"
	"net/http"
	"path/filepath"
	"strings"

	"github.com/socle/socle/internal/auth"
	"github.com/socle/socle/internal/catalog"
	"github.com/socle/socle/internal/importer"
	"github.com/socle/socle/internal/ingest"
	"github.com/socle/socle/internal/tableschema"
)

// planView is what the preview keeps of an importer.Plan in the sidecar,
// so that showing the preview again does not read the file again.
type planView struct {
	Fields   []catalog.Field `json:"fields"`
	Header   []string        `json:"header"`
	Sample   [][]string      `json:"sample"`
	Rows     int64           `json:"rows"`
	Warnings []string        `json:"warnings,omitempty"`
	Source   ingest.Info     `json:"source"`
}

func newPlanView(pl *importer.Plan) *planView {
	v := &planView{Fields: pl.Fields, Header: pl.Header, Rows: pl.Rows, Warnings: pl.Warnings, Source: pl.Source}
	for _, row := range pl.Sample {
		cells := make([]string, len(pl.Header))
		for i := range cells {
			if i < len(row) && row[i] != ingest.Null {
				cells[i] = row[i]
			}
		}
		v.Sample = append(v.Sample, cells)
	}
	return v
}

// previewFile runs the importer's first pass over a staged file.
func previewFile(path string, up *stagedUpload, schema *tableschema.Schema) (*importer.Plan, error) {
	return importer.Preview(importer.Request{Path: path, Options: optionsFor(up.Format), Schema: schema,
		Dataset: catalog.Dataset{ID: up.DatasetID}, Source: up.FileName})
}

// optionsFor reads a staged file (whose name has no extension) in the
// format its original name said.
func optionsFor(f ingest.Format) ingest.Options { return ingest.Options{Format: f} }

// fieldTypes are the types a person may choose for a field.
var fieldTypes = []string{"text", "int", "double", "boolean", "date", "datetime", "geo_point_2d", "geo_shape", "json"}

// fieldRow is one editable field of the preview.
type fieldRow struct {
	Name, Label, Description, Type string
	Types                          []option
}

// previewPage is the data of the preview template.
type previewPage struct {
	Upload    *stagedUpload
	Fields    []fieldRow
	Meta      metaForm
	Error     string
	Report    *tableschema.Report
	HasSchema bool
}

func (b *backOffice) handlePreview(w http.ResponseWriter, r *http.Request) {
	p, ok := b.requirePublisher(w, r)
	if !ok {
		return
	}
	up, _, err := b.staged(p, r.PathValue("token"))
	if err != nil {
		b.renderError(w, r, err)
		return
	}
	page := &previewPage{Upload: up, HasSchema: up.Schema != ""}
	for _, f := range up.Plan.Fields {
		page.Fields = append(page.Fields, b.fieldRow(f.Name, f.Label, f.Description, string(f.Type)))
	}
	page.Meta.Title = strings.TrimSuffix(up.FileName, filepath.Ext(up.FileName))
	b.renderPreview(w, r, http.StatusOK, p, page)
}

func (b *backOffice) fieldRow(name, label, description, typ string) fieldRow {
	return fieldRow{Name: name, Label: label, Description: description, Type: typ, Types: b.options("type", fieldTypes, typ)}
}

func (b *backOffice) renderPreview(w http.ResponseWriter, r *http.Request, status int, p auth.Principal, page *previewPage) {
	if err := b.fill(r.Context(), p, &page.Meta); err != nil {
		b.renderError(w, r, err)
		return
	}
	b.render(w, r, status, "admin_preview", b.msgs.T("admin.preview.title", page.Upload.FileName), page)
}

// handlePublish imports a staged upload with the person's corrections. A
// refusal (a field type that does not fit a row, a file the schema
// refuses) publishes nothing and shows the preview again, edits kept.
func (b *backOffice) handlePublish(w http.ResponseWriter, r *http.Request) {
	p, ok := b.requirePublisher(w, r)
	if !ok {
		return
	}
	up, path, err := b.staged(p, r.PathValue("token"))
	if err != nil {
		b.renderError(w, r, err)
		return
	}
	page := &previewPage{Upload: up, HasSchema: up.Schema != "", Meta: parseMetaForm(r)}
	overrides := b.parseOverrides(r, up.Plan.Fields, page)
	fail := func(msg string) {
		page.Error = msg
		b.renderPreview(w, r, http.StatusUnprocessableEntity, p, page)
	}
	if page.Error != "" {
		fail(page.Error)
		return
	}
	if !canChooseOrg(p) {
		page.Meta.Publisher = p.User.Org
	}
	if msg := page.Meta.validate(b.msgs); msg != "" {
		fail(msg)
		return
	}
	if msg := b.checkNewID(r, up.DatasetID); msg != "" {
		fail(msg)
		return
	}
	schema, err := parseSchema(up.Schema)
	if err != nil {
		fail(b.failure(r, err))
		return
	}
	d := catalog.Dataset{ID: up.DatasetID}
	page.Meta.apply(&d)
	sum, err := importer.Import(r.Context(), b.app, p, importer.Request{Path: path, Options: optionsFor(up.Format),
		Dataset: d, Schema: schema, Mode: catalog.ModeReplace, Source: up.FileName, Overrides: overrides})
	if err != nil {
		if sum != nil {
			page.Report = sum.Report
		}
		fail(b.failure(r, err))
		return
	}
	b.unstage(up, path)
	b.refreshCatalog(r.Context())
	redirectOK(w, r, "/admin/datasets/"+d.ID, "published")
}

func canChooseOrg(p auth.Principal) bool { return p.Is(auth.RoleAdmin, auth.RoleSteward) }

// parseOverrides reads the field corrections of the preview form into
// page.Fields (to show them again) and returns them; a type outside the
// list sets page.Error.
func (b *backOffice) parseOverrides(r *http.Request, fields []catalog.Field, page *previewPage) map[string]importer.FieldOverride {
	out := map[string]importer.FieldOverride{}
	for _, f := range fields {
		o := importer.FieldOverride{
			Label:       strings.TrimSpace(r.PostFormValue("label." + f.Name)),
			Type:        catalog.FieldType(r.PostFormValue("type." + f.Name)),
			Description: strings.TrimSpace(r.PostFormValue("desc." + f.Name)),
		}
		if o.Type == "" {
			o.Type = f.Type
		}
		if !o.Type.Valid() {
			page.Error = b.msgs.T("admin.preview.error.type", f.Name)
			o.Type = f.Type
		}
		if o.Label == "" {
			o.Label = f.Label
		}
		out[f.Name] = o
		page.Fields = append(page.Fields, b.fieldRow(f.Name, o.Label, o.Description, string(o.Type)))
	}
	return out
}

// refreshCatalog rebuilds the API's catalog index after a published
// change; a failure is logged (the index catches up at the next change).
func (b *backOffice) refreshCatalog(ctx context.Context) {
	if err := b.app.RefreshCatalog(context.WithoutCancel(ctx)); err != nil {
		b.logger.Error("catalog index refresh failed", "err", err)
	}
}
