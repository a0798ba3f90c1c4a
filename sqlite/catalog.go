package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/socle/socle/internal/catalog"
	"github.com/socle/socle/internal/errs"
	"github.com/socle/socle/internal/sqlrows"
)

const timeLayout = time.RFC3339Nano

func fmtTime(t time.Time) string { return t.UTC().Format(timeLayout) }

func parseTime(s string) time.Time {
	t, _ := time.Parse(timeLayout, s)
	return t
}

// PutOrganization inserts or replaces an organization.
func (db *DB) PutOrganization(ctx context.Context, o *catalog.Organization) error {
	if o.CreatedAt.IsZero() {
		o.CreatedAt = time.Now().UTC()
	}
	body, err := json.Marshal(o)
	if err != nil {
		return err
	}
	_, err = db.write.ExecContext(ctx, `INSERT INTO organizations (id, name, kind, body, created_at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET name = excluded.name, kind = excluded.kind, body = excluded.body`,
		o.ID, o.Name, string(o.Kind), string(body), fmtTime(o.CreatedAt))
	if err != nil {
		return fmt.Errorf("put organization %s: %w", o.ID, err)
	}
	return nil
}

// Organization returns one organization.
func (db *DB) Organization(ctx context.Context, id string) (*catalog.Organization, error) {
	var body string
	err := db.read.QueryRowContext(ctx, `SELECT body FROM organizations WHERE id = ?`, id).Scan(&body)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errs.E(errs.NotFound, "organization %q not found", id)
	} else if err != nil {
		return nil, fmt.Errorf("organization %s: %w", id, err)
	}
	var o catalog.Organization
	return &o, json.Unmarshal([]byte(body), &o)
}

// Organizations lists organizations by name.
func (db *DB) Organizations(ctx context.Context) ([]*catalog.Organization, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT body FROM organizations ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("organizations: %w", err)
	}
	defer rows.Close()
	var out []*catalog.Organization
	for rows.Next() {
		var body string
		if err := rows.Scan(&body); err != nil {
			return nil, err
		}
		var o catalog.Organization
		if err := json.Unmarshal([]byte(body), &o); err != nil {
			return nil, err
		}
		out = append(out, &o)
	}
	return out, rows.Err()
}

// CreateDataset inserts a dataset with no records.
func (db *DB) CreateDataset(ctx context.Context, d *catalog.Dataset) error {
	meta, fields, err := encodeDataset(d)
	if err != nil {
		return err
	}
	_, err = db.write.ExecContext(ctx, `INSERT INTO datasets (id, uid, access, meta, fields, version, records, issued, modified)
		VALUES (?, ?, ?, ?, ?, 0, 0, ?, ?)`,
		d.ID, d.UID, string(d.Access), meta, fields, fmtTime(d.Issued), fmtTime(d.Modified))
	if err != nil {
		if strings.Contains(err.Error(), "UNIQUE") {
			return errs.E(errs.Conflict, "dataset %q already exists", d.ID)
		}
		return fmt.Errorf("create dataset %s: %w", d.ID, err)
	}
	return nil
}

// UpdateDataset saves the access level and metadata.
func (db *DB) UpdateDataset(ctx context.Context, d *catalog.Dataset) error {
	meta, _, err := encodeDataset(d)
	if err != nil {
		return err
	}
	res, err := db.write.ExecContext(ctx, `UPDATE datasets SET access = ?, meta = ?, modified = ? WHERE id = ?`,
		string(d.Access), meta, fmtTime(d.Modified), d.ID)
	if err != nil {
		return fmt.Errorf("update dataset %s: %w", d.ID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return errs.E(errs.NotFound, "dataset %q not found", d.ID)
	}
	return nil
}

func encodeDataset(d *catalog.Dataset) (meta, fields string, err error) {
	m, err := json.Marshal(d.Meta)
	if err != nil {
		return "", "", err
	}
	f, err := json.Marshal(d.Fields)
	if err != nil {
		return "", "", err
	}
	return string(m), string(f), nil
}

const datasetColumns = `id, uid, access, meta, fields, version, records, issued, modified`

// Dataset returns one dataset with its kept versions.
func (db *DB) Dataset(ctx context.Context, id string) (*catalog.Dataset, error) {
	row := db.read.QueryRowContext(ctx, `SELECT `+datasetColumns+` FROM datasets WHERE id = ?`, id)
	d, err := scanDataset(row)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errs.E(errs.NotFound, "dataset %q not found", id)
	} else if err != nil {
		return nil, fmt.Errorf("dataset %s: %w", id, err)
	}
	d.Versions, err = db.versions(ctx, id)
	return d, err
}

// Datasets lists all datasets by ID.
func (db *DB) Datasets(ctx context.Context) ([]*catalog.Dataset, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+datasetColumns+` FROM datasets ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("datasets: %w", err)
	}
	return collect(rows, scanDataset)
}

type scanner interface{ Scan(dest ...any) error }

func scanDataset(s scanner) (*catalog.Dataset, error) {
	var d catalog.Dataset
	var access, meta, fields, issued, modified string
	if err := s.Scan(&d.ID, &d.UID, &access, &meta, &fields, &d.Version, &d.Records, &issued, &modified); err != nil {
		return nil, err
	}
	d.Access = catalog.Access(access)
	d.Issued, d.Modified = parseTime(issued), parseTime(modified)
	if err := json.Unmarshal([]byte(meta), &d.Meta); err != nil {
		return nil, fmt.Errorf("dataset %s meta: %w", d.ID, err)
	}
	if err := json.Unmarshal([]byte(fields), &d.Fields); err != nil {
		return nil, fmt.Errorf("dataset %s fields: %w", d.ID, err)
	}
	return &d, nil
}

func (db *DB) versions(ctx context.Context, id string) ([]catalog.VersionRef, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT version, records, created_at, mode, actor
		FROM dataset_versions WHERE dataset_id = ? ORDER BY version DESC`, id)
	if err != nil {
		return nil, fmt.Errorf("versions of %s: %w", id, err)
	}
	defer rows.Close()
	var out []catalog.VersionRef
	for rows.Next() {
		var v catalog.VersionRef
		var created string
		if err := rows.Scan(&v.Version, &v.Records, &created, &v.Mode, &v.Actor); err != nil {
			return nil, err
		}
		v.CreatedAt = parseTime(created)
		out = append(out, v)
	}
	return out, rows.Err()
}

// DeleteDataset removes a dataset and all its record tables.
func (db *DB) DeleteDataset(ctx context.Context, id string) error {
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	tables, err := versionTables(ctx, tx, id)
	if err != nil {
		return err
	}
	for _, t := range tables {
		if _, err := tx.ExecContext(ctx, `DROP TABLE IF EXISTS `+quoteIdent(t)); err != nil {
			return err
		}
	}
	res, err := tx.ExecContext(ctx, `DELETE FROM datasets WHERE id = ?`, id)
	if err != nil {
		return fmt.Errorf("delete dataset %s: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return errs.E(errs.NotFound, "dataset %q not found", id)
	}
	return tx.Commit()
}

func versionTables(ctx context.Context, tx *sql.Tx, id string) ([]string, error) {
	rows, err := tx.QueryContext(ctx, `SELECT table_name FROM dataset_versions WHERE dataset_id = ?`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

func quoteIdent(s string) string { return sqlrows.QuoteIdent(s) }
