package storetest

import (
	"encoding/json"
	"errors"
	"fmt"
	"testing"

	"github.com/socle/socle/internal/catalog"
	"github.com/socle/socle/internal/errs"
)

// allFields has one field of every type.
var allFields = []catalog.Field{
	{Name: "name", Label: "Nom", Type: catalog.TypeText, Facet: true},
	{Name: "n", Type: catalog.TypeInt},
	{Name: "x", Type: catalog.TypeDouble},
	{Name: "ok", Type: catalog.TypeBoolean},
	{Name: "d", Type: catalog.TypeDate},
	{Name: "at", Type: catalog.TypeDateTime},
	{Name: "pt", Type: catalog.TypeGeoPoint},
	{Name: "shape", Type: catalog.TypeGeoShape},
	{Name: "meta", Type: catalog.TypeJSON},
}

var allRows = []catalog.Row{
	{`Éclairage "public" rue d'Alsace`, int64(42), 3.25, true, day(2024, 2, 29), ts("2024-03-01T12:34:56.789123Z"),
		catalog.GeoPoint{Lon: 4.8357, Lat: 45.764}, json.RawMessage(`{"type":"Point","coordinates":[4.8357,45.764]}`),
		json.RawMessage(`{"a":[1,2],"b":"é"}`)},
	{nil, nil, nil, nil, nil, nil, nil, nil, nil},
	{"l'été œuvre", int64(-9007199254740993), -0.5, false, day(1999, 12, 31), ts("2000-01-01T00:00:00Z"),
		catalog.GeoPoint{Lon: -1.5, Lat: -20.25}, json.RawMessage(`{"type":"LineString","coordinates":[[0,0],[1,1]]}`),
		json.RawMessage(`[true,null]`)},
	{"", int64(0), 0.0, false, day(1, 1, 1), ts("1969-07-20T20:17:40.000001Z"), catalog.GeoPoint{}, nil, json.RawMessage(`"x"`)},
}

func testAllTypes(t *testing.T, s Store) {
	ds := newDataset(t, s, "all")
	ref := load(t, s, "all", catalog.ModeReplace, allFields, allRows)
	if ref.Version != 1 || ref.Records != int64(len(allRows)) || ref.Mode != "replace" || ref.Actor != "tester" {
		t.Errorf("version ref: %+v", ref)
	}
	got, err := s.Dataset(ctx, "all")
	must(t, err)
	if got.Version != 1 || got.Records != 4 || len(got.Fields) != len(allFields) || got.Fields[0] != allFields[0] ||
		len(got.Versions) != 1 || got.Versions[0].Version != 1 || got.Versions[0].Records != 4 {
		t.Errorf("dataset after load: %+v", got)
	}
	res := run(t, s, ds, query(t, "", "", "", "", 100))
	if len(res.cols) != len(allFields) {
		t.Fatalf("got %d columns, want %d", len(res.cols), len(allFields))
	}
	for i, c := range res.cols {
		if c.Name != allFields[i].Name || c.Type != allFields[i].Type {
			t.Errorf("column %d: got %s %s, want %s %s", i, c.Name, c.Type, allFields[i].Name, allFields[i].Type)
		}
	}
	wantRows(t, res.rows, allRows)
	for i, id := range res.ids {
		if id != int64(i+1) {
			t.Errorf("row %d has ID %d, want %d", i, id, i+1)
		}
	}
}

var kvFields = []catalog.Field{{Name: "code", Type: catalog.TypeText}, {Name: "v", Type: catalog.TypeInt}}

func kvRows(pairs ...any) []catalog.Row {
	var out []catalog.Row
	for i := 0; i < len(pairs); i += 2 {
		out = append(out, catalog.Row{pairs[i], int64(pairs[i+1].(int))})
	}
	return out
}

func testAppend(t *testing.T, s Store) {
	ds := newDataset(t, s, "kv")
	load(t, s, "kv", catalog.ModeReplace, kvFields, kvRows("a", 1, "b", 2, "c", 3))
	ref := load(t, s, "kv", catalog.ModeAppend, kvFields, kvRows("d", 4, "a", 5))
	if ref.Version != 2 || ref.Records != 5 {
		t.Errorf("append ref: %+v", ref)
	}
	res := run(t, s, ds, query(t, "", "", "", "", 100))
	wantRows(t, res.rows, kvRows("a", 1, "b", 2, "c", 3, "d", 4, "a", 5))
	if fmt.Sprint(res.ids) != "[1 2 3 4 5]" {
		t.Errorf("IDs %v, want 1..5", res.ids)
	}
}

