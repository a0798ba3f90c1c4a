package ckan

import (
	"errors"
	"strings"
	"testing"

	"github.com/socle/socle/internal/catalog"
	"github.com/socle/socle/internal/errs"
	"github.com/socle/socle/internal/odsql"
)

var testFields = []catalog.Field{
	{Name: "nom", Type: catalog.TypeText}, {Name: "nombre", Type: catalog.TypeInt},
	{Name: "montant", Type: catalog.TypeDouble}, {Name: "jour", Type: catalog.TypeDate},
	{Name: "ouvert", Type: catalog.TypeBoolean}, {Name: "geo", Type: catalog.TypeGeoPoint},
}

func whereString(rq RecordQuery) string {
	var parts []string
	for _, e := range rq.Where {
		parts = append(parts, e.String())
	}
	return strings.Join(parts, " AND ")
}

func TestParseFilters(t *testing.T) {
	cases := []struct{ name, in, want string }{
		{"scalar", `{"nom":"a"}`, `("nom" = "a")`},
		{"number", `{"nombre":12}`, `(nombre = 12)`},
		{"float", `{"montant":1.5}`, `(montant = 1.5)`},
		{"bool", `{"ouvert":true}`, `(ouvert = true)`},
		{"null", `{"montant":null}`, `montant IS NULL`},
		{"list", `{"nombre":[1,2]}`, `nombre IN (1, 2)`},
		{"list with operator", `{"nombre":[1,{"gte":10}]}`, `((nombre >= 10) OR nombre IN (1))`},
		{"operators sorted", `{"montant":{"lt":5,"gt":1}}`, `((montant > 1) AND (montant < 5))`},
		{"two fields sorted", `{"nombre":1,"jour":"2024-01-01"}`, `(jour = "2024-01-01") AND (nombre = 1)`},
		{"empty", ``, ``},
		{"json null", `null`, ``},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var rq RecordQuery
			if err := ParseFilters([]byte(c.in), testFields, &rq); err != nil {
				t.Fatal(err)
			}
			if got := whereString(rq); got != strings.ReplaceAll(c.want, `"nom"`, "nom") {
				t.Errorf("got %s, want %s", got, c.want)
			}
		})
	}
	var rq RecordQuery
	if err := ParseFilters([]byte(`{"_id":{"gt":41}}`), testFields, &rq); err != nil || rq.AfterID != 41 || len(rq.Where) != 0 {
		t.Errorf("_id gt: %v %+v", err, rq)
	}
	if err := ParseFilters([]byte(`{"_id":{"gte":42}}`), testFields, &rq); err != nil || rq.AfterID != 41 {
		t.Errorf("_id gte: %v %+v", err, rq)
	}
}

func TestParseFiltersRefuses(t *testing.T) {
	for _, in := range []string{
		`[1]`, `{"nope":1}`, `{"nombre":{"like":1}}`, `{"nombre":{}}`, `{"nombre":[]}`, `{"nombre":{"gt":[1]}}`,
		`{"geo":1}`, `{"_id":5}`, `{"_id":{"lt":5}}`, `{"_id":{"gt":-1}}`, `{"nom":"a"} x`, `{`,
		`{"nom":"` + strings.Repeat("x", 1001) + `"}`,
	} {
		var rq RecordQuery
		err := ParseFilters([]byte(in), testFields, &rq)
		var fe *FieldError
		if !errors.As(err, &fe) || fe.Field != "filters" || errs.KindOf(err) != errs.Invalid {
			t.Errorf("ParseFilters(%.40s) = %v", in, err)
		}
	}
}

// TestFiltersCompileToBindParameters checks that no filter value reaches
// the SQL text: every value is a bind parameter on both engines.
func TestFiltersCompileToBindParameters(t *testing.T) {
	var rq RecordQuery
	evil := `x'); DROP TABLE t; --`
	in := `{"nom":"` + strings.ReplaceAll(evil, `"`, `\"`) + `","montant":{"gt":"3.5"},"jour":{"lte":"2024-12-31"}}`
	if err := ParseFilters([]byte(in), testFields, &rq); err != nil {
		t.Fatal(err)
	}
	if err := ParseQ([]byte(`"Zanzibar"`), testFields, &rq); err != nil {
		t.Fatal(err)
	}
	for _, d := range []odsql.Dialect{odsql.SQLite, odsql.Postgres} {
		c, err := odsql.Compile(&odsql.Query{Where: rq.Where, Limit: 10}, testFields, "t", d)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(c.SQL, "DROP") || strings.Contains(c.SQL, "3.5") || strings.Contains(strings.ToLower(c.SQL), "zanzibar") {
			t.Errorf("a value is in the SQL text: %s", c.SQL)
		}
		if len(c.Args) < 4 {
			t.Errorf("args %v", c.Args)
		}
	}
	rq = RecordQuery{}
	if err := ParseFilters([]byte(`{"jour":"yesterday"}`), testFields, &rq); err != nil {
		t.Fatal(err)
	}
	_, err := odsql.Compile(&odsql.Query{Where: rq.Where}, testFields, "t", odsql.SQLite)
	if errs.KindOf(err) != errs.Invalid {
		t.Errorf("a value that is no date: %v", err)
	}
}

