// Package gtfsrt fetches and decodes GTFS-Realtime feeds (protocol
// buffers, with MobilityData's Go bindings) into transit.Realtime. Fetches
// are bounded in time (the client's timeout) and in size (MaxBytes).
package gtfsrt

import (
	"context"
	"io"
	"net/http"
	"time"

	"github.com/MobilityData/gtfs-realtime-bindings/golang/gtfs"
	"google.golang.org/protobuf/encoding/prototext"
	"google.golang.org/protobuf/proto"

	"github.com/socle/socle/internal/errs"
	"github.com/socle/socle/internal/transit"
)

// MaxBytes is the largest feed fetched: a whole large network's
// TripUpdates take a few megabytes.
const MaxBytes = 16 << 20

// MaxTrips is the most trip updates one feed may carry.
const MaxTrips = 20000

// Fetcher gets one feed over HTTP.
type Fetcher struct {
	URL      string
	Client   *http.Client // nil: a client with a 20 s timeout
	MaxBytes int64        // 0: MaxBytes
}

var defaultClient = &http.Client{Timeout: 20 * time.Second}

// Fetch downloads and decodes the feed; errs.Unavailable when the server
// does not answer 200, errs.TooLarge over the size limit, errs.Invalid for
// a body that does not decode.
func (f *Fetcher) Fetch(ctx context.Context) (*transit.Realtime, error) {
	c, limit := f.Client, f.MaxBytes
	if c == nil {
		c = defaultClient
	}
	if limit <= 0 {
		limit = MaxBytes
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, f.URL, nil)
	if err != nil {
		return nil, errs.Wrap(errs.Invalid, err, "bad feed URL")
	}
	req.Header.Set("Accept", "application/x-protobuf, application/octet-stream")
	resp, err := c.Do(req)
	if err != nil {
		return nil, errs.Wrap(errs.Unavailable, err, "the feed did not answer")
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, errs.E(errs.Unavailable, "the feed answered %s", resp.Status)
	}
	if resp.ContentLength > limit {
		return nil, errs.E(errs.TooLarge, "the feed is %d bytes: at most %d", resp.ContentLength, limit)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return nil, errs.Wrap(errs.Unavailable, err, "the feed was cut short")
	}
	if int64(len(body)) > limit {
		return nil, errs.E(errs.TooLarge, "the feed is over %d bytes", limit)
	}
	return Decode(body)
}

// Decode reads a binary FeedMessage.
func Decode(b []byte) (*transit.Realtime, error) {
	var m gtfs.FeedMessage
	if err := proto.Unmarshal(b, &m); err != nil {
		return nil, errs.Wrap(errs.Invalid, err, "the feed is not a GTFS-Realtime message")
	}
	return convert(&m)
}

// DecodeText reads a FeedMessage in the protocol buffers text format (the
// spec's examples).
func DecodeText(b []byte) (*transit.Realtime, error) {
	var m gtfs.FeedMessage
	if err := prototext.Unmarshal(b, &m); err != nil {
		return nil, errs.Wrap(errs.Invalid, err, "the feed is not a GTFS-Realtime text message")
	}
	return convert(&m)
}

// convert keeps what next departures need; it checks what proto.Unmarshal
// cannot (required fields the bindings do not enforce).
func convert(m *gtfs.FeedMessage) (*transit.Realtime, error) {
	if m.GetHeader() == nil || m.GetHeader().GetGtfsRealtimeVersion() == "" {
		return nil, errs.E(errs.Invalid, "the feed has no header")
	}
	if m.GetHeader().GetIncrementality() != gtfs.FeedHeader_FULL_DATASET {
		return nil, errs.E(errs.Invalid, "only FULL_DATASET feeds are supported")
	}
	rt := &transit.Realtime{Timestamp: time.Unix(int64(m.GetHeader().GetTimestamp()), 0).UTC()}
	for _, e := range m.GetEntity() {
		tu := e.GetTripUpdate()
		if tu == nil || e.GetIsDeleted() || tu.GetTrip().GetTripId() == "" {
			continue // vehicle positions, alerts, frequency trips without an ID
		}
		if len(rt.Trips) == MaxTrips {
			return nil, errs.E(errs.TooLarge, "the feed has more than %d trip updates", MaxTrips)
		}
		rt.Trips = append(rt.Trips, tripUpdate(tu))
	}
	return rt, nil
}

func tripUpdate(tu *gtfs.TripUpdate) transit.TripUpdate {
	t := tu.GetTrip()
	out := transit.TripUpdate{TripID: t.GetTripId(), StartDate: t.GetStartDate(),
		Canceled: t.GetScheduleRelationship() == gtfs.TripDescriptor_CANCELED}
	if tu.Delay != nil {
		d := int(tu.GetDelay())
		out.Delay = &d
	}
	for _, s := range tu.GetStopTimeUpdate() {
		u := transit.StopUpdate{StopID: s.GetStopId(), HasSequence: s.StopSequence != nil, Sequence: int64(s.GetStopSequence()),
			Skipped: s.GetScheduleRelationship() == gtfs.TripUpdate_StopTimeUpdate_SKIPPED,
			NoData:  s.GetScheduleRelationship() == gtfs.TripUpdate_StopTimeUpdate_NO_DATA}
		// The departure is what a board shows; the arrival stands in for it.
		for _, ev := range []*gtfs.TripUpdate_StopTimeEvent{s.GetDeparture(), s.GetArrival()} {
			if ev == nil {
				continue
			}
			if ev.Time != nil {
				u.Time = ev.GetTime()
				break
			}
			if ev.Delay != nil {
				d := int(ev.GetDelay())
				u.Delay = &d
				break
			}
		}
		if u.Time == 0 && u.Delay == nil && !u.Skipped {
			u.NoData = u.NoData || (s.GetDeparture() == nil && s.GetArrival() == nil)
		}
		out.Stops = append(out.Stops, u)
	}
	return out
}
