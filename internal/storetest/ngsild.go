package storetest

import (
	"testing"
	"time"

	"github.com/socle/socle/internal/errs"
	"github.com/socle/socle/internal/ngsild"
)

// runNGSILD runs its capability's conformance tests.
func runNGSILD(t *testing.T, fresh func(t *testing.T) Store) {
	for _, tc := range []struct {
		name string
		fn   func(t *testing.T, s Store)
	}{
		{"entities are created once, merged, replaced and refused per entity within one write", testEntityModes},
		{"an entity write registers its device with the numeric properties and keeps what a steward set", testEntityDevices},
		{"entity queries filter by type, id, q and distance, page in ID order and count", testEntityQueries},
		{"entities and attributes are deleted, and missing ones are not found", testEntityDeletes},
		{"subscriptions are put, listed, counted and deleted", testSubscriptions},
	} {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, fresh(t)) })
	}
}

const sdmWaste = "https://smartdatamodels.org/dataModel.WasteManagement/"

// container is a WasteContainer entity at lon, lat with a fillingLevel.
func container(n string, level, lon, lat float64) *ngsild.Entity {
	e := &ngsild.Entity{ID: "urn:ngsi-ld:WasteContainer:" + n, Type: sdmWaste + "WasteContainer", Attrs: map[string]ngsild.Attribute{
		sdmWaste + "fillingLevel": {"type": "Property", "value": level, "unitCode": "P1"},
		ngsild.LocationIRI:        {"type": "GeoProperty", "value": map[string]any{"type": "Point", "coordinates": []any{lon, lat}}},
	}}
	e.Location = ngsild.LocationOf(e.Attrs)
	return e
}

func write(t *testing.T, s Store, m ngsild.Mode, now time.Time, es ...*ngsild.Entity) []ngsild.Outcome {
	t.Helper()
	out, err := s.WriteEntities(ctx, ngsild.Write{Mode: m, Entities: es, Now: now, Devices: true})
	if err != nil {
		t.Fatalf("write: %v", err)
	}
	if len(out) != len(es) {
		t.Fatalf("%d outcomes for %d entities", len(out), len(es))
	}
	return out
}

func testEntityModes(t *testing.T, s Store) {
	t0, t1 := ts("2025-01-01T10:00:00Z"), ts("2025-01-01T11:00:00Z")
	out := write(t, s, ngsild.Create, t0, container("a", 0.5, -0.55, 47.47), container("b", 0.1, -0.56, 47.48), container("a", 0.9, 0, 0))
	if !out[0].Created || !out[1].Created || !errs.Is(out[2].Err, errs.Conflict) {
		t.Fatalf("create outcomes %+v", out)
	}
	extra := &ngsild.Entity{ID: "urn:ngsi-ld:WasteContainer:a", Attrs: map[string]ngsild.Attribute{
		sdmWaste + "temperature": {"type": "Property", "value": 12.0}}}
	out = write(t, s, ngsild.Update, t1, extra, &ngsild.Entity{ID: "urn:ngsi-ld:WasteContainer:zz"})
	if out[0].Err != nil || out[0].Created || !errs.Is(out[1].Err, errs.NotFound) {
		t.Fatalf("update outcomes %+v", out)
	}
	e, err := s.Entity(ctx, "urn:ngsi-ld:WasteContainer:a")
	must(t, err)
	if len(e.Attrs) != 3 || e.Attrs[sdmWaste+"fillingLevel"].Value() != 0.5 || !e.CreatedAt.Equal(t0) || !e.ModifiedAt.Equal(t1) ||
		e.Location == nil || *e.Location != (ngsild.Point{Lon: -0.55, Lat: 47.47}) {
		t.Fatalf("after update: %+v", e)
	}
	repl := container("a", 0.7, 1, 2)
	delete(repl.Attrs, ngsild.LocationIRI)
	repl.Location = nil
	write(t, s, ngsild.Replace, t1, repl)
	e, err = s.Entity(ctx, "urn:ngsi-ld:WasteContainer:a")
	must(t, err)
	if len(e.Attrs) != 1 || e.Attrs[sdmWaste+"fillingLevel"].Value() != 0.7 || e.Location != nil || !e.CreatedAt.Equal(t0) {
		t.Fatalf("after replace: %+v", e)
	}
	if _, err := s.Entity(ctx, "urn:ngsi-ld:WasteContainer:none"); !errs.Is(err, errs.NotFound) {
		t.Fatalf("missing entity: %v", err)
	}
	types, err := s.EntityTypes(ctx)
	must(t, err)
	if len(types) != 1 || types[0] != (ngsild.TypeCount{Type: sdmWaste + "WasteContainer", Count: 2}) {
		t.Errorf("types %+v", types)
	}
}

