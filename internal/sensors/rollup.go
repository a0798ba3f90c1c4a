package sensors

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/socle/socle/internal/errs"
)

// Roll-ups and retention. Each engine keeps, beside the raw observations,
// hourly and daily aggregates (count, min, max, sum) of every series'
// trusted values, upserted by AppendBatch in the batch's own transaction
// for the hours and days its new rows fall in. Being maintained with the
// rows, in the same commit, they are complete at every instant, whatever
// the order data arrives in: a late observation adds to its hour like a
// fresh one, a resend adds nothing (it is not inserted). That is what lets
// retention delete raw data at any time, and Aggregate read the roll-ups
// for every whole hour or day of a query whose width is a multiple of one.

// Tier is where an aggregate piece is read from.
type Tier int

// Tiers, from the finest.
const (
	TierRaw    Tier = iota // the observations themselves
	TierHourly             // hourly roll-ups (UTC hours)
	TierDaily              // daily roll-ups (UTC days)
)

// Piece is a part [From, To) of an aggregate query read from one tier.
type Piece struct {
	Tier     Tier
	From, To time.Time
}

// PlanAggregate splits q's range into the pieces to read: the roll-ups
// for the whole hours (whole days when q.Width is a multiple of a day)
// when q.Width is a multiple of an hour, raw data for the rest (the
// partial hours at either end, or everything for other widths). Buckets
// are aligned on the epoch, so a bucket whose width is a multiple of an
// hour is made of whole hours. from and to are the query's bounds already
// rounded up to the millisecond. The pieces are in time order, none empty.
func PlanAggregate(width time.Duration, from, to time.Time) []Piece {
	if !from.Before(to) {
		return nil
	}
	if width%time.Hour != 0 {
		return []Piece{{TierRaw, from, to}}
	}
	h0, h1 := ceilTo(from, time.Hour), floorTo(to, time.Hour)
	if !h0.Before(h1) {
		return []Piece{{TierRaw, from, to}}
	}
	var out []Piece
	add := func(t Tier, a, b time.Time) {
		if a.Before(b) {
			out = append(out, Piece{t, a, b})
		}
	}
	add(TierRaw, from, h0)
	d0, d1 := ceilTo(h0, Day), floorTo(h1, Day)
	if width%Day == 0 && d0.Before(d1) {
		add(TierHourly, h0, d0)
		add(TierDaily, d0, d1)
		add(TierHourly, d1, h1)
	} else {
		add(TierHourly, h0, h1)
	}
	add(TierRaw, h1, to)
	return out
}

// Day is a UTC day, the daily roll-ups' width.
const Day = 24 * time.Hour

// floorTo is the start of the epoch-aligned span of width w holding t
// (floor division, before 1970 too).
func floorTo(t time.Time, w time.Duration) time.Time {
	ms, wm := t.UnixMilli(), w.Milliseconds()
	return time.UnixMilli(FloorDiv(ms, wm) * wm).UTC()
}

// ceilTo is the first epoch-aligned boundary of width w at or after t.
func ceilTo(t time.Time, w time.Duration) time.Time {
	f := floorTo(t, w)
	if f.Before(t) {
		return f.Add(w)
	}
	return f
}

// FloorDiv divides rounding towards minus infinity (b > 0).
func FloorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && a < 0 {
		q--
	}
	return q
}

// MergeBuckets adds up partial buckets of the same width (from several
// pieces, in any order) into one bucket per start, in time order, with
// Avg = Sum/Count: the figure raw SQL gives too (its avg is its sum over
// its count).
func MergeBuckets(parts []Bucket) []Bucket {
	slices.SortStableFunc(parts, func(a, b Bucket) int { return a.Start.Compare(b.Start) })
	var out []Bucket
	for _, p := range parts {
		if p.Count == 0 {
			continue
		}
		if n := len(out); n > 0 && out[n-1].Start.Equal(p.Start) {
			b := &out[n-1]
			b.Count += p.Count
			b.Min, b.Max, b.Sum = min(b.Min, p.Min), max(b.Max, p.Max), b.Sum+p.Sum
			continue
		}
		out = append(out, p)
	}
	for i := range out {
		out[i].Avg = out[i].Sum / float64(out[i].Count)
	}
	return out
}

// Retention says how long raw observations are kept, per domain; a domain
// absent is kept forever, unless Default is set. Roll-ups are kept forever.
type Retention struct {
	ByDomain map[string]time.Duration
	Default  time.Duration // for the other domains; 0: forever
}

// Keep returns how long domain's raw data is kept; 0 means forever.
func (r Retention) Keep(domain string) time.Duration {
	if d, ok := r.ByDomain[domain]; ok {
		return d
	}
	return r.Default
}

