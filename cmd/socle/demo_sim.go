package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/eclipse/paho.golang/paho"

	"github.com/socle/socle/internal/app"
	"github.com/socle/socle/internal/demo"
	"github.com/socle/socle/internal/sensors"
	"github.com/socle/socle/internal/sensors/lorawan"
)

// The running demo's simulator: every minute, the uplinks of the demo
// fleet that have come due travel the network paths a territory's real
// integrations use, to the demo's own server —
//   - ChirpStack v4 uplinks published at QoS 1 to the embedded MQTT broker
//     (water meters, containers, streetlights),
//   - NGSI-LD batch upserts of AirQualityObserved entities, as a FIWARE
//     platform sends them (air stations),
//   - native readings posted to /api/v1/observations, as an operator's
//     backend does (parking spots),
//
// each authenticated by the demo's API key. The fleet's history is
// backfilled in-process at seeding (seedSensors), the uplink parser and
// the same ingestion use case, concurrently so that group commit applies.

// simulator sends the demo fleet's live data.
type simulator struct {
	t      *demo.Territory
	key    string // the demo's API key
	base   string // the server's HTTP URL
	broker string // the embedded broker's URL; "" when the demo runs without one
	ing    sensors.Ingester
	log    *slog.Logger
	http   *http.Client
	mqtt   *paho.Client // connected on first use, again after a failure
}

// run feeds what comes due every minute from since until ctx ends.
func (s *simulator) run(ctx context.Context, since time.Time, now func() time.Time) {
	tick := time.NewTicker(time.Minute)
	defer tick.Stop()
	defer s.closeMQTT()
	// The history was backfilled in-process: the air stations' last values
	// go out now as NGSI-LD entities, so that FIWARE clients find them.
	var recent []demo.SimUplink
	for _, u := range s.t.UplinksSince(since.Add(-time.Hour), since) {
		if u.Transport == demo.TransportNGSILD {
			recent = append(recent, u)
		}
	}
	if err := s.upsertEntities(ctx, recent); err != nil && ctx.Err() == nil {
		s.log.Warn("demo sensor simulation", "err", err)
	}
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			t := now()
			if err := s.feed(ctx, s.t.UplinksSince(since, t)); err != nil {
				if ctx.Err() == nil {
					s.log.Warn("demo sensor simulation", "err", err)
				}
				continue // what failed comes again next minute: the server deduplicates
			}
			since = t
		}
	}
}

// feed sends us, each by its fleet's transport.
func (s *simulator) feed(ctx context.Context, us []demo.SimUplink) error {
	by := map[string][]demo.SimUplink{}
	for _, u := range us {
		by[u.Transport] = append(by[u.Transport], u)
	}
	if err := s.publish(ctx, by[demo.TransportMQTT]); err != nil {
		return fmt.Errorf("mqtt: %w", err)
	}
	if err := s.upsertEntities(ctx, by[demo.TransportNGSILD]); err != nil {
		return fmt.Errorf("ngsi-ld: %w", err)
	}
	if err := s.postReadings(ctx, by[demo.TransportHTTP]); err != nil {
		return fmt.Errorf("http: %w", err)
	}
	return nil
}

// publish sends ChirpStack uplinks to the embedded broker at QoS 1; the
// broker acknowledges each once stored. Without a broker they are
// ingested in-process through the same parser.
func (s *simulator) publish(ctx context.Context, us []demo.SimUplink) error {
	if len(us) == 0 {
		return nil
	}
	if s.broker == "" {
		return feedUplinks(ctx, s.ing, us)
	}
	c, err := s.connect(ctx)
	if err != nil {
		return err
	}
	for _, u := range us {
		pctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		resp, err := c.Publish(pctx, &paho.Publish{Topic: u.Topic, QoS: 1, Payload: u.Body})
		cancel()
		if err == nil && resp != nil && resp.ReasonCode >= 0x80 {
			err = fmt.Errorf("PUBACK reason code %#x", resp.ReasonCode)
		}
		if err != nil {
			s.closeMQTT()
			return err
		}
	}
	return nil
}

