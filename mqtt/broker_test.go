package mqtt

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/url"
	"reflect"
	"testing"
	"time"

	"github.com/eclipse/paho.golang/paho"

	"github.com/socle/socle/internal/errs"
	"github.com/socle/socle/internal/sensors"
)

// keys is an in-memory Authenticator: API key → rights.
type keys map[string]Rights

func (k keys) MQTTRights(_ context.Context, password string) (Rights, error) {
	r, ok := k[password]
	if !ok {
		return Rights{}, errs.E(errs.Unauthorized, "unknown key")
	}
	return r, nil
}

// startBroker runs an embedded broker on a free port.
func startBroker(t *testing.T, ing *recorder, q *quarantine) *Broker {
	t.Helper()
	w := &testWriter{t: t}
	t.Cleanup(w.stop)
	log := slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelInfo}))
	auth := keys{"feeder": {Publish: true}, "reader": {Subscribe: true}}
	b, err := NewBroker(BrokerConfig{Listen: "127.0.0.1:0"}, ing, q, auth, log)
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = b.Close() })
	return b
}

// dial connects an MQTT v5 client with password; the CONNACK's error, if
// any, is returned.
func dial(t *testing.T, b *Broker, clientID, password string) (*paho.Client, error) {
	t.Helper()
	c := rawClient(t, b, clientID)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	cp := &paho.Connect{ClientID: clientID, CleanStart: true, KeepAlive: 30, Username: "gateway", UsernameFlag: true}
	if password != "" {
		cp.Password, cp.PasswordFlag = []byte(password), true
	}
	if _, err := c.Connect(ctx, cp); err != nil {
		return nil, err
	}
	t.Cleanup(func() { _ = c.Disconnect(&paho.Disconnect{}) })
	return c, nil
}

// rawClient opens a TCP connection to b for a paho client not yet
// connected.
func rawClient(t *testing.T, b *Broker, clientID string) *paho.Client {
	t.Helper()
	u, _ := url.Parse(b.URL())
	conn, err := net.DialTimeout("tcp", u.Host, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	return paho.NewClient(paho.ClientConfig{ClientID: clientID, Conn: conn})
}

// publishQoS1 publishes and returns the PUBACK's reason code.
func publishQoS1(t *testing.T, c *paho.Client, topic, body string) byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	resp, err := c.Publish(ctx, &paho.Publish{Topic: topic, QoS: 1, Payload: []byte(body)})
	if resp != nil {
		return resp.ReasonCode
	}
	if err != nil {
		t.Fatalf("publish %s: %v", topic, err)
	}
	return 0
}

func TestBrokerStoresBeforeAcknowledging(t *testing.T) {
	ing, q := &recorder{}, &quarantine{}
	b := startBroker(t, ing, q)
	tp := newTopics(t)
	c, err := dial(t, b, "gw1", "feeder")
	if err != nil {
		t.Fatal(err)
	}
	if rc := publishQoS1(t, c, tp.chirpStack, chirpStackBody(7)); rc != 0 {
		t.Fatalf("PUBACK reason %#x", rc)
	}
	// The PUBACK came after IngestUplink returned: no waiting needed.
	got := ing.uplinks()
	if len(got) != 1 || !reflect.DeepEqual(got[0], parsed(t, tp.chirpStack, chirpStackBody(7))) {
		t.Fatalf("ingested %+v", got)
	}
}

func TestBrokerReportsAFailedStore(t *testing.T) {
	ing, q := &recorder{fail: 1}, &quarantine{}
	b := startBroker(t, ing, q)
	tp := newTopics(t)
	c, err := dial(t, b, "gw1", "feeder")
	if err != nil {
		t.Fatal(err)
	}
	if rc := publishQoS1(t, c, tp.chirpStack, chirpStackBody(1)); rc != 0x80 {
		t.Fatalf("PUBACK reason %#x after a failed store, want 0x80", rc)
	}
	if len(ing.uplinks()) != 0 {
		t.Fatal("a failed store was recorded")
	}
	if rc := publishQoS1(t, c, tp.chirpStack, chirpStackBody(1)); rc != 0 {
		t.Fatalf("PUBACK reason %#x on the retry", rc)
	}
	if len(ing.uplinks()) != 1 {
		t.Fatalf("retry not stored: %d", len(ing.uplinks()))
	}
}

func TestBrokerQuarantinesWhatItCannotRead(t *testing.T) {
	ing, q := &recorder{}, &quarantine{}
	b := startBroker(t, ing, q)
	tp := newTopics(t)
	c, err := dial(t, b, "gw1", "feeder")
	if err != nil {
		t.Fatal(err)
	}
	if rc := publishQoS1(t, c, tp.chirpStack, `{"deviceInfo":`); rc != 0 {
		t.Fatalf("PUBACK reason %#x", rc)
	}
	items := q.items()
	if len(items) != 1 || items[0].source != "mqtt:chirpstack" || items[0].raw != `{"deviceInfo":` {
		t.Fatalf("quarantined %+v", items)
	}
}

