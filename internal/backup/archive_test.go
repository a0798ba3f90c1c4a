package backup

import (
	"archive/zip"
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/socle/socle/internal/errs"
)

var testTable = Table{Name: "things", Kind: Platform, Columns: []Column{
	{Name: "id", Type: Integer}, {Name: "label", Type: String}, {Name: "t", Type: DateTime}, {Name: "doc", Type: JSON},
}}

// writeTestArchive writes one table through the archive writer.
func writeTestArchive(t testing.TB, rows [][]any) []byte {
	var buf bytes.Buffer
	aw := newArchiveWriter(&buf, "test", 1, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	rw, err := aw.begin(testTable)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if err := rw.row(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := rw.end(); err != nil {
		t.Fatal(err)
	}
	if _, err := aw.close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func saveTemp(t testing.TB, b []byte) string {
	p := filepath.Join(t.TempDir(), "a.zip")
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestArchiveRoundTrip(t *testing.T) {
	t1 := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	b := writeTestArchive(t, [][]any{
		{int64(1), "", t1, `{"b":2,"a":1}`},
		{int64(2), nil, t1.Add(48 * time.Hour), nil},
		{int64(3), "a,\"b\"\nc", nil, `[]`},
	})
	a, err := Open(saveTemp(t, b))
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if err := a.Verify(); err != nil {
		t.Fatal(err)
	}
	res := a.Package.Resources[0]
	if res.Rows != 3 || res.TimeRange == nil || !res.TimeRange.Min.Equal(t1) || !res.TimeRange.Max.Equal(t1.Add(48*time.Hour)) {
		t.Errorf("resource %+v", res)
	}
	var got [][]any
	if _, _, _, err := a.rows(res, func(v []any) error { got = append(got, append([]any(nil), v...)); return nil }); err != nil {
		t.Fatal(err)
	}
	// An empty string and a null stay distinct; JSON is canonical.
	if got[0][1] != "" || got[1][1] != nil || got[0][3] != `{"a":1,"b":2}` || got[2][1] != "a,\"b\"\nc" || got[2][2] != nil {
		t.Errorf("rows %v", got)
	}
}

func TestOpenRefuses(t *testing.T) {
	good := writeTestArchive(t, [][]any{{int64(1), "x", nil, nil}})
	noManifest := rezip(t, good, func(name string, b []byte) (string, []byte) {
		if name == "datapackage.json" {
			return "other.json", b
		}
		return name, b
	})
	tampered := rezip(t, good, func(name string, b []byte) (string, []byte) {
		if name == "platform/things.csv" {
			return name, bytes.Replace(b, []byte("x"), []byte("y"), 1)
		}
		return name, b
	})
	for name, b := range map[string][]byte{"not a zip": []byte("hello"), "no manifest": noManifest} {
		if _, err := Open(saveTemp(t, b)); !errs.Is(err, errs.Invalid) {
			t.Errorf("%s: %v, want Invalid", name, err)
		}
	}
	a, err := Open(saveTemp(t, tampered))
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if err := a.Verify(); !errs.Is(err, errs.Invalid) {
		t.Errorf("tampered: %v, want Invalid", err)
	}
}

func rezip(t testing.TB, b []byte, edit func(string, []byte) (string, []byte)) []byte {
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for _, f := range zr.File {
		r, _ := f.Open()
		var body bytes.Buffer
		body.ReadFrom(r)
		r.Close()
		name, nb := edit(f.Name, body.Bytes())
		w, _ := zw.Create(name)
		w.Write(nb)
	}
	zw.Close()
	return out.Bytes()
}

// FuzzOpen: a hostile manifest or CSV is refused with an error, never a
// panic, and never verifies unless it is the archive it claims to be.
func FuzzOpen(f *testing.F) {
	good := writeTestArchive(f, [][]any{{int64(1), "x", time.Unix(0, 0), `{"a":1}`}})
	zr, _ := zip.NewReader(bytes.NewReader(good), int64(len(good)))
	var manifest, csv []byte
	for _, zf := range zr.File {
		r, _ := zf.Open()
		var body bytes.Buffer
		body.ReadFrom(r)
		switch zf.Name {
		case "datapackage.json":
			manifest = body.Bytes()
		case "platform/things.csv":
			csv = body.Bytes()
		}
	}
	f.Add(manifest, csv)
	f.Fuzz(func(t *testing.T, m, c []byte) {
		b := rezip(t, good, func(name string, b []byte) (string, []byte) {
			switch name {
			case "datapackage.json":
				return name, m
			case "platform/things.csv":
				return name, c
			}
			return name, b
		})
		a, err := Open(saveTemp(t, b))
		if err != nil {
			return
		}
		defer a.Close()
		_ = a.Verify()
	})
}
