package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

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
	var created string
	err = db.write.QueryRowContext(ctx, `INSERT INTO devices (id, eui, domain, body, created_at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET eui = excluded.eui, domain = excluded.domain, body = excluded.body
		RETURNING created_at`, d.ID, nullIfEmpty(d.EUI), d.Domain, string(body), fmtOrdered(d.CreatedAt)).Scan(&created)
	if err != nil && strings.Contains(err.Error(), "UNIQUE") {
		return errs.E(errs.Conflict, "EUI %q belongs to another device", d.EUI)
	} else if err != nil {
		return fmt.Errorf("put device %s: %w", d.ID, err)
	}
	d.CreatedAt = parseTime(created)
	return nil
}

// nullIfEmpty stores an empty string as NULL, so that UNIQUE ignores it.
func nullIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
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
	d, err := scanDevice(db.read.QueryRowContext(ctx, `SELECT body, created_at FROM devices WHERE `+col+` = ?`, v))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errs.E(errs.NotFound, "device %q not found", v)
	} else if err != nil {
		return nil, fmt.Errorf("device %s: %w", v, err)
	}
	return d, nil
}

// Devices lists devices by ID, of one domain when domain != "".
func (db *DB) Devices(ctx context.Context, domain string) ([]*sensors.Device, error) {
	q, args := `SELECT body, created_at FROM devices ORDER BY id`, []any{}
	if domain != "" {
		q, args = `SELECT body, created_at FROM devices WHERE domain = ? ORDER BY id`, []any{domain}
	}
	rows, err := db.read.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("devices: %w", err)
	}
	defer rows.Close()
	var out []*sensors.Device
	for rows.Next() {
		d, err := scanDevice(rows)
		if err != nil {
			return nil, fmt.Errorf("devices: %w", err)
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// scanDevice reads body and created_at; the column, not the body, holds
// the creation time (a replace keeps it).
func scanDevice(s scanner) (*sensors.Device, error) {
	var body, created string
	if err := s.Scan(&body, &created); err != nil {
		return nil, err
	}
	var d sensors.Device
	if err := json.Unmarshal([]byte(body), &d); err != nil {
		return nil, err
	}
	d.CreatedAt = parseTime(created)
	return &d, nil
}

// AddQuarantine keeps unattributable data and sets its ID (and Received,
// when zero, to now).
func (db *DB) AddQuarantine(ctx context.Context, q *sensors.Quarantined) error {
	if q.Received.IsZero() {
		q.Received = time.Now().UTC()
	}
	res, err := db.write.ExecContext(ctx, `INSERT INTO quarantine (source, device_ref, reason, payload, received) VALUES (?, ?, ?, ?, ?)`,
		q.Source, q.DeviceRef, q.Reason, []byte(q.Payload), fmtOrdered(q.Received))
	if err != nil {
		return fmt.Errorf("add quarantine: %w", err)
	}
	q.ID, err = res.LastInsertId()
	return err
}

// QuarantineList returns the newest quarantined items (the latest inserted
// first among equal times), at most limit (all when negative).
func (db *DB) QuarantineList(ctx context.Context, limit int) ([]*sensors.Quarantined, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT id, source, device_ref, reason, payload, received FROM quarantine
		ORDER BY received DESC, id DESC LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("quarantine: %w", err)
	}
	defer rows.Close()
	var out []*sensors.Quarantined
	for rows.Next() {
		var q sensors.Quarantined
		var payload []byte
		var received string
		if err := rows.Scan(&q.ID, &q.Source, &q.DeviceRef, &q.Reason, &payload, &received); err != nil {
			return nil, fmt.Errorf("quarantine: %w", err)
		}
		q.Payload, q.Received = string(payload), parseTime(received)
		out = append(out, &q)
	}
	return out, rows.Err()
}
