package mqtt

import (
	"context"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/socle/socle/internal/errs"
	"github.com/socle/socle/internal/sensors"
	"github.com/socle/socle/internal/sensors/lorawan"
)

// topics are the unique topics of one test: a ChirpStack application, a
// TTS application and a native device named after the run.
type topics struct{ id, chirpStack, tts, native string }

func newTopics(t *testing.T) topics {
	id := runID(t)
	return topics{
		id:         id,
		chirpStack: "application/" + id + "/device/0004A30B001C0530/event/up",
		tts:        "v3/" + id + "@socle/devices/eui-70b3d57ba0000bce/up",
		native:     "socle/devices/meter-" + id + "/up",
	}
}

// filters subscribes to the test's topics only.
func (tp topics) filters() []string {
	return []string{"application/" + tp.id + "/device/+/event/up", "v3/" + tp.id + "@socle/devices/+/up", tp.native}
}

func (tp topics) config(t *testing.T, broker, node string) Config {
	return Config{URL: broker, ClientID: "socle-test-" + tp.id + "-" + node, Topics: tp.filters()}
}

func chirpStackBody(fcnt int) string {
	return fmt.Sprintf(`{"deduplicationId":"3ac7e3c4-4401-4b8d-9386-%012d","time":"2024-05-01T10:00:00.123456+00:00",
 "deviceInfo":{"tenantId":"52f14cd4-c6f1-4fbd-8f87-4025e1d49242","applicationName":"eau","deviceName":"compteur-1","devEui":"0004a30b001c0530"},
 "devAddr":"00189440","adr":true,"dr":5,"fCnt":%d,"fPort":85,"data":"AXVkA2cYAQRobQd9xQE=","object":{"temperature":21.5,"humidity":40},
 "rxInfo":[{"gatewayId":"0016c001f153a14c","rssi":-36,"snr":10.5}]}`, fcnt, fcnt)
}

const ttsBody = `{"end_device_ids":{"device_id":"eui-70b3d57ba0000bce","application_ids":{"application_id":"app"},"dev_eui":"70B3D57BA0000BCE"},
 "correlation_ids":["as:up:01E0CY8V864TP36Q130RSQQJBY","gs:uplink:01E0CY8V1FFJ0WCKXTKT0CRPDY"],"received_at":"2020-02-06T09:46:05.447941836Z",
 "uplink_message":{"f_port":1,"f_cnt":101,"frm_payload":"AgEvAAME0gABC7E=","decoded_payload":{"distance":1234,"battery":2.993},
   "settings":{"frequency":"867700000"},"received_at":"2020-02-06T09:46:05.234172599Z"}}`

func nativeBody(key string) string {
	return `{"time":"2024-05-01T10:00:00Z","values":{"index_m3":1234.5},"key":"` + key + `"}`
}

