package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/socle/socle/internal/alerts"
	"github.com/socle/socle/internal/errs"
)

// PutRule inserts or replaces a rule.
func (db *DB) PutRule(ctx context.Context, r *alerts.Rule) error {
	body, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("put rule %s: %w", r.ID, err)
	}
	err = db.exec(ctx, `INSERT INTO alert_rules (id, body, updated_at) VALUES ($1, $2, now())
		ON CONFLICT (id) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at`, r.ID, string(body))
	if err != nil {
		return fmt.Errorf("put rule %s: %w", r.ID, err)
	}
	return nil
}

// Rule returns a rule by ID. errs.NotFound.
func (db *DB) Rule(ctx context.Context, id string) (*alerts.Rule, error) {
	var body []byte
	err := db.queryRow(ctx, `SELECT body FROM alert_rules WHERE id = $1`, []any{id}, &body)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, errs.E(errs.NotFound, "rule %q not found", id)
	} else if err != nil {
		return nil, fmt.Errorf("rule %s: %w", id, err)
	}
	var r alerts.Rule
	return &r, json.Unmarshal(body, &r)
}

// Rules lists the rules by ID.
func (db *DB) Rules(ctx context.Context) ([]*alerts.Rule, error) {
	var out []*alerts.Rule
	err := db.query(ctx, `SELECT body FROM alert_rules ORDER BY id`, nil, func(rs pgx.Rows) error {
		var body []byte
		if err := rs.Scan(&body); err != nil {
			return err
		}
		var r alerts.Rule
		out = append(out, &r)
		return json.Unmarshal(body, &r)
	})
	if err != nil {
		return nil, fmt.Errorf("rules: %w", err)
	}
	return out, nil
}

const alertColumns = `id, rule_id, device, status, severity, opened_at, acked_at, resolved_at, assignee, value, message`

// openAlertSQL inserts an open alert unless the partial unique index
// alerts_one_active already holds one for the rule and device.
const openAlertSQL = `INSERT INTO alerts (rule_id, device, status, severity, opened_at, assignee, value, message)
	VALUES ($1, $2, 'open', $3, $4, $5, $6, $7)
	ON CONFLICT (rule_id, device) WHERE status <> 'resolved' DO NOTHING RETURNING id`

// OpenAlert stores a new open alert unless the rule and device have an
// active one, which it returns instead. The insert waits on a concurrent
// one (the unique index) and does nothing if that one commits; the
// existing alert is then read. Should it be resolved in between, the
// insert is tried again.
func (db *DB) OpenAlert(ctx context.Context, a *alerts.Alert) (created bool, err error) {
	if a.OpenedAt.IsZero() {
		a.OpenedAt = time.Now().UTC()
	}
	for range 3 {
		err = db.inTx(ctx, pgx.TxOptions{}, func(tx pgx.Tx) error {
			err := tx.QueryRow(ctx, openAlertSQL, a.RuleID, a.Device, a.Severity, a.OpenedAt, a.Assignee, a.Value, a.Message).Scan(&a.ID)
			if errors.Is(err, pgx.ErrNoRows) {
				existing, err := scanAlert(tx.QueryRow(ctx, `SELECT `+alertColumns+` FROM alerts
					WHERE rule_id = $1 AND device = $2 AND status <> 'resolved'`, a.RuleID, a.Device))
				if err != nil {
					return err
				}
				*a = *existing
				return nil
			} else if isForeignKeyViolation(err) {
				return errs.E(errs.NotFound, "rule %q not found", a.RuleID)
			} else if err != nil {
				return err
			}
			a.Status, a.AckedAt, a.ResolvedAt, created = alerts.StatusOpen, nil, nil, true
			a.History = []alerts.Event{{At: a.OpenedAt, Actor: alerts.SystemActor, Action: alerts.ActionOpen, Note: a.Message}}
			return appendEvent(ctx, tx, a.ID, a.History[0])
		})
		if !errors.Is(err, pgx.ErrNoRows) {
			break
		}
	}
	if err != nil {
		return false, fmt.Errorf("open alert: %w", err)
	}
	return created, nil
}

