package app

import (
	"cmp"
	"context"
	"slices"
	"time"

	"github.com/socle/socle/internal/agreements"
	"github.com/socle/socle/internal/alerts"
	"github.com/socle/socle/internal/annual"
	"github.com/socle/socle/internal/auth"
	"github.com/socle/socle/internal/catalog"
	"github.com/socle/socle/internal/dtpr"
	"github.com/socle/socle/internal/errs"
)

// AnnualReport computes the public report of year from live data. It is
// public: it carries counts and the titles of public datasets only.
func (a *App) AnnualReport(ctx context.Context, year int) (*annual.Report, error) {
	now := a.Now()
	if year < 2000 || year > now.Year() {
		return nil, errs.E(errs.Invalid, "no report for %d: a year from 2000 to %d", year, now.Year())
	}
	if err := a.FlushUsage(ctx); err != nil { // the counts of the last seconds too
		return nil, err
	}
	r := &annual.Report{Year: year, Generated: now}
	r.From, r.To = annual.Year(year, now)
	for _, step := range []func(context.Context, *annual.Report) error{
		a.reportDatasets, a.reportSensors, a.reportOpinions, a.reportAgreements,
		a.reportRegisters, a.reportIncidents, a.reportSobriety,
	} {
		if err := step(ctx, r); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// reportDatasets counts the catalog at the end of the period and its use
// during it; the top list names public datasets only.
func (a *App) reportDatasets(ctx context.Context, r *annual.Report) error {
	ds, err := a.Store.Datasets(ctx)
	if err != nil {
		return err
	}
	access := map[string]int64{}
	public := map[string]string{}
	for _, d := range ds {
		if !ValidDatasetID(d.ID) || !d.Issued.Before(r.To) {
			continue
		}
		r.Datasets.Total++
		r.Datasets.Records += d.Records
		access[string(d.Access)]++
		if annual.In(d.Issued, r.From, r.To) {
			r.Datasets.Opened++
		}
		if annual.In(d.Modified, r.From, r.To) {
			r.Datasets.Updated++
		}
		if d.Access == catalog.AccessPublic {
			public[d.ID] = d.Meta.Title
		}
	}
	r.Datasets.ByAccess = counts(access)
	// Usage is counted by UTC day: today's counts are in, for a year not
	// over.
	days := r.To.Truncate(24 * time.Hour)
	if days.Before(r.To) {
		days = days.AddDate(0, 0, 1)
	}
	usage, err := a.Store.UsageBetween(ctx, r.From, days)
	if err != nil {
		return err
	}
	top := map[string]int64{}
	for id, u := range usage {
		r.Use.Views += u.Views
		r.Use.Downloads += u.Downloads
		if title, ok := public[id]; ok {
			top[title] = u.Views + u.Downloads
		}
	}
	r.Use.Top = counts(top)
	if len(r.Use.Top) > 10 {
		r.Use.Top = r.Use.Top[:10]
	}
	return nil
}

// reportSensors counts the registry by domain and the public sensors by
// purpose and personal-data colour.
func (a *App) reportSensors(ctx context.Context, r *annual.Report) error {
	devs, err := a.Store.Devices(ctx, "")
	if err != nil {
		return err
	}
	domains := map[string]int64{}
	for _, d := range devs {
		r.Sensors.Devices++
		domains[d.Domain]++
	}
	r.Sensors.ByDomain = counts(domains)
	pub, err := a.PublicSensors(ctx)
	if err != nil {
		return err
	}
	purposes, colours := map[string]int64{}, map[string]int64{}
	for _, s := range pub {
		r.Sensors.Public++
		colours[string(s.Colour)]++
		if s.Chain != nil {
			for _, p := range s.Chain.Purpose {
				purposes[p]++
			}
		}
	}
	r.Sensors.ByPurpose, r.Sensors.ByColour = counts(purposes), counts(colours)
	return nil
}

// reportOpinions counts the opinions received during the period.
func (a *App) reportOpinions(ctx context.Context, r *annual.Report) error {
	ops, err := a.Store.Opinions(ctx, dtpr.OpinionFilter{})
	if err != nil {
		return err
	}
	for _, o := range ops {
		if !annual.In(o.CreatedAt, r.From, r.To) {
			continue
		}
		r.Opinions.Received++
		switch o.Status {
		case dtpr.StatusPublished:
			r.Opinions.Published++
		case dtpr.StatusRejected:
			r.Opinions.Rejected++
		default:
			r.Opinions.Pending++
		}
		if o.Reply != "" {
			r.Opinions.Answered++
		}
	}
	return nil
}

// reportAgreements counts the agreements in force during the period and
// their use.
func (a *App) reportAgreements(ctx context.Context, r *annual.Report) error {
	list, err := a.Store.Agreements(ctx, "")
	if err != nil {
		return err
	}
	for _, ag := range list {
		if ag.Status == agreements.Draft || !ag.Start.Before(r.To) || !ag.End.After(r.From) {
			continue
		}
		r.Agreements.InForce++
		u, err := a.Store.AgreementUsage(ctx, ag.ID)
		if err != nil {
			return err
		}
		r.Agreements.Requests += u.Requests
		r.Agreements.Records += u.Records
	}
	return nil
}

func (a *App) reportRegisters(ctx context.Context, r *annual.Report) error {
	ps, err := a.Store.Processings(ctx)
	if err != nil {
		return err
	}
	as, err := a.Store.Algorithms(ctx)
	if err != nil {
		return err
	}
	r.Registers.Processings, r.Registers.Algorithms = len(ps), len(as)
	for _, al := range as {
		if al.PlatformFunction {
			r.Registers.PlatformAlgorithms++
		}
	}
	return nil
}

// reportIncidents counts the alerts opened and the retention purges run
// during the period.
func (a *App) reportIncidents(ctx context.Context, r *annual.Report) error {
	list, err := a.Store.Alerts(ctx, alerts.Filter{Limit: -1})
	if err != nil {
		return err
	}
	sev := map[string]int64{}
	for _, al := range list {
		if !annual.In(al.OpenedAt, r.From, r.To) {
			continue
		}
		r.Incidents.Alerts++
		sev[al.Severity]++
		if al.Status == alerts.StatusResolved {
			r.Incidents.Resolved++
		}
	}
	r.Incidents.BySeverity = counts(sev)
	entries, err := a.Store.Audit(ctx, "observations", -1)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if e.Action == "timeseries.purge" && annual.In(e.Time, r.From, r.To) {
			r.Incidents.Purges++
			r.Incidents.PurgedRows += e.Records
		}
	}
	return nil
}

func (a *App) reportSobriety(ctx context.Context, r *annual.Report) error {
	s, err := a.SobrietyReport(ctx, auth.Principal{})
	if err != nil {
		return err
	}
	r.Sobriety.Measured, r.Sobriety.TotalBytes = s.Measured, s.TotalBytes
	r.Sobriety.KWhPerYear, r.Sobriety.GCO2ePerYear = s.Estimate.KWhPerYear, s.Estimate.GCO2ePerYear
	r.Sobriety.Unread, r.Sobriety.Duplicates = s.Unread, s.Duplicates
	return nil
}

// counts sorts a tally by count, then key.
func counts(m map[string]int64) []annual.Count {
	out := make([]annual.Count, 0, len(m))
	for k, n := range m {
		out = append(out, annual.Count{Key: k, N: n})
	}
	slices.SortFunc(out, func(a, b annual.Count) int { return cmp.Or(cmp.Compare(b.N, a.N), cmp.Compare(a.Key, b.Key)) })
	return out
}
