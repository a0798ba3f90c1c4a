package storetest

import (
	"reflect"
	"testing"
	"time"

	"github.com/socle/socle/internal/dtpr"
	"github.com/socle/socle/internal/errs"
)

// runDTPR runs the conformance tests of dtpr.Store: datachains per device,
// citizens' opinions, their moderation and aggregates.
func runDTPR(t *testing.T, fresh func(t *testing.T) Store) {
	for _, tc := range []struct {
		name string
		fn   func(t *testing.T, s Store)
	}{
		{"datachains are put, replaced, found by device, listed by device and unknown ones are not found", testChains},
		{"opinions are added, found, listed newest first by device and status, and unknown ones are not found", testOpinions},
		{"moderation sets status, reply and moderator; unknown opinions are not found", testModerateOpinion},
		{"opinions are counted per client hash since a time, per device or overall", testCountOpinions},
		{"stats sum the published opinions per device only", testOpinionStats},
		{"deployments are put, replaced, found, listed by ID and deleted; unknown ones are not found", testDeployments},
	} {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, fresh(t)) })
	}
}

func sampleChain(tech string) *dtpr.Chain {
	return &dtpr.Chain{Accountable: []dtpr.Party{{Kind: "institution", Name: "Métropole « Test »"}}, Purpose: []string{"mobility"},
		Tech: []string{tech}, Data: []string{"values_time"}, Retention: "data_retained", RetentionDuration: "30 jours", Hosting: "Lyon"}
}

func testChains(t *testing.T, s Store) {
	_, err := s.Chain(ctx, "nope")
	wantKind(t, err, errs.NotFound)
	at := ts("2026-05-01T10:00:00.123456Z")
	must(t, s.PutChain(ctx, &dtpr.Record{Device: "b-1", Chain: sampleChain("radar"), UpdatedAt: at, UpdatedBy: "alice"}))
	must(t, s.PutChain(ctx, &dtpr.Record{Device: "a-1", Chain: sampleChain("radar"), UpdatedAt: at, UpdatedBy: "alice"}))
	want := &dtpr.Record{Device: "b-1", Chain: sampleChain("de_identified_video"), UpdatedAt: at.Add(time.Hour), UpdatedBy: "bob"}
	must(t, s.PutChain(ctx, want))
	got, err := s.Chain(ctx, "b-1")
	must(t, err)
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %+v %+v, want %+v %+v", got, got.Chain, want, want.Chain)
	}
	all, err := s.Chains(ctx)
	must(t, err)
	if len(all) != 2 || all[0].Device != "a-1" || all[1].Chain.Tech[0] != "de_identified_video" {
		t.Fatalf("chains %+v", all)
	}
}

func addOpinion(t *testing.T, s Store, device, client, status string, useful int, at time.Time) *dtpr.Opinion {
	t.Helper()
	o := &dtpr.Opinion{Device: device, Understand: "oui", Useful: useful, Comfort: 3, Comment: "<script>alert(1)</script> é",
		Status: status, ClientHash: client, CreatedAt: at}
	must(t, s.AddOpinion(ctx, o))
	return o
}

func testOpinions(t *testing.T, s Store) {
	_, err := s.Opinion(ctx, 42)
	wantKind(t, err, errs.NotFound)
	t0 := ts("2026-05-01T10:00:00Z")
	o1 := addOpinion(t, s, "cam-1", "h1", dtpr.StatusPending, 4, t0)
	o2 := addOpinion(t, s, "cam-1", "h2", dtpr.StatusPublished, 2, t0.Add(time.Minute))
	o3 := addOpinion(t, s, "wm-1", "h1", dtpr.StatusPending, 5, t0.Add(time.Minute))
	got, err := s.Opinion(ctx, o1.ID)
	must(t, err)
	if !reflect.DeepEqual(got, o1) {
		t.Fatalf("got %+v, want %+v", got, o1)
	}
	for _, tc := range []struct {
		f    dtpr.OpinionFilter
		want []int64
	}{
		{dtpr.OpinionFilter{}, []int64{o3.ID, o2.ID, o1.ID}},
		{dtpr.OpinionFilter{Device: "cam-1"}, []int64{o2.ID, o1.ID}},
		{dtpr.OpinionFilter{Status: dtpr.StatusPending}, []int64{o3.ID, o1.ID}},
		{dtpr.OpinionFilter{Limit: 1}, []int64{o3.ID}},
	} {
		list, err := s.Opinions(ctx, tc.f)
		must(t, err)
		var ids []int64
		for _, o := range list {
			ids = append(ids, o.ID)
		}
		if !reflect.DeepEqual(ids, tc.want) {
			t.Errorf("filter %+v: %v, want %v", tc.f, ids, tc.want)
		}
	}
}

