package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"strings"
	"time"

	"github.com/socle/socle/internal/catalog"
	"github.com/socle/socle/internal/errs"
	"github.com/socle/socle/internal/live"
)

// In-place writes (live.Store): unlike LoadVersion, which builds a new
// version, a push or a sensor feed changes rows of the published table
// itself, in one write transaction. Readers on other connections keep
// their WAL snapshot until they finish, so they see the request whole or
// not at all.

// liveTable is the published table of a dataset being written in place.
type liveTable struct {
	name    string
	version int
	cols    []string // the SQL columns of the fields, in storage order
	nextID  int64
}

// openLive resolves the published table of id and checks that fields are
// still its fields.
func openLive(ctx context.Context, tx *sql.Tx, id string, fields []catalog.Field) (*liveTable, error) {
	cur, err := currentVersion(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	if cur.table == "" {
		return nil, errs.E(errs.Invalid, "dataset %q has no published records yet: import data first", id)
	}
	if fields != nil && !live.SameFields(cur.fields, fields) {
		return nil, errs.E(errs.Conflict, "the fields of dataset %q changed meanwhile: retry", id)
	}
	t := &liveTable{name: cur.table, version: cur.version, cols: columnNames(cur.fields)}
	err = tx.QueryRowContext(ctx, `SELECT coalesce(max(_id), 0) + 1 FROM `+quoteIdent(t.name)).Scan(&t.nextID)
	return t, err
}

// UpsertRecords writes u's rows in place; see live.Store.
func (db *DB) UpsertRecords(ctx context.Context, u live.Upsert) (live.Result, error) {
	var res live.Result
	err := db.inLiveTx(ctx, u.DatasetID, u.Fields, u.Now, &res, func(tx *sql.Tx, t *liveTable) error {
		keyPos, err := liveKeyColumns(u.Fields, u.Keys)
		if err != nil {
			return err
		}
		if err := ensureKeyIndex(ctx, tx, t, keyPos); err != nil {
			return err
		}
		st, err := prepareUpsert(ctx, tx, t, keyPos)
		if err != nil {
			return err
		}
		defer st.close()
		for i, row := range u.Rows {
			if err := live.CheckRow(u.Fields, row); err != nil {
				return errs.Wrap(errs.Invalid, err, "record %d: %s", i+1, errs.Message(err))
			}
			args, err := appendArgs(nil, u.Fields, row)
			if err != nil {
				return errs.Wrap(errs.Invalid, err, "record %d: %v", i+1, err)
			}
			id, found, err := st.find(ctx, args)
			if err != nil {
				return err
			}
			if found {
				_, err = st.update.ExecContext(ctx, append(args, id)...)
				res.Updated++
			} else {
				id = t.nextID
				t.nextID++
				_, err = st.insert.ExecContext(ctx, append([]any{id}, args...)...)
				res.Inserted++
			}
			if err != nil {
				return fmt.Errorf("write record: %w", err)
			}
			res.IDs = append(res.IDs, id)
		}
		return nil
	})
	return res, err
}

// upsertStmts are one request's statements, prepared once: a push of a
// thousand records runs three statements a thousand times, not three
// thousand statements.
type upsertStmts struct {
	keyPos                 []int
	lookup, update, insert *sql.Stmt
}

func prepareUpsert(ctx context.Context, tx *sql.Tx, t *liveTable, keyPos []int) (*upsertStmts, error) {
	st := &upsertStmts{keyPos: keyPos}
	sets := make([]string, len(t.cols))
	for i, c := range t.cols {
		sets[i] = quoteIdent(c) + " = ?"
	}
	queries := []struct {
		dst **sql.Stmt
		q   string
	}{
		{&st.update, `UPDATE ` + quoteIdent(t.name) + ` SET ` + strings.Join(sets, ", ") + ` WHERE _id = ?`},
		{&st.insert, insertSQL(t.name, append([]string{"_id"}, t.cols...), 1, "")},
	}
	if len(keyPos) > 0 {
		conds := make([]string, len(keyPos))
		for i, p := range keyPos {
			conds[i] = quoteIdent(t.cols[p]) + " = ?"
		}
		queries = append(queries, struct {
			dst **sql.Stmt
			q   string
		}{&st.lookup, `SELECT _id FROM ` + quoteIdent(t.name) + ` WHERE ` + strings.Join(conds, " AND ") + ` ORDER BY _id LIMIT 1`})
	}
	for _, q := range queries {
		stmt, err := tx.PrepareContext(ctx, q.q)
		if err != nil {
			st.close()
			return nil, fmt.Errorf("prepare: %w", err)
		}
		*q.dst = stmt
	}
	return st, nil
}

func (st *upsertStmts) close() {
	for _, s := range []*sql.Stmt{st.lookup, st.update, st.insert} {
		if s != nil {
			s.Close()
		}
	}
}

// find looks up the record whose key columns equal those of args; a null
// key never matches, nor does any row when there are no key fields.
func (st *upsertStmts) find(ctx context.Context, args []any) (int64, bool, error) {
	if st.lookup == nil {
		return 0, false, nil
	}
	vals := make([]any, len(st.keyPos))
	for i, p := range st.keyPos {
		if args[p] == nil {
			return 0, false, nil
		}
		vals[i] = args[p]
	}
	var id int64
	err := st.lookup.QueryRowContext(ctx, vals...).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, false, nil
	} else if err != nil {
		return 0, false, fmt.Errorf("find by key: %w", err)
	}
	return id, true, nil
}

