package export

import (
	"io"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/socle/socle/internal/catalog"
)

// wideFields are the ten columns of the streaming tests and benchmarks.
var wideFields = []catalog.Field{
	{Name: "id", Type: catalog.TypeInt},
	{Name: "code", Type: catalog.TypeText},
	{Name: "label", Type: catalog.TypeText},
	{Name: "population", Type: catalog.TypeInt},
	{Name: "area_km2", Type: catalog.TypeDouble},
	{Name: "density", Type: catalog.TypeDouble},
	{Name: "created", Type: catalog.TypeDate},
	{Name: "households", Type: catalog.TypeInt},
	{Name: "income", Type: catalog.TypeDouble},
	{Name: "note", Type: catalog.TypeText},
}

// wideRow fills row with the values of row number i, reusing its storage.
func wideRow(row catalog.Row, i int) {
	row[0] = int64(i)
	row[1] = strconv.Itoa(10000 + i%90000)
	row[2] = "Commune numéro " + strconv.Itoa(i)
	row[3] = int64(i * 37 % 2_000_000)
	row[4] = float64(i%5000) / 7
	row[5] = float64(i%1000) * 1.5
	row[6] = time.Unix(int64(i%20000)*86400, 0).UTC()
	row[7] = int64(i % 100000)
	if i%10 == 0 {
		row[8] = nil
	} else {
		row[8] = 20000 + float64(i%3000)/3
	}
	row[9] = "texte; avec \"guillemets\""
}

const memoryLimit = 100 << 20

// TestStreamingMemory writes a million rows and checks that the heap stays
// bounded: a memory bound, not a timing assertion.
func TestStreamingMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("writes a million rows")
	}
	for _, f := range []Format{CSV, Parquet} {
		t.Run(string(f), func(t *testing.T) {
			peak := writeRows(t, f, 1_000_000)
			t.Logf("%s: peak HeapAlloc %.1f MiB over 1,000,000 rows", f, float64(peak)/(1<<20))
			if peak > memoryLimit {
				t.Errorf("peak HeapAlloc %d MiB, want under %d MiB", peak>>20, memoryLimit>>20)
			}
		})
	}
}

// writeRows exports n rows of wideFields to io.Discard and returns the peak
// HeapAlloc, sampled every 50,000 rows.
func writeRows(t *testing.T, f Format, n int) uint64 {
	t.Helper()
	// Two collections empty the sync.Pools (parquet-go's buffer pools) that
	// earlier tests filled, so that only this export is measured.
	runtime.GC()
	runtime.GC()
	w, err := NewWriter(f, io.Discard, wideFields, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var peak uint64
	var ms runtime.MemStats
	row := make(catalog.Row, len(wideFields))
	for i := range n {
		wideRow(row, i)
		if err := w.Write(row); err != nil {
			t.Fatal(err)
		}
		if i%50_000 == 0 {
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapAlloc)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	runtime.ReadMemStats(&ms)
	return max(peak, ms.HeapAlloc)
}

func benchmarkFormat(b *testing.B, f Format) {
	w, err := NewWriter(f, io.Discard, wideFields, Options{})
	if err != nil {
		b.Fatal(err)
	}
	row := make(catalog.Row, len(wideFields))
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		wideRow(row, i)
		if err := w.Write(row); err != nil {
			b.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}

func BenchmarkCSV(b *testing.B)     { benchmarkFormat(b, CSV) }
func BenchmarkJSON(b *testing.B)    { benchmarkFormat(b, JSON) }
func BenchmarkParquet(b *testing.B) { benchmarkFormat(b, Parquet) }
func BenchmarkXLSX(b *testing.B)    { benchmarkFormat(b, XLSX) }
