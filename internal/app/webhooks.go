package app

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"strconv"

	"github.com/socle/socle/internal/auth"
	"github.com/socle/socle/internal/errs"
	"github.com/socle/socle/internal/maintenance"
)

// The signed webhooks' administration: admins register endpoints (the
// secret is generated here and shown once, in the answer to the creation;
// every listing masks it), list, delete them and read their delivery log.
// The deliveries themselves are webhooks_worker.go's.

// MaxWebhooks bounds the registered webhooks: each event is written once
// per webhook.
const MaxWebhooks = 100

// MaxDeliveryLog bounds a delivery log page.
const MaxDeliveryLog = 500

func webhookAdmin(p auth.Principal) error {
	if p.User == nil || !p.Is(auth.RoleAdmin) {
		return errs.E(errs.NotFound, "no such endpoint")
	}
	return nil
}

// CreateWebhook registers h (URL and events) and returns it with its
// secret, which is never shown again.
func (a *App) CreateWebhook(ctx context.Context, p auth.Principal, h *maintenance.Webhook) error {
	if err := webhookAdmin(p); err != nil {
		return err
	}
	if err := h.Validate(); err != nil {
		return err
	}
	list, err := a.Store.Webhooks(ctx)
	if err != nil {
		return err
	}
	if len(list) >= MaxWebhooks {
		return errs.E(errs.Conflict, "at most %d webhooks", MaxWebhooks)
	}
	secret := make([]byte, 32)
	rand.Read(secret)
	h.Secret = "whsec_" + hex.EncodeToString(secret)
	h.CreatedAt, h.CreatedBy = a.Now(), p.Login()
	if err := a.Store.CreateWebhook(ctx, h); err != nil {
		return err
	}
	return a.Audit(ctx, p, "webhook.create", webhookTarget(h.ID), 0, h.URL)
}

// Webhooks lists the webhooks, secrets masked.
func (a *App) Webhooks(ctx context.Context, p auth.Principal) ([]*maintenance.Webhook, error) {
	if err := webhookAdmin(p); err != nil {
		return nil, err
	}
	list, err := a.Store.Webhooks(ctx)
	for i, h := range list {
		list[i] = h.Masked()
	}
	return list, err
}

// DeleteWebhook removes a webhook; its pending deliveries are dropped.
func (a *App) DeleteWebhook(ctx context.Context, p auth.Principal, id int64) error {
	if err := webhookAdmin(p); err != nil {
		return err
	}
	if err := a.Store.DeleteWebhook(ctx, id); err != nil {
		return err
	}
	return a.Audit(ctx, p, "webhook.delete", webhookTarget(id), 0, "")
}

// WebhookDeliveries returns a webhook's delivery log, the newest first.
func (a *App) WebhookDeliveries(ctx context.Context, p auth.Principal, id int64, limit int) ([]*maintenance.Delivery, error) {
	if err := webhookAdmin(p); err != nil {
		return nil, err
	}
	if limit == 0 {
		limit = 100
	}
	if limit < 1 || limit > MaxDeliveryLog {
		return nil, errs.E(errs.Invalid, "limit must be between 1 and %d", MaxDeliveryLog)
	}
	return a.Store.Deliveries(ctx, id, limit)
}

func webhookTarget(id int64) string { return "webhook:" + strconv.FormatInt(id, 10) }
