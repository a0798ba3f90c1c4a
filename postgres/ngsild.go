package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/socle/socle/internal/audit"
	"github.com/socle/socle/internal/errs"
	"github.com/socle/socle/internal/ngsild"
	"github.com/socle/socle/internal/sensors"
)

// The NGSI-LD store (ngsild.Store): entities as one row each with their
// attributes as JSON text, subscriptions as jsonb documents. A write costs
// four statements whatever the number of entities: the stored entities
// and devices are read (and locked, in ID order) with one query each, the
// new states written with one unnest upsert each.

const entityCols = `id, type, attrs, lon, lat, created_at, modified_at`

// WriteEntities applies w in one transaction. Devices are merged only
// for the entities whose derived device changed (ngsild.DeviceSignature).
func (db *DB) WriteEntities(ctx context.Context, w ngsild.Write) ([]ngsild.Outcome, error) {
	var out []ngsild.Outcome
	err := db.inTx(ctx, pgx.TxOptions{}, func(tx pgx.Tx) error {
		ids := make([]string, len(w.Entities))
		for i, e := range w.Entities {
			ids[i] = e.ID
		}
		current, sigs, err := lockEntities(ctx, tx, ids, w.Mode == ngsild.Create || w.Mode == ngsild.Replace)
		if err != nil {
			return err
		}
		var changed, devs []string // IDs written; those whose device changed
		out = make([]ngsild.Outcome, len(w.Entities))
		for i, in := range w.Entities {
			e, created, err := ngsild.Apply(current[in.ID], in, w.Mode, w.Now)
			out[i] = ngsild.Outcome{ID: in.ID, Entity: e, Created: created, Err: err}
			if err != nil {
				continue
			}
			changed = append(changed, in.ID)
			if sig := ngsild.DeviceSignature(e); sig != sigs[in.ID] {
				devs = append(devs, in.ID)
				sigs[in.ID] = sig
			}
			current[in.ID] = e
		}
		if err := upsertEntities(ctx, tx, dedupe(changed), current, sigs); err != nil {
			return err
		}
		if w.Devices && len(devs) > 0 {
			if err := mergeDevices(ctx, tx, dedupe(devs), current); err != nil {
				return err
			}
		}
		return auditInTx(ctx, tx, w.Audit, ngsild.Written(out))
	})
	if err != nil {
		return nil, fmt.Errorf("write entities: %w", err)
	}
	return out, nil
}

// auditInTx appends a write's audit entry in its transaction, with the
// number of entities written; nothing when none was.
func auditInTx(ctx context.Context, tx pgx.Tx, e *audit.Entry, n int) error {
	if e == nil || n == 0 {
		return nil
	}
	e.Records = int64(n)
	_, err := tx.Exec(ctx, `INSERT INTO audit_log (time, actor, action, target, records, detail) VALUES ($1, $2, $3, $4, $5, $6)`,
		e.Time, e.Actor, e.Action, e.Target, e.Records, e.Detail)
	return err
}

func dedupe(ids []string) []string {
	slices.Sort(ids)
	return slices.Compact(ids)
}

// lockEntities reads the stored entities among ids, locking their rows,
// with their device signatures; headOnly reads only the ID and creation
// time (Create and Replace combine no attributes: no JSON to decode).
func lockEntities(ctx context.Context, tx pgx.Tx, ids []string, headOnly bool) (map[string]*ngsild.Entity, map[string]string, error) {
	cols := entityCols
	if headOnly {
		cols = "id, created_at"
	}
	rows, err := tx.Query(ctx, `SELECT `+cols+`, device_sig FROM ngsi_entities WHERE id = ANY($1) ORDER BY id FOR UPDATE`, ids)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	out, sigs := map[string]*ngsild.Entity{}, map[string]string{}
	for rows.Next() {
		var e *ngsild.Entity
		var sig string
		if headOnly {
			e = &ngsild.Entity{}
			err = rows.Scan(&e.ID, &e.CreatedAt, &sig)
			e.CreatedAt = e.CreatedAt.UTC()
		} else {
			e, err = scanEntity(rows, &sig)
		}
		if err != nil {
			return nil, nil, err
		}
		out[e.ID], sigs[e.ID] = e, sig
	}
	return out, sigs, rows.Err()
}

