package ingest

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"

	"github.com/socle/socle/internal/catalog"
	"github.com/socle/socle/internal/errs"
)

// maxJSONColumns bounds the union of keys: records with ever-new keys are
// maps, not tables, and would grow the header without limit.
const maxJSONColumns = 4096

// jsonRecord is one object of a JSON source, its keys in source order.
type jsonRecord struct {
	keys     []string
	values   []json.RawMessage
	geometry json.RawMessage // GeoJSON only
}

// jsonReader is the Reader for JSON arrays, JSON Lines and GeoJSON.
type jsonReader struct {
	file    *os.File
	stream  *jsonStream
	header  []string
	index   map[string]int
	geoJSON bool
	geomCol int
	point   int // geo_point_2d column added by the reader, -1 if none
	line    int
}

// openJSON makes the header from a first pass over the file (the union of
// keys in first-seen order), then reopens it to stream records.
func openJSON(path string, format Format) (Reader, Info, error) {
	info := Info{Format: format, Encoding: EncodingUTF8}
	keys, index, err := collectKeys(path, format)
	if err != nil {
		return nil, info, err
	}
	r := &jsonReader{header: keys, index: index, geoJSON: format == FormatGeoJSON, geomCol: -1, point: -1}
	if r.geoJSON {
		r.addGeoColumns()
	}
	if r.file, r.stream, err = openStream(path, format); err != nil {
		return nil, info, err
	}
	return r, info, nil
}

// addGeoColumns appends the geometry column, and a geo_point_2d column unless
// the properties already have one.
func (r *jsonReader) addGeoColumns() {
	hasPoint := false
	for _, n := range catalog.UniqueNames(r.header) {
		hasPoint = hasPoint || n == geoPointField
	}
	r.geomCol = len(r.header)
	r.header = append(r.header, "geometry")
	if !hasPoint {
		r.point = len(r.header)
		r.header = append(r.header, geoPointField)
	}
}

func collectKeys(path string, format Format) ([]string, map[string]int, error) {
	f, s, err := openStream(path, format)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	var keys []string
	index := map[string]int{}
	for {
		rec, err := s.next()
		if err == io.EOF {
			return keys, index, nil
		}
		if err != nil {
			return nil, nil, err
		}
		for _, k := range rec.keys {
			if _, ok := index[k]; !ok {
				if len(keys) == maxJSONColumns {
					return nil, nil, errs.E(errs.TooLarge, "record %d: more than %d distinct keys", s.n, maxJSONColumns)
				}
				index[k] = len(keys)
				keys = append(keys, k)
			}
		}
	}
}

func openStream(path string, format Format) (*os.File, *jsonStream, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, errs.Wrap(errs.Invalid, err, "cannot open %s", filepath.Base(path))
	}
	br := bufio.NewReaderSize(f, 64<<10)
	if head, _ := br.Peek(3); bytes.Equal(head, utf8BOM) {
		br.Discard(3)
	}
	dec := json.NewDecoder(br)
	dec.UseNumber()
	s := &jsonStream{dec: dec, format: format}
	if err := s.start(); err != nil {
		f.Close()
		return nil, nil, err
	}
	return f, s, nil
}

func (r *jsonReader) Header() []string { return r.header }
func (r *jsonReader) Line() int        { return r.line }
func (r *jsonReader) Close() error     { return r.file.Close() }

// Next returns the next record; absent keys and nulls are Null.
func (r *jsonReader) Next() ([]string, error) {
	rec, err := r.stream.next()
	if err != nil {
		return nil, err
	}
	r.line = r.stream.n
	cells := make([]string, len(r.header))
	for i := range cells {
		cells[i] = Null
	}
	for i, k := range rec.keys {
		if col, ok := r.index[k]; ok {
			cells[col] = jsonCell(rec.values[i])
		}
	}
	if r.geoJSON {
		r.geoCells(cells, rec.geometry)
	}
	return cells, nil
}

// geoCells fills the geometry column and the point derived from it.
func (r *jsonReader) geoCells(cells []string, geometry json.RawMessage) {
	raw, g, ok := parseGeometry(string(geometry))
	if !ok {
		return
	}
	cells[r.geomCol] = string(raw)
	if r.point < 0 {
		return
	}
	if p, ok := representativePoint(g); ok {
		cells[r.point] = formatGeoPoint(p)
	}
}