// Empty reports whether r keeps everything forever.
func (r Retention) Empty() bool { return len(r.ByDomain) == 0 && r.Default == 0 }

// Cutoffs returns, for each domain whose raw data expires, the time before
// which its raw observations go at now: now minus the period, down to the
// UTC day, so that a day's raw data goes whole (an aggregate's partial
// hours at the ends of a range read raw data, which is then all there or
// all gone).
func (r Retention) Cutoffs(now time.Time) map[string]time.Time {
	out := map[string]time.Time{}
	for _, d := range Domains {
		if keep := r.Keep(d); keep > 0 {
			out[d] = floorTo(now.Add(-keep), Day)
		}
	}
	return out
}

// String writes r in ParseRetention's syntax, domains in order.
func (r Retention) String() string {
	var parts []string
	for _, d := range Domains {
		if keep, ok := r.ByDomain[d]; ok {
			parts = append(parts, d+"="+formatDays(keep))
		}
	}
	if r.Default > 0 {
		parts = append(parts, "*="+formatDays(r.Default))
	}
	return strings.Join(parts, ",")
}

func formatDays(d time.Duration) string {
	if d%Day == 0 {
		return strconv.FormatInt(int64(d/Day), 10) + "d"
	}
	return d.String()
}

// Retention limits: at least a day (a shorter period would purge data the
// alert checks read), at most 100 years.
const (
	MinRetention = Day
	MaxRetention = 100 * 365 * Day
	maxSpecLen   = 1024
)

// ParseRetention reads "water=90d,air=365d,*=730d": domain=period pairs,
// "*" for every other domain, periods in days ("90d") or Go durations
// ("2160h"). The empty string keeps everything. errs.Invalid.
func ParseRetention(s string) (Retention, error) {
	r := Retention{ByDomain: map[string]time.Duration{}}
	if len(s) > maxSpecLen {
		return r, errs.E(errs.Invalid, "retention: longer than %d bytes", maxSpecLen)
	}
	if strings.TrimSpace(s) == "" {
		return r, nil
	}
	for part := range strings.SplitSeq(s, ",") {
		domain, period, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return r, errs.E(errs.Invalid, "retention %q: write domain=period, e.g. water=90d", part)
		}
		keep, err := parseRetentionPeriod(period)
		if err != nil {
			return r, err
		}
		switch {
		case domain == "*":
			r.Default = keep
		case !slices.Contains(Domains, domain):
			return r, errs.E(errs.Invalid, "retention: unknown domain %q", domain)
		default:
			r.ByDomain[domain] = keep
		}
	}
	return r, nil
}

// parseRetentionPeriod reads "90d" or a Go duration, within the limits.
func parseRetentionPeriod(s string) (time.Duration, error) {
	var d time.Duration
	if n, ok := strings.CutSuffix(s, "d"); ok {
		days, err := strconv.Atoi(n)
		if err != nil || days < 0 || days > int(MaxRetention/Day) {
			return 0, errs.E(errs.Invalid, "retention period %q: use a number of days such as 90d", s)
		}
		d = time.Duration(days) * Day
	} else {
		v, err := time.ParseDuration(s)
		if err != nil {
			return 0, errs.E(errs.Invalid, "retention period %q: use a number of days such as 90d", s)
		}
		d = v
	}
	if d < MinRetention || d > MaxRetention {
		return 0, errs.E(errs.Invalid, "retention period %q: between 1 day and 100 years", s)
	}
	return d, nil
}

// PurgeReport says what one purge removed.
type PurgeReport struct {
	Rows       int64    `json:"rows"`       // raw rows deleted (with the estimated rows of dropped partitions)
	Partitions []string `json:"partitions"` // whole partitions dropped (PostgreSQL)
}

// String is a one-line summary for logs and the CLI.
func (p PurgeReport) String() string {
	return fmt.Sprintf("%d raw observations purged, %d partitions dropped", p.Rows, len(p.Partitions))
}

// TimeSeriesStore is the roll-up and retention side of Store.
type TimeSeriesStore interface {
	// PurgeRaw deletes the raw observations of the registered devices of
	// each domain of cutoffs older than its cutoff (their roll-ups stay).
	// Observations of devices absent from the registry are kept.
	PurgeRaw(ctx context.Context, cutoffs map[string]time.Time) (PurgeReport, error)
	// RebuildRollups recomputes from raw data the roll-ups of the hours in
	// [from, to) that still have raw rows, and of the days they touch (from
	// their hours). It repairs roll-ups; AppendBatch keeps them current.
	// It returns the number of hours rebuilt.
	RebuildRollups(ctx context.Context, from, to time.Time) (int, error)
}
