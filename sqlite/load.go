package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/socle/socle/internal/catalog"
	"github.com/socle/socle/internal/errs"
	"github.com/socle/socle/internal/pipe"
	"github.com/socle/socle/internal/sqlrows"
)

// LoadVersion builds and publishes a new version in one write transaction.
// SQLite's WAL lets readers keep using the previous version until commit.
func (db *DB) LoadVersion(ctx context.Context, req catalog.LoadRequest) (*catalog.VersionRef, error) {
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("begin load: %w", err)
	}
	defer tx.Rollback()
	cur, err := currentVersion(ctx, tx, req.DatasetID)
	if err != nil {
		return nil, err
	}
	next := cur.maxVersion + 1
	table := fmt.Sprintf("r_%s_%d", cur.uid, next)
	if _, err := tx.ExecContext(ctx, createTableSQL(table, req.Fields)); err != nil {
		return nil, fmt.Errorf("create %s: %w", table, err)
	}
	nextID := int64(1)
	if req.Mode != catalog.ModeReplace && cur.table != "" {
		if nextID, err = copyRows(ctx, tx, cur, table, req.Fields); err != nil {
			return nil, err
		}
	}
	if req.Mode == catalog.ModeUpsert {
		if err := createKeyIndex(ctx, tx, table, req.Fields, req.Keys); err != nil {
			return nil, err
		}
	}
	if err := insertRows(ctx, tx, table, req, nextID); err != nil {
		return nil, err
	}
	for _, q := range sqlrows.IndexSQL(table, req.Fields) {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return nil, fmt.Errorf("index: %w", err)
		}
	}
	ref, err := publish(ctx, tx, req, table, next)
	if err != nil {
		return nil, err
	}
	if err := dropOldVersions(ctx, tx, req.DatasetID, next, cur.version); err != nil {
		return nil, err
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("commit load: %w", err)
	}
	return ref, nil
}

type current struct {
	uid        string
	version    int
	maxVersion int
	table      string
	fields     []catalog.Field
}

func currentVersion(ctx context.Context, tx *sql.Tx, id string) (*current, error) {
	var c current
	var fields string
	err := tx.QueryRowContext(ctx, `SELECT uid, version, fields FROM datasets WHERE id = ?`, id).Scan(&c.uid, &c.version, &fields)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errs.E(errs.NotFound, "dataset %q not found", id)
	} else if err != nil {
		return nil, fmt.Errorf("dataset %s: %w", id, err)
	}
	if err := json.Unmarshal([]byte(fields), &c.fields); err != nil {
		return nil, err
	}
	err = tx.QueryRowContext(ctx, `SELECT coalesce(max(version), 0),
		coalesce((SELECT table_name FROM dataset_versions WHERE dataset_id = ?1 AND version = ?2), '')
		FROM dataset_versions WHERE dataset_id = ?1`, id, c.version).Scan(&c.maxVersion, &c.table)
	if err != nil {
		return nil, fmt.Errorf("versions of %s: %w", id, err)
	}
	return &c, nil
}

// copyRows copies the current version's rows into table for append and
// upsert, matching columns by field name; it returns the next free _id.
func copyRows(ctx context.Context, tx *sql.Tx, cur *current, table string, fields []catalog.Field) (int64, error) {
	common, err := sqlrows.CommonFields(cur.fields, fields)
	if err != nil {
		return 0, err
	}
	cols := append([]string{"_id"}, columnNames(common)...)
	list := quoteList(cols)
	q := fmt.Sprintf(`INSERT INTO %s (%s) SELECT %s FROM %s`, quoteIdent(table), list, list, quoteIdent(cur.table))
	if _, err := tx.ExecContext(ctx, q); err != nil {
		return 0, fmt.Errorf("copy current rows: %w", err)
	}
	var maxID int64
	err = tx.QueryRowContext(ctx, `SELECT coalesce(max(_id), 0) FROM `+quoteIdent(table)).Scan(&maxID)
	return maxID + 1, err
}

func createKeyIndex(ctx context.Context, tx *sql.Tx, table string, fields []catalog.Field, keys []string) error {
	if len(keys) == 0 {
		return errs.E(errs.Invalid, "upsert needs key fields (a primary key in the schema)")
	}
	var cols []string
	for _, k := range keys {
		f, ok := fieldByName(fields, k)
		if !ok {
			return errs.E(errs.Invalid, "key field %q is not in the data", k)
		}
		cols = append(cols, columnNames([]catalog.Field{f})...)
	}
	q := fmt.Sprintf(`CREATE UNIQUE INDEX %s ON %s (%s)`, quoteIdent(table+"_key"), quoteIdent(table), quoteList(cols))
	if _, err := tx.ExecContext(ctx, q); err != nil {
		return errs.Wrap(errs.Invalid, err, "the published rows have duplicate keys")
	}
	return nil
}

func fieldByName(fields []catalog.Field, name string) (catalog.Field, bool) {
	for _, f := range fields {
		if f.Name == name {
			return f, true
		}
	}
	return catalog.Field{}, false
}

