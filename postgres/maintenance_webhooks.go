package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/socle/socle/internal/errs"
	"github.com/socle/socle/internal/maintenance"
)

// CreateWebhook stores h and sets its ID.
func (db *DB) CreateWebhook(ctx context.Context, h *maintenance.Webhook) error {
	events, err := json.Marshal(h.Events)
	if err != nil {
		return fmt.Errorf("create webhook: %w", err)
	}
	if h.CreatedAt.IsZero() {
		h.CreatedAt = time.Now().UTC()
	}
	err = db.queryRow(ctx, `INSERT INTO webhooks (url, secret, events, created_at, created_by) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
		[]any{h.URL, h.Secret, string(events), h.CreatedAt, h.CreatedBy}, &h.ID)
	if err != nil {
		return fmt.Errorf("create webhook: %w", err)
	}
	return nil
}

// Webhooks lists the webhooks that are not deleted, by ID.
func (db *DB) Webhooks(ctx context.Context) ([]*maintenance.Webhook, error) {
	var out []*maintenance.Webhook
	err := db.query(ctx, `SELECT id, url, secret, events, created_at, created_by FROM webhooks WHERE NOT deleted ORDER BY id`, nil,
		func(rs pgx.Rows) error {
			var h maintenance.Webhook
			var events []byte
			if err := rs.Scan(&h.ID, &h.URL, &h.Secret, &events, &h.CreatedAt, &h.CreatedBy); err != nil {
				return err
			}
			h.CreatedAt = h.CreatedAt.UTC()
			out = append(out, &h)
			return json.Unmarshal(events, &h.Events)
		})
	if err != nil {
		return nil, fmt.Errorf("webhooks: %w", err)
	}
	return out, nil
}

// DeleteWebhook marks a webhook deleted (its log stays) and fails its
// pending deliveries. errs.NotFound.
func (db *DB) DeleteWebhook(ctx context.Context, id int64) error {
	err := db.inTx(ctx, pgx.TxOptions{}, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE webhooks SET deleted = true WHERE id = $1 AND NOT deleted`, id)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return errs.E(errs.NotFound, "webhook %d not found", id)
		}
		_, err = tx.Exec(ctx, `UPDATE webhook_deliveries SET status = 'failed', last_error = 'webhook deleted'
			WHERE webhook_id = $1 AND status = 'pending'`, id)
		return err
	})
	if err != nil {
		return fmt.Errorf("delete webhook %d: %w", id, err)
	}
	return nil
}

// EnqueueDelivery writes a pending delivery per interested webhook.
func (db *DB) EnqueueDelivery(ctx context.Context, event string, body []byte, at time.Time) (int, error) {
	hooks, err := db.Webhooks(ctx)
	if err != nil {
		return 0, err
	}
	n := 0
	err = db.inTx(ctx, pgx.TxOptions{}, func(tx pgx.Tx) error {
		for _, h := range hooks {
			if !h.Wants(event) {
				continue
			}
			if _, err := tx.Exec(ctx, `INSERT INTO webhook_deliveries (webhook_id, event, body, status, next_at, created_at)
				VALUES ($1, $2, $3, 'pending', $4, $4)`, h.ID, event, body, at); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("enqueue %s: %w", event, err)
	}
	return n, nil
}

const deliveryColumns = `id, webhook_id, event, status, attempts, next_at, last_code, last_error, created_at, delivered_at`

// DueDeliveries returns the pending deliveries due by now, oldest first.
func (db *DB) DueDeliveries(ctx context.Context, now time.Time, limit int) ([]*maintenance.Delivery, error) {
	return db.deliveries(ctx, `SELECT `+deliveryColumns+`, body FROM webhook_deliveries
		WHERE status = 'pending' AND next_at <= $1 ORDER BY next_at, id LIMIT $2`, true, now, sqlLimit(limit))
}

// Deliveries lists a webhook's deliveries, newest first. errs.NotFound.
func (db *DB) Deliveries(ctx context.Context, webhook int64, limit int) ([]*maintenance.Delivery, error) {
	var n int
	if err := db.queryRow(ctx, `SELECT count(*) FROM webhooks WHERE id = $1`, []any{webhook}, &n); err != nil {
		return nil, fmt.Errorf("deliveries: %w", err)
	}
	if n == 0 {
		return nil, errs.E(errs.NotFound, "webhook %d not found", webhook)
	}
	return db.deliveries(ctx, `SELECT `+deliveryColumns+` FROM webhook_deliveries
		WHERE webhook_id = $1 ORDER BY id DESC LIMIT $2`, false, webhook, sqlLimit(limit))
}

func (db *DB) deliveries(ctx context.Context, q string, withBody bool, args ...any) ([]*maintenance.Delivery, error) {
	var out []*maintenance.Delivery
	err := db.query(ctx, q, args, func(rs pgx.Rows) error {
		var d maintenance.Delivery
		dest := []any{&d.ID, &d.Webhook, &d.Event, &d.Status, &d.Attempts, &d.NextAt, &d.LastCode, &d.LastError, &d.CreatedAt, &d.DeliveredAt}
		if withBody {
			dest = append(dest, &d.Body)
		}
		if err := rs.Scan(dest...); err != nil {
			return err
		}
		d.NextAt, d.CreatedAt = d.NextAt.UTC(), d.CreatedAt.UTC()
		if d.DeliveredAt != nil {
			t := d.DeliveredAt.UTC()
			d.DeliveredAt = &t
		}
		out = append(out, &d)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("deliveries: %w", err)
	}
	return out, nil
}

// RecordAttempt stores an attempt's outcome. errs.NotFound.
func (db *DB) RecordAttempt(ctx context.Context, id int64, a maintenance.Attempt) error {
	status, next := maintenance.DeliveryFailed, a.At
	var delivered *time.Time
	switch {
	case a.OK:
		status, delivered = maintenance.DeliveryDelivered, &a.At
	case a.NextAt != nil:
		status, next = maintenance.DeliveryPending, *a.NextAt
	}
	n, err := db.execCount(ctx, `UPDATE webhook_deliveries SET status = $1, attempts = attempts + 1, next_at = $2,
		last_code = $3, last_error = $4, delivered_at = $5 WHERE id = $6 AND status = 'pending'`,
		status, next, a.Code, a.Error, delivered, id)
	if err != nil {
		return fmt.Errorf("record attempt %d: %w", id, err)
	}
	if n == 0 {
		return errs.E(errs.NotFound, "pending delivery %d not found", id)
	}
	return nil
}
