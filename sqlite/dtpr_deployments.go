package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/socle/socle/internal/dtpr"
	"github.com/socle/socle/internal/errs"
)

// PutDeployment inserts or replaces a deployment.
func (db *DB) PutDeployment(ctx context.Context, d *dtpr.Deployment) error {
	body, err := json.Marshal(d)
	if err == nil {
		_, err = db.write.ExecContext(ctx, `INSERT INTO dtpr_deployments (id, body, updated_at, updated_by) VALUES (?, ?, ?, ?)
			ON CONFLICT (id) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
			d.ID, string(body), fmtOrdered(d.UpdatedAt), d.UpdatedBy)
	}
	if err != nil {
		return fmt.Errorf("put deployment %s: %w", d.ID, err)
	}
	return nil
}

// Deployment returns one deployment. errs.NotFound.
func (db *DB) Deployment(ctx context.Context, id string) (*dtpr.Deployment, error) {
	d, err := scanDeployment(db.read.QueryRowContext(ctx, `SELECT body, updated_at FROM dtpr_deployments WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errs.E(errs.NotFound, "deployment %s not found", id)
	} else if err != nil {
		return nil, fmt.Errorf("deployment %s: %w", id, err)
	}
	return d, nil
}

// Deployments lists the deployments by ID.
func (db *DB) Deployments(ctx context.Context) ([]*dtpr.Deployment, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT body, updated_at FROM dtpr_deployments ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("deployments: %w", err)
	}
	defer rows.Close()
	var out []*dtpr.Deployment
	for rows.Next() {
		d, err := scanDeployment(rows)
		if err != nil {
			return nil, fmt.Errorf("deployments: %w", err)
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// scanDeployment reads the JSON body; updated_at is kept in its column
// for ordered text, and read from it to have one precision on both engines.
func scanDeployment(row interface{ Scan(...any) error }) (*dtpr.Deployment, error) {
	var body, at string
	if err := row.Scan(&body, &at); err != nil {
		return nil, err
	}
	var d dtpr.Deployment
	if err := json.Unmarshal([]byte(body), &d); err != nil {
		return nil, err
	}
	d.UpdatedAt = parseOrdered(at)
	return &d, nil
}

// DeleteDeployment deletes one. errs.NotFound.
func (db *DB) DeleteDeployment(ctx context.Context, id string) error {
	res, err := db.write.ExecContext(ctx, `DELETE FROM dtpr_deployments WHERE id = ?`, id)
	if err != nil {
		return fmt.Errorf("delete deployment %s: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return errs.E(errs.NotFound, "deployment %s not found", id)
	}
	return nil
}
