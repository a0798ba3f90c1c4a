package lorawan

import (
	"encoding/json"
	"strings"

	"github.com/socle/socle/internal/errs"
	"github.com/socle/socle/internal/sensors"
)

// ttsUp is the part of a The Things Stack v3 uplink message Socle reads.
// TTS omits empty values: a missing f_cnt is 0, a missing f_port is 0.
type ttsUp struct {
	EndDeviceIDs *struct {
		DeviceID string `json:"device_id"`
		DevEUI   string `json:"dev_eui"`
	} `json:"end_device_ids"`
	CorrelationIDs []string `json:"correlation_ids"`
	ReceivedAt     string   `json:"received_at"`
	UplinkMessage  *struct {
		FCnt           *uint32         `json:"f_cnt"`
		FPort          uint32          `json:"f_port"`
		FRMPayload     string          `json:"frm_payload"`
		DecodedPayload json.RawMessage `json:"decoded_payload"`
		ReceivedAt     string          `json:"received_at"`
	} `json:"uplink_message"`

	// TTN v2 names, to recognise and refuse the legacy format.
	LegacyHardwareSerial string `json:"hardware_serial"`
}

// ParseTTS parses a The Things Stack v3 uplink message received on
// v3/{app}[@{tenant}]/devices/{device}/up. The DevEUI comes from
// end_device_ids.dev_eui, the time from uplink_message.received_at (else
// the top-level received_at). The key is the Application Server's
// correlation ID ("as:up:…", the same for every copy of one uplink), else
// DevEUI:fCnt:time; a missing f_cnt is 0 (TTS omits zero values).
func ParseTTS(topic string, body []byte) (sensors.Uplink, error) {
	const format = "tts"
	if err := checkSize(format, body); err != nil {
		return sensors.Uplink{}, err
	}
	var device string
	var err error
	if topic != "" { // "" = a webhook: no topic to check against
		if device, err = ttsTopicDevice(topic); err != nil {
			return sensors.Uplink{}, err
		}
	}
	var m ttsUp
	if err := decodeJSON(format, body, &m); err != nil {
		return sensors.Uplink{}, err
	}
	if m.EndDeviceIDs == nil || m.UplinkMessage == nil {
		if m.LegacyHardwareSerial != "" {
			return sensors.Uplink{}, errs.E(errs.Invalid, "tts uplink: TTN v2 format (hardware_serial, payload_raw) is not supported; use The Things Stack v3")
		}
		return sensors.Uplink{}, errs.E(errs.Invalid, "tts uplink: no end_device_ids or uplink_message (not a The Things Stack v3 uplink)")
	}
	if topic == "" {
		device = m.EndDeviceIDs.DeviceID
	}
	if id := m.EndDeviceIDs.DeviceID; id != "" && id != device {
		return sensors.Uplink{}, errs.E(errs.Invalid, "tts uplink: end_device_ids.device_id %q does not match the topic's %q", clip(id), clip(device))
	}
	if m.EndDeviceIDs.DevEUI == "" {
		return sensors.Uplink{}, errs.E(errs.Invalid, "tts uplink: end_device_ids.dev_eui is missing")
	}
	eui, err := NormalizeEUI(m.EndDeviceIDs.DevEUI)
	if err != nil {
		return sensors.Uplink{}, errs.E(errs.Invalid, "tts uplink: end_device_ids.dev_eui: %s", errs.Message(err))
	}
	um := m.UplinkMessage
	u := sensors.Uplink{Source: SourceTTS, DevEUI: eui, DeviceID: device, Raw: body}
	received, field := um.ReceivedAt, "uplink_message.received_at"
	if received == "" {
		received, field = m.ReceivedAt, "received_at"
	}
	if u.Time, err = parseTime(format, field, received); err != nil {
		return sensors.Uplink{}, err
	}
	if u.FPort, err = checkPort(format, "uplink_message.f_port", um.FPort); err != nil {
		return sensors.Uplink{}, err
	}
	var fcnt uint32
	if um.FCnt != nil {
		fcnt = *um.FCnt
	}
	u.FCnt = &fcnt
	if u.Payload, err = decodePayload(format, "uplink_message.frm_payload", um.FRMPayload); err != nil {
		return sensors.Uplink{}, err
	}
	if u.Object, err = decodeObject(format, "uplink_message.decoded_payload", um.DecodedPayload); err != nil {
		return sensors.Uplink{}, err
	}
	u.Key = ttsKey(m.CorrelationIDs)
	if u.Key == "" {
		u.Key = fallbackKey(eui, fcnt, u.Time)
	}
	return u, nil
}

// ParseTTSWebhook parses the body of a The Things Stack webhook's uplink
// message: the same JSON as the MQTT message, with no topic.
func ParseTTSWebhook(body []byte) (sensors.Uplink, error) { return ParseTTS("", body) }

// ttsKey returns the Application Server uplink correlation ID, or "".
func ttsKey(ids []string) string {
	for _, id := range ids {
		if strings.HasPrefix(id, "as:up:") && len(id) > len("as:up:") && len(id) <= maxKey {
			return id
		}
	}
	return ""
}

// ttsTopicDevice returns the device ID of a TTS up topic.
func ttsTopicDevice(topic string) (string, error) {
	p := strings.Split(topic, "/")
	if len(p) != 5 || p[0] != "v3" || p[1] == "" || p[2] != "devices" || p[3] == "" || p[4] != "up" {
		return "", errs.E(errs.Invalid, "tts uplink: topic %q is not v3/{app}@{tenant}/devices/{device}/up", clip(topic))
	}
	return p[3], nil
}
