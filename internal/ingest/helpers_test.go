package ingest

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/socle/socle/internal/catalog"
)

const testdata = "../../testdata/ingest/"

// readAll drains r and returns its records.
func readAll(t *testing.T, r Reader) [][]string {
	t.Helper()
	var out [][]string
	for {
		rec, err := r.Next()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatalf("line %d: %v", r.Line(), err)
		}
		if len(rec) != len(r.Header()) {
			t.Fatalf("line %d: %d cells, header has %d", r.Line(), len(rec), len(r.Header()))
		}
		out = append(out, rec)
	}
}

// openFile opens path with Open and closes it at the end of the test.
func openFile(t *testing.T, path string, opts Options) (Reader, Info) {
	t.Helper()
	r, info, err := Open(path, opts)
	if err != nil {
		t.Fatalf("Open(%s): %v", path, err)
	}
	t.Cleanup(func() { r.Close() })
	return r, info
}

// openString reads CSV text through NewCSVReader.
func openString(t *testing.T, text string, opts Options) (Reader, Info) {
	t.Helper()
	r, info, err := NewCSVReader(strings.NewReader(text), opts)
	if err != nil {
		t.Fatalf("NewCSVReader: %v", err)
	}
	return r, info
}

// writeFile writes content to a file in a temporary directory.
func writeFile(t *testing.T, name string, content []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, content, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// infer runs a whole reader through an Inferrer.
func infer(t *testing.T, r Reader, delimiter rune) *Inferrer {
	t.Helper()
	in := NewInferrer(r.Header(), delimiter)
	for _, rec := range readAll(t, r) {
		in.Add(rec)
	}
	return in
}

// typesOf maps field names to types.
func typesOf(fields []catalog.Field) map[string]catalog.FieldType {
	m := make(map[string]catalog.FieldType, len(fields))
	for _, f := range fields {
		m[f.Name] = f.Type
	}
	return m
}
