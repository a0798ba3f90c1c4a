package lorawan

import (
	"encoding/base64"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/socle/socle/internal/errs"
	"github.com/socle/socle/internal/sensors"
)

// parseCase is one message and what a parser must make of it: the Uplink
// (Raw ignored), or an error of kind wantKind whose message contains
// wantErr.
type parseCase struct {
	name     string
	topic    string
	body     string
	want     sensors.Uplink
	wantErr  string
	wantKind errs.Kind
}

func fcnt(n uint32) *uint32 { return &n }

func ts(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return t.UTC()
}

func b64(s string) []byte {
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		panic(err)
	}
	return b
}

func testdata(name string) string {
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		panic(err)
	}
	return string(b)
}

const (
	csTopic  = "application/ca739e26-7b67-4f14-b69e-d568c22a5a75/device/1000000000000001/event/up"
	csTopic2 = "application/32dafeb5-0865-4edd-bf1c-3f8d9b07af52/device/70B3D57BA0003BB8/event/up"
	csTopic3 = "application/app/device/0101010101010101/event/up"
	// The reference document's example, with its ellipses filled in.
	csDoc = `{"deduplicationId":"3ac7e3c4-4401-4b8d-9386-a5c902f9202d","time":"2022-07-18T09:34:15.775023242+00:00",
 "deviceInfo":{"tenantId":"52f14cd4-c6f1-4fbd-8f87-4025e1d49242","applicationId":"app","applicationName":"eau","deviceProfileName":"tst",
   "deviceName":"compteur-1","devEui":"0101010101010101","tags":{"k":"v"}},
 "devAddr":"00189440","adr":true,"dr":1,"fCnt":10,"fPort":1,"data":"qg==","object":{"temperature":21.5},
 "rxInfo":[{"gatewayId":"0016c001f153a14c","rssi":-36,"snr":10.5}],
 "txInfo":{"frequency":867100000,"modulation":{"lora":{"bandwidth":125000,"spreadingFactor":11,"codeRate":"CR_4_5"}}}}`
	// fCnt 0 and adr false omitted (protobuf JSON mapping), no deduplicationId.
	csNoFCnt = `{"time":"2022-07-18T09:34:15Z","deviceInfo":{"devEui":"0101010101010101"},"fPort":2,"data":"AQ=="}`
)

var chirpStackCases = []parseCase{
	{name: "thingsboard AM103 event", topic: csTopic, body: testdata("milesight-am103-chirpstack-payload.json"),
		want: sensors.Uplink{Source: "chirpstack", DevEUI: "1000000000000001", DeviceID: "Device name",
			Key: "57433366-50a6-4dc2-8145-2df1bbc70d9e", Time: ts("2023-05-22T07:47:05.404859Z"),
			FCnt: fcnt(4), FPort: 85, Payload: b64("AXVkA2cYAQRobQd9xQE=")}},
	{name: "real network DL-MBX event, upper-case topic DevEUI", topic: csTopic2, body: testdata("decentlab-dl-mbx-chirpstack-payload.json"),
		want: sensors.Uplink{Source: "chirpstack", DevEUI: "70b3d57ba0003bb8", DeviceID: "PM-15288",
			Key: "ede7dfc1-a1f5-418c-b009-dc57ebcf0895", Time: ts("2024-11-10T12:51:50Z"),
			FCnt: fcnt(20), FPort: 1, Payload: b64("AgEvAAME0gABC7E=")}},
	{name: "decoded object", topic: csTopic3, body: csDoc,
		want: sensors.Uplink{Source: "chirpstack", DevEUI: "0101010101010101", DeviceID: "compteur-1",
			Key: "3ac7e3c4-4401-4b8d-9386-a5c902f9202d", Time: ts("2022-07-18T09:34:15.775023242Z"),
			FCnt: fcnt(10), FPort: 1, Payload: []byte{0xaa}, Object: map[string]any{"temperature": 21.5}}},
	{name: "omitted fCnt is 0 and the key falls back to DevEUI, fCnt and time", topic: csTopic3, body: csNoFCnt,
		want: sensors.Uplink{Source: "chirpstack", DevEUI: "0101010101010101", Key: "0101010101010101:0:2022-07-18T09:34:15Z",
			Time: ts("2022-07-18T09:34:15Z"), FCnt: fcnt(0), FPort: 2, Payload: []byte{1}}},
	{name: "refused: DevEUI differs from the topic's", topic: csTopic, body: csDoc, wantErr: "does not match the topic"},
	{name: "refused: short DevEUI", topic: "application/a/device/01010101/event/up", body: csDoc, wantErr: "not 16 hex digits"},
	{name: "refused: non-hex DevEUI in body", topic: csTopic3,
		body: `{"deviceInfo":{"devEui":"01010101010101zz"}}`, wantErr: "deviceInfo.devEui: DevEUI \"01010101010101zz\" is not 16 hex digits"},
	{name: "refused: ChirpStack v3 format", topic: csTopic3,
		body: `{"applicationID":"1","devEUI":"0101010101010101","fCnt":1,"objectJSON":"{}"}`, wantErr: "ChirpStack v3 format"},
	{name: "refused: no deviceInfo", topic: csTopic3, body: `{"fCnt":1}`, wantErr: "no deviceInfo"},
	{name: "refused: malformed JSON", topic: csTopic3, body: `{"deviceInfo":`, wantErr: "malformed JSON"},
	{name: "refused: JSON array", topic: csTopic3, body: `[1]`, wantErr: "malformed JSON"},
	{name: "refused: negative fCnt", topic: csTopic3, body: `{"deviceInfo":{"devEui":"0101010101010101"},"fCnt":-1}`, wantErr: "fCnt"},
	{name: "refused: data not base64", topic: csTopic3, body: `{"deviceInfo":{"devEui":"0101010101010101"},"data":"%%%"}`, wantErr: "data is not base64"},
	{name: "refused: object not an object", topic: csTopic3, body: `{"deviceInfo":{"devEui":"0101010101010101"},"object":[1,2]}`, wantErr: "object is not a JSON object"},
	{name: "refused: fPort over 255", topic: csTopic3, body: `{"deviceInfo":{"devEui":"0101010101010101"},"fPort":256}`, wantErr: "fPort 256 is outside 0-255"},
	{name: "refused: bad time", topic: csTopic3, body: `{"deviceInfo":{"devEui":"0101010101010101"},"time":"18/07/2022"}`, wantErr: "not an RFC 3339 time"},
	{name: "refused: status event topic", topic: "application/a/device/0101010101010101/event/status", body: csDoc, wantErr: "topic"},
	{name: "refused: empty body", topic: csTopic3, body: "", wantErr: "empty body"},
	{name: "refused: body over 64 KiB", topic: csTopic3, body: `{"x":"` + strings.Repeat("a", MaxBody) + `"}`, wantErr: "exceeds the 65536-byte limit", wantKind: errs.TooLarge},
}

