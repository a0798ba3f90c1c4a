package export

import (
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"github.com/socle/socle/internal/catalog"
	"github.com/socle/socle/internal/errs"
)

// Limits of the xlsx format.
const (
	xlsxMaxRows      = 1 << 20 // rows per sheet, header included
	xlsxMaxCellChars = 32767   // characters per cell
	xlsxMaxSheetName = 31
)

// xlsxWriter writes one sheet through excelize's StreamWriter, which keeps
// rows in a temporary file, so memory stays flat. Numbers and booleans are
// typed cells, dates and datetimes are Excel dates (UTC) with a yyyy-mm-dd
// and yyyy-mm-dd hh:mm:ss format (text before 1900, which Excel cannot
// represent), the rest is text as TextValue gives it.
// Text longer than Excel's cell limit is truncated; more rows than a sheet
// holds is an errs.TooLarge error.
type xlsxWriter struct {
	out      io.Writer
	file     *excelize.File
	sw       *excelize.StreamWriter
	fields   []catalog.Field
	dateID   int // style of date cells
	timeID   int // style of datetime cells
	row      int // last row written, 1 is the header
	cells    []any
	finished bool
}

func newXLSXWriter(w io.Writer, fields []catalog.Field, opts Options) (*xlsxWriter, error) {
	x := &xlsxWriter{out: w, file: excelize.NewFile(), fields: fields, cells: make([]any, len(fields))}
	if err := x.init(sheetName(opts.Title)); err != nil {
		x.file.Close()
		return nil, errs.Wrap(errs.Internal, err, "export: starting the xlsx sheet")
	}
	return x, nil
}

func (x *xlsxWriter) init(sheet string) error {
	if err := x.file.SetSheetName("Sheet1", sheet); err != nil {
		return err
	}
	bold, err := x.file.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return err
	}
	date, dt := "yyyy-mm-dd", "yyyy-mm-dd hh:mm:ss"
	if x.dateID, err = x.file.NewStyle(&excelize.Style{CustomNumFmt: &date}); err != nil {
		return err
	}
	if x.timeID, err = x.file.NewStyle(&excelize.Style{CustomNumFmt: &dt}); err != nil {
		return err
	}
	if x.sw, err = x.file.NewStreamWriter(sheet); err != nil {
		return err
	}
	header := make([]any, len(x.fields))
	for i, f := range x.fields {
		header[i] = excelize.Cell{StyleID: bold, Value: f.Name}
	}
	x.row = 1
	return x.sw.SetRow("A1", header, excelize.RowOpts{StyleID: bold})
}

// sheetName turns a title into a valid sheet name: no []:*?/\ characters,
// at most 31 characters, "data" when empty.
func sheetName(title string) string {
	name := strings.Map(func(r rune) rune {
		if strings.ContainsRune(`[]:*?/\`, r) || r < ' ' {
			return ' '
		}
		return r
	}, title)
	name = strings.Trim(strings.TrimSpace(name), "'")
	if utf8.RuneCountInString(name) > xlsxMaxSheetName {
		name = strings.TrimSpace(string([]rune(name)[:xlsxMaxSheetName]))
	}
	if name == "" || strings.EqualFold(name, "history") {
		return "data"
	}
	return name
}

func (x *xlsxWriter) Write(row catalog.Row) error {
	if err := checkRow(row, x.fields); err != nil {
		return err
	}
	if x.row >= xlsxMaxRows {
		return errs.E(errs.TooLarge, "xlsx export is limited to %d rows", xlsxMaxRows-1)
	}
	for i, v := range row {
		x.cells[i] = x.cell(x.fields[i].Type, v)
	}
	x.row++
	cell, err := excelize.CoordinatesToCellName(1, x.row)
	if err == nil {
		err = x.sw.SetRow(cell, x.cells)
	}
	if err != nil {
		return errs.Wrap(errs.Internal, err, "export: writing an xlsx row")
	}
	return nil
}

// cell returns the excelize cell value of v, nil for an empty cell.
func (x *xlsxWriter) cell(t catalog.FieldType, v any) any {
	switch v := v.(type) {
	case nil:
		return nil
	case int64, bool:
		return v
	case float64:
		if !finite(v) {
			return nil
		}
		return v
	case time.Time:
		if v.UTC().Year() < 1900 { // before Excel's epoch: text
			return TextValue(t, v)
		}
		if t == catalog.TypeDate {
			return excelize.Cell{StyleID: x.dateID, Value: v.UTC()}
		}
		return excelize.Cell{StyleID: x.timeID, Value: v.UTC()}
	}
	s := TextValue(t, v)
	if utf8.RuneCountInString(s) > xlsxMaxCellChars {
		s = string([]rune(s)[:xlsxMaxCellChars])
	}
	return s
}

func (x *xlsxWriter) Close() error {
	if x.finished {
		return nil
	}
	x.finished = true
	defer x.file.Close()
	if err := x.sw.Flush(); err != nil {
		return errs.Wrap(errs.Internal, err, "export: flushing the xlsx sheet")
	}
	if _, err := x.file.WriteTo(x.out); err != nil {
		return errs.Wrap(errs.Internal, err, "export: writing the xlsx file")
	}
	return nil
}