// DeleteRecords deletes in place; see live.Store.
func (db *DB) DeleteRecords(ctx context.Context, d live.Delete) (live.Result, error) {
	var res live.Result
	err := db.inLiveTx(ctx, d.DatasetID, nil, d.Now, &res, func(tx *sql.Tx, t *liveTable) error {
		ids := d.IDs
		for i, row := range d.Rows {
			if err := live.CheckRow(d.Match, row); err != nil {
				return errs.Wrap(errs.Invalid, err, "record %d: %s", i+1, errs.Message(err))
			}
			args, err := appendArgs(nil, d.Match, row)
			if err != nil {
				return errs.Wrap(errs.Invalid, err, "record %d: %v", i+1, err)
			}
			found, err := matchIDs(ctx, tx, t, columnNames(d.Match), args)
			if err != nil {
				return err
			}
			ids = append(ids, found...)
		}
		for _, id := range ids {
			r, err := tx.ExecContext(ctx, `DELETE FROM `+quoteIdent(t.name)+` WHERE _id = ?`, id)
			if err != nil {
				return fmt.Errorf("delete record: %w", err)
			}
			if n, _ := r.RowsAffected(); n > 0 {
				res.Deleted++
				res.IDs = append(res.IDs, id)
			}
		}
		return nil
	})
	return res, err
}

