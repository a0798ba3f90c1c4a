package export

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"

	"github.com/socle/socle/internal/catalog"
)

// readParquet opens a parquet file and returns it with all its rows.
func readParquet(t *testing.T, b []byte) (*parquet.File, []parquet.Row) {
	t.Helper()
	f, err := parquet.OpenFile(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatalf("opening parquet: %v", err)
	}
	var rows []parquet.Row
	for _, rg := range f.RowGroups() {
		rr := rg.Rows()
		buf := make([]parquet.Row, 16)
		for {
			n, err := rr.ReadRows(buf)
			for _, r := range buf[:n] {
				rows = append(rows, r.Clone())
			}
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
		}
		rr.Close()
	}
	return f, rows
}

func TestParquetSchema(t *testing.T) {
	f, _ := readParquet(t, export(t, Parquet, sampleFields, sampleRows(), Options{Title: "Équipements"}))
	want := []struct {
		path    string
		logical string // parquet.Type String(), "" to skip
		kind    parquet.Kind
	}{
		{"name", "STRING", parquet.ByteArray},
		{"count", "", parquet.Int64},
		{"ratio", "", parquet.Double},
		{"active", "", parquet.Boolean},
		{"day", "DATE", parquet.Int32},
		{"seen_at", "TIMESTAMP(isAdjustedToUTC=true,unit=MICROS)", parquet.Int64},
		{"location.lon", "", parquet.Double},
		{"location.lat", "", parquet.Double},
		{"area", "STRING", parquet.ByteArray},
		{"extra", "JSON", parquet.ByteArray},
	}
	paths := f.Schema().Columns()
	if len(paths) != len(want) {
		t.Fatalf("got columns %v", paths)
	}
	for i, w := range want {
		leaf, ok := f.Schema().Lookup(paths[i]...)
		if got := joinPath(paths[i]); got != w.path || !ok {
			t.Errorf("column %d: got %s, want %s", i, got, w.path)
			continue
		}
		typ := leaf.Node.Type()
		if typ.Kind() != w.kind {
			t.Errorf("%s: kind %v, want %v", w.path, typ.Kind(), w.kind)
		}
		if w.logical != "" && typ.String() != w.logical {
			t.Errorf("%s: type %s, want %s", w.path, typ.String(), w.logical)
		}
	}
	if v, _ := f.Lookup("title"); v != "Équipements" {
		t.Errorf("title metadata = %q", v)
	}
}

func joinPath(p []string) string {
	s := p[0]
	for _, e := range p[1:] {
		s += "." + e
	}
	return s
}

func TestParquetValues(t *testing.T) {
	_, rows := readParquet(t, export(t, Parquet, sampleFields, sampleRows(), Options{}))
	if len(rows) != len(sampleRows()) {
		t.Fatalf("got %d rows, want %d", len(rows), len(sampleRows()))
	}
	for i, want := range sampleRows() {
		got := decodeParquetRow(t, rows[i])
		for j, f := range sampleFields {
			w, g := comparable(f.Type, want[j]), got[j]
			if w != g {
				t.Errorf("row %d %s: got %#v, want %#v", i, f.Name, g, w)
			}
		}
	}
}

// decodeParquetRow turns a row of the sample schema back into Go values.
func decodeParquetRow(t *testing.T, r parquet.Row) []any {
	t.Helper()
	out := make([]any, 0, len(sampleFields))
	col := 0
	for _, f := range sampleFields {
		v := r[col]
		col++
		if v.IsNull() {
			if f.Type == catalog.TypeGeoPoint {
				col++
			}
			out = append(out, nil)
			continue
		}
		switch f.Type {
		case catalog.TypeText, catalog.TypeGeoShape, catalog.TypeJSON:
			out = append(out, v.String())
		case catalog.TypeInt:
			out = append(out, v.Int64())
		case catalog.TypeDouble:
			out = append(out, v.Double())
		case catalog.TypeBoolean:
			out = append(out, v.Boolean())
		case catalog.TypeDate:
			out = append(out, time.Unix(int64(v.Int32())*86400, 0).UTC())
		case catalog.TypeDateTime:
			out = append(out, time.UnixMicro(v.Int64()).UTC())
		case catalog.TypeGeoPoint:
			out = append(out, catalog.GeoPoint{Lon: v.Double(), Lat: r[col].Double()})
			col++
		}
	}
	return out
}

// comparable maps a sample value to what decodeParquetRow returns.
func comparable(t catalog.FieldType, v any) any {
	switch v := v.(type) {
	case json.RawMessage:
		return string(v)
	case time.Time:
		return v.UTC()
	}
	return v
}

func TestParquetRowGroups(t *testing.T) {
	fields := []catalog.Field{{Name: "i", Type: catalog.TypeInt}}
	rows := make([]catalog.Row, RowGroupSize+10)
	for i := range rows {
		rows[i] = catalog.Row{int64(i)}
	}
	f, got := readParquet(t, export(t, Parquet, fields, rows, Options{}))
	if n := len(f.RowGroups()); n != 2 {
		t.Errorf("got %d row groups, want 2", n)
	}
	if len(got) != len(rows) || got[len(got)-1][0].Int64() != int64(len(rows)-1) {
		t.Errorf("got %d rows", len(got))
	}
}

func TestParquetRowGroupsBoundedInBytes(t *testing.T) {
	fields := []catalog.Field{{Name: "s", Type: catalog.TypeText}}
	long := string(bytes.Repeat([]byte("x"), 1<<20))
	rows := make([]catalog.Row, 100)
	for i := range rows {
		rows[i] = catalog.Row{long}
	}
	f, got := readParquet(t, export(t, Parquet, fields, rows, Options{}))
	if n := len(f.RowGroups()); n < 2 {
		t.Errorf("100 MiB of text went into %d row group(s), want several", n)
	}
	if len(got) != len(rows) {
		t.Errorf("got %d rows, want %d", len(got), len(rows))
	}
}
