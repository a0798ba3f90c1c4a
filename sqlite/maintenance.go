package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/socle/socle/internal/errs"
	"github.com/socle/socle/internal/maintenance"
)

const workOrderColumns = `id, device, alert_id, title, description, priority, status, assignee, due, created_at, created_by, updated_at`

const dueLayout = "2006-01-02"

// CreateWorkOrder stores w with its "create" event and sets its ID.
func (db *DB) CreateWorkOrder(ctx context.Context, w *maintenance.WorkOrder) error {
	if w.CreatedAt.IsZero() {
		w.CreatedAt = time.Now().UTC()
	}
	w.UpdatedAt = w.CreatedAt
	var due any
	if w.Due != nil {
		due = w.Due.UTC().Format(dueLayout)
	}
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO work_orders (device, alert_id, title, description, priority, status, assignee, due, created_at, created_by, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, w.Device, w.AlertID, w.Title, w.Description, w.Priority, w.Status, w.Assignee,
			due, fmtOrdered(w.CreatedAt), w.CreatedBy, fmtOrdered(w.UpdatedAt))
		if err != nil && strings.Contains(err.Error(), "FOREIGN KEY") {
			return errs.E(errs.NotFound, "alert %d not found", *w.AlertID)
		} else if err != nil {
			return err
		}
		if w.ID, err = res.LastInsertId(); err != nil {
			return err
		}
		w.History = []maintenance.Event{{At: w.CreatedAt, Actor: w.CreatedBy, Action: maintenance.ActionCreate, Note: w.Title}}
		return appendWorkOrderEvents(ctx, tx, w.ID, w.History)
	})
	if err != nil {
		return fmt.Errorf("create work order: %w", err)
	}
	return nil
}

// WorkOrder returns a work order with its history. errs.NotFound.
func (db *DB) WorkOrder(ctx context.Context, id int64) (*maintenance.WorkOrder, error) {
	w, err := workOrderWithHistory(ctx, db.read, id)
	if err != nil {
		return nil, fmt.Errorf("work order %d: %w", id, err)
	}
	return w, nil
}

func workOrderWithHistory(ctx context.Context, q querier, id int64) (*maintenance.WorkOrder, error) {
	w, err := scanWorkOrder(q.QueryRowContext(ctx, `SELECT `+workOrderColumns+` FROM work_orders WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errs.E(errs.NotFound, "work order %d not found", id)
	} else if err != nil {
		return nil, err
	}
	events, err := readEvents(ctx, q, "work_order_events", "work_order_id", id)
	for _, e := range events {
		w.History = append(w.History, maintenance.Event(e)) // the same fields
	}
	return w, err
}

// WorkOrders lists work orders without their history, the newest first.
func (db *DB) WorkOrders(ctx context.Context, f maintenance.Filter) ([]*maintenance.WorkOrder, error) {
	var where []string
	var args []any
	for _, c := range []struct{ col, v string }{{"device", f.Device}, {"status", f.Status}} {
		if c.v != "" {
			where = append(where, c.col+" = ?")
			args = append(args, c.v)
		}
	}
	q := `SELECT ` + workOrderColumns + ` FROM work_orders`
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, " AND ")
	}
	rows, err := db.read.QueryContext(ctx, q+` ORDER BY created_at DESC, id DESC LIMIT ?`, append(args, f.Limit)...)
	if err != nil {
		return nil, fmt.Errorf("work orders: %w", err)
	}
	defer rows.Close()
	var out []*maintenance.WorkOrder
	for rows.Next() {
		w, err := scanWorkOrder(rows)
		if err != nil {
			return nil, fmt.Errorf("work orders: %w", err)
		}
		out = append(out, w)
	}
	return out, rows.Err()
}

// UpdateWorkOrder applies u in one transaction and returns the order.
func (db *DB) UpdateWorkOrder(ctx context.Context, id int64, u maintenance.Update) (*maintenance.WorkOrder, error) {
	var out *maintenance.WorkOrder
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		w, err := scanWorkOrder(tx.QueryRowContext(ctx, `SELECT `+workOrderColumns+` FROM work_orders WHERE id = ?`, id))
		if errors.Is(err, sql.ErrNoRows) {
			return errs.E(errs.NotFound, "work order %d not found", id)
		} else if err != nil {
			return err
		}
		evs, err := maintenance.Apply(w, u)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE work_orders SET status = ?, assignee = ?, updated_at = ? WHERE id = ?`,
			w.Status, w.Assignee, fmtOrdered(w.UpdatedAt), id)
		if err != nil {
			return err
		}
		if err := appendWorkOrderEvents(ctx, tx, id, evs); err != nil {
			return err
		}
		out, err = workOrderWithHistory(ctx, tx, id)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("update work order %d: %w", id, err)
	}
	return out, nil
}

// CommentWorkOrder appends a comment event. errs.NotFound.
func (db *DB) CommentWorkOrder(ctx context.Context, id int64, e maintenance.Event) error {
	e.Action = maintenance.ActionComment
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM work_orders WHERE id = ?`, id).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return errs.E(errs.NotFound, "work order %d not found", id)
		}
		return appendWorkOrderEvents(ctx, tx, id, []maintenance.Event{e})
	})
	if err != nil {
		return fmt.Errorf("comment work order %d: %w", id, err)
	}
	return nil
}

func appendWorkOrderEvents(ctx context.Context, tx *sql.Tx, id int64, evs []maintenance.Event) error {
	for _, e := range evs {
		if e.At.IsZero() {
			e.At = time.Now().UTC()
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO work_order_events (work_order_id, seq, at, actor, action, note)
			SELECT ?, coalesce(max(seq), 0) + 1, ?, ?, ?, ? FROM work_order_events WHERE work_order_id = ?`,
			id, fmtOrdered(e.At), e.Actor, e.Action, e.Note, id)
		if err != nil {
			return err
		}
	}
	return nil
}

func scanWorkOrder(s scanner) (*maintenance.WorkOrder, error) {
	var w maintenance.WorkOrder
	var alertID sql.NullInt64
	var due sql.NullString
	var created, updated string
	if err := s.Scan(&w.ID, &w.Device, &alertID, &w.Title, &w.Description, &w.Priority, &w.Status, &w.Assignee,
		&due, &created, &w.CreatedBy, &updated); err != nil {
		return nil, err
	}
	if alertID.Valid {
		w.AlertID = &alertID.Int64
	}
	if due.Valid {
		if d, err := time.Parse(dueLayout, due.String); err == nil {
			w.Due = &d
		}
	}
	w.CreatedAt, w.UpdatedAt = parseTime(created), parseTime(updated)
	return &w, nil
}
