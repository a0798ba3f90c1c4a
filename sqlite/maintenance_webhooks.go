package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

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
	res, err := db.write.ExecContext(ctx, `INSERT INTO webhooks (url, secret, events, created_at, created_by) VALUES (?, ?, ?, ?, ?)`,
		h.URL, h.Secret, string(events), fmtOrdered(h.CreatedAt), h.CreatedBy)
	if err != nil {
		return fmt.Errorf("create webhook: %w", err)
	}
	h.ID, err = res.LastInsertId()
	return err
}

// Webhooks lists the webhooks that are not deleted, by ID.
func (db *DB) Webhooks(ctx context.Context) ([]*maintenance.Webhook, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT id, url, secret, events, created_at, created_by FROM webhooks WHERE deleted = 0 ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("webhooks: %w", err)
	}
	defer rows.Close()
	var out []*maintenance.Webhook
	for rows.Next() {
		var h maintenance.Webhook
		var events, created string
		if err := rows.Scan(&h.ID, &h.URL, &h.Secret, &events, &created, &h.CreatedBy); err != nil {
			return nil, fmt.Errorf("webhooks: %w", err)
		}
		if err := json.Unmarshal([]byte(events), &h.Events); err != nil {
			return nil, fmt.Errorf("webhooks: %w", err)
		}
		h.CreatedAt = parseTime(created)
		out = append(out, &h)
	}
	return out, rows.Err()
}

// DeleteWebhook marks a webhook deleted (its log stays) and fails its
// pending deliveries. errs.NotFound.
func (db *DB) DeleteWebhook(ctx context.Context, id int64) error {
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE webhooks SET deleted = 1 WHERE id = ? AND deleted = 0`, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return errs.E(errs.NotFound, "webhook %d not found", id)
		}
		_, err = tx.ExecContext(ctx, `UPDATE webhook_deliveries SET status = 'failed', last_error = 'webhook deleted'
			WHERE webhook_id = ? AND status = 'pending'`, id)
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
	err = db.inTx(ctx, func(tx *sql.Tx) error {
		for _, h := range hooks {
			if !h.Wants(event) {
				continue
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO webhook_deliveries (webhook_id, event, body, status, next_at, created_at)
				VALUES (?, ?, ?, 'pending', ?, ?)`, h.ID, event, body, fmtOrdered(at), fmtOrdered(at)); err != nil {
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
		WHERE status = 'pending' AND next_at <= ? ORDER BY next_at, id LIMIT ?`, true, fmtOrdered(now), limit)
}

// Deliveries lists a webhook's deliveries, newest first. errs.NotFound.
func (db *DB) Deliveries(ctx context.Context, webhook int64, limit int) ([]*maintenance.Delivery, error) {
	var n int
	if err := db.read.QueryRowContext(ctx, `SELECT count(*) FROM webhooks WHERE id = ?`, webhook).Scan(&n); err != nil {
		return nil, fmt.Errorf("deliveries: %w", err)
	}
	if n == 0 {
		return nil, errs.E(errs.NotFound, "webhook %d not found", webhook)
	}
	return db.deliveries(ctx, `SELECT `+deliveryColumns+` FROM webhook_deliveries
		WHERE webhook_id = ? ORDER BY id DESC LIMIT ?`, false, webhook, limit)
}

func (db *DB) deliveries(ctx context.Context, q string, withBody bool, args ...any) ([]*maintenance.Delivery, error) {
	rows, err := db.read.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("deliveries: %w", err)
	}
	defer rows.Close()
	var out []*maintenance.Delivery
	for rows.Next() {
		var d maintenance.Delivery
		var next, created string
		var delivered sql.NullString
		dest := []any{&d.ID, &d.Webhook, &d.Event, &d.Status, &d.Attempts, &next, &d.LastCode, &d.LastError, &created, &delivered}
		if withBody {
			dest = append(dest, &d.Body)
		}
		if err := rows.Scan(dest...); err != nil {
			return nil, fmt.Errorf("deliveries: %w", err)
		}
		d.NextAt, d.CreatedAt, d.DeliveredAt = parseTime(next), parseTime(created), parseOptional(delivered)
		out = append(out, &d)
	}
	return out, rows.Err()
}

// RecordAttempt stores an attempt's outcome. errs.NotFound.
func (db *DB) RecordAttempt(ctx context.Context, id int64, a maintenance.Attempt) error {
	status, next, delivered := maintenance.DeliveryFailed, a.At, any(nil)
	switch {
	case a.OK:
		status, delivered = maintenance.DeliveryDelivered, fmtOrdered(a.At)
	case a.NextAt != nil:
		status, next = maintenance.DeliveryPending, *a.NextAt
	}
	res, err := db.write.ExecContext(ctx, `UPDATE webhook_deliveries SET status = ?, attempts = attempts + 1, next_at = ?,
		last_code = ?, last_error = ?, delivered_at = ? WHERE id = ? AND status = 'pending'`,
		status, fmtOrdered(next), a.Code, a.Error, delivered, id)
	if err != nil {
		return fmt.Errorf("record attempt %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return errs.E(errs.NotFound, "pending delivery %d not found", id)
	}
	return nil
}
