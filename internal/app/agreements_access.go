package app

import (
	"context"
	"slices"

	"github.com/socle/socle/internal/agreements"
	"github.com/socle/socle/internal/audit"
	"github.com/socle/socle/internal/auth"
	"github.com/socle/socle/internal/catalog"
	"github.com/socle/socle/internal/errs"
)

// Access through data-sharing agreements. A shared dataset that the policy
// (auth.CanRead) does not open to a caller is still readable by users of a
// partner organization named in an agreement active now that covers it:
// Dataset and Datasets then return a view (a copy carrying
// catalog.SharedView) that shareStore applies to every query. Agreements
// are read from the store on each request, never cached, so that an
// expiry or a termination takes effect at once.

// grants is the agreements of a caller's organization, loaded on first use.
type grants struct {
	a      *App
	p      auth.Principal
	loaded bool
	list   []*agreements.Agreement
	err    error
}

func (a *App) grants(p auth.Principal) *grants { return &grants{a: a, p: p} }

// load reads the caller's organization's agreements once.
func (g *grants) load(ctx context.Context) {
	if g.loaded {
		return
	}
	g.loaded = true
	u := g.p.User
	if u == nil || u.Disabled || u.Org == "" {
		return
	}
	g.list, g.err = g.a.Store.Agreements(ctx, u.Org)
}

// view returns d as the caller's active agreement covering it lets them
// see it, or nil; the inactive agreement that covers d, if any, comes
// back too so that refusals can be logged against it.
func (g *grants) view(ctx context.Context, d *catalog.Dataset) (*catalog.Dataset, *agreements.Agreement) {
	if d.Access != catalog.AccessShared {
		return nil, nil
	}
	g.load(ctx)
	now := g.a.Now()
	var inactive *agreements.Agreement
	for _, ag := range g.list {
		sc, ok := ag.Scope(d.ID)
		if !ok {
			continue
		}
		if ag.Active(now) {
			return sharedView(d, ag, sc), nil
		}
		inactive = ag
	}
	return nil, inactive
}

// sharedView is d restricted to an agreement's scope.
func sharedView(d *catalog.Dataset, ag *agreements.Agreement, sc *agreements.Scope) *catalog.Dataset {
	v := *d
	v.Shared = &catalog.SharedView{Agreement: ag.ID, AllFields: d.Fields, Filter: sc.Filter}
	if len(sc.Fields) > 0 {
		v.Fields = nil
		for _, f := range d.Fields {
			if slices.Contains(sc.Fields, f.Name) {
				v.Fields = append(v.Fields, f)
			}
		}
	} else {
		v.Fields = withoutPersonal(d) // personal fields only when the agreement names them
	}
	return &v
}

// sharedDataset answers Dataset for a caller the policy refused: the
// agreement's view, or NotFound — logged against the agreement when an
// inactive one covers the dataset (expired, suspended, terminated).
func (a *App) sharedDataset(ctx context.Context, p auth.Principal, d *catalog.Dataset) (*catalog.Dataset, error) {
	g := a.grants(p)
	v, inactive := g.view(ctx, d)
	if g.err != nil {
		return nil, g.err
	}
	if v != nil {
		return v, nil
	}
	if inactive != nil {
		a.queueAudit(ctx, auditItem{e: &audit.Entry{Time: a.Now(), Actor: p.Login(), Action: "agreement.refused", Target: d.ID,
			Detail: "agreement " + inactive.ID + " not active (" + string(inactive.Status) + ", " + inactive.End.Format("2006-01-02") + ")"}})
	}
	return nil, errs.E(errs.NotFound, "dataset %q not found", d.ID)
}

// sharedRead prepares the audit of a read through an agreement: the entry
// names the agreement, and the item counts the request in its usage.
func sharedRead(d *catalog.Dataset, e *audit.Entry) string {
	if d.Shared == nil || d.Shared.Agreement == "" { // no agreement: a view without personal fields
		return ""
	}
	e.Detail = "shared; agreement " + d.Shared.Agreement
	return d.Shared.Agreement
}

// countShared adds one request and its records to the usage of the
// agreement a read went through; called once per request, by the audit
// writer.
func (a *App) countShared(ctx context.Context, it auditItem) {
	if it.agreement == "" {
		return
	}
	if err := a.Store.AddAgreementUsage(ctx, it.agreement, 1, it.e.Records, it.e.Time); err != nil {
		a.Logger.Error("agreement usage", "agreement", it.agreement, "err", err)
	}
}

// queueAudit hands an entry to the audit writer, or writes it now when
// the request is gone.
func (a *App) queueAudit(ctx context.Context, it auditItem) {
	select {
	case a.reads <- it:
	case <-ctx.Done():
		ctx = context.WithoutCancel(ctx)
		a.Store.AppendAudit(ctx, it.e)
		a.countShared(ctx, it)
	}
}
