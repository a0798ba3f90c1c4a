// Package importer turns a data file into a published dataset version: it
// reads the file twice through package ingest (once to infer types, or to
// validate against a Table Schema; once to cast and load), and hands the
// cast rows to the store, which publishes them atomically. A file that
// fails validation or casting publishes nothing.
package importer

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/socle/socle/internal/app"
	"github.com/socle/socle/internal/auth"
	"github.com/socle/socle/internal/catalog"
	"github.com/socle/socle/internal/errs"
	"github.com/socle/socle/internal/ingest"
	"github.com/socle/socle/internal/pipe"
	"github.com/socle/socle/internal/tableschema"
)

// Request is one import.
type Request struct {
	Path    string // the file; read twice, so not a pipe
	Options ingest.Options
	Dataset catalog.Dataset // ID required; other metadata used when the dataset is created
	Schema  *tableschema.Schema
	Mode    catalog.LoadMode
	Keys    []string // key fields for upsert; the schema's primaryKey by default
	// Index names fields to index (by field name or source label); fields
	// indexed in the published version stay indexed.
	Index []string
	// Progress, if set, is called with the phase ("analyse", "load") and the
	// number of rows done so far.
	Progress func(phase string, rows int64)
	// Source is the file's name as its sender knows it, for the import
	// report; the base name of Path by default.
	Source string
	// Overrides change inferred fields (by field name) before loading: a
	// person's corrections after a Preview, or a dataset's published types
	// for a new file. Names the file does not have are ignored (a new file
	// may lack a column the dataset had).
	Overrides map[string]FieldOverride
}

// FieldOverride replaces what inference decided about one field; empty
// members keep the inferred value.
type FieldOverride struct {
	Label       string            `json:"label,omitempty"`
	Type        catalog.FieldType `json:"type,omitempty"`
	Description string            `json:"description,omitempty"`
}

// Summary reports what an import did or why it refused the file.
type Summary struct {
	Dataset  string              `json:"dataset"`
	Created  bool                `json:"created"`
	Version  int                 `json:"version"`
	Rows     int64               `json:"rows"`
	Fields   []catalog.Field     `json:"fields"`
	Source   ingest.Info         `json:"source"`
	Warnings []string            `json:"warnings,omitempty"`
	Report   *tableschema.Report `json:"report,omitempty"` // validation report when a schema was given
}

// Import runs req as p. On error, the returned summary may still carry the
// validation report explaining the refusal. Every attempt, published or
// refused, leaves an import report on the dataset (see report).
func Import(ctx context.Context, a *app.App, p auth.Principal, req Request) (sum *Summary, err error) {
	if req.Mode == "" {
		req.Mode = catalog.ModeReplace
	}
	defer func() { writeReport(ctx, a, p, req, sum, err) }()
	if !req.Mode.Valid() {
		return nil, errs.E(errs.Invalid, "unknown import mode %q (replace, append, upsert)", req.Mode)
	}
	if _, err := os.Stat(req.Path); err != nil {
		return nil, errs.Wrap(errs.Invalid, err, "cannot read %s", req.Path)
	}
	sum = &Summary{Dataset: req.Dataset.ID}
	plan, err := analyse(req, sum)
	if err != nil {
		return sum, err
	}
	if err := applyOverrides(plan.fields, req.Overrides, req.Schema != nil); err != nil {
		return sum, err
	}
	if err := markIndexed(plan.fields, req.Index, nil); err != nil {
		return sum, err // checked before anything is created
	}
	d := req.Dataset
	if req.Schema != nil {
		raw, _ := json.Marshal(req.Schema)
		d.Meta.TableSchemaJSON = string(raw)
	}
	ds, created, err := a.EnsureDataset(ctx, p, &d)
	if err != nil {
		return sum, err
	}
	sum.Created = created
	markIndexed(plan.fields, req.Index, ds.Fields) // names already checked
	sum.Fields = plan.fields
	ref, err := load(ctx, a, p, req, plan, ds)
	if err != nil {
		if created {
			a.DiscardNew(context.WithoutCancel(ctx), p, ds.ID)
		}
		return sum, err
	}
	sum.Version, sum.Rows = ref.Version, ref.Records
	return sum, nil
}

