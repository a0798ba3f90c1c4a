package main

import (
	"context"
	"log/slog"

	"github.com/socle/socle/internal/app"
	"github.com/socle/socle/mqtt"
)

// startMQTT starts the MQTT ingestion o asks for: the embedded broker
// (--mqtt-listen), the subscription to an external broker (--mqtt-url),
// both or neither. It returns the function that stops them, uplinks in
// hand being stored and acknowledged first.
func startMQTT(ctx context.Context, a *app.App, o serveOptions, logger *slog.Logger) (func(), error) {
	stopBroker, err := startBroker(a, o, logger)
	if err != nil {
		return nil, err
	}
	stopSub, err := startSubscriber(ctx, a, o.mqtt, logger)
	if err != nil {
		stopBroker()
		return nil, err
	}
	return func() { stopSub(); stopBroker() }, nil
}

// startBroker runs the embedded broker when one is configured.
func startBroker(a *app.App, o serveOptions, logger *slog.Logger) (func(), error) {
	if o.broker == "" {
		return func() {}, nil
	}
	b, err := mqtt.NewBroker(mqtt.BrokerConfig{Listen: o.broker}, a, a, brokerAuth(a), logger)
	if err != nil {
		return nil, err
	}
	if err := b.Start(); err != nil {
		return nil, err
	}
	logger.Info("embedded MQTT broker ingesting uplinks", "addr", b.Addr())
	if o.onBroker != nil {
		o.onBroker(b.URL())
	}
	return func() {
		if err := b.Close(); err != nil {
			logger.Warn("mqtt broker close", "err", err)
		}
	}, nil
}

// brokerAuth lets in the broker's clients by API key: keys that may feed
// sensors publish, keys that may see them subscribe.
func brokerAuth(a *app.App) mqtt.AuthFunc {
	return func(ctx context.Context, password string) (mqtt.Rights, error) {
		p, err := a.Authenticate(ctx, password)
		if err != nil {
			return mqtt.Rights{}, err
		}
		return mqtt.Rights{Publish: app.CanFeedSensors(p), Subscribe: app.CanSeeDevices(p)}, nil
	}
}

// startSubscriber subscribes to the external broker, when one is
// configured, and returns the function that stops the subscriber.
func startSubscriber(ctx context.Context, a *app.App, cfg mqtt.Config, logger *slog.Logger) (func(), error) {
	if cfg.URL == "" {
		return func() {}, nil
	}
	sub, err := mqtt.New(cfg, a, a, logger)
	if err != nil {
		return nil, err
	}
	if err := sub.Start(context.WithoutCancel(ctx)); err != nil {
		return nil, err
	}
	logger.Info("taking sensor uplinks from MQTT", "broker", cfg.URL, "client_id", cfg.ClientID, "group", cfg.SharedGroup)
	return func() {
		if err := sub.Close(); err != nil {
			logger.Warn("mqtt close", "err", err)
		}
	}, nil
}
