package transit

import (
	"bufio"
	"encoding/csv"
	"errors"
	"io"
	"strings"

	"github.com/socle/socle/internal/errs"
)

// maxFieldBytes bounds one CSV value: GTFS values are identifiers, names
// and times; a huge one is a broken file.
const maxFieldBytes = 64 << 10

// Table reads one GTFS file (CSV, UTF-8, a header row) record by record.
type Table struct {
	name string
	rc   io.Closer
	r    *csv.Reader
	cols map[string]int
	row  []string
	line int
	n    int // header columns
}

// newTable reads the header of r, the content of file name.
func newTable(name string, r io.ReadCloser) (*Table, error) {
	cr := csv.NewReader(bufio.NewReaderSize(r, 64<<10))
	cr.FieldsPerRecord = -1 // checked here, to say which line
	cr.ReuseRecord = true
	t := &Table{name: name, rc: r, r: cr, cols: map[string]int{}}
	header, err := cr.Read()
	if err == io.EOF {
		return nil, errs.E(errs.Invalid, "%s is empty: it needs a header line", name)
	} else if err != nil {
		return nil, t.csvError(err)
	}
	for i, h := range header {
		if i == 0 {
			h = strings.TrimPrefix(h, "\ufeff")
		}
		h = strings.TrimSpace(h) // some feeds write ", exact_times"
		if _, dup := t.cols[h]; !dup && h != "" {
			t.cols[h] = i
		}
	}
	t.line, t.n = 1, len(header)
	return t, nil
}

// Table returns the table of file name; errs.Invalid when it is missing.
func (a *Archive) Table(name string) (*Table, error) {
	rc, err := a.open(name)
	if err != nil {
		return nil, err
	}
	t, err := newTable(name, rc)
	if err != nil {
		rc.Close()
		return nil, err
	}
	return t, nil
}

// Require checks that the header names every column of cols.
func (t *Table) Require(cols ...string) error {
	for _, c := range cols {
		if _, ok := t.cols[c]; !ok {
			return errs.E(errs.Invalid, "%s has no %s column (required)", t.name, c)
		}
	}
	return nil
}

// Next moves to the next record; io.EOF at the end.
func (t *Table) Next() error {
	row, err := t.r.Read()
	if err != nil {
		if err == io.EOF {
			return io.EOF
		}
		return t.csvError(err)
	}
	t.line, _ = t.r.FieldPos(0)
	if len(row) > t.n {
		return t.Errorf("%d values for %d columns", len(row), t.n)
	}
	for _, v := range row {
		if len(v) > maxFieldBytes {
			return t.Errorf("a value longer than %d bytes", maxFieldBytes)
		}
	}
	t.row = row
	return nil
}

// Get returns the record's value of column col, trimmed; "" when the
// column or the value is missing (GTFS lets trailing empty values go).
func (t *Table) Get(col string) string {
	i, ok := t.cols[col]
	if !ok || i >= len(t.row) {
		return ""
	}
	return strings.TrimSpace(t.row[i])
}

// Line is the line number of the current record (the header is line 1).
func (t *Table) Line() int { return t.line }

// Errorf is an errs.Invalid naming the file and the current line.
func (t *Table) Errorf(format string, args ...any) error {
	args = append([]any{t.name, t.line}, args...)
	return errs.E(errs.Invalid, "%s line %d: "+format, args...)
}

func (t *Table) csvError(err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return errs.E(errs.Invalid, "%s line %d: %v", t.name, pe.Line, pe.Err)
	}
	if errs.KindOf(err) != errs.Internal {
		return err
	}
	return errs.Wrap(errs.Invalid, err, "%s cannot be read", t.name)
}

// Close releases the file.
func (t *Table) Close() error { return t.rc.Close() }
