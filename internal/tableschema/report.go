package tableschema

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"strings"
)

// Report is the outcome of validating one file.
type Report struct {
	Valid     bool    `json:"valid"`
	Stats     Stats   `json:"stats"`
	Errors    []Error `json:"errors"`
	Warnings  []Error `json:"warnings,omitempty"`
	Encoding  string  `json:"encoding,omitempty"`  // as read: utf-8, windows-1252…
	Delimiter string  `json:"delimiter,omitempty"` // as read
	// Truncated is set when LimitErrors stopped the validation early.
	Truncated bool `json:"truncated,omitempty"`
}

// Stats counts what the validation saw.
type Stats struct {
	Rows     int `json:"rows"` // records after the header
	Fields   int `json:"fields"`
	Errors   int `json:"errors"`
	Warnings int `json:"warnings"`
}

// ValidateFile reads a CSV file and validates it against s; a nil s
// validates only the structure, against InferStrings of the header. The
// encoding is UTF-8 (a BOM is dropped) or, when the bytes are not valid
// UTF-8, Windows-1252; the delimiter is sniffed from the header line.
// Problems with the file's content are in the report; the error is for
// files that cannot be read at all.
func ValidateFile(path string, s *Schema, opts Options) (*Report, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("tableschema: %w", err)
	}
	defer f.Close()
	enc, encErr, err := detectEncoding(f, opts.Encoding)
	if err != nil {
		return nil, fmt.Errorf("tableschema: %s: %w", path, err)
	}
	if encErr != nil {
		return finish(&Report{Encoding: enc}, []Error{*encErr}, nil), nil
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return nil, fmt.Errorf("tableschema: %s: %w", path, err)
	}
	rep, err := validateReader(f, enc, s, opts)
	if err != nil {
		return nil, fmt.Errorf("tableschema: %s: %w", path, err)
	}
	return rep, nil
}

// detectEncoding picks the encoding; when UTF-8 is forced on bytes that are
// not UTF-8 it returns an encoding-error instead.
func detectEncoding(r io.Reader, forced string) (string, *Error, error) {
	norm := strings.ToLower(forced)
	if norm != "" && norm != "utf-8" && norm != "utf8" {
		return forced, nil, nil
	}
	off, b, err := invalidUTF8(r)
	switch {
	case err != nil:
		return "", nil, err
	case off < 0:
		return "utf-8", nil, nil
	case norm == "":
		return "windows-1252", nil, nil // what French spreadsheets save
	}
	note := fmt.Sprintf("'utf-8' codec can't decode byte 0x%02x in position %d", b, off)
	return "utf-8", &Error{Code: CodeEncodingError, Message: "the file is not valid UTF-8", Note: note}, nil
}

// validateReader runs the validator over the records of r.
func validateReader(r io.Reader, enc string, s *Schema, opts Options) (*Report, error) {
	dr, err := decoder(r, enc)
	if err != nil {
		return nil, err
	}
	br := bufio.NewReaderSize(dr, 64<<10)
	if head, _ := br.Peek(3); bytes.Equal(head, utf8BOM) {
		br.Discard(3)
	}
	delim := byte(opts.Delimiter)
	if opts.Delimiter == 0 || opts.Delimiter > 127 {
		delim = sniffDelimiter(firstLine(br))
	}
	rep := &Report{Encoding: enc, Delimiter: string(rune(delim))}
	cr := &csvReader{r: br, delim: delim}
	header, err := cr.Read()
	if err == io.EOF {
		e := Error{Code: CodeSourceError, Message: "the file is empty"}
		return finish(rep, []Error{e}, nil), nil
	}
	if err != nil {
		return nil, err
	}
	if s == nil {
		s = InferStrings(header)
	}
	return readRows(rep, cr, header, s, opts)
}

func readRows(rep *Report, cr *csvReader, header []string, s *Schema, opts Options) (*Report, error) {
	v := NewValidator(s, opts)
	errs := v.Header(header)
	rep.Stats.Fields = len(s.Fields)
	for rowNumber := 2; !v.LimitReached(); rowNumber++ {
		cells, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("row %d: %w", rowNumber, err)
		}
		rep.Stats.Rows++
		_, rowErrs := v.Row(rowNumber, cells)
		errs = append(errs, rowErrs...)
	}
	errs = append(errs, v.Finish()...)
	rep.Truncated = v.LimitReached()
	return finish(rep, errs, v.Warnings()), nil
}

func finish(rep *Report, errs, warnings []Error) *Report {
	if errs == nil {
		errs = []Error{} // JSON "errors": [] rather than null
	}
	rep.Errors, rep.Warnings = errs, warnings
	rep.Stats.Errors, rep.Stats.Warnings = len(errs), len(warnings)
	rep.Valid = len(errs) == 0
	return rep
}

// WriteText writes a readable report: a verdict line, then one line per
// error such as "row 3, field 7 (date_maj): type-error: …".
func (r *Report) WriteText(w io.Writer) error {
	bw := bufio.NewWriter(w)
	verdict := "valid"
	if !r.Valid {
		verdict = "invalid"
	}
	fmt.Fprintf(bw, "%s: %d rows, %d errors, %d warnings\n", verdict, r.Stats.Rows, r.Stats.Errors, r.Stats.Warnings)
	for _, e := range r.Errors {
		fmt.Fprintln(bw, e.String())
	}
	for _, e := range r.Warnings {
		fmt.Fprintln(bw, "warning: "+e.String())
	}
	if r.Truncated {
		fmt.Fprintln(bw, "(error limit reached: validation stopped)")
	}
	return bw.Flush()
}

// String renders the error on one line.
func (e Error) String() string {
	var where []string
	if e.RowNumber > 0 {
		where = append(where, fmt.Sprintf("row %d", e.RowNumber))
	} else if e.FieldNumber > 0 {
		where = append(where, "header")
	}
	if e.FieldNumber > 0 {
		f := fmt.Sprintf("field %d", e.FieldNumber)
		if e.FieldName != "" {
			f += " (" + e.FieldName + ")"
		}
		where = append(where, f)
	}
	detail := e.Note
	if e.Cell != "" {
		detail = fmt.Sprintf("%q: %s", e.Cell, e.Note)
	}
	if detail == "" {
		detail = e.Message
	}
	if len(where) == 0 {
		return e.Code + ": " + detail
	}
	return strings.Join(where, ", ") + ": " + e.Code + ": " + detail
}