func testEntityDevices(t *testing.T, s Store) {
	t0 := ts("2025-01-01T10:00:00Z")
	write(t, s, ngsild.Upsert, t0, container("angers:42", 0.5, -0.55, 47.47))
	d, err := s.Device(ctx, "ngsi.wastecontainer.angers.42")
	must(t, err)
	if d.Domain != "waste" || d.Type != "WasteContainer" || d.Location == nil || d.Location.Lat != 47.47 ||
		len(d.Properties) != 1 || d.Properties[0].Name != "fillingLevel" || d.Properties[0].Unit != "P1" {
		t.Fatalf("device %+v", d)
	}
	d.Name, d.EUI = "Bac place du Ralliement", "0011223344556677"
	must(t, s.PutDevice(ctx, d))
	created := d.CreatedAt
	more := container("angers:42", 0.6, -0.55, 47.47)
	more.Attrs[sdmWaste+"temperature"] = ngsild.Attribute{"type": "Property", "value": 9.5, "unitCode": "CEL"}
	write(t, s, ngsild.Upsert, t0.Add(time.Hour), more)
	d, err = s.Device(ctx, "ngsi.wastecontainer.angers.42")
	must(t, err)
	if d.Name != "Bac place du Ralliement" || d.EUI != "0011223344556677" || len(d.Properties) != 2 || !d.CreatedAt.Equal(created) {
		t.Fatalf("device after a second write %+v", d)
	}
	if byEUI, err := s.DeviceByEUI(ctx, "0011223344556677"); err != nil || byEUI.ID != d.ID {
		t.Fatalf("EUI lost: %v", err)
	}
}

func testEntityQueries(t *testing.T, s Store) {
	t0 := ts("2025-01-01T10:00:00Z")
	var es []*ngsild.Entity
	for i, lvl := range []float64{0.1, 0.5, 0.9, 0.95} {
		es = append(es, container(string(rune('a'+i)), lvl, -0.55+float64(i)*0.01, 47.47))
	}
	other := &ngsild.Entity{ID: "urn:ngsi-ld:ParkingSpot:p1", Type: "https://smartdatamodels.org/dataModel.Parking/ParkingSpot",
		Attrs: map[string]ngsild.Attribute{}}
	write(t, s, ngsild.Upsert, t0, append(es, other)...)
	q := func(src string) *ngsild.QExpr {
		x, err := ngsild.ParseQ(src)
		must(t, err)
		c, err := ngsild.NewContext("https://smartdatamodels.org/context.jsonld")
		must(t, err)
		x.Expand(c)
		return x
	}
	near, err := ngsild.ParseGeoQuery("near;maxDistance==1000", "Point", "[-0.55,47.47]")
	must(t, err)
	for _, tc := range []struct {
		name  string
		q     ngsild.Query
		ids   string
		total int
	}{
		{"by type, first page", ngsild.Query{Types: []string{sdmWaste + "WasteContainer"}, Limit: 2, Count: true}, "ab", 4},
		{"by type, second page", ngsild.Query{Types: []string{sdmWaste + "WasteContainer"}, Limit: 2, Offset: 2, Count: true}, "cd", 4},
		{"by ids", ngsild.Query{IDs: []string{"urn:ngsi-ld:WasteContainer:b", "urn:ngsi-ld:WasteContainer:x"}, Limit: 10}, "b", 0},
		{"by q with count", ngsild.Query{Q: q(`fillingLevel>0.4`), Limit: 1, Count: true}, "b", 3},
		{"by q and id pattern", ngsild.Query{Q: q(`fillingLevel>0.4`), IDPattern: "[cd]$", Limit: 10}, "cd", 2},
		{"near within 1 km", ngsild.Query{Geo: near, Limit: 10, Count: true}, "ab", 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			page, total, err := s.QueryEntities(ctx, tc.q)
			must(t, err)
			ids := ""
			for _, e := range page {
				ids += e.ID[len(e.ID)-1:]
			}
			if ids != tc.ids || total != tc.total {
				t.Errorf("got %q total %d, want %q total %d", ids, total, tc.ids, tc.total)
			}
		})
	}
}

