// Command ingest measures sensor ingestion end to end, the server running
// as a separate process, against a baseline run in the same program on the
// same machine (docs/benchmarks.md, "Sensors: ingestion"):
//
//   - HTTP: observations/s through POST /api/v1/observations, batches of
//     1,000 readings from 4 concurrent clients; baseline: the same batches
//     given to sensors.Store.AppendBatch in-process, 4 goroutines.
//   - MQTT: ChirpStack uplinks/s from a Go paho publisher (QoS 1, many in
//     flight) through Mosquitto into Socle until all are stored; baseline:
//     the same publisher to a paho subscriber that only acknowledges.
//
// Usage (from the repository root):
//
//	go run ./bench/ingest                       # SQLite and PostgreSQL
//	go run ./bench/ingest -pg ''                # SQLite only
//	go run ./bench/ingest -runs 3 -profile DIR  # medians of 3; CPU profiles of the servers
//
// It builds socle into a temporary directory (or takes -socle), starts a
// private Mosquitto on a free loopback port (max_queued_messages 0, no
// persistence) unless -broker is given, uses fresh data directories and
// PostgreSQL schemas, and removes them on exit.
package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/eclipse/paho.golang/paho"
	"github.com/jackc/pgx/v5"
	_ "github.com/mattn/go-sqlite3"

	"github.com/socle/socle/bench/benchkit"
	"github.com/socle/socle/internal/app"
	"github.com/socle/socle/internal/sensors"
)

var (
	flagSocle    = flag.String("socle", "", "socle binary (default: go build ./cmd/socle into the work directory)")
	flagPG       = flag.String("pg", "postgres://postgres@127.0.0.1:5432/test?sslmode=disable", "PostgreSQL base DSN (loopback); empty skips PostgreSQL")
	flagBroker   = flag.String("broker", "", "MQTT broker host:port (default: a private mosquitto on a free port)")
	flagRuns     = flag.Int("runs", 1, "runs of each measure; the median is reported")
	flagBackfill = flag.Int("backfill-batches", 200, "HTTP batches of the backfill shape (1 device × 2 properties × 500 times)")
	flagCity     = flag.Int("city-batches", 20, "HTTP batches of the city-slice shape (500 devices × 2 properties at one time)")
	flagClients  = flag.Int("clients", 4, "concurrent HTTP clients (and store goroutines of the baseline)")
	flagMsgs     = flag.Int("msgs", 30000, "MQTT uplinks per run")
	flagInflight = flag.Int("inflight", 64, "QoS 1 publishes in flight")
	flagProfile  = flag.String("profile", "", "directory for CPU profiles of the servers (SOCLE_CPUPROFILE)")
	flagKeep     = flag.Bool("keep", false, "keep the work directory")
	flagHTTP     = flag.Bool("http", true, "measure the HTTP ingestion")
)

const batchSize = 1000

var t0 = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)

// kit holds the run's work directory, instances and servers.
var kit *benchkit.Kit

