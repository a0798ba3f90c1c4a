package catalog

import (
	"encoding/json"
	"time"
)

// Access is a dataset's access level.
type Access string

// Access levels. AccessShared datasets are readable by partner organizations
// named in an active data-sharing agreement (internal/agreements).
const (
	AccessPublic     Access = "public"     // anyone, anonymous included
	AccessInternal   Access = "internal"   // any authenticated user of the collectivity's own organizations
	AccessRestricted Access = "restricted" // named users or organizations only
	AccessShared     Access = "shared"     // partners under an active agreement
)

// Valid reports whether a is a known access level.
func (a Access) Valid() bool {
	switch a {
	case AccessPublic, AccessInternal, AccessRestricted, AccessShared:
		return true
	}
	return false
}

// OrgKind tells the collectivity's own organizations from outside ones.
type OrgKind string

// Organization kinds.
const (
	OrgMetropolis OrgKind = "metropolis" // the collectivity itself
	OrgCommune    OrgKind = "commune"    // member communes: internal too
	OrgPartner    OrgKind = "partner"    // outside partners
	OrgDelegate   OrgKind = "delegate"   // public-service delegates
)

// Internal reports whether members of the organization are agents of the
// collectivity and so may read internal datasets.
func (k OrgKind) Internal() bool { return k == OrgMetropolis || k == OrgCommune }

// Organization publishes datasets (a DCAT-AP foaf:Agent).
type Organization struct {
	ID          string    `json:"id"` // slug
	Name        string    `json:"name"`
	Kind        OrgKind   `json:"kind"`
	Description string    `json:"description,omitempty"`
	Website     string    `json:"website,omitempty"`
	Email       string    `json:"email,omitempty"`
	SIREN       string    `json:"siren,omitempty"`
	CreatedAt   time.Time `json:"created_at"`
}

// Metadata is a dataset's descriptive metadata, modelled on DCAT-AP 3.
type Metadata struct {
	Title           string     `json:"title"`
	Description     string     `json:"description,omitempty"`
	Publisher       string     `json:"publisher,omitempty"` // organization ID
	ContactName     string     `json:"contact_name,omitempty"`
	ContactEmail    string     `json:"contact_email,omitempty"`
	Keywords        []string   `json:"keywords,omitempty"`
	Themes          []string   `json:"themes,omitempty"` // EU data theme codes, e.g. TRAN, ENVI
	License         string     `json:"license"`          // SPDX-like id, e.g. etalab-2.0, ODbL-1.0
	Frequency       string     `json:"frequency,omitempty"`
	Spatial         string     `json:"spatial,omitempty"` // label or INSEE code of the covered area
	TemporalStart   *time.Time `json:"temporal_start,omitempty"`
	TemporalEnd     *time.Time `json:"temporal_end,omitempty"`
	Language        string     `json:"language,omitempty"` // ISO 639-1, "fr" by default
	ConformsTo      string     `json:"conforms_to,omitempty"`
	Synthetic       bool       `json:"synthetic,omitempty"` // demo data, labelled as such everywhere
	AllowedUsers    []string   `json:"allowed_users,omitempty"`
	AllowedOrgs     []string   `json:"allowed_orgs,omitempty"`
	DefaultOrderBy  string     `json:"default_order_by,omitempty"`
	TableSchemaJSON string     `json:"table_schema,omitempty"` // the Table Schema declared at import, if any
	// KeyFields identify a record for in-place upserts (push API, live
	// feeds); none means pushed records are appended.
	KeyFields []string `json:"key_fields,omitempty"`
	// RealTime marks a dataset fed live (push API or sensors feed).
	RealTime bool `json:"real_time,omitempty"`
	// PersonalFields name the fields that hold personal data: only the
	// dataset's writers see them; every other output (API, exports, portal,
	// agreements that do not name them) leaves them out.
	PersonalFields []string `json:"personal_fields,omitempty"`
	// RetentionDays keeps only the records whose RetentionField (a date or
	// datetime) is that recent; 0 keeps everything. LegalHold suspends it.
	RetentionDays  int    `json:"retention_days,omitempty"`
	RetentionField string `json:"retention_field,omitempty"`
	LegalHold      bool   `json:"legal_hold,omitempty"`
	// Derivation is the spec (internal/privacy) the dataset was derived
	// with from another one, kept to derive it again; empty otherwise.
	Derivation json.RawMessage `json:"derivation,omitempty"`
}

// Dataset is a catalog entry with its current version's shape.
type Dataset struct {
	ID       string       `json:"id"` // slug, unique
	UID      string       `json:"uid"`
	Access   Access       `json:"access"`
	Meta     Metadata     `json:"meta"`
	Fields   []Field      `json:"fields"`
	Version  int          `json:"version"` // current version, 0 before the first import
	Records  int64        `json:"records"` // rows in the current version
	Issued   time.Time    `json:"issued"`
	Modified time.Time    `json:"modified"`
	Versions []VersionRef `json:"versions,omitempty"`
	// Shared is set by the app on a copy of the dataset for a partner
	// reading it through a data-sharing agreement; never stored.
	Shared *SharedView `json:"-"`
}

// SharedView is what an agreement lets a partner see of a dataset: Fields
// of the copy holding it are the visible ones, AllFields the stored ones,
// and Filter (ODSQL where, may be empty) is ANDed into every query.
type SharedView struct {
	Agreement string
	AllFields []Field
	Filter    string
}

// HasGeo reports whether the dataset has a geometry field.
func (d *Dataset) HasGeo() bool {
	for _, f := range d.Fields {
		if f.Type == TypeGeoPoint || f.Type == TypeGeoShape {
			return true
		}
	}
	return false
}

// Field returns the field named name.
func (d *Dataset) Field(name string) (Field, bool) {
	for _, f := range d.Fields {
		if f.Name == name {
			return f, true
		}
	}
	return Field{}, false
}

// VersionRef describes one stored version of a dataset's records.
type VersionRef struct {
	Version   int       `json:"version"`
	Records   int64     `json:"records"`
	CreatedAt time.Time `json:"created_at"`
	Mode      string    `json:"mode"`
	Actor     string    `json:"actor,omitempty"`
}

// DefaultLicense is the licence of a dataset that names none.
const DefaultLicense = "etalab-2.0"
