package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/socle/socle/internal/errs"
	"github.com/socle/socle/internal/registers"
)

// The registers: one JSON document per entry in register_entries, keyed
// by kind and ID (migration 0011).

const (
	kindProcessing = "processing"
	kindAlgorithm  = "algorithm"
)

// PutProcessing inserts or replaces an activity, its creation time kept.
func (db *DB) PutProcessing(ctx context.Context, p *registers.Processing) error {
	created, err := db.putEntry(ctx, kindProcessing, p.ID, p, p.Updated)
	p.Created = created
	return err
}

// PutAlgorithm inserts or replaces an algorithm.
func (db *DB) PutAlgorithm(ctx context.Context, a *registers.Algorithm) error {
	_, err := db.putEntry(ctx, kindAlgorithm, a.ID, a, a.Updated)
	return err
}

// putEntry upserts an entry and returns its creation time (the stored one
// on replace, else updated).
func (db *DB) putEntry(ctx context.Context, kind, id string, doc any, updated time.Time) (time.Time, error) {
	body, err := json.Marshal(doc)
	if err != nil {
		return time.Time{}, fmt.Errorf("put %s %s: %w", kind, id, err)
	}
	var created string
	err = db.write.QueryRowContext(ctx, `INSERT INTO register_entries (kind, id, body, created_at, updated_at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (kind, id) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at
		RETURNING created_at`, kind, id, string(body), fmtOrdered(updated), fmtOrdered(updated)).Scan(&created)
	if err != nil {
		return time.Time{}, fmt.Errorf("put %s %s: %w", kind, id, err)
	}
	return parseOrdered(created), nil
}

// Processing returns an activity. errs.NotFound.
func (db *DB) Processing(ctx context.Context, id string) (*registers.Processing, error) {
	var p registers.Processing
	created, err := db.getEntry(ctx, kindProcessing, id, &p)
	p.Created = created
	return &p, err
}

// Algorithm returns an algorithm. errs.NotFound.
func (db *DB) Algorithm(ctx context.Context, id string) (*registers.Algorithm, error) {
	var a registers.Algorithm
	_, err := db.getEntry(ctx, kindAlgorithm, id, &a)
	return &a, err
}

func (db *DB) getEntry(ctx context.Context, kind, id string, into any) (time.Time, error) {
	var body, created string
	err := db.read.QueryRowContext(ctx, `SELECT body, created_at FROM register_entries WHERE kind = ? AND id = ?`, kind, id).Scan(&body, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, errs.E(errs.NotFound, "%s %q not found", kind, id)
	} else if err != nil {
		return time.Time{}, fmt.Errorf("%s %s: %w", kind, id, err)
	}
	return parseOrdered(created), json.Unmarshal([]byte(body), into)
}

// Processings lists the activities by ID.
func (db *DB) Processings(ctx context.Context) ([]*registers.Processing, error) {
	var out []*registers.Processing
	err := db.eachEntry(ctx, kindProcessing, func(body []byte, created time.Time) error {
		var p registers.Processing
		p.Created = created
		out = append(out, &p)
		return json.Unmarshal(body, &p)
	})
	return out, err
}

// Algorithms lists the algorithms by ID.
func (db *DB) Algorithms(ctx context.Context) ([]*registers.Algorithm, error) {
	var out []*registers.Algorithm
	err := db.eachEntry(ctx, kindAlgorithm, func(body []byte, _ time.Time) error {
		var a registers.Algorithm
		out = append(out, &a)
		return json.Unmarshal(body, &a)
	})
	return out, err
}

func (db *DB) eachEntry(ctx context.Context, kind string, fn func(body []byte, created time.Time) error) error {
	rows, err := db.read.QueryContext(ctx, `SELECT body, created_at FROM register_entries WHERE kind = ? ORDER BY id`, kind)
	if err != nil {
		return fmt.Errorf("%s list: %w", kind, err)
	}
	defer rows.Close()
	for rows.Next() {
		var body, created string
		if err := rows.Scan(&body, &created); err != nil {
			return fmt.Errorf("%s list: %w", kind, err)
		}
		if err := fn([]byte(body), parseOrdered(created)); err != nil {
			return fmt.Errorf("%s list: %w", kind, err)
		}
	}
	return rows.Err()
}

// DeleteProcessing removes an activity. errs.NotFound.
func (db *DB) DeleteProcessing(ctx context.Context, id string) error {
	return db.deleteEntry(ctx, kindProcessing, id)
}

// DeleteAlgorithm removes an algorithm. errs.NotFound.
func (db *DB) DeleteAlgorithm(ctx context.Context, id string) error {
	return db.deleteEntry(ctx, kindAlgorithm, id)
}

func (db *DB) deleteEntry(ctx context.Context, kind, id string) error {
	res, err := db.write.ExecContext(ctx, `DELETE FROM register_entries WHERE kind = ? AND id = ?`, kind, id)
	if err != nil {
		return fmt.Errorf("delete %s %s: %w", kind, id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return errs.E(errs.NotFound, "%s %q not found", kind, id)
	}
	return nil
}

const kindContract = "contract"

// PutContract inserts or replaces a contract.
func (db *DB) PutContract(ctx context.Context, c *registers.Contract) error {
	_, err := db.putEntry(ctx, kindContract, c.ID, c, c.Updated)
	return err
}

// Contract returns a contract. errs.NotFound.
func (db *DB) Contract(ctx context.Context, id string) (*registers.Contract, error) {
	var c registers.Contract
	_, err := db.getEntry(ctx, kindContract, id, &c)
	return &c, err
}

// Contracts lists the contracts by ID.
func (db *DB) Contracts(ctx context.Context) ([]*registers.Contract, error) {
	var out []*registers.Contract
	err := db.eachEntry(ctx, kindContract, func(body []byte, _ time.Time) error {
		var c registers.Contract
		out = append(out, &c)
		return json.Unmarshal(body, &c)
	})
	return out, err
}

// DeleteContract removes a contract. errs.NotFound.
func (db *DB) DeleteContract(ctx context.Context, id string) error {
	return db.deleteEntry(ctx, kindContract, id)
}
