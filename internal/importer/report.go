package importer

import (
	"context"
	"encoding/json"
	"path/filepath"

	"github.com/socle/socle/internal/app"
	"github.com/socle/socle/internal/auth"
	"github.com/socle/socle/internal/catalog"
	"github.com/socle/socle/internal/errs"
)

// writeReport records an import attempt on its dataset, so that whoever
// sent the file (from the CLI, the API or the portal) can read later what
// happened to it. No report is written on a dataset the caller may not
// change: a refused permission must not leave traces on others' datasets.
// A failure to write is logged: the import's own outcome stands.
func writeReport(ctx context.Context, a *app.App, p auth.Principal, req Request, sum *Summary, err error) {
	ctx = context.WithoutCancel(ctx)
	id := req.Dataset.ID
	if !app.ValidDatasetID(id) {
		return
	}
	if d, derr := a.Store.Dataset(ctx, id); derr == nil && !auth.CanWrite(p, d) {
		return
	}
	r := &catalog.ImportReport{DatasetID: id, At: a.Now(), Actor: p.Login(), Source: req.Source,
		Mode: string(req.Mode), OK: err == nil}
	if r.Source == "" {
		r.Source = filepath.Base(req.Path)
	}
	if err != nil {
		r.Error = errs.Message(err)
	}
	if sum != nil {
		r.Version, r.Rows = sum.Version, sum.Rows
		if raw, jerr := json.Marshal(sum); jerr == nil {
			r.Detail = string(raw)
		}
	}
	if aerr := a.Store.AddImportReport(ctx, r); aerr != nil {
		a.Logger.Error("import report not written", "dataset", id, "err", aerr)
	}
}
