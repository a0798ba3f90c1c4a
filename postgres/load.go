package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/socle/socle/internal/catalog"
	"github.com/socle/socle/internal/errs"
	"github.com/socle/socle/internal/sqlrows"
)

// maxIdentLen is PostgreSQL's identifier length limit (NAMEDATALEN-1).
const maxIdentLen = 63

// progressEvery is how many rows pass between two progress reports.
const progressEvery = 10000

// LoadVersion builds and publishes a new version in one transaction: the new
// table, filled by COPY, becomes visible to other sessions only at commit,
// together with the datasets row that points at it.
func (db *DB) LoadVersion(ctx context.Context, req catalog.LoadRequest) (*catalog.VersionRef, error) {
	if !req.Mode.Valid() {
		return nil, errs.E(errs.Invalid, "unknown load mode %q", req.Mode)
	}
	var ref *catalog.VersionRef
	err := db.inTx(ctx, pgx.TxOptions{}, func(tx pgx.Tx) error {
		var err error
		ref, err = loadVersion(ctx, tx, req)
		return err
	})
	if err != nil {
		return nil, err
	}
	return ref, nil
}

func loadVersion(ctx context.Context, tx pgx.Tx, req catalog.LoadRequest) (*catalog.VersionRef, error) {
	cur, err := currentVersion(ctx, tx, req.DatasetID)
	if err != nil {
		return nil, err
	}
	next := cur.maxVersion + 1
	table := fmt.Sprintf("r_%s_%d", cur.uid, next)
	if len(table) > maxIdentLen {
		// PostgreSQL would silently truncate it, merging versions.
		return nil, errs.E(errs.Invalid, "dataset uid %q is too long for a table name", cur.uid)
	}
	if _, err := tx.Exec(ctx, createTableSQL(table, req.Fields)); err != nil {
		return nil, fmt.Errorf("create %s: %w", table, err)
	}
	nextID := int64(1)
	if req.Mode != catalog.ModeReplace && cur.table != "" {
		if nextID, err = copyRows(ctx, tx, cur, table, req.Fields); err != nil {
			return nil, err
		}
	}
	if req.Mode == catalog.ModeUpsert {
		err = upsertRows(ctx, tx, table, req, nextID)
	} else {
		err = copyIn(ctx, tx, table, req, nextID)
	}
	if err != nil {
		return nil, err
	}
	for _, q := range sqlrows.IndexSQL(table, req.Fields) {
		if _, err := tx.Exec(ctx, q); err != nil {
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
	return ref, nil
}

type current struct {
	uid        string
	version    int
	maxVersion int
	table      string
	fields     []catalog.Field
}

// currentVersion reads the dataset's published version and locks its row,
// so that concurrent loads and restores of one dataset run one at a time.
func currentVersion(ctx context.Context, tx pgx.Tx, id string) (*current, error) {
	var c current
	var fields []byte
	err := tx.QueryRow(ctx, `SELECT uid, version, fields FROM datasets WHERE id = $1 FOR UPDATE`, id).Scan(&c.uid, &c.version, &fields)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, errs.E(errs.NotFound, "dataset %q not found", id)
	} else if err != nil {
		return nil, fmt.Errorf("dataset %s: %w", id, err)
	}
	if err := json.Unmarshal(fields, &c.fields); err != nil {
		return nil, err
	}
	err = tx.QueryRow(ctx, `SELECT coalesce(max(version), 0),
		coalesce((SELECT table_name FROM dataset_versions WHERE dataset_id = $1 AND version = $2), '')
		FROM dataset_versions WHERE dataset_id = $1`, id, c.version).Scan(&c.maxVersion, &c.table)
	if err != nil {
		return nil, fmt.Errorf("versions of %s: %w", id, err)
	}
	return &c, nil
}

// copyRows copies the current version's rows into table for append and
// upsert, matching columns by field name; it returns the next free _id.
func copyRows(ctx context.Context, tx pgx.Tx, cur *current, table string, fields []catalog.Field) (int64, error) {
	common, err := sqlrows.CommonFields(cur.fields, fields)
	if err != nil {
		return 0, err
	}
	list := quoteList(append([]string{"_id"}, columnNames(common)...))
	q := fmt.Sprintf(`INSERT INTO %s (%s) SELECT %s FROM %s`, quoteIdent(table), list, list, quoteIdent(cur.table))
	if _, err := tx.Exec(ctx, q); err != nil {
		return 0, fmt.Errorf("copy current rows: %w", err)
	}
	var maxID int64
	err = tx.QueryRow(ctx, `SELECT coalesce(max(_id), 0) FROM `+quoteIdent(table)).Scan(&maxID)
	return maxID + 1, err
}

// copyIn streams req.Rows into table with COPY, numbering them from nextID.
func copyIn(ctx context.Context, tx pgx.Tx, table string, req catalog.LoadRequest, nextID int64) error {
	src := &copySource{req: req, id: nextID}
	cols := append([]string{"_id"}, columnNames(req.Fields)...)
	_, err := tx.CopyFrom(ctx, pgx.Identifier{table}, cols, src)
	if src.err != nil {
		return src.err // the RowSource's own error, kind preserved
	}
	if err != nil {
		return fmt.Errorf("copy rows: %w", err)
	}
	if req.Progress != nil {
		req.Progress(src.count)
	}
	return nil
}

// copySource adapts a RowSource to pgx.CopyFromSource.
type copySource struct {
	req   catalog.LoadRequest
	id    int64
	count int64
	vals  []any
	err   error
}

func (s *copySource) Next() bool {
	row, err := s.req.Rows.Next()
	if err == io.EOF {
		return false
	} else if err != nil {
		s.err = err
		return false
	}
	s.count++
	s.vals = append(s.vals[:0], s.id)
	s.id++
	if s.vals, err = appendValues(s.vals, s.req.Fields, row); err != nil {
		s.err = errs.Wrap(errs.Invalid, err, "row %d", s.count)
		return false
	}
	if s.req.Progress != nil && s.count%progressEvery == 0 {
		s.req.Progress(s.count)
	}
	return true
}

func (s *copySource) Values() ([]any, error) { return s.vals, nil }
func (s *copySource) Err() error             { return s.err }

// upsertRows COPYs the new rows into a temporary table, then merges them
// into table: a row whose keys match an existing record replaces its values
// and keeps its _id; among new rows sharing keys the last one wins (as in
// SQLite); rows with a null key never match.
func upsertRows(ctx context.Context, tx pgx.Tx, table string, req catalog.LoadRequest, nextID int64) error {
	keyCols, err := upsertKeyColumns(req.Fields, req.Keys)
	if err != nil {
		return err
	}
	q := fmt.Sprintf(`CREATE UNIQUE INDEX ON %s (%s)`, quoteIdent(table), quoteList(keyCols))
	if _, err := tx.Exec(ctx, q); err != nil {
		if isUniqueViolation(err) {
			return errs.Wrap(errs.Invalid, err, "the published rows have duplicate keys")
		}
		return fmt.Errorf("key index: %w", err)
	}
	const tmp = "socle_upsert"
	q = fmt.Sprintf(`CREATE TEMP TABLE %s (LIKE %s) ON COMMIT DROP`, tmp, quoteIdent(table))
	if _, err := tx.Exec(ctx, q); err != nil {
		return fmt.Errorf("upsert table: %w", err)
	}
	if err := copyIn(ctx, tx, tmp, req, nextID); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, upsertSQL(table, tmp, req.Fields, keyCols)); err != nil {
		return fmt.Errorf("upsert rows: %w", err)
	}
	return nil
}

