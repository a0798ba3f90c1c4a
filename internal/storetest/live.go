package storetest

import (
	"sync"
	"testing"
	"time"

	"github.com/socle/socle/internal/catalog"
	"github.com/socle/socle/internal/errs"
	"github.com/socle/socle/internal/live"
)

// runLive runs its capability's conformance tests.
func runLive(t *testing.T, fresh func(t *testing.T) Store) {
	for _, tc := range []struct {
		name string
		fn   func(t *testing.T, s Store)
	}{
		{"an in-place upsert replaces by key keeping record IDs, appends the rest and counts", testLiveUpsert},
		{"an in-place upsert without keys appends", testLiveAppend},
		{"in-place deletes by ID and by values (null matching null) count what they removed", testLiveDelete},
		{"a value of the wrong type, stale fields or no version write nothing", testLiveRefused},
		{"readers during in-place writes see each request whole or not at all", testLiveConcurrentReaders},
		{"push keys and feeds round-trip and go with their dataset", testLiveKeysAndFeeds},
	} {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, fresh(t)) })
	}
}

var liveFields = []catalog.Field{
	{Name: "spot", Type: catalog.TypeText},
	{Name: "free", Type: catalog.TypeInt},
	{Name: "at", Type: catalog.TypeDateTime},
	{Name: "where", Type: catalog.TypeGeoPoint},
}

// liveDataset creates dataset id with liveFields and two records, a1 and a2.
func liveDataset(t *testing.T, s Store, id string) *catalog.Dataset {
	t.Helper()
	newDataset(t, s, id)
	load(t, s, id, catalog.ModeReplace, liveFields, []catalog.Row{
		{"a1", int64(3), ts("2024-05-01T10:00:00Z"), catalog.GeoPoint{Lon: 4.8, Lat: 45.7}},
		{"a2", int64(0), nil, nil},
	})
	d, err := s.Dataset(ctx, id)
	must(t, err)
	return d
}

func liveRows(t *testing.T, s Store, id string) result {
	t.Helper()
	d, err := s.Dataset(ctx, id)
	must(t, err)
	return run(t, s, d, query(t, "", "", "", "", 100))
}

func testLiveUpsert(t *testing.T, s Store) {
	liveDataset(t, s, "parks")
	now := ts("2024-06-01T12:00:00Z")
	res, err := s.UpsertRecords(ctx, live.Upsert{DatasetID: "parks", Fields: liveFields, Keys: []string{"spot"}, Now: now, Rows: []catalog.Row{
		{"a2", int64(7), ts("2024-06-01T11:59:00Z"), nil},
		{"a3", int64(1), nil, catalog.GeoPoint{Lon: 4.9, Lat: 45.8}},
	}})
	must(t, err)
	if res.Inserted != 1 || res.Updated != 1 || res.Records != 3 || len(res.IDs) != 2 || res.IDs[0] != 2 || res.IDs[1] != 3 {
		t.Fatalf("result %+v, want a2 updated as record 2, a3 inserted as record 3, 3 records", res)
	}
	got := liveRows(t, s, "parks")
	wantRows(t, got.rows, []catalog.Row{
		{"a1", int64(3), ts("2024-05-01T10:00:00Z"), catalog.GeoPoint{Lon: 4.8, Lat: 45.7}},
		{"a2", int64(7), ts("2024-06-01T11:59:00Z"), nil},
		{"a3", int64(1), nil, catalog.GeoPoint{Lon: 4.9, Lat: 45.8}},
	})
	if got.ids[1] != 2 || got.ids[2] != 3 {
		t.Errorf("record IDs %v, want a2 to keep 2", got.ids)
	}
	d, err := s.Dataset(ctx, "parks")
	must(t, err)
	if d.Records != 3 || !d.Modified.Equal(now) || d.Version != 1 || d.Versions[0].Records != 3 {
		t.Errorf("dataset after upsert: records %d, modified %v, version %d %+v", d.Records, d.Modified, d.Version, d.Versions)
	}
	// Two rows with one key in one request: the last wins, one record.
	res, err = s.UpsertRecords(ctx, live.Upsert{DatasetID: "parks", Fields: liveFields, Keys: []string{"spot"}, Rows: []catalog.Row{
		{"a4", int64(1), nil, nil}, {"a4", int64(2), nil, nil},
	}})
	must(t, err)
	if res.Inserted != 1 || res.Updated != 1 || res.Records != 4 || count(t, s, d, "spot = 'a4' AND free = 2") != 1 {
		t.Errorf("same key twice: %+v", res)
	}
}

