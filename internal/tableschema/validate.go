package tableschema

import (
	"fmt"
	"strings"

	"github.com/socle/socle/internal/catalog"
)

// Error is one validation error, shaped like a Frictionless v5 error so that
// reports can be compared with Validata's. Code holds the v5 type name.
type Error struct {
	Code        string `json:"type"`
	RowNumber   int    `json:"rowNumber,omitempty"`   // the header is row 1
	FieldNumber int    `json:"fieldNumber,omitempty"` // column position, from 1
	FieldName   string `json:"fieldName,omitempty"`
	Cell        string `json:"cell,omitempty"`
	Message     string `json:"message"`
	Note        string `json:"note,omitempty"`
}

// The error codes, Frictionless v5 names.
const (
	CodeBlankLabel     = "blank-label"
	CodeDuplicateLabel = "duplicate-label"
	CodeMissingLabel   = "missing-label"
	CodeExtraLabel     = "extra-label"
	CodeIncorrectLabel = "incorrect-label"
	CodeBlankRow       = "blank-row"
	CodeMissingCell    = "missing-cell"
	CodeExtraCell      = "extra-cell"
	CodeTypeError      = "type-error"
	CodeConstraint     = "constraint-error"
	CodePrimaryKey     = "primary-key"
	CodeUniqueError    = "unique-error"
	CodeEncodingError  = "encoding-error"
	CodeSourceError    = "source-error"
)

// DefaultLimitErrors caps the errors of one validation, as Frictionless
// does, so that a wholly wrong file yields a readable report.
const DefaultLimitErrors = 1000

// Options tune a validation.
type Options struct {
	LimitErrors int // 0 means DefaultLimitErrors
	// MatchByName maps columns to fields by header label instead of by
	// position (Frictionless "schema sync"). Missing optional fields and
	// extra columns are then warnings; a missing required field is a
	// missing-label error.
	MatchByName bool
	// Encoding forces the file encoding: "utf-8", "windows-1252" or
	// "iso-8859-1". Empty means UTF-8 if the file is valid UTF-8, else
	// Windows-1252.
	Encoding string
	// Delimiter forces the cell separator; 0 sniffs it from the header
	// line among , ; tab and |.
	Delimiter rune
}

// Validator validates a stream of rows against a schema: call Header once,
// Row for each record, then Finish. It is not safe for concurrent use.
type Validator struct {
	s        *Schema
	opts     Options
	nLabels  int
	fieldCol []int // field index → column index, -1 when absent
	colField []int // column index → field index, -1 for extra columns
	errors   int
	warnings []Error
	pk       map[string]int // primary key → first row number
	unique   []map[any]int  // per field: value key → first row number
	limitHit bool
}

// NewValidator returns a validator of s. s must be compiled (Parse does it).
func NewValidator(s *Schema, opts Options) *Validator {
	if opts.LimitErrors <= 0 {
		opts.LimitErrors = DefaultLimitErrors
	}
	v := &Validator{s: s, opts: opts, pk: map[string]int{}, unique: make([]map[any]int, len(s.Fields))}
	for i, f := range s.Fields {
		if f.Constraints.Unique {
			v.unique[i] = map[any]int{}
		}
	}
	return v
}

// Header checks the header labels and maps columns to fields.
func (v *Validator) Header(labels []string) []Error {
	v.nLabels = len(labels)
	if v.opts.MatchByName {
		return v.keep(v.headerByName(labels))
	}
	return v.keep(v.headerByPosition(labels))
}

// headerByPosition is Frictionless' default: column i is field i.
func (v *Validator) headerByPosition(labels []string) []Error {
	fields := v.s.Fields
	v.fieldCol = make([]int, len(fields))
	v.colField = make([]int, len(labels))
	var errs []Error
	seen := map[string]bool{}
	for i := range max(len(fields), len(labels)) {
		switch {
		case i >= len(fields):
			v.colField[i] = -1
			errs = append(errs, labelError(CodeExtraLabel, i, "", labels[i], "there is no field for this column"))
		case i >= len(labels):
			v.fieldCol[i] = -1
			errs = append(errs, labelError(CodeMissingLabel, i, fields[i].Name, "", "the column is missing"))
		default:
			v.fieldCol[i], v.colField[i] = i, i
			if e, bad := checkLabel(i, labels[i], fields[i].Name, seen); bad {
				errs = append(errs, e)
			}
		}
	}
	return errs
}

