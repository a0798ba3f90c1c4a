package ngsild

import (
	"encoding/json"
	"testing"
)

// BenchmarkMarshalAttrs encodes a WasteContainer's attributes; compare
// with BenchmarkMarshalAttrsBaseline (encoding/json, same output).
func BenchmarkMarshalAttrs(b *testing.B) {
	e := testEntity(&testing.T{})
	for range b.N {
		if _, err := MarshalAttrs(e.Attrs); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkMarshalAttrsBaseline(b *testing.B) {
	e := testEntity(&testing.T{})
	for range b.N {
		if _, err := json.Marshal(e.Attrs); err != nil {
			b.Fatal(err)
		}
	}
}
