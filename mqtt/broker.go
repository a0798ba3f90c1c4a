package mqtt

import (
	"context"
	"log/slog"
	"net"
	"sync"
	"time"

	mochi "github.com/mochi-mqtt/server/v2"
	"github.com/mochi-mqtt/server/v2/listeners"
	"github.com/mochi-mqtt/server/v2/packets"

	"github.com/socle/socle/internal/errs"
	"github.com/socle/socle/internal/sensors"
	"github.com/socle/socle/internal/sensors/lorawan"
)

// The embedded broker: `socle serve --mqtt-listen ADDR` runs an MQTT
// broker (mochi-mqtt) inside Socle, for a territory that has no broker of
// its own, and for the demo. Gateways and network servers publish their
// uplinks to it as they would to Mosquitto.
//
// An uplink published to the embedded broker is ingested before the broker
// answers: a QoS 1 PUBACK means the uplink is durably stored (or
// quarantined). A client's messages are stored concurrently and its
// PUBACKs sent in order (broker_acks.go). Should storage fail, an MQTT v5
// publisher gets a PUBACK with reason code 0x80 (unspecified error) and
// may publish again; an MQTT 3.1.1 publisher, which has no way to hear of
// a failure, gets no PUBACK and is disconnected, so that it resends the
// message from its session when it reconnects. The broker keeps nothing
// on disk: what it acknowledged is in Socle's store.
//
// Clients authenticate with a Socle API key as the password (any user
// name): keys that may feed sensors publish uplinks; keys that may see the
// devices may also subscribe to the uplink topics (a dashboard, a second
// consumer). Anonymous clients are refused.

// Authenticator resolves a broker client's password (a Socle API key) to
// what it may do. errs.Unauthorized for an unknown or revoked key.
type Authenticator interface {
	MQTTRights(ctx context.Context, password string) (Rights, error)
}

// Rights are what a broker client may do.
type Rights struct {
	Publish   bool // publish uplinks
	Subscribe bool // subscribe to uplink topics
}

// BrokerConfig configures the embedded broker.
type BrokerConfig struct {
	Listen     string        // TCP address, e.g. ":1883" or "127.0.0.1:0"
	MaxClients int           // connected clients at most; 10,000 by default
	MaxPacket  int           // bytes of a packet at most; lorawan.MaxBody plus room for the topic by default
	Timeout    time.Duration // bound of one ingestion; 30 s by default
}

// Broker is the embedded MQTT broker. It is a component: Start it once,
// Close it once.
type Broker struct {
	cfg    BrokerConfig
	srv    *mochi.Server
	tcp    *listeners.TCP
	log    *slog.Logger
	ctx    context.Context // done when Close begins: ingestions in hand are cancelled
	cancel context.CancelFunc
}

// NewBroker returns a broker that ingests uplinks through ing, quarantines
// what it cannot read through q, and lets in the clients auth accepts.
func NewBroker(cfg BrokerConfig, ing sensors.Ingester, q Quarantiner, auth Authenticator, log *slog.Logger) (*Broker, error) {
	if cfg.Listen == "" {
		return nil, errs.E(errs.Invalid, "mqtt: the embedded broker needs an address to listen on")
	}
	cfg.MaxClients = orDefault(cfg.MaxClients, 10000)
	cfg.MaxPacket = orDefault(cfg.MaxPacket, lorawan.MaxBody+4096)
	cfg.Timeout = orDefault(cfg.Timeout, 30*time.Second)
	if log == nil {
		log = slog.Default()
	}
	log = log.With("component", "mqtt-broker")
	caps := mochi.NewDefaultServerCapabilities()
	caps.MaximumClients = int64(cfg.MaxClients)
	caps.MaximumPacketSize = uint32(cfg.MaxPacket)
	caps.MaximumQos = 1 // QoS 2's exactly-once adds nothing: stored uplinks are deduplicated
	caps.RetainAvailable = 0
	caps.ReceiveMaximum = 256
	srv := mochi.New(&mochi.Options{Capabilities: caps, Logger: quietLogger(log), InlineClient: true})
	b := &Broker{cfg: cfg, srv: srv, log: log}
	b.ctx, b.cancel = context.WithCancel(context.Background())
	h := &brokerHook{b: b, ing: ing, q: q, auth: auth, slots: make(chan struct{}, maxBrokerInFlight)}
	if err := srv.AddHook(h, nil); err != nil {
		return nil, errs.Wrap(errs.Internal, err, "mqtt: broker hook")
	}
	return b, nil
}

// quietLogger keeps mochi's per-connection chatter at debug level.
func quietLogger(log *slog.Logger) *slog.Logger {
	return slog.New(levelShift{log.Handler()})
}

// levelShift lowers info records to debug: mochi logs every connection at
// info, which would drown a server's log.
type levelShift struct{ slog.Handler }

func (h levelShift) Enabled(ctx context.Context, l slog.Level) bool {
	if l == slog.LevelInfo {
		l = slog.LevelDebug
	}
	return h.Handler.Enabled(ctx, l)
}

func (h levelShift) Handle(ctx context.Context, r slog.Record) error {
	if r.Level == slog.LevelInfo {
		r.Level = slog.LevelDebug
	}
	return h.Handler.Handle(ctx, r)
}

func (h levelShift) WithAttrs(a []slog.Attr) slog.Handler { return levelShift{h.Handler.WithAttrs(a)} }
func (h levelShift) WithGroup(n string) slog.Handler      { return levelShift{h.Handler.WithGroup(n)} }

