package httpapi

import (
	"context"
	"io"
	"net/http"
	"slices"
	"sort"

	"github.com/socle/socle/internal/app"
	"github.com/socle/socle/internal/catalog"
	"github.com/socle/socle/internal/errs"
	"github.com/socle/socle/internal/export"
	"github.com/socle/socle/internal/odsql"
	"github.com/socle/socle/internal/records"
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
	refined := slices.Clone(q.Refine) // CatalogQuery consumes list refines
	idx, err := s.app.CatalogQuery(ctx, principal(r), q)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out, err := s.facets(ctx, idx, q, v["facet"])
	if err == nil {
		err = s.listFacets(ctx, r, idx, q, refined, out)
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"links": []any{}, "facets": out})
}

// listFacets recounts the facets of multi-valued catalog fields (keyword,
// theme) one value at a time over the datasets the query matches.
func (s *Server) listFacets(ctx context.Context, r *http.Request, idx *catalog.Dataset, q *odsql.Query, refined []odsql.Refine, groups []facetGroup) error {
	var matched []*catalog.Dataset
	loaded := false
	for i, g := range groups {
		if _, ok := app.ListFacet(g.Name, nil); !ok {
			continue
		}
		if !loaded {
			var err error
			if matched, err = s.matchedDatasets(ctx, r, idx, q); err != nil {
				return err
			}
			loaded = true
		}
		counts, _ := app.ListFacet(g.Name, matched)
		groups[i].Facets = sortedFacets(counts)
		markStates(groups[i].Facets, g.Name, &odsql.Query{Refine: refined})
	}
	return nil
}

func (s *Server) matchedDatasets(ctx context.Context, r *http.Request, idx *catalog.Dataset, q *odsql.Query) ([]*catalog.Dataset, error) {
	mq := *q
	mq.Select, _ = odsql.ParseSelect("dataset_id")
	mq.GroupBy, mq.OrderBy, mq.Limit, mq.Offset = nil, nil, -1, 0
	rows, err := s.app.Store.Query(ctx, idx, &mq)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*catalog.Dataset
	for {
		row, err := rows.Next()
		if err == io.EOF {
			return out, nil
		} else if err != nil {
			return nil, err
		}
		if d, err := s.app.Dataset(ctx, principal(r), row[0].(string)); err == nil {
			out = append(out, d)
		}
	}
}

// sortedFacets orders counts as the SQL facets are: most frequent first.
func sortedFacets(counts map[string]int64) []records.FacetValue {
	out := make([]records.FacetValue, 0, len(counts))
	for v, n := range counts {
		out = append(out, records.FacetValue{Name: v, Value: v, Count: n})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Count != out[j].Count {
			return out[i].Count > out[j].Count
		}
		return out[i].Value < out[j].Value
	})
	return out
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
	hw := &headerWriter{w: w, ct: format.ContentType(), name: "catalog." + format.Extension()}
	ew, err := export.NewWriter(format, hw, rows.Columns(), opts)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if _, err := copyRows(ew, rows); err != nil {
		s.logger.Error("catalog export interrupted", "err", err)
		panic(http.ErrAbortHandler) // a reset, not a truncated file that looks whole
	}
	if !hw.began {
		hw.begin()
	}
}
