package app_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/socle/socle/internal/app"
	"github.com/socle/socle/internal/auth"
	"github.com/socle/socle/internal/catalog"
	"github.com/socle/socle/internal/errs"
	"github.com/socle/socle/internal/harvest"
	"github.com/socle/socle/internal/importer"
	"github.com/socle/socle/internal/ingest"
)

// remote is an in-memory remote catalog: its datasets and their CSV.
type remote struct {
	datasets []harvest.RemoteDataset
	files    map[string]string // remote ID → CSV
	started  chan struct{}     // closed when a listing starts, if set
	release  chan struct{}     // a listing waits for it, if set
}

func (r *remote) List(ctx context.Context, yield func(harvest.RemoteDataset) error) error {
	if r.started != nil {
		close(r.started)
		<-r.release
	}
	for _, d := range r.datasets {
		if err := yield(d); err != nil {
			return err
		}
	}
	return nil
}

func (r *remote) Fetch(_ context.Context, d harvest.RemoteDataset, dir string) (*harvest.Download, error) {
	body := r.files[d.RemoteID]
	p := filepath.Join(dir, d.RemoteID+".csv")
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		return nil, err
	}
	h := sha256.Sum256([]byte(body))
	return &harvest.Download{Path: p, Format: "csv", SHA256: hex.EncodeToString(h[:])}, nil
}

func harvestingApp(t *testing.T, r *remote) (*app.App, *harvest.Source) {
	t.Helper()
	db, err := openSQLite(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	a := app.New(db, slog.New(slog.DiscardHandler))
	t.Cleanup(func() { a.Close() })
	a.Harvesting.TempDir = t.TempDir()
	a.Harvesting.Lister = func(*harvest.Source) (harvest.Lister, error) { return r, nil }
	a.Harvesting.Import = func(ctx context.Context, p auth.Principal, d *catalog.Dataset, dl *harvest.Download, _ []catalog.Field) error {
		_, err := importer.Import(ctx, a, p, importer.Request{Path: dl.Path, Options: ingest.Options{Format: ingest.Format(dl.Format)}, Dataset: *d})
		return err
	}
	src := &harvest.Source{URL: "https://remote.example", Kind: harvest.KindCKAN, Prefix: "p", Enabled: true}
	if err := a.CreateHarvestSource(context.Background(), app.System, src); err != nil {
		t.Fatal(err)
	}
	return a, src
}

func harvestOnce(t *testing.T, a *app.App, src *harvest.Source) *harvest.Run {
	t.Helper()
	run, err := a.Harvest(context.Background(), src)
	if err != nil {
		t.Fatal(err)
	}
	return run
}

func dataset(t *testing.T, a *app.App, id string) *catalog.Dataset {
	t.Helper()
	d, err := a.Store.Dataset(context.Background(), id)
	if err != nil {
		t.Fatalf("dataset %s: %v", id, err)
	}
	return d
}

var day1 = time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)

// TestHarvestFollowsRemoteIDs: a rename at the source updates the same
// local dataset; a changed identifier is another dataset (the old one
// goes missing); new content makes a new version, the same content none;
// a bad file fails that dataset only and leaves its version published.
func TestHarvestFollowsRemoteIDs(t *testing.T) {
	r := &remote{datasets: []harvest.RemoteDataset{
		{RemoteID: "id-1", Slug: "velos", Modified: day1, Meta: catalog.Metadata{Title: "Vélos"}, Data: &harvest.Data{Format: "csv"}},
		{RemoteID: "id-2", Slug: "bus", Modified: day1, Meta: catalog.Metadata{Title: "Bus"}, Data: &harvest.Data{Format: "csv"}},
	}, files: map[string]string{"id-1": "nom,places\nGare,24\n", "id-2": "ligne\nC1\n"}}
	a, src := harvestingApp(t, r)
	if run := harvestOnce(t, a, src); run.Created != 2 || run.Status != harvest.StatusOK {
		t.Fatalf("first run %+v", run)
	}
	v1 := dataset(t, a, "p-velos").Version

	// Renamed and retitled at the source, same data: same local ID, new
	// title, no new version.
	r.datasets[0].Slug, r.datasets[0].Meta.Title, r.datasets[0].Modified = "velos-libre-service", "Vélos en libre-service", day1.AddDate(0, 0, 1)
	run := harvestOnce(t, a, src)
	if run.Updated != 1 || run.Unchanged != 1 || run.Created != 0 {
		t.Errorf("rename run %+v", run.Report)
	}
	if d := dataset(t, a, "p-velos"); d.Meta.Title != "Vélos en libre-service" || d.Version != v1 {
		t.Errorf("after the rename: %q version %d (was %d)", d.Meta.Title, d.Version, v1)
	}
	if _, err := a.Store.Dataset(context.Background(), "p-velos-libre-service"); !errs.Is(err, errs.NotFound) {
		t.Errorf("the rename created another dataset: %v", err)
	}

	// New content: a new version.
	r.files["id-1"] = "nom,places\nGare,24\nMairie,12\n"
	r.datasets[0].Modified = day1.AddDate(0, 0, 2)
	if run := harvestOnce(t, a, src); run.Updated != 1 {
		t.Errorf("new content run %+v", run.Report)
	}
	if d := dataset(t, a, "p-velos"); d.Version == v1 || d.Records != 2 {
		t.Errorf("after new content: version %d, %d records", d.Version, d.Records)
	}
	v2 := dataset(t, a, "p-velos").Version

	// A bad file: that dataset fails, its published version stays.
	r.files["id-1"] = "nom,places\n\"Gare,24\n"
	r.datasets[0].Modified = day1.AddDate(0, 0, 3)
	run = harvestOnce(t, a, src)
	if run.Failed != 1 || run.Status != harvest.StatusPartial || run.Errors[0].LocalID != "p-velos" || !strings.Contains(run.Errors[0].Message, "import: ") || strings.Contains(run.Errors[0].Message, "internal error") {
		t.Errorf("bad file run %+v", run.Report)
	}
	if d := dataset(t, a, "p-velos"); d.Version != v2 || d.Records != 2 {
		t.Errorf("after a bad file: version %d, %d records", d.Version, d.Records)
	}

	// The identifier changes at the source: a new local dataset, the old
	// one missing (archived only after the grace period).
	r.files["id-9"] = r.files["id-2"]
	r.datasets[1].RemoteID = "id-9"
	run = harvestOnce(t, a, src)
	if run.Created != 1 || run.Missing != 1 {
		t.Errorf("changed identifier run %+v", run.Report)
	}
	if d := dataset(t, a, "p-bus-2"); d.Records != 1 {
		t.Errorf("new dataset %+v", d)
	}
	if d := dataset(t, a, "p-bus"); d.Access != catalog.AccessPublic {
		t.Errorf("the old dataset is %s before the grace period", d.Access)
	}
}