// Start listens and serves in the background.
func (b *Broker) Start() error {
	b.tcp = listeners.NewTCP(listeners.Config{ID: "tcp", Address: b.cfg.Listen})
	if err := b.srv.AddListener(b.tcp); err != nil {
		return errs.Wrap(errs.Invalid, err, "mqtt: cannot listen on %s", b.cfg.Listen)
	}
	if err := b.srv.Serve(); err != nil {
		return errs.Wrap(errs.Internal, err, "mqtt: broker")
	}
	b.log.Info("mqtt: embedded broker listening", "addr", b.Addr())
	return nil
}

// Addr is the address the broker listens on (the port chosen when Listen
// ended in ":0").
func (b *Broker) Addr() string {
	if b.tcp == nil {
		return b.cfg.Listen
	}
	return b.tcp.Address()
}

// URL is the broker's address as a client's broker URL.
func (b *Broker) URL() string {
	host, port, err := net.SplitHostPort(b.Addr())
	if err != nil {
		return "tcp://" + b.Addr()
	}
	if host == "" || host == "::" || host == "0.0.0.0" {
		host = "127.0.0.1"
	}
	return "tcp://" + net.JoinHostPort(host, port)
}

// Close disconnects every client and stops listening; ingestions in hand
// are cancelled, their messages left unacknowledged.
func (b *Broker) Close() error {
	b.cancel()
	return b.srv.Close()
}

// brokerHook is where the broker asks Socle: who may connect, publish or
// subscribe, and what to do with a publication.
type brokerHook struct {
	mochi.HookBase
	b      *Broker
	ing    sensors.Ingester
	q      Quarantiner
	auth   Authenticator
	rights sync.Map      // *mochi.Client → Rights
	queues sync.Map      // *mochi.Client → *ackQueue (broker_acks.go)
	slots  chan struct{} // a token per QoS 1 message in hand
}

func (h *brokerHook) ID() string { return "socle" }

func (h *brokerHook) Provides(b byte) bool {
	switch b {
	case mochi.OnConnectAuthenticate, mochi.OnACLCheck, mochi.OnPublish, mochi.OnDisconnect:
		return true
	}
	return false
}

// OnConnectAuthenticate accepts a client whose password is an API key
// with some right on the sensors.
func (h *brokerHook) OnConnectAuthenticate(cl *mochi.Client, pk packets.Packet) bool {
	if len(pk.Connect.Password) == 0 {
		return false
	}
	ctx, cancel := context.WithTimeout(h.b.ctx, 10*time.Second)
	defer cancel()
	r, err := h.auth.MQTTRights(ctx, string(pk.Connect.Password))
	if err != nil || !r.Publish && !r.Subscribe {
		h.b.log.Info("mqtt: connection refused", "client_id", cl.ID, "remote", cl.Net.Remote)
		return false
	}
	h.rights.Store(cl, r)
	return true
}

// OnACLCheck lets publishers publish to uplink topics only, and readers
// subscribe to them.
func (h *brokerHook) OnACLCheck(cl *mochi.Client, topic string, write bool) bool {
	v, ok := h.rights.Load(cl)
	if !ok {
		return false
	}
	r := v.(Rights)
	if write {
		_, uplink := lorawan.Route(topic)
		return r.Publish && uplink
	}
	return r.Subscribe && isUplinkFilter(topic)
}

// isUplinkFilter reports whether a subscription filter only reaches
// uplink topics: one of the default filters, or a topic they match.
func isUplinkFilter(filter string) bool {
	for _, f := range DefaultTopics() {
		if filter == f {
			return true
		}
	}
	_, ok := lorawan.Route(filter)
	return ok
}

func (h *brokerHook) OnDisconnect(cl *mochi.Client, _ error, _ bool) {
	h.rights.Delete(cl)
	h.queues.Delete(cl) // PUBACKs still due fail to write: the client resends
}

// maxBrokerInFlight bounds the QoS 1 messages in hand over all clients.
const maxBrokerInFlight = 4096

// OnPublish ingests an uplink before it is acknowledged: a QoS 1 message
// on a goroutine, its PUBACK written once stored (broker_acks.go); a QoS 0
// one (no acknowledgement) here. What Socle forwards to subscribers
// itself (inline) passes.
func (h *brokerHook) OnPublish(cl *mochi.Client, pk packets.Packet) (packets.Packet, error) {
	if cl.Net.Inline {
		return pk, nil
	}
	if pk.FixedHeader.Qos > 0 {
		h.ingestAsync(cl, pk)
		return pk, packets.ErrRejectPacket // answered later, in order
	}
	ctx, cancel := context.WithTimeout(h.b.ctx, h.b.cfg.Timeout)
	defer cancel()
	if err := deliver(ctx, h.ing, h.q, h.b.log, pk.TopicName, pk.Payload); err != nil {
		h.b.log.Warn("mqtt: QoS 0 uplink not stored", "topic", pk.TopicName, "client_id", cl.ID, "err", err)
		return pk, packets.ErrRejectPacket
	}
	return pk, nil
}

// AuthFunc adapts a function to an Authenticator.
type AuthFunc func(ctx context.Context, password string) (Rights, error)

// MQTTRights calls f.
func (f AuthFunc) MQTTRights(ctx context.Context, password string) (Rights, error) {
	return f(ctx, password)
}