const (
	ttsTopic  = "v3/application-tti-name@tenant/devices/eui-1000000000000001/up"
	ttsTopic2 = "v3/test-decentlab/devices/03022/up"
	ttsTopic3 = "v3/app1@ttn/devices/dev1/up"
	// The reference document's example, with a decoded payload.
	ttsDoc = `{"end_device_ids":{"device_id":"dev1","application_ids":{"application_id":"app1"},"dev_eui":"0004A30B001C0530","dev_addr":"00BCB929"},
 "correlation_ids":["gs:uplink:01E0CY8V1FFJ0WCKXTKT0CRPDY","as:up:01E0CY8V864TP36Q130RSQQJBY"],"received_at":"2020-02-12T15:15:46.014Z",
 "uplink_message":{"f_cnt":1,"f_port":1,"frm_payload":"gkHe","decoded_payload":{"temperature":1.0,"state":"ok"},
   "rx_metadata":[{"gateway_ids":{"gateway_id":"gtw1"},"rssi":-35,"snr":5.2}],
   "settings":{"data_rate":{"lora":{"bandwidth":125000,"spreading_factor":7}},"frequency":"868300000"},
   "received_at":"2020-02-12T15:15:45.787Z","consumed_airtime":"0.056576s","network_ids":{"net_id":"000013"}},
 "simulated":true}`
	// f_cnt 0 and f_port 0 omitted (TTS drops empty values), no correlation IDs.
	ttsNoFCnt = `{"end_device_ids":{"device_id":"dev1","dev_eui":"0004a30b001c0530"},
 "uplink_message":{"frm_payload":"AA==","received_at":"2020-02-12T15:15:45.787Z"}}`
	ttsNoTime = `{"end_device_ids":{"device_id":"dev1","dev_eui":"0004a30b001c0530"},"uplink_message":{"f_cnt":7}}`
)

