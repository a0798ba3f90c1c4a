package privacy

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/socle/socle/internal/catalog"
	"github.com/socle/socle/internal/errs"
)

var testKey = []byte("0123456789abcdef0123456789abcdef")

var source = []catalog.Field{
	{Name: "nom", Type: catalog.TypeText},
	{Name: "age", Type: catalog.TypeInt},
	{Name: "lieu", Type: catalog.TypeGeoPoint},
	{Name: "quand", Type: catalog.TypeDateTime},
	{Name: "commune", Type: catalog.TypeText},
	{Name: "montant", Type: catalog.TypeDouble},
}

func TestTokenIsStableKeyedAndTruncated(t *testing.T) {
	a, b := Token(testKey, "jeanne", 16), Token(testKey, "jeanne", 16)
	if a != b || len(a) != 16 {
		t.Fatalf("tokens %q %q", a, b)
	}
	if Token(testKey, "paul", 16) == a {
		t.Error("two values, one token")
	}
	if Token([]byte("another key of thirty-two bytes!"), "jeanne", 16) == a {
		t.Error("two keys, one token: the key does not matter")
	}
	// HMAC-SHA256 pinned (computed with Python's hmac module): a change of
	// algorithm would break every join with earlier tokens.
	if got := Token(testKey, "jeanne", 64); got != "db62f6ff437f653c1c1fb57346d5c6aa4890f85a8be26e61d1ee255a9e073c58" {
		t.Errorf("token %q", got)
	}
}

func TestGeneralisations(t *testing.T) {
	for _, tc := range []struct {
		name string
		got  any
		want any
	}{
		{"round to 2 decimals", RoundPoint(catalog.GeoPoint{Lat: 47.47123, Lon: -0.55456}, 2), catalog.GeoPoint{Lat: 47.47, Lon: -0.55}},
		{"round to 0 decimals", RoundPoint(catalog.GeoPoint{Lat: 47.5, Lon: -0.4}, 0), catalog.GeoPoint{Lat: 48, Lon: -0}},
		{"hour", TruncateTime(time.Date(2024, 3, 5, 14, 37, 12, 0, time.UTC), Hour), time.Date(2024, 3, 5, 14, 0, 0, 0, time.UTC)},
		{"day", TruncateTime(time.Date(2024, 3, 5, 14, 37, 12, 0, time.UTC), Day), time.Date(2024, 3, 5, 0, 0, 0, 0, time.UTC)},
		{"week starts on Monday", TruncateTime(time.Date(2024, 3, 10, 23, 0, 0, 0, time.UTC), Week), time.Date(2024, 3, 4, 0, 0, 0, 0, time.UTC)},
		{"week of a Monday", TruncateTime(time.Date(2024, 3, 4, 1, 0, 0, 0, time.UTC), Week), time.Date(2024, 3, 4, 0, 0, 0, 0, time.UTC)},
		{"month", TruncateTime(time.Date(2024, 3, 31, 23, 59, 0, 0, time.UTC), Month), time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)},
		{"year", TruncateTime(time.Date(2024, 3, 31, 23, 59, 0, 0, time.UTC), Year), time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)},
		{"ages by ten", BucketLabel(37, 10, true), "30-39"},
		{"age zero", BucketLabel(0, 10, true), "0-9"},
		{"negative", BucketLabel(-3, 10, true), "-10--1"},
		{"decimal width", BucketLabel(3.7, 2.5, false), "2.5-5"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.got != tc.want {
				t.Errorf("got %v, want %v", tc.got, tc.want)
			}
		})
	}
}

func TestGridSnapsACellToOneCentre(t *testing.T) {
	a := SnapPoint(catalog.GeoPoint{Lat: 47.47001, Lon: -0.55001}, 1000)
	b := SnapPoint(catalog.GeoPoint{Lat: 47.47002, Lon: -0.55002}, 1000)
	if a != b {
		t.Errorf("neighbours in two cells: %v %v", a, b)
	}
	far := SnapPoint(catalog.GeoPoint{Lat: 47.49, Lon: -0.55001}, 1000)
	if far == a {
		t.Error("points 2 km apart share a 1 km cell")
	}
	// The centre is within half a cell of the point.
	if d := (a.Lat - 47.47001) * metresPerDegree; d > 500 || d < -500 {
		t.Errorf("centre %v is %.0f m from the point", a, d)
	}
	if SnapPoint(a, 1000) != a {
		t.Error("a centre does not snap to itself")
	}
}

func plan(t *testing.T, spec string, personal ...string) (*Plan, error) {
	t.Helper()
	s, err := ParseSpec([]byte(spec))
	if err != nil {
		return nil, err
	}
	return NewPlan(s, source, personal, testKey)
}

