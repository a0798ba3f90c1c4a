package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/socle/socle/internal/dtpr"
	"github.com/socle/socle/internal/errs"
)

// PutDeployment inserts or replaces a deployment.
func (db *DB) PutDeployment(ctx context.Context, d *dtpr.Deployment) error {
	err := db.pool.with(ctx, func(c *pgx.Conn) error {
		_, err := c.Exec(ctx, `INSERT INTO dtpr_deployments (id, body, updated_at, updated_by) VALUES ($1, $2, $3, $4)
			ON CONFLICT (id) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
			d.ID, d, d.UpdatedAt, d.UpdatedBy)
		return err
	})
	if err != nil {
		return fmt.Errorf("put deployment %s: %w", d.ID, err)
	}
	return nil
}

// Deployment returns one deployment. errs.NotFound.
func (db *DB) Deployment(ctx context.Context, id string) (*dtpr.Deployment, error) {
	var d *dtpr.Deployment
	err := db.pool.with(ctx, func(c *pgx.Conn) error {
		var err error
		d, err = scanDeployment(c.QueryRow(ctx, `SELECT body, updated_at FROM dtpr_deployments WHERE id = $1`, id))
		return err
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, errs.E(errs.NotFound, "deployment %s not found", id)
	} else if err != nil {
		return nil, fmt.Errorf("deployment %s: %w", id, err)
	}
	return d, nil
}

// Deployments lists the deployments by ID.
func (db *DB) Deployments(ctx context.Context) ([]*dtpr.Deployment, error) {
	var out []*dtpr.Deployment
	err := db.pool.with(ctx, func(c *pgx.Conn) error {
		rows, err := c.Query(ctx, `SELECT body, updated_at FROM dtpr_deployments ORDER BY id COLLATE "C"`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			d, err := scanDeployment(rows)
			if err != nil {
				return err
			}
			out = append(out, d)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("deployments: %w", err)
	}
	return out, nil
}

func scanDeployment(row pgx.Row) (*dtpr.Deployment, error) {
	d := &dtpr.Deployment{}
	if err := row.Scan(d, &d.UpdatedAt); err != nil {
		return nil, err
	}
	d.UpdatedAt = d.UpdatedAt.UTC()
	return d, nil
}

// DeleteDeployment deletes one. errs.NotFound.
func (db *DB) DeleteDeployment(ctx context.Context, id string) error {
	var n int64
	err := db.pool.with(ctx, func(c *pgx.Conn) error {
		tag, err := c.Exec(ctx, `DELETE FROM dtpr_deployments WHERE id = $1`, id)
		n = tag.RowsAffected()
		return err
	})
	if err != nil {
		return fmt.Errorf("delete deployment %s: %w", id, err)
	}
	if n == 0 {
		return errs.E(errs.NotFound, "deployment %s not found", id)
	}
	return nil
}
