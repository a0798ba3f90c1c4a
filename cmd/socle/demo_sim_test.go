package main

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/socle/socle/internal/demo"
)

// TestDemoSimulatorTransports seeds the demo, serves it with the embedded
// broker, and has the simulator send two hours of the fleet's data over
// its three transports (ChirpStack uplinks over MQTT, NGSI-LD batch
// upserts, native HTTP readings): the latest value of a device of each
// fleet is then the last one simulated.
func TestDemoSimulatorTransports(t *testing.T) {
	for _, e := range engines(t) {
		t.Run(e.name, func(t *testing.T) {
			e.t = t
			a, err := (&storeFlags{data: e.data, dsn: e.dsn}).open(t.Context(), quietLogger())
			if err != nil {
				t.Fatal(err)
			}
			// The history ends two hours ago; the simulator sends the rest.
			now := a.Now()
			a.Now = func() time.Time { return now.Add(-2 * time.Hour) }
			terr := demo.New()
			if _, err := seedDemo(t.Context(), a, terr); err != nil {
				t.Fatal(err)
			}
			key, _, err := a.CreateAPIKey(t.Context(), adminLogin(terr), "sim")
			if err != nil {
				t.Fatal(err)
			}
			a.Close()
			e.broker = true
			e.start()

			due := terr.UplinksSince(now.Add(-2*time.Hour), now)
			sim := &simulator{t: terr, key: key, base: e.base, broker: e.brokerURL, log: quietLogger(), http: http.DefaultClient}
			defer sim.closeMQTT()
			if err := sim.feed(t.Context(), due); err != nil {
				t.Fatal(err)
			}
			last := map[string]demo.SimUplink{} // transport → its newest uplink
			for _, u := range due {
				if l, ok := last[u.Transport]; !ok || !u.Time.Before(l.Time) {
					last[u.Transport] = u
				}
			}
			for _, tr := range []string{demo.TransportMQTT, demo.TransportNGSILD, demo.TransportHTTP} {
				u, ok := last[tr]
				if !ok {
					t.Fatalf("no %s uplink due in two hours", tr)
				}
				var got struct {
					Results []struct {
						Time  time.Time
						Value float64
					}
				}
				e.getJSON("/api/v1/devices/"+u.Device.ID+"/latest", key, 200, &got)
				if len(got.Results) != 1 || !got.Results[0].Time.Equal(u.Time.Truncate(time.Millisecond)) || got.Results[0].Value != u.Value {
					b, _ := json.Marshal(got)
					t.Errorf("%s: device %s latest %s, want %v at %s", tr, u.Device.ID, b, u.Value, u.Time)
				}
			}
			// The air stations are NGSI-LD entities too.
			code, body, _ := e.get("/ngsi-ld/v1/entities?type=AirQualityObserved&limit=1&count=true", key)
			if code != 200 || !strings.Contains(string(body), "urn:ngsi-ld:AirQualityObserved:air-") {
				t.Errorf("NGSI-LD entities: %d %s", code, body)
			}
		})
	}
}
