package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/eclipse/paho.golang/paho"
)

// The durability test: whatever Socle acknowledged (an HTTP 201, or the
// QoS 1 PUBACK it sends the broker once the uplink is stored) survives a
// kill -9 of the real binary, and nothing is stored twice.
//
// Over MQTT the publisher's PUBACK comes from the broker, not from Socle,
// so what must hold is: every message the broker acknowledged to the
// publisher is eventually stored, exactly once, although Socle was killed
// mid-stream. Socle acknowledges to the broker only after the commit, and
// its persistent session (Clean Start false, Session Expiry) keeps what it
// had not acknowledged for the restarted process with the same client ID.

const (
	killUplinks     = 2000 // MQTT messages, one observation each
	killBatches     = 30   // HTTP batches…
	killBatchSize   = 1000 // …of this many readings
	killHTTPClients = 4
	// killMaxBacklog bounds the messages published but not yet stored.
	// Mosquitto drops (yet acknowledges to the publisher) what exceeds
	// max_queued_messages (1000 by default) for a session, and Socle's
	// session, subscribed to every application, also queues what other
	// test runs publish at the same time: keep well below.
	killMaxBacklog   = 200
	killPhaseTimeout = 45 * time.Second
)

// killBase is the time of the first observation; message i is at
// killBase + i seconds (MQTT), reading k of batch j at killBase2 + j*size+k.
var (
	killBase  = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	killBase2 = time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
)

func TestKill9LosesNothingAcknowledged(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and publishes thousands of messages")
	}
	conn, err := net.DialTimeout("tcp", brokerAddr(), 2*time.Second)
	needTool(t, "an MQTT broker on "+brokerAddr(), "apt-get install mosquitto", err == nil)
	if conn != nil {
		conn.Close()
	}
	bin := filepath.Join(t.TempDir(), "socle")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	for _, e := range engines(t) {
		t.Run(e.name, func(t *testing.T) {
			e.t = t
			run := randomHex(4)
			seedOrgs(t, e)
			e.mustRun("user", "add", "--login", "steward", "--role", "steward", "--org", "metropole")
			key := strings.TrimSpace(e.mustRun("apikey", "create", "--login", "steward"))
			s := &killServer{root: t, t: t, bin: bin, e: e, clientID: "socle-kill-" + run, dir: t.TempDir()}
			t.Cleanup(func() { killPurge(s.clientID) }) // runs after the process is killed
			s.start()

			eui := randomHex(8)
			s.putDevice(key, "kill-mqtt", eui)
			s.putDevice(key, "kill-http", "")
			t.Run("mqtt", func(t *testing.T) { s.t = t; killMQTT(t, s, key, run, eui) })
			t.Run("http", func(t *testing.T) { s.t = t; killHTTP(t, s, key) })
		})
	}
}