func upsertKeyColumns(fields []catalog.Field, keys []string) ([]string, error) {
	if len(keys) == 0 {
		return nil, errs.E(errs.Invalid, "upsert needs key fields (a primary key in the schema)")
	}
	var cols []string
	for _, k := range keys {
		f, ok := fieldByName(fields, k)
		if !ok {
			return nil, errs.E(errs.Invalid, "key field %q is not in the data", k)
		}
		cols = append(cols, columnNames([]catalog.Field{f})...)
	}
	return cols, nil
}

func upsertSQL(table, tmp string, fields []catalog.Field, keyCols []string) string {
	cols := quoteList(columnNames(fields))
	keys := quoteList(keyCols)
	notNull := make([]string, len(keyCols))
	for i, k := range keyCols {
		notNull[i] = quoteIdent(k) + " IS NOT NULL"
	}
	keyed := strings.Join(notNull, " AND ")
	var sets []string
	for _, c := range columnNames(fields) {
		sets = append(sets, quoteIdent(c)+" = excluded."+quoteIdent(c))
	}
	return fmt.Sprintf(`INSERT INTO %[1]s (_id, %[2]s)
		SELECT _id, %[2]s FROM (
			SELECT DISTINCT ON (%[3]s) min(_id) OVER (PARTITION BY %[3]s) AS _id, %[2]s
			FROM %[4]s WHERE %[5]s ORDER BY %[3]s, _id DESC
		) AS keyed
		UNION ALL
		SELECT _id, %[2]s FROM %[4]s WHERE NOT (%[5]s)
		ON CONFLICT (%[3]s) DO UPDATE SET %[6]s`,
		quoteIdent(table), cols, keys, tmp, keyed, strings.Join(sets, ", "))
}

