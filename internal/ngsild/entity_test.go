package ngsild

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/socle/socle/internal/errs"
)

func TestParseEntityNormalizesConciseForms(t *testing.T) {
	var doc map[string]any
	json.Unmarshal([]byte(`{"id":"urn:ngsi-ld:ParkingSpot:p1","type":"ParkingSpot","status":"free",
		"width":{"value":2.5,"unitCode":"MTR"},"refParkingSite":{"object":"urn:ngsi-ld:ParkingSite:s1"},
		"location":{"type":"Point","coordinates":[-0.55,47.47]},"@context":"x"}`), &doc)
	c, _ := NewContext("https://smartdatamodels.org/context.jsonld")
	e, err := ParseEntity(doc, c, false)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := json.Marshal(Render(e, c, Options{}))
	want := `{"id":"urn:ngsi-ld:ParkingSpot:p1","location":{"type":"GeoProperty","value":{"coordinates":[-0.55,47.47],"type":"Point"}},"refParkingSite":{"object":"urn:ngsi-ld:ParkingSite:s1","type":"Relationship"},"status":{"type":"Property","value":"free"},"type":"ParkingSpot","width":{"type":"Property","unitCode":"MTR","value":2.5}}`
	if string(got) != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	kv, _ := json.Marshal(Render(e, CoreContext(), Options{KeyValues: true, Attrs: map[string]bool{"https://smartdatamodels.org/dataModel.Parking/status": true}}))
	if string(kv) != `{"https://smartdatamodels.org/dataModel.Parking/status":"free","id":"urn:ngsi-ld:ParkingSpot:p1","type":"https://smartdatamodels.org/dataModel.Parking/ParkingSpot"}` {
		t.Errorf("keyValues under the core context: %s", kv)
	}
	if e.Location == nil || *e.Location != (Point{-0.55, 47.47}) {
		t.Errorf("location %v", e.Location)
	}
}

func TestParseEntityRefusesBadEntities(t *testing.T) {
	for name, body := range map[string]string{
		"no id":               `{"type":"T"}`,
		"id not a URI":        `{"id":"abc","type":"T"}`,
		"no type":             `{"id":"urn:a:b"}`,
		"two types":           `{"id":"urn:a:b","type":["T","U"]}`,
		"relationship no URI": `{"id":"urn:a:b","type":"T","r":{"type":"Relationship","object":"x"}}`,
		"bad geometry":        `{"id":"urn:a:b","type":"T","location":{"type":"GeoProperty","value":{"type":"Point","coordinates":[500,0]}}}`,
		"property no value":   `{"id":"urn:a:b","type":"T","p":{"type":"Property"}}`,
		"bad observedAt":      `{"id":"urn:a:b","type":"T","p":{"type":"Property","value":1,"observedAt":"yesterday"}}`,
		"bad attribute name":  `{"id":"urn:a:b","type":"T","a b":1}`,
	} {
		t.Run(name, func(t *testing.T) {
			var doc map[string]any
			json.Unmarshal([]byte(body), &doc)
			if _, err := ParseEntity(doc, CoreContext(), false); !errs.Is(err, errs.Invalid) {
				t.Fatalf("got %v", err)
			}
		})
	}
}

func TestApplyModes(t *testing.T) {
	now := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	stored := &Entity{ID: "urn:a:1", Type: "T", CreatedAt: now.Add(-time.Hour), Attrs: map[string]Attribute{"a": {"type": "Property", "value": 1.0}, "b": {"type": "Property", "value": 2.0}}}
	in := &Entity{ID: "urn:a:1", Type: "T", Attrs: map[string]Attribute{"b": {"type": "Property", "value": 3.0}, "c": {"type": "Property", "value": 4.0}}}
	for _, tc := range []struct {
		name  string
		mode  Mode
		attrs map[string]float64
	}{
		{"replace drops the others", Replace, map[string]float64{"b": 3, "c": 4}},
		{"upsert merges", Upsert, map[string]float64{"a": 1, "b": 3, "c": 4}},
		{"append without overwrite keeps", AppendKeep, map[string]float64{"a": 1, "b": 2, "c": 4}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, created, err := Apply(stored, in, tc.mode, now)
			if err != nil || created || !out.CreatedAt.Equal(stored.CreatedAt) || !out.ModifiedAt.Equal(now) {
				t.Fatalf("%v %v %+v", err, created, out)
			}
			if len(out.Attrs) != len(tc.attrs) {
				t.Fatalf("attrs %v", out.Attrs)
			}
			for k, v := range tc.attrs {
				if out.Attrs[k].Value() != v {
					t.Errorf("%s = %v, want %v", k, out.Attrs[k].Value(), v)
				}
			}
		})
	}
	if _, _, err := Apply(stored, in, Create, now); !errs.Is(err, errs.Conflict) {
		t.Errorf("create over an existing entity: %v", err)
	}
	if _, _, err := Apply(nil, in, Update, now); !errs.Is(err, errs.NotFound) {
		t.Errorf("update of a missing entity: %v", err)
	}
	if _, created, err := Apply(nil, in, Upsert, now); err != nil || !created {
		t.Errorf("upsert of a missing entity: %v", err)
	}
}

func FuzzParseEntity(f *testing.F) {
	f.Add(`{"id":"urn:a:b","type":"T","p":{"type":"Property","value":1,"observedAt":"2025-01-01T00:00:00Z","unitCode":"CEL"},"l":{"type":"GeoProperty","value":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]}}}`)
	f.Add(`{"id":"urn:a:b","type":"T","r":{"object":"urn:x"},"s":{"value":{"k":[1,2]},"sub":{"value":3}}}`)
	f.Add(`{"id":"urn:a:b","type":"T","s":{"value":["<a&b>\u2028\n\u0001\"é",1e-7,1e21,-0.000001,123456789012345678901234,true,null]}}`)
	f.Fuzz(func(t *testing.T, body string) {
		var doc map[string]any
		if json.Unmarshal([]byte(body), &doc) != nil {
			return
		}
		e, err := ParseEntity(doc, CoreContext(), false)
		if err != nil {
			if !errs.Is(err, errs.Invalid) {
				t.Fatalf("error of kind %s", errs.KindOf(err))
			}
			return
		}
		if _, err := json.Marshal(Render(e, CoreContext(), Options{})); err != nil {
			t.Fatal(err)
		}
		fast, err := MarshalAttrs(e.Attrs)
		slow, err2 := json.Marshal(e.Attrs)
		if err != nil || err2 != nil || string(fast) != string(slow) {
			t.Fatalf("MarshalAttrs differs from encoding/json (%v, %v):\n%s\n%s", err, err2, fast, slow)
		}
	})
}