// TestHarvestOneRunPerSource: a second run of a source in progress is a
// conflict.
func TestHarvestOneRunPerSource(t *testing.T) {
	r := &remote{started: make(chan struct{}), release: make(chan struct{})}
	a, src := harvestingApp(t, r)
	run, err := a.StartHarvestSource(context.Background(), app.System, src.ID)
	if err != nil || run.Status != harvest.StatusRunning {
		t.Fatalf("start: %+v %v", run, err)
	}
	<-r.started
	if _, err := a.Harvest(context.Background(), src); !errs.Is(err, errs.Conflict) {
		t.Errorf("second run: %v", err)
	}
	close(r.release)
	a.StopHarvests()
	got, err := a.Store.HarvestRun(context.Background(), run.ID)
	if err != nil || got.Status != harvest.StatusOK {
		t.Errorf("background run %+v %v", got, err)
	}
}

// TestHarvestSchedule: the job runs due sources and leaves the others.
func TestHarvestSchedule(t *testing.T) {
	r := &remote{datasets: []harvest.RemoteDataset{{RemoteID: "id-1", Slug: "arbres", Meta: catalog.Metadata{Title: "Arbres"}}}}
	a, src := harvestingApp(t, r)
	manual := &harvest.Source{URL: "https://manual.example", Kind: harvest.KindODS, Enabled: true}
	if err := a.CreateHarvestSource(context.Background(), app.System, manual); err != nil {
		t.Fatal(err)
	}
	src.Every = time.Hour
	if err := a.UpdateHarvestSource(context.Background(), app.System, src); err != nil {
		t.Fatal(err)
	}
	j := a.NewHarvestJob(time.Hour)
	j.Start()
	deadline := time.Now().Add(10 * time.Second)
	var runs []*harvest.Run
	for time.Now().Before(deadline) {
		if runs, _ = a.Store.Runs(context.Background(), src.ID, 10); len(runs) == 1 && runs[0].Status != harvest.StatusRunning {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	j.Stop()
	if len(runs) != 1 || runs[0].Status != harvest.StatusOK || runs[0].Created != 1 {
		t.Errorf("scheduled runs %+v", runs)
	}
	if other, _ := a.Store.Runs(context.Background(), manual.ID, 10); len(other) != 0 {
		t.Errorf("the manual source ran %d times", len(other))
	}
}

// TestHarvestFollowsDeclaredFields: a field's new label at the source,
// with the same data, is published (a new version carries it).
func TestHarvestFollowsDeclaredFields(t *testing.T) {
	r := &remote{datasets: []harvest.RemoteDataset{{RemoteID: "id-1", Slug: "velos", Modified: day1, Meta: catalog.Metadata{Title: "Vélos"},
		Fields: []catalog.Field{{Name: "places", Label: "Places"}}, Data: &harvest.Data{Format: "csv"}}},
		files: map[string]string{"id-1": "nom,places\nGare,24\n"}}
	a, src := harvestingApp(t, r)
	a.Harvesting.Import = func(ctx context.Context, p auth.Principal, d *catalog.Dataset, dl *harvest.Download, fields []catalog.Field) error {
		over := map[string]importer.FieldOverride{}
		for _, f := range fields {
			over[f.Name] = importer.FieldOverride{Label: f.Label, Type: f.Type, Description: f.Description}
		}
		_, err := importer.Import(ctx, a, p, importer.Request{Path: dl.Path, Options: ingest.Options{Format: ingest.Format(dl.Format)}, Dataset: *d, Overrides: over})
		return err
	}
	harvestOnce(t, a, src)
	if run := harvestOnce(t, a, src); run.Unchanged != 1 {
		t.Errorf("second run %+v", run.Report)
	}
	r.datasets[0].Fields[0].Label, r.datasets[0].Fields[0].Description = "Places de stationnement", "Nombre de places"
	if run := harvestOnce(t, a, src); run.Updated != 1 {
		t.Errorf("relabelled run %+v", run.Report)
	}
	d := dataset(t, a, "p-velos")
	f, _ := d.Field("places")
	if f.Label != "Places de stationnement" || f.Description != "Nombre de places" || f.Type != catalog.TypeInt {
		t.Errorf("field %+v", f)
	}
}
