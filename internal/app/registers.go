package app

import (
	"context"

	"github.com/socle/socle/internal/auth"
	"github.com/socle/socle/internal/errs"
	"github.com/socle/socle/internal/registers"
)

// The registers' use cases: stewards and admins keep them; anyone reads
// their public view (the RGPD record is communicable to the public, the
// algorithm register must be published); the keepers also read the
// confidential notes.

// CanKeepRegisters reports whether p may write the registers and read
// their confidential notes.
func CanKeepRegisters(p auth.Principal) bool { return p.Is(auth.RoleAdmin, auth.RoleSteward) }

// PutProcessing validates and stores an activity of the RGPD record.
func (a *App) PutProcessing(ctx context.Context, p auth.Principal, pr *registers.Processing) error {
	if !CanKeepRegisters(p) {
		return errs.E(errs.Forbidden, "only stewards keep the registers")
	}
	if err := pr.Validate(); err != nil {
		return err
	}
	pr.Updated = a.Now()
	if err := a.Store.PutProcessing(ctx, pr); err != nil {
		return err
	}
	return a.Audit(ctx, p, "register.processing.put", "processing:"+pr.ID, 0, "")
}

// PutAlgorithm validates and stores an entry of the algorithm register.
func (a *App) PutAlgorithm(ctx context.Context, p auth.Principal, al *registers.Algorithm) error {
	if !CanKeepRegisters(p) {
		return errs.E(errs.Forbidden, "only stewards keep the registers")
	}
	if err := al.Validate(); err != nil {
		return err
	}
	al.Updated = a.Now()
	if err := a.Store.PutAlgorithm(ctx, al); err != nil {
		return err
	}
	return a.Audit(ctx, p, "register.algorithm.put", "algorithm:"+al.ID, 0, "")
}

// Processings lists the RGPD record as p may see it.
func (a *App) Processings(ctx context.Context, p auth.Principal) ([]*registers.Processing, error) {
	list, err := a.Store.Processings(ctx)
	if err != nil || CanKeepRegisters(p) {
		return list, err
	}
	for i, pr := range list {
		pub := pr.Public()
		list[i] = &pub
	}
	return list, nil
}

// Processing returns one activity as p may see it. errs.NotFound.
func (a *App) Processing(ctx context.Context, p auth.Principal, id string) (*registers.Processing, error) {
	pr, err := a.Store.Processing(ctx, id)
	if err != nil || CanKeepRegisters(p) {
		return pr, err
	}
	pub := pr.Public()
	return &pub, nil
}

// Algorithms lists the algorithm register as p may see it.
func (a *App) Algorithms(ctx context.Context, p auth.Principal) ([]*registers.Algorithm, error) {
	list, err := a.Store.Algorithms(ctx)
	if err != nil || CanKeepRegisters(p) {
		return list, err
	}
	for i, al := range list {
		pub := al.Public()
		list[i] = &pub
	}
	return list, nil
}

// Algorithm returns one algorithm as p may see it. errs.NotFound.
func (a *App) Algorithm(ctx context.Context, p auth.Principal, id string) (*registers.Algorithm, error) {
	al, err := a.Store.Algorithm(ctx, id)
	if err != nil || CanKeepRegisters(p) {
		return al, err
	}
	pub := al.Public()
	return &pub, nil
}

// DeleteRegisterEntry removes an activity (kind "processing") or an
// algorithm (kind "algorithm").
func (a *App) DeleteRegisterEntry(ctx context.Context, p auth.Principal, kind, id string) error {
	if !CanKeepRegisters(p) {
		return errs.E(errs.Forbidden, "only stewards keep the registers")
	}
	var err error
	switch kind {
	case "processing":
		err = a.Store.DeleteProcessing(ctx, id)
	case "algorithm":
		err = a.Store.DeleteAlgorithm(ctx, id)
	case "contract":
		err = a.Store.DeleteContract(ctx, id)
	default:
		return errs.E(errs.NotFound, "no register %q", kind)
	}
	if err != nil {
		return err
	}
	return a.Audit(ctx, p, "register."+kind+".delete", kind+":"+id, 0, "")
}
