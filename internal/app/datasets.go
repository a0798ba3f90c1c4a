package app

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/socle/socle/internal/auth"
	"github.com/socle/socle/internal/catalog"
	"github.com/socle/socle/internal/errs"
)

// datasetID is the shape of a dataset slug. IDs starting with '_' are
// reserved for Socle's own internal datasets.
var datasetID = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,99}$`)

// ValidDatasetID reports whether id may name a user dataset.
func ValidDatasetID(id string) bool { return datasetID.MatchString(id) }

// Dataset returns the dataset id if p may see it, else NotFound.
func (a *App) Dataset(ctx context.Context, p auth.Principal, id string) (*catalog.Dataset, error) {
	if !ValidDatasetID(id) {
		return nil, errs.E(errs.NotFound, "dataset %q not found", id)
	}
	d, err := a.Store.Dataset(ctx, id)
	if err != nil {
		return nil, err
	}
	if !auth.CanRead(p, d) {
		// Not 403: a dataset the caller may not see does not exist for them,
		// unless an active agreement shares it (agreements_access.go).
		return a.sharedDataset(ctx, p, d)
	}
	return personalView(p, d), nil
}

// Datasets lists the datasets p may see.
func (a *App) Datasets(ctx context.Context, p auth.Principal) ([]*catalog.Dataset, error) {
	all, err := a.Store.Datasets(ctx)
	if err != nil {
		return nil, err
	}
	out := all[:0]
	g := a.grants(p)
	for _, d := range all {
		if ValidDatasetID(d.ID) && auth.CanRead(p, d) {
			out = append(out, personalView(p, d))
		} else if v, _ := g.view(ctx, d); v != nil {
			out = append(out, v)
		}
	}
	return out, g.err
}

// EnsureDataset returns dataset d.ID, creating it from d when missing.
// Existing datasets must be writable by p.
func (a *App) EnsureDataset(ctx context.Context, p auth.Principal, d *catalog.Dataset) (*catalog.Dataset, bool, error) {
	if !ValidDatasetID(d.ID) {
		return nil, false, errs.E(errs.Invalid, "invalid dataset id %q: use lower-case letters, digits, '-' and '_'", d.ID)
	}
	cur, err := a.Store.Dataset(ctx, d.ID)
	if err == nil {
		if !auth.CanWrite(p, cur) {
			if auth.CanRead(p, cur) {
				return nil, false, errs.E(errs.Forbidden, "you may not change dataset %q", d.ID)
			}
			return nil, false, errs.E(errs.NotFound, "dataset %q not found", d.ID)
		}
		return cur, false, nil
	}
	if !errs.Is(err, errs.NotFound) {
		return nil, false, err
	}
	if err := a.prepareNew(ctx, p, d); err != nil {
		return nil, false, err
	}
	if err := a.Store.CreateDataset(ctx, d); err != nil {
		return nil, false, err
	}
	a.Audit(ctx, p, "dataset.create", d.ID, 0, string(d.Access))
	return d, true, nil
}

// prepareNew fills defaults and checks that p may create d.
func (a *App) prepareNew(ctx context.Context, p auth.Principal, d *catalog.Dataset) error {
	if p.User != nil && !p.Is(auth.RoleAdmin, auth.RoleSteward, auth.RoleProducer) {
		return errs.E(errs.Forbidden, "your role may not create datasets")
	}
	if d.Access == "" {
		d.Access = catalog.AccessPublic
	}
	if !d.Access.Valid() {
		return errs.E(errs.Invalid, "unknown access level %q", d.Access)
	}
	if d.Meta.Title == "" {
		d.Meta.Title = d.ID
	}
	if d.Meta.License == "" {
		d.Meta.License = catalog.DefaultLicense
	}
	if d.Meta.Language == "" {
		d.Meta.Language = "fr"
	}
	if d.Meta.Publisher == "" && p.User != nil {
		d.Meta.Publisher = p.User.Org
	}
	if err := checkPublisher(p, d.Meta.Publisher); err != nil {
		return err
	}
	if d.Meta.Publisher != "" {
		if _, err := a.Store.Organization(ctx, d.Meta.Publisher); err != nil {
			return errs.Wrap(errs.Invalid, err, "unknown organization %q", d.Meta.Publisher)
		}
	}
	if d.UID == "" {
		d.UID = NewUID()
	}
	now := a.Now()
	d.Issued, d.Modified = now, now
	return nil
}

// checkPublisher keeps producers to their own organization: only admins
// and stewards publish in another's name.
func checkPublisher(p auth.Principal, publisher string) error {
	if p.User == nil || p.Is(auth.RoleAdmin, auth.RoleSteward) {
		return nil
	}
	if p.User.Org == "" {
		return errs.E(errs.Forbidden, "your account belongs to no organization: ask an administrator to set one before publishing")
	}
	if publisher != p.User.Org {
		return errs.E(errs.Forbidden, "you may publish only for your organization %q", p.User.Org)
	}
	return nil
}

// NewUID returns a random 16-hex-digit identifier, stable for a dataset's
// life (record tables are named after it, so it must be a safe identifier).
func NewUID() string {
	b := make([]byte, 8)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return strings.ToLower(hex.EncodeToString(b))
}

// UpdateDataset saves metadata and access of a dataset p may write.
// Producers may not move a dataset to another organization, change who is
// granted access to it, or change its synthetic label.
func (a *App) UpdateDataset(ctx context.Context, p auth.Principal, d *catalog.Dataset) error {
	cur, err := a.Dataset(ctx, p, d.ID)
	if err != nil {
		return err
	}
	if !auth.CanWrite(p, cur) {
		return errs.E(errs.Forbidden, "you may not change dataset %q", d.ID)
	}
	if !d.Access.Valid() {
		return errs.E(errs.Invalid, "unknown access level %q", d.Access)
	}
	if d.Meta.Title == "" {
		return errs.E(errs.Invalid, "a dataset needs a title")
	}
	if err := checkPersonalFields(d); err != nil {
		return err
	}
	if err := checkRetention(d); err != nil {
		return err
	}
	if !p.Is(auth.RoleAdmin, auth.RoleSteward) {
		m, c := d.Meta, cur.Meta
		if m.Publisher != c.Publisher || m.Synthetic != c.Synthetic ||
			!slices.Equal(m.AllowedUsers, c.AllowedUsers) || !slices.Equal(m.AllowedOrgs, c.AllowedOrgs) {
			return errs.E(errs.Forbidden, "only stewards change a dataset's publisher, grants or synthetic label")
		}
	}
	if d.Meta.Publisher != cur.Meta.Publisher {
		if _, err := a.Store.Organization(ctx, d.Meta.Publisher); err != nil {
			return errs.Wrap(errs.Invalid, err, "unknown organization %q", d.Meta.Publisher)
		}
	}
	d.Modified = a.Now()
	if err := a.Store.UpdateDataset(ctx, d); err != nil {
		return err
	}
	return a.Audit(ctx, p, "dataset.update", d.ID, 0, string(d.Access))
}

// DiscardNew deletes a dataset that EnsureDataset created for an import
// that then failed, so that a refused file leaves no empty entry behind.
func (a *App) DiscardNew(ctx context.Context, p auth.Principal, id string) {
	if err := a.Store.DeleteDataset(ctx, id); err != nil && !errs.Is(err, errs.NotFound) {
		a.Logger.Error("discard dataset of a failed import", "dataset", id, "err", err)
		return
	}
	a.Audit(ctx, p, "dataset.discard", id, 0, "import failed")
}

// Restore makes a dataset's previous version current again.
func (a *App) Restore(ctx context.Context, p auth.Principal, id string, version int) error {
	d, err := a.Dataset(ctx, p, id)
	if err != nil {
		return err
	}
	if !auth.CanWrite(p, d) {
		return errs.E(errs.Forbidden, "you may not change dataset %q", id)
	}
	if version == 0 {
		for _, v := range d.Versions {
			if v.Version != d.Version {
				version = v.Version
				break
			}
		}
		if version == 0 {
			return errs.E(errs.NotFound, "dataset %q has no previous version", id)
		}
	}
	if err := a.Store.RestoreVersion(ctx, id, version); err != nil {
		return err
	}
	return a.Audit(ctx, p, "dataset.restore", id, 0, "version "+strconv.Itoa(version))
}
