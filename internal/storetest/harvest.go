package storetest

import (
	"testing"
	"time"

	"github.com/socle/socle/internal/errs"
	"github.com/socle/socle/internal/harvest"
)

func runHarvest(t *testing.T, fresh func(t *testing.T) Store) {
	for _, tc := range []struct {
		name string
		fn   func(t *testing.T, s Store)
	}{
		{"harvest sources are created, refused a known URL, found, updated and listed by ID", testHarvestSources},
		{"harvest mappings are put, replaced, listed by remote ID and refuse a local ID taken by another remote", testHarvestMappings},
		{"harvest runs are created, finished with their report and listed newest first, at most limit", testHarvestRuns},
	} {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, fresh(t)) })
	}
}

func newSource(t *testing.T, s Store, url string) *harvest.Source {
	t.Helper()
	src := &harvest.Source{Name: "Portail " + url, URL: url, Kind: harvest.KindODS, Prefix: "ods", Every: time.Hour,
		Grace: harvest.DefaultGrace, Enabled: true, Created: ts("2024-05-01T10:00:00Z")}
	must(t, s.CreateSource(ctx, src))
	return src
}

func testHarvestSources(t *testing.T, s Store) {
	a := newSource(t, s, "https://a.example")
	b := newSource(t, s, "https://b.example")
	if a.ID == 0 || b.ID == a.ID {
		t.Fatalf("IDs %d, %d", a.ID, b.ID)
	}
	wantKind(t, s.CreateSource(ctx, &harvest.Source{Name: "x", URL: "https://a.example", Kind: harvest.KindCKAN, Created: ts("2024-05-01T10:00:00Z")}), errs.Conflict)
	got, err := s.Source(ctx, a.ID)
	must(t, err)
	if *got != *a {
		t.Errorf("got %+v, want %+v", got, a)
	}
	a.Name, a.Kind, a.Every, a.Grace, a.Enabled, a.LastRun = "Renamed", harvest.KindDCAT, 0, 48*time.Hour, false, ts("2024-05-02T03:04:05.123456Z")
	a.Organization = "metropole"
	must(t, s.UpdateSource(ctx, a))
	got, err = s.Source(ctx, a.ID)
	must(t, err)
	if *got != *a {
		t.Errorf("after update got %+v, want %+v", got, a)
	}
	b.URL = a.URL
	wantKind(t, s.UpdateSource(ctx, b), errs.Conflict)
	_, err = s.Source(ctx, 999)
	wantKind(t, err, errs.NotFound)
	wantKind(t, s.UpdateSource(ctx, &harvest.Source{ID: 999, URL: "https://z.example"}), errs.NotFound)
	all, err := s.Sources(ctx)
	must(t, err)
	if len(all) != 2 || all[0].ID != a.ID || all[1].ID != b.ID {
		t.Errorf("sources %+v", all)
	}
}

func testHarvestMappings(t *testing.T, s Store) {
	src := newSource(t, s, "https://a.example")
	other := newSource(t, s, "https://b.example")
	m := &harvest.Mapping{SourceID: src.ID, RemoteID: "uid-b", LocalID: "ods-velos", Slug: "velos",
		Modified: ts("2024-04-01T00:00:00Z"), MetaHash: "m1", DataHash: "d1", State: harvest.StateActive, Seen: ts("2024-05-01T10:00:00Z")}
	must(t, s.PutMapping(ctx, m))
	m2 := &harvest.Mapping{SourceID: src.ID, RemoteID: "uid-a", LocalID: "ods-bus", State: harvest.StateActive, Seen: ts("2024-05-01T10:00:00Z")}
	must(t, s.PutMapping(ctx, m2))
	// A rename at the source keeps the local ID; the dataset goes missing.
	m.Slug, m.State, m.MissingSince, m.PrevAccess, m.DataHash = "velos-2", harvest.StateMissing, ts("2024-05-03T00:00:00Z"), "public", "d2"
	must(t, s.PutMapping(ctx, m))
	wantKind(t, s.PutMapping(ctx, &harvest.Mapping{SourceID: other.ID, RemoteID: "x", LocalID: "ods-velos",
		State: harvest.StateActive, Seen: ts("2024-05-01T10:00:00Z")}), errs.Conflict)
	wantKind(t, s.PutMapping(ctx, &harvest.Mapping{SourceID: 999, RemoteID: "x", LocalID: "free",
		State: harvest.StateActive, Seen: ts("2024-05-01T10:00:00Z")}), errs.NotFound)
	ms, err := s.Mappings(ctx, src.ID)
	must(t, err)
	if len(ms) != 2 || *ms[0] != *m2 || *ms[1] != *m {
		t.Errorf("mappings %+v %+v", ms[0], ms[1])
	}
	if ms, _ := s.Mappings(ctx, other.ID); len(ms) != 0 {
		t.Errorf("other source has %d mappings", len(ms))
	}
	for id, want := range map[string]bool{"ods-velos": true, "ods-bus": true, "velos": false} {
		got, err := s.MappedLocal(ctx, id)
		must(t, err)
		if got != want {
			t.Errorf("MappedLocal(%s) = %v", id, got)
		}
	}
}

func testHarvestRuns(t *testing.T, s Store) {
	src := newSource(t, s, "https://a.example")
	var runs []*harvest.Run
	for i := range 3 {
		r := &harvest.Run{SourceID: src.ID, Started: ts("2024-05-01T10:00:00Z").Add(time.Duration(i) * time.Hour), Status: harvest.StatusRunning}
		must(t, s.CreateRun(ctx, r))
		runs = append(runs, r)
	}
	wantKind(t, s.CreateRun(ctx, &harvest.Run{SourceID: 999, Started: ts("2024-05-01T10:00:00Z"), Status: harvest.StatusRunning}), errs.NotFound)
	r := runs[1]
	r.Created, r.Updated, r.Unchanged, r.Archived = 2, 1, 5, 1
	r.Fail("uid-x", "ods-x", "téléchargement impossible")
	r.Finish(ts("2024-05-01T11:30:00Z"), nil)
	must(t, s.FinishRun(ctx, r))
	got, err := s.HarvestRun(ctx, r.ID)
	must(t, err)
	if got.Status != harvest.StatusPartial || !got.Finished.Equal(r.Finished) || got.Created != 2 || got.Failed != 1 ||
		len(got.Errors) != 1 || got.Errors[0] != r.Errors[0] {
		t.Errorf("run %+v", got)
	}
	_, err = s.HarvestRun(ctx, 999)
	wantKind(t, err, errs.NotFound)
	wantKind(t, s.FinishRun(ctx, &harvest.Run{ID: 999}), errs.NotFound)
	list, err := s.Runs(ctx, src.ID, 2)
	must(t, err)
	if len(list) != 2 || list[0].ID != runs[2].ID || list[1].ID != runs[1].ID || !list[1].Finished.Equal(r.Finished) {
		t.Errorf("runs %+v", list)
	}
	if !list[0].Finished.IsZero() || list[0].Status != harvest.StatusRunning {
		t.Errorf("unfinished run %+v", list[0])
	}
}
