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
	"github.com/socle/socle/internal/harvest"
)

// Harvesting: sources, the remote → local mapping and runs (migration
// 0012). Durations are stored in seconds, reports as JSON.

const sourceColumns = `id, name, url, kind, organization, prefix, every_s, grace_s, enabled, created_at, last_run`

// CreateSource stores s and sets its ID; errs.Conflict for a known URL.
func (db *DB) CreateSource(ctx context.Context, s *harvest.Source) error {
	res, err := db.write.ExecContext(ctx, `INSERT INTO harvest_sources (name, url, kind, organization, prefix, every_s, grace_s, enabled, created_at, last_run)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, s.Name, s.URL, string(s.Kind), s.Organization, s.Prefix,
		int64(s.Every/time.Second), int64(s.Grace/time.Second), s.Enabled, fmtOrdered(s.Created), nullTime(s.LastRun))
	if err != nil {
		if strings.Contains(err.Error(), "UNIQUE") {
			return errs.E(errs.Conflict, "a harvest source with URL %q exists", s.URL)
		}
		return fmt.Errorf("create harvest source: %w", err)
	}
	s.ID, err = res.LastInsertId()
	return err
}

// UpdateSource saves every column of s but its creation time.
func (db *DB) UpdateSource(ctx context.Context, s *harvest.Source) error {
	res, err := db.write.ExecContext(ctx, `UPDATE harvest_sources SET name = ?, url = ?, kind = ?, organization = ?, prefix = ?,
		every_s = ?, grace_s = ?, enabled = ?, last_run = ? WHERE id = ?`, s.Name, s.URL, string(s.Kind), s.Organization, s.Prefix,
		int64(s.Every/time.Second), int64(s.Grace/time.Second), s.Enabled, nullTime(s.LastRun), s.ID)
	if err != nil {
		if strings.Contains(err.Error(), "UNIQUE") {
			return errs.E(errs.Conflict, "a harvest source with URL %q exists", s.URL)
		}
		return fmt.Errorf("update harvest source %d: %w", s.ID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return errs.E(errs.NotFound, "harvest source %d not found", s.ID)
	}
	return nil
}

// Source returns a source. errs.NotFound.
func (db *DB) Source(ctx context.Context, id int64) (*harvest.Source, error) {
	s, err := scanSource(db.read.QueryRowContext(ctx, `SELECT `+sourceColumns+` FROM harvest_sources WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errs.E(errs.NotFound, "harvest source %d not found", id)
	}
	return s, err
}

// Sources lists the sources by ID.
func (db *DB) Sources(ctx context.Context) ([]*harvest.Source, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+sourceColumns+` FROM harvest_sources ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("harvest sources: %w", err)
	}
	return collect(rows, scanSource)
}

func scanSource(row scanner) (*harvest.Source, error) {
	var s harvest.Source
	var every, grace int64
	var created string
	var last sql.NullString
	if err := row.Scan(&s.ID, &s.Name, &s.URL, &s.Kind, &s.Organization, &s.Prefix, &every, &grace, &s.Enabled, &created, &last); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, err
		}
		return nil, fmt.Errorf("harvest source: %w", err)
	}
	s.Every, s.Grace = time.Duration(every)*time.Second, time.Duration(grace)*time.Second
	s.Created = parseOrdered(created)
	if last.Valid {
		s.LastRun = parseOrdered(last.String)
	}
	return &s, nil
}

func nullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return fmtOrdered(t)
}

func timeOf(s sql.NullString) time.Time {
	if !s.Valid {
		return time.Time{}
	}
	return parseOrdered(s.String)
}

// Mappings lists a source's mappings by remote ID.
func (db *DB) Mappings(ctx context.Context, sourceID int64) ([]*harvest.Mapping, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT source_id, remote_id, local_id, slug, modified, meta_hash, data_hash, state,
		missing_since, prev_access, seen FROM harvest_datasets WHERE source_id = ? ORDER BY remote_id`, sourceID)
	if err != nil {
		return nil, fmt.Errorf("harvest mappings: %w", err)
	}
	defer rows.Close()
	var out []*harvest.Mapping
	for rows.Next() {
		var m harvest.Mapping
		var modified, missing sql.NullString
		var seen, prev string
		if err := rows.Scan(&m.SourceID, &m.RemoteID, &m.LocalID, &m.Slug, &modified, &m.MetaHash, &m.DataHash, &m.State,
			&missing, &prev, &seen); err != nil {
			return nil, fmt.Errorf("harvest mappings: %w", err)
		}
		m.Modified, m.MissingSince, m.Seen = timeOf(modified), timeOf(missing), parseOrdered(seen)
		m.PrevAccess = catalog.Access(prev)
		out = append(out, &m)
	}
	return out, rows.Err()
}

