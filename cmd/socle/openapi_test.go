package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/socle/socle/httpapi/openapi/openapitest"
)

// apiCall is one request of the OpenAPI conformance scenario.
type apiCall struct {
	method, path, key string
	ctype, body       string
	accept            string
	want              int
}

// TestResponsesMatchOpenAPI calls a representative request of every
// operation family on a real server, on both engines, and validates each
// response (status, media type and JSON body) against the document the
// server itself serves at /api/openapi.json; the DCAT paths the portal
// serves are described there too.
func TestResponsesMatchOpenAPI(t *testing.T) {
	csvPath := filepath.Join(t.TempDir(), "bancs.csv")
	os.WriteFile(csvPath, []byte("nom;places;commune;geo_point_2d\nBanc du parc;4;Angers;47.47, -0.55\nBanc du quai;2;Trélazé;47.48, -0.56\n"), 0o600)
	for _, e := range engines(t) {
		t.Run(e.name, func(t *testing.T) {
			e.t = t
			seedOrgs(t, e)
			e.mustRun("import", "--dataset", "bancs", "--org", "metropole", csvPath)
			e.mustRun("user", "add", "--login", "admin", "--role", "admin", "--org", "metropole")
			e.mustRun("user", "add", "--login", "steward", "--role", "steward", "--org", "metropole")
			admin := strings.TrimSpace(e.mustRun("apikey", "create", "--login", "admin"))
			steward := strings.TrimSpace(e.mustRun("apikey", "create", "--login", "steward"))
			e.start()

			code, raw, _ := e.get("/api/openapi.json", "")
			if code != 200 {
				t.Fatalf("GET /api/openapi.json: %d", code)
			}
			v, err := openapitest.NewValidator(raw)
			if err != nil {
				t.Fatal(err)
			}
			var doc struct{ Info struct{ Version string } }
			if json.Unmarshal(raw, &doc); doc.Info.Version != version {
				t.Errorf("info.version %q, want the binary's %q", doc.Info.Version, version)
			}
			checked, families := 0, map[string]bool{}
			check := func(c apiCall) []byte {
				t.Helper()
				code, ctype, body := e.call(c)
				if code != c.want {
					t.Errorf("%s %s: status %d, want %d: %s", c.method, c.path, code, c.want, body)
					return nil
				}
				u, _ := url.Parse(c.path)
				families[v.Tag(c.method, u.Path)] = true
				if err := v.Validate(c.method, u.Path, code, ctype, body); err != nil {
					t.Errorf("%v\nbody: %.400s", err, body)
				}
				checked++
				return body
			}
			for _, c := range openAPIScenario(t, e, steward, admin) {
				check(c)
			}
			// Calls that use what earlier ones returned.
			var push struct {
				Key string `json:"pushkey"`
			}
			json.Unmarshal(check(apiCall{method: "POST", path: "/api/socle/v1/datasets/bancs/push", key: steward, want: 200}), &push)
			check(apiCall{method: "POST", path: "/api/push/1.0/bancs/realtime/push?pushkey=" + push.Key, body: `{"nom":"Banc neuf","places":3}`, want: 200})
			check(apiCall{method: "POST", path: "/api/push/1.0/bancs/realtime/push?pushkey=wrong", body: `{"nom":"x"}`, want: 404})
			var alerts struct {
				Results []struct{ ID int64 } `json:"results"`
			}
			json.Unmarshal(check(apiCall{method: "GET", path: "/api/v1/alerts?status=open", key: steward, want: 200}), &alerts)
			if len(alerts.Results) != 1 {
				t.Fatalf("open alerts: %+v, want the one the observation opened", alerts)
			}
			var src struct {
				ID int64 `json:"id"`
			}
			json.Unmarshal(check(apiCall{method: "POST", path: "/api/socle/v1/harvest/sources", key: admin,
				body: `{"name":"Voisin","url":"http://127.0.0.1:9","type":"ods","organization":"metropole","prefix":"voisin"}`, want: 201}), &src)
			check(apiCall{method: "GET", path: "/api/socle/v1/harvest/sources/" + strconv.FormatInt(src.ID, 10), key: admin, want: 200})
			check(apiCall{method: "GET", path: "/api/socle/v1/harvest/sources/" + strconv.FormatInt(src.ID, 10) + "/runs", key: admin, want: 200})
			id := strconv.FormatInt(alerts.Results[0].ID, 10)
			check(apiCall{method: "GET", path: "/api/v1/alerts/" + id, key: steward, want: 200})
			check(apiCall{method: "POST", path: "/api/v1/alerts/" + id + "/ack", key: steward, body: `{"note":"vu"}`, want: 200})
			if checked < 100 {
				t.Errorf("only %d responses validated", checked)
			}
			for _, tag := range v.Tags() {
				if !families[tag] {
					t.Errorf("no response of the family %q was validated", tag)
				}
			}
			t.Logf("%d responses validated against the document", checked)
		})
	}
}

