package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/socle/socle/internal/errs"
	"github.com/socle/socle/internal/sensors"
)

// PutDevice inserts or replaces a device, keeping the stored creation time
// on replace and setting d.CreatedAt to it. errs.Conflict when d's EUI
// belongs to another device.
func (db *DB) PutDevice(ctx context.Context, d *sensors.Device) error {
	if d.CreatedAt.IsZero() {
		d.CreatedAt = time.Now().UTC()
	}
	body, err := json.Marshal(d)
	if err != nil {
		return fmt.Errorf("put device %s: %w", d.ID, err)
	}
	var eui any
	if d.EUI != "" {
		eui = d.EUI // NULL otherwise, which UNIQUE ignores
	}
	err = db.queryRow(ctx, `INSERT INTO devices (id, eui, domain, body, created_at) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (id) DO UPDATE SET eui = excluded.eui, domain = excluded.domain, body = excluded.body
		RETURNING created_at`, []any{d.ID, eui, d.Domain, string(body), d.CreatedAt}, &d.CreatedAt)
	if isUniqueViolation(err) {
		return errs.E(errs.Conflict, "EUI %q belongs to another device", d.EUI)
	} else if err != nil {
		return fmt.Errorf("put device %s: %w", d.ID, err)
	}
	d.CreatedAt = d.CreatedAt.UTC()
	return nil
}

// Device returns a device by ID. errs.NotFound.
func (db *DB) Device(ctx context.Context, id string) (*sensors.Device, error) {
	return db.device(ctx, "id", id)
}

// DeviceByEUI returns a device by DevEUI. errs.NotFound.
func (db *DB) DeviceByEUI(ctx context.Context, eui string) (*sensors.Device, error) {
	return db.device(ctx, "eui", eui)
}

// device returns the device whose column col (id or eui) is v.
func (db *DB) device(ctx context.Context, col, v string) (*sensors.Device, error) {
	var body []byte
	var created time.Time
	err := db.queryRow(ctx, `SELECT body, created_at FROM devices WHERE `+col+` = $1`, []any{v}, &body, &created)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, errs.E(errs.NotFound, "device %q not found", v)
	} else if err != nil {
		return nil, fmt.Errorf("device %s: %w", v, err)
	}
	return decodeDevice(body, created)
}

// Devices lists devices by ID, of one domain when domain != "".
func (db *DB) Devices(ctx context.Context, domain string) ([]*sensors.Device, error) {
	q, args := `SELECT body, created_at FROM devices ORDER BY id`, []any{}
	if domain != "" {
		q, args = `SELECT body, created_at FROM devices WHERE domain = $1 ORDER BY id`, []any{domain}
	}
	var out []*sensors.Device
	err := db.query(ctx, q, args, func(r pgx.Rows) error {
		var body []byte
		var created time.Time
		if err := r.Scan(&body, &created); err != nil {
			return err
		}
		d, err := decodeDevice(body, created)
		out = append(out, d)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("devices: %w", err)
	}
	return out, nil
}

// decodeDevice reads a device's body; the column, not the body, holds the
// creation time (a replace keeps it).
func decodeDevice(body []byte, created time.Time) (*sensors.Device, error) {
	var d sensors.Device
	if err := json.Unmarshal(body, &d); err != nil {
		return nil, err
	}
	d.CreatedAt = created.UTC()
	return &d, nil
}

// AddQuarantine keeps unattributable data and sets its ID (and Received,
// when zero, to now).
func (db *DB) AddQuarantine(ctx context.Context, q *sensors.Quarantined) error {
	if q.Received.IsZero() {
		q.Received = time.Now().UTC()
	}
	err := db.queryRow(ctx, `INSERT INTO quarantine (source, device_ref, reason, payload, received) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
		[]any{q.Source, q.DeviceRef, q.Reason, []byte(q.Payload), q.Received}, &q.ID)
	if err != nil {
		return fmt.Errorf("add quarantine: %w", err)
	}
	return nil
}

// QuarantineList returns the newest quarantined items (the latest inserted
// first among equal times), at most limit (all when negative).
func (db *DB) QuarantineList(ctx context.Context, limit int) ([]*sensors.Quarantined, error) {
	var out []*sensors.Quarantined
	err := db.query(ctx, `SELECT id, source, device_ref, reason, payload, received FROM quarantine
		ORDER BY received DESC, id DESC LIMIT $1`, []any{sqlLimit(limit)}, func(r pgx.Rows) error {
		var q sensors.Quarantined
		var payload []byte
		if err := r.Scan(&q.ID, &q.Source, &q.DeviceRef, &q.Reason, &payload, &q.Received); err != nil {
			return err
		}
		q.Payload, q.Received = string(payload), q.Received.UTC()
		out = append(out, &q)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("quarantine: %w", err)
	}
	return out, nil
}

// sqlLimit is a LIMIT argument: NULL (no limit, as in SQLite) when negative.
func sqlLimit(limit int) any {
	if limit < 0 {
		return nil
	}
	return limit
}