func testEntityDeletes(t *testing.T, s Store) {
	t0 := ts("2025-01-01T10:00:00Z")
	write(t, s, ngsild.Upsert, t0, container("a", 0.5, 0, 0), container("b", 0.5, 0, 0))
	must(t, s.DeleteAttribute(ctx, "urn:ngsi-ld:WasteContainer:a", ngsild.LocationIRI, t0.Add(time.Minute)))
	e, err := s.Entity(ctx, "urn:ngsi-ld:WasteContainer:a")
	must(t, err)
	if e.Location != nil || len(e.Attrs) != 1 || !e.ModifiedAt.Equal(t0.Add(time.Minute)) {
		t.Fatalf("after attribute delete %+v", e)
	}
	wantKind(t, s.DeleteAttribute(ctx, "urn:ngsi-ld:WasteContainer:a", ngsild.LocationIRI, t0), errs.NotFound)
	wantKind(t, s.DeleteAttribute(ctx, "urn:ngsi-ld:WasteContainer:x", ngsild.LocationIRI, t0), errs.NotFound)
	gone, err := s.DeleteEntities(ctx, []string{"urn:ngsi-ld:WasteContainer:a", "urn:ngsi-ld:WasteContainer:x", "urn:ngsi-ld:WasteContainer:a"})
	must(t, err)
	if !gone[0] || gone[1] || gone[2] {
		t.Fatalf("deleted %v", gone)
	}
	if _, err := s.Entity(ctx, "urn:ngsi-ld:WasteContainer:a"); !errs.Is(err, errs.NotFound) {
		t.Fatalf("deleted entity: %v", err)
	}
}

func testSubscriptions(t *testing.T, s Store) {
	t0 := ts("2025-01-01T10:00:00Z")
	sub, err := ngsild.ParseSubscription([]byte(`{"id":"urn:ngsi-ld:Subscription:s1","type":"Subscription",
		"entities":[{"type":"WasteContainer"}],"notification":{"endpoint":{"uri":"http://127.0.0.1:9/notify"}}}`), nil, t0)
	must(t, err)
	must(t, s.PutSubscription(ctx, sub))
	must(t, s.RecordNotification(ctx, sub.ID, true, t0.Add(time.Minute)))
	must(t, s.RecordNotification(ctx, sub.ID, false, t0.Add(2*time.Minute)))
	must(t, s.RecordNotification(ctx, "urn:ngsi-ld:Subscription:none", true, t0))
	got, err := s.Subscription(ctx, sub.ID)
	must(t, err)
	n := got.Notification
	if n.TimesSent != 2 || n.TimesFailed != 1 || !n.LastSuccess.Equal(t0.Add(time.Minute)) || !n.LastFailure.Equal(t0.Add(2*time.Minute)) ||
		n.Endpoint.URI != "http://127.0.0.1:9/notify" || got.Entities[0].Type != "WasteContainer" {
		t.Fatalf("subscription %+v", got)
	}
	list, err := s.Subscriptions(ctx)
	must(t, err)
	if len(list) != 1 || list[0].ID != sub.ID {
		t.Fatalf("list %+v", list)
	}
	must(t, s.DeleteSubscription(ctx, sub.ID))
	wantKind(t, s.DeleteSubscription(ctx, sub.ID), errs.NotFound)
	if _, err := s.Subscription(ctx, sub.ID); !errs.Is(err, errs.NotFound) {
		t.Fatalf("deleted subscription: %v", err)
	}
}
