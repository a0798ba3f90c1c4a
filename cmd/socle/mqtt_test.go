package main

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/socle/socle/mqtt"
)

// brokerAddr is the MQTT broker the tests publish to (Mosquitto runs on
// every machine of this project, CI's included).
func brokerAddr() string {
	if a := os.Getenv("SOCLE_TEST_MQTT_ADDR"); a != "" {
		return a
	}
	return "127.0.0.1:1883"
}

// TestMQTTUplinks publishes ChirpStack v4 and The Things Stack v3 uplinks
// with mosquitto_pub at QoS 1 to the real broker, and reads the values
// back through the API of a server subscribed to it; an uplink of an
// unknown device lands in the quarantine.
func TestMQTTUplinks(t *testing.T) {
	_, pubErr := exec.LookPath("mosquitto_pub")
	needTool(t, "mosquitto_pub", "apt-get install mosquitto-clients", pubErr == nil)
	conn, err := net.DialTimeout("tcp", brokerAddr(), 2*time.Second)
	needTool(t, "an MQTT broker on "+brokerAddr(), "apt-get install mosquitto", err == nil)
	if conn != nil {
		conn.Close()
	}
	for _, e := range engines(t) {
		t.Run(e.name, func(t *testing.T) {
			e.t = t
			run := randomHex(4)
			seedOrgs(t, e)
			e.mustRun("user", "add", "--login", "steward", "--role", "steward", "--org", "metropole")
			key := strings.TrimSpace(e.mustRun("apikey", "create", "--login", "steward"))
			e.mqtt = mqtt.Config{URL: "tcp://" + brokerAddr(), ClientID: "socle-test-" + run,
				Topics: []string{"application/" + run + "/device/+/event/up", "v3/" + run + "@ttn/devices/+/up"}, SessionExpiry: 30 * time.Second}
			e.start()
			for id, eui := range map[string]string{"bin-1": "a84041000181c061", "bin-2": "a84041000181c062"} {
				dev := fmt.Sprintf(`{"eui":%q,"type":"WasteContainer","domain":"waste","properties":[{"name":"fillingLevel","unit":"%%","min":0,"max":100}]}`, eui)
				if code, body := e.post("PUT", "/api/v1/devices/"+id, key, []byte(dev)); code != 200 {
					t.Fatalf("put %s: %d %s", id, code, body)
				}
			}
			publish(t, "application/"+run+"/device/a84041000181c061/event/up", chirpstackUplink("a84041000181c061", "d-"+run, 73))
			publish(t, "application/"+run+"/device/a84041000181c061/event/up", chirpstackUplink("a84041000181c061", "d-"+run, 73)) // second gateway
			publish(t, "v3/"+run+"@ttn/devices/bin-2/up", ttsUplink("bin-2", "A84041000181C062", 41))
			publish(t, "application/"+run+"/device/0000000000000bad/event/up", chirpstackUplink("0000000000000bad", "x-"+run, 5))
			publish(t, "application/"+run+"/device/a84041000181c061/event/up", `{"not":"an uplink"`)

			waitFor(t, e, key, "/api/v1/latest?domain=waste", `"value":73`, `"value":41`)
			waitFor(t, e, key, "/api/v1/quarantine", `"device_ref":"0000000000000bad"`, `"source":"mqtt:chirpstack"`)
			var obs struct{ Results []map[string]any }
			e.getJSON("/api/v1/devices/bin-1/observations?from=2026-01-01T00:00:00Z&to=2030-01-01T00:00:00Z", key, 200, &obs)
			if len(obs.Results) != 1 {
				t.Errorf("the uplink sent through two gateways was stored %d times", len(obs.Results))
			}
		})
	}
}

func publish(t *testing.T, topic, body string) {
	t.Helper()
	host, port, _ := net.SplitHostPort(brokerAddr())
	out, err := exec.Command("mosquitto_pub", "-h", host, "-p", port, "-q", "1", "-t", topic, "-m", body).CombinedOutput()
	if err != nil {
		t.Fatalf("mosquitto_pub: %v %s", err, out)
	}
}

// waitFor polls path until its body holds every string of want.
func waitFor(t *testing.T, e *env, key, path string, want ...string) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		_, body, _ := e.get(path, key)
		missing := ""
		for _, w := range want {
			if !strings.Contains(string(body), w) {
				missing = w
			}
		}
		if missing == "" {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s never showed %s: %s", path, missing, body)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func chirpstackUplink(eui, dedup string, fill int) string {
	return fmt.Sprintf(`{"deduplicationId":%q,"time":"2026-11-27T10:00:00Z",
		"deviceInfo":{"tenantId":"t","tenantName":"Métropole","applicationId":"a","applicationName":"dechets","deviceProfileId":"p","deviceProfileName":"em310","deviceName":"bin","devEui":%q},
		"devAddr":"01020304","adr":true,"dr":5,"fCnt":12,"fPort":85,"confirmed":false,"data":"AQI=","object":{"fillingLevel":%d,"battery":3.6},
		"rxInfo":[],"txInfo":{"frequency":868100000}}`, dedup, eui, fill)
}

func ttsUplink(id, eui string, fill int) string {
	return fmt.Sprintf(`{"end_device_ids":{"device_id":%q,"application_ids":{"application_id":"dechets"},"dev_eui":%q,"dev_addr":"260B1234"},
		"correlation_ids":["as:up:01J"],"received_at":"2026-11-27T10:00:01Z",
		"uplink_message":{"f_port":2,"f_cnt":7,"frm_payload":"KQ==","decoded_payload":{"fillingLevel":%d},"received_at":"2026-11-27T10:00:01Z"}}`, id, eui, fill)
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}
