package app

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/socle/socle/internal/auth"
	"github.com/socle/socle/internal/errs"
	"github.com/socle/socle/internal/sensors"
)

// The time series jobs: the raw-data retention (PurgeRaw, on a schedule in
// `socle serve --raw-retention`, or once with `socle timeseries purge`) and
// the roll-up repair (RebuildRollups, `socle timeseries rollup`). Roll-ups
// themselves are kept by AppendBatch, in each batch's transaction.

// maxRebuildSpan bounds one rebuild: it runs in one transaction, which
// holds SQLite's writer for its whole length.
const maxRebuildSpan = 366 * sensors.Day

// PurgeRaw deletes the raw observations older than r allows, per domain
// (the roll-ups stay), logs and audits what it removed; admins only.
func (a *App) PurgeRaw(ctx context.Context, p auth.Principal, r sensors.Retention) (sensors.PurgeReport, error) {
	if !p.Is(auth.RoleAdmin) {
		return sensors.PurgeReport{}, errs.E(errs.Forbidden, "only administrators purge sensor data")
	}
	cutoffs := r.Cutoffs(a.Now())
	if len(cutoffs) == 0 {
		return sensors.PurgeReport{}, nil
	}
	rep, err := a.Store.PurgeRaw(ctx, cutoffs)
	if err != nil {
		return rep, err
	}
	detail := describeCutoffs(cutoffs)
	if rep.Rows > 0 || len(rep.Partitions) > 0 {
		a.Logger.Info("raw observations purged", "rows", rep.Rows, "partitions", strings.Join(rep.Partitions, ","), "cutoffs", detail)
		if len(rep.Partitions) > 0 {
			detail += "; partitions " + strings.Join(rep.Partitions, ",")
		}
		if err := a.Audit(ctx, p, "timeseries.purge", "observations", rep.Rows, detail); err != nil {
			return rep, err
		}
	}
	return rep, nil
}

// describeCutoffs writes "water<2024-03-01, air<2023-06-01" in domain order.
func describeCutoffs(cutoffs map[string]time.Time) string {
	var parts []string
	for _, d := range sensors.Domains {
		if c, ok := cutoffs[d]; ok {
			parts = append(parts, d+"<"+c.Format(time.DateOnly))
		}
	}
	return strings.Join(parts, ", ")
}

// RebuildRollups recomputes the roll-ups of [from, to) from the raw data
// still kept; admins only. errs.Invalid for an empty or too long range.
func (a *App) RebuildRollups(ctx context.Context, p auth.Principal, from, to time.Time) (int, error) {
	if !p.Is(auth.RoleAdmin) {
		return 0, errs.E(errs.Forbidden, "only administrators rebuild roll-ups")
	}
	if !from.Before(to) || to.Sub(from) > maxRebuildSpan {
		return 0, errs.E(errs.Invalid, "rebuild range: from must precede to, at most %d days apart", int(maxRebuildSpan/sensors.Day))
	}
	hours, err := a.Store.RebuildRollups(ctx, from, to)
	if err != nil {
		return 0, err
	}
	a.Logger.Info("roll-ups rebuilt", "from", from, "to", to, "hours", hours)
	return hours, a.Audit(ctx, p, "timeseries.rollup", "observations", int64(hours),
		fmt.Sprintf("%s to %s", from.UTC().Format(time.RFC3339), to.UTC().Format(time.RFC3339)))
}

// NewRetentionJob returns the job that applies r to raw sensor data,
// every dataset's retention (retention.go) and the rules per device
// property (property_retention.go), every interval; a purge is
// not bounded by the interval (Stop interrupts it).
func (a *App) NewRetentionJob(r sensors.Retention, every time.Duration) *Job {
	return newJob(every, false, func(ctx context.Context) {
		if !r.Empty() {
			if _, err := a.PurgeRaw(ctx, System, r); err != nil && ctx.Err() == nil {
				a.Logger.Error("raw data purge failed", "err", err)
			}
		}
		if _, err := a.PurgeDatasets(ctx, System); err != nil && ctx.Err() == nil {
			a.Logger.Error("dataset retention purge failed", "err", err)
		}
		if _, err := a.PurgeProperties(ctx, System); err != nil && ctx.Err() == nil { // property_retention.go
			a.Logger.Error("property retention purge failed", "err", err)
		}
	})
}
