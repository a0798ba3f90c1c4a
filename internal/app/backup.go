package app

import (
	"context"
	"encoding/json"
	"io"
	"strings"

	"github.com/socle/socle/internal/backup"
	"github.com/socle/socle/internal/catalog"
	"github.com/socle/socle/internal/dcat"
	"github.com/socle/socle/internal/errs"
	"github.com/socle/socle/rdf"
)

// Backup writes the whole platform to w as a backup archive (package
// backup), with the catalog's metadata beside the tables for readers
// without Socle. baseURL is the portal's address, written in the archive's
// DCAT catalog (its datasets' IRIs and download URLs).
func (a *App) Backup(ctx context.Context, w io.Writer, baseURL string) (*backup.Package, error) {
	v, err := a.Store.SchemaVersion(ctx)
	if err != nil {
		return nil, err
	}
	return backup.Backup(ctx, a.Store, w, backup.Options{
		Engine: a.Store.Engine(), SchemaVersion: v, Now: a.Now(),
		Extra: func(add func(string, func(io.Writer) error) error) error { return a.backupMetadata(add, baseURL) },
	})
}

// backupFormats are the export formats the DCAT catalog of a backup lists.
var backupFormats = []string{"csv", "json", "jsonl", "geojson", "parquet", "xlsx"}

// backupMetadata adds metadata/datasets.json (every dataset's metadata and
// fields as the management API shows them) and metadata/catalog.ttl (the
// whole catalog, non-public datasets included with their access rights,
// as DCAT-AP 3).
func (a *App) backupMetadata(add func(string, func(io.Writer) error) error, baseURL string) error {
	ctx := context.Background()
	ds, err := a.Store.Datasets(ctx)
	if err != nil {
		return err
	}
	err = add("metadata/datasets.json", func(w io.Writer) error {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(ds)
	})
	if err != nil {
		return err
	}
	list, err := a.Store.Organizations(ctx)
	if err != nil {
		return err
	}
	c := dcat.Catalog{BaseURL: strings.TrimSuffix(baseURL, "/"), Orgs: map[string]*catalog.Organization{},
		Title: "Catalogue de données (sauvegarde)", Description: "Tous les jeux de données de la plateforme, décrits en DCAT-AP 3."}
	for _, o := range list {
		c.Orgs[o.ID] = o
		if o.Kind == catalog.OrgMetropolis && (c.Publisher == nil || o.ID < c.Publisher.ID) {
			c.Publisher = o
		}
	}
	for _, d := range ds {
		if !ValidDatasetID(d.ID) {
			continue // internal datasets (the catalog index)
		}
		e := dcat.Entry{Dataset: d}
		for _, f := range backupFormats {
			if d.Version > 0 && (f != "geojson" || d.HasGeo()) {
				e.Exports = append(e.Exports, dcat.Export{Format: f})
			}
		}
		c.Entries = append(c.Entries, e)
	}
	return add("metadata/catalog.ttl", func(w io.Writer) error {
		return rdf.WriteTurtle(w, dcat.Graph(c), nil)
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
