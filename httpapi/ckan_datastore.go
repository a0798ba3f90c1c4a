package httpapi

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/socle/socle/internal/catalog"
	"github.com/socle/socle/internal/ckan"
	"github.com/socle/socle/internal/errs"
	"github.com/socle/socle/internal/export"
	"github.com/socle/socle/internal/odsql"
	"github.com/socle/socle/internal/records"
)

// maxCKANOffset bounds datastore_search's offset; keyset paging
// (filters {"_id":{"gt":N}}) goes further.
const maxCKANOffset = 10_000_000

// ckanDatastoreResource resolves datastore_search's resource_id: a
// DataStore resource ID, or the dataset's name as an alias.
func (s *Server) ckanDatastoreResource(ctx context.Context, r *http.Request, id string) (*catalog.Dataset, string, error) {
	notFound := errs.E(errs.NotFound, "Resource \"%s\" was not found.", truncate(id, 100))
	if uid, kind, ok := ckan.SplitResourceID(id); ok {
		if kind != ckan.DatastoreSuffix {
			return nil, "", notFound
		}
		d, err := s.ckanDataset(ctx, r, uid)
		if err != nil || d.UID != uid {
			return nil, "", notFound
		}
		return d, id, nil
	}
	d, err := s.ckanDataset(ctx, r, id)
	if err != nil || d.ID != id {
		return nil, "", notFound
	}
	return d, ckan.ResourceID(d.UID, ckan.DatastoreSuffix), nil
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

// datastoreRequest is a validated datastore_search request.
type datastoreRequest struct {
	rq            ckan.RecordQuery
	limit, offset int
	total, lists  bool
	filters       json.RawMessage
	q, sort       string // as sent, for _links
}

func parseDatastoreRequest(p ckanParams, d *catalog.Dataset) (*datastoreRequest, error) {
	dr := &datastoreRequest{filters: p["filters"], sort: p.str("sort")}
	if q := p["q"]; len(q) > 0 && q[0] == '{' {
		dr.q = string(q)
	} else {
		dr.q = p.str("q")
	}
	var err error
	if err = ckan.ParseFilters(p["filters"], d.Fields, &dr.rq); err != nil {
		return nil, err
	}
	if err = ckan.ParseQ(p["q"], d.Fields, &dr.rq); err != nil {
		return nil, err
	}
	if err = ckan.ParseRecordSort(p.str("sort"), d.Fields, &dr.rq); err != nil {
		return nil, err
	}
	if err = ckan.ParseFields(p["fields"], d.Fields, &dr.rq); err != nil {
		return nil, err
	}
	if dr.rq.AfterID > 0 && len(dr.rq.OrderBy) > 0 {
		return nil, ckan.Invalid("filters", `an "_id" filter pages by record ID: sort must be "_id asc" or absent`)
	}
	if dr.limit, err = p.int("limit", ckan.DefaultLimit, ckan.MaxLimit); err != nil {
		return nil, err
	}
	if dr.offset, err = p.int("offset", 0, maxCKANOffset); err != nil {
		return nil, err
	}
	if dr.total, err = p.bool("include_total", true); err != nil {
		return nil, err
	}
	switch f := p.str("records_format"); f {
	case "", "objects":
	case "lists":
		dr.lists = true
	default:
		return nil, ckan.Invalid("records_format", "records_format %q is not supported (objects, lists)", f)
	}
	return dr, nil
}

func (dr *datastoreRequest) query() *odsql.Query {
	q := &odsql.Query{Where: dr.rq.Where, OrderBy: dr.rq.OrderBy, Limit: dr.limit, Offset: dr.offset}
	if dr.rq.AfterID > 0 {
		q.After = &odsql.Cursor{ID: dr.rq.AfterID}
	}
	return q
}

func (s *Server) ckanDatastoreSearch(ctx context.Context, r *http.Request, p ckanParams) (any, error) {
	id := p.str("resource_id")
	if id == "" {
		id = p.str("id")
	}
	if id == "" {
		return nil, ckan.Invalid("resource_id", "Missing value")
	}
	d, resID, err := s.ckanDatastoreResource(ctx, r, id)
	if err != nil {
		return nil, err
	}
	dr, err := parseDatastoreRequest(p, d)
	if err != nil {
		return nil, err
	}
	var rows records.Rows
	var total int64
	if d.Version > 0 {
		q := dr.query()
		if dr.total {
			rows, total, err = s.app.Store.Page(ctx, d, q)
		} else {
			rows, err = s.app.Store.Query(ctx, d, q)
		}
		if err != nil {
			return nil, err
		}
	}
	return ckanStream(func(w http.ResponseWriter) {
		if rows != nil {
			defer rows.Close()
		}
		n := s.writeDatastore(w, r, d, resID, dr, rows, total)
		s.app.AuditRead(ctx, principal(r), d, "records.read", n)
	}), nil
}

// writeDatastore streams the result's envelope and its records one by
// one: up to 32,000 records need not sit in memory. A failure half-way
// leaves truncated JSON, which every client reports.
func (s *Server) writeDatastore(w http.ResponseWriter, r *http.Request, d *catalog.Dataset, resID string,
	dr *datastoreRequest, rows records.Rows, total int64) int64 {
	fields := ckan.FieldsOf(d.Fields)
	cols := d.Fields
	if rows != nil {
		cols = rows.Columns()
	}
	names := dr.rq.Fields
	if names == nil {
		for _, f := range fields {
			names = append(names, f.ID)
		}
	}
	fields = pickFields(fields, names)
	head := map[string]any{"resource_id": resID, "fields": fields}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	bw := bufio.NewWriterSize(w, 32<<10)
	defer bw.Flush()
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	bw.WriteString(`{"help":`)
	enc.Encode(ckanHelp(r, "datastore_search"))
	bw.WriteString(`,"success":true,"result":{"resource_id":`)
	enc.Encode(head["resource_id"])
	bw.WriteString(`,"fields":`)
	enc.Encode(fields)
	bw.WriteString(`,"records":[`)
	var n int64
	for rows != nil {
		row, err := rows.Next()
		if err == io.EOF {
			break
		} else if err != nil {
			s.logger.Error("datastore_search stream", "dataset", d.ID, "err", err)
			return n
		}
		if n > 0 {
			bw.WriteByte(',')
		}
		enc.Encode(datastoreRecord(cols, row, rows.ID(), names, dr.lists))
		n++
	}
	bw.WriteString(`],"offset":`)
	enc.Encode(dr.offset)
	bw.WriteString(`,"limit":`)
	enc.Encode(dr.limit)
	if dr.total {
		bw.WriteString(`,"total":`)
		enc.Encode(total)
		bw.WriteString(`,"total_was_estimated":false`)
	}
	if len(dr.filters) > 0 {
		bw.WriteString(`,"filters":`)
		enc.Encode(dr.filters)
	}
	bw.WriteString(`,"_links":`)
	enc.Encode(datastoreLinks(resID, dr))
	bw.WriteString("}}\n")
	return n
}

func pickFields(fields []ckan.Field, names []string) []ckan.Field {
	out := make([]ckan.Field, 0, len(names))
	for _, n := range names {
		for _, f := range fields {
			if f.ID == n {
				out = append(out, f)
			}
		}
	}
	return out
}

// datastoreRecord is one record as an object (CKAN's default) or a list
// in the order of names, with CKAN's value forms.
func datastoreRecord(cols []catalog.Field, row catalog.Row, id int64, names []string, lists bool) any {
	vals := make(map[string]any, len(cols)+1)
	vals["_id"] = id
	for i, c := range cols {
		vals[c.Name] = datastoreValue(c.Type, row[i])
	}
	if lists {
		out := make([]any, len(names))
		for i, n := range names {
			out[i] = vals[n]
		}
		return out
	}
	out := make(orderedRecord, 0, len(names))
	for _, n := range names {
		out = append(out, recordPair{n, vals[n]})
	}
	return out
}

// datastoreValue writes timestamps as CKAN does (UTC, no offset); other
// values as the Explore API does.
func datastoreValue(t catalog.FieldType, v any) any {
	if tm, ok := v.(time.Time); ok && t == catalog.TypeDateTime {
		return tm.UTC().Format("2006-01-02T15:04:05")
	}
	return export.JSONValue(t, v)
}

// orderedRecord keeps a record's keys in field order, as CKAN does.
type orderedRecord []recordPair

type recordPair struct {
	k string
	v any
}

func (o orderedRecord) MarshalJSON() ([]byte, error) {
	b := []byte{'{'}
	for i, p := range o {
		if i > 0 {
			b = append(b, ',')
		}
		k, _ := json.Marshal(p.k)
		v, err := json.Marshal(p.v)
		if err != nil {
			return nil, err
		}
		b = append(append(append(b, k...), ':'), v...)
	}
	return append(b, '}'), nil
}

// datastoreLinks are CKAN's _links: this search from the start, and the
// next page by offset.
func datastoreLinks(resID string, dr *datastoreRequest) map[string]string {
	v := url.Values{"resource_id": {resID}}
	if dr.limit != ckan.DefaultLimit {
		v.Set("limit", strconv.Itoa(dr.limit))
	}
	if len(dr.filters) > 0 {
		v.Set("filters", string(dr.filters))
	}
	if dr.q != "" {
		v.Set("q", dr.q)
	}
	if dr.sort != "" {
		v.Set("sort", dr.sort)
	}
	start := "/api/3/action/datastore_search?" + v.Encode()
	v.Set("offset", strconv.Itoa(dr.offset+dr.limit))
	return map[string]string{"start": start, "next": "/api/3/action/datastore_search?" + v.Encode()}
}
