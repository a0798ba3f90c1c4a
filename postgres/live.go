package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/socle/socle/internal/catalog"
	"github.com/socle/socle/internal/errs"
	"github.com/socle/socle/internal/live"
)

// In-place writes (live.Store): a push or a sensor feed changes rows of the
// published table itself, in one transaction that holds the dataset's row
// lock (as LoadVersion and RestoreVersion do), so that in-place writes and
// loads of one dataset run one at a time. Readers' REPEATABLE READ
// snapshots see a request whole or not at all.

// liveTable is the published table of a dataset being written in place.
type liveTable struct {
	name    string
	version int
	cols    []string
	nextID  int64
}

func openLive(ctx context.Context, tx pgx.Tx, id string, fields []catalog.Field) (*liveTable, error) {
	cur, err := currentVersion(ctx, tx, id) // locks the dataset's row
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
	err = tx.QueryRow(ctx, `SELECT coalesce(max(_id), 0) + 1 FROM `+quoteIdent(t.name)).Scan(&t.nextID)
	return t, err
}

// UpsertRecords writes u's rows in place; see live.Store. It takes two
// round trips whatever the number of records: the key lookups go in one
// pipelined batch, the writes in another.
func (db *DB) UpsertRecords(ctx context.Context, u live.Upsert) (live.Result, error) {
	var res live.Result
	err := db.inLiveTx(ctx, u.DatasetID, u.Fields, u.Now, &res, func(tx pgx.Tx, t *liveTable) error {
		keyPos, err := liveKeyColumns(u.Fields, u.Keys)
		if err != nil {
			return err
		}
		if err := ensureKeyIndex(ctx, tx, t, keyPos); err != nil {
			return err
		}
		vals := make([][]any, len(u.Rows))
		for i, row := range u.Rows {
			if err := live.CheckRow(u.Fields, row); err != nil {
				return errs.Wrap(errs.Invalid, err, "record %d: %s", i+1, errs.Message(err))
			}
			if vals[i], err = appendValues(nil, u.Fields, row); err != nil {
				return errs.Wrap(errs.Invalid, err, "record %d: %v", i+1, err)
			}
		}
		found, err := lookupKeys(ctx, tx, t, keyPos, vals)
		if err != nil {
			return err
		}
		b := &pgx.Batch{}
		for _, v := range vals {
			k := keyOf(keyPos, v)
			id, ok := found[k]
			if ok {
				b.Queue(updateSQL(t), append(v, id)...)
				res.Updated++
			} else {
				id = t.nextID
				t.nextID++
				b.Queue(insertLiveSQL(t), append([]any{id}, v...)...)
				res.Inserted++
				if k != "" {
					found[k] = id // a later record with this key replaces this one
				}
			}
			res.IDs = append(res.IDs, id)
		}
		return runBatch(ctx, tx, b, "write record")
	})
	return res, err
}

// keyOf identifies the key values of vals within one request; "" for a
// null key (or no key fields), which never matches.
func keyOf(keyPos []int, vals []any) string {
	if len(keyPos) == 0 {
		return ""
	}
	var b strings.Builder
	for _, p := range keyPos {
		if vals[p] == nil {
			return ""
		}
		fmt.Fprintf(&b, "%T:%v\x00", vals[p], vals[p])
	}
	return b.String()
}

// lookupKeys finds, in one pipelined batch, the stored records whose key
// columns equal those of each of vals (the lowest record ID when several
// do), by key (keyOf).
func lookupKeys(ctx context.Context, tx pgx.Tx, t *liveTable, keyPos []int, vals [][]any) (map[string]int64, error) {
	found := map[string]int64{}
	if len(keyPos) == 0 {
		return found, nil
	}
	conds := make([]string, len(keyPos))
	for i, p := range keyPos {
		conds[i] = fmt.Sprintf("%s = $%d", quoteIdent(t.cols[p]), i+1)
	}
	q := `SELECT _id FROM ` + quoteIdent(t.name) + ` WHERE ` + strings.Join(conds, " AND ") + ` ORDER BY _id LIMIT 1`
	b := &pgx.Batch{}
	var keys []string
	for _, v := range vals {
		k := keyOf(keyPos, v)
		if k == "" {
			continue
		}
		args := make([]any, len(keyPos))
		for i, p := range keyPos {
			args[i] = v[p]
		}
		b.Queue(q, args...)
		keys = append(keys, k)
	}
	if len(keys) == 0 {
		return found, nil
	}
	br := tx.SendBatch(ctx, b)
	for _, k := range keys {
		var id int64
		err := br.QueryRow().Scan(&id)
		if errors.Is(err, pgx.ErrNoRows) {
			continue
		} else if err != nil {
			br.Close()
			return nil, fmt.Errorf("find by key: %w", err)
		}
		if _, dup := found[k]; !dup {
			found[k] = id
		}
	}
	if err := br.Close(); err != nil {
		return nil, fmt.Errorf("find by key: %w", err)
	}
	return found, nil
}