// PutMapping inserts or replaces a mapping; errs.Conflict when another
// remote dataset has its local ID, errs.NotFound for an unknown source.
func (db *DB) PutMapping(ctx context.Context, m *harvest.Mapping) error {
	_, err := db.write.ExecContext(ctx, `INSERT INTO harvest_datasets (source_id, remote_id, local_id, slug, modified, meta_hash,
		data_hash, state, missing_since, prev_access, seen) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (source_id, remote_id) DO UPDATE SET local_id = excluded.local_id, slug = excluded.slug,
		modified = excluded.modified, meta_hash = excluded.meta_hash, data_hash = excluded.data_hash, state = excluded.state,
		missing_since = excluded.missing_since, prev_access = excluded.prev_access, seen = excluded.seen`,
		m.SourceID, m.RemoteID, m.LocalID, m.Slug, nullTime(m.Modified), m.MetaHash, m.DataHash, string(m.State),
		nullTime(m.MissingSince), string(m.PrevAccess), fmtOrdered(m.Seen))
	switch {
	case err == nil:
		return nil
	case strings.Contains(err.Error(), "UNIQUE"):
		return errs.E(errs.Conflict, "dataset %q is already harvested from another remote dataset", m.LocalID)
	case strings.Contains(err.Error(), "FOREIGN KEY"):
		return errs.E(errs.NotFound, "harvest source %d not found", m.SourceID)
	}
	return fmt.Errorf("put harvest mapping: %w", err)
}

// MappedLocal reports whether a mapping names local dataset id.
func (db *DB) MappedLocal(ctx context.Context, id string) (bool, error) {
	var n int
	err := db.read.QueryRowContext(ctx, `SELECT count(*) FROM harvest_datasets WHERE local_id = ?`, id).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("harvest mapping %s: %w", id, err)
	}
	return n > 0, nil
}

// CreateRun stores a run and sets its ID; errs.NotFound for an unknown source.
func (db *DB) CreateRun(ctx context.Context, r *harvest.Run) error {
	body, err := json.Marshal(r.Report)
	if err != nil {
		return fmt.Errorf("create harvest run: %w", err)
	}
	res, err := db.write.ExecContext(ctx, `INSERT INTO harvest_runs (source_id, started, finished, status, report) VALUES (?, ?, ?, ?, ?)`,
		r.SourceID, fmtOrdered(r.Started), nullTime(r.Finished), string(r.Status), string(body))
	if err != nil {
		if strings.Contains(err.Error(), "FOREIGN KEY") {
			return errs.E(errs.NotFound, "harvest source %d not found", r.SourceID)
		}
		return fmt.Errorf("create harvest run: %w", err)
	}
	r.ID, err = res.LastInsertId()
	return err
}

// FinishRun saves a run's end, status and report.
func (db *DB) FinishRun(ctx context.Context, r *harvest.Run) error {
	body, err := json.Marshal(r.Report)
	if err != nil {
		return fmt.Errorf("finish harvest run: %w", err)
	}
	res, err := db.write.ExecContext(ctx, `UPDATE harvest_runs SET finished = ?, status = ?, report = ? WHERE id = ?`,
		nullTime(r.Finished), string(r.Status), string(body), r.ID)
	if err != nil {
		return fmt.Errorf("finish harvest run %d: %w", r.ID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return errs.E(errs.NotFound, "harvest run %d not found", r.ID)
	}
	return nil
}

const runColumns = `id, source_id, started, finished, status, report`

// HarvestRun returns a run. errs.NotFound.
func (db *DB) HarvestRun(ctx context.Context, id int64) (*harvest.Run, error) {
	r, err := scanRun(db.read.QueryRowContext(ctx, `SELECT `+runColumns+` FROM harvest_runs WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errs.E(errs.NotFound, "harvest run %d not found", id)
	}
	return r, err
}

// Runs lists a source's runs newest first, at most limit.
func (db *DB) Runs(ctx context.Context, sourceID int64, limit int) ([]*harvest.Run, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+runColumns+` FROM harvest_runs WHERE source_id = ? ORDER BY id DESC LIMIT ?`, sourceID, limit)
	if err != nil {
		return nil, fmt.Errorf("harvest runs: %w", err)
	}
	return collect(rows, scanRun)
}

func scanRun(row scanner) (*harvest.Run, error) {
	var r harvest.Run
	var started, body string
	var finished sql.NullString
	if err := row.Scan(&r.ID, &r.SourceID, &started, &finished, &r.Status, &body); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, err
		}
		return nil, fmt.Errorf("harvest run: %w", err)
	}
	r.Started, r.Finished = parseOrdered(started), timeOf(finished)
	if err := json.Unmarshal([]byte(body), &r.Report); err != nil {
		return nil, fmt.Errorf("harvest run %d report: %w", r.ID, err)
	}
	return &r, nil
}
