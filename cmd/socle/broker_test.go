package main

import (
	"net/url"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestEmbeddedBroker publishes ChirpStack and The Things Stack uplinks
// with mosquitto_pub, in MQTT v5 and 3.1.1, to the broker `serve
// --mqtt-listen` runs, authenticated by an API key, and reads the values
// back: an acknowledged uplink is already stored. Without the key, or with
// a key that may not feed sensors, nothing gets in.
func TestEmbeddedBroker(t *testing.T) {
	_, pubErr := exec.LookPath("mosquitto_pub")
	needTool(t, "mosquitto_pub", "apt-get install mosquitto-clients", pubErr == nil)
	for _, e := range engines(t) {
		t.Run(e.name, func(t *testing.T) {
			e.t = t
			seedOrgs(t, e)
			e.mustRun("user", "add", "--login", "steward", "--role", "steward", "--org", "metropole")
			e.mustRun("user", "add", "--login", "partner", "--role", "partner", "--org", "metropole")
			key := strings.TrimSpace(e.mustRun("apikey", "create", "--login", "steward"))
			partnerKey := strings.TrimSpace(e.mustRun("apikey", "create", "--login", "partner"))
			e.broker = true
			e.start()
			for id, eui := range map[string]string{"bin-1": "a84041000181c061", "bin-2": "a84041000181c062"} {
				dev := `{"eui":"` + eui + `","type":"WasteContainer","domain":"waste","properties":[{"name":"fillingLevel","unit":"%","min":0,"max":100}]}`
				if code, body := e.post("PUT", "/api/v1/devices/"+id, key, []byte(dev)); code != 200 {
					t.Fatalf("put %s: %d %s", id, code, body)
				}
			}
			u, _ := url.Parse(e.brokerURL)
			pub := func(version, password, topic, body string) error {
				args := []string{"-h", u.Hostname(), "-p", u.Port(), "-q", "1", "-V", version, "-u", "gw", "-t", topic, "-m", body}
				if password != "" {
					args = append(args, "-P", password)
				}
				out, err := exec.Command("mosquitto_pub", args...).CombinedOutput()
				if err != nil {
					t.Logf("mosquitto_pub -V %s: %v %s", version, err, out)
				}
				return err
			}
			if err := pub("mqttv5", key, "application/app/device/a84041000181c061/event/up", chirpstackUplink("a84041000181c061", "e-1", 64)); err != nil {
				t.Fatal(err)
			}
			if err := pub("mqttv311", key, "v3/app@ttn/devices/bin-2/up", ttsUplink("bin-2", "A84041000181C062", 38)); err != nil {
				t.Fatal(err)
			}
			// mosquitto_pub returned after the PUBACK: the values are stored.
			code, body, _ := e.get("/api/v1/latest?domain=waste", key)
			if code != 200 || !strings.Contains(string(body), `"value":64`) || !strings.Contains(string(body), `"value":38`) {
				t.Fatalf("latest after the PUBACKs: %d %s", code, body)
			}
			if pub("mqttv5", "", "application/app/device/a84041000181c061/event/up", chirpstackUplink("a84041000181c061", "e-2", 99)) == nil {
				t.Error("a client without a key published")
			}
			if pub("mqttv5", partnerKey, "application/app/device/a84041000181c061/event/up", chirpstackUplink("a84041000181c061", "e-3", 99)) == nil {
				t.Error("a partner's key, which may not feed sensors, published")
			}
			if _, body, _ := e.get("/api/v1/latest?domain=waste", key); strings.Contains(string(body), `"value":99`) {
				t.Fatalf("an unauthorised publication was stored: %s", body)
			}

			// A raw payload (a real Milesight AM103 uplink, no decoded
			// object) is read by the model's JavaScript decoder.
			room := `{"eui":"1000000000000001","type":"IndoorEnvironmentObserved","model":"milesight-am103","domain":"buildings",
				"properties":[{"name":"temperature","unit":"CEL"},{"name":"humidity","unit":"P1"},{"name":"co2","unit":"59"},{"name":"battery","unit":"P1"}]}`
			if code, body := e.post("PUT", "/api/v1/devices/room-1", key, []byte(room)); code != 200 {
				t.Fatalf("put room-1: %d %s", code, body)
			}
			raw, err := os.ReadFile("../../jscodec/testdata/milesight-am103-chirpstack-payload.json")
			if err != nil {
				t.Fatal(err)
			}
			if err := pub("mqttv5", key, "application/app/device/1000000000000001/event/up", string(raw)); err != nil {
				t.Fatal(err)
			}
			code, body, _ = e.get("/api/v1/devices/room-1/latest", key)
			for _, want := range []string{`"property":"temperature","time":"2023-05-22T07:47:05.404Z","value":28`, `"property":"co2","time":"2023-05-22T07:47:05.404Z","value":453`, `"value":54.5`, `"value":100`} {
				if code != 200 || !strings.Contains(string(body), want) {
					t.Fatalf("decoded values: want %s in %d %s", want, code, body)
				}
			}
		})
	}
}
