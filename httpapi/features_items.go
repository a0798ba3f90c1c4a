package httpapi

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/socle/socle/internal/catalog"
	"github.com/socle/socle/internal/errs"
	"github.com/socle/socle/internal/export"
	oaf "github.com/socle/socle/internal/features"
	"github.com/socle/socle/internal/odsql"
	"github.com/socle/socle/internal/records"
)

// itemsRequest is a validated items request.
type itemsRequest struct {
	limit    int
	bbox     *oaf.BBox
	interval *oaf.Interval
	refines  []odsql.Refine
	after    int64 // record ID of the previous page's last feature; 0: first page
	geom     int   // index of the geometry field
	// goBBox is set when the bbox is tested in Go, on shapes' envelopes:
	// ODSQL's in_bbox takes points only.
	goBBox bool
}

// itemsParams are the parameters of items besides the dataset's fields.
var itemsParams = []string{"bbox", "bbox-crs", "limit", "datetime", "cursor", "f", "apikey"}

// parseItems validates the items parameters against d: unknown parameters
// and repeated ones are refused, as the standard requires.
func parseItems(v url.Values, d *catalog.Dataset) (*itemsRequest, error) {
	req := &itemsRequest{geom: export.GeometryField(d.Fields)}
	for k, vals := range v {
		_, isField := d.Field(k)
		if !isField && !slices.Contains(itemsParams, k) {
			return nil, errs.E(errs.Invalid, "unknown parameter %q", k)
		}
		if len(vals) > 1 {
			return nil, errs.E(errs.Invalid, "parameter %q is repeated", k)
		}
		if isField && !slices.Contains(itemsParams, k) {
			req.refines = append(req.refines, odsql.Refine{Facet: k, Value: vals[0]})
		}
	}
	slices.SortFunc(req.refines, func(a, b odsql.Refine) int { return cmpString(a.Facet, b.Facet) })
	if err := checkFormat(v, true); err != nil {
		return nil, err
	}
	var err error
	if req.limit, err = oaf.ParseLimit(v.Get("limit")); err != nil {
		return nil, err
	}
	if err := oaf.ParseBBoxCRS(v.Get("bbox-crs")); err != nil {
		return nil, err
	}
	if s, ok := v["bbox"]; ok {
		b, err := oaf.ParseBBox(s[0])
		if err != nil {
			return nil, err
		}
		req.bbox = &b
		req.goBBox = d.Fields[req.geom].Type != catalog.TypeGeoPoint
	}
	if s, ok := v["datetime"]; ok {
		iv, err := oaf.ParseDatetime(s[0])
		if err != nil {
			return nil, err
		}
		if temporalField(d.Fields) < 0 {
			return nil, errs.E(errs.Invalid, "collection %q has no temporal property: datetime does not apply", d.ID)
		}
		req.interval = &iv
	}
	if c := v.Get("cursor"); c != "" {
		if req.after, err = decodeFeaturesCursor(c, v); err != nil {
			return nil, err
		}
	}
	return req, nil
}

