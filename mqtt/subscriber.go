package mqtt

import (
	"context"
	"errors"
	"log/slog"
	"net/url"
	"sync"
	"time"

	"github.com/eclipse/paho.golang/autopaho"
	"github.com/eclipse/paho.golang/paho"

	"github.com/socle/socle/internal/errs"
	"github.com/socle/socle/internal/sensors"
)

const (
	// ackInterval is how often paho sends the PUBACKs marked so far (in
	// order of receipt); Close waits a few of them before disconnecting.
	ackInterval = 20 * time.Millisecond
	// drainTimeout bounds how long Close lets messages in hand finish.
	drainTimeout = 10 * time.Second
	keepAlive    = 30 // seconds
)

// Subscriber receives uplinks from a broker and ingests them. It is a
// component: Start it once, Close it once.
type Subscriber struct {
	cfg Config
	url *url.URL
	ing sensors.Ingester
	q   Quarantiner
	log *slog.Logger

	slots      chan struct{}      // one token per message in hand: at most MaxInFlight
	stop       context.Context    // done when Close begins: take no more messages, stop retrying
	stopFn     context.CancelFunc //
	work       context.Context    // given to the Ingester and Quarantiner; done when Close gives up draining
	workFn     context.CancelFunc //
	subscribed chan struct{}      // closed after the first successful SUBSCRIBE
	subOnce    sync.Once

	mu      sync.Mutex // guards the fields below and orders wg.Add before wg.Wait
	started bool
	closed  bool
	cm      *autopaho.ConnectionManager
	wg      sync.WaitGroup // messages in hand
}

// New returns a Subscriber that hands uplinks to ing and unparseable
// messages to q. It refuses an invalid Config with errs.Invalid.
func New(cfg Config, ing sensors.Ingester, q Quarantiner, log *slog.Logger) (*Subscriber, error) {
	cfg, u, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	if log == nil {
		log = slog.Default()
	}
	s := &Subscriber{cfg: cfg, url: u, ing: ing, q: q, log: log.With("component", "mqtt", "client_id", cfg.ClientID),
		slots: make(chan struct{}, cfg.MaxInFlight), subscribed: make(chan struct{})}
	s.stop, s.stopFn = context.WithCancel(context.Background())
	s.work, s.workFn = context.WithCancel(context.Background())
	return s, nil
}

// Start begins connecting to the broker and returns; it does not wait for
// the broker, which is retried in the background with exponential backoff
// (from ReconnectMin to ReconnectMax) until Close, as is any lost
// connection. Subscriptions are made again on every connection.
func (s *Subscriber) Start(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.started || s.closed {
		return errs.E(errs.Conflict, "mqtt: subscriber already started or closed")
	}
	cm, err := autopaho.NewConnection(context.Background(), s.clientConfig())
	if err != nil {
		return errs.Wrap(errs.Internal, err, "mqtt: cannot start the connection to %s", s.url.Redacted())
	}
	s.started, s.cm = true, cm
	s.log.Info("mqtt: connecting", "url", s.url.Redacted(), "topics", s.cfg.filters())
	return nil
}

