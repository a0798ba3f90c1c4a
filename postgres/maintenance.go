package postgres

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/socle/socle/internal/errs"
	"github.com/socle/socle/internal/maintenance"
)

const workOrderColumns = `id, device, alert_id, title, description, priority, status, assignee, due, created_at, created_by, updated_at`

// CreateWorkOrder stores w with its "create" event and sets its ID.
func (db *DB) CreateWorkOrder(ctx context.Context, w *maintenance.WorkOrder) error {
	if w.CreatedAt.IsZero() {
		w.CreatedAt = time.Now().UTC()
	}
	w.UpdatedAt = w.CreatedAt
	err := db.inTx(ctx, pgx.TxOptions{}, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `INSERT INTO work_orders (device, alert_id, title, description, priority, status, assignee, due, created_at, created_by, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id`, w.Device, w.AlertID, w.Title, w.Description, w.Priority,
			w.Status, w.Assignee, w.Due, w.CreatedAt, w.CreatedBy, w.UpdatedAt).Scan(&w.ID)
		if isForeignKeyViolation(err) {
			return errs.E(errs.NotFound, "alert %d not found", *w.AlertID)
		} else if err != nil {
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
	var w *maintenance.WorkOrder
	err := db.inTx(ctx, pgx.TxOptions{AccessMode: pgx.ReadOnly, IsoLevel: pgx.RepeatableRead}, func(tx pgx.Tx) error {
		var err error
		w, err = workOrderWithHistory(ctx, tx, id)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("work order %d: %w", id, err)
	}
	return w, nil
}

func workOrderWithHistory(ctx context.Context, tx pgx.Tx, id int64) (*maintenance.WorkOrder, error) {
	w, err := scanWorkOrder(tx.QueryRow(ctx, `SELECT `+workOrderColumns+` FROM work_orders WHERE id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, errs.E(errs.NotFound, "work order %d not found", id)
	} else if err != nil {
		return nil, err
	}
	events, err := readEvents(ctx, tx, "work_order_events", "work_order_id", id)
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
			args = append(args, c.v)
			where = append(where, c.col+" = $"+strconv.Itoa(len(args)))
		}
	}
	q := `SELECT ` + workOrderColumns + ` FROM work_orders`
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, " AND ")
	}
	args = append(args, sqlLimit(f.Limit))
	q += ` ORDER BY created_at DESC, id DESC LIMIT $` + strconv.Itoa(len(args))
	var out []*maintenance.WorkOrder
	err := db.query(ctx, q, args, func(rs pgx.Rows) error {
		w, err := scanWorkOrder(rs)
		out = append(out, w)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("work orders: %w", err)
	}
	return out, nil
}

// UpdateWorkOrder applies u in one transaction, the order's row locked.
func (db *DB) UpdateWorkOrder(ctx context.Context, id int64, u maintenance.Update) (*maintenance.WorkOrder, error) {
	var out *maintenance.WorkOrder
	err := db.inTx(ctx, pgx.TxOptions{}, func(tx pgx.Tx) error {
		w, err := scanWorkOrder(tx.QueryRow(ctx, `SELECT `+workOrderColumns+` FROM work_orders WHERE id = $1 FOR UPDATE`, id))
		if errors.Is(err, pgx.ErrNoRows) {
			return errs.E(errs.NotFound, "work order %d not found", id)
		} else if err != nil {
			return err
		}
		evs, err := maintenance.Apply(w, u)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE work_orders SET status = $1, assignee = $2, updated_at = $3 WHERE id = $4`,
			w.Status, w.Assignee, w.UpdatedAt, id); err != nil {
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
	err := db.inTx(ctx, pgx.TxOptions{}, func(tx pgx.Tx) error {
		// The lock orders the events (seq) among concurrent writers.
		tag, err := tx.Exec(ctx, `SELECT 1 FROM work_orders WHERE id = $1 FOR UPDATE`, id)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return errs.E(errs.NotFound, "work order %d not found", id)
		}
		return appendWorkOrderEvents(ctx, tx, id, []maintenance.Event{e})
	})
	if err != nil {
		return fmt.Errorf("comment work order %d: %w", id, err)
	}
	return nil
}

// appendWorkOrderEvents adds evs after the order's last event; the caller
// holds the order's row.
func appendWorkOrderEvents(ctx context.Context, tx pgx.Tx, id int64, evs []maintenance.Event) error {
	for _, e := range evs {
		if e.At.IsZero() {
			e.At = time.Now().UTC()
		}
		_, err := tx.Exec(ctx, `INSERT INTO work_order_events (work_order_id, seq, at, actor, action, note)
			SELECT $1, coalesce(max(seq), 0) + 1, $2, $3, $4, $5 FROM work_order_events WHERE work_order_id = $1`,
			id, e.At, e.Actor, e.Action, e.Note)
		if err != nil {
			return err
		}
	}
	return nil
}

func scanWorkOrder(row pgx.Row) (*maintenance.WorkOrder, error) {
	var w maintenance.WorkOrder
	if err := row.Scan(&w.ID, &w.Device, &w.AlertID, &w.Title, &w.Description, &w.Priority, &w.Status, &w.Assignee,
		&w.Due, &w.CreatedAt, &w.CreatedBy, &w.UpdatedAt); err != nil {
		return nil, err
	}
	w.CreatedAt, w.UpdatedAt = w.CreatedAt.UTC(), w.UpdatedAt.UTC()
	if w.Due != nil {
		d := time.Date(w.Due.Year(), w.Due.Month(), w.Due.Day(), 0, 0, 0, 0, time.UTC)
		w.Due = &d
	}
	return &w, nil
}
