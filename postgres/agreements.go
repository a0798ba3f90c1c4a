package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/socle/socle/internal/agreements"
	"github.com/socle/socle/internal/errs"
)

// PutAgreement creates or replaces an agreement.
func (db *DB) PutAgreement(ctx context.Context, a *agreements.Agreement) error {
	err := db.exec(ctx, `INSERT INTO agreements (id, partner, body) VALUES ($1, $2, $3)
		ON CONFLICT (id) DO UPDATE SET partner = excluded.partner, body = excluded.body`, a.ID, a.Partner, a)
	if err != nil {
		return fmt.Errorf("put agreement: %w", err)
	}
	return nil
}

// Agreement returns one agreement.
func (db *DB) Agreement(ctx context.Context, id string) (*agreements.Agreement, error) {
	var a agreements.Agreement
	err := db.queryRow(ctx, `SELECT body FROM agreements WHERE id = $1`, []any{id}, &a)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, errs.E(errs.NotFound, "agreement %q not found", id)
	}
	if err != nil {
		return nil, fmt.Errorf("agreement: %w", err)
	}
	return &a, nil
}

// Agreements lists agreements by ID, of one partner or all.
func (db *DB) Agreements(ctx context.Context, partner string) ([]*agreements.Agreement, error) {
	var out []*agreements.Agreement
	err := db.query(ctx, `SELECT body FROM agreements WHERE $1 = '' OR partner = $1 ORDER BY id`, []any{partner}, func(r pgx.Rows) error {
		var a agreements.Agreement
		if err := r.Scan(&a); err != nil {
			return err
		}
		out = append(out, &a)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("agreements: %w", err)
	}
	return out, nil
}

// AddAgreementUsage counts requests and records against an agreement.
func (db *DB) AddAgreementUsage(ctx context.Context, id string, requests, records int64, at time.Time) error {
	err := db.exec(ctx, `INSERT INTO agreement_usage AS u (id, requests, records, last_access) VALUES ($1, $2, $3, $4)
		ON CONFLICT (id) DO UPDATE SET requests = u.requests + excluded.requests, records = u.records + excluded.records,
		last_access = greatest(u.last_access, excluded.last_access)`, id, requests, records, at)
	if err != nil {
		return fmt.Errorf("agreement usage: %w", err)
	}
	return nil
}

// AgreementUsage returns an agreement's usage.
func (db *DB) AgreementUsage(ctx context.Context, id string) (agreements.Usage, error) {
	var u agreements.Usage
	var last *time.Time
	err := db.queryRow(ctx, `SELECT requests, records, last_access FROM agreement_usage WHERE id = $1`, []any{id}, &u.Requests, &u.Records, &last)
	if errors.Is(err, pgx.ErrNoRows) {
		return u, nil
	}
	if err != nil {
		return u, fmt.Errorf("agreement usage: %w", err)
	}
	if last != nil {
		u.LastAccess = last.UTC()
	}
	return u, nil
}
