package httpapi

import (
	"errors"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/socle/socle/internal/ckan"
	"github.com/socle/socle/internal/errs"
)

func TestReadCKANParams(t *testing.T) {
	get := httptest.NewRequest("GET", "/api/3/action/datastore_search?"+url.Values{
		"resource_id": {"x"}, "filters": {`{"a":1}`}, "limit": {"5"}, "q": {"{not json"}, "facet.field": {`["tags"]`},
	}.Encode(), nil)
	p, err := readCKANParams(get)
	if err != nil {
		t.Fatal(err)
	}
	if p.str("resource_id") != "x" || string(p["filters"]) != `{"a":1}` || p.str("q") != "{not json" {
		t.Errorf("GET: %v", p)
	}
	if n, err := p.int("limit", 100, 32000); err != nil || n != 5 {
		t.Errorf("limit: %d %v", n, err)
	}
	if l, err := p.list("facet.field"); err != nil || len(l) != 1 || l[0] != "tags" {
		t.Errorf("facet.field: %v %v", l, err)
	}

	post := httptest.NewRequest("POST", "/api/3/action/package_search?rows=3", strings.NewReader(`{"rows": 2000, "include_private": true, "fq": "tags:a"}`))
	post.Header.Set("Content-Type", "application/json")
	if p, err = readCKANParams(post); err != nil {
		t.Fatal(err)
	}
	rows, _ := p.int("rows", 10, 1000)
	private, _ := p.bool("include_private", false)
	if rows != 1000 || !private || p.str("fq") != "tags:a" {
		t.Errorf("POST: rows %d (the body wins, clamped), private %v, fq %q", rows, private, p.str("fq"))
	}

	form := httptest.NewRequest("POST", "/api/3/action/package_show", strings.NewReader("id=arbres"))
	form.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if p, err = readCKANParams(form); err != nil || p.str("id") != "arbres" {
		t.Errorf("form: %v %v", p, err)
	}

	for name, body := range map[string]string{"not JSON": "{", "a list": "[1]", "too large": `{"q":"` + strings.Repeat("x", maxCKANBody) + `"}`} {
		_, err := readCKANParams(httptest.NewRequest("POST", "/api/3/action/package_list", strings.NewReader(body)))
		if k := errs.KindOf(err); k != errs.Invalid && k != errs.TooLarge {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestCKANParamValues(t *testing.T) {
	p := ckanParams{}
	p.setText("n", "-1")
	p.setText("b", "maybe")
	p.setText("l", `{"a":1}`)
	var fe *ckan.FieldError
	if _, err := p.int("n", 0, 10); !errors.As(err, &fe) || fe.Field != "n" {
		t.Errorf("negative integer: %v", err)
	}
	if _, err := p.bool("b", false); !errors.As(err, &fe) || fe.Field != "b" {
		t.Errorf("bad boolean: %v", err)
	}
	if _, err := p.list("l"); !errors.As(err, &fe) {
		t.Errorf("an object is no list: %v", err)
	}
	if n, err := p.int("absent", 7, 10); err != nil || n != 7 {
		t.Errorf("default: %d %v", n, err)
	}
}

func FuzzCKANParams(f *testing.F) {
	for _, s := range []string{`{"rows": "5", "fq": ["a"], "include_private": 1}`, `{"filters": {"a": [1, {"gt": 2}]}}`, `[]`, `{"q": null}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		r := httptest.NewRequest("POST", "/api/3/action/package_search", strings.NewReader(body))
		p, err := readCKANParams(r)
		if err != nil {
			if k := errs.KindOf(err); k != errs.Invalid && k != errs.TooLarge {
				t.Fatalf("error of kind %v: %v", k, err)
			}
			return
		}
		for k := range p {
			p.str(k)
			p.int(k, 0, 1000)
			p.bool(k, false)
			p.list(k)
		}
		if _, err := ckanSearchParams(p); err != nil && errs.KindOf(err) != errs.Invalid {
			t.Fatalf("search params: %v", err)
		}
	})
}