// AwaitSubscribed waits until the first subscription is in place.
func (s *Subscriber) AwaitSubscribed(ctx context.Context) error {
	select {
	case <-s.subscribed:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Close stops taking messages, lets those in hand finish (acknowledging
// the ones stored; those still failing stay with the broker), and
// disconnects, keeping the session on the broker for SessionExpiry.
func (s *Subscriber) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	cm := s.cm
	s.mu.Unlock()

	s.stopFn()
	drained := make(chan struct{})
	go func() { s.wg.Wait(); close(drained) }()
	select {
	case <-drained:
	case <-time.After(drainTimeout):
		s.log.Warn("mqtt: messages still in hand at close; the broker will resend them")
		s.workFn()
		<-drained
	}
	s.workFn()
	if cm == nil {
		return nil
	}
	time.Sleep(3 * ackInterval) // let paho send the last PUBACKs
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := cm.Disconnect(ctx); err != nil {
		return errs.Wrap(errs.Internal, err, "mqtt: disconnect")
	}
	return nil
}

// clientConfig is the autopaho configuration of s.
func (s *Subscriber) clientConfig() autopaho.ClientConfig {
	c := s.cfg
	initial := min(2*c.ReconnectMin, c.ReconnectMax)
	return autopaho.ClientConfig{
		ServerUrls:                    []*url.URL{s.url},
		KeepAlive:                     keepAlive,
		CleanStartOnInitialConnection: false, // a restarted node resumes its session and gets its unacknowledged messages
		SessionExpiryInterval:         c.sessionExpirySeconds(),
		ReconnectBackoff:              autopaho.NewExponentialBackoff(c.ReconnectMin, c.ReconnectMax, initial, 2),
		ConnectUsername:               c.Username,
		ConnectPassword:               []byte(c.Password),
		ConnectPacketBuilder:          s.connectPacket,
		OnConnectionUp:                s.onConnectionUp,
		OnConnectionDown: func() bool {
			s.log.Warn("mqtt: connection lost; reconnecting")
			return true
		},
		OnConnectError: func(err error) { s.log.Warn("mqtt: cannot connect", "err", err) },
		ClientConfig: paho.ClientConfig{
			ClientID:                   c.ClientID,
			OnPublishReceived:          []func(paho.PublishReceived) (bool, error){s.onPublish},
			EnableManualAcknowledgment: true,
			SendAcksInterval:           ackInterval,
			OnClientError:              func(err error) { s.log.Warn("mqtt: client error", "err", err) },
			OnServerDisconnect: func(d *paho.Disconnect) {
				s.log.Warn("mqtt: disconnected by the broker", "reason_code", d.ReasonCode)
			},
		},
	}
}

// connectPacket sets the Receive Maximum, so that the broker never sends
// more than MaxInFlight unacknowledged messages.
func (s *Subscriber) connectPacket(cp *paho.Connect, _ *url.URL) (*paho.Connect, error) {
	if cp.Properties == nil {
		cp.Properties = &paho.ConnectProperties{}
	}
	n := uint16(s.cfg.MaxInFlight)
	cp.Properties.ReceiveMaximum = &n
	return cp, nil
}

// onConnectionUp subscribes (again) on each connection. It must not block.
func (s *Subscriber) onConnectionUp(cm *autopaho.ConnectionManager, ca *paho.Connack) {
	s.log.Info("mqtt: connected", "session_present", ca.SessionPresent)
	go s.subscribe(cm)
}

// subscribe subscribes to the topic filters at QoS 1, retrying a few times
// while the connection is up.
func (s *Subscriber) subscribe(cm *autopaho.ConnectionManager) {
	sub := &paho.Subscribe{}
	for _, f := range s.cfg.filters() {
		// Retained messages are not sent on subscription: an uplink is an
		// event, and a retained copy of one is stale.
		sub.Subscriptions = append(sub.Subscriptions, paho.SubscribeOptions{Topic: f, QoS: 1, RetainHandling: 2})
	}
	pause := s.cfg.RetryPause
	for attempt := 1; attempt <= 5; attempt++ {
		ctx, cancel := context.WithTimeout(s.stop, 30*time.Second)
		suback, err := cm.Subscribe(ctx, sub)
		cancel()
		switch {
		case err == nil:
			s.log.Info("mqtt: subscribed", "topics", s.cfg.filters())
			s.subOnce.Do(func() { close(s.subscribed) })
			return
		case suback != nil: // the broker refused: retrying will not help
			s.log.Error("mqtt: subscription refused", "topics", s.cfg.filters(), "reason_codes", suback.Reasons, "err", err)
			return
		case errors.Is(err, autopaho.ConnectionDownError) || s.stop.Err() != nil:
			return // the next connection subscribes again
		}
		s.log.Warn("mqtt: subscription failed", "attempt", attempt, "err", err)
		select {
		case <-time.After(pause):
		case <-s.stop.Done():
			return
		}
		pause = min(2*pause, maxRetryPause)
	}
}

// onPublish takes a message in hand, waiting for a free slot when
// MaxInFlight are already (which holds paho's reader: backpressure), and
// processes it on its own goroutine.
func (s *Subscriber) onPublish(pr paho.PublishReceived) (bool, error) {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return true, nil // not acknowledged: the broker resends it to the next session
	}
	s.wg.Add(1)
	s.mu.Unlock()
	select {
	case s.slots <- struct{}{}:
	case <-s.stop.Done():
		s.wg.Done()
		return true, nil
	}
	go func() {
		defer s.wg.Done()
		defer func() { <-s.slots }()
		s.handle(pr.Client, pr.Packet)
	}()
	return true, nil
}

// handle ingests (or quarantines) one message, retrying while the
// connection is up, and acknowledges it once kept.
func (s *Subscriber) handle(cli *paho.Client, p *paho.Publish) {
	if s.retry(cli, p, "ingest", func(ctx context.Context) error {
		return deliver(ctx, s.ing, s.q, s.log, p.Topic, p.Payload)
	}) {
		s.ack(cli, p)
	}
}

// retry calls fn until it returns nil, pausing between attempts (from
// RetryPause, doubling up to 30 s). It gives up, reporting false, when
// Close begins or when the connection p came on is lost: the broker then
// resends p on the next connection to the session.
func (s *Subscriber) retry(cli *paho.Client, p *paho.Publish, op string, fn func(context.Context) error) bool {
	pause := s.cfg.RetryPause
	for attempt := 1; ; attempt++ {
		err := fn(s.work)
		if err == nil {
			return true
		}
		s.log.Warn("mqtt: "+op+" failed; message kept unacknowledged", "topic", p.Topic, "attempt", attempt, "retry_in", pause, "err", err)
		select {
		case <-time.After(pause):
		case <-s.stop.Done():
			return false
		case <-cli.Done():
			s.log.Info("mqtt: connection lost; the broker will resend the message", "topic", p.Topic)
			return false
		}
		pause = min(2*pause, maxRetryPause)
	}
}

// ack marks p acknowledged; paho sends the PUBACK once every message
// received before p is acknowledged too.
func (s *Subscriber) ack(cli *paho.Client, p *paho.Publish) {
	select {
	case <-cli.Done():
		s.log.Debug("mqtt: acknowledgement not sent: connection lost; the broker resends the message", "topic", p.Topic)
		return
	default:
	}
	if err := cli.Ack(p); err != nil {
		// The connection p came on is gone; the broker resends p.
		s.log.Debug("mqtt: acknowledgement not sent", "topic", p.Topic, "err", err)
	}
}