func TestParseQ(t *testing.T) {
	var rq RecordQuery
	if err := ParseQ([]byte(`{"nom":"velo"}`), testFields, &rq); err != nil || whereString(rq) != `search(nom, "velo")` {
		t.Errorf("q object: %v %s", err, whereString(rq))
	}
	rq = RecordQuery{}
	if err := ParseQ([]byte(`"velo"`), testFields, &rq); err != nil || whereString(rq) != `search(*, "velo")` {
		t.Errorf("q string: %v %s", err, whereString(rq))
	}
	for _, in := range []string{`{"nombre":"1"}`, `{"nope":"x"}`, `1`, `{"nom":1}`} {
		if err := ParseQ([]byte(in), testFields, &RecordQuery{}); err == nil {
			t.Errorf("ParseQ(%s) accepted", in)
		}
	}
}

func TestParseRecordSort(t *testing.T) {
	cases := []struct{ in, want string }{
		{"nom", "nom asc"},
		{`"montant" desc, nom`, "montant desc, nom asc"},
		{"jour DESC, _id", "jour desc"},
		{"_id asc", ""},
		{"", ""},
	}
	for _, c := range cases {
		var rq RecordQuery
		if err := ParseRecordSort(c.in, testFields, &rq); err != nil {
			t.Fatalf("%q: %v", c.in, err)
		}
		var parts []string
		for _, o := range rq.OrderBy {
			dir := " asc"
			if o.Desc {
				dir = " desc"
			}
			parts = append(parts, o.Text+dir)
		}
		if got := strings.Join(parts, ", "); got != c.want {
			t.Errorf("%q: got %q, want %q", c.in, got, c.want)
		}
	}
	for _, in := range []string{"nope", "nom sideways", "_id desc", "_id, nom", "nom desc nulls last", `"nom`, ","} {
		if err := ParseRecordSort(in, testFields, &RecordQuery{}); err == nil {
			t.Errorf("ParseRecordSort(%q) accepted", in)
		}
	}
}

func TestParseFields(t *testing.T) {
	var rq RecordQuery
	if err := ParseFields([]byte(`"_id, nom"`), testFields, &rq); err != nil || strings.Join(rq.Fields, ",") != "_id,nom" {
		t.Errorf("string: %v %v", err, rq.Fields)
	}
	if err := ParseFields([]byte(`["montant"]`), testFields, &rq); err != nil || strings.Join(rq.Fields, ",") != "montant" {
		t.Errorf("list: %v %v", err, rq.Fields)
	}
	for _, in := range []string{`["nope"]`, `[]`, `""`, `{"a":1}`} {
		if err := ParseFields([]byte(in), testFields, &RecordQuery{}); err == nil {
			t.Errorf("ParseFields(%s) accepted", in)
		}
	}
}

func FuzzParseFilters(f *testing.F) {
	for _, s := range []string{`{"nom":"a"}`, `{"nombre":[1,{"gte":2}]}`, `{"_id":{"gt":3}}`, `{"jour":{"lt":"2024-01-01"}}`, `[`, `{"montant":null}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		var rq RecordQuery
		if err := ParseFilters([]byte(in), testFields, &rq); err != nil {
			if errs.KindOf(err) != errs.Invalid {
				t.Fatalf("error of kind %v: %v", errs.KindOf(err), err)
			}
			return
		}
		// Whatever parses compiles, or is refused as invalid (a value of
		// the wrong type), never anything else.
		_, err := odsql.Compile(&odsql.Query{Where: rq.Where, Limit: 1}, testFields, "t", odsql.Postgres)
		if err != nil && errs.KindOf(err) != errs.Invalid {
			t.Fatalf("compile: %v", err)
		}
	})
}

func FuzzParseRecordSort(f *testing.F) {
	for _, s := range []string{"nom", `"montant" desc, _id`, "nom desc nulls last", `"`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		var rq RecordQuery
		if err := ParseRecordSort(in, testFields, &rq); err != nil {
			if errs.KindOf(err) != errs.Invalid {
				t.Fatalf("error of kind %v: %v", errs.KindOf(err), err)
			}
			return
		}
		if _, err := odsql.Compile(&odsql.Query{OrderBy: rq.OrderBy, Limit: 1}, testFields, "t", odsql.SQLite); err != nil {
			t.Fatalf("a parsed sort does not compile: %v", err)
		}
	})
}
