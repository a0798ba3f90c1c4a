package httpapi

import (
	"context"
	"io"
	"net/http"

	"github.com/socle/socle/internal/catalog"
	"github.com/socle/socle/internal/errs"
	"github.com/socle/socle/internal/export"
	"github.com/socle/socle/internal/odsql"
)

func (s *Server) handleExploreRoot(w http.ResponseWriter, r *http.Request) {
	base := baseURL(r) + "/api/explore/v2.1/catalog"
	writeJSON(w, http.StatusOK, map[string]any{"links": []odsLink{
		{"datasets", base + "/datasets"}, {"facets", base + "/facets"}, {"exports", base + "/exports"},
	}})
}

// handleCatalogDatasets answers the catalog search: ODSQL over the catalog
// index, then the matching datasets in full (or the selected columns when
// the client asked for select or group_by).
func (s *Server) handleCatalogDatasets(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), s.limits.QueryTimeout)
	defer cancel()
	v := r.URL.Query()
	q, err := parseQuery(v, modeRecords)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	p := principal(r)
	idx, err := s.app.CatalogQuery(ctx, p, q)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	page := recordsPage{Results: []map[string]any{}}
	if page.TotalCount, err = s.app.Store.Count(ctx, idx, q); err != nil {
		s.writeError(w, r, err)
		return
	}
	full := len(q.Select) == 0 && len(q.GroupBy) == 0
	if full {
		q.Select, _ = odsql.ParseSelect("dataset_id")
	}
	rows, err := s.app.Store.Query(ctx, idx, q)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	defer rows.Close()
	for {
		row, err := rows.Next()
		if err == io.EOF {
			break
		} else if err != nil {
			s.writeError(w, r, err)
			return
		}
		if !full {
			page.Results = append(page.Results, rowObject(rows.Columns(), row))
			continue
		}
		d, err := s.app.Dataset(ctx, p, row[0].(string))
		if err != nil {
			continue // deleted since the index was built
		}
		page.Results = append(page.Results, datasetObject(d, r))
	}
	writeJSON(w, http.StatusOK, page)
}

// datasetObject is an odsDataset as a generic object (results are maps).
func datasetObject(d *catalog.Dataset, r *http.Request) map[string]any {
	o := toODSDataset(d, baseURL(r))
	return map[string]any{"dataset_id": o.DatasetID, "dataset_uid": o.DatasetUID, "has_records": o.HasRecords,
		"data_visible": o.DataVisible, "features": o.Features, "metas": o.Metas, "fields": o.Fields,
		"attachments": o.Attachments, "visibility": o.Visibility, "links": o.Links}
}

func (s *Server) handleCatalogFacets(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), s.limits.QueryTimeout)
	defer cancel()
	v := r.URL.Query()
	q, err := parseQuery(facetParams(v), modeExport)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	idx, err := s.app.CatalogQuery(ctx, principal(r), q)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out, err := s.facets(ctx, idx, q, v["facet"])
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"links": []any{}, "facets": out})
}

// handleCatalogExport exports the catalog index (one row per visible dataset).
func (s *Server) handleCatalogExport(w http.ResponseWriter, r *http.Request) {
	v := r.URL.Query()
	format, opts, err := exportOptions(r.PathValue("format"), v)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if format != export.JSON && format != export.CSV && format != export.JSONL && format != export.XLSX {
		s.writeError(w, r, errs.E(errs.Invalid, "the catalog exports as csv, json, jsonl or xlsx"))
		return
	}
	q, err := parseQuery(v, modeExport)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	idx, err := s.app.CatalogQuery(r.Context(), principal(r), q)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	rows, err := s.app.Store.Query(r.Context(), idx, q)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	defer rows.Close()
	ew, err := export.NewWriter(format, w, rows.Columns(), opts)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", format.ContentType())
	w.Header().Set("Content-Disposition", `attachment; filename="catalog.`+format.Extension()+`"`)
	if _, err := copyRows(ew, rows); err != nil {
		s.logger.Error("catalog export interrupted", "err", err)
	}
}
