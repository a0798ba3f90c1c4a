package backup

import (
	"encoding/json"
	"time"
)

// FormatVersion is the version of the archive layout (docs/backup.md).
const FormatVersion = 1

// Package is datapackage.json: a Frictionless Data Package descriptor
// with Socle's own properties prefixed "socle:" (allowed by the spec).
type Package struct {
	Profile   string     `json:"profile"`
	Name      string     `json:"name"`
	Title     string     `json:"title"`
	Created   time.Time  `json:"created"`
	Format    int        `json:"socle:format"`
	Engine    string     `json:"socle:engine"`
	Schema    int        `json:"socle:schema_version"`
	Resources []Resource `json:"resources"`
}

// Resource is one table's CSV file.
type Resource struct {
	Name      string          `json:"name"`
	Path      string          `json:"path"`
	Profile   string          `json:"profile"`
	Format    string          `json:"format"`
	MediaType string          `json:"mediatype"`
	Encoding  string          `json:"encoding"`
	Bytes     int64           `json:"bytes"`
	Hash      string          `json:"hash"` // "sha256:<hex>"
	Schema    TableSchema     `json:"schema"`
	Rows      int64           `json:"socle:rows"`
	Table     string          `json:"socle:table"`
	Kind      Kind            `json:"socle:kind"`
	Fields    json.RawMessage `json:"socle:fields,omitempty"`
	TimeRange *TimeRange      `json:"socle:time_range,omitempty"`
}

// TimeRange is the span of a table's "t" column (the time series), which
// a PostgreSQL target needs to create its monthly partitions first.
type TimeRange struct {
	Min time.Time `json:"min"`
	Max time.Time `json:"max"`
}

// TableSchema is the resource's Table Schema.
type TableSchema struct {
	Fields        []SchemaField `json:"fields"`
	MissingValues []string      `json:"missingValues"`
}

// SchemaField is a Table Schema field; socle:type keeps the logical type
// where Table Schema has none of its own (json, bytes).
type SchemaField struct {
	Name   string `json:"name"`
	Type   string `json:"type"`
	Format string `json:"format,omitempty"`
	Socle  Type   `json:"socle:type"`
}

func schemaOf(cols []Column) TableSchema {
	s := TableSchema{MissingValues: []string{Null}}
	for _, c := range cols {
		f := SchemaField{Name: c.Name, Type: string(c.Type), Socle: c.Type}
		switch c.Type {
		case JSON:
			f.Type = "any"
		case Bytes:
			f.Type, f.Format = "string", "binary"
		}
		s.Fields = append(s.Fields, f)
	}
	return s
}

func columnsOf(s TableSchema) []Column {
	cols := make([]Column, len(s.Fields))
	for i, f := range s.Fields {
		cols[i] = Column{Name: f.Name, Type: f.Socle}
	}
	return cols
}
