package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/socle/socle/internal/catalog"
	"github.com/socle/socle/internal/errs"
)

// PutOrganization inserts or replaces an organization.
func (db *DB) PutOrganization(ctx context.Context, o *catalog.Organization) error {
	if o.CreatedAt.IsZero() {
		o.CreatedAt = time.Now().UTC()
	}
	body, err := json.Marshal(o)
	if err != nil {
		return err
	}
	err = db.exec(ctx, `INSERT INTO organizations (id, name, kind, body, created_at) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (id) DO UPDATE SET name = excluded.name, kind = excluded.kind, body = excluded.body`,
		o.ID, o.Name, string(o.Kind), string(body), o.CreatedAt)
	if err != nil {
		return fmt.Errorf("put organization %s: %w", o.ID, err)
	}
	return nil
}

// Organization returns one organization.
func (db *DB) Organization(ctx context.Context, id string) (*catalog.Organization, error) {
	var body []byte
	err := db.queryRow(ctx, `SELECT body FROM organizations WHERE id = $1`, []any{id}, &body)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, errs.E(errs.NotFound, "organization %q not found", id)
	} else if err != nil {
		return nil, fmt.Errorf("organization %s: %w", id, err)
	}
	var o catalog.Organization
	return &o, json.Unmarshal(body, &o)
}

