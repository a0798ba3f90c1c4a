package export

import (
	"bytes"
	"fmt"
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/socle/socle/internal/catalog"
)

// openXLSX opens an xlsx file produced by an export.
func openXLSX(t *testing.T, b []byte) *excelize.File {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("opening xlsx: %v", err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func TestXLSXValues(t *testing.T) {
	f := openXLSX(t, export(t, XLSX, sampleFields, sampleRows(), Options{Title: "Équipements: sportifs / 2024 [v2] de la métropole"}))
	sheet := f.GetSheetName(0)
	if want := "Équipements  sportifs   2024  v"; sheet != want {
		t.Errorf("sheet name %q, want %q", sheet, want)
	}
	raw, err := f.GetRows(sheet, excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	shown, err := f.GetRows(sheet)
	if err != nil {
		t.Fatal(err)
	}
	if len(raw) != 1+len(sampleRows()) {
		t.Fatalf("got %d rows, want %d", len(raw), 1+len(sampleRows()))
	}
	for j, fd := range sampleFields {
		if got := cellAt(raw[0], j); got != fd.Name {
			t.Errorf("header %d: got %q, want %q", j, got, fd.Name)
		}
	}
	for i, row := range sampleRows() {
		for j, fd := range sampleFields {
			want := TextValue(fd.Type, row[j])
			got := cellAt(raw[i+1], j)
			switch fd.Type {
			case catalog.TypeDate:
				got = cellAt(shown[i+1], j)
			case catalog.TypeDateTime:
				got = cellAt(shown[i+1], j)
				if want != "" {
					want = strings.Replace(want[:19], "T", " ", 1)
				}
			case catalog.TypeBoolean:
				got = map[string]string{"1": "true", "0": "false", "": ""}[got]
			case catalog.TypeDouble:
				if got != "" {
					x, _ := strconv.ParseFloat(got, 64)
					got = TextValue(fd.Type, x)
				}
			}
			if got != want {
				t.Errorf("row %d %s: got %q, want %q", i, fd.Name, got, want)
			}
		}
	}
	cell, _ := excelize.CoordinatesToCellName(2, 2)
	if typ, _ := f.GetCellType(sheet, cell); typ != excelize.CellTypeUnset && typ != excelize.CellTypeNumber {
		t.Errorf("int cell has type %v, want a number", typ)
	}
}

func cellAt(row []string, i int) string {
	if i < len(row) {
		return row[i]
	}
	return ""
}

func TestSheetName(t *testing.T) {
	tests := []struct{ title, want string }{
		{"", "data"},
		{"   ", "data"},
		{"Budget 2024", "Budget 2024"},
		{"a/b\\c?d*e:f[g]h", "a b c d e f g h"},
		{"'quoted'", "quoted"},
		{"History", "data"},
		{strings.Repeat("é", 40), strings.Repeat("é", 31)},
	}
	for _, tt := range tests {
		if got := sheetName(tt.title); got != tt.want {
			t.Errorf("sheetName(%q) = %q, want %q", tt.title, got, tt.want)
		}
	}
}

func TestXLSXEdgeValues(t *testing.T) {
	fields := []catalog.Field{{Name: "d", Type: catalog.TypeDate}, {Name: "x", Type: catalog.TypeDouble}}
	rows := []catalog.Row{{day(1850, 3, 1), math.NaN()}, {day(1900, 1, 1), math.Inf(1)}}
	f := openXLSX(t, export(t, XLSX, fields, rows, Options{}))
	got, err := f.GetRows("data")
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{{"d", "x"}, {"1850-03-01"}, {"1900-01-01"}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("got %q, want %q", got, want)
	}
}
