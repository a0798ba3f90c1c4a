package ckan

import (
	"strconv"
	"strings"
	"time"

	"github.com/socle/socle/internal/catalog"
)

// TimeLayout is how CKAN writes its timestamps: UTC, no offset.
const TimeLayout = "2006-01-02T15:04:05.000000"

// DatastoreSuffix ends the ID of a package's DataStore resource; download
// resources end with "-" and their format.
const DatastoreSuffix = "records"

// Download is one export format a package offers as a resource.
type Download struct {
	Format   string // e.g. "csv"
	Mimetype string
}

// License describes a licence as CKAN's license list does.
type License struct {
	Title  string
	URL    string
	IsOpen bool
}

// Licenses are the licences Socle knows by ID.
var Licenses = map[string]License{
	"etalab-2.0": {"Licence Ouverte v2.0 (Etalab)", "https://www.etalab.gouv.fr/licence-ouverte-open-licence/", true},
	"ODbL-1.0":   {"Open Database License (ODbL)", "https://opendatacommons.org/licenses/odbl/1-0/", true},
	"CC-BY-4.0":  {"Creative Commons Attribution 4.0", "https://creativecommons.org/licenses/by/4.0/", true},
	"CC0-1.0":    {"Creative Commons CCZero", "https://creativecommons.org/publicdomain/zero/1.0/", true},
}

// themeTitles are the EU data themes, Socle's dataset themes, which CKAN
// sees as groups.
var themeTitles = map[string]string{
	"AGRI": "Agriculture, pêche, sylviculture et alimentation", "ECON": "Économie et finances",
	"EDUC": "Éducation, culture et sport", "ENER": "Énergie", "ENVI": "Environnement",
	"GOVE": "Gouvernement et secteur public", "HEAL": "Santé", "INTR": "Questions internationales",
	"JUST": "Justice, système juridique et sécurité publique", "REGI": "Régions et villes",
	"SOCI": "Population et société", "TECH": "Science et technologie", "TRAN": "Transports",
}

// Site holds what the mapping needs to know about the serving site.
type Site struct {
	BaseURL   string     // scheme and host, no trailing slash
	Downloads []Download // export formats, in resource order
}

// FormatTime writes t as CKAN does.
func FormatTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(TimeLayout)
}

// ResourceID is the ID of a package's resource: its DataStore table
// (kind DatastoreSuffix) or a download format.
func ResourceID(uid, kind string) string { return uid + "-" + kind }

// SplitResourceID returns the package UID and the kind of a resource ID.
func SplitResourceID(id string) (uid, kind string, ok bool) {
	uid, kind, ok = strings.Cut(id, "-")
	return uid, kind, ok && uid != "" && kind != ""
}

// PackageOf maps a dataset to a CKAN package. org is its publisher, nil
// when it has none or the caller may not know it.
func PackageOf(d *catalog.Dataset, org *catalog.Organization, site Site) Package {
	m := d.Meta
	lic := Licenses[m.License]
	if lic.Title == "" {
		lic.Title = m.License
	}
	p := Package{
		ID: d.UID, Name: d.ID, Title: m.Title, Notes: m.Description,
		URL: site.BaseURL + "/datasets/" + d.ID, Version: strconv.Itoa(d.Version),
		State: "active", Type: "dataset", Private: d.Access != catalog.AccessPublic,
		LicenseID: m.License, LicenseTitle: lic.Title, LicenseURL: lic.URL, IsOpen: lic.IsOpen,
		Maintainer: m.ContactName, MaintainerEmail: m.ContactEmail,
		MetadataCreated: FormatTime(d.Issued), MetadataModified: FormatTime(d.Modified),
		Tags: []Tag{}, Groups: []Group{}, Extras: extrasOf(d),
	}
	if org != nil {
		o := OrganizationOf(org)
		p.Organization, p.OwnerOrg, p.Author = &o, &o.ID, o.Title
	}
	for _, k := range m.Keywords {
		p.Tags = append(p.Tags, Tag{ID: k, Name: k, DisplayName: k, State: "active"})
	}
	for _, t := range m.Themes {
		title := themeTitles[t]
		if title == "" {
			title = t
		}
		p.Groups = append(p.Groups, Group{ID: strings.ToLower(t), Name: strings.ToLower(t), Title: title, DisplayName: title})
	}
	p.Resources = resourcesOf(d, site)
	p.NumTags, p.NumResources = len(p.Tags), len(p.Resources)
	return p
}

