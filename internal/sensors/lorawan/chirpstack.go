package lorawan

import (
	"bytes"
	"encoding/json"
	"strings"

	"github.com/socle/socle/internal/errs"
	"github.com/socle/socle/internal/sensors"
)

// chirpStackUp is the part of a ChirpStack v4 "up" event Socle reads (the
// protobuf JSON mapping: zero and false fields may be omitted).
type chirpStackUp struct {
	DeduplicationID string `json:"deduplicationId"`
	Time            string `json:"time"`
	DeviceInfo      *struct {
		DevEUI     string `json:"devEui"`
		DeviceName string `json:"deviceName"`
	} `json:"deviceInfo"`
	FCnt   *uint32         `json:"fCnt"`
	FPort  uint32          `json:"fPort"`
	Data   string          `json:"data"`
	Object json.RawMessage `json:"object"`

	// ChirpStack v3 names, to recognise and refuse the legacy format.
	LegacyDevEUI string `json:"devEUI"`
}

// ParseChirpStack parses a ChirpStack v4 "up" event, JSON-encoded, received
// on application/{appID}/device/{devEUI}/event/up. The DevEUI comes from
// deviceInfo.devEui and must match the topic's; the key is the
// deduplicationId (else DevEUI:fCnt:time); a missing fCnt is 0.
func ParseChirpStack(topic string, body []byte) (sensors.Uplink, error) {
	const format = "chirpstack"
	if err := checkSize(format, body); err != nil {
		return sensors.Uplink{}, err
	}
	var topicEUI string
	var err error
	if topic != "" { // "" = the HTTP integration: no topic to check against
		if topicEUI, err = chirpStackTopicEUI(topic); err != nil {
			return sensors.Uplink{}, err
		}
	}
	var m chirpStackUp
	if err := decodeJSON(format, body, &m); err != nil {
		return sensors.Uplink{}, err
	}
	if m.DeviceInfo == nil {
		if m.LegacyDevEUI != "" {
			return sensors.Uplink{}, errs.E(errs.Invalid, "chirpstack uplink: ChirpStack v3 format (devEUI, objectJSON) is not supported; use ChirpStack v4")
		}
		return sensors.Uplink{}, errs.E(errs.Invalid, "chirpstack uplink: no deviceInfo (not a ChirpStack v4 up event, or not JSON-encoded)")
	}
	eui, err := NormalizeEUI(m.DeviceInfo.DevEUI)
	if err != nil {
		return sensors.Uplink{}, errs.E(errs.Invalid, "chirpstack uplink: deviceInfo.devEui: %s", errs.Message(err))
	}
	if topic != "" && eui != topicEUI {
		return sensors.Uplink{}, errs.E(errs.Invalid, "chirpstack uplink: deviceInfo.devEui %s does not match the topic's %s", eui, topicEUI)
	}
	u := sensors.Uplink{Source: SourceChirpStack, DevEUI: eui, DeviceID: m.DeviceInfo.DeviceName, Raw: body}
	if u.Time, err = parseTime(format, "time", m.Time); err != nil {
		return sensors.Uplink{}, err
	}
	if u.FPort, err = checkPort(format, "fPort", m.FPort); err != nil {
		return sensors.Uplink{}, err
	}
	var fcnt uint32
	if m.FCnt != nil {
		fcnt = *m.FCnt
	}
	u.FCnt = &fcnt
	if u.Payload, err = decodePayload(format, "data", m.Data); err != nil {
		return sensors.Uplink{}, err
	}
	if u.Object, err = decodeObject(format, "object", m.Object); err != nil {
		return sensors.Uplink{}, err
	}
	switch {
	case len(m.DeduplicationID) > maxKey:
		return sensors.Uplink{}, errs.E(errs.Invalid, "chirpstack uplink: deduplicationId longer than %d characters", maxKey)
	case m.DeduplicationID != "":
		u.Key = m.DeduplicationID
	default:
		u.Key = fallbackKey(eui, fcnt, u.Time)
	}
	return u, nil
}

// ParseChirpStackWebhook parses the body of ChirpStack's HTTP integration
// for ?event=up: the same JSON as the MQTT event, with no topic.
func ParseChirpStackWebhook(body []byte) (sensors.Uplink, error) { return ParseChirpStack("", body) }

// chirpStackTopicEUI returns the normalised DevEUI of a ChirpStack up topic.
func chirpStackTopicEUI(topic string) (string, error) {
	p := strings.Split(topic, "/")
	if len(p) != 6 || p[0] != "application" || p[1] == "" || p[2] != "device" || p[4] != "event" || p[5] != "up" {
		return "", errs.E(errs.Invalid, "chirpstack uplink: topic %q is not application/{id}/device/{devEUI}/event/up", clip(topic))
	}
	eui, err := NormalizeEUI(p[3])
	if err != nil {
		return "", errs.E(errs.Invalid, "chirpstack uplink: topic: %s", errs.Message(err))
	}
	return eui, nil
}

// decodeObject decodes a decoded-payload member, which must be a JSON
// object or absent (or null).
func decodeObject(format, field string, raw json.RawMessage) (map[string]any, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		return nil, nil
	}
	if raw[0] != '{' {
		return nil, errs.E(errs.Invalid, "%s uplink: %s is not a JSON object", format, field)
	}
	var obj map[string]any
	if err := json.Unmarshal(raw, &obj); err != nil {
		return nil, errs.Wrap(errs.Invalid, err, "%s uplink: %s is not a JSON object", format, field)
	}
	return obj, nil
}