func main() {
	flag.Parse()
	kit = benchkit.New("ingest", *flagSocle, *flagPG, *flagProfile, *flagKeep)
	defer kit.Cleanup()
	broker := *flagBroker
	if broker == "" {
		broker = startBroker()
	}
	engines := []string{"sqlite"}
	if *flagPG != "" {
		engines = append(engines, "postgres")
	}
	var rows [][]string
	for _, eng := range engines {
		for _, shape := range []string{"backfill", "city"} {
			if !*flagHTTP {
				break
			}
			n := *flagBackfill
			if shape == "city" {
				n = *flagCity
			}
			batches := makeBatches(shape, n)
			var s, b, bd []float64
			for r := range *flagRuns {
				s = append(s, httpRun(eng, shape, r, batches))
				b = append(b, storeRun(eng, batches, false))
				if shape == "city" {
					bd = append(bd, storeRun(eng, batches, true))
				}
				log.Printf("%s %s run %d: http %.0f obs/s; AppendBatch %.0f obs/s", eng, shape, r+1, s[r], b[r])
			}
			rows = append(rows, row(fmt.Sprintf("HTTP POST /observations, %s, %s (obs/s)", shape, eng), s, "AppendBatch in-process, same batches", b, "≥ 100,000"))
			if shape == "city" {
				rows = append(rows, row(fmt.Sprintf("HTTP POST /observations, %s, %s (obs/s)", shape, eng), s, "AppendBatch in-process, one call per device", bd, "—"))
			}
		}
		var s, b []float64
		for r := range *flagRuns {
			s = append(s, mqttSocle(eng, r, broker))
			b = append(b, mqttBaseline(broker))
			log.Printf("%s mqtt run %d: socle %.0f msg/s; broker alone %.0f msg/s", eng, r+1, s[r], b[r])
		}
		rows = append(rows, row(fmt.Sprintf("MQTT uplinks into Socle, %s (msg/s)", eng), s, "broker alone (paho subscriber, acks only)", b, "≥ 30,000"))
		var es []float64
		for r := range *flagRuns {
			es = append(es, mqttEmbedded(eng, r))
			log.Printf("%s embedded broker run %d: %.0f msg/s", eng, r+1, es[r])
		}
		rows = append(rows, row(fmt.Sprintf("MQTT uplinks into Socle's embedded broker, %s (msg/s, PUBACK = stored)", eng), es, "Mosquitto and a paho subscriber that only acknowledges", b, "≥ 30,000"))
	}
	fmt.Printf("\nSensor ingestion: %d run(s), median; %d clients × batches of %d; %d uplinks, %d in flight\n\n",
		*flagRuns, *flagClients, batchSize, *flagMsgs, *flagInflight)
	fmt.Println("| measure | Socle | baseline | baseline value | ratio (baseline/Socle) | target | met |")
	fmt.Println("|---|---:|---|---:|---:|---|---|")
	for _, r := range rows {
		fmt.Println("| " + strings.Join(r, " | ") + " |")
	}
}

func row(name string, s []float64, bname string, b []float64, target string) []string {
	ms, mb := benchkit.Median(s), benchkit.Median(b)
	met := "—"
	if target != "—" {
		goal := 100000.0
		if strings.Contains(target, "30") {
			goal = 30000
		}
		met = map[bool]string{true: "yes", false: "no"}[ms >= goal]
	}
	return []string{name, fmt.Sprintf("%.0f", ms), bname, fmt.Sprintf("%.0f", mb), fmt.Sprintf("%.2f×", mb/ms), target, met}
}

// makeBatches returns n batches of 1,000 readings: backfill (batch j is
// device b{j%100}, 2 properties × 500 ten-minute steps) or city (batch j is
// 500 devices c{0..499} × 2 properties at step j).
func makeBatches(shape string, n int) [][]sensors.Observation {
	out := make([][]sensors.Observation, n)
	for j := range n {
		obs := make([]sensors.Observation, 0, batchSize)
		for k := range batchSize / 2 {
			var dev string
			var at time.Time
			if shape == "backfill" {
				dev = fmt.Sprintf("b%04d", j%100)
				at = t0.Add(time.Duration((j/100)*500+k) * 10 * time.Minute)
			} else {
				dev = fmt.Sprintf("c%04d", k)
				at = t0.Add(time.Duration(j) * 10 * time.Minute)
			}
			v := float64(j*batchSize + k)
			obs = append(obs, sensors.Observation{Device: dev, Property: "temperature", Time: at, Value: v},
				sensors.Observation{Device: dev, Property: "humidity", Time: at, Value: v / 2})
		}
		out[j] = obs
	}
	return out
}

func devices(batches [][]sensors.Observation) []string {
	seen := map[string]bool{}
	var ids []string
	for _, b := range batches {
		for _, o := range b {
			if !seen[o.Device] {
				seen[o.Device] = true
				ids = append(ids, o.Device)
			}
		}
	}
	return ids
}

func device(id, eui string, props ...string) *sensors.Device {
	d := &sensors.Device{ID: id, EUI: eui, Name: id, Type: "Sensor", Domain: "air", Status: sensors.StatusActive}
	for _, p := range props {
		d.Properties = append(d.Properties, sensors.Property{Name: p})
	}
	return d
}

// ------------------------------------------------------------ stores

