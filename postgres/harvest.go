package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/socle/socle/internal/catalog"
	"github.com/socle/socle/internal/errs"
	"github.com/socle/socle/internal/harvest"
)

// Harvesting: sources, the remote → local mapping and runs (migration
// 0012). Durations are stored in seconds, reports as JSON.

const sourceColumns = `id, name, url, kind, organization, prefix, every_s, grace_s, enabled, created_at, last_run`

// CreateSource stores s and sets its ID; errs.Conflict for a known URL.
func (db *DB) CreateSource(ctx context.Context, s *harvest.Source) error {
	err := db.queryRow(ctx, `INSERT INTO harvest_sources (name, url, kind, organization, prefix, every_s, grace_s, enabled, created_at, last_run)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`, []any{s.Name, s.URL, string(s.Kind), s.Organization, s.Prefix,
		int64(s.Every / time.Second), int64(s.Grace / time.Second), s.Enabled, s.Created.UTC(), nullTime(s.LastRun)}, &s.ID)
	if isUniqueViolation(err) {
		return errs.E(errs.Conflict, "a harvest source with URL %q exists", s.URL)
	} else if err != nil {
		return fmt.Errorf("create harvest source: %w", err)
	}
	return nil
}

// UpdateSource saves every column of s but its creation time.
func (db *DB) UpdateSource(ctx context.Context, s *harvest.Source) error {
	n, err := db.execCount(ctx, `UPDATE harvest_sources SET name = $1, url = $2, kind = $3, organization = $4, prefix = $5,
		every_s = $6, grace_s = $7, enabled = $8, last_run = $9 WHERE id = $10`, s.Name, s.URL, string(s.Kind), s.Organization, s.Prefix,
		int64(s.Every/time.Second), int64(s.Grace/time.Second), s.Enabled, nullTime(s.LastRun), s.ID)
	if isUniqueViolation(err) {
		return errs.E(errs.Conflict, "a harvest source with URL %q exists", s.URL)
	} else if err != nil {
		return fmt.Errorf("update harvest source %d: %w", s.ID, err)
	}
	if n == 0 {
		return errs.E(errs.NotFound, "harvest source %d not found", s.ID)
	}
	return nil
}

