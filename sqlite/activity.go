package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/socle/socle/internal/catalog"
)

// AddImportReport inserts a report and sets its ID.
func (db *DB) AddImportReport(ctx context.Context, r *catalog.ImportReport) error {
	if r.At.IsZero() {
		r.At = time.Now().UTC()
	}
	res, err := db.write.ExecContext(ctx, `INSERT INTO import_reports (dataset_id, at, actor, source, mode, ok, version, records, error, detail)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		r.DatasetID, fmtOrdered(r.At), r.Actor, r.Source, r.Mode, r.OK, r.Version, r.Rows, r.Error, r.Detail)
	if err != nil {
		return fmt.Errorf("add import report: %w", err)
	}
	r.ID, err = res.LastInsertId()
	return err
}

// ImportReports lists a dataset's reports, newest first (the latest inserted
// first among equal times), at most limit (all when negative).
func (db *DB) ImportReports(ctx context.Context, datasetID string, limit int) ([]*catalog.ImportReport, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT id, dataset_id, at, actor, source, mode, ok, version, records, error, detail
		FROM import_reports WHERE dataset_id = ? ORDER BY at DESC, id DESC LIMIT ?`, datasetID, limit)
	if err != nil {
		return nil, fmt.Errorf("import reports: %w", err)
	}
	defer rows.Close()
	var out []*catalog.ImportReport
	for rows.Next() {
		r, err := scanReport(rows)
		if err != nil {
			return nil, fmt.Errorf("import reports: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

func scanReport(s scanner) (*catalog.ImportReport, error) {
	var r catalog.ImportReport
	var at string
	if err := s.Scan(&r.ID, &r.DatasetID, &at, &r.Actor, &r.Source, &r.Mode, &r.OK, &r.Version, &r.Rows, &r.Error, &r.Detail); err != nil {
		return nil, err
	}
	r.At = parseTime(at)
	return &r, nil
}

// AddUsage adds deltas to the counters of day (its UTC date), all in one
// transaction. Deltas with nothing to add are skipped, so that a dataset
// never viewed nor downloaded gets no counters.
func (db *DB) AddUsage(ctx context.Context, day time.Time, deltas []catalog.Usage) error {
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := addUsage(ctx, tx, day.UTC().Format(time.DateOnly), deltas); err != nil {
		return fmt.Errorf("add usage: %w", err)
	}
	return tx.Commit()
}

func addUsage(ctx context.Context, tx *sql.Tx, day string, deltas []catalog.Usage) error {
	stmt, err := tx.PrepareContext(ctx, `INSERT INTO dataset_usage (dataset_id, day, views, downloads) VALUES (?, ?, ?, ?)
		ON CONFLICT (dataset_id, day) DO UPDATE SET views = views + excluded.views, downloads = downloads + excluded.downloads`)
	if err != nil {
		return err
	}
	defer stmt.Close()
	for _, u := range deltas {
		if u.Views == 0 && u.Downloads == 0 {
			continue
		}
		if _, err := stmt.ExecContext(ctx, u.DatasetID, day, u.Views, u.Downloads); err != nil {
			return err
		}
	}
	return nil
}

// UsageTotals returns the all-time counts per dataset ID.
func (db *DB) UsageTotals(ctx context.Context) (map[string]catalog.Usage, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT dataset_id, sum(views), sum(downloads) FROM dataset_usage GROUP BY dataset_id`)
	if err != nil {
		return nil, fmt.Errorf("usage totals: %w", err)
	}
	defer rows.Close()
	out := map[string]catalog.Usage{}
	for rows.Next() {
		var u catalog.Usage
		if err := rows.Scan(&u.DatasetID, &u.Views, &u.Downloads); err != nil {
			return nil, fmt.Errorf("usage totals: %w", err)
		}
		out[u.DatasetID] = u
	}
	return out, rows.Err()
}