// upsertEntities writes the current state of the entities ids.
func upsertEntities(ctx context.Context, tx pgx.Tx, ids []string, current map[string]*ngsild.Entity, sigs map[string]string) error {
	if len(ids) == 0 {
		return nil
	}
	n := len(ids)
	types, attrs := make([]string, n), make([]string, n)
	lon, lat := make([]*float64, n), make([]*float64, n)
	created, modified := make([]time.Time, n), make([]time.Time, n)
	devSigs := make([]string, n)
	for i, id := range ids {
		e := current[id]
		devSigs[i] = sigs[id]
		b, err := ngsild.MarshalAttrs(e.Attrs)
		if err != nil {
			return err
		}
		types[i], attrs[i], created[i], modified[i] = e.Type, string(b), e.CreatedAt, e.ModifiedAt
		if e.Location != nil {
			lon[i], lat[i] = &e.Location.Lon, &e.Location.Lat
		}
	}
	_, err := tx.Exec(ctx, `INSERT INTO ngsi_entities (`+entityCols+`, device_sig)
		SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::float8[], $5::float8[], $6::timestamptz[], $7::timestamptz[], $8::text[])
		ON CONFLICT (id) DO UPDATE SET type = excluded.type, attrs = excluded.attrs, lon = excluded.lon,
		lat = excluded.lat, modified_at = excluded.modified_at, device_sig = excluded.device_sig`, ids, types, attrs, lon, lat, created, modified, devSigs)
	return err
}