// storeRun appends the batches in-process from -clients goroutines and
// returns observations/s; perDevice splits each batch by device first (as
// the HTTP ingestion does).
func storeRun(eng string, batches [][]sensors.Observation, perDevice bool) float64 {
	in := kit.Instance(eng)
	var devs []*sensors.Device
	for _, id := range devices(batches) {
		devs = append(devs, device(id, "", "temperature", "humidity"))
	}
	in.Setup(devs)
	ctx := context.Background()
	st := in.Open(ctx)
	defer st.Close()
	var jobs [][]sensors.Observation
	for _, b := range batches {
		if !perDevice {
			jobs = append(jobs, b)
			continue
		}
		by := map[string][]sensors.Observation{}
		var order []string
		for _, o := range b {
			if _, ok := by[o.Device]; !ok {
				order = append(order, o.Device)
			}
			by[o.Device] = append(by[o.Device], o)
		}
		for _, d := range order {
			jobs = append(jobs, by[d])
		}
	}
	var next, total atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for range *flagClients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				j := next.Add(1) - 1
				if j >= int64(len(jobs)) {
					return
				}
				n, _, err := st.AppendBatch(ctx, sensors.Batch{Observations: jobs[j]})
				check(err)
				total.Add(int64(n))
			}
		}()
	}
	wg.Wait()
	el := time.Since(start)
	want := int64(len(batches) * batchSize)
	if total.Load() != want {
		fatalf("AppendBatch inserted %d of %d", total.Load(), want)
	}
	return float64(want) / el.Seconds()
}

// ------------------------------------------------------------ server

// ------------------------------------------------------------ HTTP

func httpRun(eng, shape string, r int, batches [][]sensors.Observation) float64 {
	in := kit.Instance(eng)
	var devs []*sensors.Device
	for _, id := range devices(batches) {
		devs = append(devs, device(id, "", "temperature", "humidity"))
	}
	key := in.Setup(devs)
	bodies := make([][]byte, len(batches))
	for j, b := range batches {
		rs := make([]app.Reading, len(b))
		for k, o := range b {
			v := o.Value
			rs[k] = app.Reading{Device: o.Device, Property: o.Property, Time: o.Time, Value: &v}
		}
		var err error
		bodies[j], err = json.Marshal(rs)
		check(err)
	}
	s := kit.StartServer(in, fmt.Sprintf("http-%s-%s-%d", eng, shape, r))
	defer s.Stop()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: *flagClients}, Timeout: 5 * time.Minute}
	var next, total atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for range *flagClients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				j := next.Add(1) - 1
				if j >= int64(len(bodies)) {
					return
				}
				req, _ := http.NewRequest("POST", s.Base+"/api/v1/observations", bytes.NewReader(bodies[j]))
				req.Header.Set("Authorization", "ApiKey "+key)
				req.Header.Set("Content-Type", "application/json")
				resp, err := client.Do(req)
				check(err)
				out, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusCreated {
					fatalf("POST /observations: %d %s", resp.StatusCode, out)
				}
				var res app.IngestResult
				check(json.Unmarshal(out, &res))
				total.Add(int64(res.Inserted))
			}
		}()
	}
	wg.Wait()
	el := time.Since(start)
	want := int64(len(batches) * batchSize)
	if total.Load() != want {
		fatalf("HTTP inserted %d of %d", total.Load(), want)
	}
	return float64(want) / el.Seconds()
}

// ------------------------------------------------------------ MQTT

const mqttDevices = 1000

func eui(i int) string { return fmt.Sprintf("a8404100%08x", i) }

// uplinks returns the ChirpStack v4 uplinks of one run: message i comes
// from device i%1000, at a ten-minute step, with a unique deduplicationId.
func uplinks(run string) (topics []string, bodies [][]byte) {
	for i := range *flagMsgs {
		d := i % mqttDevices
		at := t0.Add(time.Duration(i/mqttDevices) * 10 * time.Minute)
		topics = append(topics, "application/"+run+"/device/"+eui(d)+"/event/up")
		bodies = append(bodies, fmt.Appendf(nil, `{"deduplicationId":"%s-%d","time":%q,"deviceInfo":{"tenantId":"t","applicationId":"a","deviceName":"m%04d","devEui":%q},"devAddr":"01020304","fCnt":%d,"fPort":1,"data":"AQI=","object":{"temperature":%d,"humidity":%d},"rxInfo":[{"gatewayId":"0016c001f153a14c","rssi":-90,"snr":7.5}],"txInfo":{"frequency":868100000}}`,
			run, i, at.Format(time.RFC3339), d, eui(d), i/mqttDevices, i%40, i%100))
	}
	return topics, bodies
}

