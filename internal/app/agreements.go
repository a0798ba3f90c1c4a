package app

import (
	"context"
	"slices"

	"github.com/socle/socle/internal/agreements"
	"github.com/socle/socle/internal/auth"
	"github.com/socle/socle/internal/catalog"
	"github.com/socle/socle/internal/errs"
	"github.com/socle/socle/internal/odsql"
)

// AgreementView is an agreement with its usage, as its managers see it.
type AgreementView struct {
	*agreements.Agreement
	Usage agreements.Usage `json:"usage"`
}

// canManage: admins, and stewards of the organization owning the data.
func canManage(p auth.Principal, ag *agreements.Agreement) bool {
	if p.User == nil || p.User.Disabled {
		return false
	}
	return p.Is(auth.RoleAdmin) || (p.Is(auth.RoleSteward) && p.User.Org != "" && p.User.Org == ag.Owner)
}

// managerOnly refuses callers who may manage no agreement at all.
func managerOnly(p auth.Principal) error {
	if p.User == nil || p.User.Disabled {
		return errs.E(errs.Unauthorized, "sign in or use an API key")
	}
	if !p.Is(auth.RoleAdmin, auth.RoleSteward) {
		return errs.E(errs.Forbidden, "agreements are managed by admins and stewards")
	}
	return nil
}

// CreateAgreement records a new agreement, as a draft unless a status is given.
func (a *App) CreateAgreement(ctx context.Context, p auth.Principal, ag *agreements.Agreement) error {
	if err := managerOnly(p); err != nil {
		return err
	}
	if ag.Owner == "" {
		ag.Owner = p.User.Org
	}
	if ag.Status == "" {
		ag.Status = agreements.Draft
	}
	if _, err := a.Store.Agreement(ctx, ag.ID); err == nil {
		return errs.E(errs.Conflict, "agreement %q already exists", ag.ID)
	} else if !errs.Is(err, errs.NotFound) {
		return err
	}
	ag.Created = a.Now()
	return a.saveAgreement(ctx, p, ag, "agreement.create")
}

// UpdateAgreement replaces an agreement's terms; a terminated one is final.
func (a *App) UpdateAgreement(ctx context.Context, p auth.Principal, ag *agreements.Agreement) error {
	cur, err := a.managedAgreement(ctx, p, ag.ID)
	if err != nil {
		return err
	}
	if cur.Status == agreements.Terminated {
		return errs.E(errs.Conflict, "agreement %q is terminated", ag.ID)
	}
	if ag.Owner == "" {
		ag.Owner = cur.Owner
	}
	if ag.Status == "" {
		ag.Status = cur.Status
	}
	ag.Created = cur.Created
	return a.saveAgreement(ctx, p, ag, "agreement.update")
}

// SetAgreementStatus activates, suspends or terminates an agreement; the
// change applies to the partner's next request.
func (a *App) SetAgreementStatus(ctx context.Context, p auth.Principal, id string, st agreements.Status) (*agreements.Agreement, error) {
	ag, err := a.managedAgreement(ctx, p, id)
	if err != nil {
		return nil, err
	}
	if !st.Valid() {
		return nil, errs.E(errs.Invalid, "unknown agreement status %q", st)
	}
	if ag.Status == agreements.Terminated && st != agreements.Terminated {
		return nil, errs.E(errs.Conflict, "agreement %q is terminated", id)
	}
	ag.Status = st
	return ag, a.saveAgreement(ctx, p, ag, "agreement."+string(st))
}

// saveAgreement checks ag against the catalog, stores it and audits it.
func (a *App) saveAgreement(ctx context.Context, p auth.Principal, ag *agreements.Agreement, action string) error {
	if !canManage(p, ag) {
		return errs.E(errs.Forbidden, "only admins and stewards of %q manage its agreements", ag.Owner)
	}
	if err := ag.Validate(); err != nil {
		return err
	}
	if err := a.checkAgreementCatalog(ctx, ag); err != nil {
		return err
	}
	ag.Updated = a.Now()
	if err := a.Store.PutAgreement(ctx, ag); err != nil {
		return err
	}
	return a.Audit(ctx, p, action, "agreement:"+ag.ID, 0, string(ag.Status))
}