// checkLabel applies the label checks in Frictionless' order: blank, then
// duplicate, then different from the field name.
func checkLabel(i int, label, name string, seen map[string]bool) (Error, bool) {
	defer func() { seen[label] = true }()
	switch {
	case strings.TrimSpace(label) == "":
		return labelError(CodeBlankLabel, i, name, label, "the label is empty"), true
	case seen[label]:
		return labelError(CodeDuplicateLabel, i, name, label, "the label repeats an earlier one"), true
	case label != name:
		return labelError(CodeIncorrectLabel, i, name, label, fmt.Sprintf("expected %q", name)), true
	}
	return Error{}, false
}

// headerByName maps columns by label (schema sync).
func (v *Validator) headerByName(labels []string) []Error {
	v.colField = make([]int, len(labels))
	v.fieldCol = make([]int, len(v.s.Fields))
	for i := range v.fieldCol {
		v.fieldCol[i] = -1
	}
	var errs []Error
	seen := map[string]bool{}
	for i, label := range labels {
		v.colField[i] = -1
		switch {
		case strings.TrimSpace(label) == "":
			errs = append(errs, labelError(CodeBlankLabel, i, "", label, "the label is empty"))
		case seen[label]:
			errs = append(errs, labelError(CodeDuplicateLabel, i, "", label,
				"matching fields by name requires unique labels in the header"))
		default:
			v.mapByName(i, label)
		}
		seen[label] = true
	}
	return append(errs, v.unmapped()...)
}

func (v *Validator) mapByName(col int, label string) {
	for fi, f := range v.s.Fields {
		if f.Name == label {
			v.colField[col], v.fieldCol[fi] = fi, col
			return
		}
	}
	v.warnings = append(v.warnings, labelError(CodeExtraLabel, col, "", label, "no field has this name"))
}

// unmapped reports schema fields with no column: an error when the field
// is required, a warning otherwise (as Validata does).
func (v *Validator) unmapped() []Error {
	var errs []Error
	for fi, col := range v.fieldCol {
		if col >= 0 {
			continue
		}
		f := &v.s.Fields[fi]
		e := labelError(CodeMissingLabel, fi, f.Name, "", "the column is missing")
		if f.Constraints.Required || f.primary {
			errs = append(errs, e)
		} else {
			v.warnings = append(v.warnings, e)
		}
	}
	return errs
}

func labelError(code string, i int, name, label, note string) Error {
	return Error{
		Code: code, FieldNumber: i + 1, FieldName: name, Cell: label, Note: note,
		Message: fmt.Sprintf("%s in the header at position %d", code, i+1),
	}
}

// keep counts errors against the limit and drops those beyond it.
func (v *Validator) keep(errs []Error) []Error {
	room := v.opts.LimitErrors - v.errors
	if len(errs) >= room {
		errs = errs[:max(room, 0)]
		v.limitHit = true
	}
	v.errors += len(errs)
	return errs
}

// LimitReached reports whether LimitErrors errors have been returned;
// later errors are dropped, so callers may stop reading.
func (v *Validator) LimitReached() bool { return v.limitHit }

// Warnings returns what MatchByName tolerated (extra columns, missing
// optional fields).
func (v *Validator) Warnings() []Error { return v.warnings }

// Finish ends the validation. Every check is done row by row, so there is
// nothing left to report; it exists so that callers need not change if a
// table-level check (foreign keys) is added.
func (v *Validator) Finish() []Error { return nil }

// Row validates one record. rowNumber counts the header as row 1. It
// returns the cast values aligned with the schema fields, nil where a cell
// is missing or failed to cast.
func (v *Validator) Row(rowNumber int, cells []string) (catalog.Row, []Error) {
	if v.colField == nil { // no header: assume the schema's order
		v.Header(v.s.FieldNames())
	}
	row := make(catalog.Row, len(v.s.Fields))
	if v.blank(cells) {
		return row, v.keep([]Error{rowError(CodeBlankRow, rowNumber, "all cells are empty")})
	}
	var errs []Error
	for fi := range v.s.Fields {
		errs = append(errs, v.cell(row, rowNumber, fi, cells)...)
	}
	for col := v.nLabels; col < len(cells); col++ {
		errs = append(errs, cellError(CodeExtraCell, rowNumber, col, "", cells[col], "there is no column for this cell"))
	}
	if e, dup := v.primaryKey(row, rowNumber); dup {
		errs = append(errs, e)
	}
	return row, v.keep(errs)
}