// Organizations lists organizations by name.
func (db *DB) Organizations(ctx context.Context) ([]*catalog.Organization, error) {
	var out []*catalog.Organization
	err := db.query(ctx, `SELECT body FROM organizations ORDER BY name, id`, nil, func(r pgx.Rows) error {
		var body []byte
		if err := r.Scan(&body); err != nil {
			return err
		}
		var o catalog.Organization
		if err := json.Unmarshal(body, &o); err != nil {
			return err
		}
		out = append(out, &o)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("organizations: %w", err)
	}
	return out, nil
}

// CreateDataset inserts a dataset with no records.
func (db *DB) CreateDataset(ctx context.Context, d *catalog.Dataset) error {
	meta, fields, err := encodeDataset(d)
	if err != nil {
		return err
	}
	err = db.exec(ctx, `INSERT INTO datasets (id, uid, access, meta, fields, version, records, issued, modified)
		VALUES ($1, $2, $3, $4, $5, 0, 0, $6, $7)`,
		d.ID, d.UID, string(d.Access), meta, fields, d.Issued, d.Modified)
	if isUniqueViolation(err) {
		return errs.E(errs.Conflict, "dataset %q already exists", d.ID)
	} else if err != nil {
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
	var n int64
	err = db.pool.with(ctx, func(c *pgx.Conn) error {
		tag, err := c.Exec(ctx, `UPDATE datasets SET access = $1, meta = $2, modified = $3 WHERE id = $4`,
			string(d.Access), meta, d.Modified, d.ID)
		n = tag.RowsAffected()
		return err
	})
	if err != nil {
		return fmt.Errorf("update dataset %s: %w", d.ID, err)
	}
	if n == 0 {
		return errs.E(errs.NotFound, "dataset %q not found", d.ID)
	}
	return nil
}

func encodeDataset(d *catalog.Dataset) (meta, fields string, err error) {
	m, err := json.Marshal(d.Meta)
	if err != nil {
		return "", "", err
	}
	f := d.Fields
	if f == nil {
		f = []catalog.Field{}
	}
	b, err := json.Marshal(f)
	if err != nil {
		return "", "", err
	}
	return string(m), string(b), nil
}

const datasetColumns = `id, uid, access, meta, fields, version, records, issued, modified`

// Dataset returns one dataset with its kept versions.
func (db *DB) Dataset(ctx context.Context, id string) (*catalog.Dataset, error) {
	var d *catalog.Dataset
	err := db.inTx(ctx, readOnly, func(tx pgx.Tx) error {
		var err error
		d, err = scanDataset(tx.QueryRow(ctx, `SELECT `+datasetColumns+` FROM datasets WHERE id = $1`, id))
		if err != nil {
			return err
		}
		d.Versions, err = versions(ctx, tx, id)
		return err
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, errs.E(errs.NotFound, "dataset %q not found", id)
	} else if err != nil {
		return nil, fmt.Errorf("dataset %s: %w", id, err)
	}
	return d, nil
}

// Datasets lists all datasets by ID.
func (db *DB) Datasets(ctx context.Context) ([]*catalog.Dataset, error) {
	var out []*catalog.Dataset
	err := db.query(ctx, `SELECT `+datasetColumns+` FROM datasets ORDER BY id`, nil, func(r pgx.Rows) error {
		d, err := scanDataset(r)
		if err != nil {
			return err
		}
		out = append(out, d)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("datasets: %w", err)
	}
	return out, nil
}

func scanDataset(s pgx.Row) (*catalog.Dataset, error) {
	var d catalog.Dataset
	var access string
	var meta, fields []byte
	if err := s.Scan(&d.ID, &d.UID, &access, &meta, &fields, &d.Version, &d.Records, &d.Issued, &d.Modified); err != nil {
		return nil, err
	}
	d.Access = catalog.Access(access)
	d.Issued, d.Modified = d.Issued.UTC(), d.Modified.UTC()
	if err := json.Unmarshal(meta, &d.Meta); err != nil {
		return nil, fmt.Errorf("dataset %s meta: %w", d.ID, err)
	}
	if err := json.Unmarshal(fields, &d.Fields); err != nil {
		return nil, fmt.Errorf("dataset %s fields: %w", d.ID, err)
	}
	return &d, nil
}

func versions(ctx context.Context, tx pgx.Tx, id string) ([]catalog.VersionRef, error) {
	rows, err := tx.Query(ctx, `SELECT version, records, created_at, mode, actor
		FROM dataset_versions WHERE dataset_id = $1 ORDER BY version DESC`, id)
	if err != nil {
		return nil, fmt.Errorf("versions of %s: %w", id, err)
	}
	defer rows.Close()
	var out []catalog.VersionRef
	for rows.Next() {
		var v catalog.VersionRef
		if err := rows.Scan(&v.Version, &v.Records, &v.CreatedAt, &v.Mode, &v.Actor); err != nil {
			return nil, err
		}
		v.CreatedAt = v.CreatedAt.UTC()
		out = append(out, v)
	}
	return out, rows.Err()
}

// DeleteDataset removes a dataset and all its record tables.
func (db *DB) DeleteDataset(ctx context.Context, id string) error {
	return db.inTx(ctx, pgx.TxOptions{}, func(tx pgx.Tx) error {
		tables, err := versionTables(ctx, tx, `dataset_id = $1`, id)
		if err != nil {
			return err
		}
		if err := dropTables(ctx, tx, tables); err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, `DELETE FROM datasets WHERE id = $1`, id)
		if err != nil {
			return fmt.Errorf("delete dataset %s: %w", id, err)
		}
		if tag.RowsAffected() == 0 {
			return errs.E(errs.NotFound, "dataset %q not found", id)
		}
		return nil
	})
}

func versionTables(ctx context.Context, tx pgx.Tx, where string, args ...any) ([]string, error) {
	rows, err := tx.Query(ctx, `SELECT table_name FROM dataset_versions WHERE `+where, args...)
	if err != nil {
		return nil, err
	}
	tables, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("version tables: %w", err)
	}
	return tables, nil
}

func dropTables(ctx context.Context, tx pgx.Tx, tables []string) error {
	for _, t := range tables {
		if _, err := tx.Exec(ctx, `DROP TABLE IF EXISTS `+quoteIdent(t)); err != nil {
			return fmt.Errorf("drop %s: %w", t, err)
		}
	}
	return nil
}

// readOnly is the transaction mode of catalog reads.
var readOnly = pgx.TxOptions{AccessMode: pgx.ReadOnly}

// exec runs one statement on a pooled connection.
func (db *DB) exec(ctx context.Context, sql string, args ...any) error {
	return db.pool.with(ctx, func(c *pgx.Conn) error {
		_, err := c.Exec(ctx, sql, args...)
		return err
	})
}

// queryRow scans the single row of sql into dest; pgx.ErrNoRows if none.
func (db *DB) queryRow(ctx context.Context, sql string, args []any, dest ...any) error {
	return db.pool.with(ctx, func(c *pgx.Conn) error {
		return c.QueryRow(ctx, sql, args...).Scan(dest...)
	})
}

// query calls each for every row of sql.
func (db *DB) query(ctx context.Context, sql string, args []any, each func(pgx.Rows) error) error {
	return db.pool.with(ctx, func(c *pgx.Conn) error {
		rows, err := c.Query(ctx, sql, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			if err := each(rows); err != nil {
				return err
			}
		}
		return rows.Err()
	})
}

func isUniqueViolation(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "23505"
}

func quoteIdent(s string) string { return pgx.Identifier{s}.Sanitize() }

func quoteList(cols []string) string {
	q := make([]string, len(cols))
	for i, c := range cols {
		q[i] = quoteIdent(c)
	}
	return strings.Join(q, ", ")
}
