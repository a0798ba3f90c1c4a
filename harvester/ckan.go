package harvester

import (
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

// CKAN harvests a CKAN portal (or another Socle) through the Action API:
// package_search page by page, keyed on the package id; the records of
// the package's first DataStore resource read page by page through
// datastore_search (types from the DataStore's fields), else its first
// CSV, GeoJSON or JSON resource downloaded.
type CKAN struct {
	c    *Client
	root string
}

// ckanRows is package_search's page size (CKAN allows 1000).
const ckanRows = 100

// ckanRecords is datastore_search's page size.
const ckanRecords = 5000

type ckanEnvelope struct {
	Success bool            `json:"success"`
	Result  json.RawMessage `json:"result"`
	Error   struct {
		Type    string `json:"__type"`
		Message string `json:"message"`
	} `json:"error"`
}

// action calls a read action and returns its result.
func (k *CKAN) action(ctx context.Context, name string, params url.Values) ([]byte, []byte, error) {
	u := k.root + "/api/3/action/" + name + "?" + params.Encode()
	body, _, err := k.c.get(ctx, u, "application/json")
	if err != nil {
		return nil, nil, err
	}
	var env ckanEnvelope
	if err := json.Unmarshal(body, &env); err != nil {
		return nil, nil, fmt.Errorf("GET %s: not a CKAN answer: %w", u, err)
	}
	if !env.Success {
		return nil, nil, fmt.Errorf("GET %s: %s %s", u, env.Error.Type, env.Error.Message)
	}
	return env.Result, body, nil
}

type ckanPackage struct {
	ID               string `json:"id"`
	Name             string `json:"name"`
	Title            string `json:"title"`
	Notes            string `json:"notes"`
	LicenseID        string `json:"license_id"`
	Maintainer       string `json:"maintainer"`
	MaintainerEmail  string `json:"maintainer_email"`
	MetadataModified string `json:"metadata_modified"`
	Private          bool   `json:"private"`
	Organization     *struct {
		Name  string `json:"name"`
		Title string `json:"title"`
	} `json:"organization"`
	Tags   []struct{ Name string } `json:"tags"`
	Groups []struct{ Name string } `json:"groups"`
	Extras []struct {
		Key   string `json:"key"`
		Value any    `json:"value"`
	} `json:"extras"`
	Resources []struct {
		ID              string `json:"id"`
		URL             string `json:"url"`
		Format          string `json:"format"`
		DatastoreActive bool   `json:"datastore_active"`
	} `json:"resources"`
}

// List pages through package_search, oldest packages first so that new
// ones do not shift the pages already read.
func (k *CKAN) List(ctx context.Context, yield func(harvest.RemoteDataset) error) error {
	pg := newPager(k.c.Limits.MaxPages)
	// Pages advance by what was received, not by what was asked: a portal
	// that caps rows lower must not end the listing early (a short
	// listing would mark the rest missing).
	for start := 0; ; {
		res, body, err := k.action(ctx, "package_search", url.Values{"q": {"*:*"}, "rows": {strconv.Itoa(ckanRows)},
			"start": {strconv.Itoa(start)}, "sort": {"metadata_created asc, name asc"}})
		if err != nil {
			return err
		}
		if err := pg.next(fmt.Sprintf("package_search start=%d", start), body); err != nil {
			return err
		}
		var page struct {
			Count   int           `json:"count"`
			Results []ckanPackage `json:"results"`
		}
		if err := json.Unmarshal(res, &page); err != nil {
			return fmt.Errorf("package_search: unexpected result: %w", err)
		}
		for _, p := range page.Results {
			if err := yield(k.remote(p)); err != nil {
				return err
			}
		}
		start += len(page.Results)
		if len(page.Results) == 0 || start >= page.Count {
			return nil
		}
	}
}

// euThemes are the EU data themes, which Socle's CKAN API writes as groups.
var euThemes = []string{"AGRI", "ECON", "EDUC", "ENER", "ENVI", "GOVE", "HEAL", "INTR", "JUST", "REGI", "SOCI", "TECH", "TRAN"}

func (k *CKAN) remote(p ckanPackage) harvest.RemoteDataset {
	r := harvest.RemoteDataset{RemoteID: p.ID, Slug: p.Name}
	m := &r.Meta
	m.Title, m.Description, m.License = p.Title, p.Notes, licenseID(p.LicenseID)
	m.ContactName, m.ContactEmail = p.Maintainer, p.MaintainerEmail
	if p.Organization != nil {
		m.Publisher = p.Organization.Name
	}
	for _, t := range p.Tags {
		m.Keywords = append(m.Keywords, t.Name)
	}
	for _, g := range p.Groups {
		if code := strings.ToUpper(g.Name); slices.Contains(euThemes, code) {
			m.Themes = append(m.Themes, code)
		}
	}
	for _, e := range p.Extras {
		v := str(e.Value)
		switch e.Key {
		case "frequency":
			m.Frequency = v
		case "language":
			m.Language = v
		case "schema":
			m.ConformsTo = v
		case "spatial_text":
			m.Spatial = v
		case "temporal_start", "temporal_end":
			if t, err := time.Parse(time.DateOnly, v); err == nil {
				if e.Key == "temporal_start" {
					m.TemporalStart = &t
				} else {
					m.TemporalEnd = &t
				}
			}
		}
	}
	for _, layout := range []string{"2006-01-02T15:04:05.999999", time.RFC3339Nano} {
		if t, err := time.Parse(layout, p.MetadataModified); err == nil {
			r.Modified = t.UTC()
			break
		}
	}
	for _, res := range p.Resources {
		if res.DatastoreActive {
			r.Data = &harvest.Data{Datastore: res.ID, Format: "jsonl"}
			return r
		}
	}
	for _, f := range formatRank {
		for _, res := range p.Resources {
			if strings.EqualFold(res.Format, f) && res.URL != "" {
				r.Data = &harvest.Data{URL: res.URL, Format: f}
				return r
			}
		}
	}
	return r
}

// Fetch reads the DataStore resource, or downloads the chosen resource.
func (k *CKAN) Fetch(ctx context.Context, d harvest.RemoteDataset, dir string) (*harvest.Download, error) {
	if d.Data.Datastore == "" {
		return k.c.fetchData(ctx, d.Data, dir)
	}
	ctx, cancel := context.WithTimeout(ctx, k.c.Limits.Download)
	defer cancel()
	dl := &harvest.Download{Format: "jsonl"}
	var err error
	dl.Path, dl.SHA256, err = toFile(dir, "harvest-*.jsonl", func(w io.Writer) error {
		return k.datastore(ctx, d.Data.Datastore, w, dl)
	})
	if err != nil {
		return nil, err
	}
	return dl, nil
}

type ckanField struct {
	ID   string         `json:"id"`
	Type string         `json:"type"`
	Info map[string]any `json:"info"`
}

// datastore writes a DataStore resource's records as JSON Lines (without
// _id, geometries in the importer's forms) and sets dl.Fields.
func (k *CKAN) datastore(ctx context.Context, id string, w io.Writer, dl *harvest.Download) error {
	pg := newPager(k.c.Limits.MaxPages)
	var geo map[string]catalog.FieldType
	var written int64
	for offset := 0; ; {
		res, body, err := k.action(ctx, "datastore_search", url.Values{"resource_id": {id}, "limit": {strconv.Itoa(ckanRecords)},
			"offset": {strconv.Itoa(offset)}, "sort": {"_id asc"}})
		if err != nil {
			return err
		}
		if err := pg.next(fmt.Sprintf("datastore_search offset=%d", offset), body); err != nil {
			return err
		}
		var page struct {
			Fields  []ckanField       `json:"fields"`
			Records []json.RawMessage `json:"records"`
			Total   int               `json:"total"`
		}
		if err := json.Unmarshal(res, &page); err != nil {
			return fmt.Errorf("datastore_search: unexpected result: %w", err)
		}
		if geo == nil {
			dl.Fields, geo = datastoreFields(page.Fields, page.Records)
		}
		for _, rec := range page.Records {
			line, err := datastoreLine(rec, geo)
			if err != nil {
				return fmt.Errorf("datastore_search: %w", err)
			}
			n, err := w.Write(append(line, '\n'))
			if err != nil {
				return err
			}
			if written += int64(n); written > k.c.Limits.MaxFile {
				return fmt.Errorf("DataStore resource %s: larger than %d bytes", id, k.c.Limits.MaxFile)
			}
		}
		offset += len(page.Records)
		if len(page.Records) == 0 || (page.Total > 0 && offset >= page.Total) { // no total: until an empty page
			return nil
		}
	}
}

// datastoreFields maps the DataStore's types to Socle's; a json field
// whose first value is a {lon, lat} object is a geo_point_2d, a GeoJSON
// geometry a geo_shape (how Socle's own CKAN API writes them).
func datastoreFields(fs []ckanField, recs []json.RawMessage) ([]catalog.Field, map[string]catalog.FieldType) {
	geo := map[string]catalog.FieldType{}
	var out []catalog.Field
	for _, f := range fs {
		if f.ID == "_id" {
			continue
		}
		cf := catalog.Field{Name: f.ID, Label: str(f.Info["label"]), Description: str(f.Info["notes"]), Unit: str(f.Info["unit"])}
		switch t := strings.ToLower(f.Type); {
		case strings.HasPrefix(t, "int") || t == "bigint" || t == "smallint":
			cf.Type = catalog.TypeInt
		case t == "numeric" || strings.HasPrefix(t, "float") || t == "double precision" || t == "real":
			cf.Type = catalog.TypeDouble
		case t == "bool" || t == "boolean":
			cf.Type = catalog.TypeBoolean
		case t == "date":
			cf.Type = catalog.TypeDate
		case strings.HasPrefix(t, "timestamp"):
			cf.Type = catalog.TypeDateTime
		case t == "json":
			cf.Type = jsonKind(f.ID, recs)
			if cf.Type != catalog.TypeJSON {
				geo[f.ID] = cf.Type
			}
		default:
			cf.Type = catalog.TypeText
		}
		out = append(out, cf)
	}
	return out, geo
}

func jsonKind(name string, recs []json.RawMessage) catalog.FieldType {
	for _, r := range recs {
		var m map[string]json.RawMessage
		if json.Unmarshal(r, &m) != nil || len(m[name]) == 0 || string(m[name]) == "null" {
			continue
		}
		var v struct {
			Lon, Lat    *float64
			Type        string
			Coordinates json.RawMessage
		}
		json.Unmarshal(m[name], &v)
		switch {
		case v.Lon != nil && v.Lat != nil:
			return catalog.TypeGeoPoint
		case v.Type != "" && (len(v.Coordinates) > 0 || v.Type == "GeometryCollection"):
			return catalog.TypeGeoShape
		}
		return catalog.TypeJSON
	}
	return catalog.TypeJSON
}

// datastoreLine rewrites one record without _id, its geo_point_2d values
// as "lat,lon" text.
func datastoreLine(rec json.RawMessage, geo map[string]catalog.FieldType) ([]byte, error) {
	return rewriteObject(rec, func(k string, raw json.RawMessage) (json.RawMessage, bool) {
		return geoPointText(raw, geo[k] == catalog.TypeGeoPoint), k != "_id"
	})
}