func updateSQL(t *liveTable) string {
	sets := make([]string, len(t.cols))
	for i, c := range t.cols {
		sets[i] = fmt.Sprintf("%s = $%d", quoteIdent(c), i+1)
	}
	return fmt.Sprintf(`UPDATE %s SET %s WHERE _id = $%d`, quoteIdent(t.name), strings.Join(sets, ", "), len(t.cols)+1)
}

func insertLiveSQL(t *liveTable) string {
	cols := append([]string{"_id"}, t.cols...)
	ph := make([]string, len(cols))
	for i := range ph {
		ph[i] = fmt.Sprintf("$%d", i+1)
	}
	return fmt.Sprintf(`INSERT INTO %s (%s) VALUES (%s)`, quoteIdent(t.name), quoteList(cols), strings.Join(ph, ", "))
}

// runBatch sends b and checks every statement's result.
func runBatch(ctx context.Context, tx pgx.Tx, b *pgx.Batch, what string) error {
	if b.Len() == 0 {
		return nil
	}
	br := tx.SendBatch(ctx, b)
	for range b.Len() {
		if _, err := br.Exec(); err != nil {
			br.Close()
			return fmt.Errorf("%s: %w", what, err)
		}
	}
	if err := br.Close(); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return nil
}

// DeleteRecords deletes in place; see live.Store.
func (db *DB) DeleteRecords(ctx context.Context, d live.Delete) (live.Result, error) {
	var res live.Result
	err := db.inLiveTx(ctx, d.DatasetID, nil, d.Now, &res, func(tx pgx.Tx, t *liveTable) error {
		ids := d.IDs
		for i, row := range d.Rows {
			if err := live.CheckRow(d.Match, row); err != nil {
				return errs.Wrap(errs.Invalid, err, "record %d: %s", i+1, errs.Message(err))
			}
			vals, err := appendValues(nil, d.Match, row)
			if err != nil {
				return errs.Wrap(errs.Invalid, err, "record %d: %v", i+1, err)
			}
			found, err := matchIDs(ctx, tx, t, columnNames(d.Match), vals)
			if err != nil {
				return err
			}
			ids = append(ids, found...)
		}
		for _, id := range ids {
			tag, err := tx.Exec(ctx, `DELETE FROM `+quoteIdent(t.name)+` WHERE _id = $1`, id)
			if err != nil {
				return fmt.Errorf("delete record: %w", err)
			}
			if tag.RowsAffected() > 0 {
				res.Deleted++
				res.IDs = append(res.IDs, id)
			}
		}
		return nil
	})
	return res, err
}

