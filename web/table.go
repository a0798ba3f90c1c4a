package web

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/socle/socle/internal/catalog"
	"github.com/socle/socle/internal/export"
	"github.com/socle/socle/internal/odsql"
)

// Table tab limits: ODS's window of 10,000 records applies to pages too;
// beyond it, the page points to exports and the API's cursors.
const (
	tableWindow      = 10000
	defaultTableSize = 20
)

var tableSizes = []int{20, 50, 100}

// tableTab is the data of the table tab.
type tableTab struct {
	Columns []tableColumn
	Rows    [][]string
	Total   int64
	From    int // 1-based index of the first row shown
	To      int
	Size    int
	Sizes   []int
	Sort    string
	PrevURL string
	NextURL string
	Capped  bool // the next page is beyond the window
}

// tableColumn is a column header with its sort links and filter value.
type tableColumn struct {
	Field    catalog.Field
	Filter   string
	Sortable bool
	SortDir  string // "asc", "desc" or ""
	AscURL   string
	DescURL  string
}

func (s *Server) loadTable(ctx context.Context, r *http.Request, p *datasetPage) error {
	v := r.URL.Query()
	t := &tableTab{Size: defaultTableSize, Sizes: tableSizes, Sort: v.Get("sort")}
	if n, err := strconv.Atoi(v.Get("size")); err == nil && (n == 50 || n == 100) {
		t.Size = n
	}
	offset, _ := strconv.Atoi(v.Get("start"))
	offset = min(max(offset, 0), tableWindow-t.Size)
	q, err := tableQuery(p, t, offset)
	if err != nil {
		return err
	}
	t.Columns = columns(p, t, v)
	if p.E.D.Version > 0 {
		if err := s.fillRows(ctx, r, p, t, q); err != nil {
			return err
		}
	}
	t.From, t.To = offset+1, offset+len(t.Rows)
	base := withoutKeys(v, "start")
	if offset > 0 {
		t.PrevURL = pageURL(base, "start", max(offset-t.Size, 0))
	}
	if int64(offset+t.Size) < t.Total {
		if offset+2*t.Size <= tableWindow {
			t.NextURL = pageURL(base, "start", offset+t.Size)
		} else {
			t.Capped = true
		}
	}
	p.Table = t
	return nil
}

// tableQuery builds the page's ODSQL query from the filters and the sort.
func tableQuery(p *datasetPage, t *tableTab, offset int) (*odsql.Query, error) {
	q := &odsql.Query{Limit: t.Size, Offset: offset}
	if p.F.Effective != "" {
		e, err := odsql.ParseWhere(p.F.Effective)
		if err != nil {
			return nil, err
		}
		q.Where = []odsql.Expr{e}
	}
	if name, desc := sortField(t.Sort); name != "" {
		if f, ok := p.E.D.Field(name); ok && sortable(f) {
			dir := " asc"
			if desc {
				dir = " desc"
			}
			ob, err := odsql.ParseOrderBy(ident(f.Name) + dir)
			if err != nil {
				return nil, err
			}
			q.OrderBy = ob
		} else {
			t.Sort = ""
		}
	}
	return q, nil
}

func sortField(s string) (string, bool) {
	if strings.HasPrefix(s, "-") {
		return s[1:], true
	}
	return s, false
}

func sortable(f catalog.Field) bool {
	return f.Type != catalog.TypeGeoShape && f.Type != catalog.TypeJSON && f.Type != catalog.TypeGeoPoint
}

func columns(p *datasetPage, t *tableTab, v url.Values) []tableColumn {
	base := withoutKeys(v, "start", "sort")
	cur, desc := sortField(t.Sort)
	out := make([]tableColumn, 0, len(p.E.D.Fields))
	for _, f := range p.E.D.Fields {
		c := tableColumn{Field: f, Filter: p.F.Cols[f.Name], Sortable: sortable(f)}
		if c.Sortable {
			c.AscURL = keyURL(base, "sort", f.Name)
			c.DescURL = keyURL(base, "sort", "-"+f.Name)
			if cur == f.Name {
				c.SortDir = map[bool]string{false: "asc", true: "desc"}[desc]
			}
		}
		out = append(out, c)
	}
	return out
}

// fillRows runs q and formats each value as text for the table; non-public
// reads are audited like API reads.
func (s *Server) fillRows(ctx context.Context, r *http.Request, p *datasetPage, t *tableTab, q *odsql.Query) error {
	rows, total, err := s.app.Store.Page(ctx, p.E.D, q)
	if err != nil {
		return err
	}
	defer rows.Close()
	t.Total = total
	cols := rows.Columns()
	for {
		row, err := rows.Next()
		if err == io.EOF {
			break
		} else if err != nil {
			return err
		}
		cells := make([]string, len(cols))
		for i, c := range cols {
			cells[i] = cellText(c.Type, row[i])
		}
		t.Rows = append(t.Rows, cells)
	}
	s.app.AuditRead(ctx, principal(r), p.E.D, "records.read", int64(len(t.Rows)))
	return nil
}

// cellText is a value as the table shows it: long texts and shapes cut.
func cellText(ft catalog.FieldType, v any) string {
	s := export.TextValue(ft, v)
	if ft == catalog.TypeDouble {
		s = strings.Replace(s, ".", ",", 1)
	}
	if ft == catalog.TypeBoolean {
		s = map[string]string{"true": "oui", "false": "non"}[s]
	}
	if r := []rune(s); len(r) > 200 {
		s = string(r[:200]) + "…"
	}
	return s
}

func withoutKeys(v url.Values, keys ...string) url.Values {
	n := url.Values{}
	for k, vals := range v {
		n[k] = vals
	}
	for _, k := range keys {
		n.Del(k)
	}
	n.Del("ok")
	return n
}

func keyURL(v url.Values, key, value string) string {
	n := withoutKeys(v)
	n.Set(key, value)
	return "?" + n.Encode()
}

func pageURL(v url.Values, key string, n int) string { return keyURL(v, key, strconv.Itoa(n)) }
