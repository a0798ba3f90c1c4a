package mqtt

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"io"
	"log/slog"
	"net"
	"net/url"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/eclipse/paho.golang/paho"

	"github.com/socle/socle/internal/errs"
	"github.com/socle/socle/internal/sensors"
)

// brokerURL returns the URL of the test broker (SOCLE_TEST_MQTT_URL, else
// Mosquitto on 127.0.0.1:1883). The test is skipped when it is not
// reachable, and fails instead when SOCLE_REQUIRE_INTEROP=1.
func brokerURL(t *testing.T) string {
	t.Helper()
	raw := os.Getenv("SOCLE_TEST_MQTT_URL")
	if raw == "" {
		raw = "tcp://127.0.0.1:1883"
	}
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	c, err := net.DialTimeout("tcp", u.Host, time.Second)
	if err != nil {
		if os.Getenv("SOCLE_REQUIRE_INTEROP") == "1" {
			t.Fatalf("MQTT broker %s unreachable and SOCLE_REQUIRE_INTEROP=1: %v", raw, err)
		}
		t.Skipf("MQTT broker %s unreachable: %v", raw, err)
	}
	c.Close()
	return raw
}

// runID is unique to a test run, so that parallel runs on one broker use
// different topics and client IDs.
func runID(t *testing.T) string {
	t.Helper()
	b := make([]byte, 6)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}

// connect opens a plain paho client (clean start) to broker.
func connect(t *testing.T, broker, clientID string, cleanStart bool, expiry uint32) *paho.Client {
	t.Helper()
	u, _ := url.Parse(broker)
	conn, err := net.DialTimeout("tcp", u.Host, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	c := paho.NewClient(paho.ClientConfig{ClientID: clientID, Conn: conn})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	cp := &paho.Connect{ClientID: clientID, CleanStart: cleanStart, KeepAlive: 30}
	if expiry > 0 {
		cp.Properties = &paho.ConnectProperties{SessionExpiryInterval: &expiry}
	}
	if _, err := c.Connect(ctx, cp); err != nil {
		t.Fatal(err)
	}
	return c
}

// publisher returns a function that publishes at QoS 1 and waits for the
// broker's PUBACK.
func publisher(t *testing.T, broker string) func(topic, body string) {
	t.Helper()
	c := connect(t, broker, "socle-test-pub-"+runID(t), true, 0)
	t.Cleanup(func() { _ = c.Disconnect(&paho.Disconnect{}) })
	return func(topic, body string) {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if _, err := c.Publish(ctx, &paho.Publish{Topic: topic, QoS: 1, Payload: []byte(body)}); err != nil {
			t.Fatalf("publish %s: %v", topic, err)
		}
	}
}

// purgeSession ends the broker session of clientID (clean start, no
// expiry), so that test runs leave nothing behind.
func purgeSession(t *testing.T, broker, clientID string) {
	t.Helper()
	c := connect(t, broker, clientID, true, 0)
	_ = c.Disconnect(&paho.Disconnect{})
}

// startSubscriber starts a Subscriber and waits for its subscription. It
// is closed at the end of the test, and its session purged when purge.
func startSubscriber(t *testing.T, cfg Config, ing sensors.Ingester, q Quarantiner) *Subscriber {
	t.Helper()
	if cfg.RetryPause == 0 {
		cfg.RetryPause = 50 * time.Millisecond
	}
	if cfg.ReconnectMin == 0 {
		cfg.ReconnectMin, cfg.ReconnectMax = 50*time.Millisecond, 500*time.Millisecond
	}
	if cfg.SessionExpiry == 0 {
		cfg.SessionExpiry = 5 * time.Minute
	}
	t.Cleanup(func() { purgeSession(t, brokerURL(t), cfg.ClientID) })
	w := &testWriter{t: t}
	t.Cleanup(w.stop) // runs after Close (cleanups run last-in first-out)
	log := slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug}))
	s, err := New(cfg, ing, q, log)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.AwaitSubscribed(ctx); err != nil {
		t.Fatalf("not subscribed: %v", err)
	}
	return s
}

