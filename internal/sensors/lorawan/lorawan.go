// Package lorawan turns the uplink messages of LoRaWAN network servers
// (ChirpStack v4, The Things Stack v3) and Socle's native device messages
// into sensors.Uplink values. It parses bytes and topics only: no broker,
// no storage. Every error is an *errs.Error of kind Invalid (TooLarge for a
// body over MaxBody) whose message says what is wrong, safe to show to a
// steward looking at the quarantine.
package lorawan

import (
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/socle/socle/internal/errs"
	"github.com/socle/socle/internal/sensors"
)

// MaxBody is the largest message body a parser accepts. Real uplinks are a
// few kilobytes; anything bigger is refused before it is decoded.
const MaxBody = 64 << 10

// maxKey bounds the length of a deduplication key taken from a message.
const maxKey = 200

// Sources, as set in sensors.Uplink.Source.
const (
	SourceChirpStack = "chirpstack"
	SourceTTS        = "tts"
	SourceNative     = "native"
)

// Parser parses the body of a message received on topic. The Uplink's Raw
// field aliases body.
type Parser func(topic string, body []byte) (sensors.Uplink, error)

// Route picks the parser for a topic from its shape:
//
//	application/{appID}/device/{devEUI}/event/up  ChirpStack v4
//	v3/{app}[@{tenant}]/devices/{device}/up       The Things Stack v3
//	socle/devices/{deviceID}/up                   Socle native
//
// It reports false for any other topic (other ChirpStack events such as
// status or join included).
func Route(topic string) (Parser, bool) {
	source, ok := SourceOf(topic)
	if !ok {
		return nil, false
	}
	switch source {
	case SourceChirpStack:
		return ParseChirpStack, true
	case SourceTTS:
		return ParseTTS, true
	}
	return ParseNative, true
}

// SourceOf names the format a topic carries, as Route would parse it.
func SourceOf(topic string) (string, bool) {
	p := strings.Split(topic, "/")
	switch {
	case len(p) == 6 && p[0] == "application" && p[2] == "device" && p[4] == "event" && p[5] == "up":
		return SourceChirpStack, p[1] != "" && p[3] != ""
	case len(p) == 5 && p[0] == "v3" && p[2] == "devices" && p[4] == "up":
		return SourceTTS, p[1] != "" && p[3] != ""
	case len(p) == 4 && p[0] == "socle" && p[1] == "devices" && p[3] == "up":
		return SourceNative, p[2] != ""
	}
	return "", false
}

// NormalizeEUI returns a DevEUI as 16 lower-case hex digits. It accepts
// exactly 16 hex digits in either case and nothing else.
func NormalizeEUI(s string) (string, error) {
	if len(s) != 16 {
		return "", errs.E(errs.Invalid, "DevEUI %q is not 16 hex digits", clip(s))
	}
	if _, err := hex.DecodeString(s); err != nil {
		return "", errs.E(errs.Invalid, "DevEUI %q is not 16 hex digits", clip(s))
	}
	return strings.ToLower(s), nil
}

// checkSize refuses an empty or oversized body.
func checkSize(format string, body []byte) error {
	if len(body) > MaxBody {
		return errs.E(errs.TooLarge, "%s uplink: body of %d bytes exceeds the %d-byte limit", format, len(body), MaxBody)
	}
	if len(body) == 0 {
		return errs.E(errs.Invalid, "%s uplink: empty body", format)
	}
	return nil
}

// decodeJSON unmarshals body into v, with a message that names the format.
func decodeJSON(format string, body []byte, v any) error {
	if err := json.Unmarshal(body, v); err != nil {
		return errs.Wrap(errs.Invalid, err, "%s uplink: malformed JSON (%s)", format, jsonProblem(err))
	}
	return nil
}

// jsonProblem describes a JSON error without echoing the input.
func jsonProblem(err error) string {
	switch e := err.(type) {
	case *json.SyntaxError:
		return fmt.Sprintf("syntax error at byte %d", e.Offset)
	case *json.UnmarshalTypeError:
		if e.Field != "" {
			return fmt.Sprintf("%s: a %s cannot be a %s", e.Field, e.Value, e.Type)
		}
		return fmt.Sprintf("a %s cannot be a %s", e.Value, e.Type)
	}
	return "not a JSON object"
}

// parseTime parses an RFC 3339 time; "" is the zero time (meaning now).
func parseTime(format, field, s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, errs.Wrap(errs.Invalid, err, "%s uplink: %s %q is not an RFC 3339 time", format, field, clip(s))
	}
	return t.UTC(), nil
}

// decodePayload decodes a base64 FRMPayload; "" is no payload.
func decodePayload(format, field, s string) ([]byte, error) {
	if s == "" {
		return nil, nil
	}
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return nil, errs.Wrap(errs.Invalid, err, "%s uplink: %s is not base64", format, field)
	}
	return b, nil
}

// checkPort refuses an application port outside LoRaWAN's 0–255.
func checkPort(format, field string, port uint32) (int, error) {
	if port > 255 {
		return 0, errs.E(errs.Invalid, "%s uplink: %s %d is outside 0-255", format, field, port)
	}
	return int(port), nil
}

// fallbackKey is the deduplication key of a LoRaWAN uplink whose network
// server gave none: the frame counter alone is not unique (it restarts
// after a rejoin), so the time goes with it when there is one.
func fallbackKey(eui string, fcnt uint32, t time.Time) string {
	k := eui + ":" + strconv.FormatUint(uint64(fcnt), 10)
	if !t.IsZero() {
		k += ":" + t.Format(time.RFC3339Nano)
	}
	return k
}

// clip shortens s for an error message.
func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}