func cmpString(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// query is the ODSQL query of an items request, one row more than the page
// to learn whether a next page exists (no limit when the bbox is tested in
// Go). Rows come in record ID order, the keyset of the next link.
func (req *itemsRequest) query(d *catalog.Dataset) *odsql.Query {
	q := &odsql.Query{Limit: req.limit + 1, Refine: req.refines}
	if req.after > 0 {
		q.After = &odsql.Cursor{ID: req.after}
	}
	if req.goBBox {
		q.Limit = -1
	}
	if req.bbox != nil && !req.goBBox {
		q.Where = append(q.Where, bboxExpr(d.Fields[req.geom].Name, *req.bbox))
	}
	if req.interval != nil {
		q.Where = append(q.Where, intervalExprs(d.Fields[temporalField(d.Fields)], *req.interval)...)
	}
	return q
}

// bboxExpr is in_bbox(field, …) on each side of the antimeridian.
func bboxExpr(field string, b oaf.BBox) odsql.Expr {
	num := func(f float64) odsql.Expr { return &odsql.Literal{Kind: odsql.LitFloat, Float: f} }
	var out odsql.Expr
	for _, r := range b.Ranges() {
		call := &odsql.Call{Name: "in_bbox", Args: []odsql.Expr{&odsql.Ident{Name: field, Quoted: true},
			num(r.MinLat), num(r.MinLon), num(r.MaxLat), num(r.MaxLon)}}
		if out == nil {
			out = call
		} else {
			out = &odsql.Binary{Op: "OR", L: out, R: call}
		}
	}
	return out
}

// intervalExprs bound the temporal field. A date field's value is a whole
// UTC day: it matches when that day meets the interval.
func intervalExprs(f catalog.Field, iv oaf.Interval) []odsql.Expr {
	id := func() odsql.Expr { return &odsql.Ident{Name: f.Name, Quoted: true} }
	lit := func(t time.Time, dateOnly bool) odsql.Expr {
		raw := t.Format(time.RFC3339Nano)
		if dateOnly {
			raw = t.Format(time.DateOnly)
		}
		return &odsql.Literal{Kind: odsql.LitDate, Time: t, DateOnly: dateOnly, Zoned: !dateOnly, Raw: raw}
	}
	day := func(t time.Time) time.Time { return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC) }
	var out []odsql.Expr
	if iv.Start != nil {
		if f.Type == catalog.TypeDate {
			out = append(out, &odsql.Binary{Op: ">=", L: id(), R: lit(day(*iv.Start), true)})
		} else {
			out = append(out, &odsql.Binary{Op: ">=", L: id(), R: lit(*iv.Start, false)})
		}
	}
	if iv.End != nil {
		switch {
		case f.Type == catalog.TypeDate && iv.EndExclusive:
			out = append(out, &odsql.Binary{Op: "<", L: id(), R: lit(day(*iv.End), true)})
		case f.Type == catalog.TypeDate:
			out = append(out, &odsql.Binary{Op: "<=", L: id(), R: lit(day(*iv.End), true)})
		case iv.EndExclusive:
			out = append(out, &odsql.Binary{Op: "<", L: id(), R: lit(*iv.End, false)})
		default:
			out = append(out, &odsql.Binary{Op: "<=", L: id(), R: lit(*iv.End, false)})
		}
	}
	return out
}