var ttsCases = []parseCase{
	{name: "thingsboard AM103 uplink through Packet Broker", topic: ttsTopic, body: testdata("milesight-am103-tts-payload.json"),
		want: sensors.Uplink{Source: "tts", DevEUI: "1000000000000001", DeviceID: "eui-1000000000000001",
			Key: "as:up:01H0PZDGB1NW6NAPD815NGHPF6", Time: ts("2023-05-18T08:25:25.906399073Z"),
			FCnt: fcnt(5017), FPort: 85, Payload: b64("AXVkA2cYAQRobQd9xQE=")}},
	{name: "2020 DL-MBX uplink, open-source topic without tenant", topic: ttsTopic2, body: testdata("decentlab-dl-mbx-tts-payload.json"),
		want: sensors.Uplink{Source: "tts", DevEUI: "70b3d57ba0000bce", DeviceID: "03022",
			Key: "as:up:01E0CY8V864TP36Q130RSQQJBY", Time: ts("2020-02-06T09:46:05.234172599Z"),
			FCnt: fcnt(101), FPort: 1, Payload: b64("AgEvAAME0gABC7E=")}},
	{name: "decoded payload", topic: ttsTopic3, body: ttsDoc,
		want: sensors.Uplink{Source: "tts", DevEUI: "0004a30b001c0530", DeviceID: "dev1",
			Key: "as:up:01E0CY8V864TP36Q130RSQQJBY", Time: ts("2020-02-12T15:15:45.787Z"),
			FCnt: fcnt(1), FPort: 1, Payload: b64("gkHe"), Object: map[string]any{"temperature": 1.0, "state": "ok"}}},
	{name: "omitted f_cnt is 0 and the key falls back to DevEUI, fCnt and time", topic: ttsTopic3, body: ttsNoFCnt,
		want: sensors.Uplink{Source: "tts", DevEUI: "0004a30b001c0530", DeviceID: "dev1",
			Key: "0004a30b001c0530:0:2020-02-12T15:15:45.787Z", Time: ts("2020-02-12T15:15:45.787Z"),
			FCnt: fcnt(0), FPort: 0, Payload: []byte{0}}},
	{name: "no time: key is DevEUI and fCnt", topic: ttsTopic3, body: ttsNoTime,
		want: sensors.Uplink{Source: "tts", DevEUI: "0004a30b001c0530", DeviceID: "dev1", Key: "0004a30b001c0530:7", FCnt: fcnt(7)}},
	{name: "refused: TTN v2 format", topic: ttsTopic3,
		body: `{"app_id":"a","dev_id":"dev1","hardware_serial":"0004A30B001C0530","counter":2,"payload_raw":"AQ=="}`, wantErr: "TTN v2 format"},
	{name: "refused: device ID differs from the topic's", topic: "v3/app1@ttn/devices/dev2/up", body: ttsDoc, wantErr: "does not match the topic"},
	{name: "refused: no dev_eui", topic: ttsTopic3, body: `{"end_device_ids":{"device_id":"dev1"},"uplink_message":{}}`, wantErr: "dev_eui is missing"},
	{name: "refused: bad dev_eui", topic: ttsTopic3, body: `{"end_device_ids":{"dev_eui":"00-04-A3-0B-00-1C-05-30"},"uplink_message":{}}`, wantErr: "not 16 hex digits"},
	{name: "refused: no uplink_message", topic: ttsTopic3, body: `{"end_device_ids":{"dev_eui":"0004a30b001c0530"}}`, wantErr: "no end_device_ids or uplink_message"},
	{name: "refused: decoded_payload not an object", topic: ttsTopic3,
		body: `{"end_device_ids":{"dev_eui":"0004a30b001c0530"},"uplink_message":{"decoded_payload":"21.5"}}`, wantErr: "decoded_payload is not a JSON object"},
	{name: "refused: frm_payload not base64", topic: ttsTopic3,
		body: `{"end_device_ids":{"dev_eui":"0004a30b001c0530"},"uplink_message":{"frm_payload":"gkH"}}`, wantErr: "frm_payload is not base64"},
	{name: "refused: bad received_at", topic: ttsTopic3,
		body: `{"end_device_ids":{"dev_eui":"0004a30b001c0530"},"uplink_message":{"received_at":"yesterday"}}`, wantErr: "uplink_message.received_at \"yesterday\""},
	{name: "refused: f_cnt as a string", topic: ttsTopic3,
		body: `{"end_device_ids":{"dev_eui":"0004a30b001c0530"},"uplink_message":{"f_cnt":"3"}}`, wantErr: "malformed JSON"},
	{name: "refused: join topic", topic: "v3/app1@ttn/devices/dev1/join", body: ttsDoc, wantErr: "topic"},
}

const nativeTopic = "socle/devices/compteur-eau-12/up"