// matchIDs returns the records whose cols equal args, null matching null.
func matchIDs(ctx context.Context, tx *sql.Tx, t *liveTable, cols []string, args []any) ([]int64, error) {
	if len(cols) == 0 {
		return nil, errs.E(errs.Invalid, "a record to delete must name at least one field")
	}
	conds := make([]string, len(cols))
	for i, c := range cols {
		if !containsCol(t.cols, c) {
			return nil, errs.E(errs.Invalid, "unknown field %q", c)
		}
		conds[i] = quoteIdent(c) + " IS ?"
	}
	rows, err := tx.QueryContext(ctx, `SELECT _id FROM `+quoteIdent(t.name)+` WHERE `+strings.Join(conds, " AND "), args...)
	if err != nil {
		return nil, fmt.Errorf("match records: %w", err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// ensureKeyIndex indexes the key columns of t, once (the first keyed
// write builds it), so that each key lookup is a seek, not a scan. It is
// not unique: rows loaded before the dataset had key fields may repeat a
// key, and then the lowest record ID is the one replaced.
func ensureKeyIndex(ctx context.Context, tx *sql.Tx, t *liveTable, keyPos []int) error {
	if len(keyPos) == 0 {
		return nil
	}
	h := fnv.New32a()
	cols := make([]string, len(keyPos))
	for i, p := range keyPos {
		cols[i] = t.cols[p]
		h.Write([]byte(cols[i] + "\x00"))
	}
	name := fmt.Sprintf("%s_k%08x", t.name, h.Sum32())
	if _, err := tx.ExecContext(ctx, `CREATE INDEX IF NOT EXISTS `+quoteIdent(name)+` ON `+quoteIdent(t.name)+` (`+quoteList(cols)+`, _id)`); err != nil {
		return fmt.Errorf("key index: %w", err)
	}
	return nil
}

// liveKeyColumns returns the positions, among the SQL columns of fields, of
// the key fields' columns (two for a geo point).
func liveKeyColumns(fields []catalog.Field, keys []string) ([]int, error) {
	var out []int
	for _, k := range keys {
		pos := 0
		found := false
		for _, f := range fields {
			n := len(columnNames([]catalog.Field{f}))
			if f.Name == k {
				for j := range n {
					out = append(out, pos+j)
				}
				found = true
				break
			}
			pos += n
		}
		if !found {
			return nil, errs.E(errs.Invalid, "key field %q is not a field of the dataset", k)
		}
	}
	return out, nil
}

func containsCol(cols []string, c string) bool {
	for _, x := range cols {
		if x == c {
			return true
		}
	}
	return false
}

// inLiveTx runs fn on the published table of a dataset in one write
// transaction, then updates the dataset's record count and modified time
// from res (in the dataset and its version) and commits.
func (db *DB) inLiveTx(ctx context.Context, id string, fields []catalog.Field, now time.Time, res *live.Result, fn func(*sql.Tx, *liveTable) error) error {
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin live write: %w", err)
	}
	defer tx.Rollback()
	t, err := openLive(ctx, tx, id, fields)
	if err != nil {
		return err
	}
	if err := fn(tx, t); err != nil {
		return err
	}
	if now.IsZero() {
		now = time.Now().UTC()
	}
	delta := int64(res.Inserted - res.Deleted)
	if _, err := tx.ExecContext(ctx, `UPDATE datasets SET records = records + ?, modified = ? WHERE id = ?`, delta, fmtTime(now), id); err != nil {
		return fmt.Errorf("update dataset: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE dataset_versions SET records = records + ? WHERE dataset_id = ? AND version = ?`, delta, id, t.version); err != nil {
		return fmt.Errorf("update version: %w", err)
	}
	if err := tx.QueryRowContext(ctx, `SELECT records FROM datasets WHERE id = ?`, id).Scan(&res.Records); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit live write: %w", err)
	}
	return nil
}

// PutPushKey inserts or replaces a dataset's push key.
func (db *DB) PutPushKey(ctx context.Context, k *live.PushKey) error {
	_, err := db.write.ExecContext(ctx, `INSERT INTO push_keys (dataset_id, key_hash, enabled, actor, updated_at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (dataset_id) DO UPDATE SET key_hash = excluded.key_hash, enabled = excluded.enabled, actor = excluded.actor, updated_at = excluded.updated_at`,
		k.DatasetID, k.Hash, k.Enabled, k.Actor, fmtTime(k.UpdatedAt))
	if err != nil && strings.Contains(err.Error(), "FOREIGN KEY") {
		return errs.E(errs.NotFound, "dataset %q not found", k.DatasetID)
	} else if err != nil {
		return fmt.Errorf("put push key: %w", err)
	}
	return nil
}

// PushKey returns a dataset's push key.
func (db *DB) PushKey(ctx context.Context, id string) (*live.PushKey, error) {
	k := live.PushKey{DatasetID: id}
	var at string
	err := db.read.QueryRowContext(ctx, `SELECT key_hash, enabled, actor, updated_at FROM push_keys WHERE dataset_id = ?`, id).
		Scan(&k.Hash, &k.Enabled, &k.Actor, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errs.E(errs.NotFound, "dataset %q has no push key", id)
	} else if err != nil {
		return nil, fmt.Errorf("push key: %w", err)
	}
	k.UpdatedAt = parseTime(at)
	return &k, nil
}

// PutFeed inserts or replaces a feed definition.
func (db *DB) PutFeed(ctx context.Context, f *live.Feed) error {
	body, err := json.Marshal(f)
	if err != nil {
		return err
	}
	_, err = db.write.ExecContext(ctx, `INSERT INTO live_feeds (dataset_id, body) VALUES (?, ?)
		ON CONFLICT (dataset_id) DO UPDATE SET body = excluded.body`, f.DatasetID, string(body))
	if err != nil && strings.Contains(err.Error(), "FOREIGN KEY") {
		return errs.E(errs.NotFound, "dataset %q not found", f.DatasetID)
	} else if err != nil {
		return fmt.Errorf("put feed: %w", err)
	}
	return nil
}

// Feeds lists the feed definitions by dataset ID.
func (db *DB) Feeds(ctx context.Context) ([]*live.Feed, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT body FROM live_feeds ORDER BY dataset_id`)
	if err != nil {
		return nil, fmt.Errorf("feeds: %w", err)
	}
	defer rows.Close()
	var out []*live.Feed
	for rows.Next() {
		var body string
		if err := rows.Scan(&body); err != nil {
			return nil, err
		}
		var f live.Feed
		if err := json.Unmarshal([]byte(body), &f); err != nil {
			return nil, err
		}
		out = append(out, &f)
	}
	return out, rows.Err()
}

// DeleteFeed removes a dataset's feed.
func (db *DB) DeleteFeed(ctx context.Context, id string) error {
	r, err := db.write.ExecContext(ctx, `DELETE FROM live_feeds WHERE dataset_id = ?`, id)
	if err != nil {
		return fmt.Errorf("delete feed: %w", err)
	}
	if n, _ := r.RowsAffected(); n == 0 {
		return errs.E(errs.NotFound, "dataset %q has no live feed", id)
	}
	return nil
}