// checkAgreementCatalog checks that the partner exists and that each
// dataset is a shared dataset of the owner, with the fields named and a
// row filter that compiles against them.
func (a *App) checkAgreementCatalog(ctx context.Context, ag *agreements.Agreement) error {
	if _, err := a.Store.Organization(ctx, ag.Partner); err != nil {
		return errs.Wrap(errs.Invalid, err, "unknown partner organization %q", ag.Partner)
	}
	for _, sc := range ag.Datasets {
		d, err := a.Store.Dataset(ctx, sc.Dataset)
		if err != nil || !ValidDatasetID(d.ID) {
			return errs.E(errs.Invalid, "unknown dataset %q", sc.Dataset)
		}
		if d.Access != catalog.AccessShared || d.Meta.Publisher != ag.Owner {
			return errs.E(errs.Invalid, "dataset %q is not a shared dataset of %q", sc.Dataset, ag.Owner)
		}
		for _, f := range sc.Fields {
			if _, ok := d.Field(f); !ok {
				return errs.E(errs.Invalid, "dataset %q has no field %q", sc.Dataset, f)
			}
		}
		if sc.Filter == "" {
			continue
		}
		w, _ := odsql.ParseWhere(sc.Filter) // parsed by Validate
		if _, err := odsql.Compile(&odsql.Query{Where: []odsql.Expr{w}}, d.Fields, "t", odsql.SQLite); err != nil {
			return errs.Wrap(errs.Invalid, err, "row filter of %q: %v", sc.Dataset, err)
		}
	}
	return nil
}

// managedAgreement returns agreement id if p manages it, else NotFound.
func (a *App) managedAgreement(ctx context.Context, p auth.Principal, id string) (*agreements.Agreement, error) {
	if err := managerOnly(p); err != nil {
		return nil, err
	}
	ag, err := a.Store.Agreement(ctx, id)
	if err != nil {
		return nil, err
	}
	if !canManage(p, ag) {
		return nil, errs.E(errs.NotFound, "agreement %q not found", id)
	}
	return ag, nil
}

// Agreement returns an agreement p manages, with its usage.
func (a *App) Agreement(ctx context.Context, p auth.Principal, id string) (*AgreementView, error) {
	ag, err := a.managedAgreement(ctx, p, id)
	if err != nil {
		return nil, err
	}
	if err := a.FlushAudit(ctx); err != nil { // usage is counted by the audit writer
		return nil, errs.Wrap(errs.Unavailable, err, "audit log busy")
	}
	u, err := a.Store.AgreementUsage(ctx, id)
	if err != nil {
		return nil, err
	}
	return &AgreementView{Agreement: ag, Usage: u}, nil
}

// Agreements lists the agreements p manages, with their usage.
func (a *App) Agreements(ctx context.Context, p auth.Principal) ([]*AgreementView, error) {
	if err := managerOnly(p); err != nil {
		return nil, err
	}
	all, err := a.Store.Agreements(ctx, "")
	if err != nil {
		return nil, err
	}
	if err := a.FlushAudit(ctx); err != nil {
		return nil, errs.Wrap(errs.Unavailable, err, "audit log busy")
	}
	out := []*AgreementView{}
	for _, ag := range all {
		if !canManage(p, ag) {
			continue
		}
		u, err := a.Store.AgreementUsage(ctx, ag.ID)
		if err != nil {
			return nil, err
		}
		out = append(out, &AgreementView{Agreement: ag, Usage: u})
	}
	return out, nil
}

// AgreementRegister is the public register: every agreement past the
// draft stage, without its confidential details.
func (a *App) AgreementRegister(ctx context.Context) ([]agreements.Public, error) {
	all, err := a.Store.Agreements(ctx, "")
	if err != nil {
		return nil, err
	}
	out := []agreements.Public{}
	for _, ag := range all {
		if ag.Status != agreements.Draft {
			out = append(out, ag.Public())
		}
	}
	slices.SortStableFunc(out, func(x, y agreements.Public) int { return y.Start.Compare(x.Start) })
	return out, nil
}

// SeedAgreements stores agreements as the system, checked like any other;
// the demo uses it once its datasets exist.
func (a *App) SeedAgreements(ctx context.Context, list []*agreements.Agreement) error {
	for _, ag := range list {
		ag.Created = a.Now()
		if err := a.saveAgreement(ctx, System, ag, "agreement.create"); err != nil {
			return err
		}
	}
	return nil
}