// killMQTT publishes killUplinks ChirpStack uplinks at QoS 1 while Socle is
// killed and restarted, then checks that every one the broker acknowledged
// is stored once.
func killMQTT(t *testing.T, s *killServer, key, run, eui string) {
	topic := "application/" + run + "/device/" + eui + "/event/up"
	pub := killPublisher(t, "socle-kill-pub-"+run)
	defer pub.Disconnect(&paho.Disconnect{})

	var stored atomic.Int64 // as last seen through the API
	var next atomic.Int64   // next message to publish
	acked := make([]atomic.Bool, killUplinks)
	pubErrs := make(chan error, killUplinks)
	ctx, cancel := context.WithTimeout(context.Background(), killPhaseTimeout)
	defer cancel()
	var wg sync.WaitGroup
	for range 16 { // 16 messages in flight
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := next.Add(1) - 1
				if i >= killUplinks {
					return
				}
				// Keep the broker's queue for Socle's session under its limit
				// (Mosquitto drops, yet acknowledges, what exceeds
				// max_queued_messages): wait while Socle is behind or down.
				for i-stored.Load() >= killMaxBacklog && ctx.Err() == nil {
					time.Sleep(5 * time.Millisecond)
				}
				body := fmt.Sprintf(`{"deduplicationId":"k-%s-%d","time":%q,"deviceInfo":{"devEui":%q,"deviceName":"kill"},"fCnt":%d,"fPort":1,"object":{"level":%d}}`,
					run, i, killBase.Add(time.Duration(i)*time.Second).Format(time.RFC3339), eui, i, i)
				pctx, pcancel := context.WithTimeout(ctx, 10*time.Second)
				_, err := pub.Publish(pctx, &paho.Publish{Topic: topic, QoS: 1, Payload: []byte(body)})
				pcancel()
				if err != nil {
					pubErrs <- fmt.Errorf("message %d: %w", i, err)
					continue
				}
				acked[i].Store(true)
			}
		}()
	}
	published := make(chan struct{})
	go func() { wg.Wait(); close(published) }()

	count := func() (int, bool) {
		n, err := s.countObservations(key, "kill-mqtt", killBase, killBase.Add(killUplinks*time.Second))
		if err == nil {
			stored.Store(int64(n))
		}
		return n, err == nil
	}
	// Poll the stored count for the publisher's backlog (it stays put
	// while Socle is down), and kill once a third is stored.
	polling := make(chan struct{})
	pollDone := make(chan struct{})
	go func() {
		defer close(pollDone)
		for {
			select {
			case <-polling:
				return
			case <-time.After(20 * time.Millisecond):
				s.mu.Lock()
				count()
				s.mu.Unlock()
			}
		}
	}()
	defer func() { close(polling); <-pollDone }()
	killedAt := -1
	for killedAt < 0 {
		if n := int(stored.Load()); n >= killUplinks/3 {
			s.mu.Lock()
			s.kill()
			s.mu.Unlock()
			killedAt = n
			break
		}
		if ctx.Err() != nil {
			t.Fatalf("only %d of %d uplinks stored after %s; server log:\n%s", stored.Load(), killUplinks, killPhaseTimeout, s.logTail())
		}
		time.Sleep(5 * time.Millisecond)
	}
	pubAtKill := min(next.Load(), killUplinks)
	time.Sleep(300 * time.Millisecond) // the publisher goes on; the broker queues for the dead session
	pubAtRestart := min(next.Load(), killUplinks)
	s.mu.Lock()
	s.start()
	s.mu.Unlock()
	t.Logf("killed with %d stored and about %d published; %d more published while it was down; restarted",
		killedAt, pubAtKill, pubAtRestart-pubAtKill)
	if b, _ := os.ReadFile(s.log); !bytes.Contains(b, []byte("session_present=true")) {
		t.Errorf("the restarted process did not find its session on the broker; log:\n%s", b)
	}
	if killedAt >= killUplinks {
		t.Errorf("every uplink was stored before the kill: the test proved nothing")
	}

	select {
	case <-published:
	case <-ctx.Done():
		t.Fatalf("publisher still running after %s (%d published, %d stored)", killPhaseTimeout, next.Load(), stored.Load())
	}
	close(pubErrs)
	for err := range pubErrs {
		t.Errorf("the broker did not acknowledge %v", err)
	}
	want := 0
	for i := range acked {
		if acked[i].Load() {
			want++
		}
	}
	// Wait until everything acknowledged by the broker is stored.
	for stored.Load() < int64(want) {
		if ctx.Err() != nil {
			t.Errorf("after the restart only %d of the %d acknowledged uplinks are stored", stored.Load(), want)
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	time.Sleep(500 * time.Millisecond) // resends of already-stored uplinks would land now
	obs := s.observations(key, "kill-mqtt", killBase, killBase.Add(killUplinks*time.Second))
	seen := map[int64]int{}
	for _, o := range obs {
		i := int64(o.Time.Sub(killBase) / time.Second)
		if i < 0 || i >= killUplinks || o.Value != float64(i) || o.Property != "level" {
			t.Errorf("unexpected observation %+v", o)
			continue
		}
		seen[i]++
	}
	var missing []int
	for i := range acked {
		switch {
		case seen[int64(i)] > 1:
			t.Errorf("uplink %d stored %d times", i, seen[int64(i)])
		case acked[i].Load() && seen[int64(i)] == 0:
			missing = append(missing, i)
		}
	}
	if len(missing) > 0 {
		t.Errorf("%d uplinks acknowledged by the broker were never stored (killed at %d stored), e.g. %v; server log:\n%s\n"+
			"broker log lines of %s (\"Outgoing messages are being dropped\" means the broker's queue limit, max_queued_messages, overflowed, not a Socle fault):\n%s",
			len(missing), killedAt, missing[:min(len(missing), 20)], s.logTail(), s.clientID, brokerLogLines(s.clientID))
	}
	t.Logf("%d acknowledged by the broker, %d stored", want, len(obs))
}

// killHTTP posts batches from several clients, kills Socle when a third
// were answered 201, and checks after the restart that every 201 batch is
// whole and that interrupted ones are all or nothing; resent, they are
// stored once.
func killHTTP(t *testing.T, s *killServer, key string) {
	const (
		pending = iota
		created
		failed
	)
	status := make([]atomic.Int32, killBatches)
	var next, ok201 atomic.Int64
	body := func(j int) []byte {
		var b bytes.Buffer
		b.WriteByte('[')
		for k := range killBatchSize {
			if k > 0 {
				b.WriteByte(',')
			}
			n := j*killBatchSize + k
			fmt.Fprintf(&b, `{"device":"kill-http","property":"level","time":%q,"value":%d}`,
				killBase2.Add(time.Duration(n)*time.Second).Format(time.RFC3339), n)
		}
		b.WriteByte(']')
		return b.Bytes()
	}
	bodies := make([][]byte, killBatches)
	for j := range bodies {
		bodies[j] = body(j)
	}
	base := s.base
	var stop atomic.Bool
	var wg sync.WaitGroup
	client := &http.Client{Timeout: 30 * time.Second}
	for range killHTTPClients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !stop.Load() {
				j := next.Add(1) - 1
				if j >= killBatches {
					return
				}
				code, _, err := killPost(client, base+"/api/v1/observations", key, bodies[j])
				if err == nil && code == http.StatusCreated {
					status[j].Store(created)
					ok201.Add(1)
				} else {
					status[j].Store(failed)
					return // the server is gone
				}
			}
		}()
	}
	deadline := time.Now().Add(killPhaseTimeout)
	for ok201.Load() < killBatches/3 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	s.kill()
	stop.Store(true)
	wg.Wait()
	s.start()

	var nCreated, nFailed int
	for j := range killBatches {
		n, err := s.countObservations(key, "kill-http", killBatchStart(j), killBatchStart(j+1))
		if err != nil {
			t.Fatalf("count batch %d: %v", j, err)
		}
		switch status[j].Load() {
		case created:
			nCreated++
			if n != killBatchSize {
				t.Errorf("batch %d was answered 201 but %d of its %d readings are stored", j, n, killBatchSize)
			}
		case failed:
			nFailed++
			if n != 0 && n != killBatchSize {
				t.Errorf("batch %d, interrupted by the kill, is partly stored: %d of %d readings", j, n, killBatchSize)
			}
		default:
			if n != 0 {
				t.Errorf("batch %d was never sent but %d readings are stored", j, n)
			}
		}
	}
	t.Logf("killed after %d batches answered 201 (%d interrupted); restarted", nCreated, nFailed)
	if nCreated == killBatches {
		t.Errorf("every batch was stored before the kill: the test proved nothing")
	}
	// Resending what was not acknowledged stores each reading once.
	for j := range killBatches {
		if status[j].Load() == created {
			continue
		}
		code, out, err := killPost(client, s.base+"/api/v1/observations", key, bodies[j])
		if err != nil || code != http.StatusCreated {
			t.Fatalf("resend batch %d: %d %v %s", j, code, err, out)
		}
	}
	for j := range killBatches {
		if n, err := s.countObservations(key, "kill-http", killBatchStart(j), killBatchStart(j+1)); err != nil || n != killBatchSize {
			t.Errorf("batch %d after resending: %d readings (%v), want %d", j, n, err, killBatchSize)
		}
	}
}

