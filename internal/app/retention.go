package app

import (
	"context"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/socle/socle/internal/auth"
	"github.com/socle/socle/internal/catalog"
	"github.com/socle/socle/internal/errs"
	"github.com/socle/socle/internal/live"
	"github.com/socle/socle/internal/odsql"
)

// Retention of dataset records: a dataset whose metadata sets
// retention_days and a date or datetime retention_field keeps only the
// records whose field is within that many days; the older ones are
// deleted in place by the retention job (every 6 hours in serve, once with
// `socle retention purge`), each purge written to the audit log
// ("retention.purge", the dataset, the records deleted) — the purge log. A
// legal hold (legal_hold) suspends it. Sensor observations have their own
// retention per domain (timeseries.go).

// maxRetentionDays bounds a retention (a century).
const maxRetentionDays = 36500

// checkRetention validates a dataset's retention settings.
func checkRetention(d *catalog.Dataset) error {
	m := d.Meta
	if m.RetentionDays < 0 || m.RetentionDays > maxRetentionDays {
		return errs.E(errs.Invalid, "retention_days must be between 0 (keep) and %d", maxRetentionDays)
	}
	if m.RetentionDays == 0 {
		return nil
	}
	f, ok := d.Field(m.RetentionField)
	if !ok || f.Type != catalog.TypeDate && f.Type != catalog.TypeDateTime {
		return errs.E(errs.Invalid, "retention_field must name a date or datetime field of dataset %q", d.ID)
	}
	return nil
}

// RetentionPurge is what one purge of datasets did.
type RetentionPurge struct {
	Dataset string `json:"dataset"`
	Before  string `json:"before"` // the cutoff date
	Deleted int    `json:"deleted"`
	Held    bool   `json:"held,omitempty"` // under legal hold: nothing deleted
}

// PurgeDatasets applies every dataset's retention at a.Now(); admins and
// stewards (and System) only.
func (a *App) PurgeDatasets(ctx context.Context, p auth.Principal) ([]RetentionPurge, error) {
	if !p.Is(auth.RoleAdmin, auth.RoleSteward) {
		return nil, errs.E(errs.Forbidden, "only stewards purge datasets")
	}
	all, err := a.Store.Datasets(ctx)
	if err != nil {
		return nil, err
	}
	var out []RetentionPurge
	for _, d := range all {
		if d.Meta.RetentionDays <= 0 || d.Version == 0 {
			continue
		}
		cutoff := a.Now().AddDate(0, 0, -d.Meta.RetentionDays).UTC().Format(time.DateOnly)
		rp := RetentionPurge{Dataset: d.ID, Before: cutoff, Held: d.Meta.LegalHold}
		if !rp.Held {
			if rp.Deleted, err = a.purgeDataset(ctx, d, cutoff); err != nil {
				return out, fmt.Errorf("retention of %s: %w", d.ID, err)
			}
		}
		detail := "before " + cutoff
		if rp.Held {
			detail = "legal hold: nothing deleted"
		}
		if err := a.Audit(ctx, p, "retention.purge", d.ID, int64(rp.Deleted), detail); err != nil {
			return out, err
		}
		out = append(out, rp)
	}
	return out, nil
}

// purgeDataset deletes the records of d whose retention field is before
// cutoff, a thousand at a time, and tells the live views.
func (a *App) purgeDataset(ctx context.Context, d *catalog.Dataset, cutoff string) (int, error) {
	w, err := odsql.ParseWhere("`" + d.Meta.RetentionField + "` < date'" + cutoff + "'")
	if err != nil {
		return 0, err
	}
	rows, err := a.Store.Query(ctx, d, &odsql.Query{Where: []odsql.Expr{w}, Limit: -1})
	if err != nil {
		return 0, err
	}
	var ids []int64
	for {
		if _, err := rows.Next(); err == io.EOF {
			break
		} else if err != nil {
			rows.Close()
			return 0, err
		}
		ids = append(ids, rows.ID())
	}
	rows.Close()
	deleted := 0
	for chunk := range slices.Chunk(ids, 1000) {
		res, err := a.Store.DeleteRecords(ctx, live.Delete{DatasetID: d.ID, IDs: chunk, Now: a.Now()})
		if err != nil {
			return deleted, err
		}
		deleted += res.Deleted
	}
	if deleted > 0 {
		a.Publish(Event{Topic: TopicDataset + d.ID, Data: DatasetChange{Dataset: d.ID}})
	}
	return deleted, nil
}
