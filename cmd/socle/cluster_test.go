package main

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/eclipse/paho.golang/paho"
)

// TestTwoNodesShareTheUplinks runs two `socle serve` processes on one
// PostgreSQL database, both subscribed to Mosquitto in one MQTT v5 shared
// subscription group (the production layout of docs/deployment.md):
// every uplink published is stored exactly once, and both nodes take a
// share of them.
func TestTwoNodesShareTheUplinks(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and runs two servers")
	}
	pg := os.Getenv("SOCLE_TEST_POSTGRES_URL")
	needTool(t, "PostgreSQL (SOCLE_TEST_POSTGRES_URL)", "set SOCLE_TEST_POSTGRES_URL", pg != "")
	if pg == "" {
		return
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
	e := &env{t: t, name: "postgres", data: t.TempDir(), dsn: pgSchemaDSN(t, pg)}
	seedOrgs(t, e)
	e.mustRun("user", "add", "--login", "steward", "--role", "steward", "--org", "metropole")
	key := strings.TrimSpace(e.mustRun("apikey", "create", "--login", "steward"))
	run := randomHex(4)
	group := "socle-" + run
	var nodes []*killServer
	for i := range 2 {
		n := &killServer{root: t, t: t, bin: bin, e: e, clientID: fmt.Sprintf("socle-node%d-%s", i+1, run), dir: t.TempDir(),
			extra: []string{"--mqtt-group", group}, env: []string{"SOCLE_LOG_LEVEL=debug"}}
		t.Cleanup(func() { killPurge(n.clientID) })
		n.start()
		nodes = append(nodes, n)
	}
	eui := randomHex(8)
	nodes[0].putDevice(key, "shared-meter", eui)

	const total = 300
	topic := "application/" + run + "/device/" + eui + "/event/up"
	pub := killPublisher(t, "socle-cluster-pub-"+run)
	defer pub.Disconnect(&paho.Disconnect{})
	for i := range total {
		body := fmt.Sprintf(`{"deduplicationId":"c-%s-%d","time":%q,"deviceInfo":{"devEui":%q,"deviceName":"shared"},"fCnt":%d,"fPort":1,"object":{"level":%d}}`,
			run, i, killBase.Add(time.Duration(i)*time.Second).Format(time.RFC3339), eui, i, i)
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		if _, err := pub.Publish(ctx, &paho.Publish{Topic: topic, QoS: 1, Payload: []byte(body)}); err != nil {
			t.Fatalf("publish %d: %v", i, err)
		}
		cancel()
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		// Either node answers for the shared database.
		n, err := nodes[1].countObservations(key, "shared-meter", killBase, killBase.Add(total*time.Second))
		if err == nil && n == total {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d uplinks stored after 30 s (err %v)", n, total, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	sum := 0
	for i, n := range nodes {
		b, _ := os.ReadFile(n.log)
		took := 0
		for _, line := range bytes.Split(b, []byte("\n")) {
			if bytes.Contains(line, []byte(`msg="mqtt: uplink ingested"`)) && bytes.Contains(line, []byte("topic="+topic)) {
				took++
			}
		}
		t.Logf("node %d ingested %d uplinks", i+1, took)
		if took == 0 {
			t.Errorf("node %d took no uplink: the group did not share the load", i+1)
		}
		sum += took
	}
	if sum != total {
		t.Errorf("the nodes ingested %d uplinks in all, want %d (each once)", sum, total)
	}
}
