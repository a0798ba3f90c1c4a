package harvester

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/socle/socle/internal/catalog"
	"github.com/socle/socle/internal/harvest"
)

// ODS harvests an Opendatasoft portal (or another Socle) through the
// Explore API v2.1: the catalog page by page, each dataset's records as
// its JSON Lines export, whose values keep their JSON types (numbers,
// booleans, geo_point_2d objects) and whose fields' declared types are
// applied over inference.
type ODS struct {
	c    *Client
	root string
}

// odsPageSize is the Explore API's largest page of datasets.
const odsPageSize = 100

// odsMaxOffset is where the Explore API stops offsets (offset+limit).
const odsMaxOffset = 10000

type odsPage struct {
	TotalCount int          `json:"total_count"`
	Results    []odsDataset `json:"results"`
}

type odsDataset struct {
	DatasetID  string                    `json:"dataset_id"`
	DatasetUID string                    `json:"dataset_uid"`
	HasRecords *bool                     `json:"has_records"`
	Metas      map[string]map[string]any `json:"metas"`
	Fields     []struct {
		Name        string  `json:"name"`
		Label       string  `json:"label"`
		Type        string  `json:"type"`
		Description *string `json:"description"`
	} `json:"fields"`
}

// List pages through /catalog/datasets ordered by dataset_id.
func (o *ODS) List(ctx context.Context, yield func(harvest.RemoteDataset) error) error {
	pg := newPager(o.c.Limits.MaxPages)
	// Pages advance by what was received, not by what was asked: a portal
	// that caps limit lower must not end the listing early (a short
	// listing would mark the rest missing).
	for offset := 0; ; {
		if offset+odsPageSize > odsMaxOffset {
			return fmt.Errorf("the portal lists more than %d datasets, the Explore API's offset limit", odsMaxOffset)
		}
		u := fmt.Sprintf("%s/api/explore/v2.1/catalog/datasets?limit=%d&offset=%d&order_by=dataset_id", o.root, odsPageSize, offset)
		body, _, err := o.c.get(ctx, u, "application/json")
		if err != nil {
			return err
		}
		if err := pg.next(u, body); err != nil {
			return err
		}
		var page odsPage
		if err := json.Unmarshal(body, &page); err != nil {
			return fmt.Errorf("GET %s: not an Explore API catalog page: %w", u, err)
		}
		for _, d := range page.Results {
			if err := yield(o.remote(d)); err != nil {
				return err
			}
		}
		offset += len(page.Results)
		if len(page.Results) == 0 || offset >= page.TotalCount {
			return nil
		}
	}
}

// odsLicenses maps the licence names portals show to Socle's licence IDs.
var odsLicenses = map[string]string{
	"licence ouverte v2.0 (etalab)": "etalab-2.0", "licence ouverte / open licence version 2.0": "etalab-2.0",
	"licence ouverte v2.0": "etalab-2.0", "open database license (odbl)": "ODbL-1.0", "odbl": "ODbL-1.0",
	"cc by 4.0": "CC-BY-4.0", "cc0 1.0": "CC0-1.0",
}

func (o *ODS) remote(d odsDataset) harvest.RemoteDataset {
	def, socle := d.Metas["default"], d.Metas["socle"]
	r := harvest.RemoteDataset{RemoteID: d.DatasetUID, Slug: d.DatasetID}
	if r.RemoteID == "" {
		r.RemoteID = d.DatasetID
	}
	m := &r.Meta
	m.Title, m.Description = str(def["title"]), str(def["description"])
	m.Keywords = strs(def["keyword"])
	for _, th := range strs(def["theme"]) {
		// Socle's themes are EU data-theme codes; a portal's own theme
		// labels ("Transports, déplacements") become keywords.
		if code := strings.ToUpper(th); slices.Contains(euThemes, code) {
			m.Themes = append(m.Themes, code)
		} else if !slices.Contains(m.Keywords, th) {
			m.Keywords = append(m.Keywords, th)
		}
	}
	m.Language, m.Frequency = str(def["language"]), str(def["update_frequency"])
	m.ContactName, m.ContactEmail, m.ConformsTo = str(def["contact_name"]), str(def["contact_email"]), str(def["references"])
	if t := strs(def["territory"]); len(t) > 0 {
		m.Spatial = t[0]
	}
	m.License = str(socle["license_id"])
	if m.License == "" {
		lic := str(def["license"])
		m.License = odsLicenses[strings.ToLower(lic)]
		if m.License == "" {
			m.License = lic
		}
	}
	m.Publisher = str(def["publisher"]) // a name; the run decides the local organization
	if t, err := time.Parse(time.RFC3339, str(def["modified"])); err == nil {
		r.Modified = t.UTC()
	}
	for _, f := range d.Fields {
		cf := catalog.Field{Name: f.Name, Label: f.Label, Type: odsType(f.Type)}
		if f.Description != nil {
			cf.Description = *f.Description
		}
		r.Fields = append(r.Fields, cf)
	}
	if d.HasRecords == nil || *d.HasRecords || len(d.Fields) > 0 {
		r.Data = &harvest.Data{Format: "jsonl",
			URL: o.root + "/api/explore/v2.1/catalog/datasets/" + url.PathEscape(d.DatasetID) + "/exports/jsonl"}
	}
	return r
}