// publish sends every message at QoS 1 with -inflight in flight and
// returns when the broker acknowledged them all.
func publish(broker, run string, topics []string, bodies [][]byte) {
	publishAs(broker, run, "", topics, bodies)
}

func publishAs(broker, run, password string, topics []string, bodies [][]byte) {
	c := connectAs(broker, "bench-pub-"+run, password, nil)
	defer c.Disconnect(&paho.Disconnect{})
	var next atomic.Int64
	var wg sync.WaitGroup
	for range *flagInflight {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := next.Add(1) - 1
				if i >= int64(len(bodies)) {
					return
				}
				ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
				resp, err := c.Publish(ctx, &paho.Publish{Topic: topics[i], QoS: 1, Payload: bodies[i]})
				cancel()
				check(err)
				if resp != nil && resp.ReasonCode >= 0x80 {
					fatalf("PUBACK reason code %#x", resp.ReasonCode)
				}
			}
		}()
	}
	wg.Wait()
}

func connect(broker, id string, onPublish func(paho.PublishReceived) (bool, error)) *paho.Client {
	return connectAs(broker, id, "", onPublish)
}

// connectAs connects with a password (the embedded broker's API key).
func connectAs(broker, id, password string, onPublish func(paho.PublishReceived) (bool, error)) *paho.Client {
	conn, err := net.DialTimeout("tcp", broker, 5*time.Second)
	check(err)
	cfg := paho.ClientConfig{ClientID: id, Conn: conn}
	if onPublish != nil {
		cfg.OnPublishReceived = []func(paho.PublishReceived) (bool, error){onPublish}
	}
	c := paho.NewClient(cfg)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	rm := uint16(256) // Socle's Receive Maximum
	cp := &paho.Connect{ClientID: id, CleanStart: true, KeepAlive: 30, Properties: &paho.ConnectProperties{ReceiveMaximum: &rm}}
	if password != "" {
		cp.Password, cp.PasswordFlag = []byte(password), true
	}
	_, err = c.Connect(ctx, cp)
	check(err)
	return c
}

// mqttSocle publishes the uplinks to Socle through the broker and returns
// uplinks/s from the first publish to the last observation stored.
func mqttSocle(eng string, r int, broker string) float64 {
	in := kit.Instance(eng)
	var devs []*sensors.Device
	for d := range mqttDevices {
		devs = append(devs, device(fmt.Sprintf("m%04d", d), eui(d), "temperature", "humidity"))
	}
	in.Setup(devs)
	run := fmt.Sprintf("b%d%d", os.Getpid(), kit.Seq())
	topics, bodies := uplinks(run)
	s := kit.StartServer(in, fmt.Sprintf("mqtt-%s-%d", eng, r), "--mqtt-url", "tcp://"+broker, "--mqtt-client-id", "bench-socle-"+run)
	defer func() {
		s.Stop()
		c := connect(broker, "bench-socle-"+run, nil) // end the session
		c.Disconnect(&paho.Disconnect{})
	}()
	s.WaitLog(`msg="mqtt: subscribed"`, 30*time.Second)
	count := counter(in)
	want := int64(2 * len(bodies))
	start := time.Now()
	go publish(broker, run, topics, bodies)
	deadline := start.Add(10 * time.Minute)
	for {
		n := count()
		if n >= want {
			break
		}
		if time.Now().After(deadline) {
			fatalf("MQTT: %d of %d observations stored after 10 minutes", n, want)
		}
		time.Sleep(10 * time.Millisecond)
	}
	return float64(len(bodies)) / time.Since(start).Seconds()
}

