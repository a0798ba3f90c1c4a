package gtfsrt

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/MobilityData/gtfs-realtime-bindings/golang/gtfs"
	"google.golang.org/protobuf/proto"

	"github.com/socle/socle/internal/errs"
)

func TestDecodeSpecExample(t *testing.T) {
	b, err := os.ReadFile("testdata/trip-updates-full.asciipb")
	if err != nil {
		t.Fatal(err)
	}
	rt, err := DecodeText(b)
	if err != nil {
		t.Fatal(err)
	}
	if !rt.Timestamp.Equal(time.Unix(1284457468, 0)) || len(rt.Trips) != 2 {
		t.Fatalf("%s, %d trips", rt.Timestamp, len(rt.Trips))
	}
	tr := rt.Trips[0]
	if tr.TripID != "trip-1" || len(tr.Stops) != 3 {
		t.Fatalf("%+v", tr)
	}
	s := tr.Stops
	if !s[0].HasSequence || s[0].Sequence != 3 || s[0].Delay == nil || *s[0].Delay != 5 || *s[1].Delay != 1 {
		t.Errorf("delays %+v", s)
	}
	if !s[2].NoData || s[2].Delay != nil {
		t.Errorf("an update without arrival or departure goes back to the schedule: %+v", s[2])
	}
	if rt.Trips[1].TripID != "frequency-expanded-trip" || *rt.Trips[1].Stops[0].Delay != -2 {
		t.Errorf("%+v", rt.Trips[1])
	}
}

func TestDecodeBinary(t *testing.T) {
	b, err := os.ReadFile("testdata/vehicle_position.pb")
	if err != nil {
		t.Fatal(err)
	}
	rt, err := Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	if len(rt.Trips) != 0 {
		t.Errorf("a vehicle positions feed has no trip updates: %+v", rt.Trips)
	}
	for _, bad := range [][]byte{[]byte("\xff\xff\xff garbage"), []byte("not protobuf at all, just text")} {
		if _, err := Decode(bad); !errs.Is(err, errs.Invalid) {
			t.Errorf("Decode(%q) = %v, want Invalid", bad, err)
		}
	}
}

func feed(ts int64, trip string, delay int32) []byte {
	b, _ := proto.Marshal(&gtfs.FeedMessage{
		Header: &gtfs.FeedHeader{GtfsRealtimeVersion: proto.String("2.0"), Timestamp: proto.Uint64(uint64(ts))},
		Entity: []*gtfs.FeedEntity{{Id: proto.String("1"), TripUpdate: &gtfs.TripUpdate{
			Trip: &gtfs.TripDescriptor{TripId: proto.String(trip)},
			StopTimeUpdate: []*gtfs.TripUpdate_StopTimeUpdate{{StopSequence: proto.Uint32(1),
				Departure: &gtfs.TripUpdate_StopTimeEvent{Delay: proto.Int32(delay)}}},
		}}},
	})
	return b
}

func TestFetch(t *testing.T) {
	var body []byte
	status := 200
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(status)
		w.Write(body)
	}))
	defer srv.Close()
	f := &Fetcher{URL: srv.URL, MaxBytes: 1000}
	body = feed(1700000000, "T1", 90)
	rt, err := f.Fetch(context.Background())
	if err != nil || len(rt.Trips) != 1 || *rt.Trips[0].Stops[0].Delay != 90 {
		t.Fatalf("%+v, %v", rt, err)
	}
	body = []byte(strings.Repeat("x", 1001))
	if _, err := f.Fetch(context.Background()); !errs.Is(err, errs.TooLarge) {
		t.Errorf("oversized: %v", err)
	}
	body, status = feed(1700000000, "T1", 0), 503
	if _, err := f.Fetch(context.Background()); !errs.Is(err, errs.Unavailable) {
		t.Errorf("503: %v", err)
	}
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done()
	}))
	defer slow.Close()
	start := time.Now()
	sf := &Fetcher{URL: slow.URL, Client: &http.Client{Timeout: 200 * time.Millisecond}}
	if _, err := sf.Fetch(context.Background()); !errs.Is(err, errs.Unavailable) || time.Since(start) > 5*time.Second {
		t.Errorf("slow feed: %v after %s", err, time.Since(start))
	}
}

func FuzzDecode(f *testing.F) {
	f.Add(feed(1700000000, "T1", 60))
	b, _ := os.ReadFile("testdata/vehicle_position.pb")
	f.Add(b)
	f.Fuzz(func(t *testing.T, b []byte) {
		rt, err := Decode(b)
		if err != nil {
			if errs.KindOf(err) == errs.Internal {
				t.Fatalf("unclassified %v", err)
			}
			return
		}
		if len(rt.Trips) > MaxTrips {
			t.Fatal("too many trips")
		}
	})
}