// matchIDs returns the records whose cols equal vals, null matching null.
func matchIDs(ctx context.Context, tx pgx.Tx, t *liveTable, cols []string, vals []any) ([]int64, error) {
	if len(cols) == 0 {
		return nil, errs.E(errs.Invalid, "a record to delete must name at least one field")
	}
	conds := make([]string, len(cols))
	for i, c := range cols {
		if !containsCol(t.cols, c) {
			return nil, errs.E(errs.Invalid, "unknown field %q", c)
		}
		conds[i] = fmt.Sprintf("%s IS NOT DISTINCT FROM $%d", quoteIdent(c), i+1)
	}
	rows, err := tx.Query(ctx, `SELECT _id FROM `+quoteIdent(t.name)+` WHERE `+strings.Join(conds, " AND "), vals...)
	if err != nil {
		return nil, fmt.Errorf("match records: %w", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, fmt.Errorf("match records: %w", err)
	}
	return ids, nil
}

// ensureKeyIndex indexes the key columns of t, once (the first keyed
// write builds it), so that each key lookup is a seek, not a scan. It is
// not unique: rows loaded before the dataset had key fields may repeat a
// key, and then the lowest record ID is the one replaced.
func ensureKeyIndex(ctx context.Context, tx pgx.Tx, t *liveTable, keyPos []int) error {
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
	if _, err := tx.Exec(ctx, `CREATE INDEX IF NOT EXISTS `+quoteIdent(name)+` ON `+quoteIdent(t.name)+` (`+quoteList(cols)+`, _id)`); err != nil {
		return fmt.Errorf("key index: %w", err)
	}
	return nil
}

// liveKeyColumns returns the positions, among the SQL columns of fields, of
// the key fields' columns (two for a geo point).
func liveKeyColumns(fields []catalog.Field, keys []string) ([]int, error) {
	var out []int
	for _, k := range keys {
		pos, found := 0, false
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

// inLiveTx runs fn on the published table of a dataset in one
// transaction, then updates the dataset's record count and modified time
// from res (in the dataset and its version).
func (db *DB) inLiveTx(ctx context.Context, id string, fields []catalog.Field, now time.Time, res *live.Result, fn func(pgx.Tx, *liveTable) error) error {
	if now.IsZero() {
		now = time.Now().UTC()
	}
	return db.inTx(ctx, pgx.TxOptions{}, func(tx pgx.Tx) error {
		*res = live.Result{}
		t, err := openLive(ctx, tx, id, fields)
		if err != nil {
			return err
		}
		if err := fn(tx, t); err != nil {
			return err
		}
		delta := int64(res.Inserted - res.Deleted)
		if _, err := tx.Exec(ctx, `UPDATE dataset_versions SET records = records + $1 WHERE dataset_id = $2 AND version = $3`, delta, id, t.version); err != nil {
			return fmt.Errorf("update version: %w", err)
		}
		err = tx.QueryRow(ctx, `UPDATE datasets SET records = records + $1, modified = $2 WHERE id = $3 RETURNING records`, delta, now, id).Scan(&res.Records)
		if err != nil {
			return fmt.Errorf("update dataset: %w", err)
		}
		return nil
	})
}

// PutPushKey inserts or replaces a dataset's push key.
func (db *DB) PutPushKey(ctx context.Context, k *live.PushKey) error {
	err := db.exec(ctx, `INSERT INTO push_keys (dataset_id, key_hash, enabled, actor, updated_at) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (dataset_id) DO UPDATE SET key_hash = excluded.key_hash, enabled = excluded.enabled, actor = excluded.actor, updated_at = excluded.updated_at`,
		k.DatasetID, k.Hash, k.Enabled, k.Actor, k.UpdatedAt)
	if isForeignKeyViolation(err) {
		return errs.E(errs.NotFound, "dataset %q not found", k.DatasetID)
	} else if err != nil {
		return fmt.Errorf("put push key: %w", err)
	}
	return nil
}

// PushKey returns a dataset's push key.
func (db *DB) PushKey(ctx context.Context, id string) (*live.PushKey, error) {
	k := live.PushKey{DatasetID: id}
	err := db.queryRow(ctx, `SELECT key_hash, enabled, actor, updated_at FROM push_keys WHERE dataset_id = $1`, []any{id},
		&k.Hash, &k.Enabled, &k.Actor, &k.UpdatedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, errs.E(errs.NotFound, "dataset %q has no push key", id)
	} else if err != nil {
		return nil, fmt.Errorf("push key: %w", err)
	}
	k.UpdatedAt = k.UpdatedAt.UTC()
	return &k, nil
}

// PutFeed inserts or replaces a feed definition.
func (db *DB) PutFeed(ctx context.Context, f *live.Feed) error {
	body, err := json.Marshal(f)
	if err != nil {
		return err
	}
	err = db.exec(ctx, `INSERT INTO live_feeds (dataset_id, body) VALUES ($1, $2)
		ON CONFLICT (dataset_id) DO UPDATE SET body = excluded.body`, f.DatasetID, string(body))
	if isForeignKeyViolation(err) {
		return errs.E(errs.NotFound, "dataset %q not found", f.DatasetID)
	} else if err != nil {
		return fmt.Errorf("put feed: %w", err)
	}
	return nil
}

// Feeds lists the feed definitions by dataset ID.
func (db *DB) Feeds(ctx context.Context) ([]*live.Feed, error) {
	var out []*live.Feed
	err := db.query(ctx, `SELECT body FROM live_feeds ORDER BY dataset_id COLLATE "C"`, nil, func(r pgx.Rows) error {
		var body []byte
		if err := r.Scan(&body); err != nil {
			return err
		}
		var f live.Feed
		if err := json.Unmarshal(body, &f); err != nil {
			return err
		}
		out = append(out, &f)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("feeds: %w", err)
	}
	return out, nil
}

// DeleteFeed removes a dataset's feed.
func (db *DB) DeleteFeed(ctx context.Context, id string) error {
	var n int64
	err := db.pool.with(ctx, func(c *pgx.Conn) error {
		tag, err := c.Exec(ctx, `DELETE FROM live_feeds WHERE dataset_id = $1`, id)
		n = tag.RowsAffected()
		return err
	})
	if err != nil {
		return fmt.Errorf("delete feed: %w", err)
	}
	if n == 0 {
		return errs.E(errs.NotFound, "dataset %q has no live feed", id)
	}
	return nil
}