func TestPlansRefusePersonalDataKeptOrGroupedRaw(t *testing.T) {
	for _, tc := range []struct {
		name, spec, want string
	}{
		{"a kept personal field", `{"source":"s","target":{"id":"t"},"fields":[{"name":"nom","transform":"keep"}]}`, "personal data"},
		{"a pseudonym in a group-by", `{"source":"s","target":{"id":"t"},"fields":[{"name":"nom","transform":"pseudonymise"}],"aggregate":{"group_by":["nom"]}}`, "generalise"},
		{"an unknown field", `{"source":"s","target":{"id":"t"},"fields":[{"name":"x","transform":"keep"}]}`, "no such field"},
		{"rounding a text", `{"source":"s","target":{"id":"t"},"fields":[{"name":"commune","transform":"round"}]}`, "geo_point_2d"},
		{"a sum of a text", `{"source":"s","target":{"id":"t"},"fields":[{"name":"commune","transform":"keep"}],"aggregate":{"group_by":["commune"],"sum":["commune"]}}`, "not a number"},
		{"everything dropped", `{"source":"s","target":{"id":"t"},"fields":[{"name":"commune","transform":"drop"}]}`, "dropped"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := plan(t, tc.spec, "nom", "lieu", "age")
			if err == nil || !strings.Contains(err.Error(), tc.want) || errs.KindOf(err) != errs.Invalid {
				t.Fatalf("got %v, want an Invalid error about %q", err, tc.want)
			}
		})
	}
	t.Run("a pseudonym without a key is unavailable", func(t *testing.T) {
		s, _ := ParseSpec([]byte(`{"source":"s","target":{"id":"t"},"fields":[{"name":"nom","transform":"pseudonymise"}]}`))
		if _, err := NewPlan(s, source, nil, nil); errs.KindOf(err) != errs.Unavailable {
			t.Fatalf("got %v", err)
		}
	})
}

func TestApplyTransformsEachField(t *testing.T) {
	p, err := plan(t, `{"source":"s","target":{"id":"t"},"fields":[
		{"name":"nom","transform":"pseudonymise","as":"personne"},
		{"name":"age","transform":"bucket","width":10},
		{"name":"lieu","transform":"round","decimals":2},
		{"name":"quand","transform":"truncate","unit":"month"},
		{"name":"commune","transform":"keep"}]}`, "nom", "lieu", "age")
	if err != nil {
		t.Fatal(err)
	}
	when := time.Date(2024, 5, 17, 8, 30, 0, 0, time.UTC)
	row := catalog.Row{"Jeanne Durand", int64(34), catalog.GeoPoint{Lat: 47.4712, Lon: -0.5512}, when, "Angers", 12.5}
	got := p.Apply(row)
	want := catalog.Row{Token(testKey, "Jeanne Durand", 16), "30-39", catalog.GeoPoint{Lat: 47.47, Lon: -0.55}, time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC), "Angers"}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("column %s: got %v, want %v", p.Fields[i].Name, got[i], want[i])
		}
	}
	if p.Fields[0].Name != "personne" || p.Fields[0].Type != catalog.TypeText || p.Fields[3].Type != catalog.TypeDate {
		t.Errorf("fields %+v", p.Fields)
	}
	if nulls := p.Apply(catalog.Row{nil, nil, nil, nil, nil, nil}); nulls[0] != nil || nulls[1] != nil {
		t.Errorf("null in, %v out", nulls)
	}
}

func aggregate(t *testing.T, onSecret string, threshold int) ([]catalog.Row, Report, error) {
	t.Helper()
	spec := `{"source":"s","target":{"id":"t"},"fields":[{"name":"commune","transform":"keep"},{"name":"age","transform":"bucket","width":10},
		{"name":"montant","transform":"keep"}],"aggregate":{"group_by":["commune","age"],"sum":["montant"],"on_secret":"` + onSecret + `"`
	if threshold > 0 {
		spec += `,"threshold":` + string(rune('0'+threshold))
	}
	p, err := plan(t, spec+`}}`, "age")
	if err != nil {
		t.Fatal(err)
	}
	g := NewGrouper(p)
	add := func(n int, commune string, age int64) {
		for range n {
			if err := g.Add(p.Apply(catalog.Row{"x", age, nil, nil, commune, 1.5})); err != nil {
				t.Fatal(err)
			}
		}
	}
	add(12, "Angers", 34)
	add(3, "Trélazé", 35)
	add(11, "Angers", 71)
	return g.Rows()
}

func TestSecrecyRefusesSmallCellsByDefault(t *testing.T) {
	rows, rep, err := aggregate(t, "", 0)
	var se *SecrecyError
	if !errors.As(err, &se) || errs.KindOf(err) != errs.Invalid || rows != nil {
		t.Fatalf("got %v rows, %v", rows, err)
	}
	if rep.Secret != 1 || rep.Groups != 3 || rep.Threshold != 11 || len(rep.Examples) != 1 || rep.Examples[0] != "commune=Trélazé, age=30-39" {
		t.Errorf("report %+v", rep)
	}
}

