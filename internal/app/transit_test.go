package app_test

import (
	"archive/zip"
	"bytes"
	"context"
	"io"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/socle/socle/internal/app"
	"github.com/socle/socle/internal/catalog"
	"github.com/socle/socle/internal/errs"
	"github.com/socle/socle/internal/odsql"
	"github.com/socle/socle/internal/transit"
)

func gtfsArchive(t *testing.T, files map[string]string) *transit.Archive {
	t.Helper()
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	for name, body := range files {
		f, _ := w.Create(name)
		io.WriteString(f, body)
	}
	w.Close()
	arch, err := transit.OpenArchive(bytes.NewReader(buf.Bytes()), int64(buf.Len()), transit.DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	return arch
}

func smallFeed() map[string]string {
	return map[string]string{
		"agency.txt":     "agency_name,agency_url,agency_timezone\nTAM,http://x,Europe/Paris\n",
		"stops.txt":      "stop_id,stop_name,stop_lat,stop_lon\nS1,Gare,43.6,3.88\nS2,Place,43.61,3.87\n",
		"routes.txt":     "route_id,route_short_name,route_type\nR1,1,0\n",
		"trips.txt":      "route_id,service_id,trip_id,trip_headsign\nR1,SEM,T1,Odysseum\n",
		"stop_times.txt": "trip_id,arrival_time,departure_time,stop_id,stop_sequence\nT1,08:00:00,08:00:00,S1,1\nT1,08:10:00,08:11:00,S2,2\n",
	}
}

// TestImportGTFSRefusedChangesNothing: a second import whose stop_times.txt
// has a bad row publishes no new version of any of the three datasets.
func TestImportGTFSRefusedChangesNothing(t *testing.T) {
	a := newApp(t)
	ctx := context.Background()
	sum, err := a.ImportGTFS(ctx, app.System, gtfsArchive(t, smallFeed()), app.GTFSImport{Prefix: "tam"})
	if err != nil || len(sum.Datasets) != 4 || sum.Datasets[2].Rows != 2 {
		t.Fatalf("%+v, %v", sum, err)
	}
	bad := smallFeed()
	bad["stop_times.txt"] += "T1,08:20:00,08:20:00,S3,3\n"
	if _, err := a.ImportGTFS(ctx, app.System, gtfsArchive(t, bad), app.GTFSImport{Prefix: "tam"}); !errs.Is(err, errs.Invalid) {
		t.Fatalf("bad feed: %v", err)
	}
	for _, id := range []string{"tam-arrets", "tam-lignes", "tam-horaires"} {
		d, err := a.Store.Dataset(ctx, id)
		if err != nil || d.Version != 1 {
			t.Errorf("%s: version %v, %v", id, d, err)
		}
	}
	if _, err := a.ImportGTFS(ctx, app.System, gtfsArchive(t, smallFeed()), app.GTFSImport{Prefix: "Bad Prefix"}); !errs.Is(err, errs.Invalid) {
		t.Errorf("bad prefix: %v", err)
	}
}

// TestPullRealtimeKeepsOthersDatasets: a pull never empties a dataset of
// the departures' name that it did not make.
func TestPullRealtimeKeepsOthersDatasets(t *testing.T) {
	a := newApp(t)
	ctx := context.Background()
	if _, err := a.ImportGTFS(ctx, app.System, gtfsArchive(t, smallFeed()), app.GTFSImport{Prefix: "tam"}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := a.EnsureDataset(ctx, app.System, &catalog.Dataset{ID: "tam-prochains-passages"}); err != nil {
		t.Fatal(err)
	}
	fields := []catalog.Field{{Name: "note", Type: catalog.TypeText}}
	if _, err := a.Store.LoadVersion(ctx, catalog.LoadRequest{DatasetID: "tam-prochains-passages", Fields: fields, Mode: catalog.ModeReplace,
		Rows: &rowList{rows: []catalog.Row{{"mine"}}}, Now: time.Now()}); err != nil {
		t.Fatal(err)
	}
	paris, _ := time.LoadLocation("Europe/Paris")
	now := time.Date(2026, 11, 27, 7, 30, 0, 0, paris)
	a.Now = func() time.Time { return now }
	f := app.RealtimeFeed{Prefix: "tam", Fetch: func(context.Context) (*transit.Realtime, error) {
		return &transit.Realtime{Timestamp: now, Trips: []transit.TripUpdate{{TripID: "T1", StartDate: "20261127"}}}, nil
	}}
	if err := a.PullRealtime(ctx, f); !errs.Is(err, errs.Conflict) {
		t.Fatalf("pull into someone else's dataset: %v", err)
	}
	if d, _ := a.Store.Dataset(ctx, "tam-prochains-passages"); d.Records != 1 {
		t.Errorf("the dataset has %d records, want its 1", d.Records)
	}
	if err := a.Store.DeleteDataset(ctx, "tam-prochains-passages"); err != nil {
		t.Fatal(err)
	}
	if err := a.PullRealtime(ctx, f); err != nil {
		t.Fatal(err)
	}
	d, err := a.Store.Dataset(ctx, "tam-prochains-passages")
	if err != nil || d.Records != 1 || !d.Meta.RealTime || d.Meta.KeyFields[0] != "departure_id" {
		t.Fatalf("departures dataset %+v, %v", d, err)
	}
}

type rowList struct {
	rows []catalog.Row
	i    int
}

func (r *rowList) Next() (catalog.Row, error) {
	if r.i >= len(r.rows) {
		return nil, io.EOF
	}
	r.i++
	return r.rows[r.i-1], nil
}

// TestPullRealtimeScheduled: the board holds the feed's predictions and,
// on time, the scheduled departures of running services whose trips the
// feed does not name (calendar.txt and calendar_dates.txt).
func TestPullRealtimeScheduled(t *testing.T) {
	a := newApp(t)
	ctx := context.Background()
	files := smallFeed()
	files["calendar.txt"] = "service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,start_date,end_date\nSEM,1,1,1,1,1,0,0,20260101,20261231\nWE,0,0,0,0,0,1,1,20260101,20261231\n"
	files["calendar_dates.txt"] = "service_id,date,exception_type\nEXTRA,20261127,1\nSEM,20261127,2\n"
	files["trips.txt"] += "R1,EXTRA,T2,Gare\nR1,WE,T3,Gare\nR1,SEM,T4,Gare\n"
	files["stop_times.txt"] += "T2,08:30:00,08:30:00,S1,1\nT2,08:40:00,08:40:00,S2,2\n" +
		"T3,08:35:00,08:35:00,S1,1\nT3,08:45:00,08:45:00,S2,2\n" +
		"T4,08:36:00,08:36:00,S1,1\nT4,08:46:00,08:46:00,S2,2\n"
	if _, err := a.ImportGTFS(ctx, app.System, gtfsArchive(t, files), app.GTFSImport{Prefix: "tam"}); err != nil {
		t.Fatal(err)
	}
	paris, _ := time.LoadLocation("Europe/Paris")
	now := time.Date(2026, 11, 27, 7, 30, 0, 0, paris) // a Friday: SEM removed, EXTRA added
	a.Now = func() time.Time { return now }
	delay := 60
	f := app.RealtimeFeed{Prefix: "tam", Fetch: func(context.Context) (*transit.Realtime, error) {
		return &transit.Realtime{Timestamp: now, Trips: []transit.TripUpdate{{TripID: "T1", StartDate: "20261127", Delay: &delay}}}, nil
	}}
	for _, stamp := range []time.Time{now.Add(-time.Hour), now.Add(time.Hour), {}} {
		bad := f
		bad.Fetch = func(context.Context) (*transit.Realtime, error) { return &transit.Realtime{Timestamp: stamp}, nil }
		if err := a.PullRealtime(ctx, bad); !errs.Is(err, errs.Invalid) {
			t.Errorf("header at %s: %v", stamp, err)
		}
	}
	if _, err := a.Store.Dataset(ctx, "tam-prochains-passages"); !errs.Is(err, errs.NotFound) {
		t.Errorf("refused feeds made the departures dataset: %v", err)
	}
	if err := a.PullRealtime(ctx, f); err != nil {
		t.Fatal(err)
	}
	d, err := a.Store.Dataset(ctx, "tam-prochains-passages")
	if err != nil {
		t.Fatal(err)
	}
	ob, _ := odsql.ParseOrderBy("predicted")
	rows, err := a.Store.Query(ctx, d, &odsql.Query{OrderBy: ob, Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []string
	for {
		r, err := rows.Next()
		if err != nil {
			break
		}
		got = append(got, r[1].(string)+" "+r[5].(string)+" "+r[7].(time.Time).In(paris).Format("15:04")+" "+strconv.FormatInt(r[8].(int64), 10))
	}
	want := "S1 T1 08:01 60|S1 T2 08:30 0"
	if strings.Join(got, "|") != want {
		t.Errorf("board %q, want %q", strings.Join(got, "|"), want)
	}
}