// jsonCell turns a JSON value into a cell: strings unquoted, numbers as
// written, objects and arrays as compact JSON text.
func jsonCell(raw json.RawMessage) string {
	raw = bytes.TrimSpace(raw)
	switch {
	case len(raw) == 0 || string(raw) == "null":
		return Null
	case raw[0] == '"':
		var s string
		if json.Unmarshal(raw, &s) == nil {
			return s
		}
	case raw[0] == '{' || raw[0] == '[':
		if c := compactJSON(string(raw)); c != nil {
			return string(c)
		}
	}
	return string(raw)
}

// jsonStream walks the records of a JSON source with the token API, so that
// only one record is in memory at a time.
type jsonStream struct {
	dec    *json.Decoder
	format Format
	n      int // records read
	done   bool
}

// start consumes what precedes the first record: '[' for an array, the
// FeatureCollection's keys up to "features": [ for GeoJSON.
func (s *jsonStream) start() error {
	switch s.format {
	case FormatJSON:
		return s.expectDelim('[', "a JSON array of objects")
	case FormatGeoJSON:
		if err := s.expectDelim('{', "a GeoJSON FeatureCollection"); err != nil {
			return err
		}
		return s.seekFeatures()
	}
	return nil
}

func (s *jsonStream) expectDelim(want json.Delim, what string) error {
	tok, err := s.dec.Token()
	if d, ok := tok.(json.Delim); err != nil || !ok || d != want {
		return errs.E(errs.Invalid, "the file is not %s", what)
	}
	return nil
}

// seekFeatures skips top-level members until the features array opens.
func (s *jsonStream) seekFeatures() error {
	for s.dec.More() {
		tok, err := s.dec.Token()
		if err != nil {
			return s.syntaxErr(err)
		}
		if tok == "features" {
			return s.expectDelim('[', "a GeoJSON FeatureCollection")
		}
		var skip json.RawMessage
		if err := s.dec.Decode(&skip); err != nil {
			return s.syntaxErr(err)
		}
	}
	s.done = true
	return nil
}

func (s *jsonStream) next() (jsonRecord, error) {
	if s.done || !s.dec.More() {
		s.done = true
		if s.format == FormatJSONL {
			if _, err := s.dec.Token(); err != io.EOF {
				return jsonRecord{}, errs.E(errs.Invalid, "record %d: expected a JSON object", s.n+1)
			}
		}
		return jsonRecord{}, io.EOF
	}
	s.n++
	var rec jsonRecord
	err := walkObject(s.dec, func(key string, raw json.RawMessage) error {
		if s.format != FormatGeoJSON {
			rec.keys, rec.values = append(rec.keys, key), append(rec.values, raw)
			return nil
		}
		return featureMember(&rec, key, raw)
	})
	if err != nil {
		return rec, s.syntaxErr(err)
	}
	return rec, nil
}

// featureMember keeps a feature's properties and geometry.
func featureMember(rec *jsonRecord, key string, raw json.RawMessage) error {
	switch key {
	case "geometry":
		rec.geometry = raw
	case "properties":
		if string(bytes.TrimSpace(raw)) == "null" {
			return nil
		}
		return walkObject(json.NewDecoder(bytes.NewReader(raw)), func(k string, v json.RawMessage) error {
			rec.keys, rec.values = append(rec.keys, k), append(rec.values, v)
			return nil
		})
	}
	return nil
}

var errNotObject = errors.New("expected a JSON object")

// walkObject reads one object from dec, calling fn for each member in order.
func walkObject(dec *json.Decoder, fn func(key string, raw json.RawMessage) error) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return errNotObject
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		key, _ := tok.(string)
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return err
		}
		if err := fn(key, raw); err != nil {
			return err
		}
	}
	_, err = dec.Token() // the closing '}'
	return err
}

// syntaxErr names the record (the line, for JSON Lines) and says what is
// wrong in words an operator understands.
func (s *jsonStream) syntaxErr(err error) error {
	msg := err.Error()
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		msg = "the file ends in the middle of a value (truncated?)"
	}
	return errs.Wrap(errs.Invalid, err, "invalid JSON at record %d (line %d for JSON Lines): %s", max(s.n, 1), max(s.n, 1), msg)
}