func testLiveAppend(t *testing.T, s Store) {
	d := liveDataset(t, s, "parks")
	res, err := s.UpsertRecords(ctx, live.Upsert{DatasetID: "parks", Fields: liveFields, Rows: []catalog.Row{{"a1", int64(9), nil, nil}}})
	must(t, err)
	if res.Inserted != 1 || res.Records != 3 || count(t, s, d, "spot = 'a1'") != 2 {
		t.Errorf("append without keys: %+v", res)
	}
}

func testLiveDelete(t *testing.T, s Store) {
	d := liveDataset(t, s, "parks")
	_, err := s.UpsertRecords(ctx, live.Upsert{DatasetID: "parks", Fields: liveFields, Rows: []catalog.Row{{"a3", nil, nil, nil}}})
	must(t, err)
	res, err := s.DeleteRecords(ctx, live.Delete{DatasetID: "parks", IDs: []int64{1, 99}})
	must(t, err)
	if res.Deleted != 1 || res.Records != 2 || len(res.IDs) != 1 || res.IDs[0] != 1 {
		t.Fatalf("delete by ID: %+v", res)
	}
	match := []catalog.Field{liveFields[0], liveFields[1]}
	res, err = s.DeleteRecords(ctx, live.Delete{DatasetID: "parks", Match: match, Rows: []catalog.Row{{"a3", nil}, {"a2", int64(5)}}})
	must(t, err)
	if res.Deleted != 1 || res.Records != 1 || res.IDs[0] != 3 {
		t.Fatalf("delete by values: %+v, want only a3 (null free) gone", res)
	}
	if got := liveRows(t, s, "parks"); len(got.rows) != 1 || got.rows[0][0] != "a2" {
		t.Errorf("left %v", got.rows)
	}
	d, err = s.Dataset(ctx, d.ID)
	must(t, err)
	if d.Records != 1 {
		t.Errorf("records %d, want 1", d.Records)
	}
}

func testLiveRefused(t *testing.T, s Store) {
	liveDataset(t, s, "parks")
	before := liveRows(t, s, "parks")
	_, err := s.UpsertRecords(ctx, live.Upsert{DatasetID: "parks", Fields: liveFields, Keys: []string{"spot"}, Rows: []catalog.Row{
		{"a1", int64(0), nil, nil}, {"a9", "three", nil, nil},
	}})
	wantKind(t, err, errs.Invalid)
	other := append([]catalog.Field{}, liveFields...)
	other[1].Type = catalog.TypeDouble
	_, err = s.UpsertRecords(ctx, live.Upsert{DatasetID: "parks", Fields: other, Rows: []catalog.Row{{"a9", 1.5, nil, nil}}})
	wantKind(t, err, errs.Conflict)
	_, err = s.UpsertRecords(ctx, live.Upsert{DatasetID: "parks", Fields: liveFields, Keys: []string{"nope"}, Rows: []catalog.Row{{"a9", nil, nil, nil}}})
	wantKind(t, err, errs.Invalid)
	_, err = s.DeleteRecords(ctx, live.Delete{DatasetID: "parks", IDs: []int64{1}, Match: liveFields[:1], Rows: []catalog.Row{{int64(1)}}})
	wantKind(t, err, errs.Invalid)
	wantRows(t, liveRows(t, s, "parks").rows, before.rows)
	d, err := s.Dataset(ctx, "parks")
	must(t, err)
	if d.Records != 2 {
		t.Errorf("records %d after refused writes, want 2", d.Records)
	}

	newDataset(t, s, "empty")
	_, err = s.UpsertRecords(ctx, live.Upsert{DatasetID: "empty", Fields: liveFields, Rows: []catalog.Row{{"a", nil, nil, nil}}})
	wantKind(t, err, errs.Invalid)
	_, err = s.UpsertRecords(ctx, live.Upsert{DatasetID: "ghost", Fields: liveFields})
	wantKind(t, err, errs.NotFound)
}

func testLiveConcurrentReaders(t *testing.T, s Store) {
	d := liveDataset(t, s, "parks")
	const batches, size = 20, 10
	var wg sync.WaitGroup
	done := make(chan struct{})
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-done:
				return
			default:
			}
			if n, err := s.Count(ctx, d, query(t, "", "", "", "", 100)); err != nil {
				t.Errorf("count: %v", err)
				return
			} else if (n-2)%size != 0 {
				t.Errorf("a reader saw %d records: part of a request", n)
				return
			}
		}
	}()
	for b := range batches {
		rows := make([]catalog.Row, size)
		for i := range rows {
			rows[i] = catalog.Row{"b", int64(b*size + i), time.Now().UTC(), nil}
		}
		if _, err := s.UpsertRecords(ctx, live.Upsert{DatasetID: "parks", Fields: liveFields, Rows: rows}); err != nil {
			t.Fatal(err)
		}
	}
	close(done)
	wg.Wait()
	if n := count(t, s, d, ""); n != 2+batches*size {
		t.Errorf("%d records, want %d", n, 2+batches*size)
	}
}

