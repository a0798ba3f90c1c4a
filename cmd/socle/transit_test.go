package main

import (
	"archive/zip"
	"bytes"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/MobilityData/gtfs-realtime-bindings/golang/gtfs"
	"google.golang.org/protobuf/proto"

	"github.com/socle/socle/gtfsrt"
	"github.com/socle/socle/internal/app"
)

const sampleFeed = "../../internal/transit/testdata/sample-feed-1.zip"

// rtServer serves a GTFS-Realtime body that the test changes, and counts
// the pulls.
type rtServer struct {
	mu    sync.Mutex
	body  []byte
	pulls int
}

func (s *rtServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	b := s.body
	s.pulls++
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/x-protobuf")
	w.Write(b)
}

func (s *rtServer) set(b []byte) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.body = b
	return s.pulls
}

// waitPulls waits until the server was pulled n more times than after.
func (s *rtServer) waitPulls(t *testing.T, after, n int) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		s.mu.Lock()
		p := s.pulls
		s.mu.Unlock()
		if p >= after+n {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("the feed was not pulled %d more times", n)
}

// tripUpdates builds a TripUpdates feed with Google's bindings: the trips
// of the sample feed on 2026-11-27 (Los Angeles), with delays.
func tripUpdates(stamp time.Time, ab1Delay int32) []byte {
	la, _ := time.LoadLocation("America/Los_Angeles")
	entity := func(id, trip string, u *gtfs.TripUpdate_StopTimeUpdate) *gtfs.FeedEntity {
		tu := &gtfs.TripUpdate{Trip: &gtfs.TripDescriptor{TripId: proto.String(trip), StartDate: proto.String("20261127")}}
		if u != nil {
			tu.StopTimeUpdate = []*gtfs.TripUpdate_StopTimeUpdate{u}
		}
		return &gtfs.FeedEntity{Id: proto.String(id), TripUpdate: tu}
	}
	b, err := proto.Marshal(&gtfs.FeedMessage{
		Header: &gtfs.FeedHeader{GtfsRealtimeVersion: proto.String("2.0"), Incrementality: gtfs.FeedHeader_FULL_DATASET.Enum(),
			Timestamp: proto.Uint64(uint64(stamp.Unix()))},
		Entity: []*gtfs.FeedEntity{
			// AB1 leaves BEATTY_AIRPORT (sequence 1) at 8:00, late by ab1Delay.
			entity("1", "AB1", &gtfs.TripUpdate_StopTimeUpdate{StopSequence: proto.Uint32(1),
				Departure: &gtfs.TripUpdate_StopTimeEvent{Delay: proto.Int32(ab1Delay)}}),
			// BFC1 leaves BULLFROG at 8:20, predicted at 8:25 (absolute time, by stop ID).
			entity("2", "BFC1", &gtfs.TripUpdate_StopTimeUpdate{StopId: proto.String("BULLFROG"),
				Departure: &gtfs.TripUpdate_StopTimeEvent{Time: proto.Int64(time.Date(2026, 11, 27, 8, 25, 0, 0, la).Unix())}}),
			// AAMV1 leaves BEATTY_AIRPORT at 8:00, on time.
			entity("3", "AAMV1", nil),
			// AB2 (12:05) is beyond the two hours shown.
			entity("4", "AB2", nil),
		},
	})
	if err != nil {
		panic(err)
	}
	return b
}

// startTransit starts e with GTFS-Realtime feeds and a clock that starts
// at clock0 (the sample feed's times are fixed).
func startTransit(e *env, feeds []app.RealtimeFeed, clock0 time.Time) {
	e.t.Helper()
	e.adjust = func(a *app.App, o *serveOptions) {
		started := time.Now()
		a.Now = func() time.Time { return clock0.Add(time.Since(started)).UTC() }
		o.gtfsRT = feeds
	}
	e.start()
}

type departureRecord struct {
	StopID        string    `json:"stop_id"`
	StopName      string    `json:"stop_name"`
	Route         string    `json:"route"`
	Headsign      string    `json:"headsign"`
	TripID        string    `json:"trip_id"`
	Scheduled     time.Time `json:"scheduled"`
	Predicted     time.Time `json:"predicted"`
	Delay         int       `json:"delay"`
	FeedTimestamp time.Time `json:"feed_timestamp"`
	Geo           *struct {
		Lon float64 `json:"lon"`
		Lat float64 `json:"lat"`
	} `json:"geo_point_2d"`
}

