package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/socle/socle/internal/alerts"
	"github.com/socle/socle/internal/errs"
)

// PutRule inserts or replaces a rule.
func (db *DB) PutRule(ctx context.Context, r *alerts.Rule) error {
	body, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("put rule %s: %w", r.ID, err)
	}
	_, err = db.write.ExecContext(ctx, `INSERT INTO alert_rules (id, body, updated_at) VALUES (?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at`,
		r.ID, string(body), fmtOrdered(time.Now()))
	if err != nil {
		return fmt.Errorf("put rule %s: %w", r.ID, err)
	}
	return nil
}

// Rule returns a rule by ID. errs.NotFound.
func (db *DB) Rule(ctx context.Context, id string) (*alerts.Rule, error) {
	var body string
	err := db.read.QueryRowContext(ctx, `SELECT body FROM alert_rules WHERE id = ?`, id).Scan(&body)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errs.E(errs.NotFound, "rule %q not found", id)
	} else if err != nil {
		return nil, fmt.Errorf("rule %s: %w", id, err)
	}
	var r alerts.Rule
	return &r, json.Unmarshal([]byte(body), &r)
}

// Rules lists the rules by ID.
func (db *DB) Rules(ctx context.Context) ([]*alerts.Rule, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT body FROM alert_rules ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("rules: %w", err)
	}
	defer rows.Close()
	var out []*alerts.Rule
	for rows.Next() {
		var body string
		var r alerts.Rule
		if err := rows.Scan(&body); err != nil {
			return nil, fmt.Errorf("rules: %w", err)
		}
		if err := json.Unmarshal([]byte(body), &r); err != nil {
			return nil, fmt.Errorf("rules: %w", err)
		}
		out = append(out, &r)
	}
	return out, rows.Err()
}

const alertColumns = `id, rule_id, device, status, severity, opened_at, acked_at, resolved_at, assignee, value, message`

