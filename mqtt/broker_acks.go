package mqtt

import (
	"context"
	"sync"

	mochi "github.com/mochi-mqtt/server/v2"
	"github.com/mochi-mqtt/server/v2/packets"

	"github.com/socle/socle/internal/errs"
)

// QoS 1 publications to the embedded broker are ingested concurrently, so
// that one publisher with many messages in flight (a network server's
// single connection) has them stored in shared commits (group commit)
// instead of one after the other. The broker's own path would answer each
// PUBLISH before reading the next; instead the hook takes the message (no
// answer yet), stores it on a goroutine, and a client's PUBACKs are then
// written in the order its PUBLISHes came (MQTT §4.6), each once its
// message — and every message before it — is stored.

// ackQueue orders one client's PUBACKs.
type ackQueue struct {
	mu      sync.Mutex
	pending []*pendingAck
}

type pendingAck struct {
	id   uint16
	done bool
	err  error
}

// queueFor returns cl's queue.
func (h *brokerHook) queueFor(cl *mochi.Client) *ackQueue {
	q, _ := h.queues.LoadOrStore(cl, &ackQueue{})
	return q.(*ackQueue)
}

// ingestAsync takes a QoS 1 uplink in hand: it returns at once, the
// message is stored on a goroutine, and acknowledged in order. At most
// maxInFlight messages are in hand over all clients: beyond, the client's
// reader waits (backpressure up to the TCP connection).
func (h *brokerHook) ingestAsync(cl *mochi.Client, pk packets.Packet) {
	q := h.queueFor(cl)
	p := &pendingAck{id: pk.PacketID}
	q.mu.Lock()
	q.pending = append(q.pending, p)
	q.mu.Unlock()
	h.slots <- struct{}{}
	go func() {
		defer func() { <-h.slots }()
		ctx, cancel := context.WithTimeout(h.b.ctx, h.b.cfg.Timeout)
		err := deliver(ctx, h.ing, h.q, h.b.log, pk.TopicName, pk.Payload)
		cancel()
		q.mu.Lock()
		p.done, p.err = true, err
		q.mu.Unlock()
		h.flush(cl, q)
		if err == nil && h.b.srv != nil {
			h.forward(pk)
		}
	}()
}

// flush writes the PUBACKs of the stored messages at the head of q.
func (h *brokerHook) flush(cl *mochi.Client, q *ackQueue) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for len(q.pending) > 0 && q.pending[0].done {
		p := q.pending[0]
		q.pending = q.pending[1:]
		h.ack(cl, p)
	}
}

// ack answers one message: success, or for a failure a PUBACK with reason
// 0x80 (MQTT v5) or, MQTT 3.1.1 having none, the end of the connection so
// that the client resends it from its session.
func (h *brokerHook) ack(cl *mochi.Client, p *pendingAck) {
	code := packets.CodeSuccess
	if p.err != nil {
		h.b.log.Warn("mqtt: uplink not stored; not acknowledged", "client_id", cl.ID, "err", p.err)
		if cl.Properties.ProtocolVersion != 5 {
			cl.Stop(errs.E(errs.Unavailable, "uplink not stored"))
			return
		}
		code = packets.ErrUnspecifiedError
	}
	ack := packets.Packet{FixedHeader: packets.FixedHeader{Type: packets.Puback}, PacketID: p.id, ReasonCode: code.Code}
	if p.err != nil {
		ack.Properties.ReasonString = code.Reason
	}
	if err := cl.WritePacket(ack); err != nil {
		h.b.log.Debug("mqtt: PUBACK not sent; the client resends", "client_id", cl.ID, "err", err)
	}
}

// forward gives a stored uplink to the broker's subscribers (dashboards,
// other consumers), as the broker would have.
func (h *brokerHook) forward(pk packets.Packet) {
	if err := h.b.srv.Publish(pk.TopicName, pk.Payload, false, 1); err != nil {
		h.b.log.Debug("mqtt: uplink not forwarded to subscribers", "topic", pk.TopicName, "err", err)
	}
}