// Source returns a source. errs.NotFound.
func (db *DB) Source(ctx context.Context, id int64) (*harvest.Source, error) {
	var s *harvest.Source
	err := db.query(ctx, `SELECT `+sourceColumns+` FROM harvest_sources WHERE id = $1`, []any{id}, func(rs pgx.Rows) error {
		var err error
		s, err = scanSource(rs)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("harvest source %d: %w", id, err)
	}
	if s == nil {
		return nil, errs.E(errs.NotFound, "harvest source %d not found", id)
	}
	return s, nil
}

// Sources lists the sources by ID.
func (db *DB) Sources(ctx context.Context) ([]*harvest.Source, error) {
	var out []*harvest.Source
	err := db.query(ctx, `SELECT `+sourceColumns+` FROM harvest_sources ORDER BY id`, nil, func(rs pgx.Rows) error {
		s, err := scanSource(rs)
		out = append(out, s)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("harvest sources: %w", err)
	}
	return out, nil
}

func scanSource(rs pgx.Rows) (*harvest.Source, error) {
	var s harvest.Source
	var every, grace int64
	var last *time.Time
	if err := rs.Scan(&s.ID, &s.Name, &s.URL, &s.Kind, &s.Organization, &s.Prefix, &every, &grace, &s.Enabled, &s.Created, &last); err != nil {
		return nil, err
	}
	s.Every, s.Grace = time.Duration(every)*time.Second, time.Duration(grace)*time.Second
	s.Created = s.Created.UTC()
	s.LastRun = timeOf(last)
	return &s, nil
}

func nullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC()
}

func timeOf(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return t.UTC()
}

// Mappings lists a source's mappings by remote ID.
func (db *DB) Mappings(ctx context.Context, sourceID int64) ([]*harvest.Mapping, error) {
	var out []*harvest.Mapping
	err := db.query(ctx, `SELECT source_id, remote_id, local_id, slug, modified, meta_hash, data_hash, state,
		missing_since, prev_access, seen FROM harvest_datasets WHERE source_id = $1 ORDER BY remote_id COLLATE "C"`, []any{sourceID},
		func(rs pgx.Rows) error {
			var m harvest.Mapping
			var modified, missing *time.Time
			var prev string
			if err := rs.Scan(&m.SourceID, &m.RemoteID, &m.LocalID, &m.Slug, &modified, &m.MetaHash, &m.DataHash, &m.State,
				&missing, &prev, &m.Seen); err != nil {
				return err
			}
			m.Modified, m.MissingSince, m.Seen = timeOf(modified), timeOf(missing), m.Seen.UTC()
			m.PrevAccess = catalog.Access(prev)
			out = append(out, &m)
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("harvest mappings: %w", err)
	}
	return out, nil
}

// PutMapping inserts or replaces a mapping; errs.Conflict when another
// remote dataset has its local ID, errs.NotFound for an unknown source.
func (db *DB) PutMapping(ctx context.Context, m *harvest.Mapping) error {
	err := db.exec(ctx, `INSERT INTO harvest_datasets (source_id, remote_id, local_id, slug, modified, meta_hash,
		data_hash, state, missing_since, prev_access, seen) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
		ON CONFLICT (source_id, remote_id) DO UPDATE SET local_id = excluded.local_id, slug = excluded.slug,
		modified = excluded.modified, meta_hash = excluded.meta_hash, data_hash = excluded.data_hash, state = excluded.state,
		missing_since = excluded.missing_since, prev_access = excluded.prev_access, seen = excluded.seen`,
		m.SourceID, m.RemoteID, m.LocalID, m.Slug, nullTime(m.Modified), m.MetaHash, m.DataHash, string(m.State),
		nullTime(m.MissingSince), string(m.PrevAccess), m.Seen.UTC())
	switch {
	case err == nil:
		return nil
	case isUniqueViolation(err):
		return errs.E(errs.Conflict, "dataset %q is already harvested from another remote dataset", m.LocalID)
	case isForeignKeyViolation(err):
		return errs.E(errs.NotFound, "harvest source %d not found", m.SourceID)
	}
	return fmt.Errorf("put harvest mapping: %w", err)
}

// MappedLocal reports whether a mapping names local dataset id.
func (db *DB) MappedLocal(ctx context.Context, id string) (bool, error) {
	var n int64
	if err := db.queryRow(ctx, `SELECT count(*) FROM harvest_datasets WHERE local_id = $1`, []any{id}, &n); err != nil {
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
	err = db.queryRow(ctx, `INSERT INTO harvest_runs (source_id, started, finished, status, report) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
		[]any{r.SourceID, r.Started.UTC(), nullTime(r.Finished), string(r.Status), string(body)}, &r.ID)
	if isForeignKeyViolation(err) {
		return errs.E(errs.NotFound, "harvest source %d not found", r.SourceID)
	} else if err != nil {
		return fmt.Errorf("create harvest run: %w", err)
	}
	return nil
}

// FinishRun saves a run's end, status and report.
func (db *DB) FinishRun(ctx context.Context, r *harvest.Run) error {
	body, err := json.Marshal(r.Report)
	if err != nil {
		return fmt.Errorf("finish harvest run: %w", err)
	}
	n, err := db.execCount(ctx, `UPDATE harvest_runs SET finished = $1, status = $2, report = $3 WHERE id = $4`,
		nullTime(r.Finished), string(r.Status), string(body), r.ID)
	if err != nil {
		return fmt.Errorf("finish harvest run %d: %w", r.ID, err)
	}
	if n == 0 {
		return errs.E(errs.NotFound, "harvest run %d not found", r.ID)
	}
	return nil
}

const runColumns = `id, source_id, started, finished, status, report`

// HarvestRun returns a run. errs.NotFound.
func (db *DB) HarvestRun(ctx context.Context, id int64) (*harvest.Run, error) {
	runs, err := db.runs(ctx, `SELECT `+runColumns+` FROM harvest_runs WHERE id = $1`, id)
	if err != nil {
		return nil, err
	}
	if len(runs) == 0 {
		return nil, errs.E(errs.NotFound, "harvest run %d not found", id)
	}
	return runs[0], nil
}

// Runs lists a source's runs newest first, at most limit.
func (db *DB) Runs(ctx context.Context, sourceID int64, limit int) ([]*harvest.Run, error) {
	return db.runs(ctx, `SELECT `+runColumns+` FROM harvest_runs WHERE source_id = $1 ORDER BY id DESC LIMIT $2`, sourceID, limit)
}

func (db *DB) runs(ctx context.Context, sql string, args ...any) ([]*harvest.Run, error) {
	var out []*harvest.Run
	err := db.query(ctx, sql, args, func(rs pgx.Rows) error {
		var r harvest.Run
		var finished *time.Time
		var body string
		if err := rs.Scan(&r.ID, &r.SourceID, &r.Started, &finished, &r.Status, &body); err != nil {
			return err
		}
		r.Started, r.Finished = r.Started.UTC(), timeOf(finished)
		out = append(out, &r)
		return json.Unmarshal([]byte(body), &r.Report)
	})
	if err != nil {
		return nil, fmt.Errorf("harvest runs: %w", err)
	}
	return out, nil
}
