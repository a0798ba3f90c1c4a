package storetest

import (
	"context"
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/socle/socle/internal/catalog"
)

// benchFields are ten columns of mixed types, like the import benchmark's.
var benchFields = func() []catalog.Field {
	types := []catalog.FieldType{catalog.TypeText, catalog.TypeInt, catalog.TypeDouble, catalog.TypeBoolean, catalog.TypeDate,
		catalog.TypeDateTime, catalog.TypeText, catalog.TypeInt, catalog.TypeDouble, catalog.TypeText}
	out := make([]catalog.Field, len(types))
	for i, t := range types {
		out[i] = catalog.Field{Name: fmt.Sprintf("c%d", i), Type: t}
	}
	return out
}()

// benchSource yields n synthetic rows of benchFields.
type benchSource struct{ i, n int }

func (s *benchSource) Next() (catalog.Row, error) {
	if s.i == s.n {
		return nil, io.EOF
	}
	s.i++
	i := s.i
	t := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Minute)
	return catalog.Row{fmt.Sprintf("name %d", i), int64(i), float64(i) / 3, i%2 == 0, t.Truncate(24 * time.Hour),
		t, "Lyon", int64(i % 100), 1.5, "quelque chose d'un peu plus long"}, nil
}

// BenchLoad measures LoadVersion of 100,000 rows × 10 columns (rows/s),
// the same benchmark for every engine.
func BenchLoad(b *testing.B, s Store) {
	ctx := context.Background()
	if err := s.CreateDataset(ctx, &catalog.Dataset{ID: "bench", UID: "bench", Access: catalog.AccessPublic}); err != nil {
		b.Fatal(err)
	}
	const n = 100000
	for b.Loop() {
		_, err := s.LoadVersion(ctx, catalog.LoadRequest{DatasetID: "bench", Fields: benchFields, Mode: catalog.ModeReplace, Rows: &benchSource{n: n}})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}

// BenchFields returns the ten mixed-type fields of the benchmark rows.
func BenchFields() []catalog.Field { return append([]catalog.Field(nil), benchFields...) }

// BenchRows returns a source of n synthetic rows of BenchFields, for
// benchmarks outside this package (the portal's page render, say).
func BenchRows(n int) catalog.RowSource { return &benchSource{n: n} }
