package httpapi

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"

	"github.com/socle/socle/internal/catalog"
	"github.com/socle/socle/internal/errs"
	"github.com/socle/socle/internal/export"
	"github.com/socle/socle/internal/odsql"
	"github.com/socle/socle/internal/records"
)

// recordsPage is the /records answer: ODS's shape plus "next", Socle's
// keyset link that pages past ODS's 10,000-record window.
type recordsPage struct {
	TotalCount int64            `json:"total_count"`
	Results    []map[string]any `json:"results"`
	Next       string           `json:"next,omitempty"`
}

func (s *Server) handleDataset(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), s.limits.QueryTimeout)
	defer cancel()
	r = r.WithContext(ctx)
	d, err := s.app.Dataset(r.Context(), principal(r), r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.app.AuditRead(r.Context(), principal(r), d, "dataset.read", 0)
	writeJSON(w, http.StatusOK, toODSDataset(d, baseURL(r)))
}

func (s *Server) handleRecords(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), s.limits.QueryTimeout)
	defer cancel()
	v := r.URL.Query()
	q, err := parseQuery(v, modeRecords)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if c := v.Get("cursor"); c != "" {
		if q.After, err = decodeCursor(c, v); err != nil {
			s.writeError(w, r, err)
			return
		}
		q.Offset = 0
	}
	page, err := s.recordsPage(ctx, r, q, v)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, page)
}

// recordsPage runs q with one extra row to learn whether a next page exists.
func (s *Server) recordsPage(ctx context.Context, r *http.Request, q *odsql.Query, v url.Values) (*recordsPage, error) {
	p := principal(r)
	id := r.PathValue("id")
	d, err := s.app.Dataset(ctx, p, id)
	if err != nil {
		return nil, err
	}
	page := &recordsPage{Results: []map[string]any{}}
	if d.Version == 0 {
		return page, nil // a dataset with no data yet has no records
	}
	limit := q.Limit
	q.Limit = limit + 1
	rows, total, err := s.app.Store.Page(ctx, d, q)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	page.TotalCount = total
	var last *odsql.Cursor
	for len(page.Results) < limit {
		row, err := rows.Next()
		if err == io.EOF {
			break
		} else if err != nil {
			return nil, err
		}
		page.Results = append(page.Results, rowObject(rows.Columns(), row))
		last = rows.Cursor()
	}
	if _, err := rows.Next(); err == nil && limit > 0 {
		page.Next = s.next(r, v, q, limit, last)
	}
	s.app.AuditRead(ctx, p, d, "records.read", int64(len(page.Results)))
	return page, nil
}

// next links the following page: by keyset cursor for records, by offset
// for groups (which have no stable row identity), within the group window.
func (s *Server) next(r *http.Request, v url.Values, q *odsql.Query, limit int, last *odsql.Cursor) string {
	if last != nil {
		return nextURL(r, v, "cursor", encodeCursor(last, v))
	}
	if offset := q.Offset + limit; offset+limit <= maxGroupByLimit {
		return nextURL(r, v, "offset", strconv.Itoa(offset))
	}
	return ""
}

func rowObject(cols []catalog.Field, row catalog.Row) map[string]any {
	m := make(map[string]any, len(cols))
	for i, c := range cols {
		m[c.Name] = export.JSONValue(c.Type, row[i])
	}
	return m
}

// nextURL is the current URL with the cursor or the offset set (and the
// API key dropped: a link must not carry a secret).
func nextURL(r *http.Request, v url.Values, key, value string) string {
	n := url.Values{}
	for k, vals := range v {
		if k != "offset" && k != "cursor" && k != "apikey" {
			n[k] = vals
		}
	}
	n.Set(key, value)
	return baseURL(r) + r.URL.Path + "?" + n.Encode()
}

