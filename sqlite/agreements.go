package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/socle/socle/internal/agreements"
	"github.com/socle/socle/internal/errs"
)

// PutAgreement creates or replaces an agreement.
func (db *DB) PutAgreement(ctx context.Context, a *agreements.Agreement) error {
	body, err := json.Marshal(a)
	if err != nil {
		return err
	}
	_, err = db.write.ExecContext(ctx, `INSERT INTO agreements (id, partner, body) VALUES (?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET partner = excluded.partner, body = excluded.body`, a.ID, a.Partner, string(body))
	if err != nil {
		return fmt.Errorf("put agreement: %w", err)
	}
	return nil
}

// Agreement returns one agreement.
func (db *DB) Agreement(ctx context.Context, id string) (*agreements.Agreement, error) {
	var body string
	err := db.read.QueryRowContext(ctx, `SELECT body FROM agreements WHERE id = ?`, id).Scan(&body)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errs.E(errs.NotFound, "agreement %q not found", id)
	}
	if err != nil {
		return nil, fmt.Errorf("agreement: %w", err)
	}
	return decodeAgreement(body)
}

// Agreements lists agreements by ID, of one partner or all.
func (db *DB) Agreements(ctx context.Context, partner string) ([]*agreements.Agreement, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT body FROM agreements WHERE ? = '' OR partner = ? ORDER BY id`, partner, partner)
	if err != nil {
		return nil, fmt.Errorf("agreements: %w", err)
	}
	defer rows.Close()
	var out []*agreements.Agreement
	for rows.Next() {
		var body string
		if err := rows.Scan(&body); err != nil {
			return nil, err
		}
		a, err := decodeAgreement(body)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

func decodeAgreement(body string) (*agreements.Agreement, error) {
	var a agreements.Agreement
	if err := json.Unmarshal([]byte(body), &a); err != nil {
		return nil, fmt.Errorf("agreement body: %w", err)
	}
	return &a, nil
}

// AddAgreementUsage counts requests and records against an agreement.
func (db *DB) AddAgreementUsage(ctx context.Context, id string, requests, records int64, at time.Time) error {
	_, err := db.write.ExecContext(ctx, `INSERT INTO agreement_usage (id, requests, records, last_access) VALUES (?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET requests = requests + excluded.requests, records = records + excluded.records,
		last_access = excluded.last_access`, id, requests, records, fmtTime(at))
	if err != nil {
		return fmt.Errorf("agreement usage: %w", err)
	}
	return nil
}

// AgreementUsage returns an agreement's usage.
func (db *DB) AgreementUsage(ctx context.Context, id string) (agreements.Usage, error) {
	var u agreements.Usage
	var last string
	err := db.read.QueryRowContext(ctx, `SELECT requests, records, last_access FROM agreement_usage WHERE id = ?`, id).Scan(&u.Requests, &u.Records, &last)
	if errors.Is(err, sql.ErrNoRows) {
		return u, nil
	}
	if err != nil {
		return u, fmt.Errorf("agreement usage: %w", err)
	}
	u.LastAccess = parseTime(last)
	return u, nil
}
