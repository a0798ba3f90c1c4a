package tableschema

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/socle/socle/internal/catalog"
)

// FuzzParse feeds schema documents to Parse, seeded with the real schemas;
// a parsed schema must also survive casting and validating a row.
func FuzzParse(f *testing.F) {
	paths, _ := filepath.Glob(filepath.Join(testdata, "*", "schema.json"))
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(b))
	}
	f.Add(`{"fields":[{"name":"a","type":"date","format":"%Y-%j %p %I"}],"primaryKey":"a"}`)
	f.Fuzz(func(t *testing.T, doc string) {
		s, err := Parse(strings.NewReader(doc))
		if err != nil {
			return
		}
		v := NewValidator(s, Options{})
		v.Header(s.FieldNames())
		cells := make([]string, len(s.Fields))
		for i := range cells {
			cells[i] = "1"
		}
		v.Row(2, cells)
		v.Row(3, cells)
		s.CatalogFields()
	})
}

// FuzzCast casts arbitrary text with every type and a few formats: it must
// never panic, and a successful cast must return a documented Go type.
func FuzzCast(f *testing.F) {
	for _, seed := range []string{"", "1", "-1.5e3", "NaN", "2019-01-01", "2021-09-15T00:00:00+02",
		"06:00", "P1Y2M", "[1,2]", `{"lon":1,"lat":2}`, `{"type":"Point","coordinates":[1,2]}`,
		"1, 2", "€ 10", "true", "05/12/16 3 pm"} {
		f.Add("number", "default", seed)
	}
	f.Add("datetime", "%d/%m/%y %I %p", "05/12/16 3 pm")
	f.Add("date", "%", "x")
	f.Fuzz(func(t *testing.T, typ, format, raw string) {
		no := false
		for _, ty := range append(keys(fieldTypes), typ) {
			fld := &Field{Name: "f", Type: ty, Format: format, BareNumber: &no, DecimalChar: ",", GroupChar: " "}
			if fld.Compile() != nil {
				continue
			}
			v, err := fld.Cast(raw)
			if err == nil && v != nil && !documentedType(v) {
				t.Fatalf("%s/%s: Cast(%q) returned %T", ty, format, raw, v)
			}
			fld.Check(raw, v)
		}
	})
}

// FuzzCSV reads arbitrary bytes as CSV: the reader must not panic nor loop.
func FuzzCSV(f *testing.F) {
	f.Add("a,b\n1,\"x\ny\"\r\n\n\"unterminated")
	f.Fuzz(func(t *testing.T, data string) {
		cr := &csvReader{r: bufio.NewReader(strings.NewReader(data)), delim: ','}
		for range len(data) + 2 {
			if _, err := cr.Read(); err != nil {
				return
			}
		}
		t.Fatal("reader returned more records than bytes")
	})
}

func documentedType(v any) bool {
	switch v.(type) {
	case string, int64, float64, bool, catalog.GeoPoint, json.RawMessage:
		return true
	case time.Time:
		return v.(time.Time).Location() == time.UTC
	}
	return false
}