func testUpsert(t *testing.T, s Store) {
	ds := newDataset(t, s, "kv")
	load(t, s, "kv", catalog.ModeReplace, kvFields, kvRows("a", 1, "b", 2, "c", 3))
	// Fields are matched by name: a new order and a new field.
	fields := []catalog.Field{{Name: "extra", Type: catalog.TypeText}, {Name: "v", Type: catalog.TypeInt}, {Name: "code", Type: catalog.TypeText}}
	rows := []catalog.Row{{"new", int64(20), "b"}, {"d!", int64(4), "d"}}
	ref, err := s.LoadVersion(ctx, catalog.LoadRequest{DatasetID: "kv", Fields: fields, Mode: catalog.ModeUpsert, Keys: []string{"code"},
		Rows: &rowsSource{rows: rows}})
	must(t, err)
	if ref.Records != 4 {
		t.Errorf("upsert records %d, want 4", ref.Records)
	}
	res := run(t, s, ds, query(t, "", "", "", "code", 100))
	want := []catalog.Row{{nil, int64(1), "a"}, {"new", int64(20), "b"}, {nil, int64(3), "c"}, {"d!", int64(4), "d"}}
	wantRows(t, res.rows, want)
	if res.ids[1] != 2 {
		t.Errorf("replaced record b has ID %d, want its old ID 2", res.ids[1])
	}
	if res.ids[3] <= 3 {
		t.Errorf("new record d has ID %d, want a fresh one", res.ids[3])
	}
	_, err = s.LoadVersion(ctx, catalog.LoadRequest{DatasetID: "kv", Fields: kvFields, Mode: catalog.ModeUpsert,
		Rows: &rowsSource{rows: kvRows("a", 9)}})
	wantKind(t, err, errs.Invalid)
	_, err = s.LoadVersion(ctx, catalog.LoadRequest{DatasetID: "kv", Fields: kvFields, Mode: catalog.ModeUpsert, Keys: []string{"nope"},
		Rows: &rowsSource{rows: kvRows("a", 9)}})
	wantKind(t, err, errs.Invalid)
}

func testTypeMismatch(t *testing.T, s Store) {
	newDataset(t, s, "kv")
	load(t, s, "kv", catalog.ModeReplace, kvFields, kvRows("a", 1))
	fields := []catalog.Field{{Name: "code", Type: catalog.TypeText}, {Name: "v", Type: catalog.TypeText}}
	for _, mode := range []catalog.LoadMode{catalog.ModeAppend, catalog.ModeUpsert} {
		_, err := s.LoadVersion(ctx, catalog.LoadRequest{DatasetID: "kv", Fields: fields, Mode: mode, Keys: []string{"code"},
			Rows: &rowsSource{rows: []catalog.Row{{"b", "2"}}}})
		wantKind(t, err, errs.Invalid)
	}
	// Replace starts afresh: a new type is fine.
	load(t, s, "kv", catalog.ModeReplace, fields, []catalog.Row{{"b", "2"}})
}

// bigRows returns n rows of kvFields.
func bigRows(n int) []catalog.Row {
	rows := make([]catalog.Row, n)
	for i := range rows {
		rows[i] = catalog.Row{fmt.Sprintf("k%05d", i), int64(i)}
	}
	return rows
}

var errSource = errs.E(errs.Invalid, "row 26: bad value")

func testFailingFirstLoad(t *testing.T, s Store) {
	ds := newDataset(t, s, "kv")
	_, err := s.LoadVersion(ctx, catalog.LoadRequest{DatasetID: "kv", Fields: kvFields, Mode: catalog.ModeReplace,
		Rows: &rowsSource{rows: bigRows(100), failAfter: 25, failErr: errSource}})
	if !errors.Is(err, errSource) {
		t.Fatalf("got %v, want the source's error", err)
	}
	got, err := s.Dataset(ctx, "kv")
	must(t, err)
	if got.Version != 0 || got.Records != 0 || len(got.Versions) != 0 {
		t.Errorf("after a failed first load: %+v", got)
	}
	_, err = s.Query(ctx, ds, query(t, "", "", "", "", 10))
	wantKind(t, err, errs.NotFound)
	// A later good load works and is version 1.
	if ref := load(t, s, "kv", catalog.ModeReplace, kvFields, bigRows(3)); ref.Version != 1 {
		t.Errorf("good load after a failed one is version %d, want 1", ref.Version)
	}
}