func testModerateOpinion(t *testing.T, s Store) {
	wantKind(t, s.ModerateOpinion(ctx, &dtpr.Opinion{ID: 42, Status: dtpr.StatusRejected}), errs.NotFound)
	o := addOpinion(t, s, "cam-1", "h1", dtpr.StatusPending, 4, ts("2026-05-01T10:00:00Z"))
	at := ts("2026-05-02T09:00:00Z")
	o.Status, o.Reply, o.ModeratedBy, o.ModeratedAt = dtpr.StatusPublished, "Merci, les images sont floutées.", "alice", &at
	must(t, s.ModerateOpinion(ctx, o))
	got, err := s.Opinion(ctx, o.ID)
	must(t, err)
	if !reflect.DeepEqual(got, o) {
		t.Fatalf("got %+v, want %+v", got, o)
	}
}

func testCountOpinions(t *testing.T, s Store) {
	t0 := ts("2026-05-01T10:00:00Z")
	addOpinion(t, s, "cam-1", "h1", dtpr.StatusPending, 4, t0)
	addOpinion(t, s, "cam-1", "h1", dtpr.StatusRejected, 4, t0.Add(30*time.Minute))
	addOpinion(t, s, "wm-1", "h1", dtpr.StatusPending, 4, t0.Add(40*time.Minute))
	addOpinion(t, s, "cam-1", "h2", dtpr.StatusPending, 4, t0.Add(40*time.Minute))
	for _, tc := range []struct {
		client, device string
		since          time.Time
		want           int
	}{
		{"h1", "cam-1", t0, 2},
		{"h1", "cam-1", t0.Add(time.Minute), 1},
		{"h1", "", t0, 3},
		{"h3", "", t0, 0},
	} {
		n, err := s.CountOpinions(ctx, tc.client, tc.device, tc.since)
		must(t, err)
		if n != tc.want {
			t.Errorf("%s %s since %s: %d, want %d", tc.client, tc.device, tc.since, n, tc.want)
		}
	}
}

func testOpinionStats(t *testing.T, s Store) {
	t0 := ts("2026-05-01T10:00:00Z")
	addOpinion(t, s, "cam-1", "h1", dtpr.StatusPublished, 4, t0)
	addOpinion(t, s, "cam-1", "h2", dtpr.StatusPublished, 2, t0)
	addOpinion(t, s, "cam-1", "h3", dtpr.StatusPending, 5, t0)
	addOpinion(t, s, "wm-1", "h3", dtpr.StatusRejected, 5, t0)
	addOpinion(t, s, "a-1", "h3", dtpr.StatusPublished, 1, t0)
	must(t, s.AddOpinion(ctx, &dtpr.Opinion{Device: "a-1", Understand: "partiel", Useful: 3, Comfort: 5, Status: dtpr.StatusPublished, ClientHash: "h4", CreatedAt: t0}))
	got, err := s.OpinionStats(ctx)
	must(t, err)
	want := []dtpr.Stats{
		{Device: "a-1", Count: 2, Understand: [3]int{1, 1, 0}, UsefulSum: 4, ComfortSum: 8},
		{Device: "cam-1", Count: 2, Understand: [3]int{2, 0, 0}, UsefulSum: 6, ComfortSum: 6},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %+v, want %+v", got, want)
	}
}

func testDeployments(t *testing.T, s Store) {
	_, err := s.Deployment(ctx, "nope")
	wantKind(t, err, errs.NotFound)
	wantKind(t, s.DeleteDeployment(ctx, "nope"), errs.NotFound)
	at := ts("2026-05-01T10:00:00.5Z")
	want := &dtpr.Deployment{ID: "place-b", Name: "Place du Marché", Place: "Centre", Commune: "49901",
		Devices: []string{"cam-1", "count-1"}, Chain: sampleChain("de_identified_video"), UpdatedAt: at, UpdatedBy: "alice"}
	must(t, s.PutDeployment(ctx, want))
	must(t, s.PutDeployment(ctx, &dtpr.Deployment{ID: "place-a", Name: "A", Devices: []string{"x"}, Chain: sampleChain("radar"), UpdatedAt: at}))
	want.Name, want.UpdatedAt = "Place du Marché (nord)", at.Add(time.Hour)
	must(t, s.PutDeployment(ctx, want))
	got, err := s.Deployment(ctx, "place-b")
	must(t, err)
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %+v, want %+v", got, want)
	}
	all, err := s.Deployments(ctx)
	must(t, err)
	if len(all) != 2 || all[0].ID != "place-a" || all[1].Name != want.Name {
		t.Fatalf("deployments %+v", all)
	}
	must(t, s.DeleteDeployment(ctx, "place-a"))
	_, err = s.Deployment(ctx, "place-a")
	wantKind(t, err, errs.NotFound)
}