// TestGTFSImportAndRealtime imports the GTFS reference sample feed through
// the CLI, reads its stops through the Explore API, refuses a feed with a
// missing file without touching what is published, then serves a
// TripUpdates feed built with Google's bindings: the server's scheduled
// pull turns it into next departures with the predicted times, and a
// stale feed then a corrupt one leave the last good state. Both engines.
func TestGTFSImportAndRealtime(t *testing.T) {
	la, _ := time.LoadLocation("America/Los_Angeles")
	clock0 := time.Date(2026, 11, 27, 7, 50, 0, 0, la)
	for _, e := range engines(t) {
		t.Run(e.name, func(t *testing.T) {
			e.t = t
			out := e.mustRun("gtfs", "import", "--file", sampleFeed, "--prefix", "dta")
			for _, want := range []string{`"id": "dta-arrets"`, `"rows": 9`, `"id": "dta-horaires"`, `"rows": 28`, `"id": "dta-calendrier"`, "America/Los_Angeles"} {
				if !strings.Contains(out, want) {
					t.Errorf("import summary lacks %s: %s", want, out)
				}
			}
			// A feed without stops.txt is refused, naming the file; nothing changes.
			broken := zipWithout(t, sampleFeed, "stops.txt")
			if _, errOut, code := e.run("", "gtfs", "import", "--file", broken, "--prefix", "dta"); code == 0 || !strings.Contains(errOut, "stops.txt") {
				t.Errorf("feed without stops.txt: exit %d, %s", code, errOut)
			}

			srv := &rtServer{body: tripUpdates(clock0, 120)}
			hs := httptest.NewServer(srv)
			defer hs.Close()
			feeds := []app.RealtimeFeed{{Prefix: "dta", Every: 300 * time.Millisecond, MaxAge: 5 * time.Minute,
				Fetch: (&gtfsrt.Fetcher{URL: hs.URL}).Fetch}}
			startTransit(e, feeds, clock0)

			var stops struct {
				TotalCount int `json:"total_count"`
				Results    []struct {
					StopName string `json:"stop_name"`
					Geo      struct {
						Lon float64 `json:"lon"`
						Lat float64 `json:"lat"`
					} `json:"geo_point_2d"`
				} `json:"results"`
			}
			e.getJSON(records("dta-arrets", "where", `stop_id = "BEATTY_AIRPORT"`), "", 200, &stops)
			if stops.TotalCount != 1 || stops.Results[0].Geo.Lat != 36.868446 || stops.Results[0].Geo.Lon != -116.784582 {
				t.Errorf("BEATTY_AIRPORT: %+v", stops)
			}
			e.getJSON(records("dta-arrets", "limit", "0"), "", 200, &stops)
			if stops.TotalCount != 9 {
				t.Errorf("%d stops after the refused import, want 9", stops.TotalCount)
			}

			board := waitDepartures(t, e, func(ds []departureRecord) bool { return len(ds) == 3 })
			at := func(h, m int) time.Time { return time.Date(2026, 11, 27, h, m, 0, 0, la) }
			want := []struct {
				stop, trip string
				predicted  time.Time
				delay      int
			}{
				{"BEATTY_AIRPORT", "AAMV1", at(8, 0), 0},
				{"BEATTY_AIRPORT", "AB1", at(8, 2), 120},
				{"BULLFROG", "BFC1", at(8, 25), 300},
			}
			for i, w := range want {
				d := board[i]
				if d.StopID != w.stop || d.TripID != w.trip || !d.Predicted.Equal(w.predicted) || d.Delay != w.delay {
					t.Errorf("departure %d: %s %s %s %d, want %s %s %s %d", i, d.StopID, d.TripID, d.Predicted, d.Delay, w.stop, w.trip, w.predicted, w.delay)
				}
				if !d.FeedTimestamp.Equal(clock0) || d.Geo == nil {
					t.Errorf("departure %d: feed timestamp %s, geometry %v", i, d.FeedTimestamp, d.Geo)
				}
			}
			if d := board[1]; d.StopName != "Nye County Airport (Demo)" || d.Route != "10" || d.Headsign != "to Bullfrog" || !d.Scheduled.Equal(at(8, 0)) {
				t.Errorf("AB1: %+v", d)
			}

			// A new delay reaches the event stream and the records.
			events := sseEvents(t, e, "/api/explore/v2.1/catalog/datasets/dta-prochains-passages/events")
			srv.set(tripUpdates(clock0.Add(time.Minute), 180))
			select {
			case ev := <-events:
				if ev[0] != "change" || !strings.Contains(ev[1], `"dataset":"dta-prochains-passages"`) {
					t.Errorf("event %v", ev)
				}
			case <-time.After(15 * time.Second):
				t.Fatal("no change event")
			}
			good := waitDepartures(t, e, func(ds []departureRecord) bool { return len(ds) == 3 && ds[1].Delay == 180 })

			// A stale feed (an hour old) and a corrupt one change nothing.
			for _, bad := range [][]byte{tripUpdates(clock0.Add(-time.Hour), 900), []byte("\x0a\xff\xff\xff not a feed")} {
				n := srv.set(bad)
				srv.waitPulls(t, n, 3)
				now := readDepartures(t, e)
				if len(now) != 3 || now[1].Delay != 180 || !now[1].FeedTimestamp.Equal(good[1].FeedTimestamp) {
					t.Errorf("after a bad feed: %+v", now)
				}
			}
		})
	}
}