func testLiveKeysAndFeeds(t *testing.T, s Store) {
	liveDataset(t, s, "parks")
	_, err := s.PushKey(ctx, "parks")
	wantKind(t, err, errs.NotFound)
	at := ts("2024-06-01T12:00:00.123456Z")
	must(t, s.PutPushKey(ctx, &live.PushKey{DatasetID: "parks", Hash: "h1", Enabled: true, Actor: "ana", UpdatedAt: at}))
	must(t, s.PutPushKey(ctx, &live.PushKey{DatasetID: "parks", Hash: "h2", Enabled: false, Actor: "bob", UpdatedAt: at}))
	k, err := s.PushKey(ctx, "parks")
	must(t, err)
	if k.Hash != "h2" || k.Enabled || k.Actor != "bob" || !k.UpdatedAt.Equal(at) {
		t.Errorf("push key %+v", k)
	}
	wantKind(t, s.PutPushKey(ctx, &live.PushKey{DatasetID: "ghost", Hash: "h", UpdatedAt: at}), errs.NotFound)

	eq := 0.0
	f := &live.Feed{DatasetID: "parks", Domain: "parking", Fields: []live.Mapping{{Field: "spot", From: "id"}, {Field: "free", From: "value:occupancy", Equals: &eq}}, UpdatedAt: at}
	must(t, s.PutFeed(ctx, f))
	f.DeviceType = "ParkingSpot"
	must(t, s.PutFeed(ctx, f))
	feeds, err := s.Feeds(ctx)
	must(t, err)
	if len(feeds) != 1 || feeds[0].DeviceType != "ParkingSpot" || len(feeds[0].Fields) != 2 || *feeds[0].Fields[1].Equals != 0 {
		t.Fatalf("feeds %+v", feeds)
	}
	wantKind(t, s.PutFeed(ctx, &live.Feed{DatasetID: "ghost"}), errs.NotFound)
	must(t, s.DeleteDataset(ctx, "parks"))
	_, err = s.PushKey(ctx, "parks")
	wantKind(t, err, errs.NotFound)
	feeds, err = s.Feeds(ctx)
	must(t, err)
	if len(feeds) != 0 {
		t.Errorf("feeds outlived their dataset: %+v", feeds)
	}
	wantKind(t, s.DeleteFeed(ctx, "parks"), errs.NotFound)
}

// liveBenchRows is the size of the dataset the live benchmarks write into.
const liveBenchRows = 100000

// BenchLiveUpsert measures the upsert of one push of 100 records, keyed on
// an integer field, into a dataset of 100,000 rows × 10 columns: in place
// (live.Store) when inPlace, else through a LoadVersion upsert, which
// builds a new version (the baseline: what a push would cost without
// in-place writes). It reports records/s.
func BenchLiveUpsert(b *testing.B, s Store, inPlace bool) {
	if err := s.CreateDataset(ctx, &catalog.Dataset{ID: "bench", UID: "bench", Access: catalog.AccessPublic}); err != nil {
		b.Fatal(err)
	}
	if _, err := s.LoadVersion(ctx, catalog.LoadRequest{DatasetID: "bench", Fields: benchFields, Mode: catalog.ModeReplace,
		Rows: &benchSource{n: liveBenchRows}}); err != nil {
		b.Fatal(err)
	}
	const push = 100
	keys := []string{"c1"}
	round := 0
	for b.Loop() {
		round++
		rows := make([]catalog.Row, push)
		for i := range rows {
			k := int64((round*push+i)*7919%liveBenchRows + 1) // existing keys, spread over the table
			rows[i] = catalog.Row{"pushed", k, float64(round), true, nil, time.Now().UTC(), "Lyon", int64(i), 2.5, "mis à jour"}
		}
		var err error
		if inPlace {
			_, err = s.UpsertRecords(ctx, live.Upsert{DatasetID: "bench", Fields: benchFields, Keys: keys, Rows: rows})
		} else {
			_, err = s.LoadVersion(ctx, catalog.LoadRequest{DatasetID: "bench", Fields: benchFields, Mode: catalog.ModeUpsert,
				Keys: keys, Rows: &rowsSource{rows: rows}})
		}
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(push)*float64(b.N)/b.Elapsed().Seconds(), "records/s")
}
