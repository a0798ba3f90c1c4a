// Package export streams the records of a dataset to files in the formats
// of Opendatasoft's Explore API v2.1 exports: csv, json, jsonl, geojson,
// parquet and xlsx.
//
// Every Writer takes rows one at a time and keeps its memory flat whatever
// the number of rows: text formats write through a small buffer, parquet
// flushes a row group every RowGroupSize rows, xlsx relies on excelize's
// StreamWriter, which spills rows to a temporary file.
//
// Outputs were checked by hand with DuckDB 1.x (parquet: typed columns,
// points as STRUCT(lon, lat), json as JSON; csv with delim ';') and with
// GDAL 3.6 ogrinfo/ogr2ogr (geojson, csv, xlsx). The automated tests read
// parquet back with parquet-go and xlsx with excelize.
//
// Rows follow the Go representation documented on catalog.FieldType. A value
// of an unexpected Go type is exported as its fmt text rather than failing
// the whole export.
package export

import (
	"io"
	"strings"

	"github.com/socle/socle/internal/catalog"
	"github.com/socle/socle/internal/errs"
)

// Format is an export format, named as in the ODS exports URL
// (/exports/{format}).
type Format string

// The supported formats.
const (
	CSV     Format = "csv"
	JSON    Format = "json"
	JSONL   Format = "jsonl"
	GeoJSON Format = "geojson"
	Parquet Format = "parquet"
	XLSX    Format = "xlsx"
)

// Formats lists the supported formats in a stable order.
var Formats = []Format{CSV, JSON, JSONL, GeoJSON, Parquet, XLSX}

// ParseFormat returns the format named s (case-insensitive). An unknown name
// is an errs.Invalid error.
func ParseFormat(s string) (Format, error) {
	f := Format(strings.ToLower(strings.TrimSpace(s)))
	for _, known := range Formats {
		if f == known {
			return f, nil
		}
	}
	return "", errs.E(errs.Invalid, "unsupported export format %q", s)
}

// ContentType returns the MIME type to serve f with.
func (f Format) ContentType() string {
	switch f {
	case CSV:
		return "text/csv; charset=utf-8"
	case JSON:
		return "application/json; charset=utf-8"
	case JSONL:
		return "application/jsonl; charset=utf-8"
	case GeoJSON:
		return "application/geo+json"
	case Parquet:
		return "application/vnd.apache.parquet"
	case XLSX:
		return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	}
	return "application/octet-stream"
}

// Extension returns the file name extension of f, without the dot.
func (f Format) Extension() string { return string(f) }

// Options tunes an export. The zero value is valid: CSV then uses ';' and
// no BOM (ODS defaults the BOM to true; the HTTP layer decides).
type Options struct {
	Delimiter rune // CSV field delimiter; 0 means ';'
	WithBOM   bool // CSV: start with a UTF-8 byte order mark
	QuoteAll  bool // CSV: quote every field, not only those that need it
	// ListSeparator separates the items of multivalued fields in CSV. No
	// catalog type is multivalued yet, so it is accepted and unused.
	ListSeparator string
	Title         string // dataset title: xlsx sheet name, parquet metadata
}

// Writer writes the rows of one export. Rows must be aligned with the fields
// given to NewWriter. A Writer is not safe for concurrent use.
type Writer interface {
	// Write appends one row.
	Write(row catalog.Row) error
	// Close flushes buffered data and writes the format's trailer (closing
	// bracket, parquet footer, xlsx archive). It does not close the
	// underlying io.Writer. Close must be called exactly once.
	Close() error
}

// NewWriter returns a Writer of format f writing to w. It fails with
// errs.Invalid when the format is unknown, the options are unusable, or the
// format needs something the fields lack (geojson without a geo field).
func NewWriter(f Format, w io.Writer, fields []catalog.Field, opts Options) (Writer, error) {
	switch f {
	case CSV:
		return newCSVWriter(w, fields, opts)
	case JSON:
		return newJSONWriter(w, fields, false), nil
	case JSONL:
		return newJSONWriter(w, fields, true), nil
	case GeoJSON:
		return newGeoJSONWriter(w, fields)
	case Parquet:
		return newParquetWriter(w, fields, opts)
	case XLSX:
		return newXLSXWriter(w, fields, opts)
	}
	return nil, errs.E(errs.Invalid, "unsupported export format %q", string(f))
}

// checkRow reports a row whose length does not match the fields: a bug in
// the caller, not bad data.
func checkRow(row catalog.Row, fields []catalog.Field) error {
	if len(row) != len(fields) {
		return errs.E(errs.Internal, "export: row has %d values for %d fields", len(row), len(fields))
	}
	return nil
}