func readDepartures(t *testing.T, e *env) []departureRecord {
	t.Helper()
	var r struct {
		Results []departureRecord `json:"results"`
	}
	e.getJSON(records("dta-prochains-passages", "order_by", "stop_id, predicted", "limit", "100"), "", 200, &r)
	return r.Results
}

// waitDepartures polls the live dataset until ok holds (the pull runs
// every 300 ms), with a generous deadline.
func waitDepartures(t *testing.T, e *env, ok func([]departureRecord) bool) []departureRecord {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		if code, _, _ := e.get(records("dta-prochains-passages", "limit", "0"), ""); code == 200 {
			if ds := readDepartures(t, e); ok(ds) {
				return ds
			}
		}
		if time.Now().After(deadline) {
			code, body, _ := e.get(records("dta-prochains-passages", "limit", "100"), "")
			t.Fatalf("the departures did not come: %d %s", code, body)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// zipWithout copies the zip at path without the file drop.
func zipWithout(t *testing.T, path, drop string) string {
	t.Helper()
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	for _, f := range zr.File {
		if f.Name == drop {
			continue
		}
		rc, _ := f.Open()
		dst, _ := w.Create(f.Name)
		var b bytes.Buffer
		b.ReadFrom(rc)
		rc.Close()
		dst.Write(b.Bytes())
	}
	w.Close()
	out := filepath.Join(t.TempDir(), "broken.zip")
	if err := os.WriteFile(out, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestGTFSImportAPI imports the Bull Runner feed through POST
// /api/socle/v1/gtfs (a multipart form) as a producer, refuses anonymous
// callers, and refuses a zip bomb and a feed with a malformed row without
// publishing anything. Both engines.
func TestGTFSImportAPI(t *testing.T) {
	for _, e := range engines(t) {
		t.Run(e.name, func(t *testing.T) {
			e.t = t
			seedOrgs(t, e)
			e.mustRun("user", "add", "--login", "prod", "--role", "producer", "--org", "metropole")
			key := strings.TrimSpace(e.mustRun("apikey", "create", "--login", "prod"))
			e.start()
			feed, err := os.ReadFile("../../internal/transit/testdata/bullrunner-gtfs.zip")
			if err != nil {
				t.Fatal(err)
			}
			if code, body := e.postFile("/api/socle/v1/gtfs?prefix=usf", "", "application/zip", feed); code != 401 {
				t.Fatalf("anonymous import: %d %s", code, body)
			}
			var form bytes.Buffer
			mw := multipart.NewWriter(&form)
			fw, _ := mw.CreateFormFile("file", "bullrunner-gtfs.zip")
			fw.Write(feed)
			mw.Close()
			code, body := e.postFile("/api/socle/v1/gtfs?prefix=usf", key, mw.FormDataContentType(), form.Bytes())
			if code != 200 || !strings.Contains(string(body), `"id":"usf-horaires"`) || !strings.Contains(string(body), `"rows":473`) {
				t.Fatalf("import: %d %s", code, body)
			}
			var stops struct {
				TotalCount int `json:"total_count"`
			}
			e.getJSON(records("usf-arrets", "limit", "0"), "", 200, &stops)
			if stops.TotalCount != 125 {
				t.Errorf("%d stops, want 125", stops.TotalCount)
			}

			bomb := zipOf(t, map[string][]byte{"stop_times.txt": bytes.Repeat([]byte{'0'}, 8<<20)})
			if code, body := e.postFile("/api/socle/v1/gtfs?prefix=bomb", key, "application/zip", bomb); code != 413 {
				t.Errorf("zip bomb: %d %s", code, body)
			}
			bad := zipReplacing(t, "../../internal/transit/testdata/bullrunner-gtfs.zip", "stop_times.txt", "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n1,07:00:00,07:00:00,222,1\n1,7h01,07:01:04,230,2\n")
			code, body = e.postFile("/api/socle/v1/gtfs?prefix=usf", key, "application/zip", bad)
			if code != 400 || !strings.Contains(string(body), "stop_times.txt line 3") {
				t.Errorf("malformed row: %d %s", code, body)
			}
			e.getJSON(records("usf-horaires", "limit", "0"), "", 200, &stops)
			if stops.TotalCount != 473 {
				t.Errorf("%d timetable rows after a refused import, want 473", stops.TotalCount)
			}
			if code, _, _ := e.get(records("bomb-arrets"), key); code != 404 {
				t.Errorf("the refused zip bomb created a dataset: %d", code)
			}

			// socle gtfs pull applies a feed once: a stale one and a corrupt one are refused.
			srv := &rtServer{body: tripUpdates(time.Now().Add(-time.Hour), 60)}
			hs := httptest.NewServer(srv)
			defer hs.Close()
			if _, errOut, code := e.run("", "gtfs", "pull", "--prefix", "usf", "--url", hs.URL); code == 0 || !strings.Contains(errOut, "stale") {
				t.Errorf("stale feed: exit %d, %s", code, errOut)
			}
			srv.set([]byte("garbage"))
			if _, errOut, code := e.run("", "gtfs", "pull", "--prefix", "usf", "--url", hs.URL); code == 0 || !strings.Contains(errOut, "not a GTFS-Realtime message") {
				t.Errorf("corrupt feed: exit %d, %s", code, errOut)
			}
			srv.set(tripUpdates(time.Now(), 60)) // fresh, for trips Bull Runner does not have
			e.mustRun("gtfs", "pull", "--prefix", "usf", "--url", hs.URL)
			e.getJSON(records("usf-prochains-passages", "limit", "0"), "", 200, &stops)
			if stops.TotalCount != 0 {
				t.Errorf("%d departures for trips the timetable does not have", stops.TotalCount)
			}
		})
	}
}

func zipOf(t *testing.T, files map[string][]byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	for name, b := range files {
		f, _ := w.Create(name)
		f.Write(b)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// zipReplacing returns the zip at path with file name's content replaced.
func zipReplacing(t *testing.T, path, name, content string) []byte {
	t.Helper()
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	files := map[string][]byte{name: []byte(content)}
	for _, f := range zr.File {
		if f.Name == name {
			continue
		}
		rc, _ := f.Open()
		b, _ := io.ReadAll(rc)
		rc.Close()
		files[f.Name] = b
	}
	return zipOf(t, files)
}

func TestGTFSRTFlag(t *testing.T) {
	f, err := parseServe("serve", []string{"--gtfs-rt", "dta=https://example.org/tu.pb", "--gtfs-rt", "usf=http://127.0.0.1:9/x",
		"--gtfs-rt-interval", "10s", "--gtfs-rt-max-age", "2m"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	feeds := f.options().gtfsRT
	if len(feeds) != 2 || feeds[0].Prefix != "dta" || feeds[1].Prefix != "usf" || feeds[0].Every != 10*time.Second || feeds[1].MaxAge != 2*time.Minute || feeds[0].Fetch == nil {
		t.Fatalf("%+v", feeds)
	}
	for _, bad := range []string{"dta", "=http://x", "dta=ftp://x", "dta=http://"} {
		if _, err := parseServe("serve", []string{"--gtfs-rt", bad}, io.Discard); err == nil {
			t.Errorf("--gtfs-rt %q accepted", bad)
		}
	}
}
