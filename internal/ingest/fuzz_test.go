package ingest

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/socle/socle/internal/catalog"
)

func FuzzCSVReader(f *testing.F) {
	for _, seed := range []string{"a,b\n1,2\n", "a;b\r\n\"x\ny\";2\r\n", "\xEF\xBB\xBFa\tb\n\xe9\t1\n", "a|b\n\"unterminated|2\n", "a,b\n1,2,3\n", "\xFF\xFEa\x00,\x00b\x00",
		// quotes: bare in an unquoted cell, unclosed, stray after a closing quote, not doubled
		"a;b\n5\" pouces;2\n", "a;b\n3;\"unterminated\n4;5\n", "a;b\n\"abc\"def;2\n", "a,b\n\"Le \"Petit\" prince\",2\n", "a;b\n\"x\"\ry;2\n",
		// not text tables: Parquet, gzip, ZIP, SQLite, NUL bytes, blank header
		"PAR1\x15\x04\x15\x10", "\x1f\x8b\x08\x00", "PK\x03\x04\x14\x00", "SQLite format 3\x00", "\x00\x00\x00\x00", "a,b\n1,\x002\n", "   \n \t\n", ";;\n1;2;3\n",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		r, _, err := NewCSVReader(bytes.NewReader(data), Options{})
		if err != nil {
			return
		}
		for range 10000 {
			rec, err := r.Next()
			if errors.Is(err, io.EOF) {
				return
			}
			if err != nil {
				continue // a bad record does not end the stream
			}
			if len(rec) != len(r.Header()) {
				t.Fatalf("line %d: %d cells, header has %d", r.Line(), len(rec), len(r.Header()))
			}
			for _, cell := range rec {
				if strings.IndexByte(cell, 0) >= 0 || strings.IndexByte(cell, bareQuote) >= 0 {
					t.Fatalf("line %d: cell %q holds a NUL or a bare-quote placeholder", r.Line(), cell)
				}
			}
		}
	})
}

// FuzzInferCast checks that whatever type inference picks for a column,
// casting the very cells it saw succeeds and yields that type's Go value.
func FuzzInferCast(f *testing.F) {
	for _, seed := range []string{"1 234", "26 956,00", "01053", "2021-09-15T00:00:00+02", "47.47, -0.55", `{"type":"Point","coordinates":[1,2]}`, "[1,2]", "oui", "1e5", "-0", "9\u202f999,5"} {
		f.Add(seed, seed, byte(';'))
	}
	f.Fuzz(func(t *testing.T, a, b string, delim byte) {
		for _, name := range []string{"x", "geo_point_2d"} {
			header := []string{name}
			in := NewInferrer(header, rune(delim))
			in.Add([]string{a})
			in.Add([]string{b})
			fields := in.Fields()
			c := NewCaster(fields, header, rune(delim))
			for _, cell := range []string{a, b} {
				row, err := c.Cast([]string{cell})
				if err != nil {
					t.Fatalf("%s inferred for %q, %q but %q does not cast: %v", fields[0].Type, a, b, cell, err)
				}
				checkGoType(t, fields[0].Type, row[0])
			}
		}
	})
}

func checkGoType(t *testing.T, typ catalog.FieldType, v any) {
	t.Helper()
	if v == nil {
		return
	}
	ok := false
	switch typ {
	case catalog.TypeText:
		_, ok = v.(string)
	case catalog.TypeInt:
		_, ok = v.(int64)
	case catalog.TypeDouble:
		_, ok = v.(float64)
	case catalog.TypeBoolean:
		_, ok = v.(bool)
	case catalog.TypeGeoPoint:
		_, ok = v.(catalog.GeoPoint)
	default:
		ok = true
	}
	if !ok {
		t.Fatalf("%s value %T", typ, v)
	}
}
