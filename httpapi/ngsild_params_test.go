package httpapi

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/socle/socle/internal/errs"
	"github.com/socle/socle/internal/ngsild"
)

func TestLDValuesKeepsUnencodedSemicolons(t *testing.T) {
	r := &http.Request{URL: &url.URL{RawQuery: `type=T&q=a>1;b=="x"|c&georel=near;maxDistance==500&coordinates=%5B1,2%5D&bad=%zz`}}
	v := ldValues(r)
	for k, want := range map[string]string{"q": `a>1;b=="x"|c`, "georel": "near;maxDistance==500", "coordinates": "[1,2]", "bad": "%zz", "type": "T"} {
		if v.Get(k) != want {
			t.Errorf("%s = %q, want %q", k, v.Get(k), want)
		}
	}
}

func FuzzLDQueryParameters(f *testing.F) {
	f.Add(`type=T&q=a>1;b=="x"&limit=10&offset=5&count=true&options=keyValues,sysAttrs&attrs=a,b`)
	f.Add(`georel=near;maxDistance==500&geometry=Point&coordinates=[-0.55,47.47]&idPattern=^urn`)
	f.Add(`id=urn:a:1,urn:a:2&format=simplified&limit=0&count=true`)
	f.Fuzz(func(t *testing.T, raw string) {
		v := ldValues(&http.Request{URL: &url.URL{RawQuery: raw}})
		lq, err := parseLDQuery(v, ngsild.CoreContext(), ngsild.MaxLimit)
		if err != nil {
			if k := errs.KindOf(err); k != errs.Invalid && k != errs.Forbidden {
				t.Fatalf("error of kind %s", k)
			}
			return
		}
		if lq.q.Limit > ngsild.MaxLimit || lq.q.Limit < 0 || lq.q.Offset < 0 {
			t.Fatalf("limit %d offset %d", lq.q.Limit, lq.q.Offset)
		}
	})
}
