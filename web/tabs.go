package web

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"

	"github.com/socle/socle/internal/catalog"
	"github.com/socle/socle/internal/odsql"
	"github.com/socle/socle/internal/tableschema"
)

// mapFeatureLimit bounds the features one map loads; the page says when
// the filters select more.
const mapFeatureLimit = 5000

// mapTab is the data of the map tab.
type mapTab struct {
	GeoJSONURL string
	TitleField string
	Limit      int
	Total      int64
	Limited    bool // the filters select more features than the map loads
}

func (s *Server) loadMap(ctx context.Context, r *http.Request, p *datasetPage) error {
	v := p.F.query()
	v.Set("limit", "5000")
	m := &mapTab{GeoJSONURL: "/datasets/" + p.E.D.ID + "/export/geojson?" + v.Encode(), Limit: mapFeatureLimit}
	for _, f := range p.E.D.Fields {
		if f.Type == catalog.TypeText {
			m.TitleField = f.Name
			break
		}
	}
	n, err := s.count(ctx, p)
	m.Total, m.Limited = n, n > mapFeatureLimit
	p.Map = m
	return err
}

// count is the number of records the filters select.
func (s *Server) count(ctx context.Context, p *datasetPage) (int64, error) {
	if p.E.D.Version == 0 {
		return 0, nil
	}
	q := &odsql.Query{}
	if p.F.Effective != "" {
		e, err := odsql.ParseWhere(p.F.Effective)
		if err != nil {
			return 0, err
		}
		q.Where = []odsql.Expr{e}
	}
	return s.app.Store.Count(ctx, p.E.D, q)
}

// apiTab is the data of the API tab: ready-to-copy URLs and curl lines
// for the current filters.
type apiTab struct {
	Base       string
	Records    string
	Dataset    string
	Export     string
	CurlRecs   string
	CurlExport string
	NeedsKey   bool
}

func (s *Server) loadAPI(_ context.Context, r *http.Request, p *datasetPage) error {
	base := absBase(r) + "/api/explore/v2.1/catalog/datasets/" + p.E.D.ID
	v := p.F.query()
	rv := url.Values{"limit": {"20"}}
	if w := v.Get("where"); w != "" {
		rv.Set("where", w)
	}
	a := &apiTab{Base: absBase(r) + "/api/explore/v2.1", Dataset: base, Records: base + "/records?" + rv.Encode(),
		Export: base + "/exports/csv" + encodeOrEmpty(v), NeedsKey: p.E.D.Access != catalog.AccessPublic}
	a.CurlRecs = curl(base+"/records", rv, a.NeedsKey)
	a.CurlExport = curl(base+"/exports/csv", v, a.NeedsKey) + " -o " + p.E.D.ID + ".csv"
	p.API = a
	return nil
}

func encodeOrEmpty(v url.Values) string {
	if len(v) == 0 {
		return ""
	}
	return "?" + v.Encode()
}

// curl writes a shell line for a GET with url-encoded parameters.
func curl(u string, v url.Values, key bool) string {
	var b strings.Builder
	b.WriteString("curl -G '" + u + "'")
	for _, k := range []string{"where", "limit"} {
		if x := v.Get(k); x != "" {
			b.WriteString(" --data-urlencode '" + k + "=" + strings.ReplaceAll(x, "'", `'\''`) + "'")
		}
	}
	if key {
		b.WriteString(` -H "Authorization: Apikey $SOCLE_API_KEY"`)
	}
	return b.String()
}

func absBase(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil || r.Header.Get("X-Forwarded-Proto") == "https" {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// download is one export format offered on the downloads tab.
type download struct {
	Format, Label, URL string
	Size               int64 // known size, or -1
}

var downloadFormats = []string{"csv", "xlsx", "json", "jsonl", "geojson", "parquet"}

func (s *Server) loadDownloads(ctx context.Context, r *http.Request, p *datasetPage) error {
	v := p.F.query()
	for _, f := range downloadFormats {
		if f == "geojson" && !p.E.D.HasGeo() {
			continue
		}
		d := download{Format: f, Label: s.msgs.T("format." + f), URL: "/datasets/" + p.E.D.ID + "/export/" + f + encodeOrEmpty(v), Size: -1}
		if p.F.Effective == "" {
			if n, ok := s.app.ExportSize(p.E.D.ID, p.E.D.Version, f); ok {
				d.Size = n
			}
		}
		p.Files = append(p.Files, d)
	}
	n, err := s.count(ctx, p)
	if p.Map == nil {
		p.Map = &mapTab{Total: n}
	}
	return err
}

// qualityTab is the Table Schema validation report of the latest import.
type qualityTab struct {
	Schema *tableschema.Schema
	Report *tableschema.Report
	At     string
	Errors []tableschema.Error
}

func (s *Server) loadQuality(ctx context.Context, _ *http.Request, p *datasetPage) error {
	q := &qualityTab{}
	if sc, err := tableschema.Parse(strings.NewReader(p.E.D.Meta.TableSchemaJSON)); err == nil {
		q.Schema = sc
	}
	reports, err := s.app.Store.ImportReports(ctx, p.E.D.ID, 10)
	if err != nil {
		return err
	}
	for _, rep := range reports {
		var sum struct {
			Report *tableschema.Report `json:"report"`
		}
		if rep.Detail != "" && json.Unmarshal([]byte(rep.Detail), &sum) == nil && sum.Report != nil {
			q.Report, q.At = sum.Report, frDateTime(rep.At)
			q.Errors = sum.Report.Errors[:min(len(sum.Report.Errors), 50)]
			break
		}
	}
	p.Quality = q
	return nil
}

// handleDownload streams an export as the session's user through the API's
// export code, so that both count downloads and audit reads alike.
func (s *Server) handleDownload(w http.ResponseWriter, r *http.Request) {
	if s.exports == nil {
		http.NotFound(w, r)
		return
	}
	zw, done := gzipResponse(w, r, r.PathValue("format"))
	defer done()
	s.exports.ServeExport(zw, r, principal(r), r.PathValue("id"), r.PathValue("format"))
}
