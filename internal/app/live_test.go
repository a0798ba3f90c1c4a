package app_test

import (
	"context"
	"io"
	"testing"
	"time"

	"github.com/socle/socle/internal/app"
	"github.com/socle/socle/internal/auth"
	"github.com/socle/socle/internal/catalog"
	"github.com/socle/socle/internal/errs"
	"github.com/socle/socle/internal/live"
	"github.com/socle/socle/internal/odsql"
	"github.com/socle/socle/internal/sensors"
)

var errEOF = io.EOF

// liveSite registers two parking spots and a water meter.
func liveSite(t *testing.T) *app.App {
	t.Helper()
	a := newApp(t)
	a.Now = func() time.Time { return t0.Add(time.Hour) }
	ctx := context.Background()
	if err := a.Store.PutOrganization(ctx, &catalog.Organization{ID: "metro", Name: "Métropole", Kind: catalog.OrgMetropolis}); err != nil {
		t.Fatal(err)
	}
	for _, d := range []*sensors.Device{
		{ID: "p1", EUI: "70b3d57ed0000001", Name: "Place 1", Type: "ParkingSpot", Domain: "parking", Properties: []sensors.Property{{Name: "occupancy"}}},
		{ID: "p2", EUI: "70b3d57ed0000002", Name: "Place 2", Type: "ParkingSpot", Domain: "parking", Properties: []sensors.Property{{Name: "occupancy"}}},
		{ID: "m1", Type: "WaterMeter", Domain: "water", Properties: []sensors.Property{{Name: "flow"}}},
	} {
		if err := a.PutDevice(ctx, app.System, d); err != nil {
			t.Fatal(err)
		}
	}
	return a
}

func spotsFeed() app.FeedRequest {
	free := 0.0
	return app.FeedRequest{Feed: live.Feed{DatasetID: "places", Domain: "parking", Fields: []live.Mapping{
		{Field: "place", From: "id"}, {Field: "libre", From: "value:occupancy", Equals: &free}, {Field: "vu", From: "observed"}}},
		Meta: catalog.Metadata{Title: "Places", Publisher: "metro"}}
}

func liveCount(t *testing.T, a *app.App, where string) int64 {
	t.Helper()
	d, err := a.Store.Dataset(context.Background(), "places")
	if err != nil {
		t.Fatal(err)
	}
	w, err := odsql.ParseWhere(where)
	if err != nil {
		t.Fatal(err)
	}
	n, err := a.Store.Count(context.Background(), d, &odsql.Query{Where: []odsql.Expr{w}, Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestDefineFeed(t *testing.T) {
	a := liveSite(t)
	ctx := context.Background()
	partner := addUser(t, a, "partner", auth.RolePartner)
	if _, err := a.DefineFeed(ctx, partner, spotsFeed()); !errs.Is(err, errs.Forbidden) {
		t.Errorf("a partner defined a feed: %v", err)
	}
	if _, err := a.DefineFeed(ctx, app.System, spotsFeed()); err != nil {
		t.Fatal(err)
	}
	d, err := a.Store.Dataset(ctx, "places")
	if err != nil {
		t.Fatal(err)
	}
	if d.Records != 2 || len(d.Meta.KeyFields) != 1 || d.Meta.KeyFields[0] != "place" || !d.Meta.RealTime {
		t.Errorf("dataset after the definition: %d records, meta %+v", d.Records, d.Meta)
	}
	// Redefining with other fields makes a new, reshaped version.
	req := spotsFeed()
	req.Fields = append(req.Fields, live.Mapping{Field: "nom", From: "name"})
	if _, err := a.DefineFeed(ctx, app.System, req); err != nil {
		t.Fatal(err)
	}
	if n := liveCount(t, a, "nom = 'Place 2'"); n != 1 {
		t.Errorf("reshaped dataset: %d records named Place 2", n)
	}
}

func TestFeederWritesNewObservationsAndRebuildCatchesUp(t *testing.T) {
	a := liveSite(t)
	ctx := context.Background()
	if _, err := a.DefineFeed(ctx, app.System, spotsFeed()); err != nil {
		t.Fatal(err)
	}
	stop := a.StartFeeds(ctx)
	defer stop()
	v := 1.0
	if _, err := a.IngestReadings(ctx, app.System, []app.Reading{{Device: "p1", Property: "occupancy", Time: t0, Value: &v}}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for liveCount(t, a, "place = 'p1' AND libre = false") != 1 {
		if time.Now().After(deadline) {
			t.Fatal("the feeder did not write the observation")
		}
		time.Sleep(20 * time.Millisecond)
	}
	// Stored without an event (as if the feeder had lagged): only a rebuild
	// brings it in.
	if _, _, err := a.Store.AppendBatch(ctx, sensors.Batch{Observations: []sensors.Observation{
		{Device: "p2", Property: "occupancy", Time: t0, Value: 0}}}); err != nil {
		t.Fatal(err)
	}
	feeds, err := a.Store.Feeds(ctx)
	if err != nil || len(feeds) != 1 {
		t.Fatalf("feeds %v %v", feeds, err)
	}
	if n, err := a.RebuildFeed(ctx, feeds[0]); err != nil || n != 2 {
		t.Fatalf("rebuild wrote %d (%v), want both spots", n, err)
	}
	if n := liveCount(t, a, "place = 'p2' AND libre = true"); n != 1 {
		t.Errorf("after the rebuild p2 is not free")
	}
	if n := liveCount(t, a, "place = 'm1'"); n != 0 {
		t.Errorf("a water meter got into the parking dataset")
	}
}

func TestDatasetStreamsAreBoundedByVisibilityAndEndOnShutdown(t *testing.T) {
	a := liveSite(t)
	ctx := context.Background()
	if _, err := a.DefineFeed(ctx, app.System, app.FeedRequest{Feed: spotsFeed().Feed, Access: catalog.AccessRestricted,
		Meta: catalog.Metadata{Title: "Places", Publisher: "metro"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.OpenDatasetStream(ctx, auth.Principal{}, "places"); !errs.Is(err, errs.NotFound) {
		t.Errorf("an anonymous stream of a restricted dataset: %v", err)
	}
	s, err := a.OpenDatasetStream(ctx, app.System, "places")
	if err != nil {
		t.Fatal(err)
	}
	a.EndStreams()
	select {
	case _, ok := <-s.C:
		if ok {
			t.Error("an event instead of the end")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("EndStreams left the stream open")
	}
}
