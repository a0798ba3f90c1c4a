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
	"github.com/socle/socle/internal/ngsild"
)

// The NGSI-LD store (ngsild.Store): entities as one row each with their
// attributes as JSON, subscriptions as JSON documents.

const entityCols = `id, type, attrs, lon, lat, created_at, modified_at`

// scanEntity reads the columns of entityCols, and any extra ones into
// extra.
func scanEntity(s scanner, extra ...any) (*ngsild.Entity, error) {
	var e ngsild.Entity
	var attrs string
	var lon, lat sql.NullFloat64
	var created, modified int64
	if err := s.Scan(append([]any{&e.ID, &e.Type, &attrs, &lon, &lat, &created, &modified}, extra...)...); err != nil {
		return nil, err
	}
	var err error
	if e.Attrs, err = ngsild.UnmarshalAttrs([]byte(attrs)); err != nil {
		return nil, fmt.Errorf("entity %s: %w", e.ID, err)
	}
	if lon.Valid && lat.Valid {
		e.Location = &ngsild.Point{Lon: lon.Float64, Lat: lat.Float64}
	}
	e.CreatedAt, e.ModifiedAt = time.UnixMilli(created).UTC(), time.UnixMilli(modified).UTC()
	return &e, nil
}

// Entity returns an entity by ID. errs.NotFound.
func (db *DB) Entity(ctx context.Context, id string) (*ngsild.Entity, error) {
	e, err := scanEntity(db.read.QueryRowContext(ctx, `SELECT `+entityCols+` FROM ngsi_entities WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errs.WithCode(errs.NotFound, "ResourceNotFound", "entity %s does not exist", id)
	} else if err != nil {
		return nil, fmt.Errorf("entity %s: %w", id, err)
	}
	return e, nil
}

// DeleteEntities deletes entities by ID in one transaction.
func (db *DB) DeleteEntities(ctx context.Context, ids []string) ([]bool, error) {
	out := make([]bool, len(ids))
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		st, err := tx.PrepareContext(ctx, `DELETE FROM ngsi_entities WHERE id = ?`)
		if err != nil {
			return err
		}
		defer st.Close()
		for i, id := range ids {
			res, err := st.ExecContext(ctx, id)
			if err != nil {
				return err
			}
			n, _ := res.RowsAffected()
			out[i] = n > 0
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("delete entities: %w", err)
	}
	return out, nil
}

// DeleteAttribute removes one attribute of an entity.
func (db *DB) DeleteAttribute(ctx context.Context, id, attr string, at time.Time) error {
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		e, err := scanEntity(tx.QueryRowContext(ctx, `SELECT `+entityCols+` FROM ngsi_entities WHERE id = ?`, id))
		if errors.Is(err, sql.ErrNoRows) {
			return errs.WithCode(errs.NotFound, "ResourceNotFound", "entity %s does not exist", id)
		} else if err != nil {
			return err
		}
		if _, ok := e.Attrs[attr]; !ok {
			return errs.WithCode(errs.NotFound, "ResourceNotFound", "entity %s has no attribute %s", id, attr)
		}
		delete(e.Attrs, attr)
		e.Location = ngsild.LocationOf(e.Attrs)
		attrs, err := ngsild.MarshalAttrs(e.Attrs)
		if err != nil {
			return err
		}
		var lon, lat any
		if e.Location != nil {
			lon, lat = e.Location.Lon, e.Location.Lat
		}
		_, err = tx.ExecContext(ctx, `UPDATE ngsi_entities SET attrs = ?, lon = ?, lat = ?, modified_at = ? WHERE id = ?`,
			string(attrs), lon, lat, at.UnixMilli(), id)
		return err
	})
	if err == nil || errs.KindOf(err) != errs.Internal {
		return err
	}
	return fmt.Errorf("delete attribute: %w", err)
}

// QueryEntities selects candidates in SQL (types, IDs, bounding box) in ID
// order and filters them in Go; without a Go filter, SQL pages and counts.
func (db *DB) QueryEntities(ctx context.Context, q ngsild.Query) ([]*ngsild.Entity, int, error) {
	where, args := entityWhere(q)
	if !q.Filtered() {
		return db.queryPage(ctx, q, where, args)
	}
	p, err := ngsild.NewPager(&q)
	if err != nil {
		return nil, 0, err
	}
	rows, err := db.read.QueryContext(ctx, `SELECT `+entityCols+` FROM ngsi_entities`+where+` ORDER BY id`, args...)
	if err != nil {
		return nil, 0, fmt.Errorf("query entities: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		e, err := scanEntity(rows)
		if err != nil {
			return nil, 0, fmt.Errorf("query entities: %w", err)
		}
		more, err := p.Add(e)
		if err != nil {
			return nil, 0, err
		}
		if !more {
			break
		}
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("query entities: %w", err)
	}
	return p.Page, p.Matched(), nil
}

func (db *DB) queryPage(ctx context.Context, q ngsild.Query, where string, args []any) ([]*ngsild.Entity, int, error) {
	total := 0
	if q.Count {
		if err := db.read.QueryRowContext(ctx, `SELECT count(*) FROM ngsi_entities`+where, args...).Scan(&total); err != nil {
			return nil, 0, fmt.Errorf("count entities: %w", err)
		}
	}
	rows, err := db.read.QueryContext(ctx, `SELECT `+entityCols+` FROM ngsi_entities`+where+` ORDER BY id LIMIT ? OFFSET ?`,
		append(args, q.Limit, q.Offset)...)
	if err != nil {
		return nil, 0, fmt.Errorf("query entities: %w", err)
	}
	defer rows.Close()
	var out []*ngsild.Entity
	for rows.Next() {
		e, err := scanEntity(rows)
		if err != nil {
			return nil, 0, fmt.Errorf("query entities: %w", err)
		}
		out = append(out, e)
	}
	return out, total, rows.Err()
}

// entityWhere is the SQL prefilter of q.
func entityWhere(q ngsild.Query) (string, []any) {
	var conds []string
	var args []any
	in := func(col string, vals []string) {
		conds = append(conds, col+" IN ("+strings.TrimSuffix(strings.Repeat("?, ", len(vals)), ", ")+")")
		for _, v := range vals {
			args = append(args, v)
		}
	}
	if len(q.Types) > 0 {
		in("type", q.Types)
	}
	if len(q.IDs) > 0 {
		in("id", q.IDs)
	}
	if b, ok := q.Box(); ok {
		conds = append(conds, "lat BETWEEN ? AND ? AND lon BETWEEN ? AND ?")
		args = append(args, b.MinLat, b.MaxLat, b.MinLon, b.MaxLon)
	}
	if len(conds) == 0 {
		return "", nil
	}
	return " WHERE " + strings.Join(conds, " AND "), args
}

// EntityTypes lists the types with their entity counts.
func (db *DB) EntityTypes(ctx context.Context) ([]ngsild.TypeCount, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT type, count(*) FROM ngsi_entities GROUP BY type ORDER BY type`)
	if err != nil {
		return nil, fmt.Errorf("entity types: %w", err)
	}
	defer rows.Close()
	var out []ngsild.TypeCount
	for rows.Next() {
		var tc ngsild.TypeCount
		if err := rows.Scan(&tc.Type, &tc.Count); err != nil {
			return nil, err
		}
		out = append(out, tc)
	}
	return out, rows.Err()
}

// PutSubscription inserts or replaces a subscription.
func (db *DB) PutSubscription(ctx context.Context, s *ngsild.Subscription) error {
	body, err := json.Marshal(s)
	if err != nil {
		return fmt.Errorf("put subscription: %w", err)
	}
	_, err = db.write.ExecContext(ctx, `INSERT INTO ngsi_subscriptions (id, body) VALUES (?, ?)
		ON CONFLICT (id) DO UPDATE SET body = excluded.body`, s.ID, string(body))
	if err != nil {
		return fmt.Errorf("put subscription: %w", err)
	}
	return nil
}

// Subscription returns a subscription by ID. errs.NotFound.
func (db *DB) Subscription(ctx context.Context, id string) (*ngsild.Subscription, error) {
	return subscriptionFrom(db.read.QueryRowContext(ctx, `SELECT body FROM ngsi_subscriptions WHERE id = ?`, id), id)
}

func subscriptionFrom(row scanner, id string) (*ngsild.Subscription, error) {
	var body string
	err := row.Scan(&body)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errs.WithCode(errs.NotFound, "ResourceNotFound", "subscription %s does not exist", id)
	} else if err != nil {
		return nil, fmt.Errorf("subscription %s: %w", id, err)
	}
	var s ngsild.Subscription
	if err := json.Unmarshal([]byte(body), &s); err != nil {
		return nil, fmt.Errorf("subscription %s: %w", id, err)
	}
	return &s, nil
}