// Alert returns an alert with its history. errs.NotFound.
func (db *DB) Alert(ctx context.Context, id int64) (*alerts.Alert, error) {
	var a *alerts.Alert
	err := db.inTx(ctx, pgx.TxOptions{AccessMode: pgx.ReadOnly, IsoLevel: pgx.RepeatableRead}, func(tx pgx.Tx) error {
		var err error
		a, err = alertWithHistory(ctx, tx, id)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("alert %d: %w", id, err)
	}
	return a, nil
}

func alertWithHistory(ctx context.Context, tx pgx.Tx, id int64) (*alerts.Alert, error) {
	a, err := scanAlert(tx.QueryRow(ctx, `SELECT `+alertColumns+` FROM alerts WHERE id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, errs.E(errs.NotFound, "alert %d not found", id)
	} else if err != nil {
		return nil, err
	}
	a.History, err = readEvents(ctx, tx, "alert_events", "alert_id", id)
	return a, err
}

// readEvents reads a history (alerts', work orders': same columns) in
// order; table and key are constants of this package, never input.
func readEvents(ctx context.Context, tx pgx.Tx, table, key string, id int64) ([]alerts.Event, error) {
	rows, err := tx.Query(ctx, `SELECT at, actor, action, note FROM `+table+` WHERE `+key+` = $1 ORDER BY seq`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []alerts.Event
	for rows.Next() {
		var e alerts.Event
		if err := rows.Scan(&e.At, &e.Actor, &e.Action, &e.Note); err != nil {
			return nil, err
		}
		e.At = e.At.UTC()
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
			args = append(args, c.v)
			where = append(where, c.col+" = $"+strconv.Itoa(len(args)))
		}
	}
	q := `SELECT ` + alertColumns + ` FROM alerts`
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, " AND ")
	}
	args = append(args, sqlLimit(f.Limit))
	q += ` ORDER BY opened_at DESC, id DESC LIMIT $` + strconv.Itoa(len(args))
	var out []*alerts.Alert
	err := db.query(ctx, q, args, func(rs pgx.Rows) error {
		a, err := scanAlert(rs)
		out = append(out, a)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("alerts: %w", err)
	}
	return out, nil
}

// UpdateAlert applies u in one transaction, the alert's row locked, and
// returns the alert as it is.
func (db *DB) UpdateAlert(ctx context.Context, id int64, u alerts.Update) (*alerts.Alert, error) {
	var out *alerts.Alert
	err := db.inTx(ctx, pgx.TxOptions{}, func(tx pgx.Tx) error {
		a, err := scanAlert(tx.QueryRow(ctx, `SELECT `+alertColumns+` FROM alerts WHERE id = $1 FOR UPDATE`, id))
		if errors.Is(err, pgx.ErrNoRows) {
			return errs.E(errs.NotFound, "alert %d not found", id)
		} else if err != nil {
			return err
		}
		if err := alerts.Apply(a, u); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE alerts SET status = $1, acked_at = $2, resolved_at = $3, assignee = $4, value = $5, message = $6 WHERE id = $7`,
			a.Status, a.AckedAt, a.ResolvedAt, a.Assignee, a.Value, a.Message, id)
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
	err := db.inTx(ctx, pgx.TxOptions{}, func(tx pgx.Tx) error {
		// The lock orders the alert's events (seq) among concurrent writers.
		tag, err := tx.Exec(ctx, `SELECT 1 FROM alerts WHERE id = $1 FOR UPDATE`, id)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return errs.E(errs.NotFound, "alert %d not found", id)
		}
		return appendEvent(ctx, tx, id, e)
	})
	if err != nil {
		return fmt.Errorf("comment alert %d: %w", id, err)
	}
	return nil
}

// appendEvent adds e after the alert's last event; the caller holds the
// alert's row (inserted or locked), so seq cannot be taken twice.
func appendEvent(ctx context.Context, tx pgx.Tx, id int64, e alerts.Event) error {
	if e.At.IsZero() {
		e.At = time.Now().UTC()
	}
	_, err := tx.Exec(ctx, `INSERT INTO alert_events (alert_id, seq, at, actor, action, note)
		SELECT $1, coalesce(max(seq), 0) + 1, $2, $3, $4, $5 FROM alert_events WHERE alert_id = $1`,
		id, e.At, e.Actor, e.Action, e.Note)
	return err
}

func scanAlert(row pgx.Row) (*alerts.Alert, error) {
	var a alerts.Alert
	if err := row.Scan(&a.ID, &a.RuleID, &a.Device, &a.Status, &a.Severity, &a.OpenedAt, &a.AckedAt, &a.ResolvedAt, &a.Assignee, &a.Value, &a.Message); err != nil {
		return nil, err
	}
	a.OpenedAt = a.OpenedAt.UTC()
	for _, t := range []*time.Time{a.AckedAt, a.ResolvedAt} {
		if t != nil {
			*t = t.UTC()
		}
	}
	return &a, nil
}
