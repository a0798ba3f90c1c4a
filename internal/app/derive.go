package app

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"slices"

	"github.com/socle/socle/internal/auth"
	"github.com/socle/socle/internal/catalog"
	"github.com/socle/socle/internal/errs"
	"github.com/socle/socle/internal/odsql"
	"github.com/socle/socle/internal/pipe"
	"github.com/socle/socle/internal/privacy"
	"github.com/socle/socle/internal/records"
)

// Deriving a dataset for opening (internal/privacy): the source's records
// are streamed through the spec's plan — fields kept, dropped,
// pseudonymised or generalised, then optionally grouped and counted under
// the statistical secrecy rule — into a new version of the target, the way
// an import loads one (EnsureDataset, then Store.LoadVersion: atomic, the
// previous version kept). The spec is stored in the target's metadata
// (meta.derivation) so that Rederive runs it again on fresh source data.
// Only the writers of the source (who see its personal fields) and of the
// target derive; an aggregate refused by the secrecy rule creates nothing.

// DeriveResult says what a derivation published.
type DeriveResult struct {
	Dataset string          `json:"dataset"`
	Created bool            `json:"created"`
	Version int             `json:"version"`
	Records int64           `json:"records"`
	Fields  []catalog.Field `json:"fields"`
	Secrecy *privacy.Report `json:"secrecy,omitempty"` // for an aggregate
	Spec    *privacy.Spec   `json:"spec"`
}

// Derive runs spec as p. errs.Invalid (a *privacy.SecrecyError inside for
// an aggregate refused by the secrecy rule) for a spec that does not fit
// its source; errs.NotFound for a source p may not see; errs.Forbidden for
// a source or target p may not write; errs.Unavailable when a field is
// pseudonymised and no key is configured.
func (a *App) Derive(ctx context.Context, p auth.Principal, spec *privacy.Spec) (*DeriveResult, error) {
	if err := spec.Validate(); err != nil {
		return nil, err
	}
	src, err := a.Dataset(ctx, p, spec.Source)
	if err != nil {
		return nil, err
	}
	if !auth.CanWrite(p, src) {
		return nil, errs.E(errs.Forbidden, "only the writers of dataset %q derive from it", src.ID)
	}
	if src, err = a.Store.Dataset(ctx, src.ID); err != nil { // with its personal fields
		return nil, err
	}
	if src.Version == 0 {
		return nil, errs.E(errs.Invalid, "dataset %q has no records yet", src.ID)
	}
	var key []byte
	if usesPseudonyms(spec) {
		if key, err = a.pseudonymKey(); err != nil {
			return nil, err
		}
	}
	plan, err := privacy.NewPlan(spec, src.Fields, src.Meta.PersonalFields, key)
	if err != nil {
		return nil, err
	}
	res := &DeriveResult{Spec: spec, Fields: plan.Fields}
	var rows catalog.RowSource
	if spec.Aggregate != nil {
		out, rep, err := a.aggregate(ctx, src, plan)
		res.Secrecy = &rep
		if err != nil {
			return res, err
		}
		res.Fields, rows = privacy.NewGrouper(plan).Fields(), &sliceRows{rows: out}
	}
	target, err := a.deriveTarget(ctx, p, spec, src)
	if err != nil {
		return res, err
	}
	res.Dataset, res.Created = target.ID, target.Version == 0
	if rows == nil {
		q, err := a.Store.Query(ctx, src, &odsql.Query{Limit: -1})
		if err != nil {
			return res, a.discardDerived(ctx, p, res, err)
		}
		defer q.Close()
		rows = newPlanRows(q, src.Fields, plan)
	}
	ref, err := a.loadDerived(ctx, p, target, res.Fields, rows)
	if err != nil {
		return res, a.discardDerived(ctx, p, res, err)
	}
	res.Version, res.Records = ref.Version, ref.Records
	if err := a.saveDerivation(ctx, target, spec); err != nil {
		return res, err
	}
	detail := fmt.Sprintf("from %s, version %d", src.ID, ref.Version)
	if res.Secrecy != nil {
		detail += fmt.Sprintf("; %d groups, %d under %d suppressed", res.Secrecy.Groups, res.Secrecy.Suppressed, res.Secrecy.Threshold)
	}
	if err := a.Audit(ctx, p, "dataset.derive", target.ID, ref.Records, detail); err != nil {
		return res, err
	}
	a.Publish(Event{Topic: TopicDataset + target.ID, Data: DatasetChange{Dataset: target.ID}})
	return res, a.RefreshCatalog(context.WithoutCancel(ctx))
}

// Rederive runs again the spec stored in dataset id's metadata.
func (a *App) Rederive(ctx context.Context, p auth.Principal, id string) (*DeriveResult, error) {
	d, err := a.Dataset(ctx, p, id)
	if err != nil {
		return nil, err
	}
	if !auth.CanWrite(p, d) {
		return nil, errs.E(errs.Forbidden, "you may not change dataset %q", id)
	}
	if len(d.Meta.Derivation) == 0 {
		return nil, errs.E(errs.Invalid, "dataset %q was not derived", id)
	}
	spec, err := privacy.ParseSpec(d.Meta.Derivation)
	if err != nil {
		return nil, err
	}
	if spec.Target.ID != id {
		return nil, errs.E(errs.Invalid, "dataset %q: its derivation names another target", id)
	}
	return a.Derive(ctx, p, spec)
}