func testFailingLaterLoad(t *testing.T, s Store) {
	ds := newDataset(t, s, "kv")
	load(t, s, "kv", catalog.ModeReplace, kvFields, kvRows("a", 1, "b", 2))
	for _, mode := range []catalog.LoadMode{catalog.ModeReplace, catalog.ModeAppend, catalog.ModeUpsert} {
		_, err := s.LoadVersion(ctx, catalog.LoadRequest{DatasetID: "kv", Fields: kvFields, Mode: mode, Keys: []string{"code"},
			Rows: &rowsSource{rows: bigRows(30000), failAfter: 25000, failErr: errSource}})
		if !errors.Is(err, errSource) {
			t.Fatalf("%s: got %v, want the source's error", mode, err)
		}
		got, err := s.Dataset(ctx, "kv")
		must(t, err)
		if got.Version != 1 || got.Records != 2 || len(got.Versions) != 1 {
			t.Errorf("%s: after a failed load: version %d, %d records, versions %+v", mode, got.Version, got.Records, got.Versions)
		}
		wantRows(t, run(t, s, ds, query(t, "", "", "", "", 10)).rows, kvRows("a", 1, "b", 2))
	}
	// A row that does not fit its field aborts too.
	_, err := s.LoadVersion(ctx, catalog.LoadRequest{DatasetID: "kv", Fields: kvFields, Mode: catalog.ModeReplace,
		Rows: &rowsSource{rows: []catalog.Row{{"a", int64(1)}, {"b"}}}})
	wantKind(t, err, errs.Invalid)
	wantRows(t, run(t, s, ds, query(t, "", "", "", "", 10)).rows, kvRows("a", 1, "b", 2))
}

func testRestore(t *testing.T, s Store) {
	ds := newDataset(t, s, "kv")
	load(t, s, "kv", catalog.ModeReplace, kvFields, kvRows("a", 1, "b", 2, "c", 3))
	load(t, s, "kv", catalog.ModeReplace, []catalog.Field{{Name: "other", Type: catalog.TypeDouble}}, []catalog.Row{{1.5}})
	must(t, s.RestoreVersion(ctx, "kv", 1))
	got, err := s.Dataset(ctx, "kv")
	must(t, err)
	if got.Version != 1 || got.Records != 3 || len(got.Fields) != 2 || got.Fields[0].Name != "code" {
		t.Errorf("after restore: %+v", got)
	}
	wantRows(t, run(t, s, ds, query(t, "", "", "", "", 10)).rows, kvRows("a", 1, "b", 2, "c", 3))
	must(t, s.RestoreVersion(ctx, "kv", 2))
	wantRows(t, run(t, s, ds, query(t, "", "", "", "", 10)).rows, []catalog.Row{{1.5}})
	wantKind(t, s.RestoreVersion(ctx, "kv", 7), errs.NotFound)
	wantKind(t, s.RestoreVersion(ctx, "ghost", 1), errs.NotFound)
}

func testTwoVersionsKept(t *testing.T, s Store) {
	ds := newDataset(t, s, "kv")
	for i := 1; i <= 3; i++ {
		if ref := load(t, s, "kv", catalog.ModeReplace, kvFields, bigRows(i)); ref.Version != i {
			t.Fatalf("load %d made version %d", i, ref.Version)
		}
	}
	got, err := s.Dataset(ctx, "kv")
	must(t, err)
	if len(got.Versions) != 2 || got.Versions[0].Version != 3 || got.Versions[1].Version != 2 {
		t.Errorf("kept versions %+v, want 3 and 2", got.Versions)
	}
	wantKind(t, s.RestoreVersion(ctx, "kv", 1), errs.NotFound)
	must(t, s.RestoreVersion(ctx, "kv", 2))
	if n := count(t, s, ds, ""); n != 2 {
		t.Errorf("restored version 2 has %d rows, want 2", n)
	}
	// Loading after a restore keeps the new version and the restored one.
	load(t, s, "kv", catalog.ModeReplace, kvFields, bigRows(4))
	wantKind(t, s.RestoreVersion(ctx, "kv", 3), errs.NotFound)
	must(t, s.RestoreVersion(ctx, "kv", 2))
}
