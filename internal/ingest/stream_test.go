package ingest

import (
	"fmt"
	"io"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// generatedCSV streams n rows of a 10-column French-style CSV without ever
// holding the file, so that the test measures the reader and not the input.
type generatedCSV struct {
	n, i int
	buf  []byte
}

const generatedHeader = "id;code_insee;nom;montant;taux;date;horodatage;actif;lat;lon\n"

func newGeneratedCSV(n int) *generatedCSV {
	return &generatedCSV{n: n, buf: []byte(generatedHeader)}
}

func (g *generatedCSV) Read(p []byte) (int, error) {
	for len(g.buf) < len(p) && g.i < g.n {
		i := g.i
		g.buf = fmt.Appendf(g.buf, "%d;%05d;\"Association n°%d; quartier\";%d %03d,%02d;%d.5;2024-%02d-%02d;2024-01-02T03:04:05+02:00;%s;47.%d;-0.%d\n",
			i, i%99999, i, 1+i%900, i%1000, i%100, i%7, 1+i%12, 1+i%28, []string{"oui", "non"}[i%2], i%10000, i%10000)
		g.i++
	}
	if len(g.buf) == 0 {
		return 0, io.EOF
	}
	n := copy(p, g.buf)
	g.buf = g.buf[n:]
	return n, nil
}

// heapPeak samples HeapAlloc while fn runs and returns the highest value.
func heapPeak(fn func()) uint64 {
	var peak atomic.Uint64
	done := make(chan struct{})
	go func() {
		var m runtime.MemStats
		for {
			runtime.ReadMemStats(&m)
			if m.HeapAlloc > peak.Load() {
				peak.Store(m.HeapAlloc)
			}
			select {
			case <-done:
				return
			case <-time.After(5 * time.Millisecond):
			}
		}
	}()
	fn()
	close(done)
	return peak.Load()
}

func TestStreamingKeepsHeapFlat(t *testing.T) {
	if testing.Short() {
		t.Skip("200,000 rows")
	}
	const rows = 200_000
	runtime.GC()
	peak := heapPeak(func() { inferAndCast(t, rows) })
	if peak > 64<<20 {
		t.Errorf("heap peaked at %d MiB, want < 64 MiB", peak>>20)
	}
}

// inferAndCast runs the two passes of an ingestion over generated data.
func inferAndCast(t testing.TB, rows int) {
	r, info, err := NewCSVReader(newGeneratedCSV(rows), Options{})
	if err != nil {
		t.Fatal(err)
	}
	in := NewInferrer(r.Header(), info.Delimiter)
	n := 0
	for rec, err := r.Next(); err != io.EOF; rec, err = r.Next() {
		if err != nil {
			t.Fatal(err)
		}
		in.Add(rec)
		n++
	}
	if n != rows {
		t.Fatalf("read %d rows, want %d", n, rows)
	}
	fields := in.Fields()
	if got := fmt.Sprint(typesOf(fields)); !strings.Contains(got, "montant:double") || !strings.Contains(got, "geo_point_2d:geo_point_2d") || !strings.Contains(got, "code_insee:text") {
		t.Fatalf("types %s", got)
	}
	r, _, _ = NewCSVReader(newGeneratedCSV(rows), Options{})
	c := NewCaster(fields, r.Header(), info.Delimiter)
	for rec, err := r.Next(); err != io.EOF; rec, err = r.Next() {
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.Cast(rec); err != nil {
			t.Fatalf("line %d: %v", r.Line(), err)
		}
	}
}

func BenchmarkReadCSV(b *testing.B) {
	const rows = 100_000
	for b.Loop() {
		r, _, err := NewCSVReader(newGeneratedCSV(rows), Options{})
		if err != nil {
			b.Fatal(err)
		}
		for _, err := r.Next(); err != io.EOF; _, err = r.Next() {
			if err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(rows*b.N)/b.Elapsed().Seconds(), "rows/s")
}

func BenchmarkCast(b *testing.B) {
	const rows = 100_000
	r, info, _ := NewCSVReader(newGeneratedCSV(rows), Options{})
	in := NewInferrer(r.Header(), info.Delimiter)
	var records [][]string
	for rec, err := r.Next(); err != io.EOF; rec, err = r.Next() {
		in.Add(rec)
		if len(records) < 1000 {
			records = append(records, rec)
		}
	}
	c := NewCaster(in.Fields(), r.Header(), info.Delimiter)
	n := 0
	for b.Loop() {
		for range rows / len(records) {
			for _, rec := range records {
				if _, err := c.Cast(rec); err != nil {
					b.Fatal(err)
				}
				n++
			}
		}
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "rows/s")
}
