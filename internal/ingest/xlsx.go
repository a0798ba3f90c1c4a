package ingest

import (
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/socle/socle/internal/errs"
	"github.com/xuri/excelize/v2"
)

// xlsxReader is the Reader for one worksheet. excelize's row iterator
// decodes the sheet XML as it goes, so rows are not all held at once (the
// shared-strings table is, as in every XLSX reader).
type xlsxReader struct {
	file   *excelize.File
	rows   *excelize.Rows
	header []string
	line   int
}

// isoDateOptions makes cells with Excel's built-in short date format (the
// usual one for dates) come out as ISO dates rather than "m/d/yy".
var isoDateOptions = excelize.Options{ShortDatePattern: "yyyy-mm-dd", LongTimePattern: "hh:mm:ss"}

func openXLSX(path, sheet string) (Reader, Info, error) {
	info := Info{Format: FormatXLSX, Encoding: EncodingUTF8}
	f, err := excelize.OpenFile(path, isoDateOptions)
	if err != nil {
		return nil, info, errs.Wrap(errs.Invalid, err, "cannot open %s as XLSX", filepath.Base(path))
	}
	if sheet == "" {
		sheet = f.GetSheetName(0)
	}
	width, err := sheetWidth(f, sheet)
	if err != nil {
		f.Close()
		return nil, info, errs.Wrap(errs.Invalid, err, "no sheet %q in %s", sheet, filepath.Base(path))
	}
	rows, err := f.Rows(sheet)
	if err != nil {
		f.Close()
		return nil, info, errs.Wrap(errs.Invalid, err, "no sheet %q in %s", sheet, filepath.Base(path))
	}
	r := &xlsxReader{file: f, rows: rows}
	if err := r.readHeader(width); err != nil {
		r.Close()
		return nil, info, err
	}
	return r, info, nil
}

// sheetWidth is the widest row of a sheet. excelize drops trailing empty
// cells, so a header whose last labels are blank looks narrower than the data
// under it; a first pass over the rows finds the real width.
func sheetWidth(f *excelize.File, sheet string) (int, error) {
	rows, err := f.Rows(sheet)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	width := 0
	for rows.Next() {
		cells, err := rows.Columns(excelize.Options{RawCellValue: true})
		if err != nil {
			return 0, err
		}
		width = max(width, len(cells))
	}
	return width, rows.Error()
}

func (r *xlsxReader) readHeader(width int) error {
	cells, err := r.nextRow()
	if err == io.EOF {
		return errs.E(errs.Invalid, "the sheet is empty: no header row")
	}
	if err != nil {
		return err
	}
	for len(cells) < width {
		cells = append(cells, "")
	}
	for i, c := range cells {
		if strings.TrimSpace(c) == "" {
			cells[i] = fmt.Sprintf("column_%d", i+1)
		}
	}
	r.header = cells
	return nil
}

// nextRow returns the next row's formatted values. Rows that are entirely
// blank are skipped, like the blank lines of a CSV file.
func (r *xlsxReader) nextRow() ([]string, error) {
	for r.rows.Next() {
		r.line++
		cells, err := r.rows.Columns()
		if err != nil {
			return nil, errs.Wrap(errs.Invalid, err, "row %d: cannot read the sheet", r.line)
		}
		if strings.TrimSpace(strings.Join(cells, "")) != "" {
			return cells, nil
		}
	}
	if err := r.rows.Error(); err != nil {
		return nil, errs.Wrap(errs.Invalid, err, "row %d: cannot read the sheet", r.line)
	}
	return nil, io.EOF
}

func (r *xlsxReader) Header() []string { return r.header }
func (r *xlsxReader) Line() int        { return r.line }

// Next returns the next row padded to the header's width; a row wider than
// the header is an error unless the extra cells are empty, which spreadsheets
// often leave behind formatting.
func (r *xlsxReader) Next() ([]string, error) {
	cells, err := r.nextRow()
	if err != nil {
		return nil, err
	}
	for len(cells) > len(r.header) {
		if strings.TrimSpace(cells[len(cells)-1]) != "" {
			return nil, errs.E(errs.Invalid, "row %d: %d cells but the header has %d columns", r.line, len(cells), len(r.header))
		}
		cells = cells[:len(cells)-1]
	}
	for len(cells) < len(r.header) {
		cells = append(cells, "")
	}
	return cells, nil
}

func (r *xlsxReader) Close() error {
	r.rows.Close()
	return r.file.Close()
}
