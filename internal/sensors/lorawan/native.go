package lorawan

import (
	"encoding/json"
	"strings"
	"unicode"

	"github.com/socle/socle/internal/errs"
	"github.com/socle/socle/internal/sensors"
)

// maxID bounds a device ID or property name taken from a message.
const maxID = 128

// nativeUp is Socle's own uplink body.
type nativeUp struct {
	Time   string                     `json:"time"`
	Values map[string]json.RawMessage `json:"values"`
	Key    string                     `json:"key"`
}

// ParseNative parses a Socle native message received on
// socle/devices/{deviceID}/up:
//
//	{"time": "2024-05-01T10:00:00Z", "values": {"temperature": 21.5}, "key": "…"}
//
// time (RFC 3339) and key are optional; values must hold at least one
// number, and only numbers. A key is scoped to the device: the Uplink's Key
// is "{deviceID}:{key}", so two devices may use the same keys.
func ParseNative(topic string, body []byte) (sensors.Uplink, error) {
	const format = "native"
	if err := checkSize(format, body); err != nil {
		return sensors.Uplink{}, err
	}
	device, err := nativeTopicDevice(topic)
	if err != nil {
		return sensors.Uplink{}, err
	}
	var m nativeUp
	if err := decodeJSON(format, body, &m); err != nil {
		return sensors.Uplink{}, err
	}
	u := sensors.Uplink{Source: SourceNative, DeviceID: device, Raw: body}
	if u.Time, err = parseTime(format, "time", m.Time); err != nil {
		return sensors.Uplink{}, err
	}
	if u.Object, err = nativeValues(m.Values); err != nil {
		return sensors.Uplink{}, err
	}
	if len(m.Key) > maxKey {
		return sensors.Uplink{}, errs.E(errs.Invalid, "native uplink: key longer than %d characters", maxKey)
	}
	if m.Key != "" {
		u.Key = device + ":" + m.Key
	}
	return u, nil
}

// nativeValues checks that values holds numbers only, at least one.
func nativeValues(values map[string]json.RawMessage) (map[string]any, error) {
	if len(values) == 0 {
		return nil, errs.E(errs.Invalid, "native uplink: values is missing or empty")
	}
	obj := make(map[string]any, len(values))
	for name, raw := range values {
		if !validName(name) {
			return nil, errs.E(errs.Invalid, "native uplink: property name %q is empty, too long or has control characters", clip(name))
		}
		var f float64
		if err := json.Unmarshal(raw, &f); err != nil || isNull(raw) {
			return nil, errs.E(errs.Invalid, "native uplink: values.%s is not a number", clip(name))
		}
		obj[name] = f
	}
	return obj, nil
}

// isNull reports whether raw is JSON null (which json.Unmarshal accepts as
// a no-op into a float64).
func isNull(raw json.RawMessage) bool {
	return strings.TrimSpace(string(raw)) == "null"
}

// nativeTopicDevice returns the device ID of a native up topic.
func nativeTopicDevice(topic string) (string, error) {
	p := strings.Split(topic, "/")
	if len(p) != 4 || p[0] != "socle" || p[1] != "devices" || p[3] != "up" {
		return "", errs.E(errs.Invalid, "native uplink: topic %q is not socle/devices/{deviceID}/up", clip(topic))
	}
	if !validName(p[2]) {
		return "", errs.E(errs.Invalid, "native uplink: device ID %q is empty, too long or has control characters", clip(p[2]))
	}
	return p[2], nil
}

// validName accepts a non-empty identifier of at most maxID bytes without
// control characters.
func validName(s string) bool {
	if s == "" || len(s) > maxID {
		return false
	}
	return strings.IndexFunc(s, unicode.IsControl) < 0
}
