package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/socle/socle/internal/audit"
	"github.com/socle/socle/internal/ngsild"
	"github.com/socle/socle/internal/sensors"
)

// An NGSI-LD write costs a few statements whatever the number of
// entities: the stored rows are read with one query per 500 IDs, combined
// in Go, and written back with one multi-row upsert per 100 entities, so
// that a batch of a hundred pays for a handful of calls into SQLite rather
// than two hundred.

const (
	readChunk  = 500 // IDs per SELECT … IN
	writeChunk = 100 // rows per multi-row INSERT (8 parameters each)
)

// WriteEntities applies w in one transaction of the writer: the entities,
// the devices whose derived signature changed (ngsild.DeviceSignature),
// and the audit entry; one commit for the whole request.
func (db *DB) WriteEntities(ctx context.Context, w ngsild.Write) ([]ngsild.Outcome, error) {
	var out []ngsild.Outcome
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		ids := make([]string, len(w.Entities))
		for i, e := range w.Entities {
			ids[i] = e.ID
		}
		current, sigs, err := readEntities(ctx, tx, ids, w.Mode == ngsild.Create || w.Mode == ngsild.Replace)
		if err != nil {
			return err
		}
		var changed, devs []string // IDs written; those whose device changed
		out = make([]ngsild.Outcome, len(w.Entities))
		for i, in := range w.Entities {
			e, created, err := ngsild.Apply(current[in.ID], in, w.Mode, w.Now)
			out[i] = ngsild.Outcome{ID: in.ID, Entity: e, Created: created, Err: err}
			if err != nil {
				continue
			}
			changed = append(changed, in.ID)
			if sig := ngsild.DeviceSignature(e); sig != sigs[in.ID] {
				devs = append(devs, in.ID)
				sigs[in.ID] = sig
			}
			current[in.ID] = e
		}
		if err := upsertEntityRows(ctx, tx, sortedUnique(changed), current, sigs); err != nil {
			return err
		}
		if w.Devices {
			for _, id := range sortedUnique(devs) {
				if err := putDerivedDevice(ctx, tx, ngsild.DeviceOf(current[id])); err != nil {
					return err
				}
			}
		}
		return auditInTx(ctx, tx, w.Audit, ngsild.Written(out))
	})
	if err != nil {
		return nil, fmt.Errorf("write entities: %w", err)
	}
	return out, nil
}

func sortedUnique(ids []string) []string {
	slices.Sort(ids)
	return slices.Compact(ids)
}

// placeholders returns "(?, …, ?)" with n marks, repeated rows times.
func placeholders(n, rows int) string {
	row := "(" + strings.TrimSuffix(strings.Repeat("?, ", n), ", ") + ")"
	return strings.TrimSuffix(strings.Repeat(row+", ", rows), ", ")
}

// readEntities reads the stored entities among ids with their device
// signatures; headOnly reads only the ID and creation time (Create and
// Replace combine no attributes: no JSON to decode).
func readEntities(ctx context.Context, tx *sql.Tx, ids []string, headOnly bool) (map[string]*ngsild.Entity, map[string]string, error) {
	out, sigs := map[string]*ngsild.Entity{}, map[string]string{}
	cols := entityCols
	if headOnly {
		cols = "id, created_at"
	}
	for start := 0; start < len(ids); start += readChunk {
		chunk := ids[start:min(start+readChunk, len(ids))]
		args := make([]any, len(chunk))
		for i, id := range chunk {
			args[i] = id
		}
		rows, err := tx.QueryContext(ctx, `SELECT `+cols+`, device_sig FROM ngsi_entities WHERE id IN `+placeholders(len(chunk), 1), args...)
		if err != nil {
			return nil, nil, err
		}
		for rows.Next() {
			var e *ngsild.Entity
			var sig string
			if headOnly {
				var created int64
				e = &ngsild.Entity{}
				err = rows.Scan(&e.ID, &created, &sig)
				e.CreatedAt = time.UnixMilli(created).UTC()
			} else {
				e, err = scanEntity(rows, &sig)
			}
			if err != nil {
				rows.Close()
				return nil, nil, err
			}
			out[e.ID], sigs[e.ID] = e, sig
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, nil, err
		}
	}
	return out, sigs, nil
}

// upsertEntityRows writes the current state of the entities ids.
func upsertEntityRows(ctx context.Context, tx *sql.Tx, ids []string, current map[string]*ngsild.Entity, sigs map[string]string) error {
	for start := 0; start < len(ids); start += writeChunk {
		chunk := ids[start:min(start+writeChunk, len(ids))]
		args := make([]any, 0, 8*len(chunk))
		for _, id := range chunk {
			e := current[id]
			attrs, err := ngsild.MarshalAttrs(e.Attrs)
			if err != nil {
				return err
			}
			var lon, lat any
			if e.Location != nil {
				lon, lat = e.Location.Lon, e.Location.Lat
			}
			args = append(args, e.ID, e.Type, string(attrs), lon, lat, e.CreatedAt.UnixMilli(), e.ModifiedAt.UnixMilli(), sigs[id])
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO ngsi_entities (`+entityCols+`, device_sig) VALUES `+placeholders(8, len(chunk))+`
			ON CONFLICT (id) DO UPDATE SET type = excluded.type, attrs = excluded.attrs, lon = excluded.lon,
			lat = excluded.lat, modified_at = excluded.modified_at, device_sig = excluded.device_sig`, args...)
		if err != nil {
			return err
		}
	}
	return nil
}

// putDerivedDevice merges a derived device into the registry, writing
// only when something changed.
func putDerivedDevice(ctx context.Context, tx *sql.Tx, derived *sensors.Device) error {
	old, err := scanDevice(tx.QueryRowContext(ctx, `SELECT body, created_at FROM devices WHERE id = ?`, derived.ID))
	if errors.Is(err, sql.ErrNoRows) {
		old, err = nil, nil
	}
	if err != nil {
		return err
	}
	d, changed := ngsild.MergeDevice(old, derived)
	if !changed {
		return nil
	}
	if d.CreatedAt.IsZero() {
		d.CreatedAt = time.Now().UTC()
	}
	body, err := json.Marshal(d)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO devices (id, eui, domain, body, created_at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET domain = excluded.domain, body = excluded.body`,
		d.ID, nullIfEmpty(d.EUI), d.Domain, string(body), fmtOrdered(d.CreatedAt))
	return err
}

// auditInTx appends a write's audit entry in its transaction, with the
// number of entities written; nothing when none was.
func auditInTx(ctx context.Context, tx *sql.Tx, e *audit.Entry, n int) error {
	if e == nil || n == 0 {
		return nil
	}
	e.Records = int64(n)
	_, err := tx.ExecContext(ctx, `INSERT INTO audit_log (time, actor, action, target, records, detail) VALUES (?, ?, ?, ?, ?, ?)`,
		fmtTime(e.Time), e.Actor, e.Action, e.Target, e.Records, e.Detail)
	return err
}