func fieldByName(fields []catalog.Field, name string) (catalog.Field, bool) {
	for _, f := range fields {
		if f.Name == name {
			return f, true
		}
	}
	return catalog.Field{}, false
}

func publish(ctx context.Context, tx pgx.Tx, req catalog.LoadRequest, table string, version int) (*catalog.VersionRef, error) {
	now := req.Now
	if now.IsZero() {
		now = time.Now()
	}
	now = now.UTC().Truncate(time.Microsecond) // timestamptz precision
	var records int64
	if err := tx.QueryRow(ctx, `SELECT count(*) FROM `+quoteIdent(table)).Scan(&records); err != nil {
		return nil, err
	}
	fields := req.Fields
	if fields == nil {
		fields = []catalog.Field{}
	}
	fj, err := json.Marshal(fields)
	if err != nil {
		return nil, err
	}
	_, err = tx.Exec(ctx, `INSERT INTO dataset_versions (dataset_id, version, table_name, fields, records, mode, actor, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, req.DatasetID, version, table, string(fj), records, string(req.Mode), req.Actor, now)
	if err != nil {
		return nil, fmt.Errorf("record version: %w", err)
	}
	_, err = tx.Exec(ctx, `UPDATE datasets SET version = $1, fields = $2, records = $3, modified = $4 WHERE id = $5`,
		version, string(fj), records, now, req.DatasetID)
	if err != nil {
		return nil, fmt.Errorf("publish version: %w", err)
	}
	return &catalog.VersionRef{Version: version, Records: records, CreatedAt: now, Mode: string(req.Mode), Actor: req.Actor}, nil
}

// dropOldVersions keeps only the new version and the one it replaces, so
// that the previous data can be restored.
func dropOldVersions(ctx context.Context, tx pgx.Tx, id string, newest, replaced int) error {
	const old = `dataset_id = $1 AND version NOT IN ($2, $3)`
	tables, err := versionTables(ctx, tx, old, id, newest, replaced)
	if err != nil {
		return err
	}
	if err := dropTables(ctx, tx, tables); err != nil {
		return err
	}
	_, err = tx.Exec(ctx, `DELETE FROM dataset_versions WHERE `+old, id, newest, replaced)
	return err
}

// RestoreVersion makes a kept version current again.
func (db *DB) RestoreVersion(ctx context.Context, id string, version int) error {
	return db.inTx(ctx, pgx.TxOptions{}, func(tx pgx.Tx) error {
		if _, err := currentVersion(ctx, tx, id); err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, `UPDATE datasets d SET version = v.version, fields = v.fields, records = v.records, modified = now()
			FROM dataset_versions v WHERE d.id = $1 AND v.dataset_id = d.id AND v.version = $2`, id, version)
		if err != nil {
			return fmt.Errorf("restore version: %w", err)
		}
		if tag.RowsAffected() == 0 {
			return errs.E(errs.NotFound, "version %d of dataset %q is not kept", version, id)
		}
		return nil
	})
}
