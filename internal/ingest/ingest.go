// Package ingest reads the tabular files French public bodies publish (CSV in
// whatever encoding and dialect the producer's spreadsheet chose, JSON, JSON
// Lines, GeoJSON, XLSX), infers a catalog.Field type for every column over the
// whole file, and casts raw cells to the Go values documented on
// catalog.FieldType.
//
// Everything streams: a Reader holds one record at a time, an Inferrer keeps a
// few counters per column, and a Caster converts one row at a time, so memory
// stays flat whatever the file size. The usual pipeline reads a file twice:
// once through an Inferrer to decide the types, once through a Caster.
package ingest

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/socle/socle/internal/errs"
)

// Format names a source file format.
type Format string

// The supported formats.
const (
	FormatCSV     Format = "csv"
	FormatJSON    Format = "json"    // an array of objects
	FormatJSONL   Format = "jsonl"   // one object per line
	FormatGeoJSON Format = "geojson" // a FeatureCollection
	FormatXLSX    Format = "xlsx"
)

// Null is the cell a Reader reports for a JSON null or an absent key. Cells are
// strings, and no text cell of a real file contains a NUL byte, so a NUL alone
// cannot be confused with data. An empty CSV cell is "" and is treated as null
// by inference and casting too.
const Null = "\x00"

// Options tunes how a file is read. The zero value detects everything.
type Options struct {
	Format    Format // "" = DetectFormat
	Delimiter rune   // CSV only; 0 = detect among , ; tab |
	Encoding  string // CSV only; "" = detect; "utf-8", "utf-16", "utf-16le", "utf-16be", "windows-1252", "iso-8859-1"
	Sheet     string // XLSX only; "" = first sheet
}

// Info describes what was detected about a source.
type Info struct {
	Format    Format
	Encoding  string
	Delimiter rune
	BOM       bool     // the source started with a byte-order mark (stripped)
	Warnings  []string // things a human should check, e.g. a BOM that lied
}

// Reader streams a tabular source as raw string cells.
type Reader interface {
	// Header returns the column labels as written in the source. For JSON
	// sources they are the keys of all records, in first-seen order.
	Header() []string
	// Next returns the next record, aligned with Header, or io.EOF. Missing
	// trailing CSV cells are "", absent JSON keys and nulls are Null.
	Next() ([]string, error)
	// Line returns the 1-based record number of the last record returned, the
	// CSV header being record 1; it is meant for error messages.
	Line() int
	Close() error
}

// sniffSize is how much of a file DetectFormat needs to see.
const sniffSize = 4096

// Open opens the file at path and returns a Reader for it. JSON formats need a
// path rather than a stream because they are read twice: once to collect the
// union of keys that makes the header, once to stream the records.
//
// Whatever the format, a file whose first bytes say it is no text table (a
// Parquet file, a PDF, an image, a compressed file…) is refused. A ZIP
// archive is only ever read as an XLSX workbook, even under a .csv name
// when the format is detected.
func Open(path string, opts Options) (Reader, Info, error) {
	head, err := readHead(path)
	if err != nil {
		return nil, Info{}, err
	}
	format, warning := opts.Format, ""
	if format == "" {
		format = DetectFormat(path, head)
		if isZIP(head) && format != FormatXLSX {
			format = FormatXLSX
			warning = fmt.Sprintf("%s is a ZIP archive despite its name: read as XLSX", filepath.Base(path))
		}
	}
	if err := refuseBinary(head, format); err != nil {
		return nil, Info{Format: format}, err
	}
	switch format {
	case FormatCSV:
		f, err := os.Open(path)
		if err != nil {
			return nil, Info{}, errs.Wrap(errs.Invalid, err, "cannot open %s", filepath.Base(path))
		}
		r, info, err := NewCSVReader(f, opts)
		if err != nil {
			f.Close()
			return nil, info, err
		}
		r.(*csvReader).closer = f
		return r, info, nil
	case FormatJSON, FormatJSONL, FormatGeoJSON:
		return openJSON(path, format)
	case FormatXLSX:
		if isZIP(head) {
			if err := checkXLSX(path, head); err != nil {
				return nil, Info{Format: format}, err
			}
		}
		r, info, err := openXLSX(path, opts.Sheet)
		if warning != "" {
			info.Warnings = append(info.Warnings, warning)
		}
		return r, info, err
	}
	return nil, Info{}, errs.E(errs.Invalid, "unsupported format %q", format)
}

func readHead(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, errs.Wrap(errs.Invalid, err, "cannot open %s", filepath.Base(path))
	}
	defer f.Close()
	head := make([]byte, sniffSize)
	n, err := io.ReadFull(f, head)
	if err != nil && err != io.ErrUnexpectedEOF && err != io.EOF {
		return nil, errs.Wrap(errs.Invalid, err, "cannot read %s", filepath.Base(path))
	}
	return head[:n], nil
}

// DetectFormat guesses a format from the file name's extension, and when the
// extension says nothing useful, from the first bytes of the content.
func DetectFormat(name string, head []byte) Format {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".csv", ".tsv", ".tab", ".txt":
		return FormatCSV
	case ".geojson":
		return FormatGeoJSON
	case ".jsonl", ".ndjson":
		return FormatJSONL
	case ".xlsx", ".xlsm":
		return FormatXLSX
	case ".json":
		if f := sniffJSON(head); f != "" {
			return f
		}
		return FormatJSON
	}
	if bytes.HasPrefix(head, []byte("PK\x03\x04")) {
		return FormatXLSX
	}
	if f := sniffJSON(head); f != "" {
		return f
	}
	return FormatCSV
}

// sniffJSON tells a JSON array, a GeoJSON FeatureCollection and JSON Lines
// apart by their first characters; it returns "" for anything else.
func sniffJSON(head []byte) Format {
	head = bytes.TrimPrefix(head, utf8BOM)
	t := bytes.TrimLeft(head, " \t\r\n")
	switch {
	case len(t) == 0:
		return ""
	case t[0] == '[':
		return FormatJSON
	case t[0] != '{':
		return ""
	case bytes.Contains(head, []byte(`"FeatureCollection"`)):
		return FormatGeoJSON
	}
	return FormatJSONL
}

// newBufReader is bufio.NewReaderSize, named for the readers of this package.
func newBufReader(r io.Reader) *bufio.Reader { return bufio.NewReaderSize(r, 64<<10) }