var nativeCases = []parseCase{
	{name: "time, values and key", topic: nativeTopic,
		body: `{"time":"2024-05-01T12:00:00+02:00","values":{"index_m3":1234.5,"battery":97},"key":"2024-05-01-1200"}`,
		want: sensors.Uplink{Source: "native", DeviceID: "compteur-eau-12", Key: "compteur-eau-12:2024-05-01-1200",
			Time: ts("2024-05-01T10:00:00Z"), Object: map[string]any{"index_m3": 1234.5, "battery": 97.0}}},
	{name: "values only", topic: nativeTopic, body: `{"values":{"level":-0.5}}`,
		want: sensors.Uplink{Source: "native", DeviceID: "compteur-eau-12", Object: map[string]any{"level": -0.5}}},
	{name: "refused: no values", topic: nativeTopic, body: `{"time":"2024-05-01T12:00:00Z"}`, wantErr: "values is missing or empty"},
	{name: "refused: string value", topic: nativeTopic, body: `{"values":{"level":"12"}}`, wantErr: "values.level is not a number"},
	{name: "refused: null value", topic: nativeTopic, body: `{"values":{"level":null}}`, wantErr: "values.level is not a number"},
	{name: "refused: boolean value", topic: nativeTopic, body: `{"values":{"open":true}}`, wantErr: "values.open is not a number"},
	{name: "refused: empty property name", topic: nativeTopic, body: `{"values":{"":1}}`, wantErr: "property name"},
	{name: "refused: bad time", topic: nativeTopic, body: `{"time":"2024-05-01","values":{"level":1}}`, wantErr: "not an RFC 3339 time"},
	{name: "refused: key too long", topic: nativeTopic, body: `{"values":{"level":1},"key":"` + strings.Repeat("k", 201) + `"}`, wantErr: "key longer than 200"},
	{name: "refused: values not an object", topic: nativeTopic, body: `{"values":[1]}`, wantErr: "malformed JSON"},
	{name: "refused: other topic", topic: "socle/devices/x/down", body: `{"values":{"level":1}}`, wantErr: "topic"},
}

func runCases(t *testing.T, parse Parser, cases []parseCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			u, err := parse(c.topic, []byte(c.body))
			if c.wantErr != "" {
				want := c.wantKind
				if want == errs.Internal {
					want = errs.Invalid
				}
				if err == nil || !strings.Contains(errs.Message(err), c.wantErr) || errs.KindOf(err) != want {
					t.Fatalf("err = %v (kind %v), want %s error containing %q", err, errs.KindOf(err), want, c.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if string(u.Raw) != c.body {
				t.Errorf("Raw is not the body")
			}
			u.Raw = nil
			if !reflect.DeepEqual(u, c.want) {
				t.Errorf("got  %+v\nwant %+v", u, c.want)
			}
		})
	}
}

func TestParseChirpStack(t *testing.T) { runCases(t, ParseChirpStack, chirpStackCases) }
func TestParseTTS(t *testing.T)        { runCases(t, ParseTTS, ttsCases) }
func TestParseNative(t *testing.T)     { runCases(t, ParseNative, nativeCases) }

func TestRoute(t *testing.T) {
	for _, c := range []struct {
		topic  string
		source string // "" = no route
	}{
		{csTopic, "chirpstack"},
		{ttsTopic, "tts"},
		{ttsTopic2, "tts"},
		{nativeTopic, "native"},
		{"application/a/device/0101010101010101/event/join", ""},
		{"application//device/0101010101010101/event/up", ""},
		{"v3/app/devices/dev1/up/extra", ""},
		{"v3/app/devices//up", ""},
		{"socle/devices//up", ""},
		{"$share/g/socle/devices/x/up", ""},
		{"", ""},
	} {
		parse, ok := Route(c.topic)
		source, _ := SourceOf(c.topic)
		if !ok {
			source = ""
		}
		if ok != (c.source != "") || source != c.source {
			t.Errorf("Route(%q): ok %v source %q, want %q", c.topic, ok, source, c.source)
			continue
		}
		if !ok {
			continue
		}
		// The routed parser is the one for the source: it accepts a
		// well-formed message of that source.
		body := map[string]string{"chirpstack": testdata("milesight-am103-chirpstack-payload.json"),
			"tts": testdata("milesight-am103-tts-payload.json"), "native": `{"values":{"a":1}}`}[c.source]
		if c.topic == ttsTopic2 {
			body = testdata("decentlab-dl-mbx-tts-payload.json")
		}
		if u, err := parse(c.topic, []byte(body)); err != nil || u.Source != c.source {
			t.Errorf("Route(%q) parser: source %q, err %v", c.topic, u.Source, err)
		}
	}
}

func TestNormalizeEUI(t *testing.T) {
	for in, want := range map[string]string{
		"0004A30B001C0530":  "0004a30b001c0530",
		"0004a30b001c0530":  "0004a30b001c0530",
		"0004a30b001c053":   "",
		"0004a30b001c05301": "",
		"0004:a30b001c0530": "",
		"0x04a30b001c0530":  "",
		"":                  "",
	} {
		got, err := NormalizeEUI(in)
		if got != want || (err == nil) != (want != "") {
			t.Errorf("NormalizeEUI(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
}