func killBatchStart(j int) time.Time {
	return killBase2.Add(time.Duration(j*killBatchSize) * time.Second)
}

// brokerLogLines returns the lines of the local Mosquitto's log that name
// clientID, when that log is readable.
func brokerLogLines(clientID string) string {
	b, err := os.ReadFile("/var/log/mosquitto/mosquitto.log")
	if err != nil {
		return "(unreadable: " + err.Error() + ")"
	}
	var out []string
	for _, l := range strings.Split(string(b), "\n") {
		if strings.Contains(l, clientID) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// killServer is the real socle binary, started and killed at will on the
// same data directory, database and MQTT client ID.
type killServer struct {
	mu       sync.Mutex // held by whoever uses base while another goroutine restarts
	root     *testing.T // the engine's test: the process outlives the subtests
	t        *testing.T
	bin      string
	e        *env
	clientID string
	dir      string
	base     string
	cmd      *exec.Cmd
	log      string // current process's stderr
	starts   int
	extra    []string // more serve flags
	env      []string // more environment variables
}

// start runs socle serve and waits until it serves HTTP and has
// subscribed to the broker.
func (s *killServer) start() {
	t := s.t
	t.Helper()
	s.starts++
	s.log = filepath.Join(s.dir, fmt.Sprintf("serve-%d.log", s.starts))
	logf, err := os.Create(s.log)
	if err != nil {
		t.Fatal(err)
	}
	args := []string{"serve", "--data", s.e.data, "--addr", "127.0.0.1:0",
		"--mqtt-url", "tcp://" + brokerAddr(), "--mqtt-client-id", s.clientID}
	if s.e.dsn != "" {
		args = append(args, "--db", s.e.dsn)
	}
	cmd := exec.Command(s.bin, append(args, s.extra...)...)
	cmd.Env = append(os.Environ(), s.env...)
	cmd.Stderr = logf
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	logf.Close()
	s.cmd = cmd
	s.root.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	lines := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(stdout).ReadString('\n')
		lines <- line
		io.Copy(io.Discard, stdout)
	}()
	select {
	case line := <-lines:
		i := strings.Index(line, "http://")
		if i < 0 {
			t.Fatalf("socle serve did not start: %q; log:\n%s", line, s.logTail())
		}
		s.base = strings.Fields(line[i:])[0]
	case <-time.After(30 * time.Second):
		t.Fatalf("socle serve not ready in 30 s; log:\n%s", s.logTail())
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		b, _ := os.ReadFile(s.log)
		if bytes.Contains(b, []byte(`msg="mqtt: subscribed"`)) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("socle did not subscribe to the broker in 20 s; log:\n%s", b)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// kill sends SIGKILL and waits for the process to be gone.
func (s *killServer) kill() {
	s.t.Helper()
	if err := s.cmd.Process.Kill(); err != nil {
		s.t.Fatalf("kill: %v", err)
	}
	s.cmd.Wait()
}

// logTail returns the end of the current process's log.
func (s *killServer) logTail() string {
	b, _ := os.ReadFile(s.log)
	if len(b) > 4000 {
		b = b[len(b)-4000:]
	}
	return string(b)
}

func (s *killServer) putDevice(key, id, eui string) {
	s.t.Helper()
	dev := fmt.Sprintf(`{"eui":%q,"name":%q,"type":"Sensor","domain":"other","properties":[{"name":"level"}]}`, eui, id)
	code, out, err := killPost(http.DefaultClient, s.base+"/api/v1/devices/"+id, key, []byte(dev), "PUT")
	if err != nil || code != http.StatusOK {
		s.t.Fatalf("put device %s: %d %v %s", id, code, err, out)
	}
}

type killObservation struct {
	Property string    `json:"property"`
	Time     time.Time `json:"time"`
	Value    float64   `json:"value"`
}

// observations returns the observations of device in [from, to) (at most
// 10,000, the API's limit).
func (s *killServer) observations(key, device string, from, to time.Time) []killObservation {
	s.t.Helper()
	obs, err := s.fetchObservations(key, device, from, to)
	if err != nil {
		s.t.Fatal(err)
	}
	return obs
}

func (s *killServer) countObservations(key, device string, from, to time.Time) (int, error) {
	obs, err := s.fetchObservations(key, device, from, to)
	return len(obs), err
}

func (s *killServer) fetchObservations(key, device string, from, to time.Time) ([]killObservation, error) {
	q := url.Values{"from": {from.Format(time.RFC3339)}, "to": {to.Format(time.RFC3339)}, "limit": {"10000"}}
	req, err := http.NewRequest("GET", s.base+"/api/v1/devices/"+device+"/observations?"+q.Encode(), nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "ApiKey "+key)
	c := http.Client{Timeout: 10 * time.Second}
	resp, err := c.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET observations of %s: %d %s", device, resp.StatusCode, body)
	}
	var page struct{ Results []killObservation }
	if err := json.Unmarshal(body, &page); err != nil {
		return nil, err
	}
	return page.Results, nil
}

// post sends body (POST unless a method is given) with an API key.
func killPost(c *http.Client, u, key string, body []byte, method ...string) (int, []byte, error) {
	m := "POST"
	if len(method) > 0 {
		m = method[0]
	}
	req, err := http.NewRequest(m, u, bytes.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Authorization", "ApiKey "+key)
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	return resp.StatusCode, out, err
}

// connectPublisher connects a paho client with a clean session.
func killPublisher(t *testing.T, clientID string) *paho.Client {
	t.Helper()
	c, err := killDial(clientID, true)
	if err != nil {
		t.Fatalf("connect to the broker: %v", err)
	}
	return c
}

func killDial(clientID string, cleanStart bool) (*paho.Client, error) {
	conn, err := net.DialTimeout("tcp", brokerAddr(), 5*time.Second)
	if err != nil {
		return nil, err
	}
	c := paho.NewClient(paho.ClientConfig{ClientID: clientID, Conn: conn})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := c.Connect(ctx, &paho.Connect{ClientID: clientID, CleanStart: cleanStart, KeepAlive: 30}); err != nil {
		conn.Close()
		return nil, err
	}
	return c, nil
}

// purgeBrokerSession ends the broker session of clientID (clean start, no
// expiry), so that the test leaves no queue behind on the broker.
func killPurge(clientID string) {
	if c, err := killDial(clientID, true); err == nil {
		_ = c.Disconnect(&paho.Disconnect{})
	}
}
