package maintenance

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/socle/socle/internal/errs"
)

// Webhook events. A subscription's filter lists some of them, or
// "workorder.*" for every work order event.
const (
	EventAlertOpened      = "alert.opened"
	EventAlertUpdated     = "alert.updated"
	EventAlertResolved    = "alert.resolved"
	EventWorkOrderCreated = "workorder.created"
	EventWorkOrderUpdated = "workorder.updated"
	EventWorkOrderAll     = "workorder.*"
)

// WebhookEvents lists what a subscription's filter may hold.
var WebhookEvents = []string{EventAlertOpened, EventAlertUpdated, EventAlertResolved,
	EventWorkOrderCreated, EventWorkOrderUpdated, EventWorkOrderAll}

// Delivery statuses.
const (
	DeliveryPending   = "pending"
	DeliveryDelivered = "delivered"
	DeliveryFailed    = "failed" // every attempt failed, or the webhook was deleted
)

// MaxWebhookURL bounds a webhook's URL.
const MaxWebhookURL = 2000

// Webhook is an endpoint that receives signed events.
type Webhook struct {
	ID        int64     `json:"id"`
	URL       string    `json:"url"`
	Secret    string    `json:"secret,omitempty"` // shown once at creation, masked in listings
	Events    []string  `json:"events"`
	CreatedAt time.Time `json:"created_at"`
	CreatedBy string    `json:"created_by"`
}

// Validate checks the URL (absolute http or https, with a host) and the
// event filter (at least one known event). errs.Invalid.
func (h *Webhook) Validate() error {
	h.URL = strings.TrimSpace(h.URL)
	u, err := url.Parse(h.URL)
	switch {
	case len(h.URL) > MaxWebhookURL:
		return errs.E(errs.Invalid, "a webhook URL is at most %d bytes", MaxWebhookURL)
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil:
		return errs.E(errs.Invalid, "a webhook URL is an absolute http or https URL without credentials")
	case len(h.Events) == 0:
		return errs.E(errs.Invalid, "a webhook needs at least one event")
	}
	for _, e := range h.Events {
		if !slices.Contains(WebhookEvents, e) {
			return errs.E(errs.Invalid, "unknown webhook event %q (expected %s)", e, strings.Join(WebhookEvents, ", "))
		}
	}
	return nil
}

// Wants reports whether h subscribes to event.
func (h *Webhook) Wants(event string) bool {
	if slices.Contains(h.Events, event) {
		return true
	}
	return strings.HasPrefix(event, "workorder.") && slices.Contains(h.Events, EventWorkOrderAll)
}

// Masked returns a copy of h whose secret shows only its last 4
// characters.
func (h Webhook) Masked() *Webhook {
	if n := len(h.Secret); n > 4 {
		h.Secret = "…" + h.Secret[n-4:]
	}
	return &h
}

// Delivery is one event for one webhook, written to the outbox before
// any attempt so that a restart loses nothing.
type Delivery struct {
	ID          int64           `json:"id"`
	Webhook     int64           `json:"webhook"`
	Event       string          `json:"event"`
	Body        json.RawMessage `json:"-"`
	Status      string          `json:"status"`
	Attempts    int             `json:"attempts"`
	NextAt      time.Time       `json:"next_at"`
	LastCode    int             `json:"last_code,omitempty"` // the last HTTP status received
	LastError   string          `json:"last_error,omitempty"`
	CreatedAt   time.Time       `json:"created_at"`
	DeliveredAt *time.Time      `json:"delivered_at,omitempty"`
}

// Attempt is the outcome of one delivery attempt.
type Attempt struct {
	At     time.Time
	Code   int    // HTTP status, 0 when none came back
	Error  string // short, for the delivery log
	OK     bool
	NextAt *time.Time // nil: no retry, the delivery failed for good
}

// WebhookStore persists webhooks and their deliveries.
type WebhookStore interface {
	// CreateWebhook stores h and sets its ID.
	CreateWebhook(ctx context.Context, h *Webhook) error
	// Webhooks lists the webhooks by ID, secrets included.
	Webhooks(ctx context.Context) ([]*Webhook, error)
	// DeleteWebhook removes a webhook; its pending deliveries fail.
	// errs.NotFound.
	DeleteWebhook(ctx context.Context, id int64) error
	// EnqueueDelivery writes a pending delivery for every webhook that
	// wants event, in one transaction, and returns how many.
	EnqueueDelivery(ctx context.Context, event string, body []byte, at time.Time) (int, error)
	// DueDeliveries returns pending deliveries whose NextAt ≤ now, the
	// oldest first, at most limit, with their bodies.
	DueDeliveries(ctx context.Context, now time.Time, limit int) ([]*Delivery, error)
	// RecordAttempt stores an attempt's outcome: delivered, failed, or
	// still pending until a.NextAt. errs.NotFound.
	RecordAttempt(ctx context.Context, id int64, a Attempt) error
	// Deliveries lists a webhook's deliveries, the newest first, at most
	// limit, without bodies. errs.NotFound for an unknown webhook.
	Deliveries(ctx context.Context, webhook int64, limit int) ([]*Delivery, error)
}

// Signature returns the value of the X-Socle-Signature header of a
// delivery: "sha256=" and the hex HMAC-SHA256, keyed by the webhook's
// secret, of the timestamp (X-Socle-Timestamp, Unix seconds), a '.', and
// the body as sent.
func Signature(secret, timestamp string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(timestamp))
	mac.Write([]byte{'.'})
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}
