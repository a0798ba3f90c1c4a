package backup

import (
	"archive/zip"
	"bufio"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash"
	"io"
	"time"

	"github.com/socle/socle/internal/errs"
)

// Limits on what an archive may hold, so that a hostile file cannot make a
// restore read forever.
const (
	maxEntries  = 100_000
	maxManifest = 64 << 20
)

// archiveWriter writes resources one after the other into a zip stream,
// hashing and counting each as it goes.
type archiveWriter struct {
	zw  *zip.Writer
	pkg Package
}

func newArchiveWriter(w io.Writer, engine string, schema int, now time.Time) *archiveWriter {
	return &archiveWriter{zw: zip.NewWriter(w), pkg: Package{
		Profile: "data-package", Name: "socle-backup", Title: "Sauvegarde de la plateforme Socle",
		Created: now.UTC().Truncate(time.Second), Format: FormatVersion, Engine: engine, Schema: schema,
	}}
}

// resourceWriter streams one table's CSV.
type resourceWriter struct {
	res  Resource
	cols []Column
	csv  *csv.Writer
	buf  *bufio.Writer
	h    hash.Hash
	n    *countWriter
	rec  []string
	tr   *TimeRange
	tcol int
	done func(Resource)
}

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

func (a *archiveWriter) begin(t Table) (*resourceWriter, error) {
	path := resourcePath(t)
	zf, err := a.zw.CreateHeader(&zip.FileHeader{Name: path, Method: zip.Deflate, Modified: a.pkg.Created})
	if err != nil {
		return nil, err
	}
	rw, err := newResourceWriter(t, zf)
	if err != nil {
		return nil, err
	}
	rw.done = func(r Resource) { a.pkg.Resources = append(a.pkg.Resources, r) }
	return rw, nil
}

func resourcePath(t Table) string {
	if t.Kind == Records {
		return "data/" + t.Name + ".csv"
	}
	return "platform/" + t.Name + ".csv"
}

// newResourceWriter writes t's CSV to w, hashing and counting it.
func newResourceWriter(t Table, w io.Writer) (*resourceWriter, error) {
	h := sha256.New()
	cw := &countWriter{w: io.MultiWriter(w, h)}
	buf := bufio.NewWriterSize(cw, 64<<10)
	rw := &resourceWriter{
		res: Resource{Name: t.Name, Path: resourcePath(t), Profile: "tabular-data-resource", Format: "csv", MediaType: "text/csv",
			Encoding: "utf-8", Schema: schemaOf(t.Columns), Table: t.Name, Kind: t.Kind, Fields: t.Fields},
		cols: t.Columns, buf: buf, csv: csv.NewWriter(buf), h: h, n: cw, rec: make([]string, len(t.Columns)),
		tcol: -1,
	}
	header := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		header[i] = c.Name
		if c.Name == "t" && c.Type == DateTime {
			rw.tcol = i
		}
	}
	return rw, rw.csv.Write(header)
}

// row encodes and writes one row.
func (rw *resourceWriter) row(vals []any) error {
	if len(vals) != len(rw.cols) {
		return fmt.Errorf("%d values for %d columns", len(vals), len(rw.cols))
	}
	for i, v := range vals {
		s, ok, err := Encode(rw.cols[i].Type, v)
		if err != nil {
			return fmt.Errorf("column %s: %w", rw.cols[i].Name, err)
		}
		if !ok {
			s = Null
		}
		rw.rec[i] = s
		if i == rw.tcol && ok {
			rw.track(s)
		}
	}
	rw.res.Rows++
	return rw.csv.Write(rw.rec)
}

func (rw *resourceWriter) track(s string) {
	t, err := time.Parse(DateTimeLayout, s)
	if err != nil {
		return
	}
	if rw.tr == nil {
		rw.tr = &TimeRange{Min: t, Max: t}
		return
	}
	if t.Before(rw.tr.Min) {
		rw.tr.Min = t
	}
	if t.After(rw.tr.Max) {
		rw.tr.Max = t
	}
}

func (rw *resourceWriter) end() error {
	rw.csv.Flush()
	if err := rw.csv.Error(); err != nil {
		return err
	}
	if err := rw.buf.Flush(); err != nil {
		return err
	}
	rw.res.Bytes = rw.n.n
	rw.res.Hash = "sha256:" + hex.EncodeToString(rw.h.Sum(nil))
	rw.res.TimeRange = rw.tr
	if rw.done != nil {
		rw.done(rw.res)
	}
	return nil
}

// addFile writes a file that is not a resource (README, metadata).
func (a *archiveWriter) addFile(path string, write func(io.Writer) error) error {
	w, err := a.zw.CreateHeader(&zip.FileHeader{Name: path, Method: zip.Deflate, Modified: a.pkg.Created})
	if err != nil {
		return err
	}
	return write(w)
}