// odsType maps an Explore API field type to Socle's; file and unknown
// types are read as text.
func odsType(t string) catalog.FieldType {
	switch ft := catalog.FieldType(t); {
	case ft.Valid():
		return ft
	case t == "integer":
		return catalog.TypeInt
	case t == "decimal" || t == "float":
		return catalog.TypeDouble
	}
	return catalog.TypeText
}

// Fetch downloads the dataset's JSON Lines export. geo_point_2d values,
// objects {"lon", "lat"} in the export, are rewritten as the "lat,lon"
// text the importer reads.
func (o *ODS) Fetch(ctx context.Context, d harvest.RemoteDataset, dir string) (*harvest.Download, error) {
	geo := map[string]bool{}
	for _, f := range d.Fields {
		if f.Type == catalog.TypeGeoPoint {
			geo[f.Name] = true
		}
	}
	var rewrite func(io.Writer, io.Reader) error
	if len(geo) > 0 {
		rewrite = func(w io.Writer, r io.Reader) error { return rewriteLines(w, r, geo) }
	}
	path, sum, err := o.c.download(ctx, d.Data.URL, dir, "application/jsonl, application/x-ndjson, */*", rewrite)
	if err != nil {
		return nil, err
	}
	return &harvest.Download{Path: path, Format: "jsonl", SHA256: sum}, nil
}

// rewriteLines copies JSON Lines from r to w, each object's members in
// their order, with geo_point_2d objects as "lat,lon" text.
func rewriteLines(w io.Writer, r io.Reader, geo map[string]bool) error {
	br := bufio.NewReaderSize(r, 64<<10)
	bw := bufio.NewWriterSize(w, 64<<10)
	for {
		line, err := br.ReadBytes('\n')
		if len(bytes.TrimSpace(line)) > 0 {
			out, rerr := rewriteLine(line, geo)
			if rerr != nil {
				return fmt.Errorf("export line: %w", rerr)
			}
			bw.Write(out)
			bw.WriteByte('\n')
		}
		if err == io.EOF {
			return bw.Flush()
		} else if err != nil {
			return err
		}
	}
}

func rewriteLine(line []byte, geo map[string]bool) ([]byte, error) {
	return rewriteObject(line, func(k string, raw json.RawMessage) (json.RawMessage, bool) {
		return geoPointText(raw, geo[k]), true
	})
}

// geoPointText is raw as "lat,lon" text when point is set and raw is a
// {"lon", "lat"} object, else raw.
func geoPointText(raw json.RawMessage, point bool) json.RawMessage {
	if point {
		var p struct{ Lon, Lat *float64 }
		if json.Unmarshal(raw, &p) == nil && p.Lon != nil && p.Lat != nil {
			raw, _ = json.Marshal(strconv.FormatFloat(*p.Lat, 'f', -1, 64) + "," + strconv.FormatFloat(*p.Lon, 'f', -1, 64))
		}
	}
	return raw
}

// rewriteObject re-encodes one JSON object member by member, in order:
// edit returns each member's value, and false to leave the member out.
func rewriteObject(line []byte, edit func(key string, raw json.RawMessage) (json.RawMessage, bool)) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(line))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil, fmt.Errorf("not a JSON object")
	}
	var b bytes.Buffer
	b.WriteByte('{')
	for dec.More() {
		k, err := dec.Token()
		if err != nil {
			return nil, err
		}
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, err
		}
		raw, keep := edit(k.(string), raw)
		if !keep {
			continue
		}
		if b.Len() > 1 {
			b.WriteByte(',')
		}
		key, _ := json.Marshal(k)
		b.Write(key)
		b.WriteByte(':')
		b.Write(raw)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

func str(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case nil:
		return ""
	}
	return fmt.Sprint(v)
}

func strs(v any) []string {
	switch x := v.(type) {
	case string:
		if x != "" {
			return []string{x}
		}
	case []any:
		var out []string
		for _, e := range x {
			if s := str(e); s != "" {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}