// baseURL is the scheme and host the client used.
func baseURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil || r.Header.Get("X-Forwarded-Proto") == "https" {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

func (s *Server) handleRecord(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), s.limits.QueryTimeout)
	defer cancel()
	r = r.WithContext(ctx)
	p := principal(r)
	d, err := s.app.Dataset(r.Context(), p, r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	rid, err := strconv.ParseInt(r.PathValue("record_id"), 10, 64)
	if err != nil || d.Version == 0 {
		s.writeError(w, r, errs.E(errs.NotFound, "record %q not found", r.PathValue("record_id")))
		return
	}
	row, err := s.app.Store.Record(r.Context(), d, rid)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	obj := rowObject(d.Fields, row)
	obj["_id"] = strconv.FormatInt(rid, 10)
	s.app.AuditRead(r.Context(), p, d, "records.read", 1)
	writeJSON(w, http.StatusOK, obj)
}

func (s *Server) handleFacets(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), s.limits.QueryTimeout)
	defer cancel()
	v := r.URL.Query()
	q, err := parseQuery(facetParams(v), modeExport)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	d, err := s.app.Dataset(ctx, principal(r), r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out, err := s.facets(ctx, d, q, v["facet"])
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.app.AuditRead(ctx, principal(r), d, "records.facets", 0)
	writeJSON(w, http.StatusOK, map[string]any{"links": []any{}, "facets": out})
}

// facetParams keeps only the parameters /facets accepts.
func facetParams(v url.Values) url.Values {
	out := url.Values{}
	for _, k := range []string{"where", "refine", "exclude", "timezone"} {
		if vals, ok := v[k]; ok {
			out[k] = vals
		}
	}
	return out
}

type facetGroup struct {
	Name   string               `json:"name"`
	Facets []records.FacetValue `json:"facets"`
}

// facets computes the named facets, or the dataset's facet fields by default.
func (s *Server) facets(ctx context.Context, d *catalog.Dataset, q *odsql.Query, names []string) ([]facetGroup, error) {
	if len(names) == 0 {
		for _, f := range d.Fields {
			if f.Facet {
				names = append(names, f.Name)
			}
		}
	}
	if len(names) > maxRepeats {
		return nil, restError("parameter facet is repeated more than %d times", maxRepeats)
	}
	names = slices.Compact(slices.Sorted(slices.Values(names)))
	if len(names) > maxFacets {
		return nil, restError("at most %d facets per request", maxFacets)
	}
	out := []facetGroup{}
	if d.Version == 0 {
		return out, nil
	}
	for _, name := range names {
		if _, ok := d.Field(name); !ok {
			return nil, errs.E(errs.Invalid, "unknown facet field %q", name)
		}
		f, _ := d.Field(name)
		vals, err := s.app.Store.Facet(ctx, d, q, name, 1000)
		if err != nil {
			return nil, err
		}
		if f.Type == catalog.TypeDate || f.Type == catalog.TypeDateTime {
			vals = foldDates(vals)
		}
		markStates(vals, name, q)
		out = append(out, facetGroup{Name: name, Facets: nonNilFacets(vals)})
	}
	return out, nil
}

// foldDates turns per-day counts into ODS's year → month → day hierarchy.
func foldDates(days []records.FacetValue) []records.FacetValue {
	names := make([]string, len(days))
	counts := make([]int64, len(days))
	for i, d := range days {
		names[i], counts[i] = d.Value, d.Count
	}
	return toFacetValues(odsql.FoldDateFacets(names, counts))
}

func toFacetValues(in []odsql.DateFacet) []records.FacetValue {
	var out []records.FacetValue
	for _, f := range in {
		out = append(out, records.FacetValue{Name: f.Name, Value: f.Name, Count: f.Count, State: "displayed", Sub: toFacetValues(f.Facets)})
	}
	return out
}

func markStates(vals []records.FacetValue, field string, q *odsql.Query) {
	for i := range vals {
		if vals[i].State == "" {
			vals[i].State = "displayed"
		}
		for _, r := range q.Refine {
			if r.Facet == field && r.Value == vals[i].Value {
				vals[i].State = "refined"
			}
		}
	}
}

func nonNilFacets(v []records.FacetValue) []records.FacetValue {
	if v == nil {
		return []records.FacetValue{}
	}
	return v
}
