package httpapi

import (
	"strings"
	"time"

	"github.com/socle/socle/internal/catalog"
)

// odsDataset is a dataset in the Explore v2.1 shape (see the ods-dataviz-sdk
// api-client types): flat identifiers, metas.default, fields, features.
type odsDataset struct {
	DatasetID   string         `json:"dataset_id"`
	DatasetUID  string         `json:"dataset_uid"`
	HasRecords  bool           `json:"has_records"`
	DataVisible bool           `json:"data_visible"`
	Features    []string       `json:"features"`
	Metas       map[string]any `json:"metas"`
	Fields      []odsField     `json:"fields"`
	Attachments []any          `json:"attachments"`
	Visibility  string         `json:"visibility"`
	Links       []odsLink      `json:"links,omitempty"`
}

type odsField struct {
	Name        string         `json:"name"`
	Label       string         `json:"label"`
	Type        string         `json:"type"`
	Description *string        `json:"description"`
	Annotations map[string]any `json:"annotations"`
}

type odsLink struct {
	Rel  string `json:"rel"`
	Href string `json:"href"`
}

// licenseNames gives the human names and URLs of common licences.
var licenseNames = map[string][2]string{
	"etalab-2.0": {"Licence Ouverte v2.0 (Etalab)", "https://www.etalab.gouv.fr/licence-ouverte-open-licence/"},
	"ODbL-1.0":   {"Open Database License (ODbL)", "https://opendatacommons.org/licenses/odbl/1-0/"},
	"CC-BY-4.0":  {"CC BY 4.0", "https://creativecommons.org/licenses/by/4.0/"},
	"CC0-1.0":    {"CC0 1.0", "https://creativecommons.org/publicdomain/zero/1.0/"},
}

func toODSDataset(d *catalog.Dataset, base string) odsDataset {
	out := odsDataset{
		DatasetID: d.ID, DatasetUID: "da_" + d.UID, HasRecords: d.Records > 0, DataVisible: true,
		Features: features(d), Attachments: []any{}, Visibility: visibility(d.Access),
		Metas: map[string]any{"default": defaultMetas(d), "socle": socleMetas(d)},
	}
	for _, f := range d.Fields {
		of := odsField{Name: f.Name, Label: f.Label, Type: string(f.Type), Annotations: map[string]any{}}
		if f.Description != "" {
			desc := f.Description
			of.Description = &desc
		}
		if f.Unit != "" {
			of.Annotations["unit"] = f.Unit
		}
		if f.Facet {
			of.Annotations["facet"] = true
		}
		out.Fields = append(out.Fields, of)
	}
	if out.Fields == nil {
		out.Fields = []odsField{}
	}
	if base != "" {
		self := base + "/api/explore/v2.1/catalog/datasets/" + d.ID
		out.Links = []odsLink{{"self", self}, {"records", self + "/records"}, {"exports", self + "/exports"}, {"facets", self + "/facets"}}
	}
	return out
}

func visibility(a catalog.Access) string {
	if a == catalog.AccessPublic {
		return "domain"
	}
	return "restricted"
}

func features(d *catalog.Dataset) []string {
	f := []string{"analyze"}
	if d.HasGeo() {
		f = append(f, "geo")
	}
	for _, x := range d.Fields {
		if x.Type == catalog.TypeDate || x.Type == catalog.TypeDateTime {
			f = append(f, "timeserie")
			break
		}
	}
	return f
}

func defaultMetas(d *catalog.Dataset) map[string]any {
	m := d.Meta
	lic := licenseNames[m.License]
	title := m.Title
	if m.Synthetic && !strings.Contains(title, "synthétique") {
		title += " (données synthétiques)"
	}
	out := map[string]any{
		"title": title, "description": m.Description, "publisher": m.Publisher,
		"keyword": nonNil(m.Keywords), "theme": nonNil(m.Themes), "license": orDefault(lic[0], m.License),
		"license_url": lic[1], "language": m.Language, "modified": d.Modified.Format(time.RFC3339),
		"data_processed": d.Modified.Format(time.RFC3339), "metadata_processed": d.Modified.Format(time.RFC3339),
		"records_count": d.Records, "territory": nonNil(splitNonEmpty(m.Spatial)), "timezone": "UTC",
		"contact_name": m.ContactName, "contact_email": m.ContactEmail, "update_frequency": m.Frequency,
		"references": m.ConformsTo,
	}
	return out
}

func socleMetas(d *catalog.Dataset) map[string]any {
	m := map[string]any{"access": d.Access, "version": d.Version, "issued": d.Issued.Format(time.RFC3339),
		"license_id": d.Meta.License, "synthetic": d.Meta.Synthetic, "conforms_to": d.Meta.ConformsTo}
	if d.Meta.TemporalStart != nil {
		m["temporal_start"] = d.Meta.TemporalStart.Format("2006-01-02")
	}
	if d.Meta.TemporalEnd != nil {
		m["temporal_end"] = d.Meta.TemporalEnd.Format("2006-01-02")
	}
	return m
}

func splitNonEmpty(s string) []string {
	if s == "" {
		return nil
	}
	return []string{s}
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