// Subscriptions lists subscriptions by ID.
func (db *DB) Subscriptions(ctx context.Context) ([]*ngsild.Subscription, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT body FROM ngsi_subscriptions ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("subscriptions: %w", err)
	}
	defer rows.Close()
	var out []*ngsild.Subscription
	for rows.Next() {
		s, err := subscriptionFrom(rows, "")
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// DeleteSubscription deletes a subscription. errs.NotFound.
func (db *DB) DeleteSubscription(ctx context.Context, id string) error {
	res, err := db.write.ExecContext(ctx, `DELETE FROM ngsi_subscriptions WHERE id = ?`, id)
	if err != nil {
		return fmt.Errorf("delete subscription: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return errs.WithCode(errs.NotFound, "ResourceNotFound", "subscription %s does not exist", id)
	}
	return nil
}

// RecordNotification counts a notification's result.
func (db *DB) RecordNotification(ctx context.Context, id string, ok bool, at time.Time) error {
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		s, err := subscriptionFrom(tx.QueryRowContext(ctx, `SELECT body FROM ngsi_subscriptions WHERE id = ?`, id), id)
		if errs.Is(err, errs.NotFound) {
			return nil
		} else if err != nil {
			return err
		}
		ngsild.Count(s, ok, at)
		body, err := json.Marshal(s)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE ngsi_subscriptions SET body = ? WHERE id = ?`, string(body), id)
		return err
	})
	if err != nil {
		return fmt.Errorf("record notification: %w", err)
	}
	return nil
}