// markIndexed sets Indexed on the requested fields and on those the
// published version indexes.
func markIndexed(fields []catalog.Field, want []string, published []catalog.Field) error {
	names := map[string]bool{}
	for _, f := range published {
		if f.Indexed {
			names[f.Name] = true
		}
	}
	for _, w := range want {
		n := catalog.NormalizeName(strings.TrimSpace(w))
		found := false
		for _, f := range fields {
			found = found || f.Name == n
		}
		if !found {
			return errs.E(errs.Invalid, "cannot index %q: no such field", w)
		}
		names[n] = true
	}
	for i := range fields {
		fields[i].Indexed = names[fields[i].Name] && fields[i].Type != catalog.TypeGeoShape && fields[i].Type != catalog.TypeJSON
	}
	return nil
}

// firstPass is what the first pass learned.
type firstPass struct {
	fields []catalog.Field
	header []string
	info   ingest.Info
	keys   []string
	rows   int64
	// sample holds up to sampleSize first records, as read, for Preview.
	sampleSize int
	sample     [][]string
}

// keep adds cells to the sample while it has room.
func (pl *firstPass) keep(cells []string) {
	if len(pl.sample) < pl.sampleSize {
		pl.sample = append(pl.sample, slices.Clone(cells))
	}
}

// analyse is the first pass: infer the fields, or validate against the schema.
func analyse(req Request, sum *Summary) (*firstPass, error) {
	return analyseSample(req, sum, 0)
}

// analyseSample is analyse keeping the first sample records.
func analyseSample(req Request, sum *Summary, sample int) (*firstPass, error) {
	r, info, err := ingest.Open(req.Path, req.Options)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	sum.Source = info
	sum.Warnings = append(sum.Warnings, info.Warnings...)
	pl := &firstPass{header: r.Header(), info: info, keys: req.Keys, sampleSize: sample}
	if req.Schema != nil {
		err = validatePass(req, r, pl, sum)
	} else {
		err = inferPass(req, r, pl, sum)
	}
	sum.Fields = pl.fields
	return pl, err
}

func inferPass(req Request, r ingest.Reader, pl *firstPass, sum *Summary) error {
	in := ingest.NewInferrer(pl.header, pl.info.Delimiter)
	facets := newFacetTracker(pl.header)
	records := pipe.New(r.Next) // parse in one goroutine, infer in this one
	defer records.Close()
	var n int64
	for {
		cells, err := records.Next()
		if err == io.EOF {
			break
		} else if err != nil {
			return readError(err)
		}
		in.Add(cells)
		facets.add(cells)
		pl.keep(cells)
		n++
		progress(req, "analyse", n)
	}
	pl.fields, pl.rows = in.Fields(), n
	facets.mark(pl.fields)
	for _, w := range in.Warnings() {
		sum.Warnings = append(sum.Warnings, fmt.Sprintf("line %d, %s: %s", w.Line, w.Field, w.Message))
	}
	return nil
}

func validatePass(req Request, r ingest.Reader, pl *firstPass, sum *Summary) error {
	v := tableschema.NewValidator(req.Schema, tableschema.Options{})
	report := &tableschema.Report{Encoding: pl.info.Encoding, Delimiter: string(pl.info.Delimiter)}
	facets := newFacetTracker(pl.header)
	report.Errors = append(report.Errors, v.Header(pl.header)...)
	var n int64
	for {
		cells, err := r.Next()
		if err == io.EOF {
			break
		} else if err != nil {
			return readError(err)
		}
		n++
		facets.add(cells)
		pl.keep(cells)
		_, rowErrs := v.Row(int(n)+1, cells)
		report.Errors = append(report.Errors, rowErrs...)
		progress(req, "analyse", n)
		if v.LimitReached() {
			report.Truncated = true
			break
		}
	}
	report.Errors = append(report.Errors, v.Finish()...)
	report.Warnings = v.Warnings()
	report.Stats.Rows = int(n)
	pl.rows = n
	report.Stats.Errors = len(report.Errors)
	report.Valid = len(report.Errors) == 0
	sum.Report = report
	pl.fields = req.Schema.CatalogFields()
	facets.mark(pl.fields)
	if len(pl.keys) == 0 {
		for _, k := range req.Schema.PrimaryKey {
			pl.keys = append(pl.keys, catalog.NormalizeName(k))
		}
	}
	if !report.Valid {
		return errs.E(errs.Invalid, "the file does not conform to its Table Schema: %d error(s)", len(report.Errors))
	}
	return nil
}

// readError classifies a reading failure. The readers classify what they
// understand; anything else (an I/O error) stays internal, so that its
// text reaches the logs and the operator, not an API client.
func readError(err error) error {
	if errs.KindOf(err) != errs.Internal {
		return err
	}
	return fmt.Errorf("read the file: %w", err)
}

func progress(req Request, phase string, n int64) {
	if req.Progress != nil && n%10000 == 0 {
		req.Progress(phase, n)
	}
}
