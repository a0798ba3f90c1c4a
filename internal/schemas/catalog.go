// Package schemas is a local copy of the schema.data.gouv.fr catalog: its
// schemas.json format (name, title, versions with their schema_url),
// choosing a schema by name and version, and an embedded snapshot of a
// handful of real SCDL and Etalab Table Schemas so that Socle works
// offline. A refreshed catalog (socle schemas refresh) is kept by the
// storage engine as one document (Store); Current picks it, else the
// snapshot. It imports no infrastructure.
package schemas

import (
	"bytes"
	"encoding/json"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/socle/socle/internal/errs"
)

// Limits on a catalog read from outside.
const (
	MaxCatalogBytes  = 8 << 20
	MaxSchemas       = 2000
	MaxVersions      = 500
	MaxDocumentBytes = 2 << 20
)

// Catalog is a schemas.json document.
type Catalog struct {
	Meta    string   `json:"$schema,omitempty"`
	Version int      `json:"version"`
	Schemas []Schema `json:"schemas"`
}

// Schema is one catalog entry.
type Schema struct {
	Name        string    `json:"name"`
	Title       string    `json:"title"`
	Description string    `json:"description,omitempty"`
	SchemaURL   string    `json:"schema_url"` // the latest version
	SchemaType  string    `json:"schema_type"`
	Contact     string    `json:"contact,omitempty"`
	Examples    []Example `json:"examples,omitempty"`
	Labels      []string  `json:"labels,omitempty"`
	Versions    []Version `json:"versions"`
	Homepage    string    `json:"homepage,omitempty"`
	ExternalDoc string    `json:"external_doc,omitempty"`
}

// Example is an example file of a schema.
type Example struct {
	Title string `json:"title"`
	Name  string `json:"name"`
	Path  string `json:"path"`
}

// Version is one published version of a schema.
type Version struct {
	Name      string `json:"version_name"`
	SchemaURL string `json:"schema_url"`
}

// TableSchema is the schema_type of Frictionless Table Schemas, the only
// type Socle validates data against.
const TableSchema = "tableschema"

// namePattern is the shape of a catalog name: "owner/repo" slugs.
var namePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,99}(/[A-Za-z0-9][A-Za-z0-9._-]{0,99}){0,2}$`)

// ValidName reports whether s may name a schema.
func ValidName(s string) bool { return namePattern.MatchString(s) }

// Parse reads and checks a schemas.json document. Versions are sorted
// oldest first.
func Parse(r io.Reader) (*Catalog, error) {
	b, err := io.ReadAll(io.LimitReader(r, MaxCatalogBytes+1))
	if err != nil {
		return nil, errs.Wrap(errs.Invalid, err, "cannot read the schema catalog")
	}
	if len(b) > MaxCatalogBytes {
		return nil, errs.E(errs.TooLarge, "schema catalog over %d bytes", MaxCatalogBytes)
	}
	var c Catalog
	d := json.NewDecoder(bytes.NewReader(b))
	if err := d.Decode(&c); err != nil {
		return nil, errs.Wrap(errs.Invalid, err, "the schema catalog is not a schemas.json document: %v", err)
	}
	if c.Version != 1 {
		return nil, errs.E(errs.Invalid, "unsupported schema catalog version %d (want 1)", c.Version)
	}
	if len(c.Schemas) > MaxSchemas {
		return nil, errs.E(errs.TooLarge, "schema catalog with more than %d schemas", MaxSchemas)
	}
	seen := map[string]bool{}
	for i := range c.Schemas {
		s := &c.Schemas[i]
		if !ValidName(s.Name) || seen[s.Name] {
			return nil, errs.E(errs.Invalid, "schema %d: invalid or repeated name %q", i+1, truncate(s.Name))
		}
		seen[s.Name] = true
		if len(s.Versions) > MaxVersions {
			return nil, errs.E(errs.TooLarge, "schema %s: more than %d versions", s.Name, MaxVersions)
		}
		for _, v := range s.Versions {
			if v.Name == "" || len(v.Name) > 50 || v.SchemaURL == "" || len(v.SchemaURL) > 2000 {
				return nil, errs.E(errs.Invalid, "schema %s: a version needs a version_name and a schema_url", s.Name)
			}
		}
		slices.SortStableFunc(s.Versions, func(a, b Version) int { return CompareVersions(a.Name, b.Name) })
	}
	slices.SortFunc(c.Schemas, func(a, b Schema) int { return strings.Compare(a.Name, b.Name) })
	return &c, nil
}

func truncate(s string) string {
	if len(s) > 100 {
		return s[:100] + "…"
	}
	return s
}

// Find returns the schema named name.
func (c *Catalog) Find(name string) (*Schema, error) {
	for i := range c.Schemas {
		if c.Schemas[i].Name == name {
			return &c.Schemas[i], nil
		}
	}
	return nil, errs.E(errs.NotFound, "no schema %q in the catalog", truncate(name))
}

// Pick returns the version named v; "" or "latest" is the latest one.
func (s *Schema) Pick(v string) (Version, error) {
	if len(s.Versions) == 0 {
		return Version{}, errs.E(errs.NotFound, "schema %s has no published version", s.Name)
	}
	if v == "" || v == "latest" {
		return s.Versions[len(s.Versions)-1], nil
	}
	for _, x := range s.Versions {
		if x.Name == v || "v"+x.Name == v || x.Name == "v"+v {
			return x, nil
		}
	}
	return Version{}, errs.E(errs.NotFound, "schema %s has no version %q", s.Name, truncate(v))
}

// Latest is the name of the latest version, "" when there is none.
func (s *Schema) Latest() string {
	if len(s.Versions) == 0 {
		return ""
	}
	return s.Versions[len(s.Versions)-1].Name
}

// CompareVersions orders version names as semantic versions ("v" prefix
// ignored, numeric parts compared as numbers, a pre-release before its
// release), falling back to text order for what is not a number.
func CompareVersions(a, b string) int {
	a, b = strings.TrimPrefix(a, "v"), strings.TrimPrefix(b, "v")
	ac, apre, _ := strings.Cut(a, "-")
	bc, bpre, _ := strings.Cut(b, "-")
	ap, bp := strings.Split(ac, "."), strings.Split(bc, ".")
	for i := 0; i < max(len(ap), len(bp)); i++ {
		x, y := part(ap, i), part(bp, i)
		xn, xerr := strconv.Atoi(x)
		yn, yerr := strconv.Atoi(y)
		var c int
		if xerr == nil && yerr == nil {
			c = xn - yn
		} else {
			c = strings.Compare(x, y)
		}
		if c != 0 {
			return sign(c)
		}
	}
	switch {
	case apre == bpre:
		return 0
	case apre == "":
		return 1
	case bpre == "":
		return -1
	}
	return strings.Compare(apre, bpre)
}

func part(p []string, i int) string {
	if i < len(p) {
		return p[i]
	}
	return "0"
}

func sign(c int) int {
	if c < 0 {
		return -1
	}
	if c > 0 {
		return 1
	}
	return 0
}
