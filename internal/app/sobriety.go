package app

import (
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/socle/socle/internal/auth"
	"github.com/socle/socle/internal/catalog"
	"github.com/socle/socle/internal/errs"
	"github.com/socle/socle/internal/odsql"
	"github.com/socle/socle/internal/sobriety"
)

// The sobriety report: what the platform's data costs to keep and serve.
// Stewards and admins see every dataset; anyone else the datasets they
// may see, and the platform's totals.

// SobrietyModel is the energy and carbon model of the reports (set by
// serve's --sobriety-model).
func (a *App) SobrietyModel() sobriety.Model {
	if a.Sobriety == (sobriety.Model{}) {
		return sobriety.DefaultModel
	}
	return a.Sobriety
}

// SobrietyReport measures the platform as p may see it.
func (a *App) SobrietyReport(ctx context.Context, p auth.Principal) (*sobriety.Report, error) {
	visible, err := a.Datasets(ctx, p)
	if err != nil {
		return nil, err
	}
	all, err := a.Store.Datasets(ctx)
	if err != nil {
		return nil, err
	}
	m := a.SobrietyModel()
	r := &sobriety.Report{At: a.Now(), Model: m, Measured: true}
	tables, err := a.Store.TableBytes(ctx)
	if errs.Is(err, errs.Unavailable) {
		r.Measured = false
	} else if err != nil {
		return nil, err
	}
	usage, err := a.UsageTotals(ctx)
	if err != nil {
		return nil, err
	}
	last, err := a.Store.LastUsed(ctx)
	if err != nil {
		return nil, err
	}
	if r.RawRows, r.HourlyRows, r.DailyRows, err = a.Store.SensorRows(ctx); err != nil {
		return nil, err
	}
	for _, n := range tables {
		r.TotalBytes += n
	}
	r.SensorRawBytes = tables["observations"]
	r.SensorRollupBytes = tables["obs_hourly"] + tables["obs_daily"]
	dups, err := a.duplicates(ctx, all)
	if err != nil {
		return nil, err
	}
	cutoff := r.At.AddDate(-1, 0, 0)
	show := map[string]bool{}
	for _, d := range visible {
		show[d.ID] = true
	}
	for _, d := range all {
		f := a.footprint(d, tables, r.Measured, usage[d.ID], last, cutoff, dups[d.ID])
		r.DatasetBytes += max(f.Bytes, 0)
		r.Downloads += f.Downloads
		r.TransferBytes += f.TransferBytes
		if f.Unread12Months {
			r.Unread++
		}
		if len(f.DuplicateOf) > 0 {
			r.Duplicates++
		}
		if show[d.ID] {
			r.Datasets = append(r.Datasets, f)
		}
	}
	r.Estimate = m.Estimate(r.TotalBytes, r.TransferBytes)
	return r, nil
}

// footprint measures one dataset. Transfer is estimated from its downloads
// and the size of its CSV export (or, not yet exported, of its tables).
func (a *App) footprint(d *catalog.Dataset, tables map[string]int64, measured bool, u catalog.Usage,
	last map[string]time.Time, cutoff time.Time, dupOf []string) sobriety.DatasetFootprint {
	f := sobriety.DatasetFootprint{ID: d.ID, Title: d.Meta.Title, Access: string(d.Access), Rows: d.Records, Bytes: -1,
		Views: u.Views, Downloads: u.Downloads, DuplicateOf: dupOf}
	if measured {
		f.Bytes = 0
		for name, n := range tables {
			if strings.HasPrefix(name, "r_"+d.UID+"_") {
				f.Bytes += n
			}
		}
	}
	size, ok := a.ExportSize(d.ID, d.Version, "csv")
	if !ok {
		size = max(f.Bytes, 0)
	}
	f.TransferBytes = u.Downloads * size
	if t, ok := last[d.ID]; ok {
		f.LastUsed = &t
		f.Unread12Months = t.Before(cutoff)
	} else {
		f.Unread12Months = d.Issued.Before(cutoff) // never read, and old enough to tell
	}
	f.Practices = sobriety.Practices(d, f.Unread12Months)
	m := a.SobrietyModel()
	f.Estimate = m.Estimate(max(f.Bytes, 0), f.TransferBytes)
	return f
}

// duplicates finds datasets holding the very same records: among those of
// the same fields and row count (cheap), the same digest of their rows.
func (a *App) duplicates(ctx context.Context, ds []*catalog.Dataset) (map[string][]string, error) {
	groups := map[string][]*catalog.Dataset{}
	for _, d := range ds {
		if d.Records == 0 {
			continue
		}
		sig := fmt.Sprint(d.Records)
		for _, f := range d.Fields {
			sig += "|" + f.Name + ":" + string(f.Type)
		}
		groups[sig] = append(groups[sig], d)
	}
	out := map[string][]string{}
	for _, g := range groups {
		if len(g) < 2 {
			continue
		}
		byDigest := map[string][]string{}
		for _, d := range g {
			sum, err := a.digest(ctx, d)
			if err != nil {
				return nil, err
			}
			byDigest[sum] = append(byDigest[sum], d.ID)
		}
		for _, ids := range byDigest {
			for _, id := range ids {
				for _, other := range ids {
					if other != id {
						out[id] = append(out[id], other)
					}
				}
			}
		}
	}
	return out, nil
}

// digest hashes a dataset's rows in record order.
func (a *App) digest(ctx context.Context, d *catalog.Dataset) (string, error) {
	rows, err := a.Store.Query(ctx, d, &odsql.Query{Limit: -1})
	if err != nil {
		return "", err
	}
	defer rows.Close()
	h := sha256.New()
	for {
		row, err := rows.Next()
		if err == io.EOF {
			break
		} else if err != nil {
			return "", err
		}
		fmt.Fprintf(h, "%v\n", row)
	}
	return fmt.Sprintf("%x", h.Sum(nil)), nil
}
