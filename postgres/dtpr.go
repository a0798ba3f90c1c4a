package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/socle/socle/internal/dtpr"
	"github.com/socle/socle/internal/errs"
)

// PutChain inserts or replaces a device's datachain.
func (db *DB) PutChain(ctx context.Context, r *dtpr.Record) error {
	err := db.pool.with(ctx, func(c *pgx.Conn) error {
		_, err := c.Exec(ctx, `INSERT INTO dtpr_chains (device, chain, updated_at, updated_by) VALUES ($1, $2, $3, $4)
			ON CONFLICT (device) DO UPDATE SET chain = excluded.chain, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
			r.Device, r.Chain, r.UpdatedAt, r.UpdatedBy)
		return err
	})
	if err != nil {
		return fmt.Errorf("put chain %s: %w", r.Device, err)
	}
	return nil
}

// Chain returns a device's datachain. errs.NotFound.
func (db *DB) Chain(ctx context.Context, device string) (*dtpr.Record, error) {
	var r *dtpr.Record
	err := db.pool.with(ctx, func(c *pgx.Conn) error {
		var err error
		r, err = scanChain(c.QueryRow(ctx, `SELECT device, chain, updated_at, updated_by FROM dtpr_chains WHERE device = $1`, device))
		return err
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, errs.E(errs.NotFound, "no datachain for device %s", device)
	} else if err != nil {
		return nil, fmt.Errorf("chain %s: %w", device, err)
	}
	return r, nil
}

// Chains lists every datachain by device.
func (db *DB) Chains(ctx context.Context) ([]*dtpr.Record, error) {
	var out []*dtpr.Record
	err := db.pool.with(ctx, func(c *pgx.Conn) error {
		rows, err := c.Query(ctx, `SELECT device, chain, updated_at, updated_by FROM dtpr_chains ORDER BY device COLLATE "C"`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			r, err := scanChain(rows)
			if err != nil {
				return err
			}
			out = append(out, r)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("chains: %w", err)
	}
	return out, nil
}

func scanChain(row pgx.Row) (*dtpr.Record, error) {
	r := dtpr.Record{Chain: &dtpr.Chain{}}
	if err := row.Scan(&r.Device, r.Chain, &r.UpdatedAt, &r.UpdatedBy); err != nil {
		return nil, err
	}
	r.UpdatedAt = r.UpdatedAt.UTC()
	return &r, nil
}

const opinionColumns = `id, device, understand, useful, comfort, comment, status, reply, client_hash, created_at, moderated_by, moderated_at`

// AddOpinion stores o and sets its ID.
func (db *DB) AddOpinion(ctx context.Context, o *dtpr.Opinion) error {
	err := db.pool.with(ctx, func(c *pgx.Conn) error {
		return c.QueryRow(ctx, `INSERT INTO dtpr_opinions (device, understand, useful, comfort, comment, status, reply, client_hash, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`, o.Device, o.Understand, o.Useful, o.Comfort, o.Comment,
			o.Status, o.Reply, o.ClientHash, o.CreatedAt).Scan(&o.ID)
	})
	if err != nil {
		return fmt.Errorf("add opinion: %w", err)
	}
	return nil
}

// Opinion returns one opinion. errs.NotFound.
func (db *DB) Opinion(ctx context.Context, id int64) (*dtpr.Opinion, error) {
	var o *dtpr.Opinion
	err := db.pool.with(ctx, func(c *pgx.Conn) error {
		var err error
		o, err = scanOpinion(c.QueryRow(ctx, `SELECT `+opinionColumns+` FROM dtpr_opinions WHERE id = $1`, id))
		return err
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, errs.E(errs.NotFound, "opinion %d not found", id)
	} else if err != nil {
		return nil, fmt.Errorf("opinion %d: %w", id, err)
	}
	return o, nil
}

// Opinions lists opinions newest first.
func (db *DB) Opinions(ctx context.Context, f dtpr.OpinionFilter) ([]*dtpr.Opinion, error) {
	var limit any
	if f.Limit > 0 {
		limit = f.Limit
	}
	var out []*dtpr.Opinion
	err := db.pool.with(ctx, func(c *pgx.Conn) error {
		rows, err := c.Query(ctx, `SELECT `+opinionColumns+` FROM dtpr_opinions
			WHERE ($1 = '' OR device = $1) AND ($2 = '' OR status = $2) ORDER BY created_at DESC, id DESC LIMIT $3`,
			f.Device, f.Status, limit)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			o, err := scanOpinion(rows)
			if err != nil {
				return err
			}
			out = append(out, o)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("opinions: %w", err)
	}
	return out, nil
}

func scanOpinion(row pgx.Row) (*dtpr.Opinion, error) {
	var o dtpr.Opinion
	err := row.Scan(&o.ID, &o.Device, &o.Understand, &o.Useful, &o.Comfort, &o.Comment, &o.Status, &o.Reply,
		&o.ClientHash, &o.CreatedAt, &o.ModeratedBy, &o.ModeratedAt)
	if err != nil {
		return nil, err
	}
	o.CreatedAt = o.CreatedAt.UTC()
	if o.ModeratedAt != nil {
		t := o.ModeratedAt.UTC()
		o.ModeratedAt = &t
	}
	return &o, nil
}

// ModerateOpinion sets an opinion's status, reply and moderator.
func (db *DB) ModerateOpinion(ctx context.Context, o *dtpr.Opinion) error {
	var n int64
	err := db.pool.with(ctx, func(c *pgx.Conn) error {
		tag, err := c.Exec(ctx, `UPDATE dtpr_opinions SET status = $1, reply = $2, moderated_by = $3, moderated_at = $4 WHERE id = $5`,
			o.Status, o.Reply, o.ModeratedBy, o.ModeratedAt, o.ID)
		n = tag.RowsAffected()
		return err
	})
	if err != nil {
		return fmt.Errorf("moderate opinion %d: %w", o.ID, err)
	}
	if n == 0 {
		return errs.E(errs.NotFound, "opinion %d not found", o.ID)
	}
	return nil
}

// CountOpinions counts a client's opinions since a time.
func (db *DB) CountOpinions(ctx context.Context, clientHash, device string, since time.Time) (int, error) {
	var n int
	err := db.pool.with(ctx, func(c *pgx.Conn) error {
		return c.QueryRow(ctx, `SELECT count(*) FROM dtpr_opinions WHERE client_hash = $1 AND created_at >= $2 AND ($3 = '' OR device = $3)`,
			clientHash, since, device).Scan(&n)
	})
	if err != nil {
		return 0, fmt.Errorf("count opinions: %w", err)
	}
	return n, nil
}

// OpinionStats sums the published opinions per device.
func (db *DB) OpinionStats(ctx context.Context) ([]dtpr.Stats, error) {
	var out []dtpr.Stats
	err := db.pool.with(ctx, func(c *pgx.Conn) error {
		rows, err := c.Query(ctx, `SELECT device, count(*),
			count(*) FILTER (WHERE understand = 'oui'), count(*) FILTER (WHERE understand = 'partiel'),
			count(*) FILTER (WHERE understand = 'non'), sum(useful), sum(comfort)
			FROM dtpr_opinions WHERE status = 'published' GROUP BY device ORDER BY device COLLATE "C"`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var s dtpr.Stats
			if err := rows.Scan(&s.Device, &s.Count, &s.Understand[0], &s.Understand[1], &s.Understand[2], &s.UsefulSum, &s.ComfortSum); err != nil {
				return err
			}
			out = append(out, s)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("opinion stats: %w", err)
	}
	return out, nil
}
