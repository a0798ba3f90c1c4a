package web

import (
	"net/url"
	"strings"
	"testing"

	"github.com/socle/socle/internal/catalog"
)

func TestColumnClause(t *testing.T) {
	f := func(name string, typ catalog.FieldType) catalog.Field {
		return catalog.Field{Name: name, Label: name, Type: typ}
	}
	for _, tc := range []struct {
		name    string
		field   catalog.Field
		val     string
		want    string
		wantErr bool
	}{
		{"text is a folded contains", f("nom", catalog.TypeText), `Gare "Nord"`, "`nom` like \"Gare \\\"Nord\\\"\"", false},
		{"integer equality", f("n", catalog.TypeInt), "12", "`n` = 12", false},
		{"decimal comma with operator", f("x", catalog.TypeDouble), ">= 2,5", "`x` >= 2.5", false},
		{"not a number", f("n", catalog.TypeInt), "douze", "", true},
		{"a year is a range", f("d", catalog.TypeDate), "2024", "`d` >= date'2024-01-01' AND `d` < date'2025-01-01'", false},
		{"a month is a range", f("d", catalog.TypeDateTime), "2024-12", "`d` >= date'2024-12-01' AND `d` < date'2025-01-01'", false},
		{"a day is a range", f("d", catalog.TypeDate), "2024-02-29", "`d` >= date'2024-02-29' AND `d` < date'2024-03-01'", false},
		{"a bad date", f("d", catalog.TypeDate), "29/02/2024", "", true},
		{"boolean in French", f("b", catalog.TypeBoolean), "Oui", "`b` = true", false},
		{"boolean nonsense", f("b", catalog.TypeBoolean), "peut-être", "", true},
		{"geometry cannot be filtered", f("g", catalog.TypeGeoPoint), "1", "", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := columnClause(tc.field, tc.val)
			if (err != nil) != tc.wantErr || got != tc.want {
				t.Errorf("got %q, %v; want %q (error %v)", got, err, tc.want, tc.wantErr)
			}
		})
	}
}

func TestParseFiltersCombinesWhereAndColumns(t *testing.T) {
	d := &catalog.Dataset{Fields: []catalog.Field{{Name: "a", Label: "A", Type: catalog.TypeInt}, {Name: "b", Label: "B", Type: catalog.TypeText}}}
	f, err := parseFilters(d, url.Values{"where": {"a > 1 or a < -1"}, "f.b": {"x"}})
	if err != nil {
		t.Fatal(err)
	}
	if want := "(a > 1 or a < -1) AND `b` like \"x\""; f.Effective != want {
		t.Errorf("effective %q, want %q", f.Effective, want)
	}
	if _, err := parseFilters(d, url.Values{"where": {"a >"}}); err == nil {
		t.Error("a broken where was accepted")
	}
	if _, err := parseFilters(d, url.Values{"f.b": {strings.Repeat("x", maxFilterLen+1)}}); err == nil {
		t.Error("an oversized filter was accepted")
	}
}

func TestFrenchFormats(t *testing.T) {
	for _, tc := range []struct{ got, want string }{
		{frInt(int64(1234567)), "1\u202f234\u202f567"},
		{frInt(-1000), "-1\u202f000"},
		{frInt(12), "12"},
		{frBytes(512), "512 o"},
		{frBytes(1536), "1,5\u00a0ko"},
		{frBytes(5 << 20), "5,0\u00a0Mo"},
		{frNumber(400.5), "400,5"},
		{frNumber(1234.25), "1\u202f234,25"},
		{frNumber(3), "3"},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
}

func TestNiceCeil(t *testing.T) {
	for in, want := range map[float64]float64{0.3: 0.5, 1: 1, 7: 10, 13: 20, 420: 500, 1001: 2000} {
		if got := niceCeil(in); got != want {
			t.Errorf("niceCeil(%v) = %v, want %v", in, got, want)
		}
	}
}

func TestToggleURL(t *testing.T) {
	v := url.Values{"q": {"arbre"}, "theme": {"ENVI"}, "page": {"3"}}
	if got := toggleURL(v, "theme", "ENVI"); got != "/datasets?q=arbre" {
		t.Errorf("remove: %s", got)
	}
	if got := toggleURL(v, "theme", "TRAN"); got != "/datasets?q=arbre&theme=ENVI&theme=TRAN" {
		t.Errorf("add: %s", got)
	}
}

func TestContentSecurityPolicyAllowsTheTileServerOnly(t *testing.T) {
	for tiles, want := range map[string]string{
		IGNPlanTiles:                         "img-src 'self' data: https://data.geopf.fr;",
		"http://127.0.0.1:9/{z}/{x}/{y}.png": "img-src 'self' data: http://127.0.0.1:9;",
		"":                                   "img-src 'self' data:;",
	} {
		if got := contentSecurityPolicy(tiles); !strings.Contains(got, want) {
			t.Errorf("tiles %q: CSP %q lacks %q", tiles, got, want)
		}
	}
}
