package app

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/socle/socle/internal/auth"
	"github.com/socle/socle/internal/catalog"
	"github.com/socle/socle/internal/errs"
	"github.com/socle/socle/internal/odsql"
)

// CatalogID is the internal dataset that indexes the catalog itself, one
// record per dataset, so that the catalog endpoints accept the same ODSQL
// (where, order_by, group_by, facets) as records, on both engines, through
// the same compiler. Its ID starts with '_' so it is never listed.
const CatalogID = "_catalog"

// catalogFields are the fields ODSQL sees on the catalog.
var catalogFields = []catalog.Field{
	{Name: "dataset_id", Label: "Identifiant", Type: catalog.TypeText},
	{Name: "title", Label: "Titre", Type: catalog.TypeText},
	{Name: "description", Label: "Description", Type: catalog.TypeText},
	{Name: "publisher", Label: "Producteur", Type: catalog.TypeText, Facet: true},
	{Name: "keyword", Label: "Mots-clés", Type: catalog.TypeText, Facet: true},
	{Name: "theme", Label: "Thèmes", Type: catalog.TypeText, Facet: true},
	{Name: "license", Label: "Licence", Type: catalog.TypeText, Facet: true},
	{Name: "access", Label: "Accès", Type: catalog.TypeText, Facet: true},
	{Name: "language", Label: "Langue", Type: catalog.TypeText, Facet: true},
	{Name: "features", Label: "Fonctionnalités", Type: catalog.TypeText, Facet: true},
	{Name: "records_count", Label: "Nombre d'enregistrements", Type: catalog.TypeInt},
	{Name: "modified", Label: "Modifié", Type: catalog.TypeDateTime, Facet: true},
	{Name: "synthetic", Label: "Synthétique", Type: catalog.TypeBoolean},
}

// RefreshCatalog rebuilds the catalog index; call it after any change to
// the catalog. The index is small (one row per dataset).
func (a *App) RefreshCatalog(ctx context.Context) error {
	a.refreshMu.Lock()
	defer a.refreshMu.Unlock()
	all, err := a.Store.Datasets(ctx)
	if err != nil {
		return err
	}
	if _, err := a.Store.Dataset(ctx, CatalogID); errs.Is(err, errs.NotFound) {
		now := a.Now()
		d := &catalog.Dataset{ID: CatalogID, UID: "catalog", Access: catalog.AccessPublic, Issued: now, Modified: now,
			Meta: catalog.Metadata{Title: "Catalogue", License: catalog.DefaultLicense}}
		if err := a.Store.CreateDataset(ctx, d); err != nil && !errs.Is(err, errs.Conflict) {
			return err
		}
	}
	var rows []catalog.Row
	for _, d := range all {
		if ValidDatasetID(d.ID) {
			rows = append(rows, catalogRow(d))
		}
	}
	_, err = a.Store.LoadVersion(ctx, catalog.LoadRequest{DatasetID: CatalogID, Fields: catalogFields,
		Mode: catalog.ModeReplace, Rows: &sliceSource{rows: rows}, Actor: "system", Now: a.Now()})
	if err != nil {
		return fmt.Errorf("refresh catalog index: %w", err)
	}
	return nil
}

func catalogRow(d *catalog.Dataset) catalog.Row {
	feats := []string{}
	if d.HasGeo() {
		feats = append(feats, "geo")
	}
	return catalog.Row{d.ID, d.Meta.Title, d.Meta.Description, d.Meta.Publisher,
		strings.Join(d.Meta.Keywords, ", "), strings.Join(d.Meta.Themes, ", "), d.Meta.License,
		string(d.Access), d.Meta.Language, strings.Join(feats, ", "), d.Records, d.Modified, d.Meta.Synthetic}
}

type sliceSource struct {
	rows []catalog.Row
	i    int
}

func (s *sliceSource) Next() (catalog.Row, error) {
	if s.i >= len(s.rows) {
		return nil, io.EOF
	}
	s.i++
	return s.rows[s.i-1], nil
}

// listFields are the catalog fields holding several values per dataset.
// The index stores them joined, so refine and exclude on them are applied
// here, value by value, rather than as text equality in SQL.
var listFields = map[string]func(*catalog.Dataset) []string{
	"keyword": func(d *catalog.Dataset) []string { return d.Meta.Keywords },
	"theme":   func(d *catalog.Dataset) []string { return d.Meta.Themes },
}

// ListFacet counts the values of a multi-valued catalog field (keyword,
// theme) over datasets; ok is false for other fields.
func ListFacet(field string, ds []*catalog.Dataset) (map[string]int64, bool) {
	get, ok := listFields[field]
	if !ok {
		return nil, false
	}
	counts := map[string]int64{}
	for _, d := range ds {
		for _, v := range get(d) {
			counts[v]++
		}
	}
	return counts, true
}

// applyListRefines removes from q the refines and excludes on list fields
// and applies them to ds.
func applyListRefines(q *odsql.Query, ds []*catalog.Dataset) []*catalog.Dataset {
	keep := func(rs []odsql.Refine, want bool) []odsql.Refine {
		var rest []odsql.Refine
		for _, r := range rs {
			get, ok := listFields[r.Facet]
			if !ok {
				rest = append(rest, r)
				continue
			}
			out := ds[:0:0]
			for _, d := range ds {
				if slices.Contains(get(d), r.Value) == want {
					out = append(out, d)
				}
			}
			ds = out
		}
		return rest
	}
	q.Refine = keep(q.Refine, true)
	q.Exclude = keep(q.Exclude, false)
	return ds
}

// CatalogQuery restricts q to the datasets p may see and returns the
// catalog index dataset to run it on.
func (a *App) CatalogQuery(ctx context.Context, p auth.Principal, q *odsql.Query) (*catalog.Dataset, error) {
	visible, err := a.Datasets(ctx, p)
	if err != nil {
		return nil, err
	}
	visible = applyListRefines(q, visible)
	ids := make([]string, 0, len(visible))
	for _, d := range visible {
		ids = append(ids, strconv.Quote(d.ID))
	}
	filter := "false"
	if len(ids) > 0 {
		filter = "dataset_id IN (" + strings.Join(ids, ", ") + ")"
	}
	w, err := odsql.ParseWhere(filter)
	if err != nil {
		return nil, err
	}
	q.Where = append(q.Where, w)
	d, err := a.Store.Dataset(ctx, CatalogID)
	if errs.Is(err, errs.NotFound) {
		if err := a.RefreshCatalog(ctx); err != nil {
			return nil, err
		}
		d, err = a.Store.Dataset(ctx, CatalogID)
	}
	return d, err
}