// featuresFingerprint identifies the parameters that select the features,
// so that a cursor reused with other filters is refused.
func featuresFingerprint(v url.Values) string {
	h := sha256.New()
	keys := make([]string, 0, len(v))
	for k := range v {
		if k != "limit" && k != "cursor" && k != "f" && k != "apikey" {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	for _, k := range keys {
		h.Write([]byte(k + "=" + v.Get(k) + "\x01"))
	}
	return base64.RawURLEncoding.EncodeToString(h.Sum(nil)[:9])
}

// The items cursor is opaque: base64 of JSON holding the last record ID
// and the fingerprint of its request.
func encodeFeaturesCursor(id int64, v url.Values) string {
	b, _ := json.Marshal(cursorToken{ID: id, Query: featuresFingerprint(v)})
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeFeaturesCursor(s string, v url.Values) (int64, error) {
	raw, err := base64.RawURLEncoding.DecodeString(s)
	var t cursorToken
	if err != nil || len(raw) > 512 || json.Unmarshal(raw, &t) != nil || t.ID < 1 || len(t.Values) > 0 {
		return 0, errs.E(errs.Invalid, "invalid cursor")
	}
	if t.Query != featuresFingerprint(v) {
		return 0, errs.E(errs.Invalid, "this cursor belongs to another request")
	}
	return t.ID, nil
}

func (s *Server) handleFeaturesItems(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), s.limits.QueryTimeout)
	defer cancel()
	v := r.URL.Query()
	d, err := s.geoDataset(ctx, r)
	if err != nil {
		s.featuresError(w, r, err)
		return
	}
	req, err := parseItems(v, d)
	if err != nil {
		s.featuresError(w, r, err)
		return
	}
	if d.Version == 0 {
		s.writeItems(w, r, v, d, req, emptyRows{}, 0)
		return
	}
	q := req.query(d)
	var rows records.Rows
	matched := int64(-1) // unknown when the bbox is tested in Go
	if req.goBBox {
		rows, err = s.app.Store.Query(ctx, d, q)
	} else {
		rows, matched, err = s.app.Store.Page(ctx, d, q)
	}
	if err != nil {
		s.featuresError(w, r, err)
		return
	}
	defer rows.Close()
	if req.goBBox {
		rows = &bboxRows{Rows: rows, geom: req.geom, bbox: *req.bbox}
	}
	s.writeItems(w, r, v, d, req, rows, matched)
}

// bboxRows keeps the rows whose geometry's envelope meets the bbox.
type bboxRows struct {
	records.Rows
	geom int
	bbox oaf.BBox
}

func (b *bboxRows) Next() (catalog.Row, error) {
	for {
		row, err := b.Rows.Next()
		if err != nil {
			return nil, err
		}
		if x0, y0, x1, y1, ok := oaf.Envelope(row[b.geom]); ok && b.bbox.Intersects(x0, y0, x1, y1) {
			return row, nil
		}
	}
}

// emptyRows is the stream of a dataset without data yet.
type emptyRows struct{}

func (emptyRows) Columns() []catalog.Field   { return nil }
func (emptyRows) Next() (catalog.Row, error) { return nil, io.EOF }
func (emptyRows) Cursor() *odsql.Cursor      { return nil }
func (emptyRows) ID() int64                  { return 0 }
func (emptyRows) Close() error               { return nil }

// writeItems streams the page as a GeoJSON FeatureCollection: features
// first, as they are read, then the counts and links, which are known only
// at the end (member order does not matter in JSON). The first row is read
// before anything is written, so that a failing query still answers an
// exception; a failure later cuts the response short rather than
// completing a document that would look whole.
func (s *Server) writeItems(w http.ResponseWriter, r *http.Request, v url.Values, d *catalog.Dataset, req *itemsRequest, rows records.Rows, matched int64) {
	row, err := rows.Next()
	if err != nil && err != io.EOF {
		s.featuresError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", mimeGeoJSON)
	bw := bufio.NewWriterSize(w, 32<<10)
	enc := newFeatureEncoder(bw, rows.Columns(), req.geom)
	bw.WriteString(`{"type":"FeatureCollection","features":[`)
	n, last := 0, int64(0)
	for err == nil && n < req.limit {
		if n > 0 {
			bw.WriteByte(',')
		}
		enc.feature(rows.ID(), row)
		n, last = n+1, rows.ID()
		row, err = rows.Next()
	}
	if err != nil && err != io.EOF {
		s.logger.Error("features stream failed", "dataset", d.ID, "err", err)
		bw.Flush()
		panic(http.ErrAbortHandler)
	}
	hasNext := err == nil // a row beyond the page was read
	bw.WriteString(`],`)
	if matched >= 0 {
		bw.WriteString(`"numberMatched":` + strconv.FormatInt(matched, 10) + `,`)
	}
	bw.WriteString(`"numberReturned":` + strconv.Itoa(n) + `,"timeStamp":"` + s.app.Now().UTC().Format(time.RFC3339) + `","links":`)
	links := []featuresLink{
		{Href: featuresURL(r, v, ""), Rel: "self", Type: mimeGeoJSON, Title: "This page"},
		{Href: baseURL(r) + featuresRoot + "/collections/" + d.ID, Rel: "collection", Type: mimeJSONAPI, Title: "The collection"},
	}
	if hasNext {
		links = append(links, featuresLink{Href: featuresURL(r, v, encodeFeaturesCursor(last, v)), Rel: "next", Type: mimeGeoJSON, Title: "Next page"})
	}
	b, _ := json.Marshal(links)
	bw.Write(b)
	bw.WriteString("}\n")
	if err := bw.Flush(); err != nil {
		s.logger.Debug("features write", "err", err)
	}
	s.app.AuditRead(r.Context(), principal(r), d, "records.read", int64(n))
}

// featuresURL is the request's URL with cursor set (or dropped when empty)
// and the API key dropped: a link must not carry a secret.
func featuresURL(r *http.Request, v url.Values, cursor string) string {
	n := url.Values{}
	for k, vals := range v {
		if k != "cursor" && k != "apikey" {
			n[k] = vals
		}
	}
	if cursor != "" {
		n.Set("cursor", cursor)
	}
	u := baseURL(r) + r.URL.Path
	if len(n) > 0 {
		u += "?" + n.Encode()
	}
	return u
}

func (s *Server) handleFeaturesItem(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), s.limits.QueryTimeout)
	defer cancel()
	d, ok := s.formatAndCollection(ctx, w, r, true)
	if !ok {
		return
	}
	fid := r.PathValue("featureId")
	id, err := strconv.ParseInt(fid, 10, 64)
	if err != nil || id < 1 || d.Version == 0 {
		s.featuresError(w, r, errs.E(errs.NotFound, "feature %q not found", fid))
		return
	}
	row, err := s.app.Store.Record(ctx, d, id)
	if err != nil {
		s.featuresError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", mimeGeoJSON)
	bw := bufio.NewWriter(w)
	enc := newFeatureEncoder(bw, d.Fields, export.GeometryField(d.Fields))
	enc.begin(id, row)
	col := baseURL(r) + featuresRoot + "/collections/" + d.ID
	links, _ := json.Marshal([]featuresLink{
		{Href: col + "/items/" + fid, Rel: "self", Type: mimeGeoJSON, Title: "This feature"},
		{Href: col, Rel: "collection", Type: mimeJSONAPI, Title: "The collection"},
	})
	bw.WriteString(`,"links":`)
	bw.Write(links)
	bw.WriteString("}\n")
	bw.Flush()
	s.app.AuditRead(ctx, principal(r), d, "records.read", 1)
}

// featureEncoder writes records as GeoJSON features: the geometry field as
// geometry, every other field in properties (as the Explore API's JSON
// renders it), the record ID as id.
type featureEncoder struct {
	w      *bufio.Writer
	fields []catalog.Field
	keys   [][]byte
	geom   int
}

func newFeatureEncoder(w *bufio.Writer, fields []catalog.Field, geom int) *featureEncoder {
	keys := make([][]byte, len(fields))
	for i, f := range fields {
		k, _ := json.Marshal(f.Name)
		keys[i] = append(k, ':')
	}
	return &featureEncoder{w: w, fields: fields, keys: keys, geom: geom}
}

// begin writes a feature without its closing brace, so that links may
// follow.
func (e *featureEncoder) begin(id int64, row catalog.Row) {
	e.w.WriteString(`{"type":"Feature","id":` + strconv.FormatInt(id, 10) + `,"geometry":`)
	e.w.Write(geometryValue(row[e.geom]))
	e.w.WriteString(`,"properties":{`)
	first := true
	for i, v := range row {
		if i == e.geom || i >= len(e.fields) {
			continue
		}
		if !first {
			e.w.WriteByte(',')
		}
		first = false
		e.w.Write(e.keys[i])
		b, err := json.Marshal(export.JSONValue(e.fields[i].Type, v))
		if err != nil {
			b = []byte("null")
		}
		e.w.Write(b)
	}
	e.w.WriteByte('}')
}

func (e *featureEncoder) feature(id int64, row catalog.Row) {
	e.begin(id, row)
	e.w.WriteByte('}')
}

// geometryValue is the GeoJSON geometry of a geo_point_2d or geo_shape
// value; null when the value is null or unusable.
func geometryValue(v any) []byte {
	switch g := v.(type) {
	case catalog.GeoPoint:
		if !math.IsNaN(g.Lon) && !math.IsInf(g.Lon, 0) && !math.IsNaN(g.Lat) && !math.IsInf(g.Lat, 0) {
			b := []byte(`{"type":"Point","coordinates":[`)
			b = strconv.AppendFloat(b, g.Lon, 'g', -1, 64)
			b = append(b, ',')
			b = strconv.AppendFloat(b, g.Lat, 'g', -1, 64)
			return append(b, "]}"...)
		}
	case json.RawMessage:
		if json.Valid(g) {
			return g
		}
	case []byte:
		if json.Valid(g) {
			return g
		}
	case string:
		if json.Valid([]byte(g)) {
			return []byte(g)
		}
	}
	return []byte("null")
}