// openAPIScenario is the list of calls: reads and errors of each API
// family, writes with the keys that may make them. Some calls depend on
// earlier ones (an alert opened by observations, a push key).
func openAPIScenario(t *testing.T, e *env, steward, admin string) []apiCall {
	t.Helper()
	const x = "/api/explore/v2.1/catalog"
	now := time.Now().UTC().Add(-time.Minute).Format(time.RFC3339)
	calls := []apiCall{
		{method: "GET", path: "/healthz", want: 200},
		{method: "GET", path: "/api/explore/v2.1", want: 200},
		{method: "GET", path: x + "/datasets?limit=10", want: 200},
		{method: "GET", path: x + "/datasets?where=nonsense(", want: 400},
		{method: "GET", path: x + "/facets", want: 200},
		{method: "GET", path: x + "/exports/json", want: 200},
		{method: "GET", path: x + "/exports/dcat", want: 200},
		{method: "GET", path: x + "/datasets/bancs", want: 200},
		{method: "GET", path: x + "/datasets/absent", want: 404},
		{method: "GET", path: x + "/datasets/bancs/records?limit=1&order_by=nom", want: 200},
		{method: "GET", path: x + "/datasets/bancs/records?group_by=commune&select=count(*)%20as%20n", want: 200},
		{method: "GET", path: x + "/datasets/bancs/records?limit=1000", want: 400},
		{method: "GET", path: x + "/datasets/bancs/records/1", want: 200},
		{method: "GET", path: x + "/datasets/bancs/records/999", want: 404},
		{method: "GET", path: x + "/datasets/bancs/facets", want: 200},
		{method: "GET", path: x + "/datasets/bancs/exports", want: 200},
		{method: "GET", path: x + "/datasets/bancs/exports/csv", want: 200},
		{method: "GET", path: x + "/datasets/bancs/exports/geojson", want: 200},
		{method: "GET", path: x + "/datasets", key: "wrong-key", want: 401},

		{method: "POST", path: "/api/socle/v1/datasets/tables/data?title=Tables&org=metropole", key: steward, ctype: "text/csv", body: "nom;places\nTable du parc;6\n", want: 200},
		{method: "POST", path: "/api/socle/v1/datasets/tables/restore", key: steward, want: 404},
		{method: "PUT", path: "/api/socle/v1/datasets/bancs", key: steward, body: `{"meta":{"title":"Bancs publics","key_fields":["nom"]}}`, want: 200},
		{method: "PUT", path: "/api/socle/v1/datasets/bancs", body: `{"meta":{"title":"x"}}`, want: 401},
		{method: "PUT", path: "/api/socle/v1/datasets/absent", key: steward, body: `{"meta":{"title":"x"}}`, want: 404},
		{method: "GET", path: "/api/socle/v1/audit?limit=5", key: admin, want: 200},
		{method: "GET", path: "/api/socle/v1/datasets/bancs/push", key: steward, want: 200},
		{method: "GET", path: "/api/socle/v1/schemas", key: steward, want: 200},
		{method: "GET", path: "/api/socle/v1/registers/processing", want: 200},
		{method: "GET", path: "/api/socle/v1/agreements/register", want: 200},
		{method: "GET", path: "/api/socle/v1/dtpr/taxonomy", want: 200},
		{method: "GET", path: "/api/socle/v1/harvest/sources", key: admin, want: 200},
		{method: "GET", path: "/api/socle/v1/sobriety", key: admin, want: 200},

		{method: "PUT", path: "/api/v1/devices/meter-1", key: steward, body: `{"name":"Compteur","type":"WaterMeter","domain":"water",
			"location":{"lon":-0.55,"lat":47.47},"properties":[{"name":"flow","unit":"m3/h","min":0,"max":5000}],"period_seconds":600}`, want: 200},
		{method: "PUT", path: "/api/v1/rules/flow-high", key: steward, body: `{"name":"Débit anormal","kind":"threshold","domain":"water",
			"property":"flow","op":">","threshold":500,"hysteresis":50,"for":0,"severity":"critical","enabled":true}`, want: 200},
		{method: "POST", path: "/api/v1/observations", key: steward, body: `[{"device":"meter-1","property":"flow","time":"` + now + `","value":900}]`, want: 201},
		{method: "POST", path: "/api/v1/observations", key: steward, body: `[{"device":`, want: 400},
		{method: "GET", path: "/api/v1/devices", key: steward, want: 200},
		{method: "GET", path: "/api/v1/devices/meter-1", key: steward, want: 200},
		{method: "GET", path: "/api/v1/devices/absent", key: steward, want: 404},
		{method: "GET", path: "/api/v1/devices.geojson", key: steward, want: 200},
		{method: "GET", path: "/api/v1/devices/meter-1/latest", key: steward, want: 200},
		{method: "GET", path: "/api/v1/devices/meter-1/observations?property=flow", key: steward, want: 200},
		{method: "GET", path: "/api/v1/rules", key: steward, want: 200},
		{method: "GET", path: "/api/v1/alerts", key: steward, want: 200},
		{method: "GET", path: "/api/v1/workorders", key: steward, want: 200},
		{method: "GET", path: "/api/v1/webhooks", key: admin, want: 200},
		{method: "GET", path: "/api/v1/rounds", key: steward, want: 200},

		{method: "POST", path: "/ngsi-ld/v1/entities", key: steward, ctype: "application/json", body: `{"id":"urn:ngsi-ld:ParkingSpot:p1","type":"ParkingSpot",
			"status":{"type":"Property","value":"free"},"location":{"type":"GeoProperty","value":{"type":"Point","coordinates":[-0.55,47.47]}}}`, want: 201},
		{method: "GET", path: "/ngsi-ld/v1/entities?type=ParkingSpot", key: steward, want: 200},
		{method: "GET", path: "/ngsi-ld/v1/entities/urn:ngsi-ld:ParkingSpot:p1", key: steward, want: 200},
		{method: "GET", path: "/ngsi-ld/v1/entities/urn:ngsi-ld:ParkingSpot:absent", key: steward, want: 404},
		{method: "GET", path: "/ngsi-ld/v1/entities?q=((", key: steward, want: 400},
		{method: "GET", path: "/ngsi-ld/v1/types", key: steward, want: 200},
		{method: "GET", path: "/ngsi-ld/v1/entities?type=ParkingSpot", key: steward, accept: "application/geo+json", want: 200},
		{method: "GET", path: "/ngsi-ld/v1/entities/urn:ngsi-ld:ParkingSpot:p1", key: steward, accept: "application/ld+json", want: 200},
		{method: "GET", path: "/api/features/collections/bancs/items?f=geojson&limit=1", want: 200},

		{method: "GET", path: "/api/features", want: 200},
		{method: "GET", path: "/api/features/conformance", want: 200},
		{method: "GET", path: "/api/features/collections", want: 200},
		{method: "GET", path: "/api/features/collections/bancs", want: 200},
		{method: "GET", path: "/api/features/collections/bancs/items?limit=1", want: 200},
		{method: "GET", path: "/api/features/collections/bancs/items?bbox=1,2", want: 400},
		{method: "GET", path: "/api/features/collections/absent/items", want: 404},

		{method: "GET", path: "/api/3", want: 200},
		{method: "GET", path: "/api/3/action/package_list", want: 200},
		{method: "GET", path: "/api/3/action/package_show?id=bancs", want: 200},
		{method: "GET", path: "/api/3/action/package_show?id=absent", want: 404},
		{method: "POST", path: "/api/3/action/package_search", ctype: "application/json", body: `{"q":"bancs"}`, want: 200},

		{method: "GET", path: "/catalog.ttl", want: 200},
		{method: "GET", path: "/catalog", accept: "application/ld+json", want: 200},
		{method: "GET", path: "/catalog.jsonld", want: 200},
		{method: "GET", path: "/datasets/bancs.rdf", want: 200},
		{method: "GET", path: "/api/docs", want: 200},
		{method: "GET", path: "/api/docs.css", want: 200},
		{method: "GET", path: "/api/openapi.json", want: 200},

		{method: "GET", path: x + "/exports/csv", want: 200},
		{method: "GET", path: x + "/datasets/bancs/exports/json", want: 200},
		{method: "GET", path: x + "/datasets/bancs/exports/jsonl", want: 200},
		{method: "GET", path: x + "/datasets/bancs/exports/xlsx", want: 200},
		{method: "GET", path: x + "/datasets/bancs/exports/parquet", want: 200},
		{method: "GET", path: x + "/datasets/bancs/records?select=nom&where=places%3E2", want: 200},
		{method: "GET", path: "/api/v1/devices.csv", key: steward, want: 200},
		{method: "GET", path: "/api/v1/latest", key: steward, want: 200},
		{method: "GET", path: "/api/v1/quarantine", key: admin, want: 200},
		{method: "GET", path: "/api/v1/devices/meter-1/aggregates?property=flow&bucket=1h", key: steward, want: 200},
		{method: "GET", path: "/api/v1/rounds.csv", key: steward, want: 200},
		{method: "GET", path: "/api/v1/rounds.geojson", key: steward, want: 200},
		{method: "POST", path: "/api/v1/workorders", key: steward, body: `{"device":"meter-1","title":"Vérifier le compteur","priority":"normal"}`, want: 201},
		{method: "GET", path: "/api/v1/workorders/1", key: steward, want: 200},
		{method: "GET", path: "/api/v1/devices/meter-1/workorders", key: steward, want: 200},
		{method: "GET", path: "/api/socle/v1/agreements", key: admin, want: 200},
		{method: "GET", path: "/api/socle/v1/deliveries", key: admin, want: 200},
		{method: "GET", path: "/api/socle/v1/deployments", key: steward, want: 200},
		{method: "GET", path: "/api/socle/v1/registers/processing.csv", want: 200},
		{method: "GET", path: "/api/socle/v1/schemas/NaturalSolutions/schema-arbre", key: steward, want: 200},
		{method: "GET", path: "/api/socle/v1/report/2026", want: 200},
		{method: "POST", path: "/api/socle/v1/gtfs?prefix=bus", key: admin, ctype: "application/zip", body: "not a zip", want: 400},

		{method: "GET", path: "/ngsi-ld/contexts/smart-data-models.jsonld", want: 200},
		{method: "PATCH", path: "/ngsi-ld/v1/entities/urn:ngsi-ld:ParkingSpot:p1/attrs", key: steward, body: `{"status":{"type":"Property","value":"occupied"}}`, want: 204},
		{method: "GET", path: "/ngsi-ld/v1/temporal/entities/urn:ngsi-ld:ParkingSpot:p1", key: steward, want: 200},
		{method: "POST", path: "/ngsi-ld/v1/subscriptions", key: steward, body: `{"type":"Subscription","entities":[{"type":"ParkingSpot"}],
			"notification":{"format":"keyValues","endpoint":{"uri":"http://127.0.0.1:9/notify","accept":"application/json"}}}`, want: 201},
		{method: "GET", path: "/ngsi-ld/v1/subscriptions", key: steward, want: 200},
		{method: "DELETE", path: "/ngsi-ld/v1/entities/urn:ngsi-ld:ParkingSpot:p1", key: steward, want: 204},

		{method: "GET", path: "/api/features/collections/bancs/items/1", want: 200},
		{method: "GET", path: "/api/3/action/status_show", want: 200},
		{method: "GET", path: "/api/3/action/organization_list", want: 200},
		{method: "GET", path: "/api/3/action/package_search?q=bancs", want: 200},
		{method: "GET", path: "/api/3/action/datastore_search?resource_id=absent", want: 404},
	}
	// The CKAN DataStore resource of the dataset, from package_show.
	var show struct {
		Result struct {
			Resources []struct {
				ID              string `json:"id"`
				DatastoreActive bool   `json:"datastore_active"`
			} `json:"resources"`
		} `json:"result"`
	}
	e.getJSON("/api/3/action/package_show?id=bancs", "", 200, &show)
	for _, r := range show.Result.Resources {
		if r.DatastoreActive {
			calls = append(calls, apiCall{method: "GET", path: "/api/3/action/datastore_search?limit=1&resource_id=" + r.ID, want: 200})
		}
	}
	if !strings.Contains(calls[len(calls)-1].path, "datastore_search") {
		t.Fatalf("package_show lists no DataStore resource: %+v", show)
	}
	return calls
}

// call makes c and returns the status, the Content-Type and the body.
// Calls that must follow others (push with the key just enabled, alert
// actions) are made in order by the caller.
func (e *env) call(c apiCall) (int, string, []byte) {
	e.t.Helper()
	req, err := http.NewRequest(c.method, e.base+c.path, bytes.NewReader([]byte(c.body)))
	if err != nil {
		e.t.Fatal(err)
	}
	if c.body != "" {
		req.Header.Set("Content-Type", "application/json")
		if c.ctype != "" {
			req.Header.Set("Content-Type", c.ctype)
		}
	}
	if c.key != "" {
		req.Header.Set("Authorization", "Apikey "+c.key)
	}
	if c.accept != "" {
		req.Header.Set("Accept", c.accept)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatalf("%s %s: %v", c.method, c.path, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("Content-Type"), body
}