// parsed is what the parsers make of a message: what the Ingester must get.
func parsed(t *testing.T, topic, body string) sensors.Uplink {
	t.Helper()
	parse, ok := lorawan.Route(topic)
	if !ok {
		t.Fatalf("no route for %s", topic)
	}
	u, err := parse(topic, []byte(body))
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func byKey(us []sensors.Uplink) []sensors.Uplink {
	sort.Slice(us, func(i, j int) bool { return us[i].Key < us[j].Key })
	return us
}

// assertAcked checks that the broker holds nothing more for the session of
// cfg.ClientID: a new Subscriber with that ID receives nothing.
func assertAcked(t *testing.T, cfg Config) {
	t.Helper()
	again := &recorder{}
	q := &quarantine{}
	startSubscriber(t, cfg, again, q)
	time.Sleep(500 * time.Millisecond)
	if n, _ := again.stats(); n != 0 || len(q.items()) != 0 {
		t.Fatalf("the broker resent %d uplinks and %d quarantined messages: they were not acknowledged", n, len(q.items()))
	}
}

func TestSubscriberIngestsEachFormat(t *testing.T) {
	broker := brokerURL(t)
	tp := newTopics(t)
	ing, q := &recorder{}, &quarantine{}
	cfg := tp.config(t, broker, "a")
	s := startSubscriber(t, cfg, ing, q)
	pub := publisher(t, broker)

	msgs := [][2]string{{tp.chirpStack, chirpStackBody(10)}, {tp.tts, ttsBody}, {tp.native, nativeBody("k1")}}
	var want []sensors.Uplink
	for _, m := range msgs {
		pub(m[0], m[1])
		want = append(want, parsed(t, m[0], m[1]))
	}
	waitFor(t, "three uplinks", func() bool { return len(ing.uplinks()) >= 3 })
	time.Sleep(200 * time.Millisecond) // and no more
	if got := byKey(ing.uplinks()); !reflect.DeepEqual(got, byKey(want)) {
		t.Fatalf("ingested\n%+v\nwant\n%+v", got, want)
	}
	if len(q.items()) != 0 {
		t.Fatalf("quarantined %+v", q.items())
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	assertAcked(t, cfg)
}

func TestSubscriberRetriesFailedIngestThenAcks(t *testing.T) {
	broker := brokerURL(t)
	tp := newTopics(t)
	ing := &recorder{fail: 2} // the database is down for the first two calls
	cfg := tp.config(t, broker, "a")
	s := startSubscriber(t, cfg, ing, &quarantine{})
	publisher(t, broker)(tp.chirpStack, chirpStackBody(1))

	waitFor(t, "the uplink stored", func() bool { return len(ing.uplinks()) == 1 })
	if calls, _ := ing.stats(); calls != 3 {
		t.Fatalf("IngestUplink called %d times, want 3 (two failures, one success)", calls)
	}
	if got, want := ing.uplinks()[0], parsed(t, tp.chirpStack, chirpStackBody(1)); !reflect.DeepEqual(got, want) {
		t.Fatalf("stored %+v, want %+v", got, want)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	assertAcked(t, cfg)
}

func TestSubscriberLeavesUnstoredMessageWithBroker(t *testing.T) {
	broker := brokerURL(t)
	tp := newTopics(t)
	down := &recorder{fail: -1} // the database never comes back before the node stops
	cfg := tp.config(t, broker, "a")
	s := startSubscriber(t, cfg, down, &quarantine{})
	publisher(t, broker)(tp.native, nativeBody("k1"))
	waitFor(t, "a failed attempt", func() bool { n, _ := down.stats(); return n >= 1 })
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	// The node restarts with the same client ID: the broker resends.
	up := &recorder{}
	startSubscriber(t, cfg, up, &quarantine{})
	waitFor(t, "the uplink resent", func() bool { return len(up.uplinks()) == 1 })
	if got, want := up.uplinks()[0], parsed(t, tp.native, nativeBody("k1")); !reflect.DeepEqual(got, want) {
		t.Fatalf("stored %+v, want %+v", got, want)
	}
}

func TestSubscriberQuarantinesMalformedMessages(t *testing.T) {
	broker := brokerURL(t)
	tp := newTopics(t)
	ing := &recorder{}
	q := &quarantine{fail: 1} // quarantine storage fails once: retried
	cfg := tp.config(t, broker, "a")
	s := startSubscriber(t, cfg, ing, q)
	pub := publisher(t, broker)
	pub(tp.chirpStack, `{"deviceInfo":`)
	pub(tp.tts, strings.Replace(ttsBody, "70B3D57BA0000BCE", "70B3D57BA0000BC", 1))
	pub(tp.native, `{"values":{"index_m3":"12"}}`)

	waitFor(t, "three quarantined", func() bool { return len(q.items()) == 3 })
	want := map[string][2]string{ // topic: source, reason fragment
		tp.chirpStack: {"mqtt:chirpstack", "malformed JSON"},
		tp.tts:        {"mqtt:tts", "dev_eui: DevEUI \"70B3D57BA0000BC\" is not 16 hex digits"},
		tp.native:     {"mqtt:native", "values.index_m3 is not a number"},
	}
	for _, it := range q.items() {
		w := want[it.topic]
		if it.source != w[0] || !strings.Contains(it.reason, w[1]) || it.raw == "" {
			t.Errorf("quarantined %+v, want source %q and a reason with %q", it, w[0], w[1])
		}
	}
	if n, _ := ing.stats(); n != 0 {
		t.Fatalf("IngestUplink called %d times", n)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	assertAcked(t, cfg)
}

func TestSubscriberQuarantinesUplinksTheIngesterRefuses(t *testing.T) {
	broker := brokerURL(t)
	tp := newTopics(t)
	q := &quarantine{}
	s := startSubscriber(t, tp.config(t, broker, "a"), refusing{}, q)
	publisher(t, broker)(tp.native, nativeBody("k1"))
	waitFor(t, "one quarantined", func() bool { return len(q.items()) == 1 })
	if it := q.items()[0]; it.source != "mqtt:native" || it.reason != "unknown property" {
		t.Fatalf("quarantined %+v", it)
	}
	_ = s.Close()
}

// refusing refuses every uplink as Invalid.
type refusing struct{}

func (refusing) IngestUplink(context.Context, sensors.Uplink) error {
	return errs.E(errs.Invalid, "unknown property")
}

func TestSubscriberSharedGroupSplitsMessages(t *testing.T) {
	broker := brokerURL(t)
	tp := newTopics(t)
	a, b := &recorder{}, &recorder{}
	cfgA, cfgB := tp.config(t, broker, "a"), tp.config(t, broker, "b")
	cfgA.SharedGroup, cfgB.SharedGroup = "socle-"+tp.id, "socle-"+tp.id
	startSubscriber(t, cfgA, a, &quarantine{})
	startSubscriber(t, cfgB, b, &quarantine{})
	pub := publisher(t, broker)
	const n = 40
	for i := range n {
		pub(tp.native, nativeBody(fmt.Sprint("k", i)))
	}
	total := func() int { return len(a.uplinks()) + len(b.uplinks()) }
	waitFor(t, "all messages", func() bool { return total() >= n })
	time.Sleep(300 * time.Millisecond) // and no more
	seen := map[string]int{}
	for _, u := range append(a.uplinks(), b.uplinks()...) {
		seen[u.Key]++
	}
	for k, c := range seen {
		if c != 1 {
			t.Errorf("%s handled %d times", k, c)
		}
	}
	if total() != n || len(seen) != n {
		t.Fatalf("handled %d messages (%d distinct), want %d", total(), len(seen), n)
	}
	if len(a.uplinks()) == 0 || len(b.uplinks()) == 0 {
		t.Fatalf("not shared: %d and %d", len(a.uplinks()), len(b.uplinks()))
	}
}

func TestSubscriberReconnectsAndResumesSession(t *testing.T) {
	broker := brokerURL(t)
	tp := newTopics(t)
	px, via := startProxy(t, broker)
	ing := &recorder{}
	cfg := tp.config(t, via, "a")
	startSubscriber(t, cfg, ing, &quarantine{})
	pub := publisher(t, broker)

	pub(tp.native, nativeBody("before"))
	waitFor(t, "the first uplink", func() bool { return len(ing.uplinks()) == 1 })

	px.cut() // the network goes away
	time.Sleep(300 * time.Millisecond)
	pub(tp.native, nativeBody("during")) // queued in the session by the broker
	px.restore()

	// Delivery is at least once: "before" comes again if its PUBACK was
	// still waiting for paho's next send when the network went away.
	distinct := func() map[string]bool {
		keys := map[string]bool{}
		for _, u := range ing.uplinks() {
			keys[strings.TrimPrefix(u.Key, "meter-"+tp.id+":")] = true
		}
		return keys
	}
	waitFor(t, "the uplink sent while disconnected", func() bool { return distinct()["during"] })
	pub(tp.native, nativeBody("after"))
	waitFor(t, "the uplink sent after reconnection", func() bool { return distinct()["after"] })
	if got := distinct(); len(got) != 3 {
		t.Fatalf("keys %v", got)
	}
}

func TestSubscriberBoundsMessagesInFlight(t *testing.T) {
	broker := brokerURL(t)
	tp := newTopics(t)
	ing := &recorder{block: make(chan struct{})}
	cfg := tp.config(t, broker, "a")
	cfg.MaxInFlight = 2
	startSubscriber(t, cfg, ing, &quarantine{})
	pub := publisher(t, broker)
	const n = 6
	for i := range n {
		pub(tp.native, nativeBody(fmt.Sprint("k", i)))
	}
	waitFor(t, "two messages in hand", func() bool { n, _ := ing.stats(); return n >= 2 })
	time.Sleep(300 * time.Millisecond)
	if calls, busy := ing.stats(); calls != 2 || busy != 2 {
		t.Fatalf("%d calls, %d at once; want 2 and 2 while the ingester is stuck", calls, busy)
	}
	close(ing.block)
	waitFor(t, "every message", func() bool { return len(ing.uplinks()) == n })
	if _, busy := ing.stats(); busy > 2 {
		t.Fatalf("%d messages in hand at once, want at most 2", busy)
	}
}

func TestConfigValidation(t *testing.T) {
	ok := Config{URL: "tcp://127.0.0.1:1883", ClientID: "socle-1"}
	for name, c := range map[string]Config{
		"no URL":            {ClientID: "socle-1"},
		"bad scheme":        {URL: "http://127.0.0.1:1883", ClientID: "socle-1"},
		"no client ID":      {URL: ok.URL},
		"shared topic":      {URL: ok.URL, ClientID: "x", Topics: []string{"$share/g/a/+"}},
		"empty topic":       {URL: ok.URL, ClientID: "x", Topics: []string{""}},
		"bad group":         {URL: ok.URL, ClientID: "x", SharedGroup: "a/b"},
		"too many inflight": {URL: ok.URL, ClientID: "x", MaxInFlight: 70000},
		"backoff reversed":  {URL: ok.URL, ClientID: "x", ReconnectMin: time.Minute, ReconnectMax: time.Second},
	} {
		if _, err := New(c, &recorder{}, &quarantine{}, nil); !errs.Is(err, errs.Invalid) {
			t.Errorf("%s: err = %v, want Invalid", name, err)
		}
	}
	s, err := New(ok, &recorder{}, &quarantine{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(s.cfg.Topics, DefaultTopics()) || s.cfg.MaxInFlight != 256 {
		t.Fatalf("defaults not applied: %+v", s.cfg)
	}
	shared := ok
	shared.SharedGroup = "socle"
	s, _ = New(shared, &recorder{}, &quarantine{}, nil)
	if got := s.cfg.filters()[0]; got != "$share/socle/application/+/device/+/event/up" {
		t.Fatalf("shared filter %q", got)
	}
	if err := s.Close(); err != nil { // closing a subscriber never started
		t.Fatal(err)
	}
}
