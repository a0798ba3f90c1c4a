package app

import (
	"context"
	"encoding/json"
	"io"

	"github.com/socle/socle/internal/backup"
	"github.com/socle/socle/internal/errs"
)

// Backup writes the whole platform to w as a backup archive (package
// backup), with the catalog's metadata beside the tables for readers
// without Socle.
func (a *App) Backup(ctx context.Context, w io.Writer) (*backup.Package, error) {
	v, err := a.Store.SchemaVersion(ctx)
	if err != nil {
		return nil, err
	}
	return backup.Backup(ctx, a.Store, w, backup.Options{
		Engine: a.Store.Engine(), SchemaVersion: v, Now: a.Now(),
		Extra: a.backupMetadata,
	})
}

// backupMetadata adds metadata/datasets.json: every dataset's metadata and
// fields as Socle's management API shows them.
func (a *App) backupMetadata(add func(string, func(io.Writer) error) error) error {
	ds, err := a.Store.Datasets(context.Background())
	if err != nil {
		return err
	}
	return add("metadata/datasets.json", func(w io.Writer) error {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(ds)
	})
}

// RestoreArchive restores the archive at path into the empty instance
// behind store: the archive is checked whole first (checksums, values),
// then written in one transaction that is compared with the archive before
// it commits.
func RestoreArchive(ctx context.Context, store Store, path string) (*backup.Package, error) {
	arc, err := backup.Open(path)
	if err != nil {
		return nil, err
	}
	defer arc.Close()
	v, err := store.SchemaVersion(ctx)
	if err != nil {
		return nil, err
	}
	if arc.Package.Schema > v {
		return nil, errs.E(errs.Invalid, "the archive comes from a newer Socle (schema %d, this one has %d): upgrade first", arc.Package.Schema, v)
	}
	if err := backup.Restore(ctx, arc, store); err != nil {
		return nil, err
	}
	return &arc.Package, nil
}