func TestBrokerAccessControl(t *testing.T) {
	ing, q := &recorder{}, &quarantine{}
	b := startBroker(t, ing, q)
	tp := newTopics(t)
	for _, pw := range []string{"", "wrong"} {
		if _, err := dial(t, b, "intruder", pw); err == nil {
			t.Errorf("password %q: connected", pw)
		}
	}
	feeder, err := dial(t, b, "gw1", "feeder")
	if err != nil {
		t.Fatal(err)
	}
	if rc := publishQoS1(t, feeder, "city/lights/off", "{}"); rc != 0x87 {
		t.Errorf("publish outside the uplink topics: reason %#x, want 0x87 (not authorized)", rc)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	sa, err := feeder.Subscribe(ctx, &paho.Subscribe{Subscriptions: []paho.SubscribeOptions{{Topic: "application/+/device/+/event/up", QoS: 1}}})
	if err == nil && (sa == nil || sa.Reasons[0] < 0x80) {
		t.Error("a publish-only key subscribed")
	}

	got := make(chan string, 1)
	rc := rawClient(t, b, "dash")
	rc.AddOnPublishReceived(func(pr paho.PublishReceived) (bool, error) {
		got <- pr.Packet.Topic
		return true, nil
	})
	if _, err := rc.Connect(ctx, &paho.Connect{ClientID: "dash", CleanStart: true, KeepAlive: 30,
		Password: []byte("reader"), PasswordFlag: true}); err != nil {
		t.Fatal(err)
	}
	defer rc.Disconnect(&paho.Disconnect{})
	if sa, err := rc.Subscribe(ctx, &paho.Subscribe{Subscriptions: []paho.SubscribeOptions{{Topic: "application/+/device/+/event/up", QoS: 1}}}); err != nil || sa.Reasons[0] >= 0x80 {
		t.Fatalf("reader subscription: %v %+v", err, sa)
	}
	if sa, err := rc.Subscribe(ctx, &paho.Subscribe{Subscriptions: []paho.SubscribeOptions{{Topic: "#", QoS: 1}}}); err == nil && sa.Reasons[0] < 0x80 {
		t.Fatal("a reader subscribed to everything")
	}
	if rc := publishQoS1(t, feeder, tp.chirpStack, chirpStackBody(3)); rc != 0 {
		t.Fatalf("PUBACK %#x", rc)
	}
	select {
	case topic := <-got:
		if topic != tp.chirpStack {
			t.Fatalf("reader got %s", topic)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the reader did not get the uplink")
	}
}

func TestBrokerConfigValidation(t *testing.T) {
	_, err := NewBroker(BrokerConfig{}, &recorder{}, &quarantine{}, keys{}, nil)
	if !errs.Is(err, errs.Invalid) {
		t.Fatalf("no address: %v", err)
	}
	b, err := NewBroker(BrokerConfig{Listen: "256.0.0.1:99999"}, &recorder{}, &quarantine{}, keys{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Start(); err == nil || errors.Is(err, context.Canceled) {
		t.Fatalf("bad address started: %v", err)
	}
}

// gate is an Ingester whose call for one topic waits until released.
type gate struct {
	recorder
	hold    string
	release chan struct{}
}

func (g *gate) IngestUplink(ctx context.Context, u sensors.Uplink) error {
	if u.Key == g.hold {
		<-g.release
	}
	return g.recorder.IngestUplink(ctx, u)
}

// TestBrokerStoresConcurrentlyAndAcknowledgesInOrder publishes messages
// in flight from one client while the first one's store is held: the
// others are stored meanwhile, but no PUBACK leaves before the first one's
// (MQTT's order), and all come once it is stored.
func TestBrokerStoresConcurrentlyAndAcknowledgesInOrder(t *testing.T) {
	g := &gate{hold: parsed(t, newTopics(t).chirpStack, chirpStackBody(0)).Key, release: make(chan struct{})}
	w := &testWriter{t: t}
	t.Cleanup(w.stop)
	b, err := NewBroker(BrokerConfig{Listen: "127.0.0.1:0"}, g, &quarantine{}, keys{"feeder": {Publish: true}}, slog.New(slog.NewTextHandler(w, nil)))
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Start(); err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	c, err := dial(t, b, "gw1", "feeder")
	if err != nil {
		t.Fatal(err)
	}
	tp := newTopics(t)
	const n = 10
	acked := make(chan int, n)
	for i := range n {
		go func() {
			if rc := publishQoS1(t, c, tp.chirpStack, chirpStackBody(i)); rc == 0 {
				acked <- i
			}
		}()
		if i == 0 {
			time.Sleep(50 * time.Millisecond) // the held message is the first received
		}
	}
	waitFor(t, "the other messages stored", func() bool { return len(g.uplinks()) == n-1 })
	select {
	case i := <-acked:
		t.Fatalf("message %d acknowledged before the first one was stored", i)
	case <-time.After(200 * time.Millisecond):
	}
	close(g.release)
	for range n {
		select {
		case <-acked:
		case <-time.After(5 * time.Second):
			t.Fatal("PUBACKs missing after the first message was stored")
		}
	}
}
