package httpapi

import (
	"net/url"
	"testing"
	"time"
)

func TestNegotiateRDF(t *testing.T) {
	for accept, want := range map[string]string{
		"":                                      "ttl",
		"*/*":                                   "ttl",
		"text/html, application/ld+json;q=0.9":  "jsonld",
		"application/rdf+xml":                   "rdf",
		"application/rdf+xml;q=0, text/turtle":  "ttl",
		"Application/LD+JSON":                   "jsonld",
		"application/json, application/rdf+xml": "rdf",
	} {
		if got := negotiateRDF(accept); got != want {
			t.Errorf("Accept %q: %s, want %s", accept, got, want)
		}
	}
}

func TestDCATParams(t *testing.T) {
	paris := time.FixedZone("", 2*3600)
	cases := []struct {
		query      string
		page, size int
		since      time.Time
		bad        bool
	}{
		{"", 1, dcatDefaultPageSize, time.Time{}, false},
		{"page=3&page_size=1000", 3, 1000, time.Time{}, false},
		{"modified_since=2024-05-01", 1, 100, time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC), false},
		{"modified_since=2024-05-01T10:30:00", 1, 100, time.Date(2024, 5, 1, 10, 30, 0, 0, time.UTC), false},
		{"modified_since=2024-05-01T10:30:00%2B02:00", 1, 100, time.Date(2024, 5, 1, 10, 30, 0, 0, paris), false},
		{"page=0", 0, 0, time.Time{}, true},
		{"page=-1", 0, 0, time.Time{}, true},
		{"page_size=1001", 0, 0, time.Time{}, true},
		{"page_size=abc", 0, 0, time.Time{}, true},
		{"modified_since=yesterday", 0, 0, time.Time{}, true},
		{"modified_since=2024-02-30", 0, 0, time.Time{}, true},
	}
	for _, tc := range cases {
		t.Run(tc.query, func(t *testing.T) {
			v, _ := url.ParseQuery(tc.query)
			page, size, since, err := dcatParams(v)
			if (err != nil) != tc.bad {
				t.Fatalf("err = %v, want error %v", err, tc.bad)
			}
			if !tc.bad && (page != tc.page || size != tc.size || !since.Equal(tc.since)) {
				t.Errorf("got %d, %d, %v; want %d, %d, %v", page, size, since, tc.page, tc.size, tc.since)
			}
		})
	}
}
