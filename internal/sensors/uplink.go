package sensors

import (
	"context"
	"time"
)

// Uplink is one message from a device as a network server or a gateway
// delivers it, whatever its wire format (ChirpStack v4, The Things Stack
// v3, Socle's native JSON): who sent it, when, and its payload, decoded or
// raw. The Service turns it into observations of the device's properties.
type Uplink struct {
	Source   string         // "chirpstack", "tts", "native"
	DevEUI   string         // LoRaWAN DevEUI, 16 lower-case hex digits ("" for native)
	DeviceID string         // Socle device ID (native messages), or the network server's device name
	Key      string         // deduplication key: ChirpStack deduplicationId, else DevEUI:fCnt; "" when none
	Time     time.Time      // when the device sent it (gateway or network server time); zero = now
	FCnt     *uint32        // LoRaWAN frame counter
	FPort    int            // LoRaWAN application port
	Object   map[string]any // decoded payload (ChirpStack "object", TTS "decoded_payload", native "values")
	Payload  []byte         // raw application payload (FRMPayload), for per-model decoders
	Raw      []byte         // the whole message as received, kept when quarantined
}

// Ingester takes uplinks. A nil error means the uplink is durably stored or
// quarantined, so the caller may acknowledge it (MQTT QoS 1 PUBACK, HTTP
// 2xx); an error means nothing was kept and the sender should retry.
type Ingester interface {
	IngestUplink(ctx context.Context, u Uplink) error
}

// Decoder reads the values of a raw payload with the decoder of a device
// model. errs.NotFound when the model has no decoder; errs.Invalid when
// the decoder fails on this payload (the uplink is then quarantined).
type Decoder interface {
	Decode(ctx context.Context, model string, fPort int, payload []byte) (map[string]any, error)
}

// AppendResult is what AppendBatches did with one batch.
type AppendResult struct {
	Inserted int   // new rows
	Dup      bool  // a batch of this key was stored before (or earlier in the same call)
	Err      error // errs.Invalid for this batch alone (a NaN or infinite value): nothing of it written
}

// BatchAppender stores several batches in one transaction: a group
// commit, so that many small batches (one uplink each) cost one commit
// between them. Each batch keeps AppendBatch's semantics. An error means
// nothing was written; a batch refused alone is reported in its result
// and the others are stored.
type BatchAppender interface {
	AppendBatches(ctx context.Context, bs []Batch) ([]AppendResult, error)
}