// mqttEmbedded publishes the uplinks to the broker Socle embeds
// (--mqtt-listen), whose PUBACK means stored, and returns uplinks/s from
// the first publish to the last PUBACK; the stored count is checked.
func mqttEmbedded(eng string, r int) float64 {
	in := kit.Instance(eng)
	var devs []*sensors.Device
	for d := range mqttDevices {
		devs = append(devs, device(fmt.Sprintf("m%04d", d), eui(d), "temperature", "humidity"))
	}
	key := in.Setup(devs)
	run := fmt.Sprintf("e%d%d", os.Getpid(), kit.Seq())
	topics, bodies := uplinks(run)
	s := kit.StartServer(in, fmt.Sprintf("mqtt-embedded-%s-%d", eng, r), "--mqtt-listen", "127.0.0.1:0")
	defer s.Stop()
	s.WaitLog(`msg="mqtt: embedded broker listening"`, 30*time.Second)
	b, _ := os.ReadFile(s.Log)
	m := regexp.MustCompile(`embedded broker listening" component=mqtt-broker addr=(\S+)`).FindSubmatch(b)
	if m == nil {
		fatalf("no broker address in the log:\n%s", b)
	}
	start := time.Now()
	publishAs(string(m[1]), run, key, topics, bodies)
	rate := float64(len(bodies)) / time.Since(start).Seconds()
	if n, want := counter(in)(), int64(2*len(bodies)); n != want {
		fatalf("embedded broker: every PUBACK came, yet %d of %d observations are stored", n, want)
	}
	return rate
}

// counter returns a function counting the stored observations.
func counter(in benchkit.Instance) func() int64 {
	ctx := context.Background()
	if in.DSN != "" {
		conn, err := pgx.Connect(ctx, *flagPG)
		check(err)
		return func() int64 {
			var n int64
			check(conn.QueryRow(ctx, "SELECT count(*) FROM "+in.Schema+".observations").Scan(&n))
			return n
		}
	}
	db, err := sql.Open("sqlite3", "file:"+filepath.Join(in.Data, "socle.db")+"?mode=ro&_busy_timeout=5000")
	check(err)
	return func() int64 {
		var n int64
		check(db.QueryRow("SELECT count(*) FROM observations").Scan(&n))
		return n
	}
}

// mqttBaseline publishes the same uplinks to a subscriber that only
// acknowledges, and returns messages/s until it received them all.
func mqttBaseline(broker string) float64 {
	run := fmt.Sprintf("b%d%d", os.Getpid(), kit.Seq())
	topics, bodies := uplinks(run)
	var got atomic.Int64
	done := make(chan struct{})
	sub := connect(broker, "bench-sub-"+run, func(paho.PublishReceived) (bool, error) {
		if got.Add(1) == int64(len(bodies)) {
			close(done)
		}
		return true, nil
	})
	defer sub.Disconnect(&paho.Disconnect{})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	_, err := sub.Subscribe(ctx, &paho.Subscribe{Subscriptions: []paho.SubscribeOptions{{Topic: "application/" + run + "/device/+/event/up", QoS: 1}}})
	cancel()
	check(err)
	start := time.Now()
	go publish(broker, run, topics, bodies)
	select {
	case <-done:
	case <-time.After(10 * time.Minute):
		fatalf("MQTT baseline: %d of %d received", got.Load(), len(bodies))
	}
	return float64(len(bodies)) / time.Since(start).Seconds()
}

// startBroker runs a private mosquitto on a free loopback port.
func startBroker() string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	check(err)
	addr := ln.Addr().String()
	ln.Close()
	_, port, _ := net.SplitHostPort(addr)
	conf := filepath.Join(kit.Work, "mosquitto.conf")
	check(os.WriteFile(conf, []byte("listener "+port+" 127.0.0.1\nallow_anonymous true\npersistence false\nmax_queued_messages 0\n"), 0o644))
	cmd := exec.Command("mosquitto", "-c", conf)
	lf, err := os.Create(filepath.Join(kit.Work, "mosquitto.log"))
	check(err)
	cmd.Stdout, cmd.Stderr = lf, lf
	if err := cmd.Start(); err != nil {
		fatalf("mosquitto (apt-get install mosquitto) or -broker HOST:PORT: %v", err)
	}
	kit.OnCleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	for range 100 {
		if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
			c.Close()
			log.Printf("private mosquitto on %s", addr)
			return addr
		}
		time.Sleep(50 * time.Millisecond)
	}
	fatalf("mosquitto did not listen on %s", addr)
	return ""
}

// ------------------------------------------------------------ helpers

func check(err error)                   { kit.Check(err) }
func fatalf(format string, args ...any) { kit.Fatalf(format, args...) }
