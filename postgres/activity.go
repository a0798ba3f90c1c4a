package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/socle/socle/internal/catalog"
)

// AddImportReport inserts a report and sets its ID.
func (db *DB) AddImportReport(ctx context.Context, r *catalog.ImportReport) error {
	if r.At.IsZero() {
		r.At = time.Now().UTC()
	}
	err := db.queryRow(ctx, `INSERT INTO import_reports (dataset_id, at, actor, source, mode, ok, version, records, error, detail)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
		[]any{r.DatasetID, r.At, r.Actor, r.Source, r.Mode, r.OK, r.Version, r.Rows, r.Error, r.Detail}, &r.ID)
	if err != nil {
		return fmt.Errorf("add import report: %w", err)
	}
	return nil
}

// ImportReports lists a dataset's reports, newest first (the latest inserted
// first among equal times), at most limit (all when negative).
func (db *DB) ImportReports(ctx context.Context, datasetID string, limit int) ([]*catalog.ImportReport, error) {
	var lim any = limit
	if limit < 0 {
		lim = nil // no limit, as in SQLite
	}
	var out []*catalog.ImportReport
	err := db.query(ctx, `SELECT id, dataset_id, at, actor, source, mode, ok, version, records, error, detail
		FROM import_reports WHERE dataset_id = $1 ORDER BY at DESC, id DESC LIMIT $2`, []any{datasetID, lim}, func(rs pgx.Rows) error {
		var r catalog.ImportReport
		if err := rs.Scan(&r.ID, &r.DatasetID, &r.At, &r.Actor, &r.Source, &r.Mode, &r.OK, &r.Version, &r.Rows, &r.Error, &r.Detail); err != nil {
			return err
		}
		r.At = r.At.UTC()
		out = append(out, &r)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("import reports: %w", err)
	}
	return out, nil
}

// addUsageSQL adds one delta to a day's counters. The existing row's
// columns must be qualified: unqualified, they would be ambiguous with
// excluded's.
const addUsageSQL = `INSERT INTO dataset_usage (dataset_id, day, views, downloads) VALUES ($1, $2, $3, $4)
	ON CONFLICT (dataset_id, day) DO UPDATE SET views = dataset_usage.views + excluded.views,
	downloads = dataset_usage.downloads + excluded.downloads`

// AddUsage adds deltas to the counters of day (its UTC date), all in one
// transaction. Deltas with nothing to add are skipped, so that a dataset
// never viewed nor downloaded gets no counters.
func (db *DB) AddUsage(ctx context.Context, day time.Time, deltas []catalog.Usage) error {
	y, m, d := day.UTC().Date()
	date := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	err := db.inTx(ctx, pgx.TxOptions{}, func(tx pgx.Tx) error {
		for _, u := range deltas {
			if u.Views == 0 && u.Downloads == 0 {
				continue
			}
			if _, err := tx.Exec(ctx, addUsageSQL, u.DatasetID, date, u.Views, u.Downloads); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("add usage: %w", err)
	}
	return nil
}

// UsageTotals returns the all-time counts per dataset ID.
func (db *DB) UsageTotals(ctx context.Context) (map[string]catalog.Usage, error) {
	out := map[string]catalog.Usage{}
	err := db.query(ctx, `SELECT dataset_id, sum(views)::bigint, sum(downloads)::bigint FROM dataset_usage GROUP BY dataset_id`, nil,
		func(rs pgx.Rows) error {
			var u catalog.Usage
			if err := rs.Scan(&u.DatasetID, &u.Views, &u.Downloads); err != nil {
				return err
			}
			out[u.DatasetID] = u
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("usage totals: %w", err)
	}
	return out, nil
}