// close writes datapackage.json and the zip directory.
func (a *archiveWriter) close() (*Package, error) {
	err := a.addFile("datapackage.json", func(w io.Writer) error {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(a.pkg)
	})
	if err != nil {
		return nil, err
	}
	return &a.pkg, a.zw.Close()
}

// Archive is an opened backup archive.
type Archive struct {
	zr      *zip.ReadCloser
	files   map[string]*zip.File
	Package Package
}

// Open opens the archive at path and reads its manifest; a file that is
// not a Socle backup is refused with errs.Invalid.
func Open(path string) (*Archive, error) {
	zr, err := zip.OpenReader(path)
	if err != nil {
		return nil, errs.E(errs.Invalid, "not a backup archive (zip): %v", err)
	}
	a := &Archive{zr: zr, files: map[string]*zip.File{}}
	if len(zr.File) > maxEntries {
		zr.Close()
		return nil, errs.E(errs.Invalid, "archive has %d entries (at most %d)", len(zr.File), maxEntries)
	}
	for _, f := range zr.File {
		a.files[f.Name] = f
	}
	if err := a.readManifest(); err != nil {
		zr.Close()
		return nil, err
	}
	return a, nil
}

// Close closes the archive.
func (a *Archive) Close() error { return a.zr.Close() }

func (a *Archive) readManifest() error {
	f := a.files["datapackage.json"]
	if f == nil {
		return errs.E(errs.Invalid, "archive has no datapackage.json")
	}
	r, err := f.Open()
	if err != nil {
		return errs.E(errs.Invalid, "datapackage.json: %v", err)
	}
	defer r.Close()
	dec := json.NewDecoder(io.LimitReader(r, maxManifest))
	if err := dec.Decode(&a.Package); err != nil {
		return errs.E(errs.Invalid, "datapackage.json: %v", err)
	}
	if a.Package.Format != FormatVersion || a.Package.Name != "socle-backup" {
		return errs.E(errs.Invalid, "not a Socle backup of format %d", FormatVersion)
	}
	seen := map[string]bool{}
	for _, res := range a.Package.Resources {
		if a.files[res.Path] == nil {
			return errs.E(errs.Invalid, "resource %s: %s missing from the archive", res.Name, res.Path)
		}
		if seen[res.Table] || !validTableName(res.Table) || (res.Kind != Platform && res.Kind != Records) {
			return errs.E(errs.Invalid, "resource %s: bad table", res.Name)
		}
		seen[res.Table] = true
		for _, c := range columnsOf(res.Schema) {
			if !knownType(c.Type) {
				return errs.E(errs.Invalid, "resource %s: column %s has no known type", res.Name, c.Name)
			}
		}
	}
	return nil
}

func knownType(t Type) bool {
	switch t {
	case String, Integer, Number, Boolean, Date, DateTime, JSON, Bytes:
		return true
	}
	return false
}

func validTableName(s string) bool {
	if s == "" || len(s) > 63 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_') {
			return false
		}
	}
	return true
}

// rows streams the decoded rows of res to fn after checking its header.
// It also returns the hash and size of what it read, for verification.
func (a *Archive) rows(res Resource, fn func([]any) error) (sum string, size int64, n int64, err error) {
	f := a.files[res.Path]
	r, err := f.Open()
	if err != nil {
		return "", 0, 0, err
	}
	defer r.Close()
	h := sha256.New()
	cr := &countWriter{w: h}
	cols := columnsOf(res.Schema)
	cv := csv.NewReader(bufio.NewReaderSize(io.TeeReader(r, cr), 64<<10))
	cv.FieldsPerRecord = len(cols)
	cv.ReuseRecord = true
	header, err := cv.Read()
	if err != nil {
		return "", 0, 0, fmt.Errorf("header: %w", err)
	}
	for i, c := range cols {
		if header[i] != c.Name {
			return "", 0, 0, fmt.Errorf("header: column %d is %q, expected %q", i+1, header[i], c.Name)
		}
	}
	vals := make([]any, len(cols))
	for {
		rec, err := cv.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return "", 0, 0, err
		}
		n++
		for i, s := range rec {
			if s == Null {
				vals[i] = nil
				continue
			}
			if vals[i], err = Decode(cols[i].Type, s); err != nil {
				return "", 0, 0, fmt.Errorf("row %d, column %s: %w", n, cols[i].Name, err)
			}
		}
		if fn != nil {
			if err := fn(vals); err != nil {
				return "", 0, 0, err
			}
		}
	}
	if _, err := io.Copy(io.Discard, io.TeeReader(r, cr)); err != nil {
		return "", 0, 0, err
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil)), cr.n, n, nil
}