// OpenAlert stores a new open alert unless the rule and device have an
// active one, which it returns instead. The writer's transaction is taken
// immediately (_txlock=immediate), so check and insert are atomic; the
// partial unique index alerts_one_active backs them.
func (db *DB) OpenAlert(ctx context.Context, a *alerts.Alert) (created bool, err error) {
	if a.OpenedAt.IsZero() {
		a.OpenedAt = time.Now().UTC()
	}
	err = db.inTx(ctx, func(tx *sql.Tx) error {
		existing, err := scanAlert(tx.QueryRowContext(ctx, `SELECT `+alertColumns+` FROM alerts
			WHERE rule_id = ? AND device = ? AND status <> 'resolved'`, a.RuleID, a.Device))
		if err == nil {
			*a = *existing
			return nil
		} else if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO alerts (rule_id, device, status, severity, opened_at, assignee, value, message)
			VALUES (?, ?, 'open', ?, ?, ?, ?, ?)`, a.RuleID, a.Device, a.Severity, fmtOrdered(a.OpenedAt), a.Assignee, a.Value, a.Message)
		if err != nil && strings.Contains(err.Error(), "FOREIGN KEY") {
			return errs.E(errs.NotFound, "rule %q not found", a.RuleID)
		} else if err != nil {
			return err
		}
		if a.ID, err = res.LastInsertId(); err != nil {
			return err
		}
		a.Status, a.AckedAt, a.ResolvedAt, created = alerts.StatusOpen, nil, nil, true
		a.History = []alerts.Event{{At: a.OpenedAt, Actor: alerts.SystemActor, Action: alerts.ActionOpen, Note: a.Message}}
		return appendEvent(ctx, tx, a.ID, a.History[0])
	})
	if err != nil {
		return false, fmt.Errorf("open alert: %w", err)
	}
	return created, nil
}

// Alert returns an alert with its history. errs.NotFound.
func (db *DB) Alert(ctx context.Context, id int64) (*alerts.Alert, error) {
	a, err := alertWithHistory(ctx, db.read, id)
	if err != nil {
		return nil, fmt.Errorf("alert %d: %w", id, err)
	}
	return a, nil
}

// querier is what both a pool and a transaction offer.
type querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

func alertWithHistory(ctx context.Context, q querier, id int64) (*alerts.Alert, error) {
	a, err := scanAlert(q.QueryRowContext(ctx, `SELECT `+alertColumns+` FROM alerts WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errs.E(errs.NotFound, "alert %d not found", id)
	} else if err != nil {
		return nil, err
	}
	a.History, err = readEvents(ctx, q, "alert_events", "alert_id", id)
	return a, err
}

// readEvents reads a history (alerts', work orders': same columns) in
// order; table and key are constants of this package, never input.
func readEvents(ctx context.Context, q querier, table, key string, id int64) ([]alerts.Event, error) {
	rows, err := q.QueryContext(ctx, `SELECT at, actor, action, note FROM `+table+` WHERE `+key+` = ? ORDER BY seq`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []alerts.Event
	for rows.Next() {
		var e alerts.Event
		var at string
		if err := rows.Scan(&at, &e.Actor, &e.Action, &e.Note); err != nil {
			return nil, err
		}
		e.At = parseTime(at)
		out = append(out, e)
	}
	return out, rows.Err()
}

// Alerts lists alerts without their history, the newest opened first.
func (db *DB) Alerts(ctx context.Context, f alerts.Filter) ([]*alerts.Alert, error) {
	var where []string
	var args []any
	for _, c := range []struct{ col, v string }{{"status", f.Status}, {"device", f.Device}, {"rule_id", f.RuleID}} {
		if c.v != "" {
			where = append(where, c.col+" = ?")
			args = append(args, c.v)
		}
	}
	q := `SELECT ` + alertColumns + ` FROM alerts`
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, " AND ")
	}
	rows, err := db.read.QueryContext(ctx, q+` ORDER BY opened_at DESC, id DESC LIMIT ?`, append(args, f.Limit)...)
	if err != nil {
		return nil, fmt.Errorf("alerts: %w", err)
	}
	defer rows.Close()
	var out []*alerts.Alert
	for rows.Next() {
		a, err := scanAlert(rows)
		if err != nil {
			return nil, fmt.Errorf("alerts: %w", err)
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// UpdateAlert applies u in one transaction and returns the alert as it is.
func (db *DB) UpdateAlert(ctx context.Context, id int64, u alerts.Update) (*alerts.Alert, error) {
	var out *alerts.Alert
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		a, err := scanAlert(tx.QueryRowContext(ctx, `SELECT `+alertColumns+` FROM alerts WHERE id = ?`, id))
		if errors.Is(err, sql.ErrNoRows) {
			return errs.E(errs.NotFound, "alert %d not found", id)
		} else if err != nil {
			return err
		}
		if err := alerts.Apply(a, u); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE alerts SET status = ?, acked_at = ?, resolved_at = ?, assignee = ?, value = ?, message = ? WHERE id = ?`,
			a.Status, fmtOptional(a.AckedAt), fmtOptional(a.ResolvedAt), a.Assignee, a.Value, a.Message, id)
		if err != nil {
			return err
		}
		if err := appendEvent(ctx, tx, id, u.Event); err != nil {
			return err
		}
		out, err = alertWithHistory(ctx, tx, id)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("update alert %d: %w", id, err)
	}
	return out, nil
}

// AddComment appends a comment event. errs.NotFound.
func (db *DB) AddComment(ctx context.Context, id int64, e alerts.Event) error {
	e.Action = alerts.ActionComment
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM alerts WHERE id = ?`, id).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return errs.E(errs.NotFound, "alert %d not found", id)
		}
		return appendEvent(ctx, tx, id, e)
	})
	if err != nil {
		return fmt.Errorf("comment alert %d: %w", id, err)
	}
	return nil
}

// appendEvent adds e after the alert's last event.
func appendEvent(ctx context.Context, tx *sql.Tx, id int64, e alerts.Event) error {
	if e.At.IsZero() {
		e.At = time.Now().UTC()
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO alert_events (alert_id, seq, at, actor, action, note)
		SELECT ?, coalesce(max(seq), 0) + 1, ?, ?, ?, ? FROM alert_events WHERE alert_id = ?`,
		id, fmtOrdered(e.At), e.Actor, e.Action, e.Note, id)
	return err
}

func scanAlert(s scanner) (*alerts.Alert, error) {
	var a alerts.Alert
	var opened string
	var acked, resolved sql.NullString
	if err := s.Scan(&a.ID, &a.RuleID, &a.Device, &a.Status, &a.Severity, &opened, &acked, &resolved, &a.Assignee, &a.Value, &a.Message); err != nil {
		return nil, err
	}
	a.OpenedAt = parseTime(opened)
	a.AckedAt, a.ResolvedAt = parseOptional(acked), parseOptional(resolved)
	return &a, nil
}

func fmtOptional(t *time.Time) any {
	if t == nil {
		return nil
	}
	return fmtOrdered(*t)
}

func parseOptional(s sql.NullString) *time.Time {
	if !s.Valid {
		return nil
	}
	t := parseTime(s.String)
	return &t
}

// inTx runs fn in a transaction of the writer.
func (db *DB) inTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return err
	}
	return tx.Commit()
}
