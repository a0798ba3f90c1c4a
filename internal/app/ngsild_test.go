package app_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/socle/socle/internal/app"
	"github.com/socle/socle/internal/auth"
	"github.com/socle/socle/internal/catalog"
	"github.com/socle/socle/internal/errs"
	"github.com/socle/socle/internal/ngsild"
	"github.com/socle/socle/internal/sensors"
)

// wasteEntity parses a WasteContainer in the Smart Data Models context.
func wasteEntity(t *testing.T, id string, level float64, observed string) *ngsild.Entity {
	t.Helper()
	c, err := ngsild.NewContext("https://smartdatamodels.org/context.jsonld")
	if err != nil {
		t.Fatal(err)
	}
	doc := map[string]any{"id": id, "type": "WasteContainer",
		"fillingLevel": map[string]any{"type": "Property", "value": level, "unitCode": "P1", "observedAt": observed},
		"status":       map[string]any{"type": "Property", "value": "ok"},
		"location":     map[string]any{"type": "GeoProperty", "value": map[string]any{"type": "Point", "coordinates": []any{-0.55, 47.47}}}}
	e, err := ngsild.ParseEntity(doc, c, false)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func TestWriteEntitiesFeedsTheTimeSeries(t *testing.T) {
	ctx := context.Background()
	a := newApp(t)
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	a.Now = func() time.Time { return now }
	for i, obs := range []string{"2026-03-01T10:00:00Z", "2026-03-01T11:00:00Z"} {
		out, err := a.WriteEntities(ctx, app.System, ngsild.Upsert, []*ngsild.Entity{wasteEntity(t, "urn:ngsi-ld:WasteContainer:angers:42", 0.5+float64(i)/10, obs)})
		if err != nil || out[0].Err != nil || out[0].Created != (i == 0) {
			t.Fatalf("write %d: %v %+v", i, err, out)
		}
	}
	d, err := a.Store.Device(ctx, "ngsi.wastecontainer.angers.42")
	if err != nil || d.Domain != "waste" {
		t.Fatalf("device %+v, %v", d, err)
	}
	obs, err := a.Store.Observations(ctx, d.ID, now.Add(-24*time.Hour), now, 10)
	if err != nil || len(obs) != 2 || obs[0].Property != "fillingLevel" || obs[1].Value != 0.6 {
		t.Fatalf("observations %+v, %v", obs, err)
	}
	latest, err := a.Store.Latest(ctx, []string{d.ID})
	if err != nil || len(latest) != 1 || latest[0].Value != 0.6 {
		t.Fatalf("latest %+v, %v", latest, err)
	}
	log, err := a.Store.Audit(ctx, "entities", 10)
	if err != nil || len(log) != 2 || log[0].Action != "ngsild.write" {
		t.Fatalf("audit %+v, %v", log, err)
	}
}

func TestEntityAccess(t *testing.T) {
	ctx := context.Background()
	a := newApp(t)
	partner := auth.Principal{User: &auth.User{Login: "p", Role: auth.RolePartner}, OrgKind: catalog.OrgPartner}
	agent := auth.Principal{User: &auth.User{Login: "a", Role: auth.RoleAgent}, OrgKind: catalog.OrgMetropolis}
	e := wasteEntity(t, "urn:ngsi-ld:WasteContainer:1", 0.5, "2026-03-01T10:00:00Z")
	if _, err := a.WriteEntities(ctx, agent, ngsild.Upsert, []*ngsild.Entity{e}); !errs.Is(err, errs.Forbidden) {
		t.Errorf("an agent wrote an entity: %v", err)
	}
	if _, err := a.WriteEntities(ctx, app.System, ngsild.Upsert, []*ngsild.Entity{e}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Entity(ctx, agent, e.ID); err != nil {
		t.Errorf("an agent may read entities: %v", err)
	}
	if _, err := a.Entity(ctx, partner, e.ID); !errs.Is(err, errs.NotFound) {
		t.Errorf("a partner read an entity: %v", err)
	}
	if _, _, err := a.QueryEntities(ctx, partner, ngsild.Query{Limit: 10}); !errs.Is(err, errs.NotFound) {
		t.Errorf("a partner queried entities: %v", err)
	}
}

func TestSubscriptionsNotifyMatchingWrites(t *testing.T) {
	ctx := context.Background()
	a := newApp(t)
	got := make(chan map[string]any, 10)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var n map[string]any
		b, _ := io.ReadAll(r.Body)
		json.Unmarshal(b, &n)
		got <- n
		w.WriteHeader(http.StatusNoContent)
	}))
	defer srv.Close()
	sub, err := ngsild.ParseSubscription([]byte(`{"type":"Subscription","entities":[{"type":"WasteContainer"}],
		"watchedAttributes":["fillingLevel"],"q":"fillingLevel>0.8","throttling":3600,
		"notification":{"format":"keyValues","attributes":["fillingLevel"],"endpoint":{"uri":"`+srv.URL+`"}},
		"@context":"https://smartdatamodels.org/context.jsonld"}`), nil, a.Now())
	if err != nil {
		t.Fatal(err)
	}
	if err := a.CreateSubscription(ctx, app.System, sub); err != nil {
		t.Fatal(err)
	}
	if err := a.CreateSubscription(ctx, app.System, sub); !errs.Is(err, errs.Conflict) {
		t.Fatalf("second create: %v", err)
	}
	write := func(level float64) {
		t.Helper()
		if _, err := a.WriteEntities(ctx, app.System, ngsild.Upsert, []*ngsild.Entity{wasteEntity(t, "urn:ngsi-ld:WasteContainer:1", level, "2026-03-01T10:00:00Z")}); err != nil {
			t.Fatal(err)
		}
	}
	write(0.5) // q does not match: no notification
	write(0.9)
	write(0.95) // throttled
	select {
	case n := <-got:
		data, _ := json.Marshal(n["data"])
		if n["subscriptionId"] != sub.ID || n["type"] != "Notification" || string(data) != `[{"fillingLevel":0.9,"id":"urn:ngsi-ld:WasteContainer:1","type":"WasteContainer"}]` {
			t.Fatalf("notification %v", n)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no notification")
	}
	select {
	case n := <-got:
		t.Fatalf("a second notification within the throttling interval: %v", n)
	case <-time.After(200 * time.Millisecond):
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		s, err := a.Subscription(ctx, app.System, sub.ID)
		if err != nil {
			t.Fatal(err)
		}
		if s.Notification.TimesSent == 1 && s.Notification.LastSuccess != nil && s.Status == "active" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("counters %+v", s.Notification)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestEntityValuesOutsideTheDeviceRangeAreFlagged(t *testing.T) {
	ctx := context.Background()
	a := newApp(t)
	one := 1.0
	d := &sensors.Device{ID: "ngsi.wastecontainer.angers.7", Name: "Bac 7", Type: "WasteContainer", Domain: "waste",
		Properties: []sensors.Property{{Name: "fillingLevel", Max: &one}}}
	if err := a.PutDevice(ctx, app.System, d); err != nil {
		t.Fatal(err)
	}
	e := wasteEntity(t, "urn:ngsi-ld:WasteContainer:angers:7", 5, "2026-03-01T10:00:00Z")
	if _, err := a.WriteEntities(ctx, app.System, ngsild.Upsert, []*ngsild.Entity{e}); err != nil {
		t.Fatal(err)
	}
	obs, err := a.Store.Observations(ctx, d.ID, time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC), 10)
	if err != nil || len(obs) != 1 || obs[0].Flag != sensors.FlagOutOfRange {
		t.Fatalf("observations %+v, %v", obs, err)
	}
	got, err := a.Store.Device(ctx, d.ID)
	if err != nil || got.Name != "Bac 7" || got.Properties[0].Max == nil || *got.Properties[0].Max != 1 {
		t.Fatalf("the steward's device changed: %+v, %v", got, err)
	}
}
