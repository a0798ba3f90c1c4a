package mqtt

import (
	"context"
	"log/slog"

	"github.com/socle/socle/internal/errs"
	"github.com/socle/socle/internal/sensors"
	"github.com/socle/socle/internal/sensors/lorawan"
)

// deliver routes, parses and ingests one message, whichever way it came
// (from an external broker to the Subscriber, or published to the embedded
// Broker). A message Socle cannot read, or that the Ingester refuses as
// errs.Invalid or errs.TooLarge (which no retry would change), goes to the
// Quarantiner. A nil error means the message is durably kept, stored or
// quarantined, and may be acknowledged; any other error means nothing was
// kept.
func deliver(ctx context.Context, ing sensors.Ingester, q Quarantiner, log *slog.Logger, topic string, payload []byte) error {
	parse, ok := lorawan.Route(topic)
	if !ok {
		return keepAside(ctx, q, log, "mqtt", topic, payload, "topic is not an uplink topic Socle knows")
	}
	format, _ := lorawan.SourceOf(topic)
	source := "mqtt:" + format
	u, err := parse(topic, payload)
	if err != nil {
		return keepAside(ctx, q, log, source, topic, payload, errs.Message(err))
	}
	err = ing.IngestUplink(ctx, u)
	if k := errs.KindOf(err); err != nil && (k == errs.Invalid || k == errs.TooLarge) {
		return keepAside(ctx, q, log, source, topic, payload, errs.Message(err))
	}
	if err == nil {
		log.Debug("mqtt: uplink ingested", "topic", topic, "dev_eui", u.DevEUI, "device_id", u.DeviceID, "key", u.Key)
	}
	return err
}

// keepAside hands a message to the Quarantiner, truncated to the largest
// body Socle reads.
func keepAside(ctx context.Context, q Quarantiner, log *slog.Logger, source, topic string, raw []byte, reason string) error {
	log.Info("mqtt: message quarantined", "topic", topic, "source", source, "reason", reason)
	if len(raw) > lorawan.MaxBody {
		raw = raw[:lorawan.MaxBody]
	}
	return q.QuarantineRaw(ctx, source, topic, raw, reason)
}