// resourcesOf lists the DataStore resource first (CKAN clients look for
// datastore_active), then one download per export format.
func resourcesOf(d *catalog.Dataset, site Site) []Resource {
	if d.Version == 0 {
		return []Resource{} // nothing imported yet: nothing to read
	}
	mod := FormatTime(d.Modified)
	self := site.BaseURL + "/api/explore/v2.1/catalog/datasets/" + d.ID
	out := []Resource{{
		ID: ResourceID(d.UID, DatastoreSuffix), PackageID: d.UID, Name: d.Meta.Title,
		Description: "Enregistrements (DataStore, datastore_search)", URL: self + "/records",
		Format: "JSON", Mimetype: "application/json", Created: FormatTime(d.Issued), LastModified: mod,
		MetadataModified: mod, State: "active", DatastoreActive: true,
	}}
	for _, dl := range site.Downloads {
		out = append(out, Resource{
			ID: ResourceID(d.UID, dl.Format), PackageID: d.UID, Name: d.Meta.Title + " (" + strings.ToUpper(dl.Format) + ")",
			URL: self + "/exports/" + dl.Format, Format: strings.ToUpper(dl.Format), Mimetype: dl.Mimetype,
			Created: FormatTime(d.Issued), LastModified: mod, MetadataModified: mod, Position: len(out), State: "active",
		})
	}
	return out
}

// extrasOf carries the metadata CKAN has no core field for. The schema a
// dataset conforms to is under "schema", as data.gouv.fr's CKAN-era
// harvesters read it.
func extrasOf(d *catalog.Dataset) []Extra {
	m := d.Meta
	var out []Extra
	add := func(k, v string) {
		if v != "" {
			out = append(out, Extra{Key: k, Value: v})
		}
	}
	add("schema", m.ConformsTo)
	add("frequency", m.Frequency)
	add("language", m.Language)
	add("spatial_text", m.Spatial)
	if m.TemporalStart != nil {
		add("temporal_start", m.TemporalStart.Format("2006-01-02"))
	}
	if m.TemporalEnd != nil {
		add("temporal_end", m.TemporalEnd.Format("2006-01-02"))
	}
	add("access_level", string(d.Access))
	add("records_count", strconv.FormatInt(d.Records, 10))
	if m.Synthetic {
		add("synthetic", "true")
	}
	if out == nil {
		out = []Extra{}
	}
	return out
}

// OrganizationOf maps a Socle organization to a CKAN organization.
func OrganizationOf(o *catalog.Organization) Organization {
	return Organization{
		ID: o.ID, Name: o.ID, Title: o.Name, DisplayName: o.Name, Description: o.Description,
		Created: FormatTime(o.CreatedAt), Type: "organization", State: "active",
		IsOrganization: true, ApprovalStatus: "approved",
	}
}

// FieldType is the DataStore type of a Socle field type.
func FieldType(t catalog.FieldType) string {
	switch t {
	case catalog.TypeText:
		return "text"
	case catalog.TypeInt:
		return "int"
	case catalog.TypeDouble:
		return "numeric"
	case catalog.TypeBoolean:
		return "bool"
	case catalog.TypeDate:
		return "date"
	case catalog.TypeDateTime:
		return "timestamp"
	}
	return "json" // geo_point_2d, geo_shape, json
}

// FieldsOf lists a dataset's DataStore fields, _id first as CKAN does.
func FieldsOf(fs []catalog.Field) []Field {
	out := []Field{{ID: "_id", Type: "int"}}
	for _, f := range fs {
		info := map[string]any{"label": f.Label}
		if f.Description != "" {
			info["notes"] = f.Description
		}
		if f.Unit != "" {
			info["unit"] = f.Unit
		}
		out = append(out, Field{ID: f.Name, Type: FieldType(f.Type), Info: info})
	}
	return out
}