// connect returns the MQTT client, connecting with the API key as the
// password when there is none.
func (s *simulator) connect(ctx context.Context) (*paho.Client, error) {
	if s.mqtt != nil {
		return s.mqtt, nil
	}
	u, err := url.Parse(s.broker)
	if err != nil {
		return nil, err
	}
	conn, err := (&net.Dialer{Timeout: 5 * time.Second}).DialContext(ctx, "tcp", u.Host)
	if err != nil {
		return nil, err
	}
	c := paho.NewClient(paho.ClientConfig{ClientID: "socle-demo-simulator", Conn: conn})
	cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if _, err := c.Connect(cctx, &paho.Connect{ClientID: "socle-demo-simulator", CleanStart: true, KeepAlive: 60,
		Username: "demo", UsernameFlag: true, Password: []byte(s.key), PasswordFlag: true}); err != nil {
		conn.Close()
		return nil, err
	}
	s.mqtt = c
	return c, nil
}

func (s *simulator) closeMQTT() {
	if s.mqtt != nil {
		_ = s.mqtt.Disconnect(&paho.Disconnect{})
		s.mqtt = nil
	}
}

// upsertEntities sends the air stations' values as AirQualityObserved
// entities (Smart Data Models), 500 per batch upsert, as application/json
// with the core context in a Link header.
func (s *simulator) upsertEntities(ctx context.Context, us []demo.SimUplink) error {
	for len(us) > 0 {
		n := min(len(us), 500)
		entities := make([]map[string]any, n)
		for i, u := range us[:n] {
			e := map[string]any{"id": demo.NGSIEntityID(u.Device.ID), "type": "AirQualityObserved",
				"no2": map[string]any{"type": "Property", "value": u.Value, "observedAt": u.Time.Format(time.RFC3339), "unitCode": "GQ"}}
			if l := u.Device.Location; l != nil {
				e["location"] = map[string]any{"type": "GeoProperty", "value": map[string]any{"type": "Point", "coordinates": []float64{l.Lon, l.Lat}}}
			}
			entities[i] = e
		}
		link := `<https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.8.jsonld>; rel="http://www.w3.org/ns/json-ld#context"; type="application/ld+json"`
		if err := s.post(ctx, "/ngsi-ld/v1/entityOperations/upsert", entities, map[string]string{"Link": link}); err != nil {
			return err
		}
		us = us[n:]
	}
	return nil
}

// postReadings sends the parking spots' values as native readings, 1,000
// per request.
func (s *simulator) postReadings(ctx context.Context, us []demo.SimUplink) error {
	for len(us) > 0 {
		n := min(len(us), 1000)
		rs := make([]app.Reading, n)
		for i, u := range us[:n] {
			v := u.Value
			rs[i] = app.Reading{Device: u.Device.ID, Property: u.Device.Properties[0].Name, Time: u.Time, Value: &v}
		}
		if err := s.post(ctx, "/api/v1/observations", rs, nil); err != nil {
			return err
		}
		us = us[n:]
	}
	return nil
}

// post sends v as JSON with the API key and checks for a 2xx answer.
func (s *simulator) post(ctx context.Context, path string, v any, header map[string]string) error {
	body, err := json.Marshal(v)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.base+path, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Apikey "+s.key)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := s.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	msg, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("POST %s: %d %s", path, resp.StatusCode, msg)
	}
	return nil
}

// feedUplinks ingests the simulated uplinks through the path MQTT
// messages take (the ChirpStack parser, then IngestUplink), on a few
// goroutines so that concurrent uplinks share commits. A device's uplinks
// stay in time order (one goroutine per device), as its alert rules
// expect.
func feedUplinks(ctx context.Context, ing sensors.Ingester, us []demo.SimUplink) error {
	const workers = 64
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	queues := make([]chan demo.SimUplink, workers)
	var wg sync.WaitGroup
	for i := range queues {
		queues[i] = make(chan demo.SimUplink, 64)
		wg.Add(1)
		go func(q <-chan demo.SimUplink) {
			defer wg.Done()
			for u := range q {
				if ctx.Err() != nil {
					continue // drain
				}
				up, err := lorawan.ParseChirpStack(u.Topic, u.Body)
				if err == nil {
					err = ing.IngestUplink(ctx, up)
				}
				if err != nil {
					cancel(err)
				}
			}
		}(queues[i])
	}
	for _, u := range us {
		h := fnv.New32a()
		h.Write([]byte(u.Device.ID))
		queues[h.Sum32()%workers] <- u
	}
	for _, q := range queues {
		close(q)
	}
	wg.Wait()
	if err := context.Cause(ctx); err != nil && err != context.Canceled {
		return err
	}
	return nil
}