// insertRows streams req.Rows into table in multi-row INSERTs, which cut the
// per-statement cgo overhead that dominates single-row inserts.
func insertRows(ctx context.Context, tx *sql.Tx, table string, req catalog.LoadRequest, nextID int64) error {
	cols := append([]string{"_id"}, columnNames(req.Fields)...)
	batch := max(1, min(256, 30000/len(cols)))
	conflict := ""
	if req.Mode == catalog.ModeUpsert {
		conflict = upsertClause(req.Fields, req.Keys)
	}
	full, err := tx.PrepareContext(ctx, insertSQL(table, cols, batch, conflict))
	if err != nil {
		return fmt.Errorf("prepare insert: %w", err)
	}
	defer full.Close()
	args := make([]any, 0, batch*len(cols))
	n, id := 0, nextID
	var count int64
	// Converting values to their storage form runs a step ahead, in its own
	// goroutine: the inserting goroutine is an import's bottleneck.
	var converted int64
	src := pipe.New(func() ([]any, error) {
		row, err := req.Rows.Next()
		if err != nil {
			return nil, err
		}
		converted++
		vals, err := appendArgs(make([]any, 0, len(cols)-1), req.Fields, row)
		if err != nil {
			return nil, errs.Wrap(errs.Invalid, err, "row %d", converted)
		}
		return vals, nil
	})
	defer src.Close()
	for {
		vals, err := src.Next()
		if err == io.EOF {
			break
		} else if err != nil {
			return err
		}
		args = append(args, id)
		args = append(args, vals...)
		id++
		n++
		count++
		if n == batch {
			if _, err := full.ExecContext(ctx, args...); err != nil {
				return insertError(err)
			}
			args, n = args[:0], 0
		}
		if req.Progress != nil && count%10000 == 0 {
			req.Progress(count)
		}
	}
	if n > 0 {
		if _, err := tx.ExecContext(ctx, insertSQL(table, cols, n, conflict), args...); err != nil {
			return insertError(err)
		}
	}
	if req.Progress != nil {
		req.Progress(count)
	}
	return nil
}

func insertError(err error) error {
	if strings.Contains(err.Error(), "UNIQUE") {
		return errs.Wrap(errs.Invalid, err, "duplicate key in the new rows")
	}
	return fmt.Errorf("insert rows: %w", err)
}

func insertSQL(table string, cols []string, rows int, conflict string) string {
	var b strings.Builder
	b.WriteString("INSERT INTO " + quoteIdent(table) + " (" + quoteList(cols) + ") VALUES ")
	one := "(" + strings.TrimSuffix(strings.Repeat("?,", len(cols)), ",") + ")"
	for i := 0; i < rows; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(one)
	}
	b.WriteString(conflict)
	return b.String()
}

// upsertClause keeps the existing _id of a replaced record.
func upsertClause(fields []catalog.Field, keys []string) string {
	var keyCols []string
	for _, k := range keys {
		if f, ok := fieldByName(fields, k); ok {
			keyCols = append(keyCols, columnNames([]catalog.Field{f})...)
		}
	}
	var sets []string
	for _, c := range columnNames(fields) {
		sets = append(sets, quoteIdent(c)+" = excluded."+quoteIdent(c))
	}
	return " ON CONFLICT (" + quoteList(keyCols) + ") DO UPDATE SET " + strings.Join(sets, ", ")
}

func quoteList(cols []string) string { return sqlrows.QuoteList(cols) }

func publish(ctx context.Context, tx *sql.Tx, req catalog.LoadRequest, table string, version int) (*catalog.VersionRef, error) {
	now := req.Now
	if now.IsZero() {
		now = time.Now().UTC()
	}
	var records int64
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM `+quoteIdent(table)).Scan(&records); err != nil {
		return nil, err
	}
	fields, err := json.Marshal(req.Fields)
	if err != nil {
		return nil, err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO dataset_versions (dataset_id, version, table_name, fields, records, mode, actor, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, req.DatasetID, version, table, string(fields), records, string(req.Mode), req.Actor, fmtTime(now))
	if err != nil {
		return nil, fmt.Errorf("record version: %w", err)
	}
	_, err = tx.ExecContext(ctx, `UPDATE datasets SET version = ?, fields = ?, records = ?, modified = ? WHERE id = ?`,
		version, string(fields), records, fmtTime(now), req.DatasetID)
	if err != nil {
		return nil, fmt.Errorf("publish version: %w", err)
	}
	return &catalog.VersionRef{Version: version, Records: records, CreatedAt: now, Mode: string(req.Mode), Actor: req.Actor}, nil
}

// dropOldVersions keeps only the new version and the one it replaces, so
// that the previous data can be restored.
func dropOldVersions(ctx context.Context, tx *sql.Tx, id string, newest, replaced int) error {
	const old = `dataset_id = ? AND version NOT IN (?, ?)`
	rows, err := tx.QueryContext(ctx, `SELECT table_name FROM dataset_versions WHERE `+old, id, newest, replaced)
	if err != nil {
		return err
	}
	var tables []string
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			rows.Close()
			return err
		}
		tables = append(tables, t)
	}
	rows.Close()
	for _, t := range tables {
		if _, err := tx.ExecContext(ctx, `DROP TABLE IF EXISTS `+quoteIdent(t)); err != nil {
			return err
		}
	}
	_, err = tx.ExecContext(ctx, `DELETE FROM dataset_versions WHERE `+old, id, newest, replaced)
	return err
}

// RestoreVersion makes a kept version current again.
func (db *DB) RestoreVersion(ctx context.Context, id string, version int) error {
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var fields string
	var records int64
	err = tx.QueryRowContext(ctx, `SELECT fields, records FROM dataset_versions WHERE dataset_id = ? AND version = ?`, id, version).Scan(&fields, &records)
	if errors.Is(err, sql.ErrNoRows) {
		return errs.E(errs.NotFound, "version %d of dataset %q is not kept", version, id)
	} else if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `UPDATE datasets SET version = ?, fields = ?, records = ?, modified = ? WHERE id = ?`,
		version, fields, records, fmtTime(time.Now()), id)
	if err != nil {
		return err
	}
	return tx.Commit()
}