func usesPseudonyms(s *privacy.Spec) bool {
	return slices.ContainsFunc(s.Fields, func(f privacy.FieldRule) bool { return f.Transform == privacy.Pseudonymise })
}

// pseudonymKey is the platform's key, or errs.Unavailable without one.
func (a *App) pseudonymKey() ([]byte, error) {
	if a.PseudonymKey == nil {
		return nil, errs.E(errs.Unavailable, "no pseudonymisation key is configured")
	}
	key, err := a.PseudonymKey()
	if err != nil {
		return nil, fmt.Errorf("pseudonymisation key: %w", err)
	}
	return key, nil
}

// aggregate groups the source's transformed rows and applies the secrecy
// rule, before anything is written.
func (a *App) aggregate(ctx context.Context, src *catalog.Dataset, plan *privacy.Plan) ([]catalog.Row, privacy.Report, error) {
	q, err := a.Store.Query(ctx, src, &odsql.Query{Limit: -1})
	if err != nil {
		return nil, privacy.Report{}, err
	}
	defer q.Close()
	g := privacy.NewGrouper(plan)
	in := newPlanRows(q, src.Fields, plan)
	for {
		row, err := in.Next()
		if err == io.EOF {
			break
		} else if err != nil {
			return nil, privacy.Report{}, err
		}
		if err := g.Add(row); err != nil {
			return nil, privacy.Report{}, err
		}
	}
	return g.Rows()
}

// deriveTarget returns the target dataset, created when missing. A
// dataset that holds records and was not derived is not overwritten.
func (a *App) deriveTarget(ctx context.Context, p auth.Principal, spec *privacy.Spec, src *catalog.Dataset) (*catalog.Dataset, error) {
	t := spec.Target
	d := &catalog.Dataset{ID: t.ID, Access: t.Access, Meta: catalog.Metadata{Title: t.Title, Description: t.Description,
		Publisher: t.Publisher, License: src.Meta.License, Themes: src.Meta.Themes, Keywords: src.Meta.Keywords,
		Spatial: src.Meta.Spatial, Derivation: json.RawMessage(spec.String())}}
	if d.Meta.Publisher == "" {
		d.Meta.Publisher = src.Meta.Publisher
	}
	cur, _, err := a.EnsureDataset(ctx, p, d)
	if err != nil {
		return nil, err
	}
	if cur.Version > 0 && len(cur.Meta.Derivation) == 0 {
		return nil, errs.E(errs.Conflict, "dataset %q holds imported records: derive into another dataset", cur.ID)
	}
	if cur.Meta.Publisher != d.Meta.Publisher {
		return nil, errs.E(errs.Invalid, "dataset %q belongs to another organization than the derivation's", cur.ID)
	}
	return cur, nil
}

// loadDerived publishes rows as the target's new version.
func (a *App) loadDerived(ctx context.Context, p auth.Principal, target *catalog.Dataset, fields []catalog.Field, rows catalog.RowSource) (*catalog.VersionRef, error) {
	src := pipe.New(rows.Next)
	defer src.Close()
	return a.Store.LoadVersion(ctx, catalog.LoadRequest{DatasetID: target.ID, Fields: fields, Mode: catalog.ModeReplace,
		Rows: src, Actor: p.Login(), Now: a.Now()})
}

// discardDerived removes a target created by a derivation that failed.
func (a *App) discardDerived(ctx context.Context, p auth.Principal, res *DeriveResult, err error) error {
	if res.Created {
		a.DiscardNew(context.WithoutCancel(ctx), p, res.Dataset)
	}
	return err
}

// saveDerivation stores the spec in the target's metadata.
func (a *App) saveDerivation(ctx context.Context, target *catalog.Dataset, spec *privacy.Spec) error {
	d, err := a.Store.Dataset(ctx, target.ID)
	if err != nil {
		return err
	}
	d.Meta.Derivation = json.RawMessage(spec.String())
	if t := spec.Target; d.Access != t.Access || t.Title != "" && t.Title != d.Meta.Title {
		d.Access = t.Access
		if t.Title != "" {
			d.Meta.Title = t.Title
		}
	}
	d.Modified = a.Now()
	return a.Store.UpdateDataset(ctx, d)
}

// planRows streams a query's rows through a plan, in the order of the
// source's fields (which the plan indexes).
type planRows struct {
	rows records.Rows
	plan *privacy.Plan
	idx  []int // for each source field, its column in rows; -1: none
	buf  catalog.Row
}

func newPlanRows(q records.Rows, fields []catalog.Field, plan *privacy.Plan) *planRows {
	cols := q.Columns()
	r := &planRows{rows: q, plan: plan, buf: make(catalog.Row, len(fields))}
	for _, f := range fields {
		r.idx = append(r.idx, slices.IndexFunc(cols, func(c catalog.Field) bool { return c.Name == f.Name }))
	}
	return r
}

func (r *planRows) Next() (catalog.Row, error) {
	row, err := r.rows.Next()
	if err != nil {
		return nil, err
	}
	for i, j := range r.idx {
		r.buf[i] = nil
		if j >= 0 && j < len(row) {
			r.buf[i] = row[j]
		}
	}
	return r.plan.Apply(r.buf), nil
}

// sliceRows yields fixed rows.
type sliceRows struct {
	rows []catalog.Row
	i    int
}

func (s *sliceRows) Next() (catalog.Row, error) {
	if s.i >= len(s.rows) {
		return nil, io.EOF
	}
	s.i++
	return s.rows[s.i-1], nil
}