// blank reports a row whose cells are all missing values.
func (v *Validator) blank(cells []string) bool {
	for _, c := range cells {
		if !v.isMissing(c) {
			return false
		}
	}
	return true
}

func (v *Validator) isMissing(c string) bool {
	for _, m := range v.s.MissingValues {
		if c == m {
			return true
		}
	}
	return false
}

// cell casts and checks the cell of field fi, storing its value in row.
func (v *Validator) cell(row catalog.Row, rowNumber, fi int, cells []string) []Error {
	f := &v.s.Fields[fi]
	col := v.fieldCol[fi]
	switch {
	case col < 0:
		return nil // reported once, as a missing label
	case col >= len(cells):
		return []Error{cellError(CodeMissingCell, rowNumber, col, f.Name, "", "the row has no cell for this field")}
	}
	raw := cells[col]
	val, err := f.Cast(raw)
	if err != nil {
		return []Error{cellError(CodeTypeError, rowNumber, col, f.Name, raw, typeNote(f, err))}
	}
	row[fi] = val
	var errs []Error
	for _, viol := range f.Check(raw, val) {
		errs = append(errs, cellError(CodeConstraint, rowNumber, col, f.Name, raw, viol.Note))
	}
	if e, dup := v.uniqueCell(fi, col, rowNumber, raw, val); dup {
		errs = append(errs, e)
	}
	return errs
}

func typeNote(f *Field, err error) string {
	note := fmt.Sprintf("type is %q", f.castError("", "").Type)
	if ce, ok := err.(*CastError); ok && ce.Reason != "" {
		note += ": " + ce.Reason
	}
	return note
}

func (v *Validator) uniqueCell(fi, col, rowNumber int, raw string, val any) (Error, bool) {
	seen := v.unique[fi]
	if seen == nil || val == nil {
		return Error{}, false
	}
	k := valueKey(val)
	if first, dup := seen[k]; dup {
		return cellError(CodeUniqueError, rowNumber, col, v.s.Fields[fi].Name, raw,
			fmt.Sprintf("the same as in the row at position %d", first)), true
	}
	seen[k] = rowNumber
	return Error{}, false
}

// primaryKey checks the composite key of a row against earlier rows.
func (v *Validator) primaryKey(row catalog.Row, rowNumber int) (Error, bool) {
	if len(v.s.PrimaryKey) == 0 {
		return Error{}, false
	}
	var key strings.Builder
	allNil := true
	for _, name := range v.s.PrimaryKey {
		val := row[v.fieldIndex(name)]
		allNil = allNil && val == nil
		fmt.Fprintf(&key, "%#v\x00", valueKey(val))
	}
	if allNil {
		return rowError(CodePrimaryKey, rowNumber, `cells composing the primary keys are all "None"`), true
	}
	if first, dup := v.pk[key.String()]; dup {
		return rowError(CodePrimaryKey, rowNumber, fmt.Sprintf("the same as in the row at position %d", first)), true
	}
	v.pk[key.String()] = rowNumber
	return Error{}, false
}

func (v *Validator) fieldIndex(name string) int {
	for i, f := range v.s.Fields {
		if f.Name == name {
			return i
		}
	}
	return -1 // unreachable: Compile checks primary key names
}

func rowError(code string, rowNumber int, note string) Error {
	return Error{Code: code, RowNumber: rowNumber, Note: note,
		Message: fmt.Sprintf("%s in row %d", code, rowNumber)}
}

func cellError(code string, rowNumber, col int, name, cell, note string) Error {
	return Error{Code: code, RowNumber: rowNumber, FieldNumber: col + 1, FieldName: name, Cell: cell, Note: note,
		Message: fmt.Sprintf("%s in row %d, field %d", code, rowNumber, col+1)}
}
