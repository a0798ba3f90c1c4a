package ckan

// Package is a CKAN package (a dataset) with CKAN's core fields.
type Package struct {
	ID               string        `json:"id"`
	Name             string        `json:"name"`
	Title            string        `json:"title"`
	Notes            string        `json:"notes"`
	URL              string        `json:"url"`
	Version          string        `json:"version"`
	State            string        `json:"state"`
	Type             string        `json:"type"`
	Private          bool          `json:"private"`
	OwnerOrg         *string       `json:"owner_org"`
	Organization     *Organization `json:"organization"`
	LicenseID        string        `json:"license_id"`
	LicenseTitle     string        `json:"license_title"`
	LicenseURL       string        `json:"license_url"`
	IsOpen           bool          `json:"isopen"`
	Author           string        `json:"author"`
	AuthorEmail      string        `json:"author_email"`
	Maintainer       string        `json:"maintainer"`
	MaintainerEmail  string        `json:"maintainer_email"`
	MetadataCreated  string        `json:"metadata_created"`
	MetadataModified string        `json:"metadata_modified"`
	Tags             []Tag         `json:"tags"`
	NumTags          int           `json:"num_tags"`
	Groups           []Group       `json:"groups"`
	Extras           []Extra       `json:"extras"`
	Resources        []Resource    `json:"resources"`
	NumResources     int           `json:"num_resources"`
}

// Resource is a CKAN resource: one download of a package, or its DataStore
// table (DatastoreActive).
type Resource struct {
	ID               string  `json:"id"`
	PackageID        string  `json:"package_id"`
	URL              string  `json:"url"`
	Name             string  `json:"name"`
	Description      string  `json:"description"`
	Format           string  `json:"format"`
	Mimetype         string  `json:"mimetype"`
	Size             *int64  `json:"size"`
	Hash             string  `json:"hash"`
	Created          string  `json:"created"`
	LastModified     string  `json:"last_modified"`
	MetadataModified string  `json:"metadata_modified"`
	Position         int     `json:"position"`
	URLType          *string `json:"url_type"`
	State            string  `json:"state"`
	DatastoreActive  bool    `json:"datastore_active"`
}

// Organization is a CKAN organization.
type Organization struct {
	ID             string    `json:"id"`
	Name           string    `json:"name"`
	Title          string    `json:"title"`
	DisplayName    string    `json:"display_name"`
	Description    string    `json:"description"`
	ImageURL       string    `json:"image_url"`
	Created        string    `json:"created"`
	Type           string    `json:"type"`
	State          string    `json:"state"`
	IsOrganization bool      `json:"is_organization"`
	ApprovalStatus string    `json:"approval_status"`
	PackageCount   *int      `json:"package_count,omitempty"`
	Extras         []Extra   `json:"extras,omitempty"`
	Packages       []Package `json:"packages,omitempty"`
}

// Tag is a CKAN free tag.
type Tag struct {
	ID           string  `json:"id"`
	Name         string  `json:"name"`
	DisplayName  string  `json:"display_name"`
	State        string  `json:"state"`
	VocabularyID *string `json:"vocabulary_id"`
}

// Group is a CKAN group; Socle's themes (EU data themes) are its groups.
type Group struct {
	ID              string `json:"id"`
	Name            string `json:"name"`
	Title           string `json:"title"`
	DisplayName     string `json:"display_name"`
	Description     string `json:"description"`
	ImageDisplayURL string `json:"image_display_url"`
}

// Extra is one free key/value pair of a package or an organization.
type Extra struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// Field is a column of a DataStore table as datastore_search lists it.
type Field struct {
	ID   string         `json:"id"`
	Type string         `json:"type"`
	Info map[string]any `json:"info,omitempty"`
}

// SearchResult is package_search's result.
type SearchResult struct {
	Count        int              `json:"count"`
	Sort         string           `json:"sort"`
	Facets       map[string]any   `json:"facets"`
	Results      []Package        `json:"results"`
	SearchFacets map[string]Facet `json:"search_facets"`
}

// Facet is one facet of package_search's search_facets.
type Facet struct {
	Title string      `json:"title"`
	Items []FacetItem `json:"items"`
}

// FacetItem is one value of a facet.
type FacetItem struct {
	Name        string `json:"name"`
	DisplayName string `json:"display_name"`
	Count       int    `json:"count"`
}