// testWriter sends logs to the test log until the test ends, and drops
// them afterwards (paho's goroutines may still log then).
type testWriter struct {
	mu   sync.Mutex
	t    *testing.T
	done bool
}

func (w *testWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.done {
		w.t.Logf("%s", p)
	}
	return len(p), nil
}

func (w *testWriter) stop() {
	w.mu.Lock()
	w.done = true
	w.mu.Unlock()
}

// recorder is an in-memory Ingester: it records the uplinks it accepts,
// and fails the first fail calls (all when fail < 0) with Unavailable.
type recorder struct {
	mu      sync.Mutex
	fail    int
	calls   int
	got     []sensors.Uplink
	block   chan struct{} // when set, IngestUplink waits for it to close
	active  int
	maxBusy int
}

func (r *recorder) IngestUplink(ctx context.Context, u sensors.Uplink) error {
	r.mu.Lock()
	r.calls++
	r.active++
	r.maxBusy = max(r.maxBusy, r.active)
	block := r.block
	failing := r.fail < 0 || r.calls <= r.fail
	r.mu.Unlock()
	defer func() {
		r.mu.Lock()
		r.active--
		r.mu.Unlock()
	}()
	if block != nil {
		select {
		case <-block:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	if failing {
		return errs.E(errs.Unavailable, "database down")
	}
	r.mu.Lock()
	r.got = append(r.got, u)
	r.mu.Unlock()
	return nil
}

func (r *recorder) uplinks() []sensors.Uplink {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]sensors.Uplink(nil), r.got...)
}

func (r *recorder) stats() (calls, maxBusy int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.calls, r.maxBusy
}

// quarantined is one QuarantineRaw call.
type quarantined struct{ source, topic, raw, reason string }

// quarantine is an in-memory Quarantiner that fails its first fail calls.
type quarantine struct {
	mu    sync.Mutex
	fail  int
	calls int
	got   []quarantined
}

func (q *quarantine) QuarantineRaw(_ context.Context, source, topic string, raw []byte, reason string) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.calls++
	if q.calls <= q.fail {
		return errs.E(errs.Unavailable, "database down")
	}
	q.got = append(q.got, quarantined{source, topic, string(raw), reason})
	return nil
}

func (q *quarantine) items() []quarantined {
	q.mu.Lock()
	defer q.mu.Unlock()
	return append([]quarantined(nil), q.got...)
}

// waitFor polls cond until it holds or the deadline passes.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// proxy is a TCP proxy between a client and the broker that the test can
// cut (closing every connection and refusing new ones) and restore.
type proxy struct {
	ln     net.Listener
	target string
	mu     sync.Mutex
	down   bool
	conns  []net.Conn
}

func startProxy(t *testing.T, broker string) (*proxy, string) {
	t.Helper()
	u, _ := url.Parse(broker)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &proxy{ln: ln, target: u.Host}
	t.Cleanup(func() { ln.Close(); p.cut() })
	go p.serve()
	return p, "tcp://" + ln.Addr().String()
}

func (p *proxy) serve() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		down := p.down
		p.mu.Unlock()
		if down {
			c.Close()
			continue
		}
		up, err := net.Dial("tcp", p.target)
		if err != nil {
			c.Close()
			continue
		}
		p.mu.Lock()
		p.conns = append(p.conns, c, up)
		p.mu.Unlock()
		go pipe(c, up)
		go pipe(up, c)
	}
}

func pipe(dst, src net.Conn) {
	_, _ = io.Copy(dst, src)
	dst.Close()
	src.Close()
}

func (p *proxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.down = true
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}

func (p *proxy) restore() {
	p.mu.Lock()
	p.down = false
	p.mu.Unlock()
}