func TestSecrecySuppressesSmallCellsOnRequest(t *testing.T) {
	rows, rep, err := aggregate(t, "suppress", 0)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Suppressed != 1 || rep.Published != 2 || len(rows) != 2 {
		t.Fatalf("report %+v, rows %v", rep, rows)
	}
	if rows[0][0] != "Angers" || rows[0][1] != "30-39" || rows[0][2] != int64(12) || rows[0][3] != 18.0 {
		t.Errorf("first group %v", rows[0])
	}
}

func TestSecrecyThresholdIsConfigurable(t *testing.T) {
	rows, _, err := aggregate(t, "", 3)
	if err != nil || len(rows) != 3 {
		t.Fatalf("threshold 3: %v rows, %v", rows, err)
	}
	if _, err := ParseSpec([]byte(`{"source":"s","target":{"id":"t"},"fields":[{"name":"a","transform":"keep"}],"aggregate":{"group_by":["a"],"threshold":-1}}`)); errs.KindOf(err) != errs.Invalid {
		t.Errorf("a negative threshold: %v", err)
	}
}

func TestParseSpecRefusals(t *testing.T) {
	for _, tc := range []struct{ name, spec string }{
		{"not JSON", `{`},
		{"unknown member", `{"source":"s","target":{"id":"t"},"fields":[{"name":"a","transform":"keep"}],"x":1}`},
		{"no source", `{"target":{"id":"t"},"fields":[{"name":"a","transform":"keep"}]}`},
		{"target is source", `{"source":"s","target":{"id":"s"},"fields":[{"name":"a","transform":"keep"}]}`},
		{"no field", `{"source":"s","target":{"id":"t"},"fields":[]}`},
		{"unknown transform", `{"source":"s","target":{"id":"t"},"fields":[{"name":"a","transform":"hash"}]}`},
		{"a field twice", `{"source":"s","target":{"id":"t"},"fields":[{"name":"a","transform":"keep"},{"name":"a","transform":"drop"}]}`},
		{"two outputs named alike", `{"source":"s","target":{"id":"t"},"fields":[{"name":"a","transform":"keep"},{"name":"b","transform":"keep","as":"a"}]}`},
		{"a short token", `{"source":"s","target":{"id":"t"},"fields":[{"name":"a","transform":"pseudonymise","length":4}]}`},
		{"a tiny grid", `{"source":"s","target":{"id":"t"},"fields":[{"name":"a","transform":"grid","metres":1}]}`},
		{"an unknown unit", `{"source":"s","target":{"id":"t"},"fields":[{"name":"a","transform":"truncate","unit":"decade"}]}`},
		{"a zero width", `{"source":"s","target":{"id":"t"},"fields":[{"name":"a","transform":"bucket"}]}`},
		{"group by nothing output", `{"source":"s","target":{"id":"t"},"fields":[{"name":"a","transform":"keep"}],"aggregate":{"group_by":["b"]}}`},
		{"unknown on_secret", `{"source":"s","target":{"id":"t"},"fields":[{"name":"a","transform":"keep"}],"aggregate":{"group_by":["a"],"on_secret":"hide"}}`},
		{"bad output name", `{"source":"s","target":{"id":"t"},"fields":[{"name":"a","transform":"keep","as":"A b"}]}`},
		{"unknown access", `{"source":"s","target":{"id":"t","access":"open"},"fields":[{"name":"a","transform":"keep"}]}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := ParseSpec([]byte(tc.spec)); errs.KindOf(err) != errs.Invalid {
				t.Errorf("got %v, want Invalid", err)
			}
		})
	}
	if _, err := ParseSpec(make([]byte, MaxSpecBytes+1)); errs.KindOf(err) != errs.TooLarge {
		t.Errorf("a huge spec: %v", err)
	}
}

// FuzzParseSpec feeds arbitrary bytes to the spec parser: it never panics,
// and what it accepts validates again and round-trips through String.
func FuzzParseSpec(f *testing.F) {
	f.Add([]byte(`{"source":"s","target":{"id":"t"},"fields":[{"name":"nom","transform":"pseudonymise"}]}`))
	f.Add([]byte(`{"source":"s","target":{"id":"t"},"fields":[{"name":"age","transform":"bucket","width":10}],"aggregate":{"group_by":["age"],"on_secret":"suppress"}}`))
	f.Add([]byte(`{"source":"s","target":{"id":"t","access":"public"},"fields":[{"name":"lieu","transform":"grid","metres":200,"as":"cellule"}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := ParseSpec(b)
		if err != nil {
			if errs.KindOf(err) != errs.Invalid && errs.KindOf(err) != errs.TooLarge {
				t.Fatalf("error of kind %s: %v", errs.KindOf(err), err)
			}
			return
		}
		again, err := ParseSpec([]byte(s.String()))
		if err != nil {
			t.Fatalf("accepted spec %s does not parse again: %v", s, err)
		}
		if again.String() != s.String() {
			t.Fatalf("round trip: %s != %s", again, s)
		}
		if _, err := NewPlan(s, source, []string{"nom"}, testKey); err != nil && errs.KindOf(err) != errs.Invalid {
			t.Fatalf("plan error of kind %s: %v", errs.KindOf(err), err)
		}
	})
}
