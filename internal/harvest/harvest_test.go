package harvest

import (
	"errors"
	"testing"
	"time"

	"github.com/socle/socle/internal/catalog"
)

var t0 = time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)

func TestDecide(t *testing.T) {
	d := RemoteDataset{RemoteID: "r", Slug: "velos", Meta: catalog.Metadata{Title: "Vélos"}, Modified: t0}
	same := &Mapping{RemoteID: "r", State: StateActive, Modified: t0, MetaHash: MetaHash(d)}
	renamed := d
	renamed.Slug = "velos-v2"
	retitled := d
	retitled.Meta.Title = "Vélos en libre-service"
	undated := d
	undated.Modified = time.Time{}
	for _, tc := range []struct {
		name string
		m    *Mapping
		d    RemoteDataset
		want Action
	}{
		{"a new dataset is fetched", nil, d, Fetch},
		{"the same date and metadata are skipped", same, d, Skip},
		{"a later date is fetched", same, RemoteDataset{RemoteID: "r", Slug: "velos", Meta: d.Meta, Modified: t0.Add(time.Second)}, Fetch},
		{"a rename at the source is fetched (metadata changed)", same, renamed, Fetch},
		{"a new title with the same date is fetched", same, retitled, Fetch},
		{"an undated remote is always fetched, then compared by content", &Mapping{State: StateActive, MetaHash: MetaHash(undated)}, undated, Fetch},
		{"a missing dataset back at the source is fetched", &Mapping{State: StateMissing, Modified: t0, MetaHash: MetaHash(d)}, d, Fetch},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Decide(tc.m, tc.d); got != tc.want {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestVanished(t *testing.T) {
	active := &Mapping{RemoteID: "a", State: StateActive}
	seen := &Mapping{RemoteID: "s", State: StateActive}
	recent := &Mapping{RemoteID: "m1", State: StateMissing, MissingSince: t0.Add(-6 * 24 * time.Hour)}
	old := &Mapping{RemoteID: "m2", State: StateMissing, MissingSince: t0.Add(-7 * 24 * time.Hour)}
	archived := &Mapping{RemoteID: "x", State: StateArchived, MissingSince: t0.Add(-30 * 24 * time.Hour)}
	changed := Vanished([]*Mapping{active, seen, recent, old, archived}, map[string]bool{"s": true}, t0, 0)
	if len(changed) != 2 || changed[0] != active || changed[1] != old {
		t.Fatalf("changed %+v", changed)
	}
	if active.State != StateMissing || !active.MissingSince.Equal(t0) {
		t.Errorf("active became %+v", active)
	}
	if old.State != StateArchived || recent.State != StateMissing || seen.State != StateActive || archived.State != StateArchived {
		t.Errorf("states: old %s recent %s seen %s archived %s", old.State, recent.State, seen.State, archived.State)
	}
	// A per-source grace period.
	m := &Mapping{RemoteID: "g", State: StateMissing, MissingSince: t0.Add(-2 * time.Hour)}
	if c := Vanished([]*Mapping{m}, nil, t0, time.Hour); len(c) != 1 || m.State != StateArchived {
		t.Errorf("grace of an hour: %+v", m)
	}
}

func TestLocalID(t *testing.T) {
	taken := map[string]bool{"ods-velos": true, "ods-velos-2": true}
	isTaken := func(id string) (bool, error) { return taken[id], nil }
	for _, tc := range []struct{ prefix, slug, remote, want string }{
		{"ods", "bus", "x", "ods-bus"},
		{NoPrefix, "bus", "x", "bus"},
		{"ods", "velos", "x", "ods-velos-3"},
		{"ODS", "Stations Vélo / Libre-service", "x", "ods-stations-velo-libre-service"},
		{"", "Été 2024", "x", "ete-2024"},
		{"dcat", "", "https://data.example.fr/datasets/velos#dataset", "dcat-https-data-example-fr-datasets-velos-dataset"},
		{"ckan", "", "", "ckan-jeu"},
	} {
		got, err := LocalID(tc.prefix, tc.slug, tc.remote, isTaken)
		if err != nil || got != tc.want {
			t.Errorf("LocalID(%q, %q, %q) = %q, %v; want %q", tc.prefix, tc.slug, tc.remote, got, err, tc.want)
		}
	}
	boom := errors.New("database down")
	if _, err := LocalID("p", "s", "r", func(string) (bool, error) { return false, boom }); !errors.Is(err, boom) {
		t.Errorf("error %v", err)
	}
}

func TestRunFinish(t *testing.T) {
	listErr := errors.New("GET x: no complete answer within 30s")
	for _, tc := range []struct {
		name   string
		report Report
		err    error
		want   Status
	}{
		{"everything done", Report{Created: 1, Unchanged: 3}, nil, StatusOK},
		{"a dataset failed", Report{Created: 1, Failed: 1}, nil, StatusPartial},
		{"the listing stopped after some datasets", Report{Unchanged: 2}, listErr, StatusPartial},
		{"nothing could be listed", Report{}, listErr, StatusFailed},
		{"an empty catalog", Report{}, nil, StatusOK},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := Run{Report: tc.report}
			r.Finish(t0, tc.err)
			if r.Status != tc.want || !r.Finished.Equal(t0) || (tc.err != nil && r.Error != tc.err.Error()) {
				t.Errorf("got %+v", r)
			}
		})
	}
	var r Report
	for range MaxErrors + 5 {
		r.Fail("r", "l", "m")
	}
	if r.Failed != MaxErrors+5 || len(r.Errors) != MaxErrors {
		t.Errorf("failed %d, errors kept %d", r.Failed, len(r.Errors))
	}
}

func TestSourceDue(t *testing.T) {
	s := Source{Enabled: true, Every: time.Hour}
	if !s.Due(t0) {
		t.Error("never run: due")
	}
	s.LastRun = t0.Add(-59 * time.Minute)
	if s.Due(t0) {
		t.Error("run 59 minutes ago: not due")
	}
	s.LastRun = t0.Add(-time.Hour)
	if !s.Due(t0) {
		t.Error("run an hour ago: due")
	}
	if (&Source{Enabled: true}).Due(t0) || (&Source{Every: time.Hour}).Due(t0) {
		t.Error("a manual or disabled source is never due")
	}
}