// mergeDevices merges the devices derived from the entities ids into the
// registry, writing those that changed.
func mergeDevices(ctx context.Context, tx pgx.Tx, ids []string, current map[string]*ngsild.Entity) error {
	derived := map[string]*sensors.Device{}
	var devIDs []string
	for _, id := range ids {
		d := ngsild.DeviceOf(current[id])
		derived[d.ID] = d
		devIDs = append(devIDs, d.ID)
	}
	devIDs = dedupe(devIDs)
	rows, err := tx.Query(ctx, `SELECT body, created_at FROM devices WHERE id = ANY($1) ORDER BY id FOR UPDATE`, devIDs)
	if err != nil {
		return err
	}
	old := map[string]*sensors.Device{}
	for rows.Next() {
		var body []byte
		var created time.Time
		if err := rows.Scan(&body, &created); err != nil {
			rows.Close()
			return err
		}
		d, err := decodeDevice(body, created)
		if err != nil {
			rows.Close()
			return err
		}
		old[d.ID] = d
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	var wid, wdomain, wbody []string
	var wcreated []time.Time
	for _, id := range devIDs {
		d, changed := ngsild.MergeDevice(old[id], derived[id])
		if !changed {
			continue
		}
		if d.CreatedAt.IsZero() {
			d.CreatedAt = time.Now().UTC()
		}
		body, err := json.Marshal(d)
		if err != nil {
			return err
		}
		wid, wdomain, wbody, wcreated = append(wid, d.ID), append(wdomain, d.Domain), append(wbody, string(body)), append(wcreated, d.CreatedAt)
	}
	if len(wid) == 0 {
		return nil
	}
	_, err = tx.Exec(ctx, `INSERT INTO devices (id, domain, body, created_at)
		SELECT * FROM unnest($1::text[], $2::text[], $3::jsonb[], $4::timestamptz[])
		ON CONFLICT (id) DO UPDATE SET domain = excluded.domain, body = excluded.body`, wid, wdomain, wbody, wcreated)
	return err
}

// scanEntity reads the columns of entityCols, and any extra ones into
// extra.
func scanEntity(r pgx.Row, extra ...any) (*ngsild.Entity, error) {
	var e ngsild.Entity
	var attrs string
	var lon, lat *float64
	if err := r.Scan(append([]any{&e.ID, &e.Type, &attrs, &lon, &lat, &e.CreatedAt, &e.ModifiedAt}, extra...)...); err != nil {
		return nil, err
	}
	var err error
	if e.Attrs, err = ngsild.UnmarshalAttrs([]byte(attrs)); err != nil {
		return nil, fmt.Errorf("entity %s: %w", e.ID, err)
	}
	if lon != nil && lat != nil {
		e.Location = &ngsild.Point{Lon: *lon, Lat: *lat}
	}
	e.CreatedAt, e.ModifiedAt = e.CreatedAt.UTC(), e.ModifiedAt.UTC()
	return &e, nil
}

// Entity returns an entity by ID. errs.NotFound.
func (db *DB) Entity(ctx context.Context, id string) (*ngsild.Entity, error) {
	var e *ngsild.Entity
	err := db.pool.with(ctx, func(c *pgx.Conn) error {
		var err error
		e, err = scanEntity(c.QueryRow(ctx, `SELECT `+entityCols+` FROM ngsi_entities WHERE id = $1`, id))
		return err
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, errs.WithCode(errs.NotFound, "ResourceNotFound", "entity %s does not exist", id)
	} else if err != nil {
		return nil, fmt.Errorf("entity %s: %w", id, err)
	}
	return e, nil
}

// DeleteEntities deletes entities by ID in one statement.
func (db *DB) DeleteEntities(ctx context.Context, ids []string) ([]bool, error) {
	deleted := map[string]bool{}
	err := db.query(ctx, `DELETE FROM ngsi_entities WHERE id = ANY($1) RETURNING id`, []any{ids}, func(r pgx.Rows) error {
		var id string
		if err := r.Scan(&id); err != nil {
			return err
		}
		deleted[id] = true
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("delete entities: %w", err)
	}
	out := make([]bool, len(ids))
	for i, id := range ids {
		out[i] = deleted[id]
		deleted[id] = false // a second mention of the same ID did not exist any more
	}
	return out, nil
}

// DeleteAttribute removes one attribute of an entity.
func (db *DB) DeleteAttribute(ctx context.Context, id, attr string, at time.Time) error {
	err := db.inTx(ctx, pgx.TxOptions{}, func(tx pgx.Tx) error {
		cur, sigs, err := lockEntities(ctx, tx, []string{id}, false)
		if err != nil {
			return err
		}
		e, ok := cur[id]
		if !ok {
			return errs.WithCode(errs.NotFound, "ResourceNotFound", "entity %s does not exist", id)
		}
		if _, ok := e.Attrs[attr]; !ok {
			return errs.WithCode(errs.NotFound, "ResourceNotFound", "entity %s has no attribute %s", id, attr)
		}
		delete(e.Attrs, attr)
		e.Location, e.ModifiedAt = ngsild.LocationOf(e.Attrs), at
		return upsertEntities(ctx, tx, []string{id}, cur, sigs)
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
	errStop := errors.New("page full")
	err = db.query(ctx, `SELECT `+entityCols+` FROM ngsi_entities`+where+` ORDER BY id`, args, func(r pgx.Rows) error {
		e, err := scanEntity(r)
		if err != nil {
			return err
		}
		more, err := p.Add(e)
		if err == nil && !more {
			return errStop
		}
		return err
	})
	switch {
	case errors.Is(err, errStop):
	case errs.KindOf(err) == errs.Forbidden:
		return nil, 0, err
	case err != nil:
		return nil, 0, fmt.Errorf("query entities: %w", err)
	}
	return p.Page, p.Matched(), nil
}

func (db *DB) queryPage(ctx context.Context, q ngsild.Query, where string, args []any) ([]*ngsild.Entity, int, error) {
	total := 0
	if q.Count {
		if err := db.queryRow(ctx, `SELECT count(*) FROM ngsi_entities`+where, args, &total); err != nil {
			return nil, 0, fmt.Errorf("count entities: %w", err)
		}
	}
	n := len(args)
	var out []*ngsild.Entity
	err := db.query(ctx, `SELECT `+entityCols+` FROM ngsi_entities`+where+` ORDER BY id LIMIT $`+strconv.Itoa(n+1)+` OFFSET $`+strconv.Itoa(n+2),
		append(args, q.Limit, q.Offset), func(r pgx.Rows) error {
			e, err := scanEntity(r)
			out = append(out, e)
			return err
		})
	if err != nil {
		return nil, 0, fmt.Errorf("query entities: %w", err)
	}
	return out, total, nil
}

// entityWhere is the SQL prefilter of q.
func entityWhere(q ngsild.Query) (string, []any) {
	var conds []string
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	if len(q.Types) > 0 {
		conds = append(conds, "type = ANY("+arg(q.Types)+")")
	}
	if len(q.IDs) > 0 {
		conds = append(conds, "id = ANY("+arg(q.IDs)+")")
	}
	if b, ok := q.Box(); ok {
		conds = append(conds, "lat BETWEEN "+arg(b.MinLat)+" AND "+arg(b.MaxLat)+" AND lon BETWEEN "+arg(b.MinLon)+" AND "+arg(b.MaxLon))
	}
	if len(conds) == 0 {
		return "", nil
	}
	return " WHERE " + strings.Join(conds, " AND "), args
}

// EntityTypes lists the types with their entity counts.
func (db *DB) EntityTypes(ctx context.Context) ([]ngsild.TypeCount, error) {
	var out []ngsild.TypeCount
	err := db.query(ctx, `SELECT type, count(*) FROM ngsi_entities GROUP BY type ORDER BY type`, nil, func(r pgx.Rows) error {
		var tc ngsild.TypeCount
		err := r.Scan(&tc.Type, &tc.Count)
		out = append(out, tc)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("entity types: %w", err)
	}
	return out, nil
}

// PutSubscription inserts or replaces a subscription.
func (db *DB) PutSubscription(ctx context.Context, s *ngsild.Subscription) error {
	body, err := json.Marshal(s)
	if err != nil {
		return fmt.Errorf("put subscription: %w", err)
	}
	err = db.inTx(ctx, pgx.TxOptions{}, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO ngsi_subscriptions (id, body) VALUES ($1, $2)
			ON CONFLICT (id) DO UPDATE SET body = excluded.body`, s.ID, string(body))
		return err
	})
	if err != nil {
		return fmt.Errorf("put subscription: %w", err)
	}
	return nil
}

// Subscription returns a subscription by ID. errs.NotFound.
func (db *DB) Subscription(ctx context.Context, id string) (*ngsild.Subscription, error) {
	var body []byte
	err := db.queryRow(ctx, `SELECT body FROM ngsi_subscriptions WHERE id = $1`, []any{id}, &body)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, errs.WithCode(errs.NotFound, "ResourceNotFound", "subscription %s does not exist", id)
	} else if err != nil {
		return nil, fmt.Errorf("subscription %s: %w", id, err)
	}
	return decodeSubscription(body)
}

func decodeSubscription(body []byte) (*ngsild.Subscription, error) {
	var s ngsild.Subscription
	if err := json.Unmarshal(body, &s); err != nil {
		return nil, fmt.Errorf("subscription: %w", err)
	}
	return &s, nil
}

// Subscriptions lists subscriptions by ID.
func (db *DB) Subscriptions(ctx context.Context) ([]*ngsild.Subscription, error) {
	var out []*ngsild.Subscription
	err := db.query(ctx, `SELECT body FROM ngsi_subscriptions ORDER BY id`, nil, func(r pgx.Rows) error {
		var body []byte
		if err := r.Scan(&body); err != nil {
			return err
		}
		s, err := decodeSubscription(body)
		out = append(out, s)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("subscriptions: %w", err)
	}
	return out, nil
}

// DeleteSubscription deletes a subscription. errs.NotFound.
func (db *DB) DeleteSubscription(ctx context.Context, id string) error {
	var n int64
	err := db.inTx(ctx, pgx.TxOptions{}, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `DELETE FROM ngsi_subscriptions WHERE id = $1`, id)
		n = tag.RowsAffected()
		return err
	})
	if err != nil {
		return fmt.Errorf("delete subscription: %w", err)
	}
	if n == 0 {
		return errs.WithCode(errs.NotFound, "ResourceNotFound", "subscription %s does not exist", id)
	}
	return nil
}

// RecordNotification counts a notification's result.
func (db *DB) RecordNotification(ctx context.Context, id string, ok bool, at time.Time) error {
	err := db.inTx(ctx, pgx.TxOptions{}, func(tx pgx.Tx) error {
		var body []byte
		err := tx.QueryRow(ctx, `SELECT body FROM ngsi_subscriptions WHERE id = $1 FOR UPDATE`, id).Scan(&body)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil
		} else if err != nil {
			return err
		}
		s, err := decodeSubscription(body)
		if err != nil {
			return err
		}
		ngsild.Count(s, ok, at)
		b, err := json.Marshal(s)
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE ngsi_subscriptions SET body = $1 WHERE id = $2`, string(b), id)
		return err
	})
	if err != nil {
		return fmt.Errorf("record notification: %w", err)
	}
	return nil
}
