// Package mqtt receives sensor uplinks from an MQTT v5 broker (Mosquitto,
// EMQX, the broker of a ChirpStack or The Things Stack installation) and
// hands them to a sensors.Ingester.
//
// A Subscriber subscribes at QoS 1 with manual acknowledgement. Each
// message is routed by its topic (lorawan.Route), parsed, and given to
// Ingester.IngestUplink; it is acknowledged (PUBACK) only once that
// returned nil, that is once the uplink is durably stored or quarantined.
// A message that cannot be parsed (or that the Ingester refuses as
// errs.Invalid or errs.TooLarge, which no retry would change) goes to the
// Quarantiner instead, and is acknowledged once that returned nil.
//
// # When the database is down
//
// When IngestUplink (or QuarantineRaw) fails otherwise, the message is not
// acknowledged. The Subscriber keeps it and calls again after RetryPause,
// doubling the pause up to 30 s, for as long as the connection it came on
// is up. It does not wait for the broker to send it again, because an MQTT
// v5 broker resends an unacknowledged message only when the client
// reconnects to its session (MQTT v5.0 §4.4), never on the same
// connection. Meanwhile:
//
//   - The broker sends at most MaxInFlight unacknowledged messages (the
//     CONNECT packet's Receive Maximum), and PUBACKs leave in the order the
//     messages came (paho's rule, from MQTT §4.6), so a stuck message holds
//     back those after it: the Subscriber stops taking new messages and
//     the broker queues them in the session (Mosquitto bounds that queue by
//     max_queued_messages, 1000 by default; beyond it new messages are
//     dropped, so size it for the outages to ride out).
//   - If the connection drops, or Socle stops or crashes, the broker keeps
//     the session (the Subscriber connects with Clean Start false and a
//     Session Expiry Interval of SessionExpiry) and, when a Subscriber with
//     the same ClientID connects again within that time, resends every
//     unacknowledged message (DUP flag set), then the queued ones. The
//     retries on the old connection stop as soon as it is gone.
//
// Delivery is thus at least once: an uplink stored whose PUBACK was lost
// comes again, and its deduplication key (sensors.Uplink.Key) makes the
// second ingestion a no-op. A native message without a key is stored once
// all the same if it carries a time (the store ignores an observation of
// the same device, property and time), and may be stored twice otherwise.
//
// # Several Socle nodes
//
// With SharedGroup set, each Subscriber subscribes to $share/{group}/{topic}
// (MQTT v5 shared subscriptions): the broker gives each message to one
// member of the group. Every node needs its own ClientID.
package mqtt

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/socle/socle/internal/errs"
)

// Quarantiner keeps a message that cannot be attributed to a device, for a
// steward to look at. A nil error means it is durably kept.
type Quarantiner interface {
	// QuarantineRaw keeps raw, received on topic, with the reason it could
	// not be ingested. source is "mqtt:chirpstack", "mqtt:tts",
	// "mqtt:native", or "mqtt" for a topic of no known shape.
	QuarantineRaw(ctx context.Context, source, topic string, raw []byte, reason string) error
}

// DefaultTopics are the uplink topics of ChirpStack v4, The Things Stack v3
// and Socle's native devices.
func DefaultTopics() []string {
	return []string{"application/+/device/+/event/up", "v3/+/devices/+/up", "socle/devices/+/up"}
}

// Defaults of Config.
const (
	DefaultMaxInFlight   = 256
	DefaultSessionExpiry = 24 * time.Hour
	DefaultRetryPause    = time.Second
	DefaultReconnectMin  = time.Second
	DefaultReconnectMax  = 2 * time.Minute
	maxRetryPause        = 30 * time.Second
)

// Config configures a Subscriber. Zero values take the defaults.
type Config struct {
	URL         string   // tcp://host:port (also mqtt://, and tls://, ssl://, mqtts:// for TLS)
	ClientID    string   // required: stable, so that a restarted node finds its session; unique per node
	Topics      []string // topic filters; DefaultTopics when empty
	SharedGroup string   // when set, subscribe as $share/{SharedGroup}/{topic}
	Username    string
	Password    string

	MaxInFlight   int           // messages received and not yet acknowledged, at most; 256 by default, 65535 at most
	SessionExpiry time.Duration // how long the broker keeps the session (and its messages) while disconnected; 24 h by default
	RetryPause    time.Duration // first pause before retrying a failed ingestion; 1 s by default, doubling up to 30 s
	ReconnectMin  time.Duration // reconnection backoff bounds: 1 s and 2 min by default
	ReconnectMax  time.Duration
}

// withDefaults validates c and fills in its defaults.
func (c Config) withDefaults() (Config, *url.URL, error) {
	u, err := url.Parse(c.URL)
	if err != nil || u.Host == "" {
		return c, nil, errs.E(errs.Invalid, "mqtt: broker URL %q is not of the form tcp://host:port", c.URL)
	}
	switch u.Scheme {
	case "tcp", "mqtt", "tls", "ssl", "mqtts", "ws", "wss":
	default:
		return c, nil, errs.E(errs.Invalid, "mqtt: broker URL scheme %q is not supported (tcp, mqtt, tls, ssl, mqtts, ws, wss)", u.Scheme)
	}
	if c.ClientID == "" {
		return c, nil, errs.E(errs.Invalid, "mqtt: a client ID is required (the broker keeps unacknowledged messages in its session)")
	}
	if strings.ContainsAny(c.SharedGroup, "/+#") {
		return c, nil, errs.E(errs.Invalid, "mqtt: shared group %q must not contain /, + or #", c.SharedGroup)
	}
	if len(c.Topics) == 0 {
		c.Topics = DefaultTopics()
	}
	for _, t := range c.Topics {
		if t == "" || strings.HasPrefix(t, "$share/") {
			return c, nil, errs.E(errs.Invalid, "mqtt: topic filter %q is empty or shared (set SharedGroup instead)", t)
		}
	}
	c.MaxInFlight = orDefault(c.MaxInFlight, DefaultMaxInFlight)
	if c.MaxInFlight > 65535 {
		return c, nil, errs.E(errs.Invalid, "mqtt: at most 65535 messages in flight, not %d", c.MaxInFlight)
	}
	c.SessionExpiry = orDefault(c.SessionExpiry, DefaultSessionExpiry)
	c.RetryPause = orDefault(c.RetryPause, DefaultRetryPause)
	c.ReconnectMin = orDefault(c.ReconnectMin, DefaultReconnectMin)
	c.ReconnectMax = orDefault(c.ReconnectMax, DefaultReconnectMax)
	if c.ReconnectMax <= c.ReconnectMin || c.ReconnectMin < time.Millisecond {
		return c, nil, errs.E(errs.Invalid, "mqtt: reconnection backoff bounds %s, %s are not increasing", c.ReconnectMin, c.ReconnectMax)
	}
	return c, u, nil
}

// filters returns the topic filters to subscribe to.
func (c Config) filters() []string {
	if c.SharedGroup == "" {
		return c.Topics
	}
	f := make([]string, len(c.Topics))
	for i, t := range c.Topics {
		f[i] = fmt.Sprintf("$share/%s/%s", c.SharedGroup, t)
	}
	return f
}

// sessionExpirySeconds is SessionExpiry in the CONNECT packet's unit.
func (c Config) sessionExpirySeconds() uint32 {
	s := c.SessionExpiry / time.Second
	if s > 0xFFFFFFFE { // 0xFFFFFFFF means "never expires"
		s = 0xFFFFFFFE
	}
	return max(uint32(s), 1)
}

func orDefault[T int | time.Duration](v, def T) T {
	if v <= 0 {
		return def
	}
	return v
}
