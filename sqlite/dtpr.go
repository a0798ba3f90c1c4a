package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/socle/socle/internal/dtpr"
	"github.com/socle/socle/internal/errs"
)

// PutChain inserts or replaces a device's datachain.
func (db *DB) PutChain(ctx context.Context, r *dtpr.Record) error {
	body, err := json.Marshal(r.Chain)
	if err != nil {
		return fmt.Errorf("put chain %s: %w", r.Device, err)
	}
	_, err = db.write.ExecContext(ctx, `INSERT INTO dtpr_chains (device, chain, updated_at, updated_by) VALUES (?, ?, ?, ?)
		ON CONFLICT (device) DO UPDATE SET chain = excluded.chain, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
		r.Device, string(body), fmtOrdered(r.UpdatedAt), r.UpdatedBy)
	if err != nil {
		return fmt.Errorf("put chain %s: %w", r.Device, err)
	}
	return nil
}

// Chain returns a device's datachain. errs.NotFound.
func (db *DB) Chain(ctx context.Context, device string) (*dtpr.Record, error) {
	r, err := scanChain(db.read.QueryRowContext(ctx, `SELECT device, chain, updated_at, updated_by FROM dtpr_chains WHERE device = ?`, device))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errs.E(errs.NotFound, "no datachain for device %s", device)
	} else if err != nil {
		return nil, fmt.Errorf("chain %s: %w", device, err)
	}
	return r, nil
}

// Chains lists every datachain by device.
func (db *DB) Chains(ctx context.Context) ([]*dtpr.Record, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT device, chain, updated_at, updated_by FROM dtpr_chains ORDER BY device`)
	if err != nil {
		return nil, fmt.Errorf("chains: %w", err)
	}
	defer rows.Close()
	var out []*dtpr.Record
	for rows.Next() {
		r, err := scanChain(rows)
		if err != nil {
			return nil, fmt.Errorf("chains: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

func scanChain(row interface{ Scan(...any) error }) (*dtpr.Record, error) {
	var r dtpr.Record
	var body, at string
	if err := row.Scan(&r.Device, &body, &at, &r.UpdatedBy); err != nil {
		return nil, err
	}
	r.UpdatedAt = parseOrdered(at)
	return &r, json.Unmarshal([]byte(body), &r.Chain)
}

// parseOrdered reads a datetimeLayout time.
func parseOrdered(s string) time.Time {
	t, _ := time.Parse(datetimeLayout, s)
	return t
}

const opinionColumns = `id, device, understand, useful, comfort, comment, status, reply, client_hash, created_at, moderated_by, moderated_at`

// AddOpinion stores o and sets its ID.
func (db *DB) AddOpinion(ctx context.Context, o *dtpr.Opinion) error {
	res, err := db.write.ExecContext(ctx, `INSERT INTO dtpr_opinions (device, understand, useful, comfort, comment, status, reply, client_hash, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, o.Device, o.Understand, o.Useful, o.Comfort, o.Comment, o.Status, o.Reply, o.ClientHash, fmtOrdered(o.CreatedAt))
	if err == nil {
		o.ID, err = res.LastInsertId()
	}
	if err != nil {
		return fmt.Errorf("add opinion: %w", err)
	}
	return nil
}

// Opinion returns one opinion. errs.NotFound.
func (db *DB) Opinion(ctx context.Context, id int64) (*dtpr.Opinion, error) {
	o, err := scanOpinion(db.read.QueryRowContext(ctx, `SELECT `+opinionColumns+` FROM dtpr_opinions WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errs.E(errs.NotFound, "opinion %d not found", id)
	} else if err != nil {
		return nil, fmt.Errorf("opinion %d: %w", id, err)
	}
	return o, nil
}

// Opinions lists opinions newest first.
func (db *DB) Opinions(ctx context.Context, f dtpr.OpinionFilter) ([]*dtpr.Opinion, error) {
	limit := f.Limit
	if limit <= 0 {
		limit = -1
	}
	rows, err := db.read.QueryContext(ctx, `SELECT `+opinionColumns+` FROM dtpr_opinions
		WHERE (? = '' OR device = ?) AND (? = '' OR status = ?) ORDER BY created_at DESC, id DESC LIMIT ?`,
		f.Device, f.Device, f.Status, f.Status, limit)
	if err != nil {
		return nil, fmt.Errorf("opinions: %w", err)
	}
	defer rows.Close()
	var out []*dtpr.Opinion
	for rows.Next() {
		o, err := scanOpinion(rows)
		if err != nil {
			return nil, fmt.Errorf("opinions: %w", err)
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

func scanOpinion(row interface{ Scan(...any) error }) (*dtpr.Opinion, error) {
	var o dtpr.Opinion
	var at string
	var mod sql.NullString
	err := row.Scan(&o.ID, &o.Device, &o.Understand, &o.Useful, &o.Comfort, &o.Comment, &o.Status, &o.Reply,
		&o.ClientHash, &at, &o.ModeratedBy, &mod)
	if err != nil {
		return nil, err
	}
	o.CreatedAt = parseOrdered(at)
	if mod.Valid {
		t := parseOrdered(mod.String)
		o.ModeratedAt = &t
	}
	return &o, nil
}

// ModerateOpinion sets an opinion's status, reply and moderator.
func (db *DB) ModerateOpinion(ctx context.Context, o *dtpr.Opinion) error {
	var at any
	if o.ModeratedAt != nil {
		at = fmtOrdered(*o.ModeratedAt)
	}
	res, err := db.write.ExecContext(ctx, `UPDATE dtpr_opinions SET status = ?, reply = ?, moderated_by = ?, moderated_at = ? WHERE id = ?`,
		o.Status, o.Reply, o.ModeratedBy, at, o.ID)
	if err != nil {
		return fmt.Errorf("moderate opinion %d: %w", o.ID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return errs.E(errs.NotFound, "opinion %d not found", o.ID)
	}
	return nil
}

// CountOpinions counts a client's opinions since a time.
func (db *DB) CountOpinions(ctx context.Context, clientHash, device string, since time.Time) (int, error) {
	var n int
	err := db.read.QueryRowContext(ctx, `SELECT count(*) FROM dtpr_opinions WHERE client_hash = ? AND created_at >= ? AND (? = '' OR device = ?)`,
		clientHash, fmtOrdered(since), device, device).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count opinions: %w", err)
	}
	return n, nil
}

// OpinionStats sums the published opinions per device.
func (db *DB) OpinionStats(ctx context.Context) ([]dtpr.Stats, error) {
	rows, err := db.read.QueryContext(ctx, opinionStatsSQL)
	if err != nil {
		return nil, fmt.Errorf("opinion stats: %w", err)
	}
	defer rows.Close()
	var out []dtpr.Stats
	for rows.Next() {
		var s dtpr.Stats
		if err := rows.Scan(&s.Device, &s.Count, &s.Understand[0], &s.Understand[1], &s.Understand[2], &s.UsefulSum, &s.ComfortSum); err != nil {
			return nil, fmt.Errorf("opinion stats: %w", err)
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

const opinionStatsSQL = `SELECT device, count(*),
	sum(CASE WHEN understand = 'oui' THEN 1 ELSE 0 END),
	sum(CASE WHEN understand = 'partiel' THEN 1 ELSE 0 END),
	sum(CASE WHEN understand = 'non' THEN 1 ELSE 0 END),
	sum(useful), sum(comfort)
	FROM dtpr_opinions WHERE status = 'published' GROUP BY device ORDER BY device`
