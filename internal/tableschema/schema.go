// Package tableschema reads Frictionless Table Schema v1 descriptors (the
// format of schema.data.gouv.fr), casts CSV cells to Socle's typed values and
// validates tables the way Frictionless v5 does, with its error names.
//
// Custom checks that some French schemas add (Validata's custom_checks, such
// as SIRET Luhn keys or opening-hours syntax) are not part of Table Schema
// and are deliberately out of scope: the key is ignored.
package tableschema

import (
	"encoding/json"
	"fmt"
	"io"
	"os"

	"github.com/socle/socle/internal/catalog"
)

// Schema is a parsed Table Schema.
type Schema struct {
	Fields     []Field  `json:"fields"`
	PrimaryKey []string `json:"-"`
	// MissingValues are the raw strings read as null; default [""].
	MissingValues []string `json:"missingValues"`
	Title         string   `json:"title,omitempty"`
	Name          string   `json:"name,omitempty"`
	Version       string   `json:"version,omitempty"`
}

// Field is one field of a schema.
type Field struct {
	Name        string      `json:"name"`
	Title       string      `json:"title,omitempty"`
	Type        string      `json:"type,omitempty"`   // default "any"
	Format      string      `json:"format,omitempty"` // default "default"
	Description string      `json:"description,omitempty"`
	Constraints Constraints `json:"constraints"`
	TrueValues  []string    `json:"trueValues,omitempty"`
	FalseValues []string    `json:"falseValues,omitempty"`
	DecimalChar string      `json:"decimalChar,omitempty"`
	GroupChar   string      `json:"groupChar,omitempty"`
	BareNumber  *bool       `json:"bareNumber,omitempty"`
	// MissingValues overrides the schema's list for this field (Table
	// Schema v2); nil means "inherit".
	MissingValues []string `json:"missingValues,omitempty"`

	c       *compiled // set by Compile; nil until then
	primary bool      // part of the primary key, hence required
}

// Constraints restrict the values of a field. Minimum, Maximum and Enum are
// kept raw because their type is the field's type (a date bound is a string).
type Constraints struct {
	Required  bool              `json:"required,omitempty"`
	Unique    bool              `json:"unique,omitempty"`
	MinLength *int              `json:"minLength,omitempty"`
	MaxLength *int              `json:"maxLength,omitempty"`
	Minimum   json.RawMessage   `json:"minimum,omitempty"`
	Maximum   json.RawMessage   `json:"maximum,omitempty"`
	Pattern   string            `json:"pattern,omitempty"`
	Enum      []json.RawMessage `json:"enum,omitempty"`
}

// Parse reads a Table Schema JSON document. Unknown keys (custom_checks,
// field-level "required" outside constraints…) are ignored, as Frictionless
// does; a field that cannot be compiled (bad pattern, bound of the wrong
// type) is an error.
func Parse(r io.Reader) (*Schema, error) {
	var raw struct {
		Schema
		PrimaryKey json.RawMessage `json:"primaryKey"`
	}
	dec := json.NewDecoder(r)
	if err := dec.Decode(&raw); err != nil {
		return nil, fmt.Errorf("tableschema: decode: %w", err)
	}
	s := raw.Schema
	pk, err := parsePrimaryKey(raw.PrimaryKey)
	if err != nil {
		return nil, err
	}
	s.PrimaryKey = pk
	if err := s.Compile(); err != nil {
		return nil, err
	}
	return &s, nil
}

// Load parses the schema file at path.
func Load(path string) (*Schema, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("tableschema: %w", err)
	}
	defer f.Close()
	s, err := Parse(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return s, nil
}

// parsePrimaryKey accepts both spellings the spec allows: an array of
// names or a bare string.
func parsePrimaryKey(raw json.RawMessage) ([]string, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	var one string
	if json.Unmarshal(raw, &one) == nil {
		return []string{one}, nil
	}
	var many []string
	if err := json.Unmarshal(raw, &many); err != nil {
		return nil, fmt.Errorf("tableschema: primaryKey must be a string or an array of strings")
	}
	return many, nil
}

// Compile checks the schema and prepares every field for casting. Parse
// calls it; call it yourself after building or editing a Schema by hand.
func (s *Schema) Compile() error {
	if s.MissingValues == nil {
		s.MissingValues = []string{""}
	}
	if len(s.Fields) == 0 {
		return fmt.Errorf("tableschema: schema has no fields")
	}
	for i := range s.Fields {
		f := &s.Fields[i]
		if f.MissingValues == nil {
			f.MissingValues = s.MissingValues
		}
		if err := f.Compile(); err != nil {
			return err
		}
	}
	for _, name := range s.PrimaryKey {
		f := s.Field(name)
		if f == nil {
			return fmt.Errorf("tableschema: primaryKey names unknown field %q", name)
		}
		f.primary = true
	}
	return nil
}

// Field returns the field called name, or nil.
func (s *Schema) Field(name string) *Field {
	for i := range s.Fields {
		if s.Fields[i].Name == name {
			return &s.Fields[i]
		}
	}
	return nil
}

// FieldNames lists the field names in order.
func (s *Schema) FieldNames() []string {
	names := make([]string, len(s.Fields))
	for i, f := range s.Fields {
		names[i] = f.Name
	}
	return names
}

// InferStrings builds a schema of untyped string fields from a header, for
// validating a table's structure when no schema is available. Names follow
// Frictionless: a blank label becomes "fieldN" and a repeated label gets its
// position appended, so that every field name is distinct.
func InferStrings(header []string) *Schema {
	s := &Schema{MissingValues: []string{""}}
	seen := make(map[string]bool, len(header))
	for i, label := range header {
		name := label
		if name == "" {
			name = fmt.Sprintf("field%d", i+1)
		}
		if seen[name] {
			name = fmt.Sprintf("%s%d", name, i+1)
		}
		seen[name] = true
		s.Fields = append(s.Fields, Field{Name: name, Type: "string"})
	}
	if len(s.Fields) == 0 {
		s.Fields = []Field{{Name: "field1", Type: "string"}}
	}
	_ = s.Compile() // string fields without constraints cannot fail
	return s
}

// CatalogFields maps the schema to Socle fields. The schema's own name is
// kept as the label when there is no title, and normalized into the field
// name, so that records keep a stable identifier whatever the spelling.
func (s *Schema) CatalogFields() []catalog.Field {
	out := make([]catalog.Field, len(s.Fields))
	for i, f := range s.Fields {
		label := f.Title
		if label == "" {
			label = f.Name
		}
		out[i] = catalog.Field{
			Name:        catalog.NormalizeName(f.Name),
			Label:       label,
			Type:        f.CatalogType(),
			Description: f.Description,
		}
	}
	return out
}

// CatalogType is the Socle type that holds the values Cast returns.
func (f *Field) CatalogType() catalog.FieldType {
	switch f.Type {
	case "integer", "year":
		return catalog.TypeInt
	case "number":
		return catalog.TypeDouble
	case "boolean":
		return catalog.TypeBoolean
	case "date":
		return catalog.TypeDate
	case "datetime":
		return catalog.TypeDateTime
	case "geopoint":
		return catalog.TypeGeoPoint
	case "geojson":
		return catalog.TypeGeoShape
	case "object", "array":
		return catalog.TypeJSON
	}
	// string, time, yearmonth, duration, any and unknown types stay text:
	// their values are kept in a canonical textual form.
	return catalog.TypeText
}
